package run_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/audit"
	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/report"
	"tyomatka/internal/run"
	"tyomatka/internal/testfix"
)

// The timeline's clients. Each one exercises one part of SPEC §8; see
// TestLedgerTimeline for the months in which things happen.
const (
	cA = "TM-0001" // info + start; effectiveness reaches the cap across months
	cB = "TM-0002" // info and start entered late (in March's workbook)
	cC = "TM-0003" // open employment, later changed to palkkatuki
	cD = "TM-0004" // info in February, whose invoice finance rejects
	cE = "TM-0005" // effectiveness; Kela corrects March after March is sealed
	cF = "TM-0006" // info; the client is removed in July
	cG = "TM-0007" // start; a duplicate row appears in August
	cH = "TM-0008" // employment verified in April, no longer verified in July
)

var timelineCodes = []string{cA, cB, cC, cD, cE, cF, cG, cH}

func hetuOf(code string) hetu.Code { return testfix.Hetu(slices.Index(timelineCodes, code) + 1) }

// row is code's Asiakkaat row.
func row(code, referral, info, start string) testfix.TrackingRow {
	return testfix.TrackingRow{Hetu: hetuOf(code), Code: code, Referral: referral, Info: info, Start: start}
}

// employed is code's Asiakkaat row with an employment.
func employed(code, referral, start, employment, employType string) testfix.TrackingRow {
	r := row(code, referral, "", start)
	r.Employment, r.EmployType = employment, employType
	return r
}

// timelineTracking is the tracking workbook as it stands when the run for p
// happens.
func timelineTracking(p period.Month) []testfix.TrackingRow {
	m := p.Month
	rows := []testfix.TrackingRow{
		row(cA, "5.1.2026", "10.1.2026", "20.1.2026"),
		row(cB, "10.1.2026", "", ""),
		employed(cC, "2.1.2026", "5.1.2026", "15.1.2026", "avoin"),
		row(cD, "1.2.2026", "10.2.2026", ""),
		row(cE, "3.1.2026", "", "4.1.2026"),
		row(cF, "5.1.2026", "6.1.2026", ""),
		row(cG, "5.1.2026", "", "10.1.2026"),
		employed(cH, "2.1.2026", "3.1.2026", "10.1.2026", "avoin"),
	}
	if m >= 3 { // late entry
		rows[1].Info, rows[1].Start = "20.1.2026", "15.2.2026"
	}
	if m >= 6 { // employment type corrected
		rows[2].EmployType = "palkkatuki"
	}
	if m >= 7 { // client removed
		rows = slices.Delete(rows, 5, 6)
	}
	if m >= 8 { // duplicate row
		rows = append(rows, row(cG, "5.1.2026", "", "10.1.2026"))
	}
	return rows
}

// accrual is one Kelmu row of client code ("" for the filler that keeps
// every month covered): month, paid days, municipal share.
func accrual(code, month string, days int, share string) testfix.AccrualRow {
	h := testfix.Hetu(99)
	if code != "" {
		h = hetuOf(code)
	}
	return testfix.AccrualRow{Hetu: h, Month: month, Days: days, Share: share}
}

// timelineAccruals returns the list Kela publishes for month m (the first
// list carries the baseline months 2025-10 … 2026-01).
func timelineAccruals(m period.Month) []testfix.AccrualRow {
	var rows []testfix.AccrualRow
	months := []string{m.String()}
	if m == (period.Month{Year: 2026, Month: 1}) {
		months = []string{"2025-10", "2025-11", "2025-12", "2026-01"}
	}
	for _, ms := range months {
		rows = append(rows, accrual("", ms, 0, "123,45"))
		mm, _ := period.Parse(ms)
		if !mm.After(period.Month{Year: 2026, Month: 1}) {
			// Baseline: A and E receive 300 a month; H is on the list with 0.
			rows = append(rows, accrual(cA, ms, 0, "300,00"), accrual(cE, ms, 0, "300,00"), accrual(cH, ms, 0, "0,00"))
			continue
		}
		// A leaves benefits entirely (actual 0). E: 200 in February, 250 in
		// March, 300 from April (no saving).
		switch mm.Month {
		case 2:
			rows = append(rows, accrual(cE, ms, 0, "200,00"))
		case 3:
			rows = append(rows, accrual(cE, ms, 0, "250,00"))
		default:
			rows = append(rows, accrual(cE, ms, 0, "300,00"))
		}
	}
	switch m.Month {
	case 4: // Kela corrects E's March after March was sealed
		rows = append(rows, accrual(cE, "2026-03", 0, "-100,00"))
	case 7: // Kela corrects H's March: 10 paid days, over the limit of 5
		rows = append(rows, accrual(cH, "2026-03", 10, "0,00"))
	}
	return rows
}

