package sheet

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"unicode/utf8"
)

// The fast reader scans the worksheet XML as bytes. encoding/xml builds a
// token, its attributes and their strings for every element, and on a list of
// a hundred thousand rows that was most of the run's time and garbage. The
// fast reader understands exactly the XML that spreadsheet writers produce;
// at the first byte it is not sure about (a DOCTYPE, an unknown entity, a
// malformed tag, a bad cell) it hands over to the encoding/xml reader, which
// skips the rows already returned and goes on from there, so every unusual or
// malformed worksheet gets the behaviour and the error messages of the
// encoding/xml reader. TestFastMatchesXML and FuzzFastMatchesXML hold the two
// readers to the same cells. An error reading the part's bytes (a checksum
// mismatch, corrupt compressed data) is not handed over: the file is damaged.

const (
	fastBufSize = 64 << 10
	maxTagBytes = 1 << 20 // a start tag longer than this is left to encoding/xml
)

// errFallback means the fast reader met something it leaves to encoding/xml.
var errFallback = errors.New("not handled by the fast reader")

type tokKind int

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokText
	tokEOF
)

// fastRows streams the rows of one worksheet part with a byte scanner.
type fastRows struct {
	rd          io.Reader
	rc          io.Closer
	reopen      func() (io.ReadCloser, error)
	sst         []string
	dateStyle   []bool
	want        *[]bool
	file, sheet string

	buf      []byte
	pos, end int
	eof      bool

	// The current token; name and attrs point into buf until the next call.
	name, attrs []byte
	attrKV      [][]byte // local names and values of the start tag's attributes
	text        []byte
	pendingEnd  []byte // the end element that a self-closing tag implies

	cells    []rawCell
	lastRow  int
	rowsDone int // row elements read to their end, for handing over
	doneRow  int // number of the last of them
	started  bool
	done     bool
	val      []byte
	intern   []internTable

	slow *xlsxRows // the encoding/xml reader after a hand-over
	e    error     // a damaged part
	log  *slog.Logger
}

func (f *fastRows) err() error {
	if f.slow != nil {
		return f.slow.err()
	}
	return f.e
}

func (f *fastRows) close() error {
	if f.slow != nil {
		return f.slow.close()
	}
	return f.rc.Close()
}

func (f *fastRows) next() (int, []rawCell, bool) {
	if f.slow != nil {
		return f.slow.next()
	}
	for !f.done {
		num, nonBlank, err := f.readRow()
		if err == nil && f.done {
			err = drain(f.rd) // checks the part's checksum
		}
		if err != nil && isPartError(err) {
			// Damaged bytes, not XML this reader leaves to encoding/xml:
			// that reader would read them as they are and bill them.
			f.e, f.done = unreadable(f.file, f.sheet, err), true
			break
		}
		if err != nil {
			return f.handOver(err)
		}
		if f.done {
			break
		}
		f.rowsDone, f.doneRow = f.rowsDone+1, num
		if nonBlank {
			return num, f.cells, true
		}
	}
	return 0, nil, false
}

// handOver continues with the encoding/xml reader from the row after the
// last one this reader finished.
func (f *fastRows) handOver(reason error) (int, []rawCell, bool) {
	f.log.Info("worksheet read with the encoding/xml reader from here on",
		"file", f.file, "sheet", f.sheet, "after_row", f.doneRow, "reason", reason.Error())
	f.rc.Close()
	rc, err := f.reopen()
	x := &xlsxRows{rc: io.NopCloser(nil), wantp: f.want, sst: f.sst, dateStyle: f.dateStyle, file: f.file, sheet: f.sheet}
	f.slow = x
	if err != nil {
		x.fail(err)
		return 0, nil, false
	}
	x.rc = rc
	x.dec = newXMLDecoder(rc)
	for i := 0; i < f.rowsDone; i++ {
		if _, _, ok := x.readRow(); !ok {
			return 0, nil, false
		}
	}
	return x.next()
}

