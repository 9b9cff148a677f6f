// Package report writes a run's outputs (SPEC §4): the invoice basis for
// finance, the reconciliation report for unit heads, the anonymised report for
// the provider, and run-summary.json.
//
// Every writer is a pure function of its Input: the same input gives
// byte-identical files, so a rerun can be recognised by its sha256 and the
// audit record stays meaningful.
package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/civil"
	"github.com/klauspost/compress/flate"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/period"
)

// Column-width limits, in Excel character units. The minimum leaves room for
// the autofilter drop-down button beside a short header.
const (
	minColWidth  = 8
	maxColWidth  = 60
	wrapColWidth = 80 // descriptions wrap instead of growing further
	filterButton = 3  // extra width the filter arrow takes from a header
)

// Number formats shown to Finnish users.
const (
	fmtDate = `d.m.yyyy`
	fmtEuro = `#,##0.00 "€"`
)

// Input is everything the outputs of one run are made from.
type Input struct {
	Config *config.Config
	Period period.Month
	AsOf   civil.Date
	RunID  string
	DryRun bool
	// Lines are the lines of this invoice (due in this run), in the order the
	// billing engine sorted them. They must not change once a workbook or the
	// summary has been built from this Input: their sums are made once.
	Lines []billing.Line
	// Result supplies findings, clients and accruals; nil means none.
	Result *billing.Result
	Inputs []InputFile
	// Notes are Finnish remarks shown in the summaries (e.g. that the run was a
	// dry run).
	Notes []string

	// The sums of Lines, made once for the three workbooks and the summary,
	// which are built concurrently: 200,000 lines of a national year take
	// 1.8 million decimal additions to sum.
	sumsOnce sync.Once
	sums     lineSums
}

// lineSums are the sums of an invoice's lines; see totals.
type lineSums struct {
	byType map[billing.LineType]*sum
	munis  []string
	byMuni map[string]*sum
	all    sum
}

// totals returns the sums of in.Lines per type, per municipality (names
// sorted) and overall; safe for concurrent use.
func (in *Input) totals() (byType map[billing.LineType]*sum, munis []string, byMuni map[string]*sum, all sum) {
	in.sumsOnce.Do(func() {
		s := &in.sums
		s.byType, s.munis, s.byMuni, s.all = totals(in.Lines)
	})
	s := &in.sums
	return s.byType, s.munis, s.byMuni, s.all
}

// InputFile describes one input file for run-summary.json.
type InputFile struct {
	Name   string
	SHA256 string
	Rows   int
}

// OutputFile describes one written output for run-summary.json.
type OutputFile struct {
	Name   string
	SHA256 string
}

// FileNames returns the names of the three workbooks of area and month p.
func FileNames(area string, p period.Month) (invoice, reconciliation, provider string) {
	return "Laskutusperuste_" + area + "_" + p.String() + ".xlsx",
		"Tasmaytys_" + area + "_" + p.String() + ".xlsx",
		"Palveluntuottaja_" + area + "_" + p.String() + ".xlsx"
}

func (in *Input) check() error {
	if in == nil || in.Config == nil {
		return fmt.Errorf("report: input without configuration")
	}
	if in.Period.IsZero() {
		return fmt.Errorf("report: input without period")
	}
	for i := range in.Lines {
		// Whether a correction may be shown per client to the provider,
		// and what finance is told it corrects, depend on the corrected
		// type; without it no workbook is written rather than a guess.
		if l := &in.Lines[i]; l.Type == billing.Correction && !correctable(l.CorrectsType) {
			return fmt.Errorf("report: OIKAISU %s of client %s corrects line %s of unknown type %q: the ledger does not say what it corrects",
				l.ID, l.ClientCode, l.Corrects, l.CorrectsType)
		}
	}
	return nil
}

// correctable reports whether t is a type an OIKAISU can correct: any but
// OIKAISU itself (a correction names the original line).
func correctable(t billing.LineType) bool {
	return slices.Contains(billing.LineTypes, t)
}

func (in *Input) result() *billing.Result {
	if in.Result == nil {
		return &billing.Result{}
	}
	return in.Result
}

// styles are the cell styles every workbook shares.
type styles struct {
	header, title, bold  int
	date, euro, euroBold int
	wrap, input, inDt    int // inDt: a date input cell
}

// book is a workbook under construction.
type book struct {
	f        *excelize.File
	s        styles
	streamed map[string]bool // sheets written with a StreamWriter
}

