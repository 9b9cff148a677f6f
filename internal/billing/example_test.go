package billing_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

// exampleFx rebuilds the public example (spec/examples/small) as parsed
// inputs: P = 2026-05, D = 22.6.2026, cap 100.00 €. The identity codes are the
// example's temporary codes (individual numbers 900–999).
func exampleFx(t *testing.T) *fx {
	t.Helper()
	f := newFx()
	f.cfg.Effectiveness.CapPerClient = dec("100.00")
	f.acc.Covered = map[period.Month]bool{}
	f.wb.File = "TyoMatka_seuranta.xlsx"

	h := func(s string) hetu.Code {
		c, err := hetu.Parse(s)
		if err != nil {
			t.Fatalf("example code: %v", err)
		}
		if !c.Temporary() {
			t.Fatal("example codes must be temporary codes")
		}
		return c
	}
	type row struct {
		row                             int
		hetu                            string // "" = invalid
		number, kunta                   string
		ref, info, start, end, emp, typ string
		days                            string
	}
	rows := []row{
		{3, "050190-907H", "2602001", "Lahti", "2026-02-02", "2026-02-09", "2026-03-02", "", "", "", "352"},
		{4, "250278-900W", "2512002", "Lahti", "2025-12-01", "2025-12-10", "2026-01-12", "2026-01-26", "2026-01-26", "avoin", ""},
		{5, "100583X9097", "2601003", "Hollola", "2026-01-05", "2026-01-05", "2026-03-09", "2026-03-23", "2026-03-23", "palkkatuki", "600"},
		{6, "260869Y973D", "2512004", "", "2025-12-15", "2026-01-08", "2026-01-19", "2026-01-30", "2026-01-30", "palkkatuettu", "520"},
		{7, "020695-923D", "2601005", "Lahti", "2026-01-07", "2026-01-14", "2026-01-21", "", "2026-01-28", "avoin", "715"},
		{9, "210501B920H", "2603006", "Lahti", "2026-03-10", "2026-03-03", "2026-03-16", "", "", "", "336"},
		{10, "070988-9548", "2602007", "Lahti", "2026-02-16", "2026-02-23", "2026-03-02", "", "2026-04-20", "", "180"},
		{11, "", "2603008", "Lahti", "2026-03-02", "2026-03-09", "2026-03-16", "", "", "", ""},
		{12, "060592W9509", "2603009", "Lahti", "2026-03-03", "2026-03-10", "2026-03-24", "", "", "", "250"},
		{13, "290803A9729", "2605010", "", "2026-05-04", "2026-05-29", "2026-06-08", "", "", "", ""},
		{14, "130785-919L", "2604011", "Heinola", "2026-04-14", "3.5.26", "2026-06-29", "", "", "", ""},
		{15, "250302C953T", "2602012", "Hollola", "2026-02-23", "", "2026-03-23", "", "2026-03-16", "avoin", "540"},
	}
	types := map[string]tracking.EmploymentType{"avoin": tracking.TypeOpen, "palkkatuki": tracking.TypeSubsidised, "palkkatuettu": tracking.TypeSubsidised}
	for _, r := range rows {
		c := tracking.Client{
			Row: r.row, HetuColumn: "Hetu", ClientNumber: r.number, Municipality: r.kunta,
			Referral: cell("Ohjattu", r.ref), Info: cell("Infotilaisuus", r.info), Start: cell("Aloitus", r.start),
			End: cell("Paattyminen", r.end), Employment: cell("Työllistyminen", r.emp),
			TypeColumn: "Työsuhde", TypeRaw: r.typ, EmploymentType: types[r.typ], DaysColumn: "Maksupäivät", DaysRaw: r.days,
		}
		if r.hetu != "" {
			c.Hetu, c.HetuValid = h(r.hetu), true
		}
		if r.days != "" {
			c.Days, c.DaysValid = dec(r.days), true
		}
		f.wb.Clients = append(f.wb.Clients, c)
	}
	for i, m := range [][2]string{
		{"050190-907H", "TM-0501"}, {"250278-900W", "TM-0502"}, {"100583X9097", "TM-0503"},
		{"260869Y973D", "TM-0504"}, {"020695-923D", "TM-0505"}, {"210501B920H", "TM-0506"},
		{"070988-9548", "TM-0507"}, {"290803A9729", "TM-0510"}, {"130785-919L", "TM-0511"},
		{"250302C953T", "TM-0512"},
	} {
		f.wb.Codes = append(f.wb.Codes, tracking.CodeRow{Row: i + 2, HetuColumn: "Henkilötunnus", Hetu: h(m[0]), HetuValid: true, Code: m[1]})
	}

	// The Kelmu lists in file and row order: hetu, month, paid, accrued, share, kunta.
	lists := [][6]string{
		{"050190-907H", "2025-12", "21", "330", "160", "Lahti"},
		{"050190-907H", "2026-01", "20", "350", "160", "Lahti"},
		{"050190-907H", "2026-02", "20", "370", "160.1", "Lahti"},
		{"250278-900W", "2025-12", "22", "250", "140", "Lahti"},
		{"250278-900W", "2026-01", "17", "267", "110", "Lahti"},
		{"100583X9097", "2025-12", "21", "590", "250", "Hollola"},
		{"100583X9097", "2026-01", "22", "612", "260", "Hollola"},
		{"100583X9097", "2026-02", "20", "632", "270", "Hollola"},
		{"260869Y973D", "2025-12", "21", "455", "150", "Lahti"},
		{"260869Y973D", "2026-01", "21", "476", "150", "Lahti"},
		{"260869Y973D", "2026-02", "2", "478", "20", "Lahti"},
		{"020695-923D", "2025-12", "22", "700", "170", "Lahti"},
		{"020695-923D", "2026-01", "20", "720", "160", "Lahti"},
		{"020695-923D", "2026-02", "4", "724", "35", "Lahti"},
		{"210501B920H", "2025-12", "20", "300", "100", "Lahti"},
		{"210501B920H", "2026-01", "20", "320", "100", "Lahti"},
		{"210501B920H", "2026-02", "20", "340", "100", "Lahti"},
		{"070988-9548", "2026-02", "20", "180", "120", "Lahti"},
		{"250302C953T", "2025-12", "21", "510", "180", "Hollola"},
		{"250302C953T", "2026-01", "20", "530", "175", "Hollola"},
		{"250302C953T", "2026-02", "21", "551", "185", "Hollola"},
		{"130970-9390", "2025-12", "21", "980", "205.4", "Lahti"},
		{"130970-9390", "2026-01", "21", "1001", "205.4", "Lahti"},
		{"130970-9390", "2026-02", "21", "1022", "205.4", "Lahti"},
		// kelmu_2026-03.csv
		{"050190-907H", "2026-03", "19", "389", "150.00", "Lahti"},
		{"100583X9097", "2026-03", "15", "647", "200.00", "Hollola"},
		{"260869Y973D", "2026-03", "3", "481", "30.00", "Orimattila"},
		{"210501B920H", "2026-03", "21", "361", "110.00", "Lahti"},
		{"070988-9548", "2026-03", "21", "201", "126.00", "Lahti"},
		{"060592W9509", "2026-03", "21", "260", "140.00", "Lahti"},
		{"250302C953T", "2026-03", "20", "571", "182.00", "Hollola"},
		{"130970-9390", "2026-03", "21", "1043", "205.40", "Lahti"},
		// kelmu_2026-04_2026-05.csv (the 2026-13 row is invalid, below)
		{"050190-907H", "2026-04", "15", "404", "120.05", "Lahti"},
		{"050190-907H", "2026-05", "10", "414", "80.00", "Lahti"},
		{"020695-923D", "2026-04", "18", "742", "190.00", "Lahti"},
		{"020695-923D", "2026-05", "21", "763", "220.00", "Lahti"},
		{"210501B920H", "2026-04", "10", "371", "100.00", "Lahti"},
		{"210501B920H", "2026-04", "10", "381", "30.00", "Lahti"},
		{"210501B920H", "2026-05", "19", "400", "94.85", "Lahti"},
		{"070988-9548", "2026-04", "12", "213", "60.00", "Lahti"},
		{"060592W9509", "2026-04", "22", "282", "150.00", "Lahti"},
		{"250302C953T", "2026-04", "21", "592", "190.00", "Hollola"},
		{"250302C953T", "2026-05", "22", "614", "200.00", "Hollola"},
		{"250302C953T", "2026-05", "0", "614", "-45.00", "Hollola"},
		{"130970-9390", "2026-04", "21", "1064", "205.40", "Lahti"},
		{"130970-9390", "2026-05", "21", "1085", "205.40", "Lahti"},
	}
	for _, l := range lists {
		f.add(h(l[0]), l[1], l[2], l[3], l[4], l[5])
	}
	f.acc.Invalid = []finding.Finding{finding.New(finding.AccrualRowInvalid, "kelmu_2026-04_2026-05.csv", "", 6, "Kuukausi", "Kuukausi on virheellinen.")}
	return f
}

