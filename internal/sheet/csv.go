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
	var best *MissingColumnsError
	for _, comma := range csvDelimiters {
		src, err := newCSVRows(f, enc, comma, name)
		if err != nil {
			f.Close()
			return nil, err
		}
		t, err := newTable(ctx, src, name, "", false, cols)
		if err == nil {
			return t, nil
		}
		var mc *MissingColumnsError
		if !errors.As(err, &mc) {
			f.Close()
			return nil, err
		}
		if best == nil || len(mc.Columns) < len(best.Columns) {
			best = mc
		}
	}
	f.Close()
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
	r.LazyQuotes = true
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
			c.e, c.done = fmt.Errorf("read %s: %w; save the file again as CSV and run again", c.name, err), true
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
