package billing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"tyomatka/internal/accrual"
	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

type ruleCase struct {
	name     string
	setup    func(f *fx)
	lines    []string // lineStrings of Result.Lines
	findings []string // findingStrings of Result.Findings
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx()
			tc.setup(f)
			res := f.run()
			check(t, "lines", lineStrings(res.Lines), tc.lines)
			check(t, "findings", findingStrings(res.Findings), tc.findings)
		})
	}
}

// TestMilestoneWindow covers the billing window of INFO and ALOITUS:
// valid_from, valid_to, End(P), D and the referral date, each at its edge.
func TestMilestoneWindow(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "info on valid_from is billed",
			setup: func(f *fx) { f.client(1, "2025-12-01").Info = cell("Infotilaisuus", "2026-01-01") },
			lines: []string{"TM-0001 INFO 2026-01-01 50.00"}},
		{name: "info the day before valid_from is not billed and not reported",
			setup: func(f *fx) { f.client(1, "2025-12-01").Info = cell("Infotilaisuus", "2025-12-31") }},
		{name: "info on valid_to is billed",
			setup: func(f *fx) {
				f.cfg.Contract.ValidTo = date("2026-03-31")
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-31")
			},
			lines: []string{"TM-0001 INFO 2026-03-31 50.00"}},
		{name: "info the day after valid_to is not billed and not reported",
			setup: func(f *fx) {
				f.cfg.Contract.ValidTo = date("2026-03-31")
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-04-01")
			}},
		{name: "info on End(P) is billed",
			setup: func(f *fx) { f.client(1, "2026-05-01").Info = cell("Infotilaisuus", "2026-05-31") },
			lines: []string{"TM-0001 INFO 2026-05-31 50.00"}},
		{name: "info after End(P) but before D is not due yet, no finding",
			setup: func(f *fx) { f.client(1, "2026-05-01").Info = cell("Infotilaisuus", "2026-06-01") }},
		{name: "info on D is billed",
			setup: func(f *fx) {
				f.P = month("2026-06")
				f.client(1, "2026-06-01").Info = cell("Infotilaisuus", "2026-06-22")
			},
			lines: []string{"TM-0001 INFO 2026-06-22 50.00"}},
		{name: "info the day after D is DATE_FUTURE",
			setup: func(f *fx) {
				f.P = month("2026-06")
				f.client(1, "2026-06-01").Info = cell("Infotilaisuus", "2026-06-23")
			},
			findings: []string{"Asiakkaat 2 DATE_FUTURE Infotilaisuus"}},
		{name: "info on the referral day is billed",
			setup: func(f *fx) { f.client(1, "2026-03-10").Info = cell("Infotilaisuus", "2026-03-10") },
			lines: []string{"TM-0001 INFO 2026-03-10 50.00"}},
		{name: "info before referral is DATE_ORDER, the start is still billed",
			setup: func(f *fx) {
				c := f.client(1, "2026-03-10")
				c.Info = cell("Infotilaisuus", "2026-03-09")
				c.Start = cell("Aloitus", "2026-03-16")
			},
			lines:    []string{"TM-0001 ALOITUS 2026-03-16 400.00"},
			findings: []string{"Asiakkaat 2 DATE_ORDER Infotilaisuus"}},
		{name: "info date findings are given outside the billing window too",
			setup: func(f *fx) {
				c := f.client(1, "2025-06-10")
				c.Info = cell("Infotilaisuus", "2025-06-09")
			},
			findings: []string{"Asiakkaat 2 DATE_ORDER Infotilaisuus"}},
		{name: "start on valid_from is billed",
			setup: func(f *fx) { f.client(1, "2025-12-01").Start = cell("Aloitus", "2026-01-01") },
			lines: []string{"TM-0001 ALOITUS 2026-01-01 400.00"}},
		{name: "start the day before valid_from is not billed",
			setup: func(f *fx) { f.client(1, "2025-12-01").Start = cell("Aloitus", "2025-12-31") }},
		{name: "start on End(P) is billed, start after End(P) is not due",
			setup: func(f *fx) {
				f.client(1, "2026-05-01").Start = cell("Aloitus", "2026-05-31")
				f.client(2, "2026-05-01").Start = cell("Aloitus", "2026-06-01")
			},
			lines: []string{"TM-0001 ALOITUS 2026-05-31 400.00"}},
		{name: "start before referral is DATE_ORDER",
			setup:    func(f *fx) { f.client(1, "2026-03-10").Start = cell("Aloitus", "2026-03-09") },
			findings: []string{"Asiakkaat 2 DATE_ORDER Aloitus"}},
		{name: "start after D is DATE_FUTURE",
			setup:    func(f *fx) { f.client(1, "2026-03-10").Start = cell("Aloitus", "2026-06-29") },
			findings: []string{"Asiakkaat 2 DATE_FUTURE Aloitus"}},
		{name: "unparseable info counts as absent",
			setup: func(f *fx) {
				c := f.client(1, "2026-03-10")
				c.Info = cell("Infotilaisuus", "3.5.26")
				c.Start = cell("Aloitus", "2026-03-16")
			},
			lines:    []string{"TM-0001 ALOITUS 2026-03-16 400.00"},
			findings: []string{"Asiakkaat 2 DATE_INVALID Infotilaisuus"}},
		{name: "Päättyminen is checked for parseability only",
			setup: func(f *fx) {
				c := f.client(1, "2026-03-10")
				c.Info = cell("Infotilaisuus", "2026-03-11")
				c.End = cell("Päättyminen", "2026-03-01") // before referral and info: no rule
				c2 := f.client(2, "2026-03-10")
				c2.End = cell("Päättyminen", "2027-01-01") // after D: no rule
				c3 := f.client(3, "2026-03-10")
				c3.End = cell("Päättyminen", "ensi viikolla")
			},
			lines:    []string{"TM-0001 INFO 2026-03-11 50.00"},
			findings: []string{"Asiakkaat 4 DATE_INVALID Päättyminen"}},
	})
}

