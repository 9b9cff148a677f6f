package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/cellvalue"
)

// Limits of the workbook reader.
const (
	maxMetaBytes  = 256 << 20 // uncompressed bytes of the parts excelize reads (styles, workbook, theme…)
	maxSSTBytes   = 1 << 30   // uncompressed bytes of the shared-strings part
	maxStyles     = 65430     // Excel's limit of cell formats (excelize.MaxCellStyles)
	maxRow        = 1048576   // Excel's last row
	maxColumn     = 16384     // Excel's last column (XFD)
	xmlBufferSize = 64 << 10
)

// Book is an opened input file: a workbook or a CSV file.
type Book struct {
	File     string // name as the user knows it
	Date1904 bool   // the workbook uses the 1904 date system

	csvPath string // set for a CSV file

	zr        *zip.Reader
	closer    io.Closer
	sheets    []sheetRef
	dateStyle []bool // cell format index → displays a date
	sstPath   string
	sst       []string
	sstLoaded bool
	slowOnly  bool // read worksheets with the encoding/xml reader only
}

type sheetRef struct{ name, path string }

// Open opens an input file: a .csv file as CSV, anything else as an .xlsx
// workbook. name is the file name as the user knows it; errors use it.
func Open(filePath, name string) (*Book, error) {
	if strings.EqualFold(path.Ext(strings.ReplaceAll(filePath, "\\", "/")), ".csv") {
		if _, err := os.Stat(filePath); err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return &Book{File: name, csvPath: filePath}, nil
	}
	f, err := os.Open(filePath)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	b, err := OpenXLSX(f, st.Size(), name)
	if err != nil {
		f.Close()
		return nil, err
	}
	b.closer = f
	return b, nil
}

// OpenXLSX opens an .xlsx workbook from r. The caller keeps r open until the
// Book is closed.
func OpenXLSX(r io.ReaderAt, size int64, name string) (b *Book, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, unreadable(name, "", err)
	}
	// klauspost/compress inflates a fifth faster than compress/flate, and
	// inflating is a fifth of reading a list.
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	b = &Book{File: name, zr: zr}
	if err := b.readPackage(); err != nil {
		return nil, unreadable(name, "", err)
	}
	if err := b.readMeta(); err != nil {
		return nil, unreadable(name, "", err)
	}
	return b, nil
}

// unreadable is the error of a workbook that cannot be read: ErrDamaged when
// the bytes of a part could not be read back as they were written (a
// checksum mismatch, corrupt compressed data), else ErrUnreadable.
func unreadable(file, sheet string, err error) error {
	if isPartError(err) || errors.Is(err, zip.ErrChecksum) {
		return fmt.Errorf("%s: %w (%v); save or export it again from the original and run again",
			where(file, sheet), ErrDamaged, err)
	}
	return fmt.Errorf("%s: %w (%v); open it in Excel, save it as an Excel workbook (.xlsx) and run again",
		where(file, sheet), ErrUnreadable, err)
}

// partError is an error of reading the bytes of a package part, as opposed
// to an error in what they say. The readers never hand such a part over to
// another reader: it would get the same damaged bytes, and a checksum error
// comes only at the part's end, after its values have been read.
type partError struct {
	part string
	err  error
}

func (e *partError) Error() string { return e.part + ": " + e.err.Error() }
func (e *partError) Unwrap() error { return e.err }

// isPartError reports whether err is a *partError. Its own function so that
// the target errors.As needs escapes only when there is an error: the row
// loop calls it for every row.
func isPartError(err error) bool {
	var pe *partError
	return errors.As(err, &pe)
}

// partReader marks the read errors of a part as *partError.
type partReader struct {
	rc   io.ReadCloser
	part string
}

func (r *partReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	if err != nil && err != io.EOF {
		err = &partError{part: r.part, err: err}
	}
	return n, err
}

func (r *partReader) Close() error { return r.rc.Close() }

// openPart opens a package part for reading.
func openPart(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &partReader{rc: rc, part: f.Name}, nil
}

