package accrual_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"tyomatka/internal/accrual"
	"tyomatka/internal/source"
)

// liveData keeps the last result reachable, so that a heap profile taken
// after the benchmark shows what the aggregate holds.
var liveData *accrual.Data

// BenchmarkReadNational reads the national-scale year that `make bench`
// generates (bench/data/100k/kertymat-xlsx, or BENCH_ACCRUALS); it is
// skipped when the data is not there. live-MB is the heap the aggregate keeps.
func BenchmarkReadNational(b *testing.B) {
	dir := os.Getenv("BENCH_ACCRUALS")
	if dir == "" {
		dir = filepath.Join("..", "..", "bench", "data", "100k", "kertymat-xlsx")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Skipf("no national data (%v); run make bench first", err)
	}
	var files []source.File
	for _, e := range entries {
		files = append(files, source.File{Name: e.Name(), Path: filepath.Join(dir, e.Name()), SHA256: e.Name()}) // names are unique; only equal digests matter
	}
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		liveData = nil
		d, err := accrual.Read(context.Background(), files)
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, f := range d.Files {
			rows += f.Rows
		}
		liveData = d
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-MB")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestProgress: a context made by WithProgress hears of every list, from
// its start to its row count once read.
func TestProgress(t *testing.T) {
	files := dirFiles(t, filepath.Join("testdata", "kertymat"))
	var mu sync.Mutex
	started, done := map[string]bool{}, map[string]int{}
	ctx := accrual.WithProgress(context.Background(), func(file string, rows int, fin bool) {
		mu.Lock()
		defer mu.Unlock()
		if rows == 0 && !fin {
			started[file] = true
		}
		if fin {
			if !started[file] {
				t.Errorf("%s done before it started", file)
			}
			done[file] = rows
		}
	})
	d, err := accrual.Read(ctx, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != len(files) {
		t.Fatalf("progress for %d lists, want %d: %v", len(done), len(files), done)
	}
	for _, f := range d.Files {
		if got, want := done[f.Name], f.Rows; got != want {
			t.Errorf("%s: progress says %d rows, the data %d", f.Name, got, want)
		}
	}
}
