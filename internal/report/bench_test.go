package report_test

import (
	"fmt"
	"testing"
	"time"

	"tyomatka/internal/billing"
	"tyomatka/internal/report"
)

// BenchmarkInvoiceBasis writes an invoice basis of 100,000 lines, the size
// the streamed Laskurivit sheet is built for.
func BenchmarkInvoiceBasis(b *testing.B) {
	in := fixture()
	types := []billing.LineType{billing.Info, billing.Start, billing.Employed, billing.Effectiveness}
	munis := []string{"Lahti", "Hollola", "Orimattila", "Heinola"}
	in.Lines = make([]billing.Line, 100_000)
	for i := range in.Lines {
		d := date(2026, time.Month(1+i%12), 1+i%28)
		in.Lines[i] = line(fmt.Sprintf("%016x", i*7919), fmt.Sprintf("TM-%06d", i/4), munis[i%4], types[i%4], d, fmt.Sprintf("%d.%02d", 10+i%900, i%100))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		data, err := report.InvoiceBasis(in)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
	}
}