// timeline is one test's working folder: configuration, inputs, outputs
// and state.
type timeline struct{ *testfix.Workdir }

func newTimeline(t *testing.T) *timeline { return &timeline{testfix.NewWorkdir(t)} }

// prepare puts the inputs as they stand at the run for p in place: the
// workbook of that moment and every Kela list up to p.
func (tl *timeline) prepare(p period.Month) {
	tl.T.Helper()
	testfix.WriteTracking(tl.T, tl.TrackingPath(), timelineTracking(p))
	for m := testfix.Month(1); !m.After(p); m = m.Add(1) {
		name := "kelmu_" + m.String() + ".csv"
		if m == testfix.Month(1) {
			name = "kelmu_2025-10_2026-01.csv"
		}
		testfix.WriteAccruals(tl.T, tl.AccrualPath(name), timelineAccruals(m))
	}
}

// options are a run for p, as of the 22nd of the next month.
func (tl *timeline) options(p period.Month) run.Options {
	return tl.Options(p, "timeline-test-key-0123456789")
}

func (tl *timeline) run(p period.Month) *run.Outcome {
	tl.T.Helper()
	tl.prepare(p)
	return tl.Run(tl.options(p))
}

// decide records finance's decision on p's invoice basis, as finance would
// in Excel.
func (tl *timeline) decide(p period.Month, decision, approver, date string) {
	tl.T.Helper()
	inv, _, _ := report.FileNames("lahti", p)
	path := filepath.Join(tl.Dir, "out", p.String(), inv)
	f, err := excelize.OpenFile(path)
	if err != nil {
		tl.T.Fatal(err)
	}
	defer f.Close()
	for cell, v := range map[string]string{report.ApprovalApproverCell: approver, report.ApprovalDateCell: date, report.ApprovalDecisionCell: decision} {
		if err := f.SetCellValue(report.SheetApproval, cell, v); err != nil {
			tl.T.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		tl.T.Fatal(err)
	}
}

// describe renders lines as "code type month amount", an OIKAISU with
// "-> <type> <month>" of the line it corrects (looked up in known).
func describe(lines []billing.Line, known map[string]string) []string {
	var out []string
	for _, l := range lines {
		s := fmt.Sprintf("%s %s %s %s", l.ClientCode, l.Type, l.Month, l.Amount.StringFixed(2))
		if l.Type == billing.Correction {
			s += " -> " + known[l.Corrects]
		}
		out = append(out, s)
	}
	return out
}

// TestLedgerTimeline runs eight months of the real pipeline on a scripted
// history and asserts every month's lines exactly.
//
//	01 first run: backlog of January          → approved (sealed) before 03
//	02 A and E effectiveness, D's info        → rejected: due again in 03
//	03 B's late milestones, A reaches the cap → approved (sealed)
//	04 Kela corrects E's March: OIKAISU +30; C and H verified
//	05 nothing new
//	06 C's employment becomes palkkatuki: OIKAISU −750
//	07 F removed: OIKAISU −50; H no longer verified: OIKAISU −1500
//	08 G duplicated: OIKAISU −400
func TestLedgerTimeline(t *testing.T) {
	tl := newTimeline(t)
	known := map[string]string{} // line id → "TYPE month", for OIKAISU targets
	want := map[int][]string{
		1: {
			cA + " INFO 2026-01 50.00", cA + " ALOITUS 2026-01 400.00",
			cC + " ALOITUS 2026-01 400.00",
			cE + " ALOITUS 2026-01 400.00",
			cF + " INFO 2026-01 50.00",
			cG + " ALOITUS 2026-01 400.00",
			cH + " ALOITUS 2026-01 400.00",
		},
		2: {
			cA + " VAIKUTTAVUUS 2026-02 90.00",
			cD + " INFO 2026-02 50.00",
			cE + " VAIKUTTAVUUS 2026-02 30.00",
		},
		3: { // February was rejected: its lines are due again
			cA + " VAIKUTTAVUUS 2026-02 90.00", cA + " VAIKUTTAVUUS 2026-03 10.00",
			cB + " INFO 2026-01 50.00", cB + " ALOITUS 2026-02 400.00",
			cD + " INFO 2026-02 50.00",
			cE + " VAIKUTTAVUUS 2026-02 30.00", cE + " VAIKUTTAVUUS 2026-03 15.00",
		},
		4: {
			cC + " TYOLLISTYMINEN 2026-01 1500.00",
			cE + " OIKAISU 2026-04 30.00 -> VAIKUTTAVUUS 2026-03",
			cH + " TYOLLISTYMINEN 2026-01 1500.00",
		},
		5: nil,
		6: {cC + " OIKAISU 2026-06 -750.00 -> TYOLLISTYMINEN 2026-01"},
		7: {
			cF + " OIKAISU 2026-07 -50.00 -> INFO 2026-01",
			cH + " OIKAISU 2026-07 -1500.00 -> TYOLLISTYMINEN 2026-01",
		},
		8: {cG + " OIKAISU 2026-08 -400.00 -> ALOITUS 2026-01"},
	}
	for n := 1; n <= 8; n++ {
		p := testfix.Month(n)
		switch n {
		case 2:
			tl.decide(testfix.Month(1), report.DecisionApproved, "Talous Testaaja", "10.3.2026")
		case 3:
			tl.decide(testfix.Month(2), report.DecisionRejected, "Talous Testaaja", "")
		case 4:
			tl.decide(testfix.Month(3), report.DecisionApproved, "Talous Testaaja", "2026-05-05")
		}
		out := tl.run(p)
		for _, l := range out.Lines {
			if l.Type != billing.Correction {
				known[l.ID] = fmt.Sprintf("%s %s", l.Type, l.Month)
			}
		}
		got := describe(out.Lines, known)
		if !slices.Equal(got, want[n]) {
			t.Errorf("%s lines:\ngot  %q\nwant %q", p, got, want[n])
		}
		for _, l := range out.Lines {
			if l.Type == billing.Correction {
				if !strings.Contains(l.Description, l.Corrects) {
					t.Errorf("%s: OIKAISU Selite %q does not name the corrected line %s", p, l.Description, l.Corrects)
				}
				if got, want := l.VAT, billing.VAT(l.Amount, tl.Config.Contract.VATPercent); !got.Equal(want) {
					t.Errorf("%s: OIKAISU VAT %s, want %s", p, got, want)
				}
			}
		}
		// H's NOT_VERIFIED is about a billed employment in July (its OIKAISU
		// explains the credit) and about an unbilled one from August on.
		hasNotVerified := slices.ContainsFunc(out.Findings, func(f finding.Finding) bool {
			return f.Code == finding.NotVerified && f.ClientCode == cH
		})
		if got, want := hasNotVerified, n == 8; got != want {
			t.Errorf("%s: NOT_VERIFIED for %s reported = %v, want %v", p, cH, got, want)
		}
	}

	l := tl.Ledger()
	wantStatus := map[int]ledger.Status{1: ledger.Sealed, 2: ledger.Released, 3: ledger.Sealed, 4: ledger.Issued, 8: ledger.Issued}
	for n, want := range wantStatus {
		if got := l.Periods[testfix.Month(n)].Status; got != want {
			t.Errorf("ledger %s status %s, want %s", testfix.Month(n), got, want)
		}
	}
	if a := l.Periods[testfix.Month(3)].Approval; a == nil || a.Approver != "Talous Testaaja" || a.Date.String() != "2026-05-05" {
		t.Errorf("March approval recorded as %+v", a)
	}

	// Net billed per client equals the entitlement: E's effectiveness is
	// 30 + 15 + 30 (correction) = 75 and A's stops at the cap of 100.
	net := map[string]string{}
	for _, ln := range l.BilledBefore(testfix.Month(9)) {
		if ln.Type == billing.Effectiveness || ln.Type == billing.Correction && strings.HasPrefix(known[ln.Corrects], "VAIKUTTAVUUS") {
			d, _ := decimalOf(net[ln.ClientCode])
			net[ln.ClientCode] = d.Add(ln.Amount).StringFixed(2)
		}
	}
	if net[cA] != "100.00" || net[cE] != "75.00" {
		t.Errorf("net effectiveness billed: A %s (want 100.00, the cap), E %s (want 75.00)", net[cA], net[cE])
	}

	// No identity code in the ledger or the audit records.
	assertNoHetu(t, filepath.Join(tl.Dir, "state"))

	// A run for a sealed period says so and changes nothing but the audit
	// trail, which records every run.
	marchRecs, err := audit.List(context.Background(), tl.Store(), "lahti", testfix.Month(3))
	if err != nil {
		t.Fatal(err)
	}
	before := tl.LedgerBytes()
	inv, _, _ := report.FileNames("lahti", testfix.Month(3))
	invBefore, _ := os.ReadFile(filepath.Join(tl.Dir, "out", "2026-03", inv))
	out, err := run.Run(context.Background(), tl.options(testfix.Month(3)))
	if err != nil {
		t.Fatal(err)
	}
	if !out.Sealed {
		t.Error("run for sealed 2026-03: Outcome.Sealed is false")
	}
	invAfter, _ := os.ReadFile(filepath.Join(tl.Dir, "out", "2026-03", inv))
	if !bytes.Equal(before, tl.LedgerBytes()) || !bytes.Equal(invBefore, invAfter) {
		t.Error("run for sealed 2026-03 changed the ledger or the invoice basis")
	}
	marchAfter, err := audit.List(context.Background(), tl.Store(), "lahti", testfix.Month(3))
	if err != nil {
		t.Fatal(err)
	}
	if len(marchAfter) != len(marchRecs)+1 || marchAfter[len(marchAfter)-1].Kind != audit.KindSealed {
		t.Errorf("the run for sealed 2026-03 left %d audit records (was %d), want one more of kind %q", len(marchAfter), len(marchRecs), audit.KindSealed)
	}

	// A run for an earlier, unsealed period would double bill: refused.
	if _, err := run.Run(context.Background(), tl.options(testfix.Month(5))); err == nil {
		t.Error("run for 2026-05 after 2026-08 is issued: no error")
	}

	// The audit trail of March holds its run and April's records its approval.
	st := tl.Store()
	recs, err := audit.List(context.Background(), st, "lahti", testfix.Month(4))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(recs[0].Decisions) != 1 || recs[0].Decisions[0].Period != "2026-03" || recs[0].Decisions[0].Status != "sealed" {
		t.Errorf("April's audit records: %+v", recs)
	}
	if r := recs[0]; r.Totals.Count != 3 || r.Lines["OIKAISU"].Count != 1 || len(r.Inputs) != 5 || len(r.Outputs) != 4 || r.LedgerAfter <= r.LedgerBefore {
		t.Errorf("April's audit record: %+v", r)
	}
}

// TestLedgerRerunIdempotent: rerunning an issued period on the same inputs
// gives byte-identical outputs and ledger.
func TestLedgerRerunIdempotent(t *testing.T) {
	tl := newTimeline(t)
	tl.run(testfix.Month(1))
	tl.run(testfix.Month(2))
	outDir := filepath.Join(tl.Dir, "out", "2026-02")
	snapshot := func() map[string][]byte {
		m := map[string][]byte{"ledger": tl.LedgerBytes()}
		entries, _ := os.ReadDir(outDir)
		for _, e := range entries {
			m[e.Name()], _ = os.ReadFile(filepath.Join(outDir, e.Name()))
		}
		return m
	}
	first := snapshot()
	tl.run(testfix.Month(2))
	second := snapshot()
	if len(first) != 5 || len(second) != len(first) {
		t.Fatalf("files: first %d, second %d, want 5 (ledger + 4 outputs)", len(first), len(second))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs after a rerun on the same inputs", name)
		}
	}
}

