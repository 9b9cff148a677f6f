package billing_test

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"cloud.google.com/go/civil"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

func TestRoundQuo(t *testing.T) {
	tests := []struct {
		num  string
		den  int64
		want string
	}{
		// TM-0501 2026-04: (480.10 − 3·120.05) × 30 / 300 = 11.995 exactly.
		{"3598.50", 300, "12.00"},
		{"-3598.50", 300, "-12.00"},
		{"154.5", 100, "1.55"},
		{"-154.5", 100, "-1.55"},
		{"154.4999", 100, "1.54"},
		{"1", 3, "0.33"},
		{"2", 3, "0.67"},
		{"-2", 3, "-0.67"},
		{"0", 3, "0.00"},
		{"7", 1, "7.00"},
		{"1e3", 1, "1000.00"},
		{"0.005", 1, "0.01"},
		{"0.00499999999999999999999", 1, "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.num+"/"+string(rune('0'+tc.den%10)), func(t *testing.T) {
			if got := billing.RoundQuo(dec(tc.num), tc.den); got.StringFixed(2) != tc.want || got.Exponent() != -2 {
				t.Fatalf("RoundQuo(%s, %d) = %s (exp %d), want %s", tc.num, tc.den, got, got.Exponent(), tc.want)
			}
		})
	}
}

func TestVAT(t *testing.T) {
	tests := []struct{ amount, percent, want string }{
		{"50.00", "25.5", "12.75"},
		{"24.01", "25.5", "6.12"}, // 6.12255
		{"1.55", "25.5", "0.40"},  // 0.39525
		{"7.50", "25.5", "1.91"},  // 1.9125
		{"0.02", "25", "0.01"},    // 0.005: half away from zero
		{"-7.50", "25.5", "-1.91"},
		{"-0.02", "25", "-0.01"},
		{"100.00", "0", "0.00"},
	}
	for _, tc := range tests {
		t.Run(tc.amount, func(t *testing.T) {
			if got := billing.VAT(dec(tc.amount), dec(tc.percent)); got.StringFixed(2) != tc.want {
				t.Fatalf("VAT(%s, %s) = %s, want %s", tc.amount, tc.percent, got, tc.want)
			}
		})
	}
}

// TestLineFields checks ids, keys, dates, gross and descriptions on the
// public example.
func TestLineFields(t *testing.T) {
	f := exampleFx(t)
	res := f.run()
	keyOf := map[string]string{} // client code → key, via Muunto
	for _, r := range f.wb.Codes {
		keyOf[r.Code] = testKeyer.Key(r.Hetu)
	}
	idFormat := regexp.MustCompile(`^L[0-9A-F]{16}$`)
	seen := map[string]bool{}
	for _, l := range res.Lines {
		month := ""
		if l.Type == billing.Effectiveness {
			month = l.Month.String()
		}
		sum := sha256.Sum256([]byte("lahti\x00" + keyOf[l.ClientCode] + "\x00" + string(l.Type) + "\x00" + month))
		if got, want := l.ID, "L"+strings.ToUpper(hex.EncodeToString(sum[:8])); got != want {
			t.Errorf("%s %s %s: ID = %s, want %s", l.ClientCode, l.Type, l.Month, got, want)
		}
		if !idFormat.MatchString(l.ID) || seen[l.ID] {
			t.Errorf("ID %s malformed or repeated", l.ID)
		}
		seen[l.ID] = true
		if got, want := l.Key, keyOf[l.ClientCode]; got != want {
			t.Errorf("%s: Key = %s, want %s", l.ClientCode, got, want)
		}
		if got, want := l.Gross, l.Amount.Add(l.VAT); !got.Equal(want) {
			t.Errorf("%s: Gross = %s, want %s", l.ID, got, want)
		}
		if got, want := l.Month, period.Of(l.Date); got != want {
			t.Errorf("%s: Month = %s, want %s", l.ID, got, want)
		}
		if l.Type == billing.Effectiveness && l.Date != l.Month.Last() {
			t.Errorf("%s: VAIKUTTAVUUS Date = %s, want the month's last day", l.ID, l.Date)
		}
	}

	f.cfg.Area = "hollola"
	if other := f.run(); other.Lines[0].ID == res.Lines[0].ID {
		t.Error("a different area gave the same line id")
	}

	desc := map[string]string{}
	for _, l := range res.Lines {
		desc[l.ClientCode+" "+string(l.Type)+" "+l.Month.String()] = l.Description
	}
	for k, want := range map[string]string{
		"TM-0501 INFO 2026-02":           "Infotilaisuus 9.2.2026",
		"TM-0501 ALOITUS 2026-03":        "Aloitus 2.3.2026",
		"TM-0502 TYOLLISTYMINEN 2026-01": "Työllistyminen avoimille työmarkkinoille 26.1.2026, todennettu 2/2026–4/2026",
		"TM-0504 TYOLLISTYMINEN 2026-01": "Työllistyminen palkkatuella 30.1.2026, todennettu 2/2026–4/2026",
		"TM-0503 VAIKUTTAVUUS 2026-04":   "Vaikuttavuus 4/2026 (seurantakuukausi 1/12)",
		"TM-0503 VAIKUTTAVUUS 2026-05":   "Vaikuttavuus 5/2026 (seurantakuukausi 2/12), katto 100,00 € saavutettu",
		"TM-0512 VAIKUTTAVUUS 2026-05":   "Vaikuttavuus 5/2026 (seurantakuukausi 2/12)",
	} {
		if got := desc[k]; got != want {
			t.Errorf("%s: Description = %q, want %q", k, got, want)
		}
	}
}

