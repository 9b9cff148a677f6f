package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/period"
	"tyomatka/internal/report"
)

var writers = []struct {
	name  string
	write func(*report.Input) ([]byte, error)
}{
	{"invoice", report.InvoiceBasis},
	{"reconciliation", report.Reconciliation},
	{"provider", report.Provider},
}

func TestFileNames(t *testing.T) {
	inv, rec, prov := report.FileNames("lahti", period.Month{Year: 2026, Month: 10})
	got := []string{inv, rec, prov}
	want := []string{"Laskutusperuste_lahti_2026-10.xlsx", "Tasmaytys_lahti_2026-10.xlsx", "Palveluntuottaja_lahti_2026-10.xlsx"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestWorkbookGolden(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			data, err := w.write(fixture())
			if err != nil {
				t.Fatal(err)
			}
			golden(t, w.name+".golden", dump(t, data))
		})
	}
}

func TestWorkbookEmpty(t *testing.T) {
	in := fixture()
	in.Lines, in.Result = nil, nil
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			data, err := w.write(in)
			if err != nil {
				t.Fatal(err)
			}
			open(t, data)
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, w := range writers {
		t.Run(w.name, func(t *testing.T) {
			first, err := w.write(fixture())
			if err != nil {
				t.Fatal(err)
			}
			// Several tries: excelize orders streamed sheets by map iteration.
			for i := 0; i < 4; i++ {
				again, err := w.write(fixture())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again) {
					t.Fatalf("try %d: bytes differ between two runs on the same input", i)
				}
			}
			if got, want := parts(t, first)["docProps/core.xml"], "2026-06-22T00:00:00Z"; !strings.Contains(got, want) {
				t.Errorf("core properties %s lack the as-of date %s", got, want)
			}
		})
	}
}

// tableSheets lists each workbook's table sheets and their last column.
var tableSheets = map[string][]struct{ sheet, lastCol string }{
	"invoice":        {{report.SheetLines, "K"}},
	"reconciliation": {{report.SheetFindings, "I"}, {report.SheetAccruals, "E"}},
	"provider": {{report.SheetLines, "H"}, {report.SheetVerification, "C"},
		{report.SheetEffectiveness, "E"}, {report.SheetStatistics, "F"}},
}

func TestTableSheets(t *testing.T) {
	in := fixture()
	for _, w := range writers {
		data, err := w.write(in)
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, data)
		for _, ts := range tableSheets[w.name] {
			t.Run(w.name+"/"+ts.sheet, func(t *testing.T) {
				rows, err := f.GetRows(ts.sheet)
				if err != nil {
					t.Fatal(err)
				}
				n := len(rows)
				if ts.sheet == report.SheetStatistics {
					n = report.StatisticsMonths + 1 // a note follows the table
				}
				ref := fmt.Sprintf("A1:%s%d", ts.lastCol, n)
				x := sheetXML(t, data, ts.sheet)
				// excelize writes the filter range with absolute references.
				if want := `<autoFilter ref="` + ref + `"`; !strings.Contains(strings.ReplaceAll(x, "$", ""), want) {
					t.Errorf("worksheet lacks %s", want)
				}
				panes, err := f.GetPanes(ts.sheet)
				if err != nil {
					t.Fatal(err)
				}
				if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
					t.Errorf("panes = %+v, want the header row frozen", panes)
				}
				if got, want := category(t, f, ts.sheet, "A1"), "text"; got != want {
					t.Errorf("A1 is %s, want %s", got, want)
				}
				id, _ := f.GetCellStyle(ts.sheet, "A1")
				if st, _ := f.GetStyle(id); st.Font == nil || !st.Font.Bold {
					t.Errorf("header A1 is not bold")
				}
			})
		}
	}
}