// TestLedgerCrashRecovery injects a crash after the lines are claimed in the
// ledger (before any output is written), after the outputs are written
// (before their versions are committed) and after the commit (before the
// audit record): a rerun recovers, and nothing is billed twice.
func TestLedgerCrashRecovery(t *testing.T) {
	crash := errors.New("crash")
	for _, step := range []string{run.FaultClaimed, run.FaultOutputsWritten, run.FaultLedgerCommitted} {
		t.Run(step, func(t *testing.T) {
			tl := newTimeline(t)
			tl.prepare(testfix.Month(1))
			o := tl.options(testfix.Month(1))
			o.Fault = crashAt(step, crash)
			if _, err := run.Run(context.Background(), o); !errors.Is(err, crash) {
				t.Fatalf("crashing run: err %v", err)
			}
			first := tl.run(testfix.Month(1))
			if got := len(first.Lines); got != 7 {
				t.Errorf("rerun after crash: %d lines, want 7", got)
			}
			entries, _ := os.ReadDir(filepath.Join(tl.Dir, "out", "2026-01"))
			if len(entries) != 4 {
				t.Errorf("output folder holds %d files, want 4 (nothing written beside)", len(entries))
			}
			st := tl.Store()
			recs, _ := audit.List(context.Background(), st, "lahti", testfix.Month(1))
			if len(recs) != 1 {
				t.Errorf("%d audit records, want 1", len(recs))
			}
			if got := len(tl.Ledger().Periods[testfix.Month(1)].Lines); got != 7 {
				t.Errorf("ledger holds %d lines of 2026-01, want 7", got)
			}
			if second := tl.run(testfix.Month(2)); len(second.Lines) != 3 {
				t.Errorf("next month: %d lines, want 3 (January's not billed again)", len(second.Lines))
			}
		})
	}
}