// newBook creates a workbook whose sheets are named sheets, in that order,
// with document properties fixed by the input instead of the clock.
func newBook(in *Input, title string, sheets ...string) (*book, error) {
	f := excelize.NewFile()
	// Fastest deflate: the national reconciliation workbook has over a
	// million rows, and default compression took a quarter of a national
	// run's CPU for files about a fifth smaller. klauspost/compress's level 1
	// is half again as fast as the standard library's, and a little smaller.
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	b := &book{f: f, streamed: map[string]bool{}}
	if err := f.SetSheetName("Sheet1", sheets[0]); err != nil {
		return nil, b.fail(err)
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s); err != nil {
			return nil, b.fail(err)
		}
	}
	stamp := time.Date(in.AsOf.Year, in.AsOf.Month, in.AsOf.Day, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          title,
		Subject:        in.Config.Area + " " + in.Period.String(),
		Creator:        "tyomatka",
		LastModifiedBy: "tyomatka",
		Identifier:     in.RunID,
		Language:       "fi-FI",
		Created:        stamp,
		Modified:       stamp,
	}); err != nil {
		return nil, b.fail(err)
	}
	var err error
	if b.s, err = newStyles(f); err != nil {
		return nil, b.fail(err)
	}
	return b, nil
}

func newStyles(f *excelize.File) (styles, error) {
	date, euro := fmtDate, fmtEuro
	inputFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}
	border := []excelize.Border{
		{Type: "left", Color: "999999", Style: 1}, {Type: "right", Color: "999999", Style: 1},
		{Type: "top", Color: "999999", Style: 1}, {Type: "bottom", Color: "999999", Style: 1},
	}
	var s styles
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}}},
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.bold, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&s.date, &excelize.Style{CustomNumFmt: &date, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&s.euro, &excelize.Style{CustomNumFmt: &euro}},
		{&s.euroBold, &excelize.Style{CustomNumFmt: &euro, Font: &excelize.Font{Bold: true}}},
		{&s.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.input, &excelize.Style{Fill: inputFill, Border: border, NumFmt: 49}},
		{&s.inDt, &excelize.Style{Fill: inputFill, Border: border, CustomNumFmt: &date, Alignment: &excelize.Alignment{Horizontal: "left"}}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.st)
		if err != nil {
			return s, fmt.Errorf("style: %w", err)
		}
		*d.dst = id
	}
	return s, nil
}

// fail closes the workbook after an error, keeping the first error.
func (b *book) fail(err error) error {
	_ = b.f.Close()
	return err
}

// bytes serialises the workbook and closes it.
func (b *book) bytes() ([]byte, error) {
	if err := b.setDimensions(); err != nil {
		return nil, b.fail(err)
	}
	// WriteToBuffer, not Write: Write copies the same buffer once more, and
	// a national reconciliation workbook is 30 MB.
	buf, err := b.f.WriteToBuffer()
	if err != nil {
		return nil, b.fail(fmt.Errorf("write workbook: %w", err))
	}
	if err := b.f.Close(); err != nil {
		return nil, fmt.Errorf("close workbook: %w", err)
	}
	return canonicalZip(buf.Bytes())
}

// setDimensions records the used range of every sheet written with the
// normal API: excelize leaves it at "A1", and readers that trust it (openpyxl
// in read-only mode) would see one cell. streamTable sets its own.
func (b *book) setDimensions() error {
	for _, sheet := range b.f.GetSheetList() {
		if b.streamed[sheet] {
			continue
		}
		rows, err := b.f.GetRows(sheet)
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sheet, err)
		}
		cols := 1
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		last, err := excelize.CoordinatesToCellName(cols, max(len(rows), 1))
		if err != nil {
			return fmt.Errorf("sheet %s: %w", sheet, err)
		}
		if err := b.f.SetSheetDimension(sheet, "A1:"+last); err != nil {
			return fmt.Errorf("sheet %s: dimension: %w", sheet, err)
		}
	}
	return nil
}