// readRow mirrors xlsxRows.readRow.
func (f *fastRows) readRow() (num int, nonBlank bool, err error) {
	for {
		k, err := f.token()
		if err != nil {
			return 0, false, err
		}
		switch k {
		case tokEOF:
			if f.started {
				return 0, false, errors.New("worksheet ends inside its data")
			}
			f.done = true
			return 0, false, nil
		case tokStart:
			switch string(f.name) {
			case "sheetData":
				f.started = true
			case "row":
				if !f.started {
					continue
				}
				num = f.lastRow + 1
				if v, ok, err := f.attr("r"); err != nil {
					return 0, false, err
				} else if ok {
					n, ok := smallInt(v)
					if !ok || n < 1 || n > maxRow {
						return 0, false, errors.New("bad row number")
					}
					num = n
				}
				f.lastRow = num
				nonBlank, err = f.readCells()
				return num, nonBlank, err
			}
		case tokEnd:
			if string(f.name) == "sheetData" {
				f.done = true
				return 0, false, nil
			}
		}
	}
}

// readCells mirrors xlsxRows.readCells.
func (f *fastRows) readCells() (nonBlank bool, err error) {
	f.cells = f.cells[:0]
	col := -1
	for {
		k, err := f.token()
		if err != nil {
			return false, err
		}
		switch k {
		case tokEOF:
			return false, errors.New("worksheet ends inside a row")
		case tokStart:
			if string(f.name) != "c" {
				continue
			}
			col++
			typ, style := "", 0
			var typBytes []byte
			for a := 0; a < len(f.attrKV); a += 2 {
				name, value := f.attrKV[a], f.attrKV[a+1]
				switch string(name) {
				case "r":
					c, ok := columnOf(value)
					if !ok {
						return false, errors.New("bad cell reference")
					}
					col = c
				case "s":
					s, ok := smallInt(value)
					if !ok || s < 0 {
						return false, errors.New("bad style index")
					}
					style = s
				case "t":
					typBytes = value
				}
			}
			switch string(typBytes) {
			case "":
			case "s":
				typ = "s"
			case "n":
				typ = "n"
			case "inlineStr":
				typ = "inlineStr"
			case "str":
				typ = "str"
			case "b":
				typ = "b"
			case "e":
				typ = "e"
			case "d":
				typ = "d"
			default:
				return false, errors.New("unknown cell type")
			}
			if col >= maxColumn {
				return false, errors.New("too many columns")
			}
			cell, err := f.readCell(typ, style, col)
			if err != nil {
				return false, err
			}
			if cell.Kind == Empty {
				continue
			}
			if !cell.Blank() {
				nonBlank = true
			}
			if w := *f.want; w != nil && (col >= len(w) || !w[col]) {
				continue
			}
			f.cells = append(f.cells, rawCell{col: col, Cell: cell})
		case tokEnd:
			if string(f.name) == "row" {
				return nonBlank, nil
			}
		}
	}
}

// readCell mirrors xlsxRows.readCell and makeCell.
func (f *fastRows) readCell(typ string, style, col int) (Cell, error) {
	if c, ok, err := f.quickCell(typ, style, col); ok || err != nil {
		return c, err
	}
	f.val = f.val[:0]
	var inV, inIS, inT, inRPh, hasV bool
	for {
		k, err := f.token()
		if err != nil {
			return Cell{}, err
		}
		switch k {
		case tokEOF:
			return Cell{}, errors.New("worksheet ends inside a cell")
		case tokStart:
			switch string(f.name) {
			case "v":
				inV, hasV = true, true
			case "is":
				inIS = true
			case "t":
				inT = true
			case "rPh":
				inRPh = true
			}
		case tokEnd:
			switch string(f.name) {
			case "v":
				inV = false
			case "is":
				inIS = false
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			case "c":
				return f.makeCell(typ, style, col, hasV)
			}
		case tokText:
			if inV || (inIS && inT && !inRPh) {
				f.val = append(f.val, f.text...)
			}
		}
	}
}