// drain reads a part to its end, where the zip reader checks its checksum:
// the row readers stop at the end of the sheet data, and a part that is not
// read to its end is never checked.
func drain(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// Sheets returns the sheet names in workbook order (nil for CSV).
func (b *Book) Sheets() []string {
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = s.name
	}
	return names
}

// Close closes the file.
func (b *Book) Close() error {
	if b.closer != nil {
		c := b.closer
		b.closer = nil
		return c.Close()
	}
	return nil
}

// Table opens a sheet and finds its header row. sheetName is matched without
// regard to case; "" means the first sheet. For a CSV file sheetName is ignored.
func (b *Book) Table(ctx context.Context, sheetName string, cols []Column) (*Table, error) {
	if b.csvPath != "" {
		return openCSV(ctx, b.csvPath, b.File, cols)
	}
	if len(b.sheets) == 0 {
		return nil, fmt.Errorf("%s: %w: the workbook has no sheets", b.File, ErrNoSheet)
	}
	ref := b.sheets[0]
	if sheetName != "" {
		found := false
		for _, s := range b.sheets {
			if strings.EqualFold(s.name, sheetName) {
				ref, found = s, true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: %w: %q; add a sheet named %s (it has: %s)",
				b.File, ErrNoSheet, sheetName, sheetName, strings.Join(b.Sheets(), ", "))
		}
	}
	var want []bool
	src, err := b.rows(ref, &want, logger(ctx))
	if err != nil {
		return nil, err
	}
	t, err := newTable(ctx, src, b.File, ref.name, b.Date1904, cols)
	if err != nil {
		src.close()
		return nil, err
	}
	want = make([]bool, 0)
	for _, f := range t.Columns {
		if f.Present {
			for len(want) <= f.Index {
				want = append(want, false)
			}
			want[f.Index] = true
		}
	}
	return t, nil
}

// rows opens the row reader of a worksheet. *want, set once the header is
// found, limits the cells returned to the columns the table uses. log gets
// the notes of the readers handing over to encoding/xml.
func (b *Book) rows(ref sheetRef, want *[]bool, log *slog.Logger) (rowSource, error) {
	if err := b.loadSST(log); err != nil {
		return nil, unreadable(b.File, ref.name, err)
	}
	zf := b.find(ref.path)
	if zf == nil {
		return nil, unreadable(b.File, ref.name, fmt.Errorf("part %s is missing", ref.path))
	}
	rc, err := openPart(zf)
	if err != nil {
		return nil, unreadable(b.File, ref.name, err)
	}
	if b.slowOnly {
		return &xlsxRows{
			dec: newXMLDecoder(rc), rc: rc, wantp: want,
			sst: b.sst, dateStyle: b.dateStyle, file: b.File, sheet: ref.name,
		}, nil
	}
	return &fastRows{
		rd: rc, rc: rc, reopen: func() (io.ReadCloser, error) { return openPart(zf) }, buf: make([]byte, fastBufSize),
		sst: b.sst, dateStyle: b.dateStyle, want: want, file: b.File, sheet: ref.name, log: log,
	}, nil
}

func newXMLDecoder(r io.Reader) *xml.Decoder {
	return xml.NewDecoder(bufio.NewReaderSize(r, xmlBufferSize))
}

// find returns the zip entry of a package part, tolerating case and
// backslashes as some writers produce them.
func (b *Book) find(name string) *zip.File {
	name = strings.TrimPrefix(name, "/")
	for _, f := range b.zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			return f
		}
	}
	return nil
}

func (b *Book) readPart(name string, limit int64) ([]byte, error) {
	f := b.find(name)
	if f == nil {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("part %s is too large", name)
	}
	rc, err := openPart(f)
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err // a *partError, which names the part
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("part %s is too large", name)
	}
	return data, nil
}

type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xWorkbook struct {
	Sheets []struct {
		Name  string     `xml:"name,attr"`
		Attrs []xml.Attr `xml:",any,attr"`
	} `xml:"sheets>sheet"`
}

