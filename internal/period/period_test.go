package period_test

import (
	"testing"
	"time"

	"cloud.google.com/go/civil"

	"tyomatka/internal/period"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    period.Month
		wantErr bool
	}{
		{"2026-10", period.Month{Year: 2026, Month: 10}, false},
		{"2026-01", period.Month{Year: 2026, Month: 1}, false},
		{"2026-13", period.Month{}, true},
		{"2026-00", period.Month{}, true},
		{"2026-1", period.Month{}, true},
		{"10/2026", period.Month{}, true},
		{"", period.Month{}, true},
	}
	for _, tt := range tests {
		got, err := period.Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestArithmetic(t *testing.T) {
	m := period.Month{Year: 2026, Month: 1}
	if got := m.Add(-1); got != (period.Month{Year: 2025, Month: 12}) {
		t.Errorf("Add(-1) = %v", got)
	}
	if got := m.Add(12); got != (period.Month{Year: 2027, Month: 1}) {
		t.Errorf("Add(12) = %v", got)
	}
	if got := (period.Month{Year: 2028, Month: 2}).Last(); got != (civil.Date{Year: 2028, Month: 2, Day: 29}) {
		t.Errorf("Last of a leap February = %v", got)
	}
	if got := (period.Month{Year: 2026, Month: 12}).Last(); got != (civil.Date{Year: 2026, Month: 12, Day: 31}) {
		t.Errorf("Last of December = %v", got)
	}
	if !m.Before(m.Add(1)) || !m.Add(1).After(m) || m.Compare(m) != 0 {
		t.Error("ordering")
	}
	if got := period.FromIndex(m.Index()); got != m {
		t.Errorf("FromIndex(Index) = %v", got)
	}
	if got := m.String(); got != "2026-01" {
		t.Errorf("String = %q", got)
	}
}

// TestTodayInHelsinki: D is the date in Europe/Helsinki, not UTC, around
// midnight and month ends (UTC+2 in winter, UTC+3 in summer).
func TestTodayInHelsinki(t *testing.T) {
	hel, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		utc  time.Time
		want civil.Date
	}{
		{time.Date(2026, 10, 31, 21, 59, 0, 0, time.UTC), civil.Date{Year: 2026, Month: 10, Day: 31}}, // 23:59 EET
		{time.Date(2026, 10, 31, 22, 0, 0, 0, time.UTC), civil.Date{Year: 2026, Month: 11, Day: 1}},   // 00:00 EET: new month
		{time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC), civil.Date{Year: 2026, Month: 7, Day: 1}},     // 00:00 EEST
		{time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), civil.Date{Year: 2027, Month: 1, Day: 1}},   // new year
	}
	for _, tt := range tests {
		d := period.Today(tt.utc, hel)
		if d != tt.want {
			t.Errorf("Today(%v) = %v, want %v", tt.utc, d, tt.want)
		}
		// The default billing period is the month before D.
		if p, want := period.Of(d).Add(-1), period.Of(tt.want).Add(-1); p != want {
			t.Errorf("default period = %v, want %v", p, want)
		}
	}
}