// quickCell reads a cell whose content is written exactly as
// <v>text</v></c> or <is><t>text</t></is></c> — nearly every cell of a
// generated or exported list — from the bytes, without a token per element;
// text is decoded as readText does. ok is false, and nothing read, for any
// other content: readCell then takes it token by token.
func (f *fastRows) quickCell(typ string, style, col int) (c Cell, ok bool, err error) {
	if f.pendingEnd != nil { // <c …/>: no content
		return Cell{}, false, nil
	}
	if _, err := f.fill(quickCellBytes); err != nil {
		return Cell{}, false, err // a damaged part, or a tag too long: as from token
	}
	w := f.buf[f.pos:f.end]
	var open, closing string
	switch {
	case bytes.HasPrefix(w, []byte("<v>")):
		open, closing = "<v>", "</v></c>"
	case bytes.HasPrefix(w, []byte("<is><t>")):
		open, closing = "<is><t>", "</t></is></c>"
	default:
		return Cell{}, false, nil
	}
	k := bytes.IndexByte(w[len(open):], '<')
	if k < 0 || !bytes.HasPrefix(w[len(open)+k:], []byte(closing)) {
		return Cell{}, false, nil
	}
	f.text = f.text[:0]
	if err := f.appendText(w[len(open):len(open)+k], true); err != nil {
		return Cell{}, false, err
	}
	f.val = append(f.val[:0], f.text...)
	f.pos += len(open) + k + len(closing)
	c, err = f.makeCell(typ, style, col, open == "<v>")
	return c, true, err
}

// quickCellBytes is the least quickCell makes sure is buffered before it
// looks for the end of a cell in whatever is buffered; a cell longer than
// that may go the token way.
const quickCellBytes = 256

func (f *fastRows) makeCell(typ string, style, col int, hasV bool) (Cell, error) {
	dateFmt := style < len(f.dateStyle) && f.dateStyle[style]
	switch typ {
	case "s":
		if !hasV {
			return Cell{}, nil
		}
		i, ok := smallInt(trimSpaceBytes(f.val))
		if !ok || i < 0 || i >= len(f.sst) {
			return Cell{}, errors.New("shared string index out of range")
		}
		if f.sst[i] == "" {
			return Cell{}, nil
		}
		return Cell{Value: f.sst[i], Kind: Text, DateFmt: dateFmt}, nil
	case "inlineStr", "str", "d":
		if len(f.val) == 0 {
			return Cell{}, nil
		}
		for _, c := range f.val {
			if c == '_' {
				return Cell{Value: unescapeOOXML(string(f.val)), Kind: Text, DateFmt: dateFmt}, nil
			}
		}
		return Cell{Value: f.str(col, f.val), Kind: Text, DateFmt: dateFmt}, nil
	case "b", "e":
		if len(f.val) == 0 {
			return Cell{}, nil
		}
		k := Bool
		if typ == "e" {
			k = Error
		}
		return Cell{Value: f.str(col, f.val), Kind: k}, nil
	default: // "" or "n"
		if len(f.val) == 0 {
			return Cell{}, nil
		}
		return Cell{Value: f.str(col, f.val), Kind: Number, DateFmt: dateFmt}, nil
	}
}

// Interning limits: a column keeps at most internPerColumn distinct values of
// at most internMaxLen bytes. Months, benefits, day counts and municipalities
// repeat row after row; identity codes fill their column's table once and
// are then allocated as usual.
const (
	internColumns   = 64
	internPerColumn = 2048
	internMaxLen    = 24
)