// TestWriteFailureReleasesClaim: when the outputs cannot be written, the
// period's claim is taken back, so its lines are not counted as billed while
// finance never got them; the rerun bills them.
func TestWriteFailureReleasesClaim(t *testing.T) {
	tl := newTimeline(t)
	tl.prepare(testfix.Month(1))
	// A file where the period's output folder should be: the folder cannot
	// be created (as for root too, unlike a read-only folder).
	blocker := filepath.Join(tl.Dir, "out", "2026-01")
	if err := os.MkdirAll(filepath.Dir(blocker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := run.Run(context.Background(), tl.options(testfix.Month(1)))
	if err == nil || !strings.Contains(err.Error(), "the ledger's record of period 2026-01 is back as it was before this run") {
		t.Fatalf("run with an unwritable output folder: err %v, want the write error saying nothing was recorded", err)
	}
	if rec := tl.Ledger().Periods[testfix.Month(1)]; rec != nil {
		t.Fatalf("ledger still records 2026-01 (%s, %d lines) after its outputs failed", rec.Status, len(rec.Lines))
	}
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if first := tl.run(testfix.Month(1)); len(first.Lines) != 7 {
		t.Errorf("rerun: %d lines, want 7", len(first.Lines))
	}
	if second := tl.run(testfix.Month(2)); len(second.Lines) != 3 {
		t.Errorf("next month: %d lines, want 3", len(second.Lines))
	}
}

// TestFailedRerunRestoresIssuedPeriod: a rerun of an issued period (new
// inputs, so a new run id) whose outputs cannot be written puts the
// period's earlier record back, outputs and all, and leaves an audit record
// of the failed run.
func TestFailedRerunRestoresIssuedPeriod(t *testing.T) {
	tl := newTimeline(t)
	tl.run(testfix.Month(1))
	before := tl.Ledger().Periods[testfix.Month(1)]
	if before == nil || len(before.Outputs) != 4 {
		t.Fatalf("first run recorded %+v", before)
	}
	// A folder in the way of one output: that file cannot be written.
	blocker := filepath.Join(tl.Dir, "out", "2026-01", "run-summary.json")
	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	o := tl.options(testfix.Month(1))
	o.AsOf = o.AsOf.AddDays(1) // another run id
	if _, err := run.Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), "back as it was before this run") {
		t.Fatalf("rerun with an output in the way: err %v", err)
	}
	after := tl.Ledger().Periods[testfix.Month(1)]
	if after == nil || after.RunID != before.RunID || len(after.Outputs) != 4 || after.Status != ledger.Issued {
		t.Errorf("record after the failed rerun = %+v, want the first run's back", after)
	}
	recs, err := audit.List(context.Background(), tl.Store(), "lahti", testfix.Month(1))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, r.Kind)
	}
	if !slices.Contains(kinds, audit.KindFailed) {
		t.Errorf("audit records %q, want one of kind failed", kinds)
	}
}

