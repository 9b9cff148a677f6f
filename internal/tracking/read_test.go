package tracking_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/hetu"
	"tyomatka/internal/sheet"
	"tyomatka/internal/tracking"
)

func date(y, m, d int) civil.Date { return civil.Date{Year: y, Month: time.Month(m), Day: d} }

// synthetic returns a valid temporary identity code (individual number 900–999).
func synthetic(ddmmyy string, sign byte, ind int) string {
	z := fmt.Sprintf("%03d", ind)
	return ddmmyy + string(sign) + z + string(hetu.CheckChar(ddmmyy+z))
}

func TestReadExample(t *testing.T) {
	wb, err := tracking.Read(context.Background(), filepath.Join("testdata", "TyoMatka_seuranta.xlsx"), "TyoMatka_seuranta.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	byRow := map[int]tracking.Client{}
	for _, c := range wb.Clients {
		rows = append(rows, c.Row)
		byRow[c.Row] = c
	}
	if got, want := rows, []int{3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15}; !reflect.DeepEqual(got, want) {
		t.Fatalf("client rows = %v, want %v (row 8 is empty)", got, want)
	}
	if got, want := wb.Rows, 12+10; got != want {
		t.Errorf("Rows = %d, want %d", got, want)
	}

	r3 := byRow[3]
	if got, want := string(r3.Hetu), "050190-907H"; got != want || !r3.HetuValid {
		t.Errorf("row 3 hetu = %q valid %v, want %q valid", got, r3.HetuValid, want)
	}
	if got, want := r3.HetuColumn, "Hetu"; got != want {
		t.Errorf("HetuColumn = %q, want %q", got, want)
	}
	wantRef := tracking.DateCell{Column: "Ohjattu", Raw: "2.2.2026", Present: true, Valid: true, Date: date(2026, 2, 2)}
	if r3.Referral != wantRef {
		t.Errorf("row 3 referral = %+v, want %+v", r3.Referral, wantRef)
	}
	if r3.Start.Date != date(2026, 3, 2) || r3.Info.Date != date(2026, 2, 9) {
		t.Errorf("row 3 info/start = %v/%v", r3.Info.Date, r3.Start.Date)
	}
	if r3.End.Present || r3.End.Column != "Paattyminen" {
		t.Errorf("row 3 end = %+v, want absent under header Paattyminen", r3.End)
	}
	if r3.ClientNumber != "2602001" || r3.Municipality != "Lahti" {
		t.Errorf("row 3 number/municipality = %q/%q", r3.ClientNumber, r3.Municipality)
	}
	if !r3.DaysValid || !r3.Days.Equal(decimal.NewFromInt(352)) {
		t.Errorf("row 3 days = %v valid %v, want 352", r3.Days, r3.DaysValid)
	}

	if got := byRow[4]; got.Municipality != "Lahti" || got.EmploymentType != tracking.TypeOpen {
		t.Errorf("row 4 municipality %q type %v, want Lahti (code 398), open", got.Municipality, got.EmploymentType)
	}
	if got := byRow[5]; got.EmploymentType != tracking.TypeSubsidised || !got.Hetu.Temporary() {
		t.Errorf("row 5 type %v", got.EmploymentType)
	}
	r6 := byRow[6]
	if r6.Municipality != "" || r6.EmploymentType != tracking.TypeSubsidised || r6.TypeRaw != "palkkatuettu" {
		t.Errorf("row 6 = municipality %q type %v raw %q", r6.Municipality, r6.EmploymentType, r6.TypeRaw)
	}
	if !r6.DaysValid || !r6.Days.Equal(decimal.NewFromInt(520)) || r6.DaysRaw != "520" {
		t.Errorf("row 6 days (numeric text) = %v %v %q", r6.Days, r6.DaysValid, r6.DaysRaw)
	}
	r10 := byRow[10]
	if want := (tracking.DateCell{Column: "Infotilaisuus", Raw: "23.2.2026", Present: true, Valid: true, Date: date(2026, 2, 23)}); r10.Info != want {
		t.Errorf("row 10 info = %+v, want %+v", r10.Info, want)
	}
	if r10.Start.Date != date(2026, 3, 2) || !r10.Start.Valid || r10.Start.Raw != "2026-03-02" {
		t.Errorf("row 10 start = %+v", r10.Start)
	}
	if r10.Employment.Date != date(2026, 4, 20) || r10.EmploymentType != tracking.TypeNone || r10.TypeColumn != "Työsuhde" {
		t.Errorf("row 10 employment = %+v type %v column %q", r10.Employment, r10.EmploymentType, r10.TypeColumn)
	}
	if got := byRow[11]; got.HetuValid {
		t.Errorf("row 11 (wrong check character) valid")
	}
	if got, want := byRow[14].Info, (tracking.DateCell{Column: "Infotilaisuus", Raw: "3.5.26", Present: true}); got != want {
		t.Errorf("row 14 info = %+v, want %+v (two-digit year)", got, want)
	}

	if got, want := len(wb.Codes), 10; got != want {
		t.Fatalf("codes = %d, want %d", got, want)
	}
	if c := wb.Codes[0]; c.Row != 2 || c.Code != "TM-0501" || c.Hetu != "050190-907H" || !c.HetuValid || c.HetuColumn != "Henkilötunnus" {
		t.Errorf("first code row = %+v", c)
	}
	// Names are read for validation only: none may be kept.
	dump := fmt.Sprintf("%+v", wb)
	for _, name := range []string{"Koskinen", "Tiina", "Kokkonen", "Pitkänen", "Salonen"} {
		if strings.Contains(dump, name) {
			t.Errorf("result holds the name %q", name)
		}
	}
}

// TestReadBuilt reads workbooks written here: titles above the header,
// shuffled columns, aliases and folded headers, the 1904 date system.
func TestReadBuilt(t *testing.T) {
	h1, h2, h3 := synthetic("010203", 'A', 901), synthetic("150575", '-', 955), synthetic("311299", 'Y', 999)
	f := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "asiakkaat"))
	yes := true
	must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	rows := [][]any{
		{"Asiakasseuranta"},
		{"päivitetty viikoittain"},
		{"tyosuhde", "Ohjattu", " HETU ", "Kotikunta", "PAATTYMINEN", "Maksupaivat", "Lisätieto"},
		{"Avoin", 44561, h1, 98, "31.12.2026", "1 073", "x"},
		{"PALKKATUKI", "1.2.2026", " " + strings.ToLower(h2) + " ", "Orimattila", nil, 12.5},
		{"määräaikainen", nil, h3, nil, nil, "kolme"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("asiakkaat", cell, &r))
	}
	must(f.SetCellStyle("asiakkaat", "B4", "B4", dateStyle))
	_, err = f.NewSheet("MUUNTO")
	must(err)
	for i, r := range [][]any{{"Koodi", "Henkilötunnus"}, {" TM-1 ", h1}, {"", h2}, {"TM-3", "not a code"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("MUUNTO", cell, &r))
	}
	path := filepath.Join(t.TempDir(), "seuranta.xlsx")
	must(f.SaveAs(path))
	must(f.Close())

	wb, err := tracking.Read(context.Background(), path, "seuranta.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(wb.Clients), 3; got != want {
		t.Fatalf("clients = %d, want %d", got, want)
	}
	c := wb.Clients[0]
	if c.Row != 4 || string(c.Hetu) != h1 || c.HetuColumn != "HETU" {
		t.Errorf("client 1 = row %d hetu column %q", c.Row, c.HetuColumn)
	}
	if want := (tracking.DateCell{Column: "Ohjattu", Raw: "1.1.2026", Present: true, Valid: true, Date: date(2026, 1, 1)}); c.Referral != want {
		t.Errorf("1904 referral = %+v, want %+v", c.Referral, want)
	}
	if c.End.Column != "PAATTYMINEN" || c.End.Date != date(2026, 12, 31) {
		t.Errorf("end = %+v", c.End)
	}
	if c.Municipality != "Hollola" {
		t.Errorf("Kotikunta 98 = %q, want Hollola", c.Municipality)
	}
	if c.EmploymentType != tracking.TypeOpen || c.TypeColumn != "tyosuhde" {
		t.Errorf("type = %v column %q", c.EmploymentType, c.TypeColumn)
	}
	if !c.DaysValid || !c.Days.Equal(decimal.NewFromInt(1073)) || c.DaysColumn != "Maksupaivat" {
		t.Errorf("days = %v %v column %q", c.Days, c.DaysValid, c.DaysColumn)
	}
	if c.Info.Column != "" || c.Info.Present {
		t.Errorf("info without a column = %+v", c.Info)
	}
	c2 := wb.Clients[1]
	if string(c2.Hetu) != h2 || !c2.HetuValid || c2.EmploymentType != tracking.TypeSubsidised || c2.Municipality != "Orimattila" {
		t.Errorf("client 2 = %+v", c2)
	}
	if !c2.Days.Equal(decimal.RequireFromString("12.5")) || c2.Referral.Date != date(2026, 2, 1) {
		t.Errorf("client 2 days %v referral %+v", c2.Days, c2.Referral)
	}
	c3 := wb.Clients[2]
	if c3.EmploymentType != tracking.TypeUnknown || c3.Referral.Present || c3.DaysValid || c3.DaysRaw != "kolme" {
		t.Errorf("client 3 = type %v referral %+v days %v %q", c3.EmploymentType, c3.Referral, c3.DaysValid, c3.DaysRaw)
	}
	wantCodes := []tracking.CodeRow{
		{Row: 2, HetuColumn: "Henkilötunnus", Hetu: hetu.Code(h1), HetuValid: true, Code: "TM-1", CodeColumn: "Koodi"},
		{Row: 4, HetuColumn: "Henkilötunnus", Code: "TM-3", CodeColumn: "Koodi"},
	}
	if !reflect.DeepEqual(wb.Codes, wantCodes) {
		t.Errorf("codes = %+v, want %+v", wb.Codes, wantCodes)
	}
}

