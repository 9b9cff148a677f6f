package gen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tyomatka/internal/gen"
)

var update = flag.Bool("update", false, "regenerate the committed sample in testdata/sample")

// sampleDir is the committed sample of the default job (repository root).
const sampleDir = "../../testdata/sample"

// sampleOptions are those of the command in testdata/sample/README.md:
// tyomatka generate -clients 60 -months 12 -last 2026-10 -seed 1 -messy -out testdata/sample
func sampleOptions(t *testing.T) gen.Options {
	return gen.Options{Clients: 60, Months: 12, Last: month(t, "2026-10"), Seed: 1,
		Format: gen.FormatMixed, Others: -1, Messy: true}
}

// TestSample proves the committed sample is exactly what the generator
// writes; -update rewrites it.
func TestSample(t *testing.T) {
	o := sampleOptions(t)
	if *update {
		for _, f := range listFiles(t, sampleDir) {
			if ext := filepath.Ext(f); ext == ".xlsx" || ext == ".csv" {
				if err := os.Remove(filepath.Join(sampleDir, f)); err != nil {
					t.Fatal(err)
				}
			}
		}
		o.Dir = sampleDir
		generate(t, o)
	}
	o.Dir = t.TempDir()
	generate(t, o)
	var committed []string
	for _, f := range listFiles(t, sampleDir) {
		if f != "README.md" {
			committed = append(committed, f)
		}
	}
	fresh := listFiles(t, o.Dir)
	if got, want := strings.Join(committed, ","), strings.Join(fresh, ","); got != want {
		t.Fatalf("testdata/sample holds %s, the generator writes %s (run go test ./internal/gen -run TestSample -update)", got, want)
	}
	for _, f := range fresh {
		if !bytes.Equal(read(t, sampleDir, f), read(t, o.Dir, f)) {
			t.Errorf("testdata/sample/%s differs from the generator's output (run with -update)", f)
		}
	}
}
