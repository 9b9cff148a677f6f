package accrual_test

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"tyomatka/internal/accrual"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/sheet"
	"tyomatka/internal/source"
)

// synthetic returns a valid temporary identity code (individual number 900–999).
func synthetic(ddmmyy string, sign byte, ind int) string {
	z := fmt.Sprintf("%03d", 900+ind%100)
	return ddmmyy + string(sign) + z + string(hetu.CheckChar(ddmmyy+z))
}

func month(y, m int) period.Month { return period.Month{Year: y, Month: time.Month(m)} }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// dirFiles lists the .xlsx and .csv files of dir in name order, as a source would.
func dirFiles(tb testing.TB, dir string) []source.File {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var files []source.File
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); ext == ".xlsx" || ext == ".csv" {
			files = append(files, source.File{Name: e.Name(), Path: filepath.Join(dir, e.Name())})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

func TestReadExample(t *testing.T) {
	files := dirFiles(t, filepath.Join("testdata", "kertymat"))
	d, err := accrual.Read(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}

	var covered []string
	for m := range d.Covered {
		covered = append(covered, m.String())
	}
	sort.Strings(covered)
	if got, want := covered, []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05"}; !reflect.DeepEqual(got, want) {
		t.Errorf("covered = %v, want %v", got, want)
	}

	if got, want := len(d.Invalid), 1; got != want {
		t.Fatalf("invalid rows = %d (%+v), want %d", got, d.Invalid, want)
	}
	inv := d.Invalid[0]
	wantInv := finding.Finding{Severity: finding.Error, Code: finding.AccrualRowInvalid, File: "kelmu_2026-04_2026-05.csv", Row: 6, Column: "Kuukausi"}
	msg := inv.Message
	inv.Message = ""
	if inv != wantInv {
		t.Errorf("invalid row = %+v, want %+v", inv, wantInv)
	}
	if want := `Kuukausi "2026-13" ei ole kelvollinen kuukausi. Korjaa muotoon vvvv-kk (esim. 2026-03) tai hae lista Kelmusta uudelleen.`; msg != want {
		t.Errorf("message = %q, want %q", msg, want)
	}

	var gotFiles []string
	for _, f := range d.Files {
		gotFiles = append(gotFiles, fmt.Sprintf("%s:%d", f.Name, f.Rows))
		data, err := os.ReadFile(filepath.Join("testdata", "kertymat", f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(data); f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s sha256 = %s", f.Name, f.SHA256)
		}
	}
	if want := []string{"Kelmu_2025-12_2026-02.xlsx:30", "kelmu_2026-03.csv:10", "kelmu_2026-04_2026-05.csv:19"}; !reflect.DeepEqual(gotFiles, want) {
		t.Errorf("files = %v, want %v", gotFiles, want)
	}

	total := func(code string, m period.Month) accrual.MonthTotal {
		t.Helper()
		p := d.Persons[hetu.Code(code)]
		if p == nil || p.Months[m] == nil {
			t.Fatalf("no rows for a person in %v", m)
		}
		return *p.Months[m]
	}
	type sums struct {
		paid, accrued, share string
		rows                 int
	}
	tests := []struct {
		name string
		code string
		m    period.Month
		want sums
	}{
		{"two benefits in a month", "210501B920H", month(2026, 4), sums{"20", "381", "130.00", 2}},
		{"xlsx date month, stored number", "050190-907H", month(2026, 2), sums{"20", "370", "160.1", 1}},
		{"windows-1252, euro sign, no-break space", "130970-9390", month(2026, 3), sums{"21", "1043", "205.40", 1}},
		{"narrow no-break space", "130970-9390", month(2026, 4), sums{"21", "1064", "205.40", 1}},
		{"U+2212 correction", "250302C953T", month(2026, 5), sums{"22", "614", "155.00", 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt := total(tt.code, tt.m)
			// Strings, not Equal: the scale a sum keeps shows in the reports.
			got := sums{mt.PaidDays().String(), mt.MaxAccrued().String(), mt.Share().StringFixed(2), mt.Rows}
			want := tt.want
			want.share = dec(want.share).StringFixed(2)
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}

	p := d.Persons["260869Y973D"]
	if p == nil {
		t.Fatal("person of TM-0504 missing")
	}
	if p.Municipality != "Orimattila" || p.LatestMonth != month(2026, 3) || p.LatestSeq != (accrual.Seq{File: 1, Row: 4}) {
		t.Errorf("latest Kunta = %q %v %+v, want Orimattila 2026-03 {1 4}", p.Municipality, p.LatestMonth, p.LatestSeq)
	}
	if _, ok := d.Persons["030581-9716"].Months[month(2026, 4)]; !ok {
		t.Errorf("valid rows of a person with an invalid row are missing")
	}
}

// sha is the hex SHA-256 of the file at p, as a source hands it over.
func sha(tb testing.TB, p string) string {
	tb.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func writeCSV(tb testing.TB, dir, name, text string, cp1252 bool) source.File {
	tb.Helper()
	data := []byte(text)
	if cp1252 {
		s, err := charmap.Windows1252.NewEncoder().String(text)
		if err != nil {
			tb.Fatal(err)
		}
		data = []byte(s)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return source.File{Name: name, Path: p, SHA256: sha(tb, p)}
}

func writeXLSX(tb testing.TB, dir, name string, rows [][]any, dateCells ...string) source.File {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	st, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range dateCells {
		if err := f.SetCellStyle("Sheet1", c, c, st); err != nil {
			tb.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := f.SaveAs(p); err != nil {
		tb.Fatal(err)
	}
	return source.File{Name: name, Path: p, SHA256: sha(tb, p)}
}

func TestReadRules(t *testing.T) {
	dir := t.TempDir()
	a, b, c := synthetic("010170", '-', 1), synthetic("020280", '-', 2), synthetic("030390", 'X', 3)
	bad := a[:10] + "0" // wrong check character
	if bad == a {
		bad = a[:10] + "1"
	}
	files := []source.File{
		writeXLSX(t, dir, "a.xlsx", [][]any{
			{"Kelmu: kuntaosuudet"},
			{"HETU", "Laskutuskuukausi", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus", "Kunta"},
			{a, 46143, 10, 400, 50.5, "Lahti"},  // 2026-05, a date cell
			{b, 10.2026, 1, 2, 3, "Lahti"},      // a month typed as a plain number
			{bad, "2026-05", 1, 2, 3, "Lahti"},  // invalid identity code
			{c, "2026-04", 5, nil, 10, "Lahti"}, // blank Kertymäpäivät
			{c, "2026-04", 5, 300, "1.234,56"},  // invalid number
			{c, "4/2026", 5, 300, 12, 98},       // valid; Kunta typed as a number code
		}, "B3"),
		writeCSV(t, dir, "b.csv", "Henkilötunnus;Kuukausi;Etuus;Maksupäivät;Kertymäpäivät;Kunnan osuus;Kunta\n"+
			a+";04/2026;YT;2;380;-1,50 €;Kärkölä\n"+
			b+";5.2026;TMT;3;100;20;316\n"+
			c+";2026-04;TMT;1;310;1;Heinola\n", true),
	}
	files[1].SHA256 = "given" // the source's digest is taken as it is
	d, err := accrual.Read(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Invalid {
		got = append(got, fmt.Sprintf("%s|%s|%d|%s", f.File, f.Sheet, f.Row, f.Column))
		for _, code := range []string{a, b, c, bad} {
			if strings.Contains(f.Message, code) {
				t.Errorf("message %q holds an identity code", f.Message)
			}
		}
	}
	want := []string{"a.xlsx|Sheet1|4|Laskutuskuukausi", "a.xlsx|Sheet1|5|HETU", "a.xlsx|Sheet1|6|Kertymäpäivät", "a.xlsx|Sheet1|7|Kunnan osuus"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("invalid rows = %v, want %v", got, want)
	}
	// Whose rows they are, as far as the rows tell: billing holds those
	// persons' months and names the clients.
	apr := period.Month{Year: 2026, Month: 4}
	wantOwners := []accrual.Owner{{Hetu: hetu.Code(b)}, {}, {Hetu: hetu.Code(c), Month: apr}, {Hetu: hetu.Code(c), Month: apr}}
	if !reflect.DeepEqual(d.Owners, wantOwners) {
		t.Errorf("owners = %+v, want %+v", d.Owners, wantOwners)
	}
	if m := d.Invalid[3].Message; !strings.Contains(m, `Kunnan osuus "1.234,56" ei ole kelvollinen luku`) {
		t.Errorf("number message = %q", m)
	}
	if m := d.Invalid[0].Message; !strings.Contains(m, "pelkkänä lukuna") {
		t.Errorf("plain-number month message = %q", m)
	}

	pa := d.Persons[hetu.Code(a)]
	if pa.Municipality != "Lahti" || pa.LatestMonth != month(2026, 5) {
		t.Errorf("a: Kunta %q %v; the latest month wins over the file read last", pa.Municipality, pa.LatestMonth)
	}
	if got := pa.Months[month(2026, 4)]; got == nil || !got.Share().Equal(dec("-1.5")) {
		t.Errorf("a 2026-04 = %+v, want share -1.50", got)
	}
	if got := d.Persons[hetu.Code(b)]; got.Municipality != "Kärkölä" || !got.Months[month(2026, 5)].Share().Equal(dec("20")) {
		t.Errorf("b: Kunta %q (code 316 in a Windows-1252 list)", got.Municipality)
	}
	pc := d.Persons[hetu.Code(c)]
	if pc.Municipality != "Heinola" || pc.LatestSeq != (accrual.Seq{File: 1, Row: 4}) {
		t.Errorf("c: Kunta %q %+v; within a month the row read last wins", pc.Municipality, pc.LatestSeq)
	}
	if got := pc.Months[month(2026, 4)]; got.Rows != 2 || !got.MaxAccrued().Equal(dec("310")) || !got.PaidDays().Equal(dec("6")) {
		t.Errorf("c 2026-04 = %+v", got)
	}
	may, apr2 := period.Month{Year: 2026, Month: 5}, period.Month{Year: 2026, Month: 4}
	if got, want := d.Files[1].MonthRows, map[period.Month]int{apr2: 2, may: 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("b.csv's valid rows per month = %v, want %v", got, want)
	}
	// Own months: a quarter or more of the largest month's rows.
	if got := d.Files[1].OwnMonths(); !reflect.DeepEqual(got, []period.Month{apr2, may}) {
		t.Errorf("b.csv's own months = %v, want 2026-04 and 2026-05", got)
	}
	big := accrual.File{MonthRows: map[period.Month]int{apr2: 3, may: 100, {Year: 2026, Month: 6}: 90}}
	if got := big.OwnMonths(); !reflect.DeepEqual(got, []period.Month{may, {Year: 2026, Month: 6}}) {
		t.Errorf("own months of a two-month list with corrections = %v, want 2026-05 and 2026-06", got)
	}
	if d.Files[1].SHA256 != "given" {
		t.Errorf("a given sha256 was recomputed: %q", d.Files[1].SHA256)
	}
	if d.Covered[month(2026, 10)] {
		t.Errorf("an invalid row covered its month")
	}
}

func TestReadStructural(t *testing.T) {
	dir := t.TempDir()
	good := writeCSV(t, dir, "a.csv", "Hetu,Kuukausi,Maksupäivät,Kertymäpäivät,Kunnan osuus\n", false)
	good2 := writeCSV(t, dir, "e.csv", "Hetu;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus\n", false)
	tests := []struct {
		name string
		file source.File
		is   error
		want string
	}{
		{"missing column", writeCSV(t, dir, "b.csv", "Hetu,Kuukausi,Maksupäivät,Kunnan osuus\n", false), sheet.ErrMissingColumns, `b.csv: required column "Kertymäpäivät"`},
		{"damaged workbook", writeCSV(t, dir, "c.xlsx", "PK\x03\x04 not really", false), sheet.ErrUnreadable, "c.xlsx"},
		// A stray quote must not make the rest of the list one field.
		{"unclosed quote", writeCSV(t, dir, "d.csv", "Hetu,Kuukausi,Maksupäivät,Kertymäpäivät,Kunnan osuus,Kunta\n"+
			synthetic("010170", '-', 1)+",2026-10,20,1238,223.26,\"Lahti\n"+
			synthetic("020280", '-', 2)+",2026-10,20,1238,223.26,Lahti\n", false), csv.ErrQuote, "d.csv: line 2: a field starts with a quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accrual.Read(context.Background(), []source.File{good, tt.file, good2})
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %v mentioning %q", err, tt.is, tt.want)
			}
		})
	}
}

// TestReadFieldCount: a CSV row with more fields than its header (a decimal
// comma in a comma-separated list) is an invalid row naming the file, row and
// column, not a row read with its values shifted.
func TestReadFieldCount(t *testing.T) {
	a, b := synthetic("010170", '-', 1), synthetic("020280", '-', 2)
	tests := []struct {
		name      string
		data      string
		want      []string // file|row|column of the invalid rows
		msg       []string // parts of the first invalid row's message
		wantShare string   // a's share of 2026-10
	}{
		{
			name: "decimal comma in a comma-separated list",
			data: "Henkilötunnus,Kuukausi,Etuus,Maksupäivät,Kertymäpäivät,Kunnan osuus,Kunta\n" +
				a + ",2026-10,TMT,20,1238,78,14,Lahti\n" +
				a + ",2026-10,TMT,1,1239,1.00,Lahti\n" +
				b + ",2026-10,TMT,20,1238,223.26,Lahti\n",
			want:      []string{"l.csv||2|H"},
			msg:       []string{"Rivillä on 8 kenttää, mutta otsikkorivillä vain 7", "sarakkeessa H", "desimaalipilkku", "(78.14)"},
			wantShare: "1.00",
		},
		{
			name: "extra field in a semicolon-separated list",
			data: "Henkilötunnus;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus;Kunta\n" +
				a + ";2026-10;20;1238;78,14;Lahti;Lahti\n" +
				a + ";2026-10;1;1239;1,00;Lahti\n",
			want:      []string{"l.csv||2|G"},
			msg:       []string{"Rivillä on 7 kenttää, mutta otsikkorivillä vain 6", "ylimääräinen erotinmerkki"},
			wantShare: "1.00",
		},
		{
			name: "trailing separators are harmless",
			data: "Henkilötunnus,Kuukausi,Maksupäivät,Kertymäpäivät,Kunnan osuus,Kunta,\n" +
				a + ",2026-10,20,1238,78.14,Lahti,\n" +
				a + ",2026-10,1,1239,1.00,Lahti,,\n",
			wantShare: "79.14",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeCSV(t, t.TempDir(), "l.csv", tt.data, false)
			d, err := accrual.Read(context.Background(), []source.File{f})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range d.Invalid {
				got = append(got, fmt.Sprintf("%s|%s|%d|%s", f.File, f.Sheet, f.Row, f.Column))
				if f.Code != finding.AccrualRowInvalid || strings.Contains(f.Message, a) {
					t.Errorf("finding %+v", f)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("invalid rows = %v, want %v", got, tt.want)
			}
			for _, m := range tt.msg {
				if len(d.Invalid) == 0 || !strings.Contains(d.Invalid[0].Message, m) {
					t.Errorf("message = %+v, want it to contain %q", d.Invalid, m)
				}
			}
			for i, o := range d.Owners {
				if o != (accrual.Owner{Hetu: hetu.Code(a), Month: month(2026, 10)}) {
					t.Errorf("owner of invalid row %d = %+v, want a's 2026-10", i, o)
				}
			}
			if len(d.Owners) != len(d.Invalid) {
				t.Errorf("%d owners for %d invalid rows", len(d.Owners), len(d.Invalid))
			}
			p := d.Persons[hetu.Code(a)]
			if p == nil || p.Months[month(2026, 10)] == nil || !p.Months[month(2026, 10)].Share().Equal(dec(tt.wantShare)) {
				t.Errorf("a's 2026-10 = %+v, want share %s", p, tt.wantShare)
			}
		})
	}
}

// TestReadDeterministic reads the same lists with one and with four readers:
// the aggregate must not depend on the order the lists finish in.
func TestReadDeterministic(t *testing.T) {
	dir := t.TempDir()
	var files []source.File
	for i := 0; i < 8; i++ {
		var sb strings.Builder
		sb.WriteString("Hetu;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus;Kunta\n")
		for j := 0; j < 200+i*50; j++ {
			code := synthetic(fmt.Sprintf("%02d0180", 1+j%28), '-', j%40)
			kunta := []string{"Lahti", "Hollola", "Orimattila", "98"}[(i+j)%4]
			fmt.Fprintf(&sb, "%s;2026-%02d;%d;%d;%d,%02d;%s\n", code, 1+(i+j)%6, j%23, 100+j, j, i, kunta)
		}
		files = append(files, writeCSV(t, dir, fmt.Sprintf("l%02d.csv", i), sb.String(), false))
	}
	files = append(files, dirFiles(t, filepath.Join("testdata", "kertymat"))...)
	read := func(procs int) *accrual.Data {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		d, err := accrual.Read(context.Background(), files)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	one := read(1)
	for i := 0; i < 3; i++ {
		if many := read(4); !reflect.DeepEqual(one, many) {
			t.Fatalf("GOMAXPROCS 1 and 4 give different data")
		}
	}
	if len(one.Persons) < 40 {
		t.Fatalf("only %d persons: the test data is too small to show anything", len(one.Persons))
	}
}

func BenchmarkReadAccruals(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	path := filepath.Join(dir, "kelmu.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		b.Fatal(err)
	}
	header := []any{"Henkilötunnus", "Kuukausi", "Etuus", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus", "Kunta"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		code := synthetic(fmt.Sprintf("%02d%02d%02d", 1+i%28, 1+(i/28)%12, 50+(i/336)%50), '-', i/16800)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{code, excelize.Cell{StyleID: dateStyle, Value: 46023 + 31*(i%5)}, "TMT", i % 23, 100 + i%900, float64(i%30000) / 100, "Lahti"}
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	f.Close()
	files := []source.File{{Name: "kelmu.xlsx", Path: path, SHA256: "x"}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := accrual.Read(context.Background(), files)
		if err != nil {
			b.Fatal(err)
		}
		if d.Files[0].Rows != rows || len(d.Invalid) != 0 {
			b.Fatalf("rows %d invalid %d", d.Files[0].Rows, len(d.Invalid))
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestReadDigitLimit: the sums hold 19 significant digits exactly. A value
// with more, or a row whose sum with the person's earlier rows of the month
// would need more, is an invalid row naming its column; a sum across lists
// that would is an error naming the later list. Nothing is ever rounded.
func TestReadDigitLimit(t *testing.T) {
	dir := t.TempDir()
	a, b := synthetic("010170", '-', 1), synthetic("020280", '-', 2)
	const header = "Henkilötunnus;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus\n"
	big := "999999999999999999,9" // 19 digits: the most an amount holds
	first := writeCSV(t, dir, "a.csv", header+
		a+";2026-05;1;10;12345678901234567890\n"+ // 20 digits
		a+";2026-05;2;20;0,00000000000000000001\n"+ // scale 20
		b+";2026-05;3;30;"+big+"\n"+
		b+";2026-05;4;40;"+big+"\n"+ // the sum needs 20 digits
		b+";2026-05;5;50;-0,1\n", false)
	d, err := accrual.Read(context.Background(), []source.File{first})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range d.Invalid {
		got = append(got, fmt.Sprintf("%d|%s", f.Row, f.Column))
		if !strings.Contains(f.Message, "yli 19 numeroa") && !strings.Contains(f.Message, "enintään 19 numeroa") {
			t.Errorf("row %d: message %q does not say why", f.Row, f.Message)
		}
	}
	if want := []string{"2|Kunnan osuus", "3|Kunnan osuus", "5|Kunnan osuus"}; !reflect.DeepEqual(got, want) {
		t.Errorf("invalid rows = %v, want %v", got, want)
	}
	mt := d.Persons[hetu.Code(b)].Months[month(2026, 5)]
	if mt.Rows != 2 || mt.Share().String() != "999999999999999999.8" || mt.PaidDays().String() != "8" || mt.MaxAccrued().String() != "50" {
		t.Errorf("b 2026-05 = rows %d, share %s, days %s, max %s", mt.Rows, mt.Share(), mt.PaidDays(), mt.MaxAccrued())
	}

	second := writeCSV(t, dir, "b.csv", header+b+";2026-05;1;1;-0,2\n", false)
	third := writeCSV(t, dir, "c.csv", header+b+";2026-05;1;1;"+big+"\n", false)
	if _, err := accrual.Read(context.Background(), []source.File{first, second}); err != nil {
		t.Errorf("a sum that fits: %v", err)
	}
	_, err = accrual.Read(context.Background(), []source.File{first, second, third})
	if err == nil || !strings.Contains(err.Error(), "c.csv") || !strings.Contains(err.Error(), "2026-05") || strings.Contains(err.Error(), b) {
		t.Errorf("err = %v, want one naming c.csv and the month, not the person", err)
	}
}

// TestMonthTotalAddRow: AddRow sums as the reader does and refuses, changing
// nothing, what would not fit.
func TestMonthTotalAddRow(t *testing.T) {
	var mt accrual.MonthTotal
	for _, r := range [][3]string{{"10", "-5", "1.50"}, {"2.5", "-7", "-0.25"}} {
		if err := mt.AddRow(dec(r[0]), dec(r[1]), dec(r[2])); err != nil {
			t.Fatal(err)
		}
	}
	if mt.PaidDays().String() != "12.5" || mt.MaxAccrued().String() != "-5" || mt.Share().StringFixed(2) != "1.25" || mt.Rows != 2 {
		t.Errorf("got %s/%s/%s/%d", mt.PaidDays(), mt.MaxAccrued(), mt.Share(), mt.Rows)
	}
	if p, a, s := mt.Floats(); p != 12.5 || a != -5 || s != 1.25 {
		t.Errorf("Floats = %v %v %v", p, a, s)
	}
	before := mt
	if err := mt.AddRow(dec("1"), dec("1"), dec("9999999999999999999")); err == nil || mt != before {
		t.Errorf("a sum of 20 digits: err %v, total %+v (was %+v)", err, mt, before)
	}
}

// TestReadSameContentTwice: the same list twice (a copy left beside it) is
// refused before anything is read: its rows would be summed twice.
func TestReadSameContentTwice(t *testing.T) {
	dir := t.TempDir()
	a := synthetic("010170", '-', 1)
	text := "Henkilötunnus;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus\n" + a + ";2026-10;20;400;78,14\n"
	files := []source.File{
		writeCSV(t, dir, "kelmu_2026-09.csv", strings.Replace(text, "2026-10", "2026-09", 1), false),
		writeCSV(t, dir, "kelmu_2026-10 (1).csv", text, false),
		writeCSV(t, dir, "kelmu_2026-10.csv", text, false),
	}
	_, err := accrual.Read(context.Background(), files)
	if err == nil || !strings.Contains(err.Error(), "kelmu_2026-10 (1).csv and kelmu_2026-10.csv have the same content") ||
		!strings.Contains(err.Error(), "remove one of them") {
		t.Fatalf("err = %v, want the two lists named and what to do", err)
	}
	if _, err := accrual.Read(context.Background(), files[1:2]); err != nil {
		t.Errorf("one copy alone: %v", err)
	}
}
