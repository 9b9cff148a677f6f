package sheet_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"tyomatka/internal/sheet"
)

// stored rewrites an .xlsx package with every part stored uncompressed, so
// that a part's bytes can be changed in place.
func stored(tb testing.TB, data []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		fw, err := w.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(fw, rc); err != nil {
			tb.Fatal(err)
		}
		rc.Close()
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// corrupt changes the one occurrence of old in data to new, of the same
// length, leaving the part's checksum as it was.
func corrupt(tb testing.TB, data []byte, old, new string) []byte {
	tb.Helper()
	if len(old) != len(new) || bytes.Count(data, []byte(old)) != 1 {
		tb.Fatalf("%q is not a unique same-length replacement", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// TestDamagedPart: a part whose bytes fail their checksum makes the workbook
// a damaged-file error naming the file, never a hand-over to the encoding/xml
// reader that then reads the changed values, and never values read from a
// part that was not read to its end.
func TestDamagedPart(t *testing.T) {
	const sst = `<sst><si><t>Hetu</t></si><si><t>Osuus</t></si><si><t>1.50</t></si></sst>`
	rows := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><v>223.26</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>b</t></is></c><c r="B3" t="s"><v>2</v></c></row>`
	plain := `<worksheet><sheetData>` + rows + `</sheetData></worksheet>`
	// Past the fast reader's look-ahead: it stops at </sheetData> without
	// reading the part to its end.
	longTail := `<worksheet><sheetData>` + rows + `</sheetData><headerFooter><oddHeader>` +
		strings.Repeat("Kelmu ", 100) + `</oddHeader></headerFooter></worksheet>`
	// An attribute value with an entity: the fast reader hands over at once.
	handedOver := `<worksheet><sheetData x="&amp;">` + rows + `</sheetData></worksheet>`
	tests := []struct {
		name, sheetXML, old, new, part string
		handsOver                      bool // the fast reader hands the worksheet over
	}{
		{"digit of a worksheet value", plain, "223.26", "923.26", "xl/worksheets/sheet1.xml", false},
		{"digit of a worksheet value, long tail", longTail, "223.26", "923.26", "xl/worksheets/sheet1.xml", false},
		{"digit of a worksheet value, handed over", handedOver, "223.26", "923.26", "xl/worksheets/sheet1.xml", true},
		{"digit of a shared string", plain, "1.50", "7.50", "xl/sharedStrings.xml", false},
		// Read by excelize, from a copy: every date would become a number.
		{"a cell format", plain, `<xf numFmtId="164"`, `<xf numFmtId="104"`, "xl/styles.xml", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := stored(t, rawWorkbook(t, tt.sheetXML, sst, diffStyles, ""))
			if err := readErr(writeFile(t, t.TempDir(), "lista.xlsx", good)); err != nil {
				t.Fatalf("the undamaged workbook: %v", err)
			}
			if got := sheet.FellBack(good); got != tt.handsOver {
				t.Fatalf("FellBack = %v, want %v", got, tt.handsOver)
			}
			bad := corrupt(t, good, tt.old, tt.new)
			err := readErr(writeFile(t, t.TempDir(), "lista.xlsx", bad))
			if !errors.Is(err, sheet.ErrDamaged) {
				t.Fatalf("err = %v, want ErrDamaged", err)
			}
			where := "lista.xlsx, sheet Lista: the file is damaged"
			if tt.part == "xl/styles.xml" {
				where = "lista.xlsx: the file is damaged" // read when the workbook is opened
			}
			for _, want := range []string{where, tt.part, "checksum", "save or export it again"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			}
		})
	}
}