// TestMunicipality covers the fallbacks of §3.3.
func TestMunicipality(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fx, c *tracking.Client)
		want  string
	}{
		{"Kotikunta wins over the lists", func(f *fx, c *tracking.Client) {
			c.Municipality = "Hollola"
			f.row(1, "2026-02", "0", "0", "0", "Lahti")
		}, "Hollola"},
		{"latest accrual month's Kunta when Kotikunta is blank", func(f *fx, c *tracking.Client) {
			f.row(1, "2026-01", "0", "0", "0", "Lahti")
			f.row(1, "2026-03", "0", "0", "0", "Orimattila")
			f.row(1, "2026-02", "0", "0", "0", "Heinola") // read later, earlier month
		}, "Orimattila"},
		{"default when neither", func(f *fx, c *tracking.Client) {
			f.cfg.DefaultMunicipality = "Iitti"
		}, "Iitti"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx()
			c := f.client(1, "2026-03-01")
			c.Info = cell("Infotilaisuus", "2026-03-02")
			tc.setup(f, c)
			res := f.run()
			if len(res.Lines) != 1 || len(res.Clients) != 1 {
				t.Fatalf("got %d lines, %d clients, want 1, 1", len(res.Lines), len(res.Clients))
			}
			if got := res.Lines[0].Municipality; got != tc.want {
				t.Errorf("line Municipality = %q, want %q", got, tc.want)
			}
			if got := res.Clients[0].Municipality; got != tc.want {
				t.Errorf("client Municipality = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestClients checks the billable clients of the public example.
func TestClients(t *testing.T) {
	res := exampleFx(t).run()
	var got []string
	ds := func(d *civil.Date) string {
		if d == nil {
			return "-"
		}
		return d.String()
	}
	for _, c := range res.Clients {
		v := map[billing.Verification]string{billing.VerifyNone: "none", billing.VerifyPending: "pending",
			billing.VerifyRefused: "refused", billing.VerifyVerified: "verified " + c.VerifiedIn.String()}[c.Verification]
		got = append(got, strings.Join([]string{c.ClientCode, c.ClientNumber, c.Municipality, c.Referral.String(),
			ds(c.Info), ds(c.Start), ds(c.Employment), v}, " "))
		if c.Key == "" {
			t.Errorf("%s has no key", c.ClientCode)
		}
	}
	check(t, "clients", got, []string{
		"TM-0501 2602001 Lahti 2026-02-02 2026-02-09 2026-03-02 - none",
		"TM-0502 2512002 Lahti 2025-12-01 2025-12-10 2026-01-12 2026-01-26 verified 2026-04",
		"TM-0503 2601003 Hollola 2026-01-05 2026-01-05 2026-03-09 2026-03-23 pending",
		"TM-0504 2512004 Orimattila 2025-12-15 2026-01-08 2026-01-19 2026-01-30 verified 2026-04",
		"TM-0505 2601005 Lahti 2026-01-07 2026-01-14 2026-01-21 2026-01-28 refused",
		"TM-0506 2603006 Lahti 2026-03-10 - 2026-03-16 - none",
		"TM-0507 2602007 Lahti 2026-02-16 2026-02-23 2026-03-02 - none",
		"TM-0510 2605010 Lahti 2026-05-04 2026-05-29 2026-06-08 - none",
		"TM-0511 2604011 Heinola 2026-04-14 - - - none",
		"TM-0512 2602012 Hollola 2026-02-23 - 2026-03-23 - none",
	})

	// Kertymät: billable clients only, every covered month with rows, sorted.
	var acc []string
	for _, a := range res.Accruals {
		if a.ClientCode == "TM-0506" || a.ClientCode == "TM-0512" {
			acc = append(acc, a.ClientCode+" "+a.Month.String()+" "+a.PaidDays().String()+" "+a.MaxAccrued().String()+" "+a.Share().StringFixed(2))
		}
	}
	check(t, "accruals", acc, []string{
		"TM-0506 2025-12 20 300 100.00", "TM-0506 2026-01 20 320 100.00", "TM-0506 2026-02 20 340 100.00",
		"TM-0506 2026-03 21 361 110.00", "TM-0506 2026-04 20 381 130.00", "TM-0506 2026-05 19 400 94.85",
		"TM-0512 2025-12 21 510 180.00", "TM-0512 2026-01 20 530 175.00", "TM-0512 2026-02 21 551 185.00",
		"TM-0512 2026-03 20 571 182.00", "TM-0512 2026-04 21 592 190.00", "TM-0512 2026-05 22 614 155.00",
	})
	codes := map[string]bool{}
	for _, a := range res.Accruals {
		codes[a.ClientCode] = true
	}
	if got, want := len(codes), 8; got != want { // 0510 and 0511 are on no list
		t.Errorf("clients with accruals = %d, want %d", got, want)
	}
}

// TestFindingFields checks what every finding names: file, severity, client.
func TestFindingFields(t *testing.T) {
	res := exampleFx(t).run()
	for _, f := range res.Findings {
		if f.Severity != finding.SeverityOf(f.Code) {
			t.Errorf("%s row %d: severity %s", f.Code, f.Row, f.Severity)
		}
		if f.Message == "" || f.Column == "" {
			t.Errorf("%s row %d: message %q, column %q", f.Code, f.Row, f.Message, f.Column)
		}
		if f.Sheet == tracking.ClientsSheet && f.File != "TyoMatka_seuranta.xlsx" {
			t.Errorf("%s row %d: File = %q", f.Code, f.Row, f.File)
		}
	}
	byRow := map[int]finding.Finding{}
	for _, f := range res.Findings {
		if f.Sheet == tracking.ClientsSheet {
			byRow[f.Row] = f
		}
	}
	for row, want := range map[int][2]string{
		9: {"TM-0506", "2603006"}, 11: {"", "2603008"}, 12: {"", "2603009"}, 15: {"TM-0512", "2602012"},
	} {
		if got := byRow[row]; got.ClientCode != want[0] || got.ClientNumber != want[1] {
			t.Errorf("row %d: client %q/%q, want %q/%q", row, got.ClientCode, got.ClientNumber, want[0], want[1])
		}
	}
	if got, want := byRow[9].Message, "Infotilaisuuden päivä 3.3.2026 on ennen ohjauspäivää 10.3.2026. Tarkista päivämäärät; infotilaisuutta ei laskuteta ennen korjausta."; got != want {
		t.Errorf("DATE_ORDER message = %q, want %q", got, want)
	}
	if got := byRow[6].Message; !strings.Contains(got, "520") || !strings.Contains(got, "455") || !strings.Contains(got, "12/2025") {
		t.Errorf("ACCRUAL_MISMATCH message %q does not quote the values and month", got)
	}
	if got := byRow[14].Message; !strings.Contains(got, `"3.5.26"`) {
		t.Errorf("DATE_INVALID message %q does not quote the cell", got)
	}
}

// TestGapMessage checks the ACCRUAL_GAP finding names the missing month.
func TestGapMessage(t *testing.T) {
	f := newFx()
	f.uncover("2026-02")
	res := f.run()
	if len(res.Findings) != 1 {
		t.Fatalf("findings = %v, want one gap", findingStrings(res.Findings))
	}
	g := res.Findings[0]
	if g.Code != finding.AccrualGap || g.Column != "Kuukausi" || !strings.Contains(g.Message, "2/2026") || !strings.Contains(g.Message, "Lisää") {
		t.Errorf("gap finding = %+v", g)
	}
}

// TestNoIdentityCodeInText scans every message and description for identity
// codes, including a date cell into which someone pasted one.
func TestNoIdentityCodeInText(t *testing.T) {
	f := exampleFx(t)
	// Paste a code into date, type and days cells of skipped and billable rows.
	pasted := string(synthetic(42))
	f.wb.Clients[0].End = cell("Paattyminen", pasted)
	f.wb.Clients[5].EmploymentType, f.wb.Clients[5].TypeRaw = tracking.TypeUnknown, pasted
	f.wb.Clients[5].Employment = cell("Työllistyminen", "2026-03-20")
	f.wb.Clients[1].DaysRaw = pasted
	f.wb.Clients[1].Referral = cell("Ohjattu", "2025-12-01")
	f.wb.Clients = append(f.wb.Clients, tracking.Client{Row: 40, HetuColumn: "Hetu", Hetu: synthetic(43), HetuValid: true,
		Referral: cell("Ohjattu", pasted)})
	res := f.run()

	codeLike := regexp.MustCompile(`\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]`)
	var texts, ids []string // ids are hex: only checked for the input codes
	for _, l := range res.Lines {
		texts = append(texts, l.Description)
		ids = append(ids, l.Key, l.ID)
	}
	for _, x := range res.Findings {
		texts = append(texts, x.Message, x.ClientCode, x.ClientNumber, x.Column)
	}
	var codes []hetu.Code
	for _, c := range f.wb.Clients {
		codes = append(codes, c.Hetu)
	}
	for _, s := range texts {
		if codeLike.MatchString(strings.ToUpper(s)) {
			t.Errorf("text %q contains an identity code", s)
		}
	}
	for _, s := range append(texts, ids...) {
		for _, c := range codes {
			if c != "" && strings.Contains(s, string(c)) {
				t.Errorf("text %q contains an input identity code", s)
			}
		}
	}
	// The pasted values were reported, just not quoted.
	if got := finding.Count(res.Findings); got[finding.DateInvalid] != 2 || got[finding.EmploymentType] != 2 ||
		got[finding.ReferralMissing] != 1 || got[finding.AccrualMismatch] != 2 {
		t.Errorf("findings = %v", got)
	}
}

// TestNoNameOrMistypedCodeQuoted: a name, or an identity code with a typo
// (so not a valid code), typed into a quoted column is reported without
// repeating it; dates and numbers as typed are still quoted.
func TestNoNameOrMistypedCodeQuoted(t *testing.T) {
	valid := string(synthetic(42))
	mistyped := valid[:10] + string("0123456789ABCDEFHJKLMNPRSTUVWXY"[(strings.IndexByte("0123456789ABCDEFHJKLMNPRSTUVWXY", valid[10])+1)%31])
	secrets := []string{"Virtanen Ville", "Meikäläinen Matti", mistyped, strings.ToLower(mistyped), valid[:6] + " " + valid[6:]}
	for _, secret := range secrets {
		f := exampleFx(t)
		f.wb.Clients[0].End = cell("Paattyminen", secret)
		f.wb.Clients[2].Info = cell("Infotilaisuus", secret)
		f.wb.Clients[5].EmploymentType, f.wb.Clients[5].TypeRaw = tracking.TypeUnknown, secret
		f.wb.Clients[5].Employment = cell("Työllistyminen", "2026-03-20")
		f.wb.Clients[1].DaysRaw = secret
		f.wb.Clients[1].Referral = cell("Ohjattu", "2025-12-01")
		f.wb.Clients = append(f.wb.Clients, tracking.Client{Row: 40, HetuColumn: "Hetu", Hetu: synthetic(43), HetuValid: true,
			Referral: cell("Ohjattu", secret)})
		res := f.run()
		n := 0
		for _, x := range res.Findings {
			if strings.Contains(strings.ToUpper(x.Message), strings.ToUpper(secret)) {
				t.Errorf("%s message repeats %q: %s", x.Code, secret, x.Message)
			}
			if strings.Contains(x.Message, "(arvoa ei näytetä)") {
				n++
			}
		}
		if n < 5 {
			t.Errorf("%q: %d findings say the value is not shown, want 5", secret, n)
		}
	}
	// A two-digit year is still quoted: it is what the unit head must fix.
	f := exampleFx(t)
	f.wb.Clients[0].End = cell("Paattyminen", "3.5.26")
	for _, x := range f.run().Findings {
		if x.Code == finding.DateInvalid && !strings.Contains(x.Message, `"3.5.26"`) {
			t.Errorf("date not quoted: %s", x.Message)
		}
	}
}

// TestDeterminism: Compute twice, and on shuffled rows, gives the same result.
func TestDeterminism(t *testing.T) {
	build := func() *fx {
		f := exampleFx(t)
		// Give row 12's person two codes and add a duplicate, so that the
		// order-sensitive findings are exercised too.
		p, _ := hetu.Parse("060592W9509")
		f.wb.Codes = append(f.wb.Codes,
			tracking.CodeRow{Row: 20, HetuColumn: "Henkilötunnus", Hetu: p, HetuValid: true, Code: "TM-0909"},
			tracking.CodeRow{Row: 21, HetuColumn: "Henkilötunnus", Hetu: p, HetuValid: true, Code: "TM-0509"})
		d := f.wb.Clients[1]
		d.Row = 30
		f.wb.Clients = append(f.wb.Clients, d)
		f.wb.Clients = append(f.wb.Clients, d)
		f.wb.Clients[len(f.wb.Clients)-1].Row = 31
		return f
	}
	want := build().run()
	if got := build().run(); !reflect.DeepEqual(got, want) {
		t.Fatal("two runs on the same input differ")
	}
	if n := finding.Count(want.Findings); n[finding.ClientDuplicate] != 3 || n[finding.CodeDuplicate] != 1 {
		t.Fatalf("fixture findings = %v, want 3 CLIENT_DUPLICATE and 1 CODE_DUPLICATE", n)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5 {
		f := build()
		rng.Shuffle(len(f.wb.Clients), func(a, b int) { f.wb.Clients[a], f.wb.Clients[b] = f.wb.Clients[b], f.wb.Clients[a] })
		rng.Shuffle(len(f.wb.Codes), func(a, b int) { f.wb.Codes[a], f.wb.Codes[b] = f.wb.Codes[b], f.wb.Codes[a] })
		if got := f.run(); !reflect.DeepEqual(got, want) {
			t.Fatalf("shuffle %d: result differs", i)
		}
	}
}