// readPackage finds the workbook part, its sheets and their worksheet parts.
func (b *Book) readPackage() error {
	wbPath := "xl/workbook.xml"
	if data, err := b.readPart("_rels/.rels", maxMetaBytes); err == nil {
		var rels xRels
		if err := xml.Unmarshal(data, &rels); err != nil {
			return fmt.Errorf("package relationships: %w", err)
		}
		for _, r := range rels.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = resolve("", r.Target)
			}
		}
	}
	data, err := b.readPart(wbPath, maxMetaBytes)
	if err != nil {
		return err
	}
	var wb xWorkbook
	if err := xml.Unmarshal(data, &wb); err != nil {
		return fmt.Errorf("workbook part: %w", err)
	}
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	data, err = b.readPart(relsPath, maxMetaBytes)
	if err != nil {
		return err
	}
	var rels xRels
	if err := xml.Unmarshal(data, &rels); err != nil {
		return fmt.Errorf("workbook relationships: %w", err)
	}
	targets := make(map[string]string, len(rels.Rels))
	for _, r := range rels.Rels {
		targets[r.ID] = resolve(path.Dir(wbPath), r.Target)
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			b.sstPath = targets[r.ID]
		}
	}
	for _, s := range wb.Sheets {
		var id string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && strings.Contains(a.Name.Space, "relationships") {
				id = a.Value
			}
		}
		// Chart sheets and dialog sheets have no cells; only worksheets are tables.
		if t, ok := targets[id]; ok && strings.Contains(strings.ToLower(t), "worksheets/") {
			b.sheets = append(b.sheets, sheetRef{name: s.Name, path: t})
		}
	}
	return nil
}

// resolve returns the package path of a relationship target.
func resolve(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return path.Clean(target)[1:]
	}
	return strings.TrimPrefix(path.Clean(path.Join(dir, target)), "/")
}

// copyChecked copies part f into w, stored, reading it to its end so that
// its checksum is checked; a read error is a *partError.
func copyChecked(w *zip.Writer, f *zip.File) error {
	rc, err := openPart(f)
	if err != nil {
		return fmt.Errorf("part %s: %w", f.Name, err)
	}
	defer rc.Close()
	dst, err := w.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, rc)
	return err
}

// readMeta lets excelize read the date system and the cell formats from a
// copy of the package without the worksheets and the shared strings, which
// this package streams itself.
func (b *Book) readMeta() (err error) {
	skip := map[string]bool{strings.ToLower(b.sstPath): true}
	for _, s := range b.sheets {
		skip[strings.ToLower(s.path)] = true
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	var total uint64
	for _, f := range b.zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))
		if skip[name] || strings.Contains(name, "/media/") || strings.Contains(name, "/embeddings/") ||
			strings.Contains(name, "/worksheets/") {
			continue
		}
		if total += f.UncompressedSize64; total > maxMetaBytes {
			return errors.New("workbook metadata is too large")
		}
		// Read through, not copied raw: reading checks the part's checksum
		// (a damaged styles part would make every date a plain number),
		// and the copy is stored, as excelize inflates it again anyway.
		if err := copyChecked(w, f); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	// excelize has panicked on damaged packages before; a damaged input must
	// be an error that names the file, never a crash of the run.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("workbook metadata: %v", r)
		}
	}()
	x, err := excelize.OpenReader(&buf, excelize.Options{RawCellValue: true, UnzipSizeLimit: maxMetaBytes})
	if err != nil {
		return err
	}
	defer x.Close()
	props, err := x.GetWorkbookProps()
	if err != nil {
		return fmt.Errorf("workbook properties: %w", err)
	}
	b.Date1904 = props.Date1904 != nil && *props.Date1904
	for i := 0; i < maxStyles; i++ {
		st, err := x.GetStyle(i)
		if err != nil {
			break // past the last cell format
		}
		isDate := false
		if st.CustomNumFmt != nil {
			isDate = cellvalue.IsDateFormat(164, *st.CustomNumFmt)
		} else {
			isDate = cellvalue.IsDateFormat(st.NumFmt, "")
		}
		b.dateStyle = append(b.dateStyle, isDate)
	}
	return nil
}

