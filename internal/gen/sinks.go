package gen

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"tyomatka/internal/period"
)

// ListSheet is the sheet name of an xlsx accrual list.
const ListSheet = "Kertymät"

// ListHeader is the header of every accrual list, in column order.
var ListHeader = []string{"Henkilötunnus", "Kuukausi", "Etuus", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus", "Kunta"}

const (
	xlsxListHeaderRow = 3 // a title and a source line above the header, as Kelmu exports have
	csvBufferSize     = 64 << 10
	nbsp              = "\u00a0"
	narrowNBSP        = "\u202f"
	minusSign         = "\u2212"
)

func newListSink(path string, f listFormat, m, last period.Month) (listSink, error) {
	if f == listXLSX {
		return newXLSXList(path, m, last)
	}
	return newCSVList(path, f == listCSVSemicolon)
}

func sinkSheet(s listSink) string {
	if _, ok := s.(*xlsxList); ok {
		return ListSheet
	}
	return ""
}

func sinkHeaderRows(s listSink) int {
	if _, ok := s.(*xlsxList); ok {
		return xlsxListHeaderRow
	}
	return 1
}

// excelSerial returns the 1900-system serial of d (day 0 is 30.12.1899, which
// absorbs Excel's fictitious 29.2.1900 for every date after it).
func excelSerial(d civil.Date) int {
	return d.DaysSince(civil.Date{Year: 1899, Month: 12, Day: 30})
}

// workbook is an excelize file being written sheet by sheet with streams.
type workbook struct {
	f         *excelize.File
	dateStyle int // d.m.yyyy
	euroStyle int
	boldStyle int
}

func newWorkbook(first string) (*workbook, error) {
	f := excelize.NewFile()
	w := &workbook{f: f}
	if err := f.SetSheetName("Sheet1", first); err != nil {
		return nil, w.fail(err)
	}
	dateFmt, euroFmt := "d.m.yyyy", `#,##0.00\ "€"`
	var err error
	if w.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, w.fail(err)
	}
	if w.euroStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &euroFmt}); err != nil {
		return nil, w.fail(err)
	}
	if w.boldStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, w.fail(err)
	}
	return w, nil
}

func (w *workbook) fail(err error) error {
	_ = w.f.Close()
	return err
}

// save writes the workbook to path deterministically and with correct
// worksheet dimensions (see finalizeXLSX), through a temporary file beside it.
func (w *workbook) save(path string, props time0) error {
	if err := w.f.SetDocProps(&excelize.DocProperties{
		Creator: "tyomatka generate", LastModifiedBy: "tyomatka generate",
		Created: string(props), Modified: string(props),
		Title: "Synteettinen testiaineisto",
	}); err != nil {
		return w.fail(err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := w.writeTo(tmp); err != nil {
		_ = os.Remove(tmp)
		return w.fail(err)
	}
	if err := w.f.Close(); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	defer os.Remove(tmp)
	return finalizeXLSX(tmp, path)
}

// writeTo writes the package to path; unlike SaveAs it accepts any name, so
// the temporary file never has an extension a run would pick up.
func (w *workbook) writeTo(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := w.f.Write(bw); err != nil {
		_ = f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// time0 is a fixed W3CDTF timestamp for document properties.
type time0 string

func propsTime(last period.Month) time0 {
	return time0(last.Last().AddDays(20).String() + "T00:00:00Z")
}

type xlsxList struct {
	p     string
	w     *workbook
	sw    *excelize.StreamWriter
	row   int
	last  period.Month
	cells []any
	done  bool
}

func newXLSXList(path string, m, last period.Month) (*xlsxList, error) {
	w, err := newWorkbook(ListSheet)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	l := &xlsxList{p: path, w: w, last: last, cells: make([]any, len(ListHeader))}
	if l.sw, err = w.f.NewStreamWriter(ListSheet); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, w.fail(err))
	}
	if err := setWidths(l.sw, 16, 12, 8, 14, 15, 14, 14); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, w.fail(err))
	}
	title := fmt.Sprintf("Kunnan rahoitusosuus työttömyysetuuksista, kertymäluettelo %d/%d", int(m.Month), m.Year)
	header := make([]any, len(ListHeader))
	for i, h := range ListHeader {
		header[i] = excelize.Cell{StyleID: w.boldStyle, Value: h}
	}
	for r, vals := range [][]any{{title}, {"Lähde: Kelmu (synteettinen testiaineisto)"}, header} {
		if err := l.sw.SetRow(cell(1, r+1), vals); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, w.fail(err))
		}
	}
	l.row = xlsxListHeaderRow
	return l, nil
}

func (l *xlsxList) path() string { return l.p }

func (l *xlsxList) write(r *accrualRow) error {
	l.row++
	c := l.cells
	c[0] = string(r.hetu[:])
	if r.badMonth {
		c[1] = fmt.Sprintf("%d-13", r.month.Year)
	} else {
		c[1] = excelize.Cell{StyleID: l.w.dateStyle, Value: excelSerial(r.month.First())}
	}
	c[2], c[3], c[4] = r.benefit, r.days, r.accrued
	c[5] = excelize.Cell{StyleID: l.w.euroStyle, Value: float64(r.shareCents) / 100}
	c[6] = r.kunta
	return l.sw.SetRow(cell(1, l.row), c)
}

