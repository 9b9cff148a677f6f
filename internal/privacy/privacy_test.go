package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/deploy/gcp"
	"tyomatka/internal/audit"
	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/privacy"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
	"tyomatka/internal/testfix"
)

var today = civil.Date{Year: 2026, Month: 6, Day: 1}

func TestSubjectAccess(t *testing.T) {
	h := newHistory(t)
	for n := 1; n <= 3; n++ {
		h.run(n)
	}
	ctx := context.Background()
	k := keyer(t, oldSecret)
	out := t.TempDir()

	t.Run("client with a correction", func(t *testing.T) {
		c := 2 // C: INFO billed in February, credited by an OIKAISU in March
		a, err := privacy.Subject(ctx, h.Store(), "lahti", k, hetuOf(c), today)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Held {
			t.Fatal("Held = false, want true")
		}
		if got, want := a.ClientCodes, []string{clients[c].code}; !slices.Equal(got, want) {
			t.Errorf("ClientCodes = %v, want %v", got, want)
		}
		var got []string
		for _, l := range a.Lines {
			if l.ClientCode != clients[c].code {
				t.Errorf("line %s has client code %s", l.ID, l.ClientCode)
			}
			got = append(got, l.Period+" "+l.Type+" "+l.Amount.StringFixed(2))
		}
		want := []string{"2026-02 INFO 50.00", "2026-03 OIKAISU -50.00"}
		if !slices.Equal(got, want) {
			t.Errorf("lines = %v, want %v", got, want)
		}
		if len(a.Lines) == 2 && a.Lines[1].Corrects != a.Lines[0].ID {
			t.Errorf("OIKAISU corrects %q, want the INFO line %q", a.Lines[1].Corrects, a.Lines[0].ID)
		}
		// Runs and outputs are those of the periods holding C's lines.
		var periods []string
		for _, r := range a.Runs {
			periods = append(periods, r.Period)
			if len(r.Inputs) == 0 || r.StartedBy == "" {
				t.Errorf("run %s: inputs %v, started by %q: the use log is incomplete", r.RunID, r.Inputs, r.StartedBy)
			}
		}
		if want := []string{"2026-02", "2026-03"}; !slices.Equal(periods, want) {
			t.Errorf("runs of periods %v, want %v", periods, want)
		}
		// The three workbooks of each of the two periods; run-summary.json
		// holds no client code.
		if len(a.Outputs) != 6 {
			t.Errorf("%d outputs, want 6", len(a.Outputs))
		}
	})

	t.Run("exactly one person's data", func(t *testing.T) {
		c := 0
		a, err := privacy.Subject(ctx, h.Store(), "lahti", k, hetuOf(c), today)
		if err != nil {
			t.Fatal(err)
		}
		jsonPath, xlsxPath, err := privacy.WriteFiles(out, a)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := filepath.Base(jsonPath), "tietopyynto_lahti_"+k.Key(hetuOf(c))[:12]+".json"; got != want {
			t.Errorf("file name %s, want %s", got, want)
		}
		wantLines := 0
		for _, m := range h.Ledger().Months() {
			for _, l := range h.Ledger().Periods[m].Lines {
				if l.Key == a.Key {
					wantLines++
				}
			}
		}
		if got := len(a.Lines); got != wantLines || got != 2 {
			t.Errorf("%d lines, want %d (A's INFO and ALOITUS)", got, wantLines)
		}
		raw, err := os.ReadFile(jsonPath)
		if err != nil {
			t.Fatal(err)
		}
		cells := []byte(testfix.XLSXText(t, xlsxPath))
		if !strings.Contains(string(raw), a.Key) {
			t.Errorf("JSON answer lacks the person's key")
		}
		// The workbook is for people: the key's start, not 64 hex digits.
		if !strings.Contains(string(cells), a.Key[:12]) || strings.Contains(string(cells), a.Key) {
			t.Errorf("workbook should show the key's first 12 hex digits only")
		}
		if !strings.Contains(string(raw), `"amount": "50.00"`) {
			t.Errorf("JSON amounts are not fixed two-decimal strings:\n%s", raw)
		}
		for _, data := range [][]byte{raw, cells} {
			if !strings.Contains(string(data), clients[c].code) {
				t.Errorf("answer lacks the person's own client code")
			}
			for i := range clients {
				if i == c {
					continue
				}
				if strings.Contains(string(data), clients[i].code) || strings.Contains(string(data), k.Key(hetuOf(i))) {
					t.Errorf("answer holds another person's client code or key (%s)", clients[i].code)
				}
			}
		}
		var back privacy.Answer
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if back.Key != a.Key || len(back.Lines) != len(a.Lines) {
			t.Errorf("JSON round trip: key %s, %d lines", back.Key, len(back.Lines))
		}
	})

	t.Run("never seen", func(t *testing.T) {
		a, err := privacy.Subject(ctx, h.Store(), "lahti", k, testfix.Hetu(50), today)
		if err != nil {
			t.Fatal(err)
		}
		if a.Held || len(a.Lines) != 0 || len(a.Runs) != 0 || a.Message != privacy.NothingHeld {
			t.Errorf("answer %+v, want nothing held", a)
		}
		_, xlsxPath, err := privacy.WriteFiles(out, a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(testfix.XLSXText(t, xlsxPath), privacy.NothingHeld) {
			t.Error("workbook does not say nothing is held")
		}
	})

	t.Run("wrong key refuses", func(t *testing.T) {
		_, err := privacy.Subject(ctx, h.Store(), "lahti", keyer(t, newSecret), hetuOf(0), today)
		if !errors.Is(err, ledger.ErrWrongKey) {
			t.Errorf("err = %v, want ErrWrongKey (a false 'nothing held' otherwise)", err)
		}
	})

	assertNoPersonalData(t, []string{h.Logs.String()}, out, filepath.Join(h.Dir, "state"))
}

// lineSig describes a due line without its id: what it bills.
func lineSig(l billing.Line) string {
	return l.ClientCode + " " + string(l.Type) + " " + l.Month.String() + " " + l.Amount.StringFixed(2) + " " + l.Corrects
}

func sigs(ls []billing.Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = lineSig(l)
	}
	slices.Sort(out)
	return out
}