// loadSST reads the shared-strings table once; it grows with the distinct
// strings (about the number of persons), not with rows.
func (b *Book) loadSST(log *slog.Logger) error {
	if b.sstLoaded {
		return nil
	}
	b.sstLoaded = true
	if b.sstPath == "" {
		return nil
	}
	f := b.find(b.sstPath)
	if f == nil {
		return nil // Excel omits the part when the workbook has no text
	}
	if f.UncompressedSize64 > maxSSTBytes {
		return errors.New("shared strings are too large")
	}
	if !b.slowOnly {
		rc, err := openPart(f)
		if err != nil {
			return fmt.Errorf("shared strings: %w", err)
		}
		sst, err := fastSST(io.LimitReader(rc, maxSSTBytes))
		rc.Close()
		if err == nil {
			b.sst = sst
			return nil
		}
		if !errors.Is(err, errFallback) {
			return fmt.Errorf("shared strings: %w", err) // damaged: not for another reader
		}
		log.Info("shared strings read with the encoding/xml reader", "file", b.File)
	}
	rc, err := openPart(f)
	if err != nil {
		return fmt.Errorf("shared strings: %w", err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(bufio.NewReaderSize(io.LimitReader(rc, maxSSTBytes), xmlBufferSize))
	var (
		text       []byte
		inT, inRPh bool
		inSI       bool
	)
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("shared strings: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "si":
				inSI, text = true, text[:0]
			case "t":
				inT = true
			case "rPh": // phonetic guide of East Asian text, not part of the value
				inRPh = true
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "si":
				inSI = false
				b.sst = append(b.sst, unescapeOOXML(string(text)))
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case xml.CharData:
			if inSI && inT && !inRPh {
				text = append(text, tok...)
			}
		}
	}
	return nil
}

// unescapeOOXML decodes the _xHHHH_ escapes that OOXML uses for characters XML
// cannot carry (ECMA-376 ST_Xstring), e.g. _x000D_ for a carriage return.
func unescapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// xlsxRows streams the rows of one worksheet part.
type xlsxRows struct {
	dec         *xml.Decoder
	rc          io.ReadCloser
	sst         []string
	dateStyle   []bool
	want        []bool  // columns the table uses; nil while the header is sought
	wantp       *[]bool // where want comes from when the table sets it later
	file, sheet string

	cells   []rawCell
	lastRow int
	started bool // inside sheetData
	done    bool
	e       error
	val     []byte
}

func (x *xlsxRows) err() error   { return x.e }
func (x *xlsxRows) close() error { return x.rc.Close() }

func (x *xlsxRows) fail(err error) bool {
	x.e, x.done = unreadable(x.file, x.sheet, err), true
	return false
}

// next returns the next row with a non-blank cell.
func (x *xlsxRows) next() (int, []rawCell, bool) {
	if x.wantp != nil {
		x.want = *x.wantp
	}
	for !x.done {
		num, nonBlank, ok := x.readRow()
		if !ok {
			return 0, nil, false
		}
		if nonBlank {
			return num, x.cells, true
		}
	}
	return 0, nil, false
}

// readRow reads up to the end of the next row element.
func (x *xlsxRows) readRow() (num int, nonBlank, ok bool) {
	for {
		tok, err := x.dec.RawToken()
		if err == io.EOF {
			if x.started {
				return 0, false, x.fail(errors.New("worksheet ends inside its data"))
			}
			x.done = true
			return 0, false, false
		}
		if err != nil {
			return 0, false, x.fail(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "sheetData":
				x.started = true
			case "row":
				if !x.started {
					continue
				}
				num = x.lastRow + 1
				for _, a := range tok.Attr {
					if a.Name.Local == "r" {
						n, err := strconv.Atoi(a.Value)
						if err != nil || n < 1 || n > maxRow {
							return 0, false, x.fail(fmt.Errorf("bad row number %q", a.Value))
						}
						num = n
					}
				}
				if num > maxRow {
					return 0, false, x.fail(errors.New("too many rows"))
				}
				x.lastRow = num
				nonBlank, ok = x.readCells()
				return num, nonBlank, ok
			}
		case xml.EndElement:
			if tok.Name.Local == "sheetData" {
				x.done = true
				if err := drain(x.rc); err != nil {
					return 0, false, x.fail(err)
				}
				return 0, false, false
			}
		}
	}
}

// readCells reads the cells of a row up to its end element.
func (x *xlsxRows) readCells() (nonBlank, ok bool) {
	x.cells = x.cells[:0]
	col := -1
	for {
		tok, err := x.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = errors.New("worksheet ends inside a row")
			}
			return false, x.fail(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local != "c" {
				continue
			}
			col++
			var typ string
			style := 0
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "r":
					c, ok := columnOf(a.Value)
					if !ok {
						return false, x.fail(fmt.Errorf("bad cell reference %q", a.Value))
					}
					col = c
				case "s":
					s, err := strconv.Atoi(a.Value)
					if err != nil || s < 0 {
						return false, x.fail(fmt.Errorf("bad style index %q", a.Value))
					}
					style = s
				case "t":
					typ = a.Value
				}
			}
			if col >= maxColumn {
				return false, x.fail(errors.New("too many columns"))
			}
			cell, err := x.readCell(typ, style)
			if err != nil {
				return false, x.fail(err)
			}
			if cell.Kind == Empty {
				continue
			}
			if !cell.Blank() {
				nonBlank = true
			}
			if x.want != nil && (col >= len(x.want) || !x.want[col]) {
				continue
			}
			x.cells = append(x.cells, rawCell{col: col, Cell: cell})
		case xml.EndElement:
			if tok.Name.Local == "row" {
				return nonBlank, true
			}
		}
	}
}

