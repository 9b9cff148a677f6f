package sheet

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// csvDelimiters are tried in this order; the first that yields a header row
// with every required column wins.
var csvDelimiters = []rune{';', ','}

// Encoding is how a CSV file's bytes are decoded.
type Encoding int

// CSV encodings: Kelmu and Excel write UTF-8 (often with a byte-order mark);
// older Excel versions save "CSV" in Windows-1252.
const (
	UTF8 Encoding = iota
	Windows1252
)

func (e Encoding) String() string {
	if e == Windows1252 {
		return "windows-1252"
	}
	return "utf-8"
}

// DetectEncoding reads r to the end and reports UTF-8 when every byte
// sequence is valid UTF-8, else Windows-1252. The whole file decides, since a
// single ä far down a list is enough to tell them apart.
func DetectEncoding(r io.Reader) (Encoding, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		end := n
		// Keep an incomplete sequence at the end of the chunk for the next read.
		if err == nil {
			for k := 1; k <= utf8.UTFMax-1 && k <= end; k++ {
				if utf8.RuneStart(buf[end-k]) {
					if !utf8.FullRune(buf[end-k : end]) {
						end -= k
					}
					break
				}
			}
		}
		if !utf8.Valid(buf[:end]) {
			return Windows1252, nil
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			if carry > 0 {
				return Windows1252, nil
			}
			return UTF8, nil
		}
		if err != nil {
			return UTF8, err
		}
	}
}

// openCSV opens a CSV file as a table, detecting its encoding and delimiter.
func openCSV(ctx context.Context, path, name string, cols []Column) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	enc, err := DetectEncoding(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var (
		best     *MissingColumnsError
		badQuote error
	)
	for _, comma := range csvDelimiters {
		src, err := newCSVRows(f, enc, comma, name)
		if err != nil {
			f.Close()
			return nil, err
		}
		t, err := newTable(ctx, src, name, "", false, cols)
		if err == nil {
			t.fieldCheck, t.comma = true, comma
			return t, nil
		}
		var (
			mc *MissingColumnsError
			pe *csv.ParseError
		)
		switch {
		case errors.As(err, &mc):
			if best == nil || len(mc.Columns) < len(best.Columns) {
				best = mc
			}
		case errors.As(err, &pe):
			// Quotes are parsed strictly, so the wrong delimiter can fail
			// on a line it splits differently ("Lahti",… read with ';'):
			// that only rules the delimiter out. It is the file's error
			// when no delimiter gets past the title rows to the header.
			if badQuote == nil {
				badQuote = err
			}
		default:
			f.Close()
			return nil, err
		}
	}
	f.Close()
	if best == nil {
		return nil, badQuote
	}
	return nil, best
}

// csvRows streams the records of a CSV file.
type csvRows struct {
	f     *os.File
	r     *csv.Reader
	name  string
	cells []rawCell
	e     error
	done  bool
}

func newCSVRows(f *os.File, enc Encoding, comma rune, name string) (*csvRows, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	var in io.Reader = br
	if enc == Windows1252 {
		in = charmap.Windows1252.NewDecoder().Reader(br)
	} else if bom, _ := br.Peek(3); len(bom) == 3 && bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF {
		br.Discard(3)
	}
	r := csv.NewReader(in)
	r.Comma = comma
	r.FieldsPerRecord = -1
	// Quotes are parsed strictly (RFC 4180, as Excel, LibreOffice and Kelmu
	// write them). With LazyQuotes a stray quote opening a field made the
	// reader take every following line, to the end of the file, as that one
	// field: the list was billed from its first rows with no error. Bare
	// quotes inside unquoted fields are rejected too; they are no writer's
	// output, only hand edits, and the error says where they are.
	r.ReuseRecord = true
	return &csvRows{f: f, r: r, name: name}, nil
}

func (c *csvRows) err() error   { return c.e }
func (c *csvRows) close() error { return c.f.Close() }

// next returns the next record with a non-blank field.
func (c *csvRows) next() (int, []rawCell, bool) {
	for !c.done {
		rec, err := c.r.Read()
		if err == io.EOF {
			c.done = true
			break
		}
		if err != nil {
			c.e, c.done = csvReadError(c.name, err), true
			break
		}
		line, _ := c.r.FieldPos(0)
		c.cells = c.cells[:0]
		nonBlank := false
		for i, v := range rec {
			if v == "" {
				continue
			}
			cell := Cell{Value: v, Kind: Text}
			if !cell.Blank() {
				nonBlank = true
			}
			c.cells = append(c.cells, rawCell{col: i, Cell: cell})
		}
		if nonBlank {
			return line, c.cells, true
		}
	}
	return 0, nil, false
}

// csvReadError describes an error of reading a CSV file for the person who
// has to fix it: a quoting error names the line it is on and the quote to fix.
func csvReadError(name string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read %s: %w; save the file again as CSV and run again", name, err)
	}
	var msg string
	switch {
	case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
		// The quoted field swallowed line ends: the quote that opened it
		// is the likely stray one, on the record's first line.
		msg = fmt.Sprintf("line %d: a field starts with a quote (\") that is never closed properly (the search for its closing quote reached line %d); fix or remove the quote on line %d and run again",
			pe.StartLine, pe.Line, pe.StartLine)
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = fmt.Sprintf("line %d, position %d: a quoted field is not closed properly (its closing quote (\") is missing, or text follows it); fix or remove the quote and run again (a quote inside a field is written as two: \"\")",
			pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf("line %d, position %d: a quote (\") inside a field that does not start with one; remove it, or put the whole field in quotes and write the quote as two (\"\"), and run again",
			pe.Line, pe.Column)
	default:
		return fmt.Errorf("read %s: %w; save the file again as CSV and run again", name, err)
	}
	return &csvSyntaxError{msg: name + ": " + msg, err: pe}
}

// csvSyntaxError is a CSV file the reader cannot split into fields. It
// unwraps to the *csv.ParseError, whose own text is less helpful.
type csvSyntaxError struct {
	msg string
	err *csv.ParseError
}

func (e *csvSyntaxError) Error() string { return e.msg }
func (e *csvSyntaxError) Unwrap() error { return e.err }
