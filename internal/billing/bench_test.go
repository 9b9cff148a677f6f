package billing_test

import (
	"fmt"
	"testing"

	"tyomatka/internal/billing"
)

// BenchmarkCompute bills 3,000 clients (as many as synthetic codes go) with
// a year of accrual rows each, through every rule: referrals, infos,
// starts, employment and effectiveness.
func BenchmarkCompute(b *testing.B) {
	const clients = 3000
	f := newFx()
	f.cover("2025-06", "2026-05")
	for n := range clients {
		// Events fall in every month up to the billing month 2026-05, so
		// that each rule bills some clients in it.
		c := f.client(n, fmt.Sprintf("2025-%02d-%02d", 6+n%6, 1+n%28))
		if n%3 != 0 {
			c.Info = cell("Infotilaisuus", fmt.Sprintf("2026-%02d-%02d", 1+n%5, 1+n%28))
		}
		if n%3 == 1 {
			c.Start = cell("Aloitus", fmt.Sprintf("2026-%02d-%02d", 1+n%5, 2+n%27))
		}
		if n%9 == 1 {
			c.Employment = cell("Työllistyminen", fmt.Sprintf("2026-%02d-%02d", 1+n%2, 3+n%26))
		}
		for m := 0; m < 12; m++ {
			paid := 20 - (n%9)*m/4
			if paid < 0 {
				paid = 0
			}
			f.row(n, fmt.Sprintf("%d-%02d", 2025+(5+m)/12, 1+(5+m)%12), fmt.Sprint(paid), fmt.Sprint(200+m*20), fmt.Sprintf("%d.%02d", 100+n%300, n%100), "Lahti")
		}
	}
	in := f.input()
	b.ReportAllocs()
	lines := 0
	for b.Loop() {
		lines = len(billing.Compute(in).Lines)
	}
	if lines == 0 {
		b.Fatal("no lines: the benchmark bills nothing")
	}
	b.ReportMetric(float64(clients)*float64(b.N)/b.Elapsed().Seconds(), "clients/s")
}