// canonicalZip rewrites an xlsx package with its parts in a fixed order.
// excelize writes the parts of StreamWriter sheets in map iteration order, so
// a workbook with two streamed sheets would otherwise differ from run to run.
// The parts are copied raw: the compressed bytes are already deterministic.
func canonicalZip(b []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("reorder workbook parts: %w", err)
	}
	files := append([]*zip.File(nil), zr.File...)
	// [Content_Types].xml first, as Office writes it; the rest by name.
	sort.SliceStable(files, func(i, j int) bool {
		ci, cj := files[i].Name == "[Content_Types].xml", files[j].Name == "[Content_Types].xml"
		if ci != cj {
			return ci
		}
		return files[i].Name < files[j].Name
	})
	var out bytes.Buffer
	out.Grow(len(b))
	zw := zip.NewWriter(&out)
	for _, zf := range files {
		if zf.Name == "[Content_Types].xml" {
			if err := copySortedContentTypes(zw, zf); err != nil {
				return nil, err
			}
			continue
		}
		fh := zf.FileHeader
		fh.Modified = time.Time{}
		// The raw MS-DOS time fields are what CreateRaw writes; zero them too,
		// or the part carries the time excelize wrote it.
		//lint:ignore SA1019 the deprecated fields are exactly what must be cleared
		fh.ModifiedDate, fh.ModifiedTime = 0, 0
		fh.Extra = nil
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return nil, fmt.Errorf("reorder workbook part %s: %w", zf.Name, err)
		}
		r, err := zf.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("reorder workbook part %s: %w", zf.Name, err)
		}
		if _, err := io.Copy(w, r); err != nil {
			return nil, fmt.Errorf("reorder workbook part %s: %w", zf.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("reorder workbook parts: %w", err)
	}
	return out.Bytes(), nil
}

// defaultType matches one <Default> element of [Content_Types].xml.
var defaultType = regexp.MustCompile(`<Default [^>]*?(?:/>|></Default>)`)

// copySortedContentTypes copies [Content_Types].xml with its <Default>
// elements sorted: excelize adds the image extensions of a drawing in map
// iteration order.
func copySortedContentTypes(zw *zip.Writer, zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("read %s: %w", zf.Name, err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return fmt.Errorf("read %s: %w", zf.Name, err)
	}
	found := defaultType.FindAll(data, -1)
	sorted := append([][]byte(nil), found...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	i := 0
	data = defaultType.ReplaceAllFunc(data, func([]byte) []byte { i++; return sorted[i-1] })
	w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate})
	if err != nil {
		return fmt.Errorf("write %s: %w", zf.Name, err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", zf.Name, err)
	}
	return nil
}

// column is one column of a streamed table.
type column struct {
	header string
	style  int  // style of the data cells; 0 for General
	wrap   bool // long text wraps at wrapColWidth instead of widening the column
}

// maxTableRows is the most data rows one sheet takes: Excel's last row less
// the header. A variable so that the tests can lower it.
var maxTableRows = excelize.TotalRows - 1

// streamTable writes a table of n data rows below a bold header row on sheet
// with the StreamWriter: frozen header, autofilter, a correct dimension and
// column widths measured from the content. fill sets row i's cells; it is
// called twice per row (once to measure, once to write), so it must be pure.
//
// A table longer than a sheet can hold continues on sheets named
// "sheet (2)", "sheet (3)", …, placed right after it, each with the header:
// the monthly accruals of a national year can pass Excel's 1,048,576 rows,
// and a workbook cut short, or none at all, would serve no one.
func (b *book) streamTable(sheet string, cols []column, n int, fill func(i int, row []excelize.Cell)) error {
	if n <= maxTableRows {
		return b.streamSheet(sheet, cols, 0, n, fill)
	}
	name := sheet
	for part, lo := 1, 0; lo < n; part, lo = part+1, lo+maxTableRows {
		if part > 1 {
			prev := name
			name = fmt.Sprintf("%s (%d)", sheet, part)
			if _, err := b.f.NewSheet(name); err != nil {
				return fmt.Errorf("sheet %s: %w", name, err)
			}
			if err := b.placeAfter(name, prev); err != nil {
				return err
			}
		}
		if err := b.streamSheet(name, cols, lo, min(lo+maxTableRows, n), fill); err != nil {
			return err
		}
	}
	return nil
}

// placeAfter moves sheet (the last one) to just after prev.
func (b *book) placeAfter(sheet, prev string) error {
	list := b.f.GetSheetList()
	for i, s := range list {
		if s == prev && i+1 < len(list) && list[i+1] != sheet {
			if err := b.f.MoveSheet(sheet, list[i+1]); err != nil {
				return fmt.Errorf("sheet %s: move: %w", sheet, err)
			}
			return nil
		}
	}
	return nil
}