// TestDimensions checks that every worksheet declares its used range:
// openpyxl's read-only mode trusts <dimension>, and excelize writes "A1"
// unless told otherwise.
func TestDimensions(t *testing.T) {
	for _, w := range writers {
		data, err := w.write(fixture())
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, data)
		for _, sheet := range f.GetSheetList() {
			t.Run(w.name+"/"+sheet, func(t *testing.T) {
				rows, err := f.GetRows(sheet)
				if err != nil {
					t.Fatal(err)
				}
				cols := 0
				for _, r := range rows {
					cols = max(cols, len(r))
				}
				last, _ := excelize.CoordinatesToCellName(cols, len(rows))
				re := regexp.MustCompile(`<dimension ref="([^"]*)"`)
				m := re.FindStringSubmatch(sheetXML(t, data, sheet))
				if m == nil {
					t.Fatal("no dimension element")
				}
				if got, want := m[1], "A1:"+last; got != want {
					t.Errorf("dimension = %s, want %s", got, want)
				}
			})
		}
	}
}

func TestInvoiceLineCells(t *testing.T) {
	in := fixture()
	data, err := report.InvoiceBasis(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, data)
	rows, err := f.GetRows(report.SheetLines)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[0], ","), "Rivitunnus,Koodi,Kunta,Laji,Päivä,Kuukausi,Määrä,ALV %,ALV,Yhteensä,Selite"; got != want {
		t.Fatalf("header = %s, want %s", got, want)
	}
	if got, want := len(rows)-1, len(in.Lines); got != want {
		t.Fatalf("%d data rows, want %d", got, want)
	}
	for i, l := range in.Lines {
		r := strconv.Itoa(i + 2)
		t.Run(l.ID, func(t *testing.T) {
			check := func(ref, wantCat, wantRaw string) {
				t.Helper()
				if got := category(t, f, report.SheetLines, ref); got != wantCat {
					t.Errorf("%s is %s, want %s", ref, got, wantCat)
				}
				raw, _ := f.GetCellValue(report.SheetLines, ref, excelize.Options{RawCellValue: true})
				if raw != wantRaw {
					t.Errorf("%s = %q, want %q", ref, raw, wantRaw)
				}
			}
			check("A"+r, "text", l.ID)
			check("D"+r, "text", string(l.Type))
			check("F"+r, "text", l.Month.String())
			check("G"+r, "eur", l.Amount.String())
			check("H"+r, "num", "25.5")
			check("I"+r, "eur", l.VAT.String())
			check("J"+r, "eur", l.Gross.String())
			if got := category(t, f, report.SheetLines, "E"+r); got != "date" {
				t.Errorf("Päivä is %s, want date", got)
			}
			raw, _ := f.GetCellValue(report.SheetLines, "E"+r, excelize.Options{RawCellValue: true})
			n, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				t.Fatalf("Päivä %q is not a serial: %v", raw, err)
			}
			tm, _ := excelize.ExcelDateToTime(n, false)
			if got := civil.DateOf(tm); got != l.Date {
				t.Errorf("Päivä = %s, want %s", got, l.Date)
			}
			shown, _ := f.GetCellValue(report.SheetLines, "E"+r)
			if want := fmt.Sprintf("%d.%d.%d", l.Date.Day, l.Date.Month, l.Date.Year); shown != want {
				t.Errorf("Päivä shown as %q, want %q", shown, want)
			}
		})
	}
}

