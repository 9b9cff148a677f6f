package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
)

// profileFlags registers the --cpuprofile and --memprofile flags that
// `make bench` and performance work use.
func profileFlags(fs *flag.FlagSet) (start func() (stop func(), err error)) {
	cpu := fs.String("cpuprofile", "", "write a CPU profile to `file` (for performance work)")
	mem := fs.String("memprofile", "", "write an allocation profile to `file` when the run ends (for performance work)")
	return func() (func(), error) {
		var cpuFile *os.File
		if *cpu != "" {
			f, err := os.Create(*cpu)
			if err != nil {
				return nil, fmt.Errorf("cpu profile: %w", err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return nil, fmt.Errorf("cpu profile: %w", err)
			}
			cpuFile = f
		}
		return func() {
			if cpuFile != nil {
				pprof.StopCPUProfile()
				cpuFile.Close()
			}
			if *mem != "" {
				f, err := os.Create(*mem)
				if err != nil {
					fmt.Fprintf(os.Stderr, "tyomatka: error: memory profile: %v\n", err)
					return
				}
				defer f.Close()
				runtime.GC()
				if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
					fmt.Fprintf(os.Stderr, "tyomatka: error: memory profile: %v\n", err)
				}
			}
		}, nil
	}
}

// defaultMemoryLimit is the soft heap limit of a run when GOMEMLIMIT is not
// set. A national-scale run (1.9 M rows) keeps up to about 600 MiB live (billing
// and the three workbooks on top of the aggregated lists); with Go's default
// GOGC=100 alone the heap doubles that and the process peaked at 1.4–1.5 GiB.
// The limit makes the collector work harder only near it; it never fails an
// allocation, so a larger input still runs, with more time spent collecting.
const defaultMemoryLimit = 768 << 20

// defaultGCPercent lets the heap grow four times its live size between
// collections instead of twice: with the memory limit as the ceiling, a run
// spends less time collecting (10k clients: about 10 % less wall time for
// 100 MiB more peak; national scale: about 5 % less, same peak, the limit
// binding). Measured with GOGC=400 against 100, six runs each.
const defaultGCPercent = 400

// limitMemory applies defaultMemoryLimit and defaultGCPercent unless
// GOMEMLIMIT or GOGC say otherwise.
func limitMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
