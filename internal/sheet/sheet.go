// Package sheet reads the tabular inputs of the bot — .xlsx workbooks and .csv
// exports — as rows of typed cells under a detected header row (SPEC §2.1,
// §2.2), and applies the cell rules of SPEC §2.3 in one place.
//
// Workbooks are streamed: the worksheet XML is scanned straight from the zip
// archive, so memory does not grow with the number of rows. Excelize reads the
// workbook's metadata (styles and date system) from a copy of the package
// that leaves the worksheets out, because its own row iterator returns values
// without their styles and its open call would decompress every worksheet.
package sheet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/cellvalue"
	"tyomatka/internal/period"
)

// HeaderRows is how many rows from the top of a sheet may hold the header row;
// rows above the header are titles.
const HeaderRows = 10

// Kind is the stored type of a cell.
type Kind int

// Cell kinds. CSV cells are Text (or Empty).
const (
	Empty  Kind = iota
	Number      // a numeric cell; Value is the stored number text, e.g. "46023" or "1.5E-2"
	Text        // shared, inline or formula string, ISO date cell (t="d"), or any CSV field
	Bool        // Value "1" or "0"
	Error       // a formula error such as "#N/A"
)

func (k Kind) String() string {
	switch k {
	case Empty:
		return "empty"
	case Number:
		return "number"
	case Text:
		return "text"
	case Bool:
		return "boolean"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Cell is one cell as stored in the file.
type Cell struct {
	Value   string // raw stored value: number text for numbers, the text for strings
	Kind    Kind
	DateFmt bool // the cell's number format displays a date
}

// Errors of the cell accessors. They never quote the cell: a cell may hold an
// identity code.
var (
	ErrBlank       = errors.New("cell is blank")
	ErrNotDate     = errors.New("a number that is not formatted as a date")
	ErrPlainNumber = errors.New("a plain number is not a month; write yyyy-mm or use a date cell")
	ErrKind        = errors.New("cell holds neither a number nor text")
)

// Blank reports whether the cell is empty or holds only white space.
func (c Cell) Blank() bool { return strings.TrimSpace(c.Value) == "" }

// Text returns the value trimmed of surrounding white space.
func (c Cell) Text() string { return strings.TrimSpace(c.Value) }

// Date returns the cell as a date: a date-formatted number is an Excel serial
// in the workbook's date system, text is parsed by cellvalue.ParseDate.
func (c Cell) Date(date1904 bool) (civil.Date, error) {
	if c.Blank() {
		return civil.Date{}, ErrBlank
	}
	switch c.Kind {
	case Number:
		if !c.DateFmt {
			return civil.Date{}, ErrNotDate
		}
		return cellvalue.DateFromSerial(c.Value, date1904)
	case Text:
		return cellvalue.ParseDate(c.Text())
	}
	return civil.Date{}, ErrKind
}

// Number returns the cell as an exact decimal: a numeric cell from its stored
// text (never through float64), text by cellvalue.ParseNumber.
func (c Cell) Number() (decimal.Decimal, error) {
	if c.Blank() {
		return decimal.Decimal{}, ErrBlank
	}
	switch c.Kind {
	case Number:
		d, err := decimal.NewFromString(c.Text())
		if err != nil {
			return decimal.Decimal{}, errors.New("stored number is not a decimal number")
		}
		return d, nil
	case Text:
		return cellvalue.ParseNumber(c.Text())
	}
	return decimal.Decimal{}, ErrKind
}

// Month returns the cell as a billing month: a date cell gives its month, text
// is parsed by cellvalue.ParseMonth, and a plain number (10.2026 typed as a
// number) is invalid because Excel has already lost how it was written.
func (c Cell) Month(date1904 bool) (period.Month, error) {
	if c.Blank() {
		return period.Month{}, ErrBlank
	}
	switch c.Kind {
	case Number:
		if !c.DateFmt {
			return period.Month{}, ErrPlainNumber
		}
		d, err := cellvalue.DateFromSerial(c.Value, date1904)
		if err != nil {
			return period.Month{}, err
		}
		return period.Of(d), nil
	case Text:
		return cellvalue.ParseMonth(c.Text())
	}
	return period.Month{}, ErrKind
}

// Column is a column the caller wants, by header name and aliases.
type Column struct {
	Name     string
	Aliases  []string
	Required bool
	// Quiet: an optional column whose absence is normal (Nimi, Etuus), so
	// not worth a warning.
	Quiet bool
	// Unbilled: a column whose values neither bill nor place a line (Nimi,
	// Etuus): a second column of its name is only warned about.
	Unbilled bool
}

// Found is where a wanted column is in the file.
type Found struct {
	Present bool
	Index   int    // 0-based column index in the sheet (or field index in the CSV)
	Header  string // the header as written (trimmed), for findings
	Letter  string // Excel column letter, e.g. "C"
}

// Row is one non-empty data row.
type Row struct {
	Num   int    // Excel row number, or CSV line number; 1-based
	Cells []Cell // indexed like the column specs; Empty for absent columns
	// Err is set when the row as a whole cannot be trusted, whatever its
	// cells hold: a *FieldCountError. The caller must treat the row as
	// invalid; Cells are as read, for context only.
	Err error
}

// FieldCountError is a CSV record with a non-blank field past the last
// header: its values have likely shifted columns, most often because a
// number was written with a decimal comma in a comma-separated file
// ("78,14" read as two fields). Trailing empty fields are not counted.
type FieldCountError struct {
	Fields int // fields of the record, to its last non-blank one
	// HeaderFields is the header row's field count, to its last non-blank
	// one; it is also the 0-based index of the record's first field past it.
	HeaderFields int
	Comma        rune // the file's delimiter
}

func (e *FieldCountError) Error() string {
	return fmt.Sprintf("the row has %d fields but the header row has %d", e.Fields, e.HeaderFields)
}

// Fold returns s in the form headers are compared in: trimmed, lower-case,
// with ä, ö and å folded to a, o and a (SPEC §2.1). Työsuhde values are
// compared the same way.
func Fold(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'ä', 'å', 'á', 'à', 'â':
			r = 'a'
		case 'ö', 'ó', 'ò', 'ô':
			r = 'o'
		case '\u0308', '\u030a': // combining diaeresis and ring: decomposed ä, ö, å
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MissingColumnsError is returned when no row within the first HeaderRows rows
// holds every required header.
type MissingColumnsError struct {
	File    string
	Sheet   string // "" for CSV
	Columns []string
}

// DuplicateColumnError: the header row names one wanted column twice (the
// same header, or a header and its alias), so which one holds the data is a
// guess; the file must say.
type DuplicateColumnError struct {
	File    string
	Sheet   string // "" for CSV
	Row     int    // the header row
	Column  string // the wanted column's name
	Letters [2]string
	Headers [2]string // as written

	unbilled bool // the column is Unbilled: newTable only warns
}

func (e *DuplicateColumnError) Error() string {
	return fmt.Sprintf("%s, header row %d: two columns are %q: %s (%q) and %s (%q); "+
		"keep one of them (rename or delete the other) and rerun",
		where(e.File, e.Sheet), e.Row, e.Column, e.Letters[0], e.Headers[0], e.Letters[1], e.Headers[1])
}

// ErrMissingColumns matches any *MissingColumnsError with errors.Is.
var ErrMissingColumns = errors.New("required column not found")

func (e *MissingColumnsError) Error() string {
	quoted := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	noun := "column"
	if len(e.Columns) > 1 {
		noun = "columns"
	}
	return fmt.Sprintf("%s: required %s %s not found in the first %d rows; add a header cell named %s",
		where(e.File, e.Sheet), noun, strings.Join(quoted, ", "), HeaderRows, strings.Join(e.Columns, ", "))
}

// Is makes errors.Is(err, ErrMissingColumns) true.
func (e *MissingColumnsError) Is(target error) bool { return target == ErrMissingColumns }

// loggerKey is the context key of the logger WithLogger sets.
type loggerKey struct{}

// WithLogger returns a context that makes the readers of tables opened with
// it log to l: the CLI and the run log through their own logger (JSON for
// Cloud Logging), never through slog.Default, which they leave unset.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

// logger returns the logger of WithLogger, or slog.Default.
func logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok && l != nil {
		return l
	}
	return slog.Default()
}

// Structural errors. They are wrapped with the file (and sheet) they concern.
var (
	ErrNoSheet    = errors.New("sheet not found")
	ErrUnreadable = errors.New("not a readable workbook")
	// ErrDamaged: the workbook's bytes are not the ones it was written with
	// (a part fails its checksum or does not decompress); none of its values
	// can be trusted.
	ErrDamaged = errors.New("the file is damaged")
)

func where(file, sheet string) string {
	if sheet == "" {
		return file
	}
	return file + ", sheet " + sheet
}

// rawCell is a non-empty cell with its 0-based column.
type rawCell struct {
	col int
	Cell
}

// rowSource yields rows of a sheet or CSV file in order. cells are valid
// until the next call.
type rowSource interface {
	next() (num int, cells []rawCell, ok bool)
	err() error
	close() error
}

// Table is a sheet (or CSV file) positioned after its header row.
type Table struct {
	File      string // name as the user knows it
	Sheet     string // "" for CSV
	Date1904  bool
	HeaderRow int     // Excel row (CSV line) of the header
	Columns   []Found // like the column specs

	ctx     context.Context
	src     rowSource
	cols    []Column
	byIndex map[int]int // sheet column → spec index; the first matching header wins
	// width is the header row's field count, to its last non-blank cell.
	// A CSV record that goes past it is a FieldCountError (fieldCheck):
	// unlike a sheet's cells, CSV fields have no address, and a field too
	// many shifts every value after it into the wrong column.
	width      int
	fieldCheck bool
	comma      rune
	row        Row
	err        error
	n          int
}

// ctxCheckEvery is how many rows pass between checks of the context.
const ctxCheckEvery = 4096

// newTable reads the header and positions src on the first data row.
func newTable(ctx context.Context, src rowSource, file, sheet string, date1904 bool, cols []Column) (*Table, error) {
	t := &Table{File: file, Sheet: sheet, Date1904: date1904, ctx: ctx, src: src, cols: cols}
	names := make([][]string, len(cols))
	for i, c := range cols {
		names[i] = append(names[i], Fold(c.Name))
		for _, a := range c.Aliases {
			names[i] = append(names[i], Fold(a))
		}
	}
	bestScore, bestMissing := -1, []string(nil)
	for {
		num, cells, ok := src.next()
		if !ok || num > HeaderRows {
			break
		}
		found, missing := matchHeader(cols, names, cells)
		if len(missing) == 0 {
			if dup := duplicateHeader(cols, names, cells, found); dup != nil {
				dup.File, dup.Sheet, dup.Row = file, sheet, num
				if !dup.unbilled {
					return nil, dup
				}
				logger(ctx).Warn("column named twice; the first is read", "file", file, "sheet", sheet,
					"header_row", num, "column", dup.Column, "first", dup.Letters[0], "second", dup.Letters[1])
			}
			for i, c := range cols {
				if !c.Required && !found[i].Present && !c.Quiet {
					// Not an error (the spec makes the column optional), but
					// a renamed header silently empties it: say so.
					logger(ctx).Warn("optional column not found; its values count as blank",
						"file", file, "sheet", sheet, "header_row", num, "column", c.Name)
				}
			}
			t.HeaderRow = num
			t.Columns = found
			t.width = lastNonBlank(cells) + 1
			t.byIndex = make(map[int]int, len(cols))
			for i, f := range found {
				if f.Present {
					t.byIndex[f.Index] = i
				}
			}
			t.row.Cells = make([]Cell, len(cols))
			return t, nil
		}
		if score := countRequired(cols) - len(missing); score > bestScore {
			bestScore, bestMissing = score, missing
		}
	}
	if err := src.err(); err != nil {
		return nil, err
	}
	if bestMissing == nil {
		for _, c := range cols {
			if c.Required {
				bestMissing = append(bestMissing, c.Name)
			}
		}
	}
	return nil, &MissingColumnsError{File: file, Sheet: sheet, Columns: bestMissing}
}

func countRequired(cols []Column) int {
	n := 0
	for _, c := range cols {
		if c.Required {
			n++
		}
	}
	return n
}

// duplicateHeader returns the first wanted column that a second cell of the
// header row names too, one that bills before an Unbilled one, or nil.
func duplicateHeader(cols []Column, names [][]string, cells []rawCell, found []Found) *DuplicateColumnError {
	var unbilled *DuplicateColumnError
	for _, c := range cells {
		if c.Kind != Text && c.Kind != Number {
			continue
		}
		f := Fold(c.Value)
		for i := range cols {
			if !found[i].Present || found[i].Index == c.col {
				continue
			}
			for _, n := range names[i] {
				if f == n {
					dup := &DuplicateColumnError{Column: cols[i].Name,
						Letters:  [2]string{found[i].Letter, ColumnLetter(c.col)},
						Headers:  [2]string{found[i].Header, strings.TrimSpace(c.Value)},
						unbilled: cols[i].Unbilled}
					if !dup.unbilled {
						return dup
					}
					if unbilled == nil {
						unbilled = dup
					}
				}
			}
		}
	}
	return unbilled
}

// matchHeader finds each wanted column in a candidate header row.
func matchHeader(cols []Column, names [][]string, cells []rawCell) (found []Found, missing []string) {
	found = make([]Found, len(cols))
	for _, c := range cells {
		if c.Kind != Text && c.Kind != Number {
			continue
		}
		f := Fold(c.Value)
		if f == "" {
			continue
		}
	specs:
		for i := range cols {
			if found[i].Present {
				continue // duplicates: the first header wins
			}
			for _, n := range names[i] {
				if f == n {
					found[i] = Found{Present: true, Index: c.col, Header: strings.TrimSpace(c.Value), Letter: ColumnLetter(c.col)}
					break specs // one header cell names one column
				}
			}
		}
	}
	for i, c := range cols {
		if c.Required && !found[i].Present {
			missing = append(missing, c.Name)
		}
	}
	return found, missing
}

// Next advances to the next row that is not fully empty.
func (t *Table) Next() bool {
	if t.err != nil {
		return false
	}
	t.n++
	if t.n%ctxCheckEvery == 0 {
		if err := t.ctx.Err(); err != nil {
			t.err = err
			return false
		}
	}
	num, cells, ok := t.src.next()
	if !ok {
		t.err = t.src.err()
		return false
	}
	clear(t.row.Cells)
	t.row.Num, t.row.Err = num, nil
	for _, c := range cells {
		if i, ok := t.byIndex[c.col]; ok {
			t.row.Cells[i] = c.Cell
		}
	}
	if t.fieldCheck {
		if n := lastNonBlank(cells) + 1; n > t.width {
			t.row.Err = &FieldCountError{Fields: n, HeaderFields: t.width, Comma: t.comma}
		}
	}
	return true
}

// lastNonBlank returns the column of the last non-blank cell, or -1.
func lastNonBlank(cells []rawCell) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if !cells[i].Blank() {
			return cells[i].col
		}
	}
	return -1
}

// Row returns the current row. Its Cells are reused by the next call to Next.
func (t *Table) Row() Row { return t.row }

// Err returns the error that stopped Next, if any.
func (t *Table) Err() error { return t.err }

// Close releases the table's reader.
func (t *Table) Close() error { return t.src.close() }

// ColumnLetter returns the Excel letter of a 0-based column index.
func ColumnLetter(i int) string {
	var b [4]byte
	p := len(b)
	for i++; i > 0; i = (i - 1) / 26 {
		p--
		b[p] = byte('A' + (i-1)%26)
	}
	return string(b[p:])
}