func TestRekey(t *testing.T) {
	ctx := context.Background()
	// control: the same history without a rotation.
	control := newHistory(t)
	for n := 1; n <= 3; n++ {
		control.run(n)
	}
	controlMarch := control.Ledger().Periods[testfix.Month(3)].Lines

	h := newHistory(t)
	h.run(1)
	h.run(2)
	before := h.Ledger()
	ids := map[string]string{} // id → client code, type
	for _, m := range before.Months() {
		for _, l := range before.Periods[m].Lines {
			ids[l.ID] = l.ClientCode + " " + string(l.Type)
		}
	}
	var persons []hetu.Code
	for _, r := range workbookAt(2) {
		persons = append(persons, r.Hetu)
	}
	opts := privacy.RekeyOptions{Store: h.Store(), Config: h.Config, Old: keyer(t, oldSecret), New: keyer(t, newSecret),
		Persons: persons, Today: date("2026-03-10"), StartedBy: "local:test", Version: "test"}

	t.Run("crash before the write leaves the old ledger", func(t *testing.T) {
		raw := h.LedgerBytes()
		o := opts
		o.Fault = func(step string) error {
			if step == privacy.FaultRekeyComputed {
				return errors.New("crash")
			}
			return nil
		}
		if _, err := privacy.Rekey(ctx, o); err == nil {
			t.Fatal("rekey with an injected crash succeeded")
		}
		if got := h.LedgerBytes(); string(got) != string(raw) {
			t.Error("the ledger changed although the rotation crashed before its write")
		}
	})

	t.Run("missing person refuses without force", func(t *testing.T) {
		o := opts
		o.Persons = persons[:len(persons)-1] // C is not in the workbook
		rep, err := privacy.Rekey(ctx, o)
		if !errors.Is(err, privacy.ErrUnmapped) {
			t.Fatalf("err = %v, want ErrUnmapped", err)
		}
		if len(rep.Unmapped) != 1 || !slices.Equal(rep.Unmapped[0].Codes, []string{clients[2].code}) || rep.Unmapped[0].Lines != 1 {
			t.Errorf("unmapped = %+v, want C's code with 1 line", rep.Unmapped)
		}
	})

	t.Run("crash after the write, rerun records it", func(t *testing.T) {
		o := opts
		o.Fault = func(step string) error {
			if step == privacy.FaultRekeyCommitted {
				return errors.New("crash")
			}
			return nil
		}
		if _, err := privacy.Rekey(ctx, o); err == nil {
			t.Fatal("rekey with an injected crash succeeded")
		}
		rep, err := privacy.Rekey(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.AlreadyDone || rep.Record == "" {
			t.Errorf("rerun: already done %v, record %q; want the missing audit record written", rep.AlreadyDone, rep.Record)
		}
		rep, err = privacy.Rekey(ctx, opts)
		if err != nil || rep.Record != "" {
			t.Errorf("second rerun: err %v, record %q; want nothing written", err, rep.Record)
		}
		recs, err := audit.ListArea(ctx, h.Store(), "lahti")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.Kind == audit.KindRekey {
				n++
				if r.Rekey.NewKeyID != ledger.KeyID(keyer(t, newSecret)) || r.Rekey.Persons != 3 {
					t.Errorf("rekey record %+v", r.Rekey)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d rekey records, want 1", n)
		}
	})

	after := h.Ledger()
	t.Run("all keys new, ids unchanged", func(t *testing.T) {
		newK := keyer(t, newSecret)
		newKeys := map[string]bool{}
		for _, p := range persons {
			newKeys[newK.Key(p)] = true
		}
		n := 0
		for _, m := range after.Months() {
			for _, l := range after.Periods[m].Lines {
				n++
				if !newKeys[l.Key] {
					t.Errorf("line %s is not under the new key", l.ID)
				}
				if ids[l.ID] != l.ClientCode+" "+string(l.Type) {
					t.Errorf("line %s (%s %s) was not in the ledger before the rotation", l.ID, l.ClientCode, l.Type)
				}
			}
		}
		if n != len(ids) {
			t.Errorf("%d lines after, %d before", n, len(ids))
		}
		if after.KeyID != ledger.KeyID(newK) {
			t.Errorf("KeyID = %s, want the new key's", after.KeyID)
		}
	})

	t.Run("old key refuses the rotated ledger", func(t *testing.T) {
		h.prepare(3)
		_, err := run.Run(ctx, h.options(3))
		if !errors.Is(err, ledger.ErrWrongKey) {
			t.Fatalf("run with the old key: err = %v, want ErrWrongKey", err)
		}
	})

	t.Run("next run bills nothing twice", func(t *testing.T) {
		h.secret = newSecret
		out := h.run(3)
		if got, want := sigs(out.Lines), sigsOf(controlMarch); !slices.Equal(got, want) {
			t.Errorf("March after rotation bills\n%v\nwant (as without rotation)\n%v", got, want)
		}
		for _, l := range out.Lines {
			if l.Type == billing.Correction {
				if _, ok := ids[l.Corrects]; !ok {
					t.Errorf("OIKAISU corrects %s, not an id recorded before the rotation", l.Corrects)
				}
			}
		}
		l := h.Ledger()
		for _, m := range []period.Month{testfix.Month(1), testfix.Month(2)} {
			for _, x := range l.Periods[m].Lines {
				if _, ok := ids[x.ID]; !ok {
					t.Errorf("%s line %s changed id", m, x.ID)
				}
			}
		}
	})
	assertNoPersonalData(t, []string{h.Logs.String()}, filepath.Join(h.Dir, "state"))
}

func sigsOf(ls []ledger.Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.ClientCode + " " + string(l.Type) + " " + l.Month().String() + " " + l.Amount.StringFixed(2) + " " + l.Corrects
	}
	slices.Sort(out)
	return out
}

// seedState writes ledgers and audit records of two areas.
func seedState(t *testing.T, st state.Store) {
	t.Helper()
	ctx := context.Background()
	for area, months := range map[string][]string{
		"lahti":   {"2024-11", "2024-12", "2025-01", "2026-03"},
		"hollola": {"2024-12"},
	} {
		l := ledger.New(area)
		for i, ms := range months {
			p, _ := period.Parse(ms)
			l.Periods[p] = &ledger.Period{Status: ledger.Sealed, RunID: "r" + ms, AsOf: p.Add(1).First(),
				Lines: []ledger.Line{{ID: "L" + ms, Key: "k", ClientCode: "TM-1", Type: billing.Info, Date: p.Last(),
					Amount: decimal.NewFromInt(50), VAT: decimal.NewFromInt(12)}}}
			_ = i
		}
		raw, err := ledger.Encode(l)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Put(ctx, ledger.Name(area), raw, 0); err != nil {
			t.Fatal(err)
		}
		for _, ms := range append(months, "2023-05") {
			r := &audit.Record{Kind: audit.KindRun, Area: area, Period: ms, RunID: "r" + ms, StartedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			if _, err := audit.Write(ctx, st, r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestPurge(t *testing.T) {
	stores := map[string]func(t *testing.T) state.Store{
		"local": func(t *testing.T) state.Store {
			st, err := state.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"gcs": newFakeGCS,
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			seedState(t, st)
			cfg := testfix.LoadConfig(t, t.TempDir(), "\n[retention]\ndelete_by = 2040-01-31\nkeep_years = 6\n")
			all, _ := st.List(ctx, "")

			// 31.12.2024 + 6 years = 31.12.2030 is before 1.3.2031: 2024 goes.
			o := privacy.PurgeOptions{Today: civil.Date{Year: 2031, Month: 3, Day: 1}, DryRun: true, StartedBy: "local:test"}
			dry, err := privacy.Purge(ctx, st, cfg, o)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := st.List(ctx, ""); !slices.Equal(got, all) {
				t.Errorf("dry run changed the store:\n%v\nwant\n%v", got, all)
			}
			o.DryRun = false
			rep, err := privacy.Purge(ctx, st, cfg, o)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := monthsOf(rep.Periods), []string{"2024-11", "2024-12"}; !slices.Equal(got, want) {
				t.Errorf("purged periods %v, want %v", got, want)
			}
			if !slices.Equal(dry.Objects, rep.Objects) || !slices.Equal(monthsOf(dry.Periods), monthsOf(rep.Periods)) {
				t.Errorf("dry run reported %v %v, the purge did %v %v", dry.Periods, dry.Objects, rep.Periods, rep.Objects)
			}
			var gone []string
			for _, n := range rep.Objects {
				gone = append(gone, strings.Join(strings.Split(n, "/")[:3], "/"))
			}
			if want := []string{"audit/lahti/2023-05", "audit/lahti/2024-11", "audit/lahti/2024-12"}; !slices.Equal(gone, want) {
				t.Errorf("deleted %v, want the records of %v", rep.Objects, want)
			}
			left, _ := st.List(ctx, "")
			for _, n := range all {
				deleted := slices.Contains(rep.Objects, n)
				if slices.Contains(left, n) == deleted && n != ledger.Name("lahti") {
					t.Errorf("%s: deleted %v, still there %v", n, deleted, slices.Contains(left, n))
				}
			}
			snap, err := ledger.Load(ctx, st, "lahti")
			if err != nil {
				t.Fatal(err)
			}
			if got, want := monthsOf(snap.Ledger.Months()), []string{"2025-01", "2026-03"}; !slices.Equal(got, want) {
				t.Errorf("ledger keeps %v, want %v", got, want)
			}
			if pt := snap.Ledger.PurgedThrough; pt == nil || pt.String() != "2024-12" {
				t.Errorf("PurgedThrough = %v, want 2024-12", pt)
			}
			if rep.Record == "" {
				t.Error("no audit record of the purge")
			}
			again, err := privacy.Purge(ctx, st, cfg, o)
			if err != nil || again.Deleted() {
				t.Errorf("second purge: %+v, %v; want nothing deleted", again, err)
			}

			// On the deletion date everything of the area goes, nothing else.
			o.Today = civil.Date{Year: 2040, Month: 1, Day: 31}
			rep, err = privacy.Purge(ctx, st, cfg, o)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.All {
				t.Error("All = false on the deletion date")
			}
			left, _ = st.List(ctx, "")
			for _, n := range left {
				if strings.Contains(n, "lahti") {
					t.Errorf("%s survived the deletion date", n)
				}
			}
			hollola, _ := st.List(ctx, "audit/hollola/")
			if len(hollola) != 2 || !slices.Contains(left, ledger.Name("hollola")) {
				t.Errorf("another area's objects were deleted: left %v", left)
			}
		})
	}
}

func monthsOf(ms []period.Month) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}

func TestExpired(t *testing.T) {
	tests := []struct {
		p     string
		today civil.Date
		want  bool
	}{
		{"2026-12", civil.Date{Year: 2032, Month: 12, Day: 31}, false},
		{"2026-12", civil.Date{Year: 2033, Month: 1, Day: 1}, true},
		{"2026-01", civil.Date{Year: 2032, Month: 12, Day: 31}, false},
	}
	for _, tt := range tests {
		t.Run(tt.p+"@"+tt.today.String(), func(t *testing.T) {
			p, _ := period.Parse(tt.p)
			if got := privacy.Expired(p, 6, tt.today); got != tt.want {
				t.Errorf("Expired = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetainedDoesNotRebill(t *testing.T) {
	h := newHistory(t)
	h.run(1)
	h.run(2)
	// Retention deleted January: its lines must not be billed again.
	st := h.Store()
	snap, err := ledger.Load(context.Background(), st, "lahti")
	if err != nil {
		t.Fatal(err)
	}
	delete(snap.Ledger.Periods, testfix.Month(1))
	m := testfix.Month(1)
	snap.Ledger.PurgedThrough = &m
	if _, err := snap.Commit(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	out := h.run(3)
	for _, l := range out.Lines {
		if l.Month == testfix.Month(1) && l.Type != billing.Correction {
			t.Errorf("a line of the purged January is billed again: %s", lineSig(l))
		}
	}
}

func TestRunRefusesAfterDeletionDate(t *testing.T) {
	h := newHistory(t)
	h.prepare(1)
	o := h.options(1)
	o.Now = func() time.Time { return time.Date(2031, 1, 31, 8, 0, 0, 0, time.UTC) }
	_, err := run.Run(context.Background(), o)
	if !errors.Is(err, privacy.ErrDeletionDatePassed) {
		t.Fatalf("err = %v, want ErrDeletionDatePassed", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "2031-01-31") {
		t.Errorf("message %q: want one line naming the deletion date", msg)
	}
	if _, err := os.Stat(filepath.Join(h.Dir, "out")); !os.IsNotExist(err) {
		t.Error("the refused run wrote outputs")
	}
	o.Now = func() time.Time { return time.Date(2031, 1, 29, 8, 0, 0, 0, time.UTC) }
	if _, err := run.Run(context.Background(), o); err != nil {
		t.Errorf("run before the deletion date: %v", err)
	}
}

// TestDeletionDateAgrees: the bucket lifecycle and every job configuration
// delete on the same date.
func TestDeletionDateAgrees(t *testing.T) {
	tf, err := gcp.DeletionDateDefault("../../deploy/gcp")
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := filepath.Glob("../../jobs/*.toml")
	more, err2 := filepath.Glob("../../jobs/*/*.toml") // e.g. jobs/cloud, which the deployment runs
	if err != nil || err2 != nil || len(jobs) == 0 {
		t.Fatalf("no job configurations: %v %v", err, err2)
	}
	for _, j := range append(jobs, more...) {
		t.Run(strings.TrimPrefix(j, "../../"), func(t *testing.T) {
			cfg, err := config.Load(j)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cfg.Retention.DeleteBy.String(), tf; got != want {
				t.Errorf("retention.delete_by = %s, Terraform deletion_date = %s", got, want)
			}
		})
	}
}

func TestRetentionConfig(t *testing.T) {
	tests := []struct {
		name, extra string
		want        config.Retention
		wantErr     error
	}{
		{"defaults", "", config.Retention{DeleteBy: config.DefaultDeleteBy, KeepYears: 6}, nil},
		{"set", "\n[retention]\ndelete_by = 2030-06-30\nkeep_years = 10\n", config.Retention{DeleteBy: civil.Date{Year: 2030, Month: 6, Day: 30}, KeepYears: 10}, nil},
		{"unknown key", "\n[retention]\nkeep_yeras = 10\n", config.Retention{}, config.ErrUnknownKey},
		{"negative", "\n[retention]\nkeep_years = -1\n", config.Retention{}, config.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lahti.toml")
			if err := os.WriteFile(path, []byte(testfix.ConfigTOML+tt.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Retention; got != tt.want {
				t.Errorf("Retention = %+v, want %+v", got, tt.want)
			}
		})
	}
}
