package sheet_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tyomatka/internal/sheet"
)

// Styles with a date format at index 1, shared by the hand-written workbooks.
const diffStyles = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="d\.m\.yyyy"/></numFmts><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>`

const diffSST = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4"><si><t>Hetu</t></si><si><t>Kuukausi</t></si><si><r><t>Kunnan </t></r><r><rPr><b/></rPr><t>osuus</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si><si><t xml:space="preserve"> Ä&amp;Ö_x000D_ </t></si></sst>`

// libreOfficeSheet is written the way LibreOffice and Excel write worksheets:
// shared strings, a prefixed namespace, rich inline runs with phonetic
// guides, entities and character references, _xHHHH_ escapes, CRLF line
// ends, comments, CDATA, self-closing cells and rows and cells without
// references.
const libreOfficeSheet = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n" +
	`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:dimension ref="A1:G9"/><!-- saved by hand --><x:sheetData>` + "\r\n" +
	`<x:row r="2" spans="1:3"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="B2" t="s"><x:v> 1 </x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>` +
	`<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:r><x:t>050190</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>-990X</x:t></x:r><x:rPh sb="0" eb="1"><x:t>no</x:t></x:rPh></x:is></x:c><x:c r="B4" s="1"><x:v>46023.5</x:v></x:c><x:c r="C4"><x:v>1.5E-2</x:v></x:c></x:row>` +
	`<x:row r="5" ht="12.8" customHeight='1'><x:c r="A5" s="1"/><x:c r="B5" t="s"><x:v>3</x:v></x:c><x:c r = "D5" t = 'inlineStr' ><x:is><x:t xml:space="preserve">a&#x41;&#66;&quot;&apos;&gt;&lt;&amp;_x000A__x0041_` + "\r\nb\rc\n" + `</x:t></x:is></x:c></x:row>` +
	`<x:row r="6"><x:c r="C6" t="e"><x:v>#N/A</x:v></x:c><x:c r="B6" t="str"><x:f>A1&amp;""</x:f><x:v>2026-05</x:v></x:c><x:c r="D6" t="b"><x:v>1</x:v></x:c><x:c r="E6" t="d"><x:v>2026-05-01T00:00:00</x:v></x:c></x:row>` +
	`<x:row><x:c r="A7" t="inlineStr"><x:is><x:t><![CDATA[7 < 8 & ]]></x:t></x:is></x:c><x:c><x:v>-0.25</x:v></x:c></x:row>` +
	`<x:row r="9"><x:c r="A9"><x:v></x:v></x:c><x:c r="B9" t="s"/></x:row><x:row r="10"/>` +
	`<x:row r="11"><x:c r="g11" t="n"><x:v>12</x:v></x:c><?mso-application progid="Excel.Sheet"?><x:c r="AB11" t="inlineStr"><x:is><x:t>Kunta ääkkönen €</x:t></x:is></x:c></x:row>` +
	"\r\n</x:sheetData><x:pageMargins left=\"0.7\"/></x:worksheet>"

const plainSheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Hetu</t></is></c><c r="B1" s="1"><v>46023</v></c><c r="C1" t="s"><v>3</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a&amp;b</t></is></c></row></sheetData></worksheet>`

// quickSheet has cells in the two forms the fast reader takes without
// tokens (<v>…</v></c>, <is><t>…</t></is></c>), unprefixed as generators
// write them, with what their text may hold: entities and character
// references, CR and CRLF, forbidden characters, a CDATA end, text longer
// than the look-ahead, empty values, and the forms in cells of other types.
var quickSheet = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
	`<row r="1"><c r="A1" t="inlineStr"><is><t>a&amp;b&#x41;&lt;` + "\r\nx\ry" + `</t></is></c><c r="B1"><v> 12.50 </v></c><c r="C1" s="1"><v>46023</v></c></row>` +
	`<row r="2"><c r="A2" t="inlineStr"><is><t>` + strings.Repeat("pitkä teksti ", 40) + `</t></is></c><c r="B2"><v></v></c><c r="C2" t="inlineStr"><is><t></t></is></c></row>` +
	`<row r="3"><c r="A3" t="s"><is><t>0</t></is></c><c r="B3" t="n"><is><t>5</t></is></c><c r="C3" t="s"><v>1</v></c><c r="D3"/><c r="E3" t="str"><v>x</v></c ><c r="F3" t="inlineStr"><is><t>a</t><r><t>b</t></r></is></c><c r="G3"><v>7</v><f>1+6</f></c></row>` +
	`<row r="4"><c r="A4" t="inlineStr"><is><t>a]]>b</t></is></c></row>` +
	`<row r="5"><c r="A5"><v>1&bogus;</v></c></row>` +
	"<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>bell\x07</t></is></c></row>" +
	"<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>bad \xff utf-8</t></is></c></row>" +
	`</sheetData></worksheet>`