// TestOldUnfinishedPeriodOnlyWarns: a period issued without outputs before
// a later issued one (left by an earlier binary) cannot be rerun any more,
// so it must not stop the runs after it.
func TestOldUnfinishedPeriodOnlyWarns(t *testing.T) {
	tl := newTimeline(t)
	tl.run(testfix.Month(1))
	tl.run(testfix.Month(2))
	snap, err := ledger.Load(context.Background(), tl.Store(), "lahti")
	if err != nil {
		t.Fatal(err)
	}
	snap.Ledger.Periods[testfix.Month(1)].Outputs = nil
	if _, err := snap.Commit(context.Background(), tl.Store()); err != nil {
		t.Fatal(err)
	}
	tl.run(testfix.Month(3))
	if !strings.Contains(tl.Logs.String(), "period issued without outputs before a later one") {
		t.Errorf("no warning about 2026-01 in the log:\n%s", tl.Logs.String())
	}
}

// TestClaimLease: while a run's claim on a period has no outputs recorded
// and is younger than ClaimLease, another run (another run id) must not
// take the period: both would write the same files, and the loser's could
// end up on disk. A rerun with the same run id (a retried task) may; after
// the lease, any run may.
func TestClaimLease(t *testing.T) {
	tl := newTimeline(t)
	tl.prepare(testfix.Month(1))
	t0 := time.Date(2026, 2, 23, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration, asOf int) run.Options {
		o := tl.options(testfix.Month(1))
		o.Now = func() time.Time { return t0.Add(d) }
		o.AsOf = civil.Date{Year: 2026, Month: 2, Day: asOf}
		return o
	}
	first := at(0, 22)
	first.Fault = crashAt(run.FaultClaimed, errors.New("still writing"))
	if _, err := run.Run(context.Background(), first); err == nil {
		t.Fatal("the first run did not stop after its claim")
	}
	_, err := run.Run(context.Background(), at(time.Minute, 23))
	if err == nil || !strings.Contains(err.Error(), "claimed it 1m0s ago") || !strings.Contains(err.Error(), "rerun after 2026-02-23T10:00:00Z") {
		t.Fatalf("another run within the lease: err %v, want a refusal", err)
	}
	if _, err := run.Run(context.Background(), at(2*time.Minute, 22)); err != nil {
		t.Errorf("the same run again (a retried task): %v", err)
	}

	tl = newTimeline(t)
	tl.prepare(testfix.Month(1))
	first = at(0, 22)
	first.Fault = crashAt(run.FaultClaimed, errors.New("killed"))
	if _, err := run.Run(context.Background(), first); err == nil {
		t.Fatal("the first run did not stop after its claim")
	}
	o, err := run.Run(context.Background(), at(run.ClaimLease+time.Minute, 23))
	if err != nil || len(o.Lines) != 7 {
		t.Fatalf("another run after the lease: %v", err)
	}
	if rec := tl.Ledger().Periods[testfix.Month(1)]; rec.ClaimedAt != nil || len(rec.Outputs) != 4 {
		t.Errorf("recorded period = %+v, want outputs and no claim time", rec)
	}
}