func TestReadStructuralErrors(t *testing.T) {
	h := synthetic("010203", 'A', 901)
	tests := []struct {
		name   string
		sheets map[string][][]any
		is     error
		want   []string
	}{
		{
			name:   "no Muunto",
			sheets: map[string][][]any{"Asiakkaat": {{"Hetu", "Ohjattu"}, {h, "1.1.2026"}}},
			is:     sheet.ErrNoSheet,
			want:   []string{"x.xlsx", "Muunto"},
		},
		{
			name:   "no Ohjattu",
			sheets: map[string][][]any{"Asiakkaat": {{"Hetu", "Ohjatu"}, {h, "1.1.2026"}}, "Muunto": {{"Hetu", "Koodi"}}},
			is:     sheet.ErrMissingColumns,
			want:   []string{"x.xlsx", "Asiakkaat", `"Ohjattu"`},
		},
		{
			name:   "no Koodi",
			sheets: map[string][][]any{"Asiakkaat": {{"Hetu", "Ohjattu"}, {h, "1.1.2026"}}, "Muunto": {{"Hetu", "Code"}, {h, "TM-1"}}},
			is:     sheet.ErrMissingColumns,
			want:   []string{"Muunto", `"Koodi"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := excelize.NewFile()
			first := true
			for name, rows := range tt.sheets {
				if first {
					if err := f.SetSheetName("Sheet1", name); err != nil {
						t.Fatal(err)
					}
					first = false
				} else if _, err := f.NewSheet(name); err != nil {
					t.Fatal(err)
				}
				for i, r := range rows {
					cell, _ := excelize.CoordinatesToCellName(1, i+1)
					if err := f.SetSheetRow(name, cell, &r); err != nil {
						t.Fatal(err)
					}
				}
			}
			path := filepath.Join(t.TempDir(), "x.xlsx")
			if err := f.SaveAs(path); err != nil {
				t.Fatal(err)
			}
			_, err := tracking.Read(context.Background(), path, "x.xlsx")
			if !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want %v", err, tt.is)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), h) {
				t.Errorf("error %q holds an identity code", err)
			}
		})
	}
	t.Run("not a workbook", func(t *testing.T) {
		_, err := tracking.Read(context.Background(), filepath.Join("testdata", "missing.xlsx"), "missing.xlsx")
		if err == nil || !strings.Contains(err.Error(), "missing.xlsx") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestDamagedWorkbookNamedOnce: a workbook whose sheet fails its checksum
// while rows are read is a damaged-file error naming the file and sheet
// once (the sheet package's error says where already).
func TestDamagedWorkbookNamedOnce(t *testing.T) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Asiakkaat"); err != nil {
		t.Fatal(err)
	}
	// Enough rows that the damage near the end shows while rows are read,
	// after the header row has been found.
	rows := [][]any{{"Hetu", "Ohjattu"}}
	for range 20_000 {
		rows = append(rows, []any{synthetic("010203", 'A', 901), 46140})
	}
	rows = append(rows, []any{synthetic("010203", 'A', 901), 46150}) // a date serial, in the sheet's own XML
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Asiakkaat", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var packed bytes.Buffer
	if err := f.Write(&packed); err != nil {
		t.Fatal(err)
	}
	// Stored (uncompressed) parts, so that one digit can be changed in the
	// file without the checksum following it.
	zr, err := zip.NewReader(bytes.NewReader(packed.Bytes()), int64(packed.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var stored bytes.Buffer
	zw := zip.NewWriter(&stored)
	for _, zf := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(stored.Bytes(), []byte("<v>46150</v>"), []byte("<v>46151</v>"), 1)
	if bytes.Equal(bad, stored.Bytes()) {
		t.Fatal("the serial was not found in the stored workbook")
	}
	path := filepath.Join(t.TempDir(), "seuranta.xlsx")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = tracking.Read(context.Background(), path, "seuranta.xlsx")
	if !errors.Is(err, sheet.ErrDamaged) {
		t.Fatalf("err = %v, want ErrDamaged", err)
	}
	if n := strings.Count(err.Error(), "seuranta.xlsx"); n != 1 {
		t.Errorf("err = %q names the file %d times, want once", err, n)
	}
}