func diffWorkbook(tb testing.TB, sheetXML string) []byte {
	return rawWorkbook(tb, sheetXML, diffSST, diffStyles, "")
}

// sameRows reads data with both readers and fails on any difference in
// rows, cells or error.
func sameRows(t *testing.T, data []byte) {
	t.Helper()
	if msg := diffRows(data); msg != "" {
		t.Fatal(msg)
	}
}

func diffRows(data []byte) string {
	fast, fastErr := sheet.ReadRaw(data, false)
	slow, slowErr := sheet.ReadRaw(data, true)
	if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) {
		return fmt.Sprintf("error: fast %v, encoding/xml %v", fastErr, slowErr)
	}
	if !reflect.DeepEqual(fast, slow) {
		return fmt.Sprintf("rows differ:\nfast          %+v\nencoding/xml  %+v", fast, slow)
	}
	return ""
}

// TestFastMatchesXML proves the byte-scanning reader returns exactly the
// cells (and errors) of the encoding/xml reader, and that it reads ordinary
// workbooks itself instead of handing them over.
func TestFastMatchesXML(t *testing.T) {
	t.Run("libreoffice", func(t *testing.T) {
		data := diffWorkbook(t, libreOfficeSheet)
		sameRows(t, data)
		if sheet.FellBack(data) {
			t.Error("the fast reader handed a LibreOffice-style worksheet over")
		}
		rows, err := sheet.ReadRaw(data, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(rows), 6; got != want {
			t.Fatalf("got %d rows, want %d: %+v", got, want, rows)
		}
		if got, want := rows[2].Cells[1].Value, "aAB\"'><&\nA\nb\nc\n"; got != want {
			t.Errorf("entities and escapes: got %q, want %q", got, want)
		}
	})

	// The quick cell forms, whole and cut after each damaged row, and with
	// a cell across the reader's buffer refill at many offsets.
	t.Run("quick cells", func(t *testing.T) {
		end := "</sheetData></worksheet>"
		body := strings.TrimSuffix(quickSheet, end)
		for _, cut := range []string{"<row r=\"4\">", "<row r=\"5\">", "<row r=\"6\">", "<row r=\"7\">"} {
			sameRows(t, diffWorkbook(t, body[:strings.Index(body, cut)]+end))
		}
		sameRows(t, diffWorkbook(t, quickSheet))
		var b strings.Builder
		b.WriteString(`<worksheet><sheetData>`)
		for r := 1; b.Len() < 3*64<<10; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d"><v>%d.%02d</v></c></row>`,
				r, r, strings.Repeat("x", r%300), r, r, r%100)
		}
		b.WriteString(end)
		data := diffWorkbook(t, b.String())
		sameRows(t, data)
		if sheet.FellBack(data) {
			t.Error("the fast reader handed plain quick cells over")
		}
	})

	// Workbooks written by the generator (excelize StreamWriter and the
	// generator's own fix-ups) and the committed sample.
	var files []string
	for _, pattern := range []string{"../../testdata/sample/*.xlsx", "../../testdata/sample/kertymat/*.xlsx", "../tracking/testdata/*.xlsx"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no generated workbooks found")
	}
	for _, p := range files {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			sameRows(t, data)
			if sheet.FellBack(data) {
				t.Error("the fast reader handed a generated workbook over")
			}
		})
	}

	// Damaged worksheets: every truncation, and every position overwritten
	// with each byte that matters to the syntax.
	for name, base := range map[string]string{"plain": plainSheet, "libreoffice": libreOfficeSheet} {
		t.Run("damaged "+name, func(t *testing.T) {
			var cases []string
			for n := 0; n < len(base); n++ {
				cases = append(cases, base[:n])
			}
			for i := 0; i < len(base); i++ {
				for _, c := range []byte{'<', '>', '/', '"', '&', ';', '!', '?', ' ', 'x', '0', 0, 0xff, '\r'} {
					cases = append(cases, base[:i]+string([]byte{c})+base[i+1:])
				}
			}
			failed := 0
			for _, ws := range cases {
				if msg := diffRows(diffWorkbook(t, ws)); msg != "" {
					t.Errorf("worksheet %q: %s", ws, msg)
					if failed++; failed == 5 {
						t.FailNow()
					}
				}
			}
		})
	}
}

// FuzzFastMatchesXML: for any worksheet XML both readers return the same
// cells and the same error. The committed corpus in
// testdata/fuzz/FuzzFastMatchesXML starts it on the hand-written sheets.
func FuzzFastMatchesXML(f *testing.F) {
	f.Add(plainSheet)
	f.Add(libreOfficeSheet)
	f.Add(strings.ReplaceAll(plainSheet, "Hetu", "&#x48;&lt;&#0;&bogus;"))
	f.Fuzz(func(t *testing.T, ws string) {
		sameRows(t, diffWorkbook(t, ws))
	})
}