// TestUnfinishedPeriodBlocksTheNext: a run stopped after claiming its period
// (a crash: nothing could take the claim back) leaves the period issued
// without outputs; the next month's real run refuses until it is rerun, as
// its lines would otherwise count as billed without any invoice basis.
func TestUnfinishedPeriodBlocksTheNext(t *testing.T) {
	tl := newTimeline(t)
	tl.prepare(testfix.Month(1))
	o := tl.options(testfix.Month(1))
	crash := errors.New("crash")
	o.Fault = crashAt(run.FaultClaimed, crash)
	// Long enough ago that its claim has lapsed (TestClaimLease): the
	// rerun below has other inputs, so another run id.
	o.Now = func() time.Time { return time.Now().Add(-2 * run.ClaimLease) }
	if _, err := run.Run(context.Background(), o); !errors.Is(err, crash) {
		t.Fatalf("crashing run: err %v", err)
	}
	tl.prepare(testfix.Month(2))
	_, err := run.Run(context.Background(), tl.options(testfix.Month(2)))
	if err == nil || !strings.Contains(err.Error(), "period 2026-01 is recorded as issued") || !strings.Contains(err.Error(), "--period 2026-01 --as-of 2026-02-22") {
		t.Fatalf("next month after an unfinished one: err %v, want a refusal naming 2026-01 and the rerun", err)
	}
	dry := tl.options(testfix.Month(2))
	dry.DryRun = true
	if _, err := run.Run(context.Background(), dry); err != nil {
		t.Errorf("a dry run only warns: %v", err)
	}
	if first := tl.run(testfix.Month(1)); len(first.Lines) != 7 {
		t.Errorf("rerun of 2026-01: %d lines, want 7", len(first.Lines))
	}
	if second := tl.run(testfix.Month(2)); len(second.Lines) != 3 {
		t.Errorf("2026-02 after the rerun: %d lines, want 3", len(second.Lines))
	}
}

