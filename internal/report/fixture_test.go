package report_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/accrual"
	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/finding"
	"tyomatka/internal/period"
	"tyomatka/internal/report"
)

var update = flag.Bool("update", false, "update golden files in testdata/")

func date(y int, m time.Month, d int) civil.Date { return civil.Date{Year: y, Month: m, Day: d} }

func datePtr(y int, m time.Month, d int) *civil.Date { v := date(y, m, d); return &v }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func testConfig() *config.Config {
	return &config.Config{
		Area:                "lahti",
		DefaultMunicipality: "Lahti",
		Contract: config.Contract{
			Name:       "TyöMatka 2026–2027",
			Provider:   "Esimerkki Valmennus Oy",
			ValidFrom:  date(2026, 1, 1),
			ValidTo:    date(2027, 12, 31),
			VATPercent: dec("25.5"),
		},
	}
}

// line builds an invoice line with VAT at 25.5 %, rounded like the engine.
func line(id, code, muni string, t billing.LineType, d civil.Date, amount string) billing.Line {
	a := dec(amount)
	vat := a.Mul(dec("25.5")).Div(decimal.NewFromInt(100)).Round(2)
	return billing.Line{
		ID: id, Key: "key-" + code, ClientCode: code, Municipality: muni, Type: t,
		Date: d, Month: period.Of(d), Amount: a, VAT: vat, Gross: a.Add(vat),
		Description: t.Finnish() + " " + code,
	}
}

// Values of the fixture that must never reach the provider report.
const (
	secretClientNumber = "2602901"
	secretShare        = "987.65"
	secretAccrued      = "4567"
	secretEffectA      = "12.34" // VAIKUTTAVUUS of one client in 2026-04
	secretEffectB      = "78.91" // …and of another; only their sum may show
	secretSelite       = "SELITE-X"
)

// fixture is a small run for P = 2026-05, D = 22.6.2026.
func fixture() *report.Input {
	lines := []billing.Line{
		line("6c1f0a9d2b7e4401", "TM-0501", "Lahti", billing.Info, date(2026, 3, 5), "50.00"),
		line("6c1f0a9d2b7e4402", "TM-0501", "Lahti", billing.Start, date(2026, 3, 10), "400.00"),
		line("6c1f0a9d2b7e4403", "TM-0501", "Lahti", billing.Effectiveness, date(2026, 4, 30), secretEffectA),
		line("7d2a1b0c3e8f5501", "TM-0502", "Hollola", billing.Employed, date(2026, 1, 26), "1500.00"),
		line("8e3b2c1d4f906601", "TM-0503", "Hollola", billing.Effectiveness, date(2026, 4, 30), secretEffectB),
		line("8e3b2c1d4f906602", "TM-0503", "Hollola", billing.Effectiveness, date(2026, 5, 31), "22.00"),
		line("9f4c3d2e5a017701", "TM-0504", "Orimattila", billing.Correction, date(2026, 5, 31), "-400.00"),
	}
	lines[6].Description = ""
	lines[6].Corrects = "1a2b3c4d5e6f7081"
	lines[6].CorrectsType, lines[6].CorrectsMonth = billing.Start, period.Month{Year: 2026, Month: 2}
	lines[3].Description = secretSelite
	findings := []finding.Finding{
		finding.New(finding.HetuInvalid, "TyoMatka_seuranta.xlsx", "Asiakkaat", 11, "Hetu", "Henkilötunnuksen tarkistusmerkki on väärä. Korjaa henkilötunnus."),
		{Severity: finding.Info, Code: finding.NoBaseline, File: "TyoMatka_seuranta.xlsx", Sheet: "Asiakkaat", Row: 4, Column: "Aloitus",
			ClientCode: "TM-0502", ClientNumber: secretClientNumber, Message: "Vertailukuukausilta puuttuu kertymätieto; vaikuttavuutta ei laskuteta."},
		finding.New(finding.AccrualGap, "", "", 0, "", "Kuukaudelta 2026-02 ei ole kertymälistaa."),
	}
	clients := []billing.Client{
		{Key: "key-TM-0501", ClientCode: "TM-0501", ClientNumber: "2602911", Municipality: "Lahti",
			Referral: date(2026, 2, 20), Info: datePtr(2026, 3, 5), Start: datePtr(2026, 3, 10)},
		{Key: "key-TM-0502", ClientCode: "TM-0502", ClientNumber: secretClientNumber, Municipality: "Hollola",
			Referral: date(2025, 12, 1), Start: datePtr(2026, 1, 5), Employment: datePtr(2026, 1, 26),
			Verification: billing.VerifyVerified, VerifiedIn: period.Month{Year: 2026, Month: 4}},
		{Key: "key-TM-0503", ClientCode: "TM-0503", ClientNumber: "2601913", Municipality: "Hollola",
			Referral: date(2026, 1, 10), Info: datePtr(2026, 1, 10), Start: datePtr(2026, 3, 2), Employment: datePtr(2026, 3, 23),
			Verification: billing.VerifyPending},
		{Key: "key-TM-0504", ClientCode: "TM-0504", ClientNumber: "2512914", Municipality: "Orimattila",
			Referral: date(2025, 12, 3), Employment: datePtr(2026, 2, 2), Verification: billing.VerifyRefused},
	}
	acc := []billing.ClientMonth{
		{ClientCode: "TM-0501", Month: period.Month{Year: 2026, Month: 3},
			MonthTotal: monthTotal(dec("21"), dec(secretAccrued), dec(secretShare), 1)},
		{ClientCode: "TM-0502", Month: period.Month{Year: 2026, Month: 4},
			MonthTotal: monthTotal(dec("0"), dec("455"), dec("-45.00"), 2)},
	}
	return &report.Input{
		Config: testConfig(),
		Period: period.Month{Year: 2026, Month: 5},
		AsOf:   date(2026, 6, 22),
		RunID:  "20260622T0700-lahti-2026-05",
		DryRun: true,
		Lines:  lines,
		Result: &billing.Result{Findings: findings, Clients: clients, Accruals: acc},
		Inputs: []report.InputFile{
			{Name: "TyoMatka_seuranta.xlsx", SHA256: strings.Repeat("ab", 32), Rows: 14},
			{Name: "kelmu_2026-03.csv", SHA256: strings.Repeat("cd", 32), Rows: 9},
		},
		Notes: []string{"Kuivaharjoitus: rivejä ei kirjattu laskutetuiksi."},
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if intended):\n--- got ---\n%s", name, got)
	}
}