func (l *xlsxList) close() error {
	if l.done {
		return nil
	}
	l.done = true
	if err := l.sw.Flush(); err != nil {
		return l.w.fail(err)
	}
	return l.w.save(l.p, propsTime(l.last))
}

// setWidths sets the widths of the first columns. excelize puts each new
// <col> before the earlier ones, and Excel wants them in ascending order, so
// they are set from the last column to the first.
func setWidths(sw *excelize.StreamWriter, widths ...float64) error {
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
	}
	return nil
}

func (l *xlsxList) abort() {
	if !l.done {
		l.done = true
		_ = l.w.f.Close()
	}
	_ = os.Remove(l.p)
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// csvList writes one of the two CSV flavours Kelmu exports are saved in:
// ';' with Windows-1252, Finnish numbers ("1 234,56 €") and m/yyyy months and
// CRLF, or ',' with UTF-8 and a BOM, '.' decimals and yyyy-mm months.
type csvList struct {
	p         string
	file      *os.File
	enc       io.WriteCloser // Windows-1252 encoder; nil for UTF-8
	bw        *bufio.Writer
	semicolon bool
	line      int
	buf       []byte
	done      bool
}

func newCSVList(path string, semicolon bool) (*csvList, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create list: %w", err)
	}
	l := &csvList{p: path, file: f, semicolon: semicolon, line: 1}
	var w io.Writer = f
	if semicolon {
		l.enc = transform.NewWriter(f, charmap.Windows1252.NewEncoder())
		w = l.enc
	}
	l.bw = bufio.NewWriterSize(w, csvBufferSize)
	sep, eol := l.sepEOL()
	if !semicolon {
		_, _ = l.bw.WriteString("\ufeff")
	}
	for i, h := range ListHeader {
		if i > 0 {
			_, _ = l.bw.WriteString(sep)
		}
		_, _ = l.bw.WriteString(h)
	}
	_, _ = l.bw.WriteString(eol)
	return l, nil
}

func (l *csvList) sepEOL() (string, string) {
	if l.semicolon {
		return ";", "\r\n"
	}
	return ",", "\n"
}

func (l *csvList) path() string { return l.p }

// write formats a row by hand: no value can hold a separator or a quote, so
// no quoting is needed, and this avoids encoding/csv's per-field strings.
func (l *csvList) write(r *accrualRow) error {
	l.line++
	sep, eol := l.sepEOL()
	b := l.buf[:0]
	b = append(b, r.hetu[:]...)
	b = append(b, sep...)
	switch {
	case r.badMonth && l.semicolon:
		b = append(b, "13/"...)
		b = strconv.AppendInt(b, int64(r.month.Year), 10)
	case r.badMonth:
		b = strconv.AppendInt(b, int64(r.month.Year), 10)
		b = append(b, "-13"...)
	case l.semicolon:
		b = append(b, byte('0'+int(r.month.Month)/10), byte('0'+int(r.month.Month)%10), '/')
		b = strconv.AppendInt(b, int64(r.month.Year), 10)
	default:
		b = append(b, r.month.String()...)
	}
	b = append(b, sep...)
	b = append(b, r.benefit...)
	b = append(b, sep...)
	b = strconv.AppendInt(b, int64(r.days), 10)
	b = append(b, sep...)
	if l.semicolon {
		b = appendGrouped(b, int64(r.accrued), nbsp)
	} else if l.line%2 == 0 {
		b = appendGrouped(b, int64(r.accrued), narrowNBSP)
	} else {
		b = strconv.AppendInt(b, int64(r.accrued), 10)
	}
	b = append(b, sep...)
	b = l.appendAmount(b, r.shareCents)
	b = append(b, sep...)
	b = append(b, r.kunta...)
	b = append(b, eol...)
	l.buf = b
	_, err := l.bw.Write(b)
	return err
}

// appendAmount writes euros: "1 234,56 €" (no-break space groups) in the ';'
// flavour, "1234.56" in the ',' flavour, where a negative amount alternates
// between '-' and the minus sign U+2212.
func (l *csvList) appendAmount(b []byte, cents int64) []byte {
	neg := cents < 0
	if neg {
		cents = -cents
		if !l.semicolon && l.line%2 == 0 {
			b = append(b, minusSign...)
		} else {
			b = append(b, '-')
		}
	}
	if l.semicolon {
		b = appendGrouped(b, cents/100, nbsp)
		b = append(b, ',')
	} else {
		b = strconv.AppendInt(b, cents/100, 10)
		b = append(b, '.')
	}
	b = append(b, byte('0'+cents%100/10), byte('0'+cents%10))
	if l.semicolon {
		b = append(b, " €"...)
	}
	return b
}

// appendGrouped writes a non-negative n with sep between groups of three.
func appendGrouped(b []byte, n int64, sep string) []byte {
	if n < 1000 {
		return strconv.AppendInt(b, n, 10)
	}
	b = appendGrouped(b, n/1000, sep)
	b = append(b, sep...)
	return append(b, byte('0'+n%1000/100), byte('0'+n%100/10), byte('0'+n%10))
}

func (l *csvList) abort() {
	if !l.done {
		l.done = true
		_ = l.file.Close()
	}
	_ = os.Remove(l.p)
}

func (l *csvList) close() error {
	if l.done {
		return nil
	}
	l.done = true
	err := l.bw.Flush()
	if l.enc != nil {
		if cerr := l.enc.Close(); err == nil {
			err = cerr
		}
	}
	if cerr := l.file.Close(); err == nil {
		err = cerr
	}
	return err
}
