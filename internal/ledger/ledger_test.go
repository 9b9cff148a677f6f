package ledger_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

var (
	vat  = decimal.RequireFromString("25.5")
	jan  = period.Month{Year: 2026, Month: 1}
	feb  = jan.Add(1)
	mar  = jan.Add(2)
	asOf = civil.Date{Year: 2026, Month: 2, Day: 22}
)

func key(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

func line(code string, t billing.LineType, m period.Month, amount string) billing.Line {
	a := decimal.RequireFromString(amount)
	idMonth := ""
	if t == billing.Effectiveness {
		idMonth = m.String()
	}
	v := billing.VAT(a, vat)
	return billing.Line{ID: billing.LineID("lahti", key(code), t, idMonth), Key: key(code), ClientCode: code,
		Municipality: "Lahti", Type: t, Date: m.Last(), Month: m, Amount: a, VAT: v, Gross: a.Add(v)}
}

func recorded(ls ...billing.Line) []ledger.Line {
	out := make([]ledger.Line, len(ls))
	for i, l := range ls {
		out[i] = ledger.FromBilling(l)
	}
	return out
}

func TestReconcile(t *testing.T) {
	info := line("TM-1", billing.Info, jan, "50")
	emp := line("TM-1", billing.Employed, jan, "1500")
	empSub := line("TM-1", billing.Employed, jan, "750")
	eff := line("TM-2", billing.Effectiveness, feb, "12.34")
	effNow := line("TM-2", billing.Effectiveness, feb, "20.00")
	credit := func(orig billing.Line, amount string) ledger.Line {
		a := decimal.RequireFromString(amount)
		return ledger.Line{ID: ledger.CorrectionID("lahti", orig.Key, feb, orig.ID), Key: orig.Key, ClientCode: orig.ClientCode,
			Type: billing.Correction, Date: feb.Last(), Amount: a, VAT: billing.VAT(a, vat), Corrects: orig.ID,
			CorrectsType: orig.Type, CorrectsMonth: orig.Month}
	}
	originals := map[string]billing.Line{}
	for _, l := range []billing.Line{info, emp, eff} {
		originals[l.ID] = l
	}
	tests := []struct {
		name     string
		billed   []ledger.Line
		entitled []billing.Line
		clients  []billing.Client
		want     []string // "type amount vat corrects"
	}{
		{"nothing billed: all due", nil, []billing.Line{info, emp}, nil,
			[]string{"INFO 50.00 12.75 ", "TYOLLISTYMINEN 1500.00 382.50 "}},
		{"billed and unchanged: nothing due", recorded(info, emp), []billing.Line{info, emp}, nil, nil},
		{"employment type changed", recorded(info, emp), []billing.Line{info, empSub}, []billing.Client{{Key: key("TM-1"), ClientCode: "TM-1"}},
			[]string{"OIKAISU -750.00 -191.25 " + emp.ID}},
		{"client gone: credit", recorded(info), nil, nil, []string{"OIKAISU -50.00 -12.75 " + info.ID}},
		{"Kela correction raises a fee", recorded(eff), []billing.Line{effNow}, []billing.Client{{Key: key("TM-2"), ClientCode: "TM-2"}},
			[]string{"OIKAISU 7.66 1.95 " + eff.ID}},
		{"credited in full, then holds again: an OIKAISU, not the line again", append(recorded(eff), credit(eff, "-12.34")), []billing.Line{effNow}, nil,
			[]string{"OIKAISU 20.00 5.10 " + eff.ID}},
		{"partly corrected before", append(recorded(eff), credit(eff, "-2.34")), []billing.Line{effNow}, nil,
			[]string{"OIKAISU 10.00 2.55 " + eff.ID}},
		{"orphan correction (original released) is reversed", []ledger.Line{credit(eff, "-2.34")}, nil, nil,
			[]string{"OIKAISU 2.34 0.60 " + eff.ID}},
		{"orphan correction (original released) is corrected again", []ledger.Line{credit(eff, "-2.34")}, []billing.Line{effNow}, nil,
			[]string{"OIKAISU 22.34 5.70 " + eff.ID}},
		{"two orphan corrections of a fixed fee", []ledger.Line{credit(emp, "-750"), credit(emp, "-750")}, nil, nil,
			[]string{"OIKAISU 1500.00 382.50 " + emp.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := ledger.Reconcile("lahti", vat, mar, tc.billed, billing.Result{Lines: tc.entitled, Clients: tc.clients})
			var got []string
			for _, l := range plan.Due {
				got = append(got, fmt.Sprintf("%s %s %s %s", l.Type, l.Amount.StringFixed(2), l.VAT.StringFixed(2), l.Corrects))
				if l.Type == billing.Correction {
					if want := ledger.CorrectionID("lahti", l.Key, mar, l.Corrects); l.ID != want {
						t.Errorf("OIKAISU id %s, want %s", l.ID, want)
					}
					if l.Month != mar || l.Date != mar.Last() {
						t.Errorf("OIKAISU dated %s, want the period's last day", l.Date)
					}
					// Every correction knows what it corrects, also when
					// only a correction of the original is billed.
					orig := originals[l.Corrects]
					if l.CorrectsType != orig.Type || l.CorrectsMonth != orig.Month {
						t.Errorf("OIKAISU of %s corrects %q %s, want %q %s", l.Corrects, l.CorrectsType, l.CorrectsMonth, orig.Type, orig.Month)
					}
					what := orig.Type.Finnish()
					if orig.Type == billing.Effectiveness {
						what += " " + orig.Month.String()
					}
					if want := "Oikaisu riviin " + l.Corrects + " (" + what + "): "; !strings.HasPrefix(l.Description, want) {
						t.Errorf("OIKAISU Selite %q, want it to start %q", l.Description, want)
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("due:\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestCorrectionBookedWhereBilled: a client who moved keeps the earlier
// line's municipality on its correction.
func TestCorrectionBookedWhereBilled(t *testing.T) {
	eff := line("TM-2", billing.Effectiveness, feb, "12.34")
	moved := line("TM-2", billing.Effectiveness, feb, "20.00")
	moved.Municipality = "Hollola"
	plan := ledger.Reconcile("lahti", vat, mar, recorded(eff), billing.Result{Lines: []billing.Line{moved},
		Clients: []billing.Client{{Key: key("TM-2"), ClientCode: "TM-2", Municipality: "Hollola"}}})
	if len(plan.Due) != 1 || plan.Due[0].Type != billing.Correction || plan.Due[0].Municipality != "Lahti" {
		t.Fatalf("due = %+v, want one OIKAISU booked to Lahti", plan.Due)
	}
}

// TestReconcileHeldLinesNotCredited: a billed line that an invalid accrual
// row leaves undecided (billing.Result.Held) is neither billed again nor
// credited; without the hold, its absence from the entitlement credits it.
func TestReconcileHeldLinesNotCredited(t *testing.T) {
	emp := line("TM-1", billing.Employed, jan, "1500")
	eff := line("TM-2", billing.Effectiveness, feb, "12.34")
	billed := recorded(emp, eff)
	plan := ledger.Reconcile("lahti", vat, mar, billed, billing.Result{Held: []string{emp.ID, eff.ID}})
	if len(plan.Due) != 0 {
		t.Errorf("due = %+v, want nothing for held lines", plan.Due)
	}
	plan = ledger.Reconcile("lahti", vat, mar, billed, billing.Result{Held: []string{eff.ID}})
	if len(plan.Due) != 1 || plan.Due[0].Corrects != emp.ID || !plan.Due[0].Amount.Equal(decimal.RequireFromString("-1500")) {
		t.Errorf("due = %+v, want the one OIKAISU −1500 of the line not held", plan.Due)
	}
}

func TestReconcileFiltersFindingsOfBilledLines(t *testing.T) {
	emp := line("TM-1", billing.Employed, jan, "1500")
	eff := line("TM-2", billing.Effectiveness, feb, "10")
	fs := []finding.Finding{
		{Code: finding.NotVerified, ClientCode: "TM-1"},
		{Code: finding.PendingVerification, ClientCode: "TM-3"},
		{Code: finding.NoBaseline, ClientCode: "TM-2"},
		{Code: finding.DateOrder, ClientCode: "TM-1"},
	}
	plan := ledger.Reconcile("lahti", vat, mar, recorded(emp, eff), billing.Result{Findings: fs})
	var got []string
	for _, f := range plan.Findings {
		got = append(got, string(f.Code)+" "+f.ClientCode)
	}
	if want := []string{"PENDING_VERIFICATION TM-3", "DATE_ORDER TM-1"}; !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q", got, want)
	}
}

func TestCommitIsConditional(t *testing.T) {
	ctx := context.Background()
	st, err := state.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ledger.Load(ctx, st, "lahti")
	b, _ := ledger.Load(ctx, st, "lahti")
	a.Ledger.Record(jan, ledger.Period{RunID: "r1", AsOf: asOf}, []billing.Line{line("TM-1", billing.Info, jan, "50")})
	b.Ledger.Record(jan, ledger.Period{RunID: "r2", AsOf: asOf}, nil)
	g1, err := a.Commit(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, st); !errors.Is(err, ledger.ErrConflict) {
		t.Fatalf("stale commit: %v, want ErrConflict", err)
	}
	// Committing identical content again is a no-op: same generation.
	c, err := ledger.Load(ctx, st, "lahti")
	if err != nil {
		t.Fatal(err)
	}
	c.Ledger.Record(jan, ledger.Period{RunID: "r1", AsOf: asOf}, []billing.Line{line("TM-1", billing.Info, jan, "50")})
	if g2, err := c.Commit(ctx, st); err != nil || g2 != g1 {
		t.Errorf("identical commit: generation %d, err %v; want %d, nil", g2, err, g1)
	}
	if got := c.Ledger.Periods[jan].RunID; got != "r1" {
		t.Errorf("stored run id %q, want r1", got)
	}
}

func TestDecide(t *testing.T) {
	d := civil.Date{Year: 2026, Month: 2, Day: 10}
	const file = "Laskutusperuste_lahti_2026-01.xlsx"
	tests := []struct {
		name    string
		a       ledger.Approval
		want    ledger.Status
		wantErr []string // what the error must say; nil: no error
	}{
		{"approved", ledger.Approval{Decision: ledger.DecisionApproved, Approver: "X", Date: &d, RunID: "r1"}, ledger.Sealed, nil},
		{"rejected", ledger.Approval{Decision: ledger.DecisionRejected, Approver: "X", RunID: "r1"}, ledger.Released, nil},
		{"blank", ledger.Approval{RunID: "r1"}, ledger.Issued, nil},
		{"approved without approver", ledger.Approval{Decision: ledger.DecisionApproved, Date: &d, RunID: "r1", File: file},
			ledger.Issued, []string{file + ", sheet Hyväksyntä: Hyväksytty needs an approver (B4)"}},
		{"approved without date", ledger.Approval{Decision: ledger.DecisionApproved, Approver: "X", RunID: "r1", File: file},
			ledger.Issued, []string{file + ", sheet Hyväksyntä: Hyväksytty needs a date (B5)"}},
		{"approved without either", ledger.Approval{Decision: ledger.DecisionApproved, RunID: "r1", File: file},
			ledger.Issued, []string{"Hyväksytty needs an approver (B4) and a date (B5)"}},
		{"rejected without approver", ledger.Approval{Decision: ledger.DecisionRejected, RunID: "r1", File: file},
			ledger.Issued, []string{file + ", sheet Hyväksyntä: Hylätty needs the name of who rejected it (B4)"}},
		{"unknown decision", ledger.Approval{Decision: "ok", Approver: "X", Date: &d, RunID: "r1", File: file},
			ledger.Issued, []string{`decision "ok" in B6: want Hyväksytty or Hylätty`}},
		{"workbook of another run", ledger.Approval{Decision: ledger.DecisionApproved, Approver: "X", Date: &d, RunID: "r0", File: file},
			ledger.Issued, []string{`the invoice basis in the folder (` + file + `) is from run "r0" (a dry run or an older run?), the ledger issued run "r1": approve the workbook of run "r1", or rerun the period`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := ledger.New("lahti")
			l.Record(jan, ledger.Period{RunID: "r1", AsOf: asOf}, []billing.Line{line("TM-1", billing.Info, jan, "50")})
			got, err := l.Decide(jan, tc.a)
			if (err != nil) != (tc.wantErr != nil) || got != tc.want || l.Periods[jan].Status != tc.want {
				t.Errorf("Decide: %s, %v; want %s, error %v", got, err, tc.want, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ledger.ErrIncomplete) {
				t.Errorf("error %v does not wrap ErrIncomplete", err)
			}
			for _, w := range tc.wantErr {
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			counts := len(l.BilledBefore(feb)) == 1
			if want := tc.want != ledger.Released; counts != want {
				t.Errorf("January's line billed before February = %v, want %v", counts, want)
			}
		})
	}
	t.Run("never issued", func(t *testing.T) {
		l := ledger.New("lahti")
		_, err := l.Decide(jan, ledger.Approval{Decision: ledger.DecisionApproved, Approver: "X", Date: &d})
		if !errors.Is(err, ledger.ErrNotIssued) {
			t.Errorf("err = %v, want ErrNotIssued", err)
		}
	})
}

// TestBilledBeforeKnowsCorrectedType: an OIKAISU recorded before the ledger
// kept the corrected type and month gets them from the ledger, so that the
// corrections reconciled from it know what they correct: from the original
// in a released period, from another correction of it, or, when retention
// deleted the original, from its id (through Aliases after a key rotation).
func TestBilledBeforeKnowsCorrectedType(t *testing.T) {
	eff := line("TM-2", billing.Effectiveness, jan, "12.34")
	info := line("TM-1", billing.Info, jan, "50")
	legacy := func(orig billing.Line, amount string) billing.Line {
		a := decimal.RequireFromString(amount)
		return billing.Line{ID: ledger.CorrectionID("lahti", orig.Key, feb, orig.ID), Key: orig.Key, ClientCode: orig.ClientCode,
			Municipality: orig.Municipality, Type: billing.Correction, Date: feb.Last(), Month: feb, Amount: a, Corrects: orig.ID}
	}
	setup := func(change func(l *ledger.Ledger)) *ledger.Ledger {
		l := ledger.New("lahti")
		l.Record(jan, ledger.Period{RunID: "r1", AsOf: asOf}, []billing.Line{eff, info})
		if _, err := l.Decide(jan, ledger.Approval{Decision: ledger.DecisionRejected, Approver: "X", RunID: "r1"}); err != nil {
			t.Fatal(err)
		}
		l.Record(feb, ledger.Period{RunID: "r2", AsOf: asOf}, []billing.Line{legacy(eff, "-2.34"), legacy(info, "-50")})
		if change != nil {
			change(l)
		}
		return l
	}
	tests := []struct {
		name string
		l    *ledger.Ledger
		want []string // "corrects type month" of each billed OIKAISU
	}{
		{"original in a released period", setup(nil),
			[]string{eff.ID + " VAIKUTTAVUUS 2026-01", info.ID + " INFO 2026-01"}},
		{"another correction knows", setup(func(l *ledger.Ledger) {
			// Not from the id: the key was rotated without an alias.
			delete(l.Periods, jan)
			lines := l.Periods[feb].Lines
			for i := range lines {
				lines[i].Key = key("rotated " + lines[i].ClientCode)
			}
			later := typed(legacy(eff, "1"), eff)
			later.Key = key("rotated TM-2")
			l.Record(mar, ledger.Period{RunID: "r3", AsOf: asOf}, []billing.Line{later})
		}), []string{eff.ID + " VAIKUTTAVUUS 2026-01", info.ID + "  0000-00", eff.ID + " VAIKUTTAVUUS 2026-01"}},
		{"original deleted: from the id", setup(func(l *ledger.Ledger) { delete(l.Periods, jan) }),
			[]string{eff.ID + " VAIKUTTAVUUS 2026-01", info.ID + " INFO 0000-00"}},
		{"original deleted, key rotated: from the id through Aliases", setup(func(l *ledger.Ledger) {
			delete(l.Periods, jan)
			lines := l.Periods[feb].Lines
			for i := range lines {
				lines[i].Key = key("new " + lines[i].ClientCode)
			}
			l.Aliases = map[string]string{
				billing.LineID("lahti", key("new TM-2"), billing.Effectiveness, jan.String()): eff.ID,
				billing.LineID("lahti", key("new TM-1"), billing.Info, ""):                    info.ID,
			}
		}), []string{eff.ID + " VAIKUTTAVUUS 2026-01", info.ID + " INFO 0000-00"}},
		{"nothing tells: left unknown", setup(func(l *ledger.Ledger) {
			delete(l.Periods, jan)
			lines := l.Periods[feb].Lines
			for i := range lines {
				lines[i].Key = key("rotated " + lines[i].ClientCode)
			}
		}), []string{eff.ID + "  0000-00", info.ID + "  0000-00"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, x := range tc.l.BilledBefore(mar.Add(1)) {
				if x.Type == billing.Correction {
					got = append(got, fmt.Sprintf("%s %s %s", x.Corrects, x.CorrectsType, x.CorrectsMonth))
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("billed corrections:\ngot  %q\nwant %q", got, tc.want)
			}
		})
	}

	// The reported case: the reversal of an orphan legacy correction
	// names the type and month it corrects.
	plan := ledger.Reconcile("lahti", vat, mar, setup(nil).BilledBefore(mar), billing.Result{})
	var got []string
	for _, x := range plan.Due {
		got = append(got, fmt.Sprintf("%s %s %s %s", x.Corrects, x.CorrectsType, x.CorrectsMonth, x.Amount.StringFixed(2)))
		if !strings.HasPrefix(x.Description, "Oikaisu riviin "+x.Corrects+" ("+x.CorrectsType.Finnish()) {
			t.Errorf("Selite %q does not name the corrected type", x.Description)
		}
	}
	if want := []string{info.ID + " INFO 2026-01 50.00", eff.ID + " VAIKUTTAVUUS 2026-01 2.34"}; !slices.Equal(got, want) {
		t.Errorf("due:\ngot  %q\nwant %q", got, want)
	}
}

// typed is correction c as the ledger now records it: knowing orig.
func typed(c, orig billing.Line) billing.Line {
	c.CorrectsType, c.CorrectsMonth = orig.Type, orig.Month
	return c
}

// TestCorrectedTypeRecorded: the ledger document keeps an OIKAISU's
// corrected type and month, and still reads one recorded without them.
func TestCorrectedTypeRecorded(t *testing.T) {
	eff := line("TM-2", billing.Effectiveness, jan, "12.34")
	c := typed(billing.Line{ID: "LC", Key: eff.Key, ClientCode: "TM-2", Type: billing.Correction, Date: feb.Last(), Month: feb,
		Amount: decimal.RequireFromString("1"), Corrects: eff.ID}, eff)
	l := ledger.New("lahti")
	l.Record(feb, ledger.Period{RunID: "r1", AsOf: asOf}, []billing.Line{eff, c})
	raw, err := ledger.Encode(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"corrects_type":"VAIKUTTAVUUS","corrects_month":"2026-01"`) {
		t.Errorf("ledger lacks the corrected type and month: %s", raw)
	}
	if strings.Count(string(raw), "corrects_month") != 1 {
		t.Errorf("a line that corrects nothing records a corrected month: %s", raw)
	}
	back, err := ledger.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Periods[feb].Lines[1]; got.CorrectsType != billing.Effectiveness || got.CorrectsMonth != jan {
		t.Errorf("read back %+v", got)
	}
	legacy := strings.Replace(string(raw), `,"corrects_type":"VAIKUTTAVUUS","corrects_month":"2026-01"`, "", 1)
	if _, err := ledger.Decode([]byte(legacy)); err != nil {
		t.Errorf("a ledger recorded without corrected types: %v", err)
	}
}
