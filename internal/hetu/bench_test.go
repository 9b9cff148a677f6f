package hetu_test

import (
	"fmt"
	"testing"

	"tyomatka/internal/hetu"
)

// BenchmarkParse validates identity codes as the readers do, once per row.
func BenchmarkParse(b *testing.B) {
	codes := make([]string, 1000)
	for i := range codes {
		six := fmt.Sprintf("%02d%02d%02d", 1+i%28, 1+i%12, i%100)
		ind := 900 + i%100
		codes[i] = fmt.Sprintf("%s-%03d%c", six, ind, hetu.CheckChar(fmt.Sprintf("%s%03d", six, ind)))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := hetu.Parse(codes[i%len(codes)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
