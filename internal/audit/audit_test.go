package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

func TestWriteNames(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rec  audit.Record
		want string
	}{
		{"run", audit.Record{Kind: audit.KindRun, Area: "lahti", Period: "2026-10", RunID: "abc"},
			"audit/lahti/2026-10/20261120T080000.000000000Z-run-abc.json"},
		{"approve has no run id of its own", audit.Record{Kind: audit.KindApprove, Area: "lahti", Period: "2026-10"},
			"audit/lahti/2026-10/20261120T080000.000000000Z-approve.json"},
		{"rekey is area-wide", audit.Record{Kind: audit.KindRekey, Area: "lahti"},
			"audit/lahti/_area/20261120T080000.000000000Z-rekey.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := state.NewLocal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			r := tt.rec
			r.StartedAt = at
			got, err := audit.Write(context.Background(), st, &r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("name = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAreaRecordsListed: area-wide records are in the use log but in no
// period's history.
func TestAreaRecordsListed(t *testing.T) {
	ctx := context.Background()
	st, err := state.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, r := range []audit.Record{
		{Kind: audit.KindRun, Area: "lahti", Period: "2026-10", RunID: "abc", StartedAt: at},
		{Kind: audit.KindRekey, Area: "lahti", StartedAt: at.Add(time.Hour)},
	} {
		if _, err := audit.Write(ctx, st, &r); err != nil {
			t.Fatal(err)
		}
	}
	all, err := audit.ListArea(ctx, st, "lahti")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range all {
		kinds = append(kinds, r.Kind)
	}
	if got, want := strings.Join(kinds, ","), "run,rekey"; got != want {
		t.Errorf("ListArea kinds = %s, want %s", got, want)
	}
	oct, err := audit.List(ctx, st, "lahti", period.Month{Year: 2026, Month: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(oct), 1; got != want {
		t.Errorf("List(2026-10) = %d records, want %d", got, want)
	}
}
