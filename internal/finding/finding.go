// Package finding holds the reconciliation findings of SPEC §3.1 and §3.4:
// data problems that are results of a run, not failures of it.
package finding

// Code identifies the kind of a finding.
type Code string

// The finding codes, in the order the reports list them.
const (
	HetuInvalid         Code = "HETU_INVALID"
	ReferralMissing     Code = "REFERRAL_MISSING"
	ClientDuplicate     Code = "CLIENT_DUPLICATE"
	CodeMissing         Code = "CODE_MISSING"
	CodeDuplicate       Code = "CODE_DUPLICATE"
	DateOrder           Code = "DATE_ORDER"
	DateFuture          Code = "DATE_FUTURE"
	DateInvalid         Code = "DATE_INVALID"
	EmploymentType      Code = "EMPLOYMENT_TYPE"
	PendingVerification Code = "PENDING_VERIFICATION"
	NotVerified         Code = "NOT_VERIFIED"
	NoBaseline          Code = "NO_BASELINE"
	AccrualRowInvalid   Code = "ACCRUAL_ROW_INVALID"
	AccrualGap          Code = "ACCRUAL_GAP"
	AccrualMismatch     Code = "ACCRUAL_MISMATCH"
	// HetuMisplaced is the bot's own, after the spec's codes: an identity
	// code in a column that would carry it into the reports.
	HetuMisplaced Code = "HETU_MISPLACED"
	// AccrualListMissing, also the bot's own: a month between the lists'
	// own months that only other lists' correction rows cover.
	AccrualListMissing Code = "ACCRUAL_LIST_MISSING"
)

// Codes lists every finding code; run-summary.json reports each, with 0 where none.
var Codes = []Code{
	HetuInvalid, ReferralMissing, ClientDuplicate, CodeMissing, CodeDuplicate,
	DateOrder, DateFuture, DateInvalid, EmploymentType,
	PendingVerification, NotVerified, NoBaseline,
	AccrualRowInvalid, AccrualGap, AccrualMismatch,
	HetuMisplaced, AccrualListMissing,
}

// Severity of a finding.
type Severity string

// Severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// SeverityOf returns the fixed severity of a code (SPEC §3.4).
func SeverityOf(c Code) Severity {
	switch c {
	case NotVerified, AccrualMismatch, AccrualListMissing:
		return Warning
	case PendingVerification, NoBaseline:
		return Info
	}
	return Error
}

// Finnish returns the Finnish label of a severity for the reports.
func (s Severity) Finnish() string {
	switch s {
	case Error:
		return "Virhe"
	case Warning:
		return "Varoitus"
	}
	return "Tieto"
}

// Finding is one data problem, located precisely enough that a unit head can
// open the file and fix it. It never holds an identity code or a name: the
// person is named by ClientCode (Muunto's Koodi) or ClientNumber when known.
type Finding struct {
	Severity     Severity
	Code         Code
	File         string // input file name as the user knows it
	Sheet        string // sheet name; empty for CSV
	Row          int    // Excel row (or CSV line) number, 1-based; 0 when not about a row
	Column       string // header as written in the file, e.g. "Infotilaisuus"; empty when not about a cell
	ClientCode   string
	ClientNumber string
	Message      string // Finnish: what is wrong and how to fix it
}

// New returns a finding with the code's severity.
func New(c Code, file, sheet string, row int, column, message string) Finding {
	return Finding{Severity: SeverityOf(c), Code: c, File: file, Sheet: sheet, Row: row, Column: column, Message: message}
}

// Count tallies findings per code; every code is present.
func Count(fs []Finding) map[Code]int {
	m := make(map[Code]int, len(Codes))
	for _, c := range Codes {
		m[c] = 0
	}
	for _, f := range fs {
		m[f.Code]++
	}
	return m
}