// str returns b as a string, sharing one copy of values that repeat in a
// column: most cells of a list hold one of a few values, and a string per
// cell was the largest share of the reader's garbage.
func (f *fastRows) str(col int, b []byte) string {
	if col >= internColumns || len(b) > internMaxLen {
		return string(b)
	}
	if f.intern == nil {
		f.intern = make([]internTable, internColumns)
	}
	t := &f.intern[col]
	if string(b) == t.last {
		return t.last // most often the value of the row above
	}
	if len(t.m) >= internPerColumn && t.misses > t.hits {
		return string(b) // a column of distinct values, such as identity codes
	}
	if s, ok := t.m[string(b)]; ok {
		t.hits++
		t.last = s
		return s
	}
	t.misses++
	s := string(b)
	t.last = s
	if t.m == nil {
		t.m = make(map[string]string)
	}
	if len(t.m) < internPerColumn {
		t.m[s] = s
	}
	return s
}

type internTable struct {
	m            map[string]string
	last         string
	hits, misses int
}

// attr returns the value of the current start tag's attribute with the given
// local name; like the encoding/xml reader, the last one wins.
func (f *fastRows) attr(local string) (value []byte, found bool, err error) {
	for i := 0; i < len(f.attrKV); i += 2 {
		if string(f.attrKV[i]) == local {
			value, found = f.attrKV[i+1], true
		}
	}
	return value, found, nil
}

// parseAttrs sets f.attrKV to the local names and values of the attributes
// in f.attrs. Values with entities or line breaks are left to encoding/xml,
// which normalises them.
func (f *fastRows) parseAttrs() error {
	a := f.attrs
	f.attrKV = f.attrKV[:0]
	i := 0
	for {
		for i < len(a) && isSpace(a[i]) {
			i++
		}
		if i == len(a) {
			return nil
		}
		start := i
		for i < len(a) && isNameByte(a[i]) {
			i++
		}
		if i == start {
			return errFallback
		}
		name, ok := localName(a[start:i])
		if !ok {
			return errFallback
		}
		for i < len(a) && isSpace(a[i]) {
			i++
		}
		if i == len(a) || a[i] != '=' {
			return errFallback
		}
		i++
		for i < len(a) && isSpace(a[i]) {
			i++
		}
		if i == len(a) || (a[i] != '"' && a[i] != '\'') {
			return errFallback
		}
		q := a[i]
		i++
		vs := i
		for i < len(a) && a[i] != q {
			c := a[i]
			if c == '&' || c == '<' || c == '\r' || (c < 0x20 && c != '\t' && c != '\n') {
				return errFallback
			}
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRune(a[i:])
				if !isXMLChar(r) || (r == utf8.RuneError && n == 1) {
					return errFallback
				}
				i += n
				continue
			}
			i++
		}
		if i == len(a) {
			return errFallback
		}
		f.attrKV = append(f.attrKV, name, a[vs:i])
		i++
	}
}

// fill makes at least n more bytes available from pos, unless the input
// ends first. It reports whether they are there.
func (f *fastRows) fill(n int) (bool, error) {
	for f.end-f.pos < n {
		if f.eof {
			return false, nil
		}
		if f.pos > 0 {
			f.end = copy(f.buf, f.buf[f.pos:f.end])
			f.pos = 0
		}
		if f.end == len(f.buf) {
			if len(f.buf) >= maxTagBytes {
				return false, errFallback
			}
			nb := make([]byte, 2*len(f.buf))
			copy(nb, f.buf[:f.end])
			f.buf = nb
		}
		m, err := f.rd.Read(f.buf[f.end:])
		f.end += m
		if err == io.EOF {
			f.eof = true
		} else if err != nil {
			return false, err
		}
	}
	return true, nil
}

