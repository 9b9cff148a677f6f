// Package billing applies the billing rules of SPEC §3 to the parsed tracking
// workbook and accrual lists. It is a pure function of its input: no I/O, no
// clock, no randomness, so the same inputs always give byte-identical lines.
package billing

import (
	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/accrual"
	"tyomatka/internal/config"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

// LineType is the kind of an invoice line.
type LineType string

// Line types (SPEC §3.2, §8).
const (
	Info          LineType = "INFO"
	Start         LineType = "ALOITUS"
	Employed      LineType = "TYOLLISTYMINEN"
	Effectiveness LineType = "VAIKUTTAVUUS"
	Correction    LineType = "OIKAISU"
)

// LineTypes lists the types run-summary.json always reports.
var LineTypes = []LineType{Info, Start, Employed, Effectiveness}

// Finnish returns the type's label for the workbooks.
func (t LineType) Finnish() string {
	switch t {
	case Info:
		return "Infotilaisuus"
	case Start:
		return "Aloitus"
	case Employed:
		return "Työllistyminen"
	case Effectiveness:
		return "Vaikuttavuus"
	case Correction:
		return "Oikaisu"
	}
	return string(t)
}

// Line is one invoice line.
type Line struct {
	ID           string // deterministic: area, client key, type and (VAIKUTTAVUUS) month
	Key          string // the client's pseudonymous key (package pseudonym)
	ClientCode   string // Muunto's Koodi
	Municipality string
	Type         LineType
	Date         civil.Date   // event date; VAIKUTTAVUUS: the month's last day
	Month        period.Month // month(Date)
	Amount       decimal.Decimal
	VAT          decimal.Decimal
	Gross        decimal.Decimal
	Description  string // Finnish Selite; never a Kela amount of a person
	Corrects     string // OIKAISU: the id of the line it corrects
	// CorrectsType and CorrectsMonth are, on an OIKAISU, the type and month
	// of the line it corrects (never OIKAISU: a correction names the
	// original). The provider report decides from CorrectsType whether the
	// correction may be shown per client; the month names the follow-up
	// month a VAIKUTTAVUUS correction is about.
	CorrectsType  LineType
	CorrectsMonth period.Month
}

// Verification is the state of a client's employment verification.
type Verification int

// Verification states.
const (
	VerifyNone     Verification = iota // no billable employment
	VerifyPending                      // PENDING_VERIFICATION
	VerifyRefused                      // NOT_VERIFIED
	VerifyVerified                     // verified (line due now or billed before)
)

// Client is what the reports need to know of one billable client (a row that
// was not skipped): dates that passed their rules, never an identity code.
type Client struct {
	Key          string
	ClientCode   string
	ClientNumber string
	Municipality string
	Referral     civil.Date
	Info         *civil.Date // nil when absent or failing its date rules
	Start        *civil.Date
	Employment   *civil.Date
	EmployType   tracking.EmploymentType
	Verification Verification
	VerifiedIn   period.Month // the last sustain month, when VerifyVerified
}

// Input is everything one computation needs.
type Input struct {
	Config   *config.Config
	Period   period.Month // P
	AsOf     civil.Date   // D
	Tracking *tracking.Workbook
	Accruals *accrual.Data
	// Key returns the pseudonymous key of an identity code.
	Key func(hetu.Code) string
}

// Result is the computation's outcome: every line the rules entitle the
// provider to up to P (the whole backlog since valid_from; the ledger decides
// which of them are due now), the findings, and the billable clients.
type Result struct {
	Lines    []Line            // sorted by ClientCode, then type order, then month
	Findings []finding.Finding // sorted by file, sheet, row, code
	Clients  []Client          // sorted by ClientCode
	// Accruals are the billable clients' accrual totals per month, for the
	// reconciliation report's Kertymät sheet; sorted by ClientCode, Month.
	Accruals []ClientMonth
	// Held are the ids of lines an invalid accrual row leaves undecided
	// (the employment's verification, or effectiveness months): neither
	// billed nor, when billed before, credited until the row is fixed.
	Held []string
}

// ClientMonth is one client's accrual totals of one month.
type ClientMonth struct {
	ClientCode string
	Month      period.Month
	accrual.MonthTotal
}