func open(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// category classifies a cell as text, num, date or eur from its type and format.
func category(t testing.TB, f *excelize.File, sheet, ref string) string {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	switch typ {
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
		return "text"
	case excelize.CellTypeBool:
		return "bool"
	}
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	code := ""
	if st.CustomNumFmt != nil {
		code = *st.CustomNumFmt
	}
	switch {
	case strings.Contains(code, "€"):
		return "eur"
	case strings.Contains(code, "yyyy") || (st.NumFmt >= 14 && st.NumFmt <= 22):
		return "date"
	case st.NumFmt == 49:
		return "text"
	}
	return "num"
}

// dump renders every sheet's cells with their category, the formatted value
// where it differs from the raw one, column widths and frozen panes.
func dump(t *testing.T, data []byte) []byte {
	t.Helper()
	f := open(t, data)
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "== %s\n", sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if panes.Freeze {
			fmt.Fprintf(&b, "freeze: %s\n", panes.TopLeftCell)
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		ncol := 0
		for r, row := range rows {
			ncol = max(ncol, len(row))
			for c, v := range row {
				if v == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				cat := category(t, f, sheet, ref)
				fmt.Fprintf(&b, "%s %s %q", ref, cat, v)
				if cat == "date" || cat == "eur" {
					shown, err := f.GetCellValue(sheet, ref)
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(&b, " [%s]", shown)
				}
				b.WriteByte('\n')
			}
		}
		var widths []string
		for c := 1; c <= ncol; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			w, err := f.GetColWidth(sheet, name)
			if err != nil {
				t.Fatal(err)
			}
			widths = append(widths, fmt.Sprintf("%s=%g", name, w))
		}
		fmt.Fprintf(&b, "widths: %s\n", strings.Join(widths, " "))
	}
	return []byte(b.String())
}

// parts returns the xlsx package's parts by name.
func parts(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		m[zf.Name] = string(b)
	}
	return m
}

// sheetXML returns the worksheet part of the named sheet.
func sheetXML(t testing.TB, data []byte, sheet string) string {
	t.Helper()
	p := parts(t, data)
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal([]byte(p["xl/workbook.xml"]), &wb); err != nil {
		t.Fatal(err)
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal([]byte(p["xl/_rels/workbook.xml.rels"]), &rels); err != nil {
		t.Fatal(err)
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rel {
			if r.ID == s.RID {
				path := "xl/" + strings.TrimPrefix(r.Target, "/xl/")
				if x, ok := p[path]; ok {
					return x
				}
				t.Fatalf("sheet %s: part %s missing", sheet, path)
			}
		}
	}
	t.Fatalf("no sheet %q", sheet)
	return ""
}

// monthTotal is a month's accrual total with these sums, as rows rows.
func monthTotal(paid, accrued, share decimal.Decimal, rows int) accrual.MonthTotal {
	var t accrual.MonthTotal
	if err := t.AddRow(paid, accrued, share); err != nil {
		panic(err)
	}
	t.Rows = rows
	return t
}
