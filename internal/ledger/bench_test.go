package ledger_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"tyomatka/internal/billing"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

// yearLedger is a worst-case year for n clients: every client billed INFO,
// ALOITUS, TYOLLISTYMINEN and twelve VAIKUTTAVUUS months, spread over twelve
// issued periods.
func yearLedger(n int) *ledger.Ledger {
	l := ledger.New("lahti")
	byMonth := map[period.Month][]billing.Line{}
	for c := 0; c < n; c++ {
		code := fmt.Sprintf("TM-%05d", c)
		byMonth[jan] = append(byMonth[jan], line(code, billing.Info, jan, "50.00"), line(code, billing.Start, jan, "400.00"))
		byMonth[mar] = append(byMonth[mar], line(code, billing.Employed, jan, "1500.00"))
		for k := 0; k < 12; k++ {
			m := jan.Add(k)
			byMonth[m] = append(byMonth[m], line(code, billing.Effectiveness, m, "83.33"))
		}
	}
	for m, ls := range byMonth {
		l.Record(m, ledger.Period{RunID: "0123456789abcdef", AsOf: m.Add(1).First().AddDays(21), Dir: m.String(),
			Outputs: []ledger.Output{{Name: "Laskutusperuste_lahti_" + m.String() + ".xlsx", Written: "Laskutusperuste_lahti_" + m.String() + ".xlsx",
				Version: "sha256:" + key("v"), SHA256: key("v")}}}, ls)
	}
	return l
}

// BenchmarkLedgerReadCommit measures what a run spends on the ledger: one
// Load and one Commit of a changed ledger of 1,000 clients' worst-case year.
func BenchmarkLedgerReadCommit(b *testing.B) {
	stores := map[string]func(b *testing.B) state.Store{
		"local": func(b *testing.B) state.Store {
			st, err := state.NewLocal(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return st
		},
		"fake-gcs": func(b *testing.B) state.Store {
			srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{Scheme: "http", Host: "127.0.0.1", Port: 0, Writer: io.Discard})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Stop)
			srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "bench"})
			c := srv.Client()
			b.Cleanup(func() { c.Close() })
			return state.NewGCS(c, "bench", "lahti")
		},
	}
	for name, open := range stores {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st := open(b)
			seed := &ledger.Snapshot{Ledger: yearLedger(1000)}
			if _, err := seed.Commit(ctx, st); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				snap, err := ledger.Load(ctx, st, "lahti")
				if err != nil {
					b.Fatal(err)
				}
				// A changed period, so every iteration really writes.
				snap.Ledger.Periods[jan].RunID = fmt.Sprintf("run-%d", i)
				if _, err := snap.Commit(ctx, st); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(seed.Size), "ledger-bytes")
		})
	}
}
