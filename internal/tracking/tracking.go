// Package tracking reads the TyöMatka tracking and conversion workbook
// (SPEC §2.1): sheet Asiakkaat (one row per referred person) and sheet Muunto
// (identity code → provider-facing client code).
//
// The reader only parses: it keeps every cell's problem beside its value so
// that package billing can turn problems into findings in the order the spec
// gives. Structural problems (no such sheet, a required column missing, not a
// workbook) are errors that end the run.
package tracking

import (
	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/hetu"
)

// Sheet names.
const (
	ClientsSheet = "Asiakkaat"
	CodesSheet   = "Muunto"
)

// EmploymentType is the Työsuhde of an employment.
type EmploymentType int

// Employment types. TypeNone is a blank cell or no Työsuhde column at all;
// TypeUnknown is a value that is neither avoin nor palkkatuki.
const (
	TypeNone EmploymentType = iota
	TypeUnknown
	TypeOpen       // avoin, avoimet työmarkkinat
	TypeSubsidised // palkkatuki, palkkatuettu
)

// DateCell is one date column of a client row.
type DateCell struct {
	Column  string     // header as written in the file; "" when the sheet has no such column
	Raw     string     // the cell as text, for messages; "" when blank
	Present bool       // the cell is not blank
	Valid   bool       // Present and parsed into Date
	Date    civil.Date // valid only when Valid
}

// Client is one non-empty row of Asiakkaat.
type Client struct {
	Row          int       // Excel row number
	HetuColumn   string    // header as written
	Hetu         hetu.Code // normalised; meaningful only when HetuValid
	HetuValid    bool
	ClientNumber string // Asiakasnumero, trimmed; "" when blank or when it held an identity code
	// ClientNumberColumn is the Asiakasnumero header as written, and
	// ClientNumberHetu reports that the cell held something shaped like an
	// identity code, which is never kept (hetu.Resembles).
	ClientNumberColumn string
	ClientNumberHetu   bool
	// Likewise Kotikunta: the municipality names lines in every report.
	MunicipalityColumn string
	MunicipalityHetu   bool
	Municipality       string // Kotikunta mapped to a name (codes → names); "" when blank

	Referral   DateCell // Ohjattu
	Info       DateCell // Infotilaisuus
	Start      DateCell // Aloitus
	End        DateCell // Päättyminen
	Employment DateCell // Työllistyminen

	TypeColumn     string // header as written; "" when there is no Työsuhde column
	TypeRaw        string // as written, trimmed
	EmploymentType EmploymentType

	DaysColumn string          // header of Maksupäivät as written; "" when absent
	DaysRaw    string          // as written, trimmed; "" when blank
	Days       decimal.Decimal // valid only when DaysValid
	DaysValid  bool
}

// CodeRow is one row of Muunto with a non-blank Koodi.
type CodeRow struct {
	Row        int
	HetuColumn string
	Hetu       hetu.Code // meaningful only when HetuValid
	HetuValid  bool
	Code       string // trimmed, case kept; "" when it held an identity code
	// CodeColumn is the Koodi header as written; CodeHetu reports that the
	// cell held something shaped like an identity code, which is never kept
	// (the code travels to every report and the ledger).
	CodeColumn string
	CodeHetu   bool
}

// Workbook is the parsed tracking workbook.
type Workbook struct {
	File    string // name as the user knows it (base name)
	Clients []Client
	Codes   []CodeRow
	Rows    int // data rows read from both sheets, for run-summary inputs
}