// crashAt is an Options.Fault that ends the run with err at step, as a
// crash there would.
func crashAt(step string, err error) func(string) error {
	return func(s string) error {
		if s == step {
			return err
		}
		return nil
	}
}

// assertNoHetu fails if any file under dir holds an identity code of the
// timeline.
func assertNoHetu(t *testing.T, dir string) {
	t.Helper()
	codes := []string{string(testfix.Hetu(99))}
	for i := 1; i <= len(timelineCodes)+1; i++ {
		codes = append(codes, string(testfix.Hetu(i)))
	}
	testfix.AssertNoPersonalData(t, testfix.FileTexts(t, dir), codes)
}

func decimalOf(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	return decimal.NewFromString(s)
}

// TestExplain: explain gathers one client's billed, entitled and due lines.
func TestExplain(t *testing.T) {
	tl := newTimeline(t)
	tl.run(testfix.Month(1))
	tl.run(testfix.Month(2))
	tl.prepare(testfix.Month(3))
	o := tl.options(testfix.Month(3))
	x, err := run.Explain(context.Background(), o, cA)
	if err != nil {
		t.Fatal(err)
	}
	var billed, due, entitled []string
	for _, l := range x.Billed {
		billed = append(billed, fmt.Sprintf("%s %s %s", l.Period, l.Type, l.Amount.StringFixed(2)))
	}
	for _, l := range x.Due {
		due = append(due, fmt.Sprintf("%s %s", l.Type, l.Amount.StringFixed(2)))
	}
	for _, l := range x.Entitled {
		entitled = append(entitled, fmt.Sprintf("%s %s", l.Type, l.Amount.StringFixed(2)))
	}
	if want := []string{"2026-01 INFO 50.00", "2026-01 ALOITUS 400.00", "2026-02 VAIKUTTAVUUS 90.00"}; !slices.Equal(billed, want) {
		t.Errorf("billed %q, want %q", billed, want)
	}
	if want := []string{"VAIKUTTAVUUS 10.00"}; !slices.Equal(due, want) {
		t.Errorf("due %q, want %q", due, want)
	}
	if want := []string{"INFO 50.00", "ALOITUS 400.00", "VAIKUTTAVUUS 90.00", "VAIKUTTAVUUS 10.00"}; !slices.Equal(entitled, want) {
		t.Errorf("entitled %q, want %q", entitled, want)
	}
	if x.Client == nil || x.Client.Start == nil || len(x.Accruals) == 0 {
		t.Errorf("client data missing: %+v", x)
	}
	// Explain is read-only.
	if got := len(tl.Ledger().Periods); got != 2 {
		t.Errorf("ledger has %d periods after explain, want 2", got)
	}
}