func TestMain(m *testing.M) {
	// The damaged-worksheet cases log one hand-over each.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestFastFuzzCorpus keeps the committed seed corpus of FuzzFastMatchesXML:
// the hand-written worksheets and damaged copies (refresh with -update).
func TestFastFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzFastMatchesXML")
	seeds := map[string]string{
		"plain":            plainSheet,
		"libreoffice":      libreOfficeSheet,
		"truncated-row":    libreOfficeSheet[:len(libreOfficeSheet)/2],
		"doctype":          `<!DOCTYPE worksheet [<!ENTITY e "Hetu">]>` + strings.Replace(plainSheet, "Hetu", "&e;", 1),
		"bad-entity":       strings.Replace(plainSheet, "a&amp;b", "a&amb;b", 1),
		"bad-sst-index":    strings.Replace(plainSheet, "<v>3</v>", "<v>30</v>", 1),
		"unquoted-attr":    strings.Replace(plainSheet, `r="2"`, `r=2`, 1),
		"control-char":     strings.Replace(plainSheet, "Hetu", "He\x01tu", 1),
		"latin1-decl":      `<?xml version="1.0" encoding="ISO-8859-1"?>` + plainSheet,
		"comment-dashes":   strings.Replace(plainSheet, "<sheetData>", "<sheetData><!-- a -- b -->", 1),
		"cdata-and-crlf":   strings.Replace(plainSheet, "Hetu", "<![CDATA[He\r\ntu]]>\r", 1),
		"self-closing-row": strings.Replace(plainSheet, `<row r="2">`, `<row r="2"/><row r="3">`, 1),
	}
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, ws := range seeds {
			content := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", ws)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range seeds {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("seed %s: %v; run go test -run TestFastFuzzCorpus -update", name, err)
		}
	}
}

// BenchmarkReaders reads a 20,000-row list, the way Kelmu lists are written,
// with the fast reader and with the encoding/xml reader alone.
func BenchmarkReaders(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	const rows = 20000
	for r := 1; r <= rows; r++ {
		fmt.Fprintf(&sb, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>0101%02d-9%02dX</t></is></c><c r="B%d" s="1"><v>46296</v></c><c r="C%d" t="inlineStr"><is><t>ANS</t></is></c><c r="D%d"><v>%d</v></c><c r="E%d"><v>239</v></c><c r="F%d"><v>%d.%02d</v></c><c r="G%d" t="inlineStr"><is><t>Lahti</t></is></c></row>`,
			r, r, r%100, r%100, r, r, r, r%23, r, r, 100+r%300, r%100, r)
	}
	sb.WriteString(`</sheetData></worksheet>`)
	data := diffWorkbook(b, sb.String())
	for _, bc := range []struct {
		name string
		slow bool
	}{{"fast", false}, {"encoding-xml", true}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := sheet.ReadRaw(data, bc.slow)
				if err != nil || len(got) != rows {
					b.Fatalf("%d rows, %v", len(got), err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// TestFastSSTMatchesXML: the byte scanner loads exactly the shared strings
// the encoding/xml loader does, on ordinary, unusual and damaged parts.
func TestFastSSTMatchesXML(t *testing.T) {
	const unusual = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<x:sst xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><!-- c --><x:si><x:t>a&#x41;&lt;_x000D_\r\nb</x:t></x:si><x:si/><x:si><x:r><x:t xml:space=\"preserve\"> c </x:t></x:r><x:rPh><x:t>no</x:t></x:rPh><x:r><x:t><![CDATA[&d]]></x:t></x:r></x:si></x:sst>"
	same := func(sst string) string {
		data := rawWorkbook(t, plainSheet, sst, diffStyles, "")
		fast, fastErr := sheet.LoadSST(data, false)
		slow, slowErr := sheet.LoadSST(data, true)
		if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) {
			return fmt.Sprintf("error: fast %v, encoding/xml %v", fastErr, slowErr)
		}
		if !reflect.DeepEqual(fast, slow) {
			return fmt.Sprintf("fast %q, encoding/xml %q", fast, slow)
		}
		return ""
	}
	got, err := sheet.LoadSST(rawWorkbook(t, plainSheet, unusual, diffStyles, ""), false)
	if want := []string{"aA<\r\nb", "", " c &d"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	for _, base := range []string{diffSST, unusual} {
		if msg := same(base); msg != "" {
			t.Fatal(msg)
		}
		failed := 0
		for i := 0; i < len(base); i++ {
			for _, s := range []string{base[:i], base[:i] + "<" + base[i+1:], base[:i] + "&" + base[i+1:], base[:i] + "\x00" + base[i+1:], base[:i] + "/" + base[i+1:]} {
				if msg := same(s); msg != "" {
					t.Errorf("%q: %s", s, msg)
					if failed++; failed == 5 {
						t.FailNow()
					}
				}
			}
		}
	}
}
