package run

import (
	"strings"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

func month(t *testing.T, s string) period.Month {
	t.Helper()
	m, err := period.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func date(t *testing.T, s string) civil.Date {
	t.Helper()
	d, err := civil.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func explainConfig(t *testing.T) *config.Config {
	return &config.Config{
		Contract: config.Contract{ValidFrom: date(t, "2026-01-01"), ValidTo: date(t, "2027-12-31")},
		Effectiveness: config.Effectiveness{BaselineMonths: 3, FollowupMonths: 3,
			SharePercent: decimal.NewFromInt(10), CapPerClient: decimal.RequireFromString("10.00")},
	}
}

// reasonOf returns the reason for line type lt (and follow-up month m).
func reasonOf(t *testing.T, x *Explanation, lt billing.LineType, m period.Month) Reason {
	t.Helper()
	for _, r := range x.Reasons {
		if r.Type == lt && r.Month == m {
			return r
		}
	}
	t.Fatalf("no reason for %s %s in %+v", lt, m, x.Reasons)
	return Reason{}
}

// TestExplainLaterPeriod: a line entitled up to P that a later period
// holds is neither held by P nor due; the reason names the later period.
func TestExplainLaterPeriod(t *testing.T) {
	info := date(t, "2026-04-03")
	p, later := month(t, "2026-05"), month(t, "2026-06")
	line := billing.Line{ID: "L-INFO", ClientCode: "TM-1", Type: billing.Info, Date: info, Month: period.Of(info), Amount: decimal.NewFromInt(50)}
	x := &Explanation{
		Code: "TM-1", Period: p, Client: &billing.Client{ClientCode: "TM-1", Info: &info},
		Entitled: []billing.Line{line},
		Billed:   []BilledLine{{Period: later, Status: ledger.Issued, Line: ledger.Line{ID: line.ID, ClientCode: "TM-1", Type: billing.Info, Date: info}}},
		Covered:  map[period.Month]bool{},
	}
	row := &tracking.Client{Row: 2, Info: tracking.DateCell{Column: "Info", Present: true, Valid: true, Date: info}}
	x.reasons(Options{Config: explainConfig(t)}, row, nil)
	got := reasonOf(t, x, billing.Info, period.Month{})
	if got.Kind != ReasonLaterPeriod || !strings.Contains(got.Detail, later.String()) {
		t.Errorf("reason %s %q, want %s naming %s", got.Kind, got.Detail, ReasonLaterPeriod, later)
	}
}

// TestExplainEffectivenessFee: a follow-up month whose fee rounds to 0.00
// is not "cap reached"; a month with a positive fee and no line is.
func TestExplainEffectivenessFee(t *testing.T) {
	start := date(t, "2026-02-10")
	p := month(t, "2026-05")
	share := map[string]string{
		"2025-11": "100.00", "2025-12": "100.00", "2026-01": "100.00", // baseline Σ 300
		"2026-03": "99.99", // saving 0.03 → fee 0.001 → 0.00
		"2026-04": "0.00",  // fee 10.00, the whole cap
		"2026-05": "50.00", // fee 5.00, cut to 0 by the cap
	}
	x := &Explanation{Code: "TM-1", Period: p, Client: &billing.Client{ClientCode: "TM-1", Start: &start},
		Covered: map[period.Month]bool{}}
	for s, v := range share {
		m := month(t, s)
		x.Covered[m] = true
		cm := billing.ClientMonth{ClientCode: "TM-1", Month: m}
		if err := cm.AddRow(decimal.Zero, decimal.Zero, decimal.RequireFromString(v)); err != nil {
			t.Fatal(err)
		}
		x.Accruals = append(x.Accruals, cm)
	}
	apr := month(t, "2026-04")
	x.Entitled = []billing.Line{{ID: "L-APR", ClientCode: "TM-1", Type: billing.Effectiveness, Date: apr.Last(), Month: apr,
		Amount: decimal.RequireFromString("10.00")}}
	x.reasons(Options{Config: explainConfig(t)}, nil, nil)

	tests := []struct {
		month, kind, detail string
	}{
		{"2026-03", ReasonFeeZero, "fee rounds to 0.00 (not written)"},
		{"2026-05", ReasonCapReached, "cap 10.00 reached: 10.00 billed before, fee 5.00 not written"},
	}
	for _, tt := range tests {
		t.Run(tt.month, func(t *testing.T) {
			got := reasonOf(t, x, billing.Effectiveness, month(t, tt.month))
			if got.Kind != tt.kind || got.Detail != tt.detail {
				t.Errorf("reason %s %q, want %s %q", got.Kind, got.Detail, tt.kind, tt.detail)
			}
		})
	}
}
