package cellvalue_test

import (
	"testing"

	"tyomatka/internal/cellvalue"
)

// The parsers run once per cell of inputs up to 1.2 million rows.

func BenchmarkParseDate(b *testing.B) {
	b.ReportAllocs()
	inputs := []string{"3.5.2026", "2026-03-02", "2026-03-02T23:30:00+02:00"}
	for i := 0; b.Loop(); i++ {
		if _, err := cellvalue.ParseDate(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseNumber(b *testing.B) {
	b.ReportAllocs()
	inputs := []string{"1 234,56", "-12,50 €", "123.45"}
	for i := 0; b.Loop(); i++ {
		if _, err := cellvalue.ParseNumber(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMonth(b *testing.B) {
	b.ReportAllocs()
	inputs := []string{"2026-10", "10/2026", "10.2026", "15.10.2026"}
	for i := 0; b.Loop(); i++ {
		if _, err := cellvalue.ParseMonth(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDateFromSerial(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cellvalue.DateFromSerial("46023.5", false); err != nil {
			b.Fatal(err)
		}
	}
}