func TestInvoiceChartAndValidation(t *testing.T) {
	data, err := report.InvoiceBasis(fixture())
	if err != nil {
		t.Fatal(err)
	}
	p := parts(t, data)
	chart, ok := p["xl/charts/chart1.xml"]
	if !ok {
		t.Fatal("no chart part")
	}
	for _, want := range []string{"Laskurivit lajeittain", "<barChart>", "Yhteenveto!$A$", "Yhteenveto!$C$"} {
		if !strings.Contains(chart, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if !strings.Contains(sheetXML(t, data, report.SheetSummary), "<drawing ") {
		t.Error("Yhteenveto has no drawing")
	}

	f := open(t, data)
	dvs, err := f.GetDataValidations(report.SheetApproval)
	if err != nil {
		t.Fatal(err)
	}
	if len(dvs) != 1 {
		t.Fatalf("%d data validations, want 1", len(dvs))
	}
	dv := dvs[0]
	if dv.Sqref != report.ApprovalDecisionCell || dv.Type != "list" || dv.Formula1 != `"Hyväksytty,Hylätty"` {
		t.Errorf("validation = sqref %s type %s formula %s, want a Hyväksytty/Hylätty list on %s",
			dv.Sqref, dv.Type, dv.Formula1, report.ApprovalDecisionCell)
	}
	if got := category(t, f, report.SheetApproval, report.ApprovalDateCell); got != "date" {
		// An empty cell has no type; check its style instead.
		id, _ := f.GetCellStyle(report.SheetApproval, report.ApprovalDateCell)
		st, _ := f.GetStyle(id)
		if st.CustomNumFmt == nil || *st.CustomNumFmt != "d.m.yyyy" {
			t.Errorf("approval date cell is not date-formatted")
		}
	}
}

func TestSummaryTotals(t *testing.T) {
	in := fixture()
	data, err := report.InvoiceBasis(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, data)
	rows, err := f.GetRows(report.SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// type → Kpl, Määrä, ALV, Yhteensä as the first table shows them
	got := map[string]string{}
	for _, r := range rows {
		if len(r) >= 5 && r[0] != "" {
			if _, seen := got[r[0]]; !seen {
				got[r[0]] = strings.Join(r[1:5], " ")
			}
		}
	}
	want := map[string]string{
		"INFO":           "1 50 12.75 62.75",
		"ALOITUS":        "1 400 102 502",
		"TYOLLISTYMINEN": "1 1500 382.5 1882.5",
		"VAIKUTTAVUUS":   "3 113.25 28.88 142.13",
		"OIKAISU":        "1 -400 -102 -502",
		"Yhteensä":       "7 1663.25 424.13 2087.38",
		"Hollola":        "3 1600.91 408.23 2009.14",
		"Lahti":          "3 462.34 117.9 580.24",
		"Orimattila":     "1 -400 -102 -502",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
}

func TestApprovalRoundTrip(t *testing.T) {
	in := fixture()
	blank, err := report.InvoiceBasis(in)
	if err != nil {
		t.Fatal(err)
	}
	fill := func(t *testing.T, vals map[string]any) []byte {
		t.Helper()
		f, err := excelize.OpenReader(bytes.NewReader(blank))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for ref, v := range vals {
			if err := f.SetCellValue(report.SheetApproval, ref, v); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	d := civil.Date{Year: 2026, Month: 6, Day: 25}
	tests := []struct {
		name    string
		vals    map[string]any
		want    report.Approval
		wantErr error
	}{
		{"blank", nil, report.Approval{}, nil},
		{"approved with date cell", map[string]any{
			report.ApprovalApproverCell: "Testi Hyväksyjä", report.ApprovalDateCell: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC),
			report.ApprovalDecisionCell: "Hyväksytty", report.ApprovalCommentCell: "Tarkistettu.",
		}, report.Approval{Approver: "Testi Hyväksyjä", Date: &d, Decision: report.DecisionApproved, Comment: "Tarkistettu."}, nil},
		{"rejected with text date", map[string]any{
			report.ApprovalApproverCell: "Testi Hyväksyjä", report.ApprovalDateCell: " 25.6.2026 ", report.ApprovalDecisionCell: "hylätty",
		}, report.Approval{Approver: "Testi Hyväksyjä", Date: &d, Decision: report.DecisionRejected}, nil},
		{"iso text date", map[string]any{report.ApprovalDateCell: "2026-06-25"}, report.Approval{Date: &d}, nil},
		{"unknown decision", map[string]any{report.ApprovalDecisionCell: "OK"}, report.Approval{}, report.ErrApproval},
		{"two-digit year", map[string]any{report.ApprovalDateCell: "25.6.26"}, report.Approval{}, report.ErrApproval},
		{"no such day", map[string]any{report.ApprovalDateCell: "31.6.2026"}, report.Approval{}, report.ErrApproval},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.ReadApproval(bytes.NewReader(fill(t, tt.vals)))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			tt.want.RunID, tt.want.Period = in.RunID, "2026-05"
			if got.Date == nil != (tt.want.Date == nil) || got.Date != nil && *got.Date != *tt.want.Date {
				t.Errorf("date = %v, want %v", got.Date, tt.want.Date)
			}
			got.Date, tt.want.Date = nil, nil
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("not an invoice basis", func(t *testing.T) {
		rec, err := report.Reconciliation(in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := report.ReadApproval(bytes.NewReader(rec)); err == nil {
			t.Error("want an error for a workbook without Hyväksyntä")
		}
	})
}

func TestProviderSmallCounts(t *testing.T) {
	in := fixture()
	var clients []billing.Client
	add := func(n int, m time.Month) {
		for i := 0; i < n; i++ {
			d := civil.Date{Year: 2026, Month: m, Day: 1 + i}
			clients = append(clients, billing.Client{ClientCode: fmt.Sprintf("TM-%02d%02d", m, i), Referral: d, Start: &d,
				Verification: billing.VerifyVerified, VerifiedIn: period.Month{Year: 2026, Month: m}})
		}
	}
	add(1, 2)
	add(4, 3)
	add(5, 4)
	// 2026-05 (= P) stays at 0; a referral before the 12-month window is not counted.
	clients = append(clients, billing.Client{ClientCode: "TM-OLD", Referral: civil.Date{Year: 2025, Month: 5, Day: 31}})
	in.Result.Clients = clients
	data, err := report.Provider(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, data)
	rows, err := f.GetRows(report.SheetStatistics)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rows[1][0], "2025-06"; got != want {
		t.Fatalf("first month %s, want %s", got, want)
	}
	tests := []struct {
		month    string
		want     string
		wantType string
	}{
		{"2026-05", "0", "num"},
		{"2026-02", "<5", "text"},
		{"2026-03", "<5", "text"},
		{"2026-04", "5", "num"},
		{"2025-06", "0", "num"},
	}
	for _, tt := range tests {
		t.Run(tt.month, func(t *testing.T) {
			r := 0
			for i, row := range rows {
				if len(row) > 0 && row[0] == tt.month {
					r = i + 1
				}
			}
			if r == 0 {
				t.Fatalf("no row for %s", tt.month)
			}
			// Ohjattu, Aloittanut and Todennettu all follow the same months here.
			for _, col := range []string{"B", "D", "F"} {
				ref := col + strconv.Itoa(r)
				got, _ := f.GetCellValue(report.SheetStatistics, ref)
				if got != tt.want {
					t.Errorf("%s = %q, want %q", ref, got, tt.want)
				}
				if cat := category(t, f, report.SheetStatistics, ref); cat != tt.wantType {
					t.Errorf("%s is %s, want %s", ref, cat, tt.wantType)
				}
			}
		})
	}
}

func TestProviderAnonymous(t *testing.T) {
	in := fixture()
	data, err := report.Provider(in)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for name, x := range parts(t, data) {
		all.WriteString(name + "\n" + x + "\n")
	}
	s := all.String()
	forbidden := []string{
		report.SheetAccruals, secretClientNumber, "2602911", "2601913", "2512914",
		secretShare, "987,65", secretAccrued, "-45", "455",
		secretEffectA, secretEffectB, secretSelite, "Hollola", "Orimattila",
	}
	for _, bad := range forbidden {
		if strings.Contains(s, bad) {
			t.Errorf("provider workbook contains %q", bad)
		}
	}
	// The month total of the two clients' VAIKUTTAVUUS does show; their
	// number, below five, as <5.
	f := open(t, data)
	rows, err := f.GetRows(report.SheetEffectiveness, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[1], " "), "2026-04 <5 91.25 23.27 114.52"; got != want {
		t.Errorf("2026-04 row = %q, want %q", got, want)
	}
	// The shared parts list every string; codes the provider knows are fine.
	if !strings.Contains(s, "TM-0502") {
		t.Error("client code missing from the provider workbook")
	}
}

func TestSummaryGolden(t *testing.T) {
	in := fixture()
	got, err := report.Summary(in, []report.OutputFile{{Name: "Laskutusperuste_lahti_2026-05.xlsx", SHA256: strings.Repeat("01", 32)}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "run-summary.golden.json", got)
	if !json.Valid(got) || !bytes.HasSuffix(got, []byte("}\n")) {
		t.Error("summary is not one JSON document ending in a newline")
	}
}

func TestSummaryFractionOfCent(t *testing.T) {
	in := fixture()
	in.Lines[0].Amount = dec("50.005")
	if _, err := report.Summary(in, nil); err == nil {
		t.Error("want an error for an amount that is not whole cents")
	}
}

// TestSummarySmallExample feeds the lines and findings of the public worked
// example and compares with its expected-run-summary.json.
func TestSummarySmallExample(t *testing.T) {
	want, err := os.ReadFile("../../../shared/spec/examples/small/expected-run-summary.json")
	if err != nil {
		t.Skip("public example not available:", err)
	}
	d := date(2026, 5, 31)
	var lines []billing.Line
	for _, l := range []struct {
		code   string
		typ    billing.LineType
		amount string
	}{
		{"TM-0501", billing.Info, "50.00"}, {"TM-0501", billing.Start, "400.00"}, {"TM-0501", billing.Effectiveness, "12.00"}, {"TM-0501", billing.Effectiveness, "24.01"},
		{"TM-0502", billing.Start, "400.00"}, {"TM-0502", billing.Employed, "1500.00"},
		{"TM-0503", billing.Info, "50.00"}, {"TM-0503", billing.Start, "400.00"}, {"TM-0503", billing.Effectiveness, "78.00"}, {"TM-0503", billing.Effectiveness, "22.00"},
		{"TM-0504", billing.Info, "50.00"}, {"TM-0504", billing.Start, "400.00"}, {"TM-0504", billing.Employed, "750.00"},
		{"TM-0505", billing.Info, "50.00"}, {"TM-0505", billing.Start, "400.00"},
		{"TM-0506", billing.Start, "400.00"}, {"TM-0506", billing.Effectiveness, "1.55"},
		{"TM-0507", billing.Info, "50.00"}, {"TM-0507", billing.Start, "400.00"}, {"TM-0507", billing.Effectiveness, "12.00"},
		{"TM-0510", billing.Info, "50.00"},
		{"TM-0512", billing.Start, "400.00"}, {"TM-0512", billing.Effectiveness, "7.50"},
	} {
		lines = append(lines, line("id", l.code, "Lahti", l.typ, d, l.amount))
	}
	var fs []finding.Finding
	for c, n := range map[finding.Code]int{finding.HetuInvalid: 1, finding.CodeMissing: 1, finding.DateOrder: 2, finding.DateFuture: 1,
		finding.DateInvalid: 1, finding.EmploymentType: 1, finding.PendingVerification: 1, finding.NotVerified: 1,
		finding.NoBaseline: 3, finding.AccrualRowInvalid: 1, finding.AccrualMismatch: 1} {
		for range n {
			fs = append(fs, finding.New(c, "", "", 0, "", ""))
		}
	}
	in := fixture()
	in.Lines, in.Result = lines, &billing.Result{Findings: fs}
	got, err := report.Summary(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	var g, w map[string]json.RawMessage
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	// The example has no corrections; where its expected summary predates
	// the zero OIKAISU entry, that entry is the only difference allowed.
	if !bytes.Contains(w["lines"], []byte(`"OIKAISU"`)) {
		wl := bytes.TrimSuffix(bytes.TrimSpace(w["lines"]), []byte("}"))
		w["lines"] = append(wl, []byte(`,"OIKAISU":{"count":0,"amount_cents":0,"vat_cents":0}}`)...)
	}
	// Likewise the bot's own codes, listed after the spec's.
	if !bytes.Contains(w["findings"], []byte(`"HETU_MISPLACED"`)) {
		wf := bytes.TrimSuffix(bytes.TrimSpace(w["findings"]), []byte("}"))
		w["findings"] = append(wf, []byte(`,"HETU_MISPLACED":0,"ACCRUAL_LIST_MISSING":0}`)...)
	}
	// Key order matters too (lines in type order, findings in code order),
	// so compare the indented text of each object.
	for _, k := range []string{"lines", "totals", "findings"} {
		var gi, wi bytes.Buffer
		_ = json.Indent(&gi, g[k], "", "  ")
		_ = json.Indent(&wi, w[k], "", "  ")
		if gi.String() != wi.String() {
			t.Errorf("%s:\n got %s\nwant %s", k, gi.String(), wi.String())
		}
	}
}

// TestEveryLineType checks that a month without corrections still reports
// OIKAISU with zeros, after the four other types, in run-summary.json and in
// the invoice basis's type table.
func TestEveryLineType(t *testing.T) {
	in := fixture()
	in.Lines = in.Lines[:6] // no OIKAISU
	got, err := report.Summary(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Lines json.RawMessage `json:"lines"`
	}
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc.Lines); err != nil {
		t.Fatal(err)
	}
	doc.Lines = compact.Bytes()
	keys := regexp.MustCompile(`"([A-Z]+)":\{`).FindAllSubmatch(doc.Lines, -1)
	var order []string
	for _, k := range keys {
		order = append(order, string(k[1]))
	}
	if got, want := strings.Join(order, " "), "INFO ALOITUS TYOLLISTYMINEN VAIKUTTAVUUS OIKAISU"; got != want {
		t.Errorf("summary line types %q, want %q", got, want)
	}
	if !bytes.Contains(doc.Lines, []byte(`"OIKAISU":{"count":0,"amount_cents":0,"vat_cents":0}`)) {
		t.Errorf("summary lines lack a zero OIKAISU: %s", doc.Lines)
	}

	data, err := report.InvoiceBasis(in)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := open(t, data).GetRows(report.SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var table []string
	for _, r := range rows {
		if len(r) >= 5 && r[0] != "" {
			table = append(table, strings.Join(r[:5], " "))
			if r[0] == "Yhteensä" {
				break // the municipality table follows
			}
		}
	}
	want := []string{
		"Laji Kpl Määrä € ALV € Yhteensä €",
		"INFO 1 50 12.75 62.75",
		"ALOITUS 1 400 102 502",
		"TYOLLISTYMINEN 1 1500 382.5 1882.5",
		"VAIKUTTAVUUS 3 113.25 28.88 142.13",
		"OIKAISU 0 0 0 0",
		"Yhteensä 6 2063.25 526.13 2589.38",
	}
	if got := strings.Join(table, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("type table:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

// TestProviderCorrections: an OIKAISU of an INFO line is listed for its
// client with the corrected id; an OIKAISU of a VAIKUTTAVUUS line only adds
// to the month's effectiveness total. The corrected type decides, never the
// Selite: the second effectiveness correction has the Selite a correction of
// a released original once had, and the INFO correction's Selite reads like
// an effectiveness one.
func TestProviderCorrections(t *testing.T) {
	const (
		infoOrig    = "5b0e9f8c7d6a3301"
		effectOrig  = "8e3b2c1d4f906600"
		effectCorr  = "33.17" // derived from one person's Kela amounts
		effectOrig2 = "8e3b2c1d4f906603"
		effectCorr2 = "-6.00"
	)
	in := fixture()
	info := line("a1b2c3d4e5f60001", "TM-0501", "Lahti", billing.Correction, date(2026, 5, 31), "-50.00")
	info.Corrects, info.CorrectsType, info.CorrectsMonth = infoOrig, billing.Info, period.Month{Year: 2026, Month: 3}
	info.Description = "Oikaisu riviin " + infoOrig + " (Vaikuttavuus 2026-03): infotilaisuuden päivä on poistettu tai siirretty niin, ettei se enää täytä laskutuksen ehtoja. Aiemmin laskutettu 50,00 €, nyt peruste 0,00 €."
	effect := line("a1b2c3d4e5f60002", "TM-0503", "Hollola", billing.Correction, date(2026, 5, 31), effectCorr)
	effect.Corrects, effect.CorrectsType, effect.CorrectsMonth = effectOrig, billing.Effectiveness, period.Month{Year: 2026, Month: 3}
	effect.Description = "Oikaisu riviin " + effectOrig + " (Vaikuttavuus 2026-03): Kelan oikaisu muutti kuukauden tai lähtötason kunnan osuutta (tai asiakaskohtainen katto). Aiemmin laskutettu 45,66 €, nyt peruste 78,83 €."
	effect2 := line("a1b2c3d4e5f60003", "TM-0503", "Hollola", billing.Correction, date(2026, 5, 31), effectCorr2)
	effect2.Corrects, effect2.CorrectsType, effect2.CorrectsMonth = effectOrig2, billing.Effectiveness, period.Month{Year: 2026, Month: 4}
	effect2.Description = "Oikaisu riviin " + effectOrig2 + " (): laskutuksen peruste on muuttunut. Aiemmin laskutettu 6,00 €, nyt peruste 0,00 €."
	in.Lines = append(in.Lines, info, effect, effect2)
	data, err := report.Provider(in)
	if err != nil {
		t.Fatal(err)
	}
	f := open(t, data)

	rows, err := f.GetRows(report.SheetLines, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[0], " "), "Koodi Laji Päivä Määrä ALV Yhteensä Rivitunnus Oikaisee"; got != want {
		t.Errorf("header %q, want %q", got, want)
	}
	var corrections []string
	for _, r := range rows[1:] {
		if len(r) > 1 && r[1] == string(billing.Correction) {
			corrections = append(corrections, strings.Join(append(r[:2:2], r[3:]...), " "))
		}
	}
	want := []string{
		"TM-0504 OIKAISU -400 -102 -502 9f4c3d2e5a017701 1a2b3c4d5e6f7081",
		"TM-0501 OIKAISU -50 -12.75 -62.75 a1b2c3d4e5f60001 " + infoOrig,
	}
	if got := strings.Join(corrections, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("OIKAISU rows:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}

	rows, err = f.GetRows(report.SheetEffectiveness, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	// 2026-05: TM-0503's 22.00 and its corrections 33.17 and -6.00.
	if got, want := strings.Join(rows[2], " "), "2026-05 <5 49.17 12.54 61.71"; got != want {
		t.Errorf("2026-05 row = %q, want %q", got, want)
	}

	var all strings.Builder
	for _, x := range parts(t, data) {
		all.WriteString(x)
	}
	for _, bad := range []string{effectCorr, effectOrig, effect.ID, effectOrig2, effect2.ID, "45,66", "78,83", "45.66", "78.83", secretEffectA, secretEffectB} {
		if strings.Contains(all.String(), bad) {
			t.Errorf("provider workbook contains %q", bad)
		}
	}
}

// TestCorrectionOfUnknownTypeRefused: a correction that does not say what
// type of line it corrects is refused by every workbook, rather than shown
// per client to the provider or unexplained to finance.
func TestCorrectionOfUnknownTypeRefused(t *testing.T) {
	for _, typ := range []billing.LineType{"", billing.Correction} {
		in := fixture()
		in.Lines[6].CorrectsType = typ
		for name, render := range map[string]func(*report.Input) ([]byte, error){
			"invoice": report.InvoiceBasis, "provider": report.Provider, "reconciliation": report.Reconciliation,
		} {
			_, err := render(in)
			if err == nil || !strings.Contains(err.Error(), "OIKAISU 9f4c3d2e5a017701 of client TM-0504 corrects line 1a2b3c4d5e6f7081 of unknown type") {
				t.Errorf("%s with a correction of type %q: err %v, want it refused", name, typ, err)
			}
		}
	}
}

// TestTableContinues: a table longer than a sheet holds goes on over sheets
// "name (2)", "name (3)", … right after the first, each with the header,
// frozen and filtered, every row once and in order; approval still reads.
func TestTableContinues(t *testing.T) {
	in := fixture()
	for len(in.Lines) < 5 {
		in.Lines = append(in.Lines, in.Lines...)
	}
	for i := range in.Lines {
		in.Lines[i].ID = fmt.Sprintf("L-%02d", i) // distinct, to follow the order
	}
	acc := in.Result.Accruals
	for k := 1; k <= 2; k++ {
		for _, a := range acc[:2] {
			a.Month = a.Month.Add(k)
			in.Result.Accruals = append(in.Result.Accruals, a)
		}
	}
	whole := map[string][][]string{}
	for _, w := range writers {
		data, err := w.write(in)
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, data)
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			whole[w.name+"/"+sheet] = rows
		}
	}

	report.SetMaxTableRows(t, 2)
	for _, w := range writers {
		data, err := w.write(in)
		if err != nil {
			t.Fatal(err)
		}
		f := open(t, data)
		list := f.GetSheetList()
		for _, ts := range tableSheets[w.name] {
			want := whole[w.name+"/"+ts.sheet]
			if len(want) <= 3 || ts.sheet == report.SheetStatistics {
				continue // fits on one sheet; Tilastot is not a streamed table
			}
			t.Run(w.name+"/"+ts.sheet, func(t *testing.T) {
				at := slices.Index(list, ts.sheet)
				got := [][]string{want[0]}
				parts := (len(want) - 1 + 1) / 2 // data rows over sheets of two
				for p := 1; p <= parts; p++ {
					name := ts.sheet
					if p > 1 {
						name = fmt.Sprintf("%s (%d)", ts.sheet, p)
					}
					if at+p-1 >= len(list) || list[at+p-1] != name {
						t.Fatalf("sheets %v: want %s at %d", list, name, at+p-1)
					}
					rows, err := f.GetRows(name)
					if err != nil {
						t.Fatal(err)
					}
					if len(rows) < 2 || len(rows) > 3 || !slices.Equal(rows[0], want[0]) {
						t.Fatalf("%s: %d rows, header %v", name, len(rows), rows[0])
					}
					if panes, _ := f.GetPanes(name); !panes.Freeze || panes.YSplit != 1 {
						t.Errorf("%s: header not frozen", name)
					}
					if x := sheetXML(t, data, name); !strings.Contains(x, "<autoFilter") {
						t.Errorf("%s: no filter", name)
					}
					got = append(got, rows[1:]...)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("rows over the sheets differ from the one-sheet table:\n got %v\nwant %v", got, want)
				}
			})
		}
	}
	// The approval sheet keeps its place and is read as before.
	data, err := report.InvoiceBasis(in)
	if err != nil {
		t.Fatal(err)
	}
	if list := open(t, data).GetSheetList(); list[len(list)-1] != report.SheetApproval {
		t.Errorf("sheets %v: the approval sheet is no longer last", list)
	}
	if _, err := report.ReadApproval(bytes.NewReader(data)); err != nil {
		t.Errorf("read approval: %v", err)
	}
}