// TestPublicExample reproduces the figures of the public worked example.
func TestPublicExample(t *testing.T) {
	res := exampleFx(t).run()

	got := make([]string, len(res.Lines))
	for i, l := range res.Lines {
		got[i] = fmt.Sprintf("%s %s %s %s %s %s", l.ClientCode, l.Type, l.Month, l.Municipality, l.Amount.StringFixed(2), l.VAT.StringFixed(2))
	}
	check(t, "lines", got, []string{
		"TM-0501 INFO 2026-02 Lahti 50.00 12.75",
		"TM-0501 ALOITUS 2026-03 Lahti 400.00 102.00",
		"TM-0501 VAIKUTTAVUUS 2026-04 Lahti 12.00 3.06",
		"TM-0501 VAIKUTTAVUUS 2026-05 Lahti 24.01 6.12",
		"TM-0502 ALOITUS 2026-01 Lahti 400.00 102.00",
		"TM-0502 TYOLLISTYMINEN 2026-01 Lahti 1500.00 382.50",
		"TM-0503 INFO 2026-01 Hollola 50.00 12.75",
		"TM-0503 ALOITUS 2026-03 Hollola 400.00 102.00",
		"TM-0503 VAIKUTTAVUUS 2026-04 Hollola 78.00 19.89",
		"TM-0503 VAIKUTTAVUUS 2026-05 Hollola 22.00 5.61",
		"TM-0504 INFO 2026-01 Orimattila 50.00 12.75",
		"TM-0504 ALOITUS 2026-01 Orimattila 400.00 102.00",
		"TM-0504 TYOLLISTYMINEN 2026-01 Orimattila 750.00 191.25",
		"TM-0505 INFO 2026-01 Lahti 50.00 12.75",
		"TM-0505 ALOITUS 2026-01 Lahti 400.00 102.00",
		"TM-0506 ALOITUS 2026-03 Lahti 400.00 102.00",
		"TM-0506 VAIKUTTAVUUS 2026-05 Lahti 1.55 0.40",
		"TM-0507 INFO 2026-02 Lahti 50.00 12.75",
		"TM-0507 ALOITUS 2026-03 Lahti 400.00 102.00",
		"TM-0507 VAIKUTTAVUUS 2026-05 Lahti 12.00 3.06",
		"TM-0510 INFO 2026-05 Lahti 50.00 12.75",
		"TM-0512 ALOITUS 2026-03 Hollola 400.00 102.00",
		"TM-0512 VAIKUTTAVUUS 2026-05 Hollola 7.50 1.91",
	})

	type total struct {
		count       int
		amount, vat string
	}
	sum := func(key func(billing.Line) string) map[string]total {
		m := map[string]total{}
		acc := map[string][2]decimal.Decimal{}
		for _, l := range res.Lines {
			k := key(l)
			a := acc[k]
			a[0], a[1] = a[0].Add(l.Amount), a[1].Add(l.VAT)
			acc[k] = a
			x := m[k]
			x.count++
			m[k] = x
		}
		for k, a := range acc {
			x := m[k]
			x.amount, x.vat = a[0].StringFixed(2), a[1].StringFixed(2)
			m[k] = x
		}
		return m
	}
	byType := sum(func(l billing.Line) string { return string(l.Type) })
	for typ, want := range map[string]total{
		"INFO": {6, "300.00", "76.50"}, "ALOITUS": {8, "3200.00", "816.00"},
		"TYOLLISTYMINEN": {2, "2250.00", "573.75"}, "VAIKUTTAVUUS": {7, "157.06", "40.05"},
	} {
		if got := byType[typ]; got != want {
			t.Errorf("%s totals = %+v, want %+v", typ, got, want)
		}
	}
	all := sum(func(billing.Line) string { return "" })[""]
	if want := (total{23, "5907.06", "1506.30"}); all != want {
		t.Errorf("totals = %+v, want %+v", all, want)
	}
	gross := dec("0")
	for _, l := range res.Lines {
		gross = gross.Add(l.Gross)
	}
	if got, want := gross.StringFixed(2), "7413.36"; got != want {
		t.Errorf("gross = %s, want %s", got, want)
	}
	byMuni := sum(func(l billing.Line) string { return l.Municipality })
	for muni, want := range map[string]total{
		"Lahti": {14, "3749.56", "956.14"}, "Hollola": {6, "957.50", "244.16"}, "Orimattila": {3, "1200.00", "306.00"},
	} {
		if got := byMuni[muni]; got != want {
			t.Errorf("%s totals = %+v, want %+v", muni, got, want)
		}
	}

	counts := finding.Count(res.Findings)
	for code, want := range map[finding.Code]int{
		finding.HetuInvalid: 1, finding.CodeMissing: 1, finding.DateOrder: 2, finding.DateFuture: 1,
		finding.DateInvalid: 1, finding.EmploymentType: 1, finding.PendingVerification: 1,
		finding.NotVerified: 1, finding.NoBaseline: 3, finding.AccrualRowInvalid: 1, finding.AccrualMismatch: 1,
	} {
		if got := counts[code]; got != want {
			t.Errorf("%s = %d, want %d", code, got, want)
		}
	}
	if got, want := len(res.Findings), 14; got != want {
		t.Errorf("len(findings) = %d, want %d", got, want)
	}
	check(t, "findings", findingStrings(res.Findings), []string{
		"Asiakkaat 4 NO_BASELINE Aloitus",
		"Asiakkaat 5 PENDING_VERIFICATION Työllistyminen",
		"Asiakkaat 6 NO_BASELINE Aloitus",
		"Asiakkaat 6 ACCRUAL_MISMATCH Maksupäivät",
		"Asiakkaat 7 NOT_VERIFIED Työllistyminen",
		"Asiakkaat 7 NO_BASELINE Aloitus",
		"Asiakkaat 9 DATE_ORDER Infotilaisuus",
		"Asiakkaat 10 EMPLOYMENT_TYPE Työsuhde",
		"Asiakkaat 11 HETU_INVALID Hetu",
		"Asiakkaat 12 CODE_MISSING Hetu",
		"Asiakkaat 14 DATE_FUTURE Aloitus",
		"Asiakkaat 14 DATE_INVALID Infotilaisuus",
		"Asiakkaat 15 DATE_ORDER Työllistyminen",
		"6 ACCRUAL_ROW_INVALID Kuukausi",
	})
}
