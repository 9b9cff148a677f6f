package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
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
