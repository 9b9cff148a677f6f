package sheet_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/sheet"
)

// FuzzReadXLSX feeds damaged workbooks to the reader: every input must end in
// rows or an error, never a panic or a hang. The seed corpus in
// testdata/fuzz/FuzzReadXLSX holds a tiny valid workbook and truncated and
// bit-flipped copies of it.
func FuzzReadXLSX(f *testing.F) {
	valid := tinyWorkbook(f)
	f.Add(valid)
	for _, n := range []int{0, 4, 30, len(valid) / 3, len(valid) / 2, len(valid) - 22, len(valid) - 1} {
		f.Add(valid[:n])
	}
	f.Add(rawWorkbook(f, `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Hetu</t></is></c></row><row r="2"><c r="A2" s="9"><v>1</v></c></row></sheetData></worksheet>`, `<sst/>`, `<styleSheet/>`, ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := sheet.OpenXLSX(bytes.NewReader(data), int64(len(data)), "fuzz.xlsx")
		if err != nil {
			return
		}
		defer b.Close()
		tab, err := b.Table(context.Background(), "", []sheet.Column{{Name: "Hetu", Required: true}, {Name: "Kuukausi"}})
		if err != nil {
			return
		}
		defer tab.Close()
		for tab.Next() {
			for _, c := range tab.Row().Cells {
				_, _ = c.Number()
				_, _ = c.Date(tab.Date1904)
				_, _ = c.Month(tab.Date1904)
			}
		}
	})
}

func tinyWorkbook(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]any{"A1": "Hetu", "B1": "Kuukausi", "A2": "050190-990X", "B2": 46023} {
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			tb.Fatal(err)
		}
	}
	st, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.SetCellStyle("Sheet1", "B2", "B2", st); err != nil {
		tb.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var update = flag.Bool("update", false, "rewrite the files under testdata/")

// TestFuzzCorpus keeps the committed seed corpus of FuzzReadXLSX: a tiny
// valid workbook and truncated copies (refresh with -update).
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadXLSX")
	valid := tinyWorkbook(t)
	seeds := map[string][]byte{"valid": valid}
	for _, n := range []int{10, len(valid) / 2, len(valid) - 100} {
		seeds[fmt.Sprintf("truncated-%d", n)] = valid[:n]
	}
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range seeds {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) < len(seeds) {
		t.Fatalf("seed corpus in %s: %d files, %v; run go test -run TestFuzzCorpus -update", dir, len(entries), err)
	}
}
