package run_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/ledger"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
	"tyomatka/internal/testfix"
)

// barrier lets n callers through together: each waits until all have come.
func barrier(n int) func(string) error {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func(step string) error {
		if step != run.FaultComputed {
			return nil
		}
		mu.Lock()
		arrived++
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("barrier: the other run never came")
		}
	}
}

// TestLedgerConcurrentRuns starts two runs of the same period that both
// read the ledger before either commits: one wins, the other fails with a
// conflict and changes nothing, and its retry succeeds without doubling.
func TestLedgerConcurrentRuns(t *testing.T) {
	kinds := map[string]func(t *testing.T, tl *timeline) func() state.Store{
		"local": func(t *testing.T, tl *timeline) func() state.Store {
			return func() state.Store { return nil } // each run opens the configured folder itself
		},
		"gcs": func(t *testing.T, tl *timeline) func() state.Store {
			srv := testfix.FakeGCS(t, "tyomatka-state")
			// A client per run, as two Cloud Run tasks would have.
			return func() state.Store {
				c := srv.Client()
				t.Cleanup(func() { c.Close() })
				return state.NewGCS(c, "tyomatka-state", "lahti/")
			}
		},
	}
	for kind, newStore := range kinds {
		t.Run(kind, func(t *testing.T) {
			tl := newTimeline(t)
			storeFor := newStore(t, tl)
			tl.prepare(testfix.Month(1))
			gate := barrier(2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := tl.options(testfix.Month(1))
					o.State, o.Fault = storeFor(), gate
					_, errs[i] = run.Run(context.Background(), o)
				}()
			}
			wg.Wait()
			failed := 0
			for _, err := range errs {
				if err == nil {
					continue
				}
				failed++
				if !run.IsConflict(err) {
					t.Errorf("losing run: %v, want a ledger conflict", err)
				}
			}
			if failed != 1 {
				t.Fatalf("%d of 2 racing runs failed, want exactly 1: %v", failed, errs)
			}

			st := storeFor()
			if st == nil {
				st, _ = state.NewLocal(tl.Config.State.Dir)
			}
			ctx := context.Background()
			snap, err := ledger.Load(ctx, st, "lahti")
			if err != nil {
				t.Fatal(err)
			}
			genAfterRace := snap.Gen

			// The loser failed before writing anything: the folder holds the
			// winner's four files, and they are what the ledger recorded.
			entries, _ := os.ReadDir(filepath.Join(tl.Dir, "out", "2026-01"))
			if len(entries) != 4 {
				t.Errorf("output folder holds %d files after the race, want the winner's 4", len(entries))
			}
			for _, rec := range snap.Ledger.Periods[testfix.Month(1)].Outputs {
				b, err := os.ReadFile(filepath.Join(tl.Dir, "out", "2026-01", rec.Written))
				if sum := sha256.Sum256(b); err != nil || hex.EncodeToString(sum[:]) != rec.SHA256 {
					t.Errorf("%s on disk is not what the ledger recorded", rec.Written)
				}
			}

			// The retry of the loser succeeds and changes nothing billed.
			o := tl.options(testfix.Month(1))
			o.State = storeFor()
			out, err := run.Run(ctx, o)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if got := len(out.Lines); got != 7 {
				t.Errorf("retry: %d lines, want 7", got)
			}
			snap, err = ledger.Load(ctx, st, "lahti")
			if err != nil {
				t.Fatal(err)
			}
			if snap.Gen != genAfterRace {
				t.Errorf("retry rewrote an identical ledger (generation %d → %d)", genAfterRace, snap.Gen)
			}
			if got := len(snap.Ledger.Periods[testfix.Month(1)].Lines); got != 7 {
				t.Errorf("ledger holds %d lines of 2026-01, want 7", got)
			}
			recs, err := audit.List(ctx, st, "lahti", testfix.Month(1))
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 {
				t.Errorf("%d audit records, want 2 (the winner and the retry)", len(recs))
			}

			o = tl.options(testfix.Month(2))
			o.State = storeFor()
			tl.prepare(testfix.Month(2))
			next, err := run.Run(ctx, o)
			if err != nil {
				t.Fatalf("next month: %v", err)
			}
			if got := len(next.Lines); got != 3 {
				t.Errorf("next month: %d lines, want 3 (nothing doubled)", got)
			}
		})
	}
}