// TestSkippedRows covers §3.1: one finding per skipped row, in the spec's
// order, and nothing else about it.
func TestSkippedRows(t *testing.T) {
	// dup adds another Asiakkaat row for person n at row, without Muunto.
	dup := func(f *fx, n, row int, ref string) *tracking.Client {
		c := *f.client(n, ref)
		f.wb.Clients = f.wb.Clients[:len(f.wb.Clients)-1]
		f.wb.Codes = f.wb.Codes[:len(f.wb.Codes)-1]
		c.Row = row
		f.wb.Clients = append(f.wb.Clients, c)
		return &f.wb.Clients[len(f.wb.Clients)-1]
	}
	runRuleCases(t, []ruleCase{
		{name: "invalid identity code",
			setup: func(f *fx) {
				c := f.client(1, "")
				c.HetuValid, c.Hetu = false, ""
				c.Info = cell("Infotilaisuus", "bad")
			},
			findings: []string{"Asiakkaat 2 HETU_INVALID Henkilötunnus"}},
		{name: "missing referral",
			setup: func(f *fx) {
				c := f.client(1, "")
				c.Info = cell("Infotilaisuus", "bad")
			},
			findings: []string{"Asiakkaat 2 REFERRAL_MISSING Ohjattu"}},
		{name: "unparseable referral",
			setup:    func(f *fx) { f.client(1, "10.3.26") },
			findings: []string{"Asiakkaat 2 REFERRAL_MISSING Ohjattu"}},
		{name: "referral on D is fine",
			setup: func(f *fx) { f.client(1, "2026-06-22") }},
		{name: "referral after D skips the row with DATE_FUTURE only",
			setup: func(f *fx) {
				c := f.client(1, "2026-06-23")
				c.Info = cell("Infotilaisuus", "2026-06-01")
				c.DaysRaw = "x"
			},
			findings: []string{"Asiakkaat 2 DATE_FUTURE Ohjattu"}},
		{name: "two rows of one person give two CLIENT_DUPLICATE",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				dup(f, 1, 5, "2026-03-01")
			},
			findings: []string{"Asiakkaat 2 CLIENT_DUPLICATE Henkilötunnus", "Asiakkaat 5 CLIENT_DUPLICATE Henkilötunnus"}},
		{name: "a row skipped for its referral does not make a duplicate",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				dup(f, 1, 5, "")
				dup(f, 1, 6, "2026-07-01")
			},
			lines:    []string{"TM-0001 INFO 2026-03-02 50.00"},
			findings: []string{"Asiakkaat 5 REFERRAL_MISSING Ohjattu", "Asiakkaat 6 DATE_FUTURE Ohjattu"}},
		{name: "a duplicate without a code is CLIENT_DUPLICATE only",
			setup: func(f *fx) {
				dup(f, 1, 2, "2026-03-01")
				dup(f, 1, 3, "2026-03-01")
			},
			findings: []string{"Asiakkaat 2 CLIENT_DUPLICATE Henkilötunnus", "Asiakkaat 3 CLIENT_DUPLICATE Henkilötunnus"}},
		{name: "invalid referral and duplicate gives REFERRAL_MISSING only",
			setup: func(f *fx) {
				dup(f, 1, 2, "")
				dup(f, 1, 3, "")
			},
			findings: []string{"Asiakkaat 2 REFERRAL_MISSING Ohjattu", "Asiakkaat 3 REFERRAL_MISSING Ohjattu"}},
		{name: "no code in Muunto",
			setup:    func(f *fx) { dup(f, 1, 2, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-01") },
			findings: []string{"Asiakkaat 2 CODE_MISSING Henkilötunnus"}},
		{name: "person with two codes",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				f.code(9, 1, "TM-0901")
			},
			findings: []string{"Asiakkaat 2 CODE_DUPLICATE Henkilötunnus"}},
		{name: "same person and same code twice is not a duplicate",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				f.code(9, 1, code(1))
			},
			lines: []string{"TM-0001 INFO 2026-03-02 50.00"}},
		{name: "two persons sharing a code give one CODE_DUPLICATE per row",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				f.client(2, "2026-03-01")
				f.wb.Codes[1].Code = code(1)
				f.client(3, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
			},
			lines:    []string{"TM-0003 INFO 2026-03-02 50.00"},
			findings: []string{"Asiakkaat 2 CODE_DUPLICATE Henkilötunnus", "Asiakkaat 3 CODE_DUPLICATE Henkilötunnus"}},
		{name: "a code shared with a person who is only in Muunto",
			setup: func(f *fx) {
				f.client(1, "2026-03-01")
				f.code(7, 7, code(1))
			},
			findings: []string{"Asiakkaat 2 CODE_DUPLICATE Henkilötunnus"}},
		{name: "Muunto row with an invalid identity code is reported and ignored",
			setup: func(f *fx) {
				f.client(1, "2026-03-01").Info = cell("Infotilaisuus", "2026-03-02")
				// Same code on an invalid row: it must not make TM-0001 ambiguous.
				f.wb.Codes = append(f.wb.Codes, tracking.CodeRow{Row: 9, HetuColumn: "Hetu", Code: code(1)})
				dup(f, 2, 3, "2026-03-01")
				f.wb.Codes = append(f.wb.Codes, tracking.CodeRow{Row: 10, HetuColumn: "Hetu", Code: code(2)})
			},
			lines: []string{"TM-0001 INFO 2026-03-02 50.00"},
			findings: []string{"Asiakkaat 3 CODE_MISSING Henkilötunnus",
				"Muunto 9 HETU_INVALID Hetu", "Muunto 10 HETU_INVALID Hetu"}},
	})
}