// token reads the next token. Comments, processing instructions and CDATA
// sections are handled; anything else unusual is errFallback.
func (f *fastRows) token() (tokKind, error) {
	if f.pendingEnd != nil {
		f.name, f.pendingEnd = f.pendingEnd, nil
		return tokEnd, nil
	}
	for {
		if ok, err := f.fill(1); err != nil {
			return 0, err
		} else if !ok {
			return tokEOF, nil
		}
		if f.buf[f.pos] != '<' {
			return f.readText()
		}
		if ok, err := f.fill(2); err != nil || !ok {
			return 0, errFallback
		}
		switch f.buf[f.pos+1] {
		case '/':
			return f.readEnd()
		case '?':
			if err := f.skipPI(); err != nil {
				return 0, err
			}
			continue
		case '!':
			skipped, err := f.readBang()
			if err != nil {
				return 0, err
			}
			if skipped {
				continue
			}
			return tokText, nil
		}
		return f.readStart()
	}
}

// findByte returns the index (from pos) of c, filling the buffer as needed;
// from is where to start looking.
func (f *fastRows) findByte(c byte, from int) (int, error) {
	for {
		if i := bytes.IndexByte(f.buf[f.pos+from:f.end], c); i >= 0 {
			return from + i, nil
		}
		from = f.end - f.pos
		if ok, err := f.fill(from + 1); err != nil {
			return 0, err
		} else if !ok {
			return 0, errFallback
		}
	}
}

func (f *fastRows) readStart() (tokKind, error) {
	// Find the '>' that ends the tag, skipping quoted attribute values.
	i, q := 1, byte(0)
scan:
	for {
		if f.pos+i >= f.end {
			if ok, err := f.fill(i + 1); err != nil {
				return 0, err
			} else if !ok {
				return 0, errFallback
			}
		}
		for _, c := range f.buf[f.pos+i : f.end] {
			if q != 0 {
				if c == q {
					q = 0
				}
			} else if c == '"' || c == '\'' {
				q = c
			} else if c == '>' {
				break scan
			}
			i++
		}
	}
	tag := f.buf[f.pos+1 : f.pos+i]
	f.pos += i + 1
	self := len(tag) > 0 && tag[len(tag)-1] == '/'
	if self {
		tag = tag[:len(tag)-1]
	}
	n := 0
	for n < len(tag) && isNameByte(tag[n]) {
		n++
	}
	if n == 0 || (n < len(tag) && !isSpace(tag[n])) {
		return 0, errFallback
	}
	name, ok := localName(tag[:n])
	if !ok {
		return 0, errFallback
	}
	f.name, f.attrs = name, tag[n:]
	// Check every attribute now, as encoding/xml does, even of elements
	// whose attributes are not used, and keep them for attr.
	if err := f.parseAttrs(); err != nil {
		return 0, err
	}
	if self {
		f.pendingEnd = name
	}
	return tokStart, nil
}

func (f *fastRows) readEnd() (tokKind, error) {
	j, err := f.findByte('>', 2)
	if err != nil {
		return 0, err
	}
	tag := f.buf[f.pos+2 : f.pos+j]
	f.pos += j + 1
	n := 0
	for n < len(tag) && isNameByte(tag[n]) {
		n++
	}
	if n == 0 {
		return 0, errFallback
	}
	for _, c := range tag[n:] {
		if !isSpace(c) {
			return 0, errFallback
		}
	}
	name, ok := localName(tag[:n])
	if !ok {
		return 0, errFallback
	}
	f.name = name
	return tokEnd, nil
}

// skipPI skips a processing instruction. An XML declaration that names a
// version or encoding other than 1.0 and UTF-8 is left to encoding/xml.
func (f *fastRows) skipPI() error {
	from := 2
	for {
		j, err := f.findByte('>', from)
		if err != nil {
			return err
		}
		if f.buf[f.pos+j-1] == '?' && j >= 3 {
			body := f.buf[f.pos+2 : f.pos+j-1]
			k := 0
			for k < len(body) && isNameByte(body[k]) {
				k++
			}
			if k == 0 || (k < len(body) && !isSpace(body[k])) {
				return errFallback // no target name
			}
			if _, ok := localName(body[:k]); !ok {
				return errFallback
			}
			if len(body) >= 3 && string(body[:3]) == "xml" && (len(body) == 3 || isSpace(body[3])) {
				if !plainXMLDecl(body[3:]) {
					return errFallback
				}
			} else if len(body) >= 3 && (body[0]|0x20) == 'x' && (body[1]|0x20) == 'm' && (body[2]|0x20) == 'l' {
				return errFallback
			}
			f.pos += j + 1
			return nil
		}
		from = j + 1
	}
}

