package state_test

import (
	"bytes"
	"context"
	"testing"

	"tyomatka/internal/state"
)

// BenchmarkGetPut200KB measures one ledger round trip (read, then a
// conditional write of the same size) for an object of about 200 KB.
func BenchmarkGetPut200KB(b *testing.B) {
	data := bytes.Repeat([]byte(`{"key":"TM-0042","period":"2026-05","amount":"123.45"},`), 200_000/55)
	for _, bc := range []struct {
		name string
		open func(b *testing.B) state.Store
	}{
		{"local", func(b *testing.B) state.Store { return newLocal(b) }},
		{"fake-gcs", func(b *testing.B) state.Store { return newGCS(b, newFakeGCS(b), "state") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.open(b)
			ctx := context.Background()
			if _, err := s.Put(ctx, "ledger/bench.json", data, 0); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(2 * len(data)))
			b.ReportAllocs()
			for b.Loop() {
				got, gen, err := s.Get(ctx, "ledger/bench.json")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Put(ctx, "ledger/bench.json", got, gen); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
