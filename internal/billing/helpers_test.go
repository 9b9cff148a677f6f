package billing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/accrual"
	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/tracking"
)

const trackingFile = "seuranta.xlsx"

// synthetic returns the n-th synthetic identity code: a temporary code
// (individual number 900–999), so it can never be a real person's.
func synthetic(n int) hetu.Code {
	ind := 900 + n%100
	six := fmt.Sprintf("%02d0385", 1+n/100)
	c, err := hetu.Parse(fmt.Sprintf("%s-%03d%c", six, ind, hetu.CheckChar(fmt.Sprintf("%s%03d", six, ind))))
	if err != nil {
		panic(err)
	}
	return c
}

func date(s string) civil.Date {
	d, err := civil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func month(s string) period.Month {
	m, err := period.Parse(s)
	if err != nil {
		panic(err)
	}
	return m
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// cell builds a date cell: "" is blank, yyyy-mm-dd a valid date, anything
// else an unparseable text.
func cell(column, s string) tracking.DateCell {
	if s == "" {
		return tracking.DateCell{Column: column}
	}
	if d, err := civil.ParseDate(s); err == nil {
		return tracking.DateCell{Column: column, Raw: fmt.Sprintf("%d.%d.%d", d.Day, int(d.Month), d.Year), Present: true, Valid: true, Date: d}
	}
	return tracking.DateCell{Column: column, Raw: s, Present: true}
}

func testConfig() *config.Config {
	return &config.Config{
		Area:                "lahti",
		Timezone:            "Europe/Helsinki",
		Location:            time.UTC,
		DefaultMunicipality: "Lahti",
		Contract: config.Contract{
			Name: "Testi", Provider: "Testi Oy",
			ValidFrom: date("2026-01-01"), ValidTo: date("2027-12-31"), VATPercent: dec("25.5"),
		},
		Fees:         config.Fees{Info: dec("50.00"), Start: dec("400.00"), EmployedOpen: dec("1500.00"), EmployedSubsidised: dec("750.00")},
		Verification: config.Verification{SustainMonths: 3, MaxBenefitDays: dec("5")},
		Effectiveness: config.Effectiveness{
			BaselineMonths: 3, FollowupMonths: 12, SharePercent: dec("30"), CapPerClient: dec("3000.00"),
		},
		Reconciliation: config.Reconciliation{AccrualDaysTolerance: dec("25")},
	}
}

// fx is a scenario: configuration, P, D, workbook and accrual lists.
type fx struct {
	cfg *config.Config
	P   period.Month
	D   civil.Date
	wb  tracking.Workbook
	acc accrual.Data
	seq int
}

// newFx returns P = 2026-05, D = 22.6.2026 and lists covering 2025-09…2026-05,
// so that a start from 12/2025 on has a covered baseline.
func newFx() *fx {
	f := &fx{cfg: testConfig(), P: month("2026-05"), D: date("2026-06-22"),
		wb:  tracking.Workbook{File: trackingFile},
		acc: accrual.Data{Persons: map[hetu.Code]*accrual.Person{}, Covered: map[period.Month]bool{}}}
	f.cover("2025-09", "2026-05")
	return f
}

// cover marks every month from first to last as covered.
func (f *fx) cover(first, last string) {
	for m := month(first); !m.After(month(last)); m = m.Add(1) {
		f.acc.Covered[m] = true
	}
}

// uncover removes months from the lists.
func (f *fx) uncover(ms ...string) {
	for _, m := range ms {
		delete(f.acc.Covered, month(m))
	}
}

// client adds an Asiakkaat row for person n (Excel row n+1) with referral
// date ref, and maps the person to code TM-n in Muunto.
func (f *fx) client(n int, ref string) *tracking.Client {
	f.wb.Clients = append(f.wb.Clients, tracking.Client{
		Row: n + 1, HetuColumn: "Henkilötunnus", Hetu: synthetic(n), HetuValid: true,
		ClientNumber: fmt.Sprint(2600000 + n),
		Referral:     cell("Ohjattu", ref),
		Info:         cell("Infotilaisuus", ""), Start: cell("Aloitus", ""),
		End: cell("Päättyminen", ""), Employment: cell("Työllistyminen", ""),
		TypeColumn: "Työsuhde", DaysColumn: "Maksupäivät",
	})
	f.code(n, n, code(n))
	return &f.wb.Clients[len(f.wb.Clients)-1]
}

func code(n int) string { return fmt.Sprintf("TM-%04d", n) }

// code adds a Muunto row mapping person n to c.
func (f *fx) code(row, n int, c string) {
	f.wb.Codes = append(f.wb.Codes, tracking.CodeRow{Row: row + 1, HetuColumn: "Henkilötunnus", Hetu: synthetic(n), HetuValid: true, Code: c})
}

// row adds an accrual row for person n, in read order.
func (f *fx) row(n int, m, paid, accrued, share, kunta string) {
	f.add(synthetic(n), m, paid, accrued, share, kunta)
}

// add adds an accrual row for identity code h, in read order, aggregating
// as accrual.Read does.
func (f *fx) add(h hetu.Code, m, paid, accrued, share, kunta string) {
	p := f.acc.Persons[h]
	if p == nil {
		p = &accrual.Person{Months: map[period.Month]*accrual.MonthTotal{}}
		f.acc.Persons[h] = p
	}
	mm := month(m)
	t := p.Months[mm]
	if t == nil {
		t = &accrual.MonthTotal{}
		p.Months[mm] = t
	}
	if err := t.AddRow(dec(paid), dec(accrued), dec(share)); err != nil {
		panic(err) // the tables keep to small amounts
	}
	f.seq++
	if kunta != "" && !mm.Before(p.LatestMonth) {
		p.Municipality, p.LatestMonth, p.LatestSeq = kunta, mm, accrual.Seq{Row: f.seq}
	}
	f.acc.Covered[mm] = true
}

var testKeyer = func() *pseudonym.Keyer {
	k, err := pseudonym.New([]byte("billing-test-key-0123456789"))
	if err != nil {
		panic(err)
	}
	return k
}()

func (f *fx) input() billing.Input {
	return billing.Input{Config: f.cfg, Period: f.P, AsOf: f.D, Tracking: &f.wb, Accruals: &f.acc, Key: testKeyer.Key}
}

func (f *fx) run() billing.Result { return billing.Compute(f.input()) }

// lineStrings renders lines compactly: code, type, date, amount.
func lineStrings(ls []billing.Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = fmt.Sprintf("%s %s %s %s", l.ClientCode, l.Type, l.Date, l.Amount.StringFixed(2))
	}
	return out
}

// findingStrings renders findings compactly: sheet, row, code, column.
func findingStrings(fs []finding.Finding) []string {
	out := make([]string, len(fs))
	for i, x := range fs {
		out[i] = strings.TrimSpace(fmt.Sprintf("%s %d %s %s", x.Sheet, x.Row, x.Code, x.Column))
	}
	return out
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// invalid adds an ACCRUAL_ROW_INVALID of person n's month m ("" when the
// row's month was invalid too), as accrual.Read reports one.
func (f *fx) invalid(n int, m string) {
	o := accrual.Owner{Hetu: synthetic(n)}
	if m != "" {
		o.Month = month(m)
	}
	f.acc.Invalid = append(f.acc.Invalid, finding.New(finding.AccrualRowInvalid, "kelmu.csv", "kelmu", 10+len(f.acc.Invalid), "Kunnan osuus", "virheellinen"))
	f.acc.Owners = append(f.acc.Owners, o)
}