// TestEmployment covers TYOLLISTYMINEN: date rules, type and verification.
// The client starts 12.1.2026; V of an employment in 01/2026 is 02–04.
func TestEmployment(t *testing.T) {
	employed := func(f *fx, e string, typ tracking.EmploymentType) *tracking.Client {
		c := f.client(1, "2025-12-01")
		c.Start = cell("Aloitus", "2026-01-12")
		c.Employment = cell("Työllistyminen", e)
		c.EmploymentType = typ
		c.TypeRaw = map[tracking.EmploymentType]string{tracking.TypeOpen: "avoin", tracking.TypeSubsidised: "palkkatuki"}[typ]
		return c
	}
	start := "TM-0001 ALOITUS 2026-01-12 400.00"
	runRuleCases(t, []ruleCase{
		{name: "verified with no benefit days",
			setup: func(f *fx) { employed(f, "2026-01-26", tracking.TypeOpen) },
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-26 1500.00"}},
		{name: "subsidised fee",
			setup: func(f *fx) { employed(f, "2026-01-26", tracking.TypeSubsidised) },
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-26 750.00"}},
		{name: "days equal to the limit are verified",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen)
				f.row(1, "2026-02", "2", "400", "20", "")
				f.row(1, "2026-03", "3", "403", "30", "")
				f.row(1, "2026-05", "9", "412", "90", "") // outside V
			},
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-26 1500.00"}},
		{name: "one day over the limit is NOT_VERIFIED",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen)
				f.row(1, "2026-02", "3", "400", "20", "")
				f.row(1, "2026-04", "3", "403", "30", "")
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 NOT_VERIFIED Työllistyminen"}},
		{name: "corrections count towards the days",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen)
				f.row(1, "2026-02", "3", "400", "20", "")
				f.row(1, "2026-03", "3", "403", "30", "")
				f.row(1, "2026-03", "-1", "403", "-10", "")
			},
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-26 1500.00"}},
		{name: "a sustain month after P is pending",
			setup:    func(f *fx) { employed(f, "2026-03-10", tracking.TypeOpen) },
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 PENDING_VERIFICATION Työllistyminen"}},
		{name: "pending even when known months already exceed the limit",
			setup: func(f *fx) {
				employed(f, "2026-03-10", tracking.TypeOpen)
				f.row(1, "2026-04", "20", "400", "200", "")
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 PENDING_VERIFICATION Työllistyminen"}},
		{name: "the last sustain month equal to P verifies",
			setup: func(f *fx) { employed(f, "2026-02-27", tracking.TypeOpen) },
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-02-27 1500.00"}},
		{name: "an uncovered sustain month is pending",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen)
				f.uncover("2026-03")
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 PENDING_VERIFICATION Työllistyminen", "0 ACCRUAL_GAP Kuukausi"}},
		{name: "zero sustain months verify at once",
			setup: func(f *fx) {
				f.cfg.Verification.SustainMonths = 0
				employed(f, "2026-05-31", tracking.TypeOpen)
			},
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-05-31 1500.00"}},
		{name: "employment without a start is DATE_ORDER",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen).Start = cell("Aloitus", "")
			},
			findings: []string{"Asiakkaat 2 DATE_ORDER Työllistyminen"}},
		{name: "employment before the start is DATE_ORDER",
			setup:    func(f *fx) { employed(f, "2026-01-11", tracking.TypeOpen) },
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 DATE_ORDER Työllistyminen"}},
		{name: "employment on the start day is billed",
			setup: func(f *fx) { employed(f, "2026-01-12", tracking.TypeOpen) },
			lines: []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-12 1500.00"}},
		{name: "a start failing its own rule still anchors the employment",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen).Referral = cell("Ohjattu", "2026-01-15")
			},
			lines:    []string{"TM-0001 TYOLLISTYMINEN 2026-01-26 1500.00"},
			findings: []string{"Asiakkaat 2 DATE_ORDER Aloitus"}},
		{name: "an unparseable start is absent for the employment",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeOpen).Start = cell("Aloitus", "12.1.26")
			},
			findings: []string{"Asiakkaat 2 DATE_ORDER Työllistyminen", "Asiakkaat 2 DATE_INVALID Aloitus"}},
		{name: "blank type is EMPLOYMENT_TYPE",
			setup:    func(f *fx) { employed(f, "2026-01-26", tracking.TypeNone) },
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 EMPLOYMENT_TYPE Työsuhde"}},
		{name: "unknown type is EMPLOYMENT_TYPE",
			setup: func(f *fx) {
				c := employed(f, "2026-01-26", tracking.TypeUnknown)
				c.TypeRaw = "määräaikainen"
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 EMPLOYMENT_TYPE Työsuhde"}},
		{name: "no Työsuhde column is EMPLOYMENT_TYPE on the employment column",
			setup: func(f *fx) {
				employed(f, "2026-01-26", tracking.TypeNone).TypeColumn = ""
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 EMPLOYMENT_TYPE Työllistyminen"}},
		{name: "a type without an employment date is nothing",
			setup: func(f *fx) { employed(f, "", tracking.TypeUnknown) },
			lines: []string{start}},
		{name: "employment after D is DATE_FUTURE",
			setup:    func(f *fx) { employed(f, "2026-06-23", tracking.TypeOpen) },
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 DATE_FUTURE Työllistyminen"}},
		{name: "employment after End(P) is not due and not pending",
			setup: func(f *fx) { employed(f, "2026-06-01", tracking.TypeOpen) },
			lines: []string{start}},
		{name: "employment before valid_from gives no verification finding",
			setup: func(f *fx) {
				c := employed(f, "2025-12-15", tracking.TypeOpen)
				c.Referral = cell("Ohjattu", "2025-11-01")
				c.Start = cell("Aloitus", "2025-11-10")
				f.cover("2025-06", "2025-08")
			}},
		{name: "a milestone breaking several rules gets one finding per rule",
			setup: func(f *fx) {
				employed(f, "2026-07-01", tracking.TypeNone).Start = cell("Aloitus", "")
			},
			findings: []string{"Asiakkaat 2 DATE_ORDER Työllistyminen", "Asiakkaat 2 DATE_FUTURE Työllistyminen",
				"Asiakkaat 2 EMPLOYMENT_TYPE Työsuhde"}},
	})
}

// TestEffectiveness covers VAIKUTTAVUUS. The client starts 2.3.2026:
// baseline months 12/2025–02/2026, follow-up from 04/2026, P = 05/2026.
func TestEffectiveness(t *testing.T) {
	started := func(f *fx, base ...string) *tracking.Client {
		c := f.client(1, "2026-02-01")
		c.Start = cell("Aloitus", "2026-03-02")
		for i, s := range base {
			f.row(1, month("2025-12").Add(i).String(), "20", "300", s, "")
		}
		return c
	}
	start := "TM-0001 ALOITUS 2026-03-02 400.00"
	runRuleCases(t, []ruleCase{
		{name: "exact baseline: 11.995 rounds to 12.00",
			setup: func(f *fx) {
				started(f, "160.00", "160.00", "160.10")
				f.row(1, "2026-04", "15", "400", "120.05", "")
				f.row(1, "2026-05", "10", "410", "80.00", "")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 12.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 24.01"}},
		{name: "1.545 rounds half away from zero to 1.55, no saving no line",
			setup: func(f *fx) {
				started(f, "100", "100", "100")
				f.row(1, "2026-04", "10", "400", "100.00", "")
				f.row(1, "2026-04", "10", "400", "30.00", "")
				f.row(1, "2026-05", "10", "410", "94.85", "")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-05-31 1.55"}},
		{name: "a covered month without rows has actual 0",
			setup: func(f *fx) { started(f, "250", "260", "270") },
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 78.00"}},
		{name: "a baseline month without rows counts 0",
			setup: func(f *fx) { started(f, "0", "0", "120.00") },
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 12.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 12.00"}},
		{name: "a negative correction lowers actual",
			setup: func(f *fx) {
				started(f, "180", "175", "185")
				f.row(1, "2026-04", "20", "400", "190.00", "")
				f.row(1, "2026-05", "20", "400", "200.00", "")
				f.row(1, "2026-05", "0", "400", "-45.00", "")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-05-31 7.50"}},
		{name: "the cap cuts a fee to the remainder",
			setup: func(f *fx) {
				f.cfg.Effectiveness.CapPerClient = dec("100.00")
				started(f, "250", "260", "270")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 22.00"}},
		{name: "exactly reaching the cap, later months give nothing",
			setup: func(f *fx) {
				f.cfg.Effectiveness.CapPerClient = dec("156.00")
				f.P = month("2026-07")
				f.D = date("2026-08-22")
				f.cover("2026-06", "2026-07")
				started(f, "250", "260", "270")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 78.00"}},
		{name: "follow-up stops after followup_months",
			setup: func(f *fx) {
				f.cfg.Effectiveness.FollowupMonths = 1
				started(f, "250", "260", "270")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00"}},
		{name: "the service end does not stop follow-up",
			setup: func(f *fx) {
				started(f, "250", "260", "270").End = cell("Päättyminen", "2026-03-20")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 78.00"}},
		{name: "a contract starting mid-month counts its first month",
			setup: func(f *fx) {
				f.cfg.Contract.ValidFrom = date("2026-04-15")
				started(f, "250", "260", "270")
			},
			lines: []string{"TM-0001 VAIKUTTAVUUS 2026-04-30 78.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 78.00"}},
		{name: "a contract ending mid-month counts its last month",
			setup: func(f *fx) {
				f.cfg.Contract.ValidTo = date("2026-04-10")
				started(f, "250", "260", "270")
			},
			lines: []string{start, "TM-0001 VAIKUTTAVUUS 2026-04-30 78.00"}},
		{name: "a start before valid_from still bills the contract's months",
			setup: func(f *fx) {
				c := f.client(1, "2025-11-01")
				c.Start = cell("Aloitus", "2025-12-01")
				for _, m := range []string{"2025-09", "2025-10", "2025-11"} {
					f.row(1, m, "20", "300", "90", "")
				}
			},
			lines: []string{"TM-0001 VAIKUTTAVUUS 2026-01-31 27.00", "TM-0001 VAIKUTTAVUUS 2026-02-28 27.00",
				"TM-0001 VAIKUTTAVUUS 2026-03-31 27.00", "TM-0001 VAIKUTTAVUUS 2026-04-30 27.00",
				"TM-0001 VAIKUTTAVUUS 2026-05-31 27.00"}},
		{name: "an uncovered baseline month is NO_BASELINE",
			setup: func(f *fx) {
				f.uncover("2025-09", "2025-10", "2025-11", "2025-12")
				started(f)
				f.row(1, "2026-01", "20", "300", "250", "")
				f.row(1, "2026-02", "20", "300", "250", "")
			},
			lines:    []string{start},
			findings: []string{"Asiakkaat 2 NO_BASELINE Aloitus"}},
		{name: "a start in P with an uncovered baseline is NO_BASELINE already",
			setup: func(f *fx) {
				f.uncover("2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02")
				f.client(1, "2026-05-01").Start = cell("Aloitus", "2026-05-04")
			},
			lines:    []string{"TM-0001 ALOITUS 2026-05-04 400.00"},
			findings: []string{"Asiakkaat 2 NO_BASELINE Aloitus"}},
		{name: "a start after End(P) but before D is not due yet: no NO_BASELINE",
			setup: func(f *fx) {
				f.uncover("2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02")
				f.client(1, "2026-05-01").Start = cell("Aloitus", "2026-06-04")
			}},
		{name: "the same start one month later is NO_BASELINE",
			setup: func(f *fx) {
				f.P, f.D = month("2026-06"), date("2026-07-22")
				f.cover("2026-06", "2026-06")
				f.uncover("2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02")
				f.client(1, "2026-05-01").Start = cell("Aloitus", "2026-05-04")
			},
			lines:    []string{"TM-0001 ALOITUS 2026-05-04 400.00"},
			findings: []string{"Asiakkaat 2 NO_BASELINE Aloitus"}},
		{name: "an uncovered follow-up month is skipped and is a gap",
			setup: func(f *fx) {
				started(f, "250", "260", "270")
				f.uncover("2026-04")
			},
			lines:    []string{start, "TM-0001 VAIKUTTAVUUS 2026-05-31 78.00"},
			findings: []string{"0 ACCRUAL_GAP Kuukausi"}},
		{name: "a start failing its date rules gives no effectiveness",
			setup: func(f *fx) {
				started(f, "250", "260", "270").Referral = cell("Ohjattu", "2026-03-03")
			},
			findings: []string{"Asiakkaat 2 DATE_ORDER Aloitus"}},
	})
}

// TestReconciliation covers ACCRUAL_MISMATCH, ACCRUAL_GAP and invalid rows.
func TestReconciliation(t *testing.T) {
	// Referral in 02/2026; Kela's largest Kertymäpäivät that month is 370.
	referred := func(f *fx, raw string) *tracking.Client {
		c := f.client(1, "2026-02-02")
		c.DaysRaw = raw
		if d, err := decimal.NewFromString(raw); err == nil {
			c.Days, c.DaysValid = d, true
		}
		f.row(1, "2026-02", "20", "300", "0", "")
		f.row(1, "2026-02", "20", "370", "0", "")
		return c
	}
	runRuleCases(t, []ruleCase{
		{name: "difference equal to the tolerance is fine",
			setup: func(f *fx) { referred(f, "395") }},
		{name: "difference over the tolerance",
			setup:    func(f *fx) { referred(f, "396") },
			findings: []string{"Asiakkaat 2 ACCRUAL_MISMATCH Maksupäivät"}},
		{name: "difference under, absolute value",
			setup:    func(f *fx) { referred(f, "344") },
			findings: []string{"Asiakkaat 2 ACCRUAL_MISMATCH Maksupäivät"}},
		{name: "the largest Kertymäpäivät of the month counts",
			setup: func(f *fx) { referred(f, "370") }},
		{name: "not a number",
			setup:    func(f *fx) { referred(f, "noin 300") },
			findings: []string{"Asiakkaat 2 ACCRUAL_MISMATCH Maksupäivät"}},
		{name: "blank workbook value is not checked",
			setup: func(f *fx) { referred(f, "") }},
		{name: "no Kela rows in the referral month: not checked",
			setup: func(f *fx) {
				c := f.client(1, "2026-03-02")
				c.DaysRaw, c.Days, c.DaysValid = "999", dec("999"), true
				f.row(1, "2026-02", "20", "370", "0", "")
			}},
		{name: "a skipped row is not checked",
			setup: func(f *fx) {
				referred(f, "999")
				f.wb.Codes = nil
			},
			findings: []string{"Asiakkaat 2 CODE_MISSING Henkilötunnus"}},
		{name: "one ACCRUAL_GAP per missing month between covered months",
			setup:    func(f *fx) { f.uncover("2025-09", "2026-01", "2026-02") },
			findings: []string{"0 ACCRUAL_GAP Kuukausi", "0 ACCRUAL_GAP Kuukausi"}},
		{name: "invalid accrual rows are passed through",
			setup: func(f *fx) {
				f.acc.Invalid = []finding.Finding{finding.New(finding.AccrualRowInvalid, "kelmu.csv", "", 6, "Kuukausi", "x")}
			},
			findings: []string{"6 ACCRUAL_ROW_INVALID Kuukausi"}},
	})
}

// TestInvalidAccrualRow: an invalid accrual row is ignored (§3.4), but the
// person's month it belongs to is then incomplete. Counted as zero benefit
// it could verify an employment or raise an effectiveness fee, so the lines
// that depend on that month wait, as for a missing list, and the finding
// names the client.
func TestInvalidAccrualRow(t *testing.T) {
	employed := func(f *fx) {
		c := f.client(1, "2025-12-01")
		c.Start = cell("Aloitus", "2026-01-12")
		c.Employment = cell("Työllistyminen", "2026-01-26")
		c.EmploymentType, c.TypeRaw = tracking.TypeOpen, "avoin"
	}
	started := func(f *fx) {
		c := f.client(1, "2026-02-01")
		c.Start = cell("Aloitus", "2026-03-02")
		for i := range 3 {
			f.row(1, month("2025-12").Add(i).String(), "20", "300", "250", "")
		}
	}
	start := "TM-0001 ALOITUS 2026-01-12 400.00"
	invalid := "kelmu 10 ACCRUAL_ROW_INVALID Kunnan osuus"
	runRuleCases(t, []ruleCase{
		{name: "a sustain month with an invalid row is pending",
			setup:    func(f *fx) { employed(f); f.invalid(1, "2026-02") },
			lines:    []string{start},
			findings: []string{invalid, "Asiakkaat 2 PENDING_VERIFICATION Työllistyminen"}},
		{name: "an invalid row whose month is invalid holds every month",
			setup:    func(f *fx) { employed(f); f.invalid(1, "") },
			lines:    []string{start},
			findings: []string{invalid, "Asiakkaat 2 PENDING_VERIFICATION Työllistyminen", "Asiakkaat 2 NO_BASELINE Aloitus"}},
		{name: "another person's invalid row changes nothing",
			setup:    func(f *fx) { employed(f); f.invalid(7, "2026-02") },
			lines:    []string{start, "TM-0001 TYOLLISTYMINEN 2026-01-26 1500.00"},
			findings: []string{invalid}},
		{name: "a follow-up month with an invalid row is not billed",
			setup:    func(f *fx) { started(f); f.invalid(1, "2026-04") },
			lines:    []string{"TM-0001 ALOITUS 2026-03-02 400.00", "TM-0001 VAIKUTTAVUUS 2026-05-31 75.00"},
			findings: []string{invalid}},
		{name: "a baseline month with an invalid row is NO_BASELINE",
			setup:    func(f *fx) { started(f); f.invalid(1, "2026-01") },
			lines:    []string{"TM-0001 ALOITUS 2026-03-02 400.00"},
			findings: []string{invalid, "Asiakkaat 2 NO_BASELINE Aloitus"}},
	})

	// The finding names the client whose row it is, and only that one.
	f := newFx()
	employed(f)
	f.invalid(1, "2026-02")
	f.invalid(7, "2026-02")
	var codes []string
	for _, x := range f.run().Findings {
		if x.Code == finding.AccrualRowInvalid {
			codes = append(codes, x.ClientCode)
		}
	}
	check(t, "client codes of the invalid rows", codes, []string{"TM-0001", ""})

	// The lines left undecided are held (a ledger step must not credit them
	// when billed before): the employment, and effectiveness months.
	key := testKeyer.Key(synthetic(1))
	id := func(t billing.LineType, m string) string { return billing.LineID("lahti", key, t, m) }
	if got := f.run().Held; !slices.Equal(got, []string{id(billing.Employed, ""), id(billing.Effectiveness, "2026-02")}) {
		t.Errorf("held = %q, want the employment and the 2026-02 effectiveness", got)
	}
	f = newFx()
	started(f)
	f.invalid(1, "2026-04")
	if got := f.run().Held; !slices.Equal(got, []string{id(billing.Effectiveness, "2026-04")}) {
		t.Errorf("held = %q, want the 2026-04 effectiveness", got)
	}
	// The messages say which months the row leaves open, and the months
	// whose list is missing besides.
	msgOf := func(f *fx, code finding.Code) string {
		for _, x := range f.run().Findings {
			if x.Code == code {
				return x.Message
			}
		}
		return ""
	}
	f = newFx()
	employed(f)
	f.invalid(1, "")
	if m := msgOf(f, finding.PendingVerification); !strings.Contains(m, "kertymälistarivin kuukausi on virheellinen") {
		t.Errorf("invalid month: message %q", m)
	}
	f = newFx()
	employed(f)
	f.invalid(1, "2026-02")
	f.uncover("2026-03")
	if m := msgOf(f, finding.PendingVerification); !strings.Contains(m, "puuttuvat vielä kuukaudelta 3/2026") ||
		!strings.Contains(m, "virheellinen rivi kuukaudelta 2/2026") {
		t.Errorf("missing and invalid months: message %q", m)
	}

	f = newFx()
	started(f)
	f.invalid(1, "2026-01") // a baseline month: every follow-up month waits
	if got := f.run().Held; !slices.Equal(got, []string{id(billing.Effectiveness, "2026-04"), id(billing.Effectiveness, "2026-05")}) {
		t.Errorf("held = %q, want both follow-up months", got)
	}
}

// TestAccrualListMissing: a month between the lists' own months that only
// another list's correction rows cover is counted as covered (§3.4), but
// warned about: its own list is most likely missing.
func TestAccrualListMissing(t *testing.T) {
	list := func(name string, rows map[string]int) accrual.File {
		mr := map[period.Month]int{}
		for m, n := range rows {
			mr[month(m)] = n
		}
		return accrual.File{Name: name, MonthRows: mr}
	}
	f := newFx()
	f.cover("2026-06", "2026-08")
	f.acc.Files = []accrual.File{
		list("kelmu_2026-05.csv", map[string]int{"2026-05": 90, "2026-04": 2}),
		list("kelmu_2026-07.csv", map[string]int{"2026-07": 95, "2026-06": 1}),
		list("kelmu_2026-08.csv", map[string]int{"2026-08": 97, "2026-07": 3}),
	}
	var got []string
	for _, x := range f.run().Findings {
		if x.Code == finding.AccrualListMissing {
			got = append(got, x.File+" "+string(x.Severity)+" "+x.Message)
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "kelmu_2026-07.csv warning Kuukauden 6/2026 omaa kertymälistaa ei löydy") {
		t.Errorf("ACCRUAL_LIST_MISSING = %q, want one warning for 6/2026 from kelmu_2026-07.csv", got)
	}

	// A list exported for two months owns both.
	f = newFx()
	f.cover("2026-06", "2026-08")
	f.acc.Files = []accrual.File{
		list("kelmu_2026-03.csv", map[string]int{"2026-03": 90}),
		list("kelmu_2026-04_2026-05.csv", map[string]int{"2026-04": 90, "2026-05": 88, "2026-03": 2}),
		list("kelmu_2026-06.csv", map[string]int{"2026-06": 95, "2026-05": 1}),
	}
	for _, x := range f.run().Findings {
		if x.Code == finding.AccrualListMissing {
			t.Errorf("two-month list: unexpected %s", x.Message)
		}
	}

	// Every month has its own list: nothing to warn of.
	f = newFx()
	f.acc.Files = []accrual.File{
		list("a.csv", map[string]int{"2026-05": 90, "2026-04": 2}),
		list("b.csv", map[string]int{"2026-06": 95, "2026-05": 1}),
	}
	for _, x := range f.run().Findings {
		if x.Code == finding.AccrualListMissing {
			t.Errorf("unexpected %s", x.Message)
		}
	}
}