// plainXMLDecl reports whether an XML declaration's pseudo-attributes are the
// common version="1.0", encoding="UTF-8" and standalone.
func plainXMLDecl(b []byte) bool {
	f := fastRows{attrs: b}
	if f.parseAttrs() != nil {
		return false
	}
	for i := 0; i < len(f.attrKV); i += 2 {
		name, value := f.attrKV[i], f.attrKV[i+1]
		switch string(name) {
		case "version":
			if string(value) != "1.0" {
				return false
			}
		case "encoding":
			if string(value) != "UTF-8" && string(value) != "utf-8" {
				return false
			}
		case "standalone":
		default:
			return false
		}
	}
	return true
}

// readBang skips a comment, or returns a CDATA section as text. Anything
// else (a DOCTYPE) is left to encoding/xml.
func (f *fastRows) readBang() (skipped bool, err error) {
	if ok, err := f.fill(4); err != nil || !ok {
		return false, errFallback
	}
	if string(f.buf[f.pos:f.pos+4]) == "<!--" {
		from := 4
		for {
			j, err := f.findByte('-', from)
			if err != nil {
				return false, err
			}
			if ok, err := f.fill(j + 3); err != nil || !ok {
				return false, errFallback
			}
			if f.buf[f.pos+j+1] == '-' {
				if f.buf[f.pos+j+2] != '>' {
					return false, errFallback // "--" inside a comment
				}
				f.pos += j + 3
				return true, nil
			}
			from = j + 1
		}
	}
	if ok, err := f.fill(9); err != nil || !ok {
		return false, errFallback
	}
	if string(f.buf[f.pos:f.pos+9]) != "<![CDATA[" {
		return false, errFallback
	}
	from := 9
	for {
		j, err := f.findByte('>', from)
		if err != nil {
			return false, err
		}
		if j >= 11 && f.buf[f.pos+j-1] == ']' && f.buf[f.pos+j-2] == ']' {
			raw := f.buf[f.pos+9 : f.pos+j-2]
			f.text = f.text[:0]
			if err := f.appendText(raw, false); err != nil {
				return false, err
			}
			f.pos += j + 1
			return false, nil
		}
		from = j + 1
	}
}

// readText reads character data up to the next '<' and decodes it.
func (f *fastRows) readText() (tokKind, error) {
	j, err := f.findByte('<', 0)
	if err == errFallback && f.eof {
		// Text at the very end of the part: give it back whole.
		j, err = f.end-f.pos, nil
	}
	if err != nil {
		return 0, err
	}
	raw := f.buf[f.pos : f.pos+j]
	f.text = f.text[:0]
	if err := f.appendText(raw, true); err != nil {
		return 0, err
	}
	f.pos += j
	return tokText, nil
}

// appendText appends raw character data to f.text the way encoding/xml
// decodes it: entities (when decode), line ends normalised to "\n", and
// characters XML forbids rejected.
func (f *fastRows) appendText(raw []byte, decode bool) error {
	plain := true
	for _, c := range raw {
		if c < 0x20 || c >= utf8.RuneSelf || c == '&' || c == ']' {
			plain = false
			break
		}
	}
	if plain {
		f.text = append(f.text, raw...)
		return nil
	}
	var prev byte
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '&' && decode:
			r, n, ok := entityAt(raw[i:])
			if !ok {
				return errFallback
			}
			f.text = utf8.AppendRune(f.text, r)
			i += n
			prev = 0
			continue
		case c == ']' && decode && i+2 < len(raw) && raw[i+1] == ']' && raw[i+2] == '>':
			return errFallback
		case c == '\r':
			f.text = append(f.text, '\n')
		case c == '\n' && prev == '\r':
		case c < 0x20 && c != '\t' && c != '\n':
			return errFallback
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(raw[i:])
			if (r == utf8.RuneError && n == 1) || !isXMLChar(r) {
				return errFallback
			}
			f.text = append(f.text, raw[i:i+n]...)
			i += n
			prev = 0
			continue
		default:
			f.text = append(f.text, c)
		}
		prev = c
		i++
	}
	return nil
}