// streamSheet writes rows lo to hi-1 of a table on sheet, as streamTable
// describes.
func (b *book) streamSheet(sheet string, cols []column, lo, hi int, fill func(i int, row []excelize.Cell)) error {
	n := hi - lo
	last, err := excelize.CoordinatesToCellName(len(cols), n+1)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", sheet, err)
	}
	ref := "A1:" + last
	// Both are worksheet properties the StreamWriter copies when it starts;
	// set through the normal API first so the streamed part carries them.
	// Without the dimension, excelize writes ref="A1" and readers that trust
	// it (openpyxl read-only mode) see an empty sheet.
	if err := b.f.SetSheetDimension(sheet, ref); err != nil {
		return fmt.Errorf("sheet %s: dimension: %w", sheet, err)
	}
	if err := b.f.AutoFilter(sheet, ref, nil); err != nil {
		return fmt.Errorf("sheet %s: autofilter: %w", sheet, err)
	}

	cells := make([]excelize.Cell, len(cols))
	widths := make([]int, len(cols))
	for c, col := range cols {
		widths[c] = utf8.RuneCountInString(col.header) + filterButton
	}
	for i := 0; i < n; i++ {
		clear(cells)
		fill(lo+i, cells)
		for c := range cells {
			w := displayWidth(cells[c].Value, cols[c].style == b.s.euro)
			if cols[c].style == b.s.date && cells[c].Value != nil {
				w = len("30.12.2026")
			}
			if w > widths[c] {
				widths[c] = w
			}
		}
	}

	b.streamed[sheet] = true
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", sheet, err)
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return fmt.Errorf("sheet %s: panes: %w", sheet, err)
	}
	for c, col := range cols {
		limit := maxColWidth
		if col.wrap {
			limit = wrapColWidth
		}
		w := min(max(widths[c]+1, minColWidth), limit)
		if err := sw.SetColWidth(c+1, c+1, float64(w)); err != nil {
			return fmt.Errorf("sheet %s: width: %w", sheet, err)
		}
	}
	row := make([]any, len(cols))
	for c, col := range cols {
		cells[c] = excelize.Cell{StyleID: b.s.header, Value: col.header}
		row[c] = &cells[c]
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("sheet %s: header: %w", sheet, err)
	}
	for i := 0; i < n; i++ {
		clear(cells)
		fill(lo+i, cells)
		for c, col := range cols {
			if cells[c].StyleID == 0 {
				cells[c].StyleID = col.style
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+2), row); err != nil {
			return fmt.Errorf("sheet %s: row %d: %w", sheet, i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("sheet %s: %w", sheet, err)
	}
	return nil
}

// displayWidth estimates how many characters a value takes when shown.
func displayWidth(v any, euro bool) int {
	switch v := v.(type) {
	case nil:
		return 0
	case string:
		return utf8.RuneCountInString(v)
	case float64:
		s := strconv.FormatFloat(v, 'f', 2, 64)
		n := len(s)
		if euro {
			digits := len(s) - 3
			if v < 0 {
				digits--
			}
			n += (digits-1)/3 + 2 // thousands separators and " €"
		}
		return n
	case int:
		return len(strconv.Itoa(v))
	}
	return len(fmt.Sprint(v))
}

// serial is the Excel serial number of a date in the 1900 date system, which
// every workbook this package writes uses. Writing the number ourselves keeps
// the date free of any time zone.
func serial(d civil.Date) float64 {
	return float64(d.DaysSince(civil.Date{Year: 1899, Month: time.December, Day: 30}))
}

// money converts an exact amount to the float Excel stores. Amounts are whole
// cents, which float64 represents to well within Excel's 15 digits.
func money(d decimal.Decimal) float64 { return d.InexactFloat64() }

// boxedWhole holds the small whole numbers already boxed as float64 cell
// values: day counts fill columns of a million rows, and boxing each float
// allocated.
var boxedWhole = func() (b [1024]any) {
	for i := range b {
		b[i] = float64(i)
	}
	return b
}()

// number returns f as a cell value, shared for small whole numbers.
func number(f float64) any {
	if f >= 0 && f < float64(len(boxedWhole)) && f == math.Trunc(f) && !math.Signbit(f) {
		return boxedWhole[int(f)]
	}
	return f
}

// monthTexts caches the yyyy-mm text of months for one table, whose rows
// repeat a few months.
type monthTexts map[period.Month]string

func (t monthTexts) of(m period.Month) string {
	s, ok := t[m]
	if !ok {
		s = m.String()
		t[m] = s
	}
	return s
}

// finnishDate formats a date as d.m.yyyy.
func finnishDate(d civil.Date) string {
	return fmt.Sprintf("%d.%d.%04d", d.Day, int(d.Month), d.Year)
}

// set writes one cell with the normal API, with a style when style is not 0.
func (b *book) set(sheet, cell string, v any, style int) error {
	if err := b.f.SetCellValue(sheet, cell, v); err != nil {
		return fmt.Errorf("sheet %s cell %s: %w", sheet, cell, err)
	}
	if style != 0 {
		if err := b.f.SetCellStyle(sheet, cell, cell, style); err != nil {
			return fmt.Errorf("sheet %s cell %s: %w", sheet, cell, err)
		}
	}
	return nil
}

// cell is a value to put at a position of a normal (non-streamed) sheet.
type cell struct {
	v     any
	style int
}

// setRow writes cells from column col of row r.
func (b *book) setRow(sheet string, col, r int, cells ...cell) error {
	for i, c := range cells {
		if c.v == nil {
			continue
		}
		name, err := excelize.CoordinatesToCellName(col+i, r)
		if err != nil {
			return err
		}
		if err := b.set(sheet, name, c.v, c.style); err != nil {
			return err
		}
	}
	return nil
}

// header writes a bold header row from column 1 of row r.
func (b *book) header(sheet string, r int, titles ...string) error {
	cells := make([]cell, len(titles))
	for i, t := range titles {
		cells[i] = cell{t, b.s.header}
	}
	return b.setRow(sheet, 1, r, cells...)
}

// fitColumns sets widths of a normal sheet's columns from the content of
// rows fromRow and below; text above (titles, run information, notes) may
// overflow into empty neighbours instead of widening a table's column.
// infoValueWidth fits the values of the run information block: a 16-character
// run id, a d.m.yyyy date, a contract's validity.
const infoValueWidth = 22

func (b *book) fitColumns(sheet string, fromRow int) error {
	rows, err := b.f.GetRows(sheet)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", sheet, err)
	}
	var widths []int
	for _, r := range rows[min(fromRow-1, len(rows)):] {
		for c, v := range r {
			for len(widths) <= c {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], utf8.RuneCountInString(v))
		}
	}
	for c, w := range widths {
		name, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		if c == 1 && fromRow > 3 {
			// Column B also holds the run information block above fromRow
			// (run id, a date cell): never narrower than that block needs,
			// or the date shows as ###.
			w = max(w, infoValueWidth)
		}
		if err := b.f.SetColWidth(sheet, name, name, float64(min(max(w+2, minColWidth), maxColWidth))); err != nil {
			return fmt.Errorf("sheet %s: width: %w", sheet, err)
		}
	}
	return nil
}