// TestCorrectionOfRejectedEffectiveness: an OIKAISU of a VAIKUTTAVUUS line
// whose period finance rejected afterwards is the only record of that line
// still billed. When the line's entitlement then vanishes, the reversing
// OIKAISU must still know it corrects VAIKUTTAVUUS: its Selite names the
// type and month for finance, and the provider report counts it only in the
// monthly effectiveness total, never per client (SPEC §4: no Kela-derived
// amount of a person reaches the provider).
//
//	03 March issued (E's VAIKUTTAVUUS 2026-03 15.00)
//	04 Kela corrects E's March: OIKAISU +30 of it
//	   finance then rejects March (tyomatka approve)
//	05 E's start date removed: E's March entitlement vanishes, so April's
//	   +30 is reversed by an OIKAISU −30 of E's March line
func TestCorrectionOfRejectedEffectiveness(t *testing.T) {
	ctx := context.Background()
	tl := newTimeline(t)
	known := map[string]string{}
	for n := 1; n <= 4; n++ {
		for _, l := range tl.run(testfix.Month(n)).Lines {
			if l.Type != billing.Correction {
				known[l.ID] = fmt.Sprintf("%s %s %s", l.ClientCode, l.Type, l.Month)
			}
		}
	}
	var marchE string
	for id, what := range known {
		if what == cE+" VAIKUTTAVUUS 2026-03" {
			marchE = id
		}
	}
	if marchE == "" {
		t.Fatalf("no VAIKUTTAVUUS 2026-03 of %s billed: %q", cE, known)
	}

	mar := testfix.Month(3)
	tl.decide(mar, report.DecisionRejected, "Talous Testaaja", "")
	if st, err := run.Approve(ctx, tl.options(mar), mar); err != nil || st != ledger.Released {
		t.Fatalf("approve %s: %s, %v; want released", mar, st, err)
	}

	may := testfix.Month(5)
	tl.prepare(may)
	rows := timelineTracking(may)
	for i := range rows {
		if rows[i].Code == cE {
			rows[i].Start = ""
		}
	}
	testfix.WriteTracking(t, tl.TrackingPath(), rows)
	out := tl.Run(tl.options(may))

	var corr *billing.Line
	for i, l := range out.Lines {
		if l.Type == billing.Correction && l.Corrects == marchE {
			corr = &out.Lines[i]
		}
	}
	if corr == nil {
		t.Fatalf("%s: no OIKAISU of %s's March effectiveness %s: %q", may, cE, marchE, describe(out.Lines, known))
	}
	if !corr.Amount.Equal(decimal.RequireFromString("-30")) {
		t.Errorf("OIKAISU of %s: %s, want -30.00 (April's +30 reversed)", marchE, corr.Amount)
	}
	if want := "Oikaisu riviin " + marchE + " (Vaikuttavuus 2026-03): aloituspäivä on poistettu"; !strings.HasPrefix(corr.Description, want) {
		t.Errorf("OIKAISU Selite %q, want it to start %q", corr.Description, want)
	}

	_, _, prov := report.FileNames("lahti", may)
	f, err := excelize.OpenFile(filepath.Join(tl.Dir, "out", may.String(), prov))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := f.GetRows(report.SheetLines)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range lines[1:] {
		if slices.Contains(r, marchE) || slices.Contains(r, corr.ID) {
			t.Errorf("provider Laskurivit lists the effectiveness correction per client: %q", r)
		}
	}
	// May's effectiveness total holds May's corrections of VAIKUTTAVUUS
	// lines, E's reversal included (a VAIKUTTAVUUS line counts in its own
	// month, a correction in the month that bills it).
	want := decimal.Zero
	for _, l := range out.Lines {
		if l.Month == may && (l.Type == billing.Effectiveness || l.Type == billing.Correction && strings.Contains(known[l.Corrects], " VAIKUTTAVUUS ")) {
			want = want.Add(l.Amount)
		}
	}
	eff, err := f.GetRows(report.SheetEffectiveness, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, r := range eff[1:] {
		if len(r) > 2 && r[0] == may.String() {
			got = r[2]
		}
	}
	if g, err := decimal.NewFromString(got); err != nil || !g.Equal(want) {
		t.Errorf("provider Vaikuttavuus %s total %q, want %s (%q)", may, got, want.StringFixed(2), describe(out.Lines, known))
	}
}
