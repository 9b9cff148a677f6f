package sheet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"tyomatka/internal/sheet"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Henkilötunnus ", "henkilotunnus"},
		{"PÄÄTTYMINEN", "paattyminen"},
		{"Paattyminen", "paattyminen"},
		{"Työsuhde", "tyosuhde"},
		{"Kertymäpäivät", "kertymapaivat"},
		{"Åland", "aland"},
		{"Pa\u0308a\u0308ttyminen", "paattyminen"}, // decomposed ä
		{"\u00a0Kunnan osuus\u202f", "kunnan osuus"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got, want := sheet.Fold(tt.in), tt.want; got != want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestColumnLetter(t *testing.T) {
	tests := []struct {
		in   int
		want string
	}{{0, "A"}, {25, "Z"}, {26, "AA"}, {51, "AZ"}, {52, "BA"}, {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}}
	for _, tt := range tests {
		if got := sheet.ColumnLetter(tt.in); got != tt.want {
			t.Errorf("ColumnLetter(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var testCols = []sheet.Column{
	{Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true},
	{Name: "Kuukausi", Required: true},
	{Name: "Kunnan osuus", Required: true},
	{Name: "Kunta"},
	{Name: "Etuus"},
}

// TestXLSXExcelize reads a workbook excelize wrote: title rows above the
// header, shuffled and aliased headers, a duplicate header, row gaps, and
// every stored cell type.
func TestXLSXExcelize(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	const s = "Sheet1"
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(s, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "Kertymälista")
	set("A2", "Tulostettu 1.6.2026")
	// Header in row 3: B Kunnan osuus, C hetu (alias, lower case), D unknown, E Kuukausi.
	set("B3", " KUNNAN OSUUS ")
	set("C3", "hetu")
	set("D3", "Huomautus")
	set("E3", "Kuukausi")
	set("B4", 160.1)
	set("C4", "050190-990X")
	set("D4", "x")
	set("E4", "2026-03")
	// A formula without a cached result (excelize does not calculate) has no value.
	if err := f.SetCellFormula(s, "E5", `="2026-"&"04"`); err != nil {
		t.Fatal(err)
	}
	set("D6", "only an unknown column") // not fully empty
	set("B9", true)
	set("E9", "   ") // white space only counts as blank
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	set("E10", 46023)
	if err := f.SetCellStyle(s, "E10", "E10", dateStyle); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellRichText(s, "C10", []excelize.RichTextRun{{Text: "Lah"}, {Text: "ti", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	p := saveExcelize(t, f, dir, "lista.xlsx")

	tab, rows := readAll(t, p, "lista.xlsx", "", testCols)
	if got, want := tab.HeaderRow, 3; got != want {
		t.Errorf("HeaderRow = %d, want %d", got, want)
	}
	if got, want := tab.Sheet, "Sheet1"; got != want {
		t.Errorf("Sheet = %q, want %q", got, want)
	}
	wantCols := []sheet.Found{
		{Present: true, Index: 2, Header: "hetu", Letter: "C"},
		{Present: true, Index: 4, Header: "Kuukausi", Letter: "E"},
		{Present: true, Index: 1, Header: "KUNNAN OSUUS", Letter: "B"},
		{}, {},
	}
	if !reflect.DeepEqual(tab.Columns, wantCols) {
		t.Errorf("Columns = %+v, want %+v", tab.Columns, wantCols)
	}
	var nums []int
	for _, r := range rows {
		nums = append(nums, r.Num)
	}
	if got, want := nums, []int{4, 6, 9, 10}; !reflect.DeepEqual(got, want) {
		t.Fatalf("row numbers = %v, want %v", got, want)
	}
	checks := []struct {
		row, col int
		want     sheet.Cell
	}{
		{0, 0, sheet.Cell{Value: "050190-990X", Kind: sheet.Text}},
		{0, 1, sheet.Cell{Value: "2026-03", Kind: sheet.Text}},
		{0, 2, sheet.Cell{Value: "160.1", Kind: sheet.Number}},
		{1, 0, sheet.Cell{}},
		{1, 1, sheet.Cell{}},
		{2, 2, sheet.Cell{Value: "1", Kind: sheet.Bool}},
		{2, 1, sheet.Cell{Value: "   ", Kind: sheet.Text}},
		{3, 0, sheet.Cell{Value: "Lahti", Kind: sheet.Text}},
	}
	for _, c := range checks {
		if got := rows[c.row].Cells[c.col]; got != c.want {
			t.Errorf("row %d col %d = %+v, want %+v", rows[c.row].Num, c.col, got, c.want)
		}
	}
	if got := rows[3].Cells[1]; got.Kind != sheet.Number || got.Value != "46023" || !got.DateFmt {
		t.Errorf("date cell = %+v, want number 46023 with a date format", got)
	}
	if !rows[2].Cells[1].Blank() {
		t.Errorf("white-space cell not Blank")
	}
}

func TestXLSXRaw(t *testing.T) {
	const styles = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="d\.m\.yyyy"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="4" applyNumberFormat="1"/></cellXfs></styleSheet>`
	const sst = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Hetu</t></si><si><t>Kuukausi</t></si><si><r><t>Kunnan </t></r><r><rPr><b/></rPr><t>osuus</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t xml:space="preserve"> Ä&amp;Ö_x000D_ </t></si></sst>`
	const ws = `<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>
<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:r><x:t>050190</x:t></x:r><x:r><x:t>-990X</x:t></x:r><x:rPh><x:t>no</x:t></x:rPh></x:is></x:c><x:c r="B4" s="1"><x:v>46023.5</x:v></x:c><x:c r="C4" s="2"><x:v>1.5E-2</x:v></x:c></x:row>
<x:row r="5"><x:c r="A5" s="1"/><x:c r="B5" t="s"><x:v>3</x:v></x:c></x:row>
<x:row r="6"><x:c r="C6" t="e"><x:v>#N/A</x:v></x:c><x:c r="B6" t="str"><x:f>A1</x:f><x:v>2026-05</x:v></x:c></x:row>
<x:row><x:c r="A7" t="inlineStr"><x:is><x:t>7 &lt; 8</x:t></x:is></x:c></x:row>
<x:row r="9"><x:c r="A9"><x:v></x:v></x:c><x:c r="B9" t="s"/></x:row>
</x:sheetData></x:worksheet>`
	data := rawWorkbook(t, ws, sst, styles, `<workbookPr date1904="1"/>`)
	p := writeFile(t, t.TempDir(), "raw.xlsx", data)
	cols := []sheet.Column{
		{Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true},
		{Name: "Kuukausi", Required: true},
		{Name: "Kunnan osuus", Required: true},
	}
	tab, rows := readAll(t, p, "raw.xlsx", "lista", cols)
	if !tab.Date1904 {
		t.Errorf("Date1904 = false, want true")
	}
	if got, want := tab.HeaderRow, 2; got != want {
		t.Errorf("HeaderRow = %d, want %d", got, want)
	}
	if got, want := tab.Columns[2].Header, "Kunnan osuus"; got != want {
		t.Errorf("rich-text header = %q, want %q", got, want)
	}
	want := []sheet.Row{
		{Num: 4, Cells: []sheet.Cell{{Value: "050190-990X", Kind: sheet.Text}, {Value: "46023.5", Kind: sheet.Number, DateFmt: true}, {Value: "1.5E-2", Kind: sheet.Number}}},
		{Num: 5, Cells: []sheet.Cell{{}, {Value: " Ä&Ö\r ", Kind: sheet.Text}, {}}},
		{Num: 6, Cells: []sheet.Cell{{}, {Value: "2026-05", Kind: sheet.Text}, {Value: "#N/A", Kind: sheet.Error}}},
		{Num: 7, Cells: []sheet.Cell{{Value: "7 < 8", Kind: sheet.Text}, {}, {}}},
	}
	// DateFmt depends on cellvalue.IsDateFormat; compare it separately.
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if got := rows[i]; !reflect.DeepEqual(got, want[i]) {
			t.Errorf("row %d = %+v, want %+v", want[i].Num, got, want[i])
		}
	}
	n, err := rows[0].Cells[2].Number()
	if err != nil || n.String() != "0.015" {
		t.Errorf("Number(1.5E-2) = %v, %v; want 0.015", n, err)
	}
}

func TestMissing(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Asiakkaat"); err != nil {
		t.Fatal(err)
	}
	for cell, v := range map[string]string{"A1": "Hetu", "B1": "Nimi", "C12": "Ohjattu"} {
		if err := f.SetCellValue("Asiakkaat", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	p := saveExcelize(t, f, dir, "seuranta.xlsx")
	b, err := sheet.Open(p, "seuranta.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cols := []sheet.Column{{Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true}, {Name: "Ohjattu", Required: true}}

	t.Run("column", func(t *testing.T) {
		_, err := b.Table(context.Background(), "asiakkaat", cols)
		if !errors.Is(err, sheet.ErrMissingColumns) {
			t.Fatalf("err = %v, want ErrMissingColumns", err)
		}
		got := err.Error()
		for _, want := range []string{"seuranta.xlsx", "Asiakkaat", `"Ohjattu"`, "first 10 rows", "add a header cell named Ohjattu"} {
			if !strings.Contains(got, want) {
				t.Errorf("error %q does not mention %q", got, want)
			}
		}
		if strings.Contains(got, `"Henkilötunnus"`) {
			t.Errorf("error %q names a column that is present", got)
		}
	})
	t.Run("sheet", func(t *testing.T) {
		_, err := b.Table(context.Background(), "Muunto", cols)
		if !errors.Is(err, sheet.ErrNoSheet) {
			t.Fatalf("err = %v, want ErrNoSheet", err)
		}
		if got := err.Error(); !strings.Contains(got, "Muunto") || !strings.Contains(got, "seuranta.xlsx") {
			t.Errorf("error %q does not name the file and the sheet", got)
		}
	})
}

func TestDamaged(t *testing.T) {
	dir := t.TempDir()
	f := excelize.NewFile()
	if err := f.SetCellValue("Sheet1", "A1", "Hetu"); err != nil {
		t.Fatal(err)
	}
	good := saveExcelize(t, f, dir, "good.xlsx")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"empty":         nil,
		"text":          []byte("Hetu;Kuukausi\n"),
		"truncated":     data[:len(data)/2],
		"no sheet xml":  rawWorkbook(t, "", "", "", "")[:0],
		"bad sheet xml": rawWorkbook(t, `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c`, `<sst><si><t>Hetu</t></si></sst>`, "<styleSheet/>", ""),
		"bad sst index": rawWorkbook(t, `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>`, `<sst><si><t>Hetu</t></si></sst>`, "<styleSheet/>", ""),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, dir, "lista.xlsx", data)
			err := readErr(p)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "lista.xlsx") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// readErr reads a whole file and returns the first error.
func readErr(p string) error {
	b, err := sheet.Open(p, filepath.Base(p))
	if err != nil {
		return err
	}
	defer b.Close()
	t, err := b.Table(context.Background(), "", []sheet.Column{{Name: "Hetu", Required: true}})
	if err != nil {
		return err
	}
	defer t.Close()
	for t.Next() {
		for _, c := range t.Row().Cells {
			_, _ = c.Number()
		}
	}
	return t.Err()
}

func TestCSV(t *testing.T) {
	cols := []sheet.Column{
		{Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true},
		{Name: "Kertymäpäivät", Required: true},
		{Name: "Kunta"},
	}
	cp1252, err := charmap.Windows1252.NewEncoder().String("Kelmu-raportti; 2026\nHenkilötunnus;Kertymäpäivät;Kunta\n050190-990X;1\u00a0073;Hämeenlinna\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   string
		header int
		want   []sheet.Row
	}{
		{
			name:   "semicolon windows-1252",
			data:   cp1252,
			header: 2,
			want:   []sheet.Row{{Num: 3, Cells: []sheet.Cell{{Value: "050190-990X", Kind: sheet.Text}, {Value: "1\u00a0073", Kind: sheet.Text}, {Value: "Hämeenlinna", Kind: sheet.Text}}}},
		},
		{
			name:   "comma utf-8 bom, title with commas, blank and quoted multi-line rows",
			data:   "\ufeffLista, kaikki kunnat, 2026\n\nKunta,HETU,Kertymäpäivät\n\"Lahti\",050190-990X,\"1,5\"\n,,\n\"Ori\nmattila\",x,2\n",
			header: 3,
			want: []sheet.Row{
				{Num: 4, Cells: []sheet.Cell{{Value: "050190-990X", Kind: sheet.Text}, {Value: "1,5", Kind: sheet.Text}, {Value: "Lahti", Kind: sheet.Text}}},
				{Num: 6, Cells: []sheet.Cell{{Value: "x", Kind: sheet.Text}, {Value: "2", Kind: sheet.Text}, {Value: "Ori\nmattila", Kind: sheet.Text}}},
			},
		},
		{
			name:   "short record",
			data:   "Hetu;Kertymäpäivät;Kunta\r\n050190-990X\r\n",
			header: 1,
			want:   []sheet.Row{{Num: 2, Cells: []sheet.Cell{{Value: "050190-990X", Kind: sheet.Text}, {}, {}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "lista.csv", []byte(tt.data))
			tab, rows := readAll(t, p, "lista.csv", "", cols)
			if got, want := tab.HeaderRow, tt.header; got != want {
				t.Errorf("HeaderRow = %d, want %d", got, want)
			}
			if tab.Sheet != "" {
				t.Errorf("Sheet = %q, want empty for CSV", tab.Sheet)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows = %+v, want %+v", rows, tt.want)
			}
		})
	}
	t.Run("missing column", func(t *testing.T) {
		p := writeFile(t, t.TempDir(), "lista.csv", []byte("Hetu,Kunta\n050190-990X,Lahti\n"))
		b, err := sheet.Open(p, "lista.csv")
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.Table(context.Background(), "", cols)
		if !errors.Is(err, sheet.ErrMissingColumns) || !strings.Contains(err.Error(), `lista.csv: required column "Kertymäpäivät"`) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestDetectEncoding(t *testing.T) {
	long := strings.Repeat("a", 64<<10-1) + "ä" // ä straddles the first read
	tests := []struct {
		name string
		in   string
		want sheet.Encoding
	}{
		{"ascii", "Hetu;Kunta\n", sheet.UTF8},
		{"utf-8", "Kertymäpäivät", sheet.UTF8},
		{"utf-8 across a chunk", long, sheet.UTF8},
		{"windows-1252", "Kertym\xe4p\xe4iv\xe4t", sheet.Windows1252},
		{"truncated sequence at end", "abc\xc3", sheet.Windows1252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sheet.DetectEncoding(strings.NewReader(tt.in))
			if err != nil || got != tt.want {
				t.Errorf("DetectEncoding = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCellErrors(t *testing.T) {
	plain := sheet.Cell{Value: "10.2026", Kind: sheet.Number}
	if _, err := plain.Month(false); !errors.Is(err, sheet.ErrPlainNumber) {
		t.Errorf("Month(plain number) err = %v, want ErrPlainNumber", err)
	}
	if _, err := plain.Date(false); !errors.Is(err, sheet.ErrNotDate) {
		t.Errorf("Date(plain number) err = %v, want ErrNotDate", err)
	}
	blank := sheet.Cell{Value: " \u00a0", Kind: sheet.Text}
	if !blank.Blank() {
		t.Errorf("Blank() = false for white space")
	}
	if _, err := blank.Number(); !errors.Is(err, sheet.ErrBlank) {
		t.Errorf("Number(blank) err = %v, want ErrBlank", err)
	}
	if _, err := (sheet.Cell{Value: "1", Kind: sheet.Bool}).Number(); !errors.Is(err, sheet.ErrKind) {
		t.Errorf("Number(bool) err = %v, want ErrKind", err)
	}
	for _, tt := range []struct{ in, want string }{{"160.1", "160.1"}, {"1.5E-2", "0.015"}, {"-45", "-45"}, {"4.6023E4", "46023"}} {
		got, err := (sheet.Cell{Value: tt.in, Kind: sheet.Number}).Number()
		if err != nil || !got.Equal(mustDec(t, tt.want)) {
			t.Errorf("Number(%s) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// TestHeaderColumns: a header row that names a wanted column twice (the same
// header, or a header and its alias) is an error naming both cells, as
// either could hold the data; an optional column that is absent is a
// warning unless it is Quiet.
func TestHeaderColumns(t *testing.T) {
	cols := []sheet.Column{
		{Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true},
		{Name: "Aloitus"},
		{Name: "Nimi", Quiet: true, Unbilled: true},
	}
	tests := []struct {
		name, file, data string
		err              []string // parts of the error; nil: no error
		warned           []string // optional columns warned about
	}{
		{name: "same header twice", file: "s.csv", data: "Hetu;Aloitus;Nimi;Aloitus\n",
			err: []string{"s.csv, header row 1", `two columns are "Aloitus"`, `B ("Aloitus") and D ("Aloitus")`, "keep one of them"}},
		{name: "header and alias", file: "s.csv", data: "Henkilötunnus;Aloitus;HETU\n",
			err: []string{`two columns are "Henkilötunnus"`, `A ("Henkilötunnus") and C ("HETU")`}},
		{name: "an unbilled column twice is warned about", file: "s.csv", data: "Hetu;Nimi;Aloitus;Nimi\n", warned: []string{"Nimi twice"}},
		{name: "a billed column twice after an unbilled one", file: "s.csv", data: "Hetu;Nimi;Nimi;Aloitus;Aloitus\n",
			err: []string{`two columns are "Aloitus"`, `D ("Aloitus") and E ("Aloitus")`}},
		{name: "absent optional column", file: "s.csv", data: "Hetu;Nimi\n", warned: []string{"Aloitus"}},
		{name: "absent quiet column", file: "s.csv", data: "Hetu;Aloitus\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), tt.file, []byte(tt.data+"050190-990X;1.1.2026;x\n"))
			b, err := sheet.Open(p, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var logs bytes.Buffer
			ctx := sheet.WithLogger(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)))
			tab, err := b.Table(ctx, "", cols)
			if tt.err != nil {
				var dup *sheet.DuplicateColumnError
				if !errors.As(err, &dup) {
					t.Fatalf("err = %v, want a DuplicateColumnError", err)
				}
				for _, want := range tt.err {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tab.Close()
			var warned []string
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec struct{ Msg, Column string }
				if l == "" || json.Unmarshal([]byte(l), &rec) != nil {
					continue
				}
				switch rec.Msg {
				case "optional column not found; its values count as blank":
					warned = append(warned, rec.Column)
				case "column named twice; the first is read":
					warned = append(warned, rec.Column+" twice")
				}
			}
			if !reflect.DeepEqual(warned, tt.warned) {
				t.Errorf("warned about %q, want %q", warned, tt.warned)
			}
		})
	}
}