// freezeHeader freezes the rows above row r+1 of a normal sheet.
func (b *book) freezeHeader(sheet string, r int) error {
	top := "A" + strconv.Itoa(r+1)
	return b.f.SetPanes(sheet, &excelize.Panes{
		Freeze: true, YSplit: r, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	})
}

// typeOrder returns the line types to report for lines: the four standard
// types and OIKAISU always (SPEC §4: every line type, 0 where none, so finance
// sees the same rows every month), then any other type found, by name.
func typeOrder(lines []billing.Line) []billing.LineType {
	order := append(append([]billing.LineType(nil), billing.LineTypes...), billing.Correction)
	known := map[billing.LineType]bool{}
	for _, t := range order {
		known[t] = true
	}
	var extra []billing.LineType
	for _, l := range lines {
		if !known[l.Type] {
			known[l.Type] = true
			extra = append(extra, l.Type)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	return append(order, extra...)
}

// sum is a count and the rounded line values added up.
type sum struct {
	Count              int
	Amount, VAT, Gross decimal.Decimal
}

func (s *sum) add(l billing.Line) {
	s.Count++
	s.Amount = s.Amount.Add(l.Amount)
	s.VAT = s.VAT.Add(l.VAT)
	s.Gross = s.Gross.Add(l.Gross)
}

// totals sums lines per type, per municipality and overall; municipalities
// are returned sorted by name.
func totals(lines []billing.Line) (byType map[billing.LineType]*sum, munis []string, byMuni map[string]*sum, all sum) {
	byType = map[billing.LineType]*sum{}
	byMuni = map[string]*sum{}
	for _, l := range lines {
		if byType[l.Type] == nil {
			byType[l.Type] = &sum{}
		}
		byType[l.Type].add(l)
		if byMuni[l.Municipality] == nil {
			byMuni[l.Municipality] = &sum{}
			munis = append(munis, l.Municipality)
		}
		byMuni[l.Municipality].add(l)
		all.add(l)
	}
	sort.Strings(munis)
	return byType, munis, byMuni, all
}

// typeSums returns the per-type sums of lines in typeOrder, zero sums
// included, with the type codes as labels.
func typeSums(lines []billing.Line, byType map[billing.LineType]*sum) ([]string, []*sum) {
	types := typeOrder(lines)
	keys := make([]string, len(types))
	sums := make([]*sum, len(types))
	for i, t := range types {
		keys[i], sums[i] = string(t), byType[t]
		if sums[i] == nil {
			sums[i] = &sum{}
		}
	}
	return keys, sums
}