// readCell reads one cell's content up to its end element.
func (x *xlsxRows) readCell(typ string, style int) (Cell, error) {
	x.val = x.val[:0]
	var inV, inIS, inT, inRPh, hasV bool
	for {
		tok, err := x.dec.RawToken()
		if err != nil {
			if err == io.EOF {
				err = errors.New("worksheet ends inside a cell")
			}
			return Cell{}, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "v":
				inV, hasV = true, true
			case "is":
				inIS = true
			case "t":
				inT = true
			case "rPh":
				inRPh = true
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			case "c":
				return x.makeCell(typ, style, hasV)
			}
		case xml.CharData:
			if inV || (inIS && inT && !inRPh) {
				x.val = append(x.val, tok...)
			}
		}
	}
}

func (x *xlsxRows) makeCell(typ string, style int, hasV bool) (Cell, error) {
	dateFmt := style < len(x.dateStyle) && x.dateStyle[style]
	switch typ {
	case "s":
		if !hasV {
			return Cell{}, nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(x.val)))
		if err != nil || i < 0 || i >= len(x.sst) {
			return Cell{}, fmt.Errorf("shared string index %q out of range", x.val)
		}
		if x.sst[i] == "" {
			return Cell{}, nil
		}
		return Cell{Value: x.sst[i], Kind: Text, DateFmt: dateFmt}, nil
	case "inlineStr", "str", "d":
		if len(x.val) == 0 {
			return Cell{}, nil
		}
		return Cell{Value: unescapeOOXML(string(x.val)), Kind: Text, DateFmt: dateFmt}, nil
	case "b", "e":
		if len(x.val) == 0 {
			return Cell{}, nil
		}
		k := Bool
		if typ == "e" {
			k = Error
		}
		return Cell{Value: string(x.val), Kind: k}, nil
	case "", "n":
		if len(x.val) == 0 {
			return Cell{}, nil
		}
		return Cell{Value: string(x.val), Kind: Number, DateFmt: dateFmt}, nil
	}
	return Cell{}, fmt.Errorf("unknown cell type %q", typ)
}

// columnOf returns the 0-based column of a cell reference such as "AB12";
// the fast path calls it on the bytes of the sheet XML.
func columnOf[T string | []byte](ref T) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
		if col > maxColumn {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	return col - 1, true
}
