package sheet

import (
	"bytes"
	"io"
	"log/slog"
)

// RawCell is a cell with its 0-based column, for the differential tests.
type RawCell struct {
	Col int
	Cell
}

// RawRow is a row as a row reader returns it.
type RawRow struct {
	Num   int
	Cells []RawCell
}

// ReadRaw reads every row of the first sheet of an .xlsx package with the
// fast reader, or with slow the encoding/xml reader alone.
func ReadRaw(data []byte, slow bool) ([]RawRow, error) {
	b, err := OpenXLSX(bytes.NewReader(data), int64(len(data)), "raw.xlsx")
	if err != nil {
		return nil, err
	}
	b.slowOnly = slow
	if len(b.sheets) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	src, err := b.rows(b.sheets[0], new([]bool), slog.Default())
	if err != nil {
		return nil, err
	}
	defer src.close()
	var rows []RawRow
	for {
		num, cells, ok := src.next()
		if !ok {
			break
		}
		r := RawRow{Num: num}
		for _, c := range cells {
			r.Cells = append(r.Cells, RawCell{Col: c.col, Cell: c.Cell})
		}
		rows = append(rows, r)
	}
	return rows, src.err()
}

// FellBack reports whether reading data with the fast reader handed over to
// the encoding/xml reader.
func FellBack(data []byte) bool {
	b, err := OpenXLSX(bytes.NewReader(data), int64(len(data)), "raw.xlsx")
	if err != nil || len(b.sheets) == 0 {
		return false
	}
	src, err := b.rows(b.sheets[0], new([]bool), slog.Default())
	if err != nil {
		return false
	}
	defer src.close()
	for {
		if _, _, ok := src.next(); !ok {
			break
		}
	}
	return src.(*fastRows).slow != nil
}

// LoadSST returns the shared strings of an .xlsx package as the fast reader
// (or, with slow, the encoding/xml reader) loads them.
func LoadSST(data []byte, slow bool) ([]string, error) {
	b, err := OpenXLSX(bytes.NewReader(data), int64(len(data)), "raw.xlsx")
	if err != nil {
		return nil, err
	}
	b.slowOnly = slow
	err = b.loadSST(slog.Default())
	return b.sst, err
}