// entityAt decodes the entity at the start of b: the five predefined ones
// and character references to characters XML allows.
func entityAt(b []byte) (r rune, n int, ok bool) {
	end := -1
	for i := 1; i < len(b) && i < 12; i++ {
		if b[i] == ';' {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, 0, false
	}
	body := b[1:end]
	switch string(body) {
	case "lt":
		return '<', end + 1, true
	case "gt":
		return '>', end + 1, true
	case "amp":
		return '&', end + 1, true
	case "apos":
		return '\'', end + 1, true
	case "quot":
		return '"', end + 1, true
	}
	if len(body) < 2 || body[0] != '#' {
		return 0, 0, false
	}
	digits, base := body[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, 0, false
	}
	var v uint64
	for _, c := range digits {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case base == 16 && c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0, false
		}
		v = v*uint64(base) + uint64(d)
	}
	if v > utf8.MaxRune || !isXMLChar(rune(v)) || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, 0, false
	}
	return rune(v), end + 1, true
}

// isXMLChar mirrors encoding/xml's isInCharacterRange.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isNameByte is encoding/xml's set of ASCII name bytes; a non-ASCII name is
// left to encoding/xml.
func isNameByte(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' ||
		'0' <= c && c <= '9' || c == '_' || c == ':' || c == '.' || c == '-'
}

// localName splits a name as encoding/xml does: "p:local" has the local
// part "local"; a name with two colons is invalid.
func localName(b []byte) ([]byte, bool) {
	if c := b[0]; '0' <= c && c <= '9' || c == '.' || c == '-' {
		return nil, false // not a name start
	}
	colon := -1
	for i, c := range b {
		if c == ':' {
			if colon >= 0 {
				return nil, false
			}
			colon = i
		}
	}
	if colon <= 0 || colon == len(b)-1 {
		return b, true
	}
	return b[colon+1:], true
}

// smallInt parses a decimal integer as strconv.Atoi does, without allocating
// for the common short form.
func smallInt(b []byte) (int, bool) {
	if len(b) > 0 && len(b) <= 9 {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				goto slow
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
slow:
	n, err := strconv.Atoi(string(b))
	return n, err == nil
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r' || b[0] == '\v' || b[0] == '\f') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == '\v' || b[len(b)-1] == '\f') {
		b = b[:len(b)-1]
	}
	return b
}

// fastSST reads a shared-strings part as loadSST does, with the byte
// scanner; err is errFallback when it met something it leaves to
// encoding/xml, and the read error when the part is damaged. Workbooks saved
// by Excel or LibreOffice keep every identity code there.
func fastSST(r io.Reader) (sst []string, err error) {
	f := &fastRows{rd: r, buf: make([]byte, fastBufSize)}
	var (
		text             []byte
		inSI, inT, inRPh bool
	)
	for {
		k, err := f.token()
		if err != nil {
			return nil, err
		}
		switch k {
		case tokEOF:
			return sst, nil
		case tokStart:
			switch string(f.name) {
			case "si":
				inSI, text = true, text[:0]
			case "t":
				inT = true
			case "rPh":
				inRPh = true
			}
		case tokEnd:
			switch string(f.name) {
			case "si":
				inSI = false
				sst = append(sst, unescapeOOXML(string(text)))
			case "t":
				inT = false
			case "rPh":
				inRPh = false
			}
		case tokText:
			if inSI && inT && !inRPh {
				text = append(text, f.text...)
			}
		}
	}
}
