package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/testfix"
)

// copyExample copies the spec's worked example into a temporary folder and
// returns the path of its configuration.
func copyExample(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	testfix.CopyTree(t, "../../testdata/example", dst)
	return filepath.Join(dst, "example.toml")
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var testEnv = env(map[string]string{"TYOMATKA_PSEUDONYM_KEY": "a-test-key-of-enough-length"})

// runCLI runs the command line as main does and returns the exit status and
// what was printed to stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Main(context.Background(), args, &stdout, &stderr, testEnv)
	code := exitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRunExampleExitsZero(t *testing.T) {
	cfg := copyExample(t)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--dry-run", "--out", out, "--log", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"Lines: 23", "Outputs in " + out, "run-summary.json"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// TestClearFailures: each structural problem ends the run with a non-zero
// status and one line that names where the problem is and what to do.
func TestClearFailures(t *testing.T) {
	tests := []struct {
		name     string
		break_   func(t *testing.T, dir string)
		wantCode int
		want     []string
	}{
		{"unknown config key", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "example.toml"), "\n[fees]\ninfo_fee = \"1\"\n")
		}, 2, []string{"example.toml", "fees"}},
		{"misspelt config key", func(t *testing.T, dir string) {
			replaceInFile(t, filepath.Join(dir, "example.toml"), "share_percent", "share_procent")
		}, 2, []string{"example.toml", "effectiveness.share_procent", "unknown key"}},
		{"missing config key", func(t *testing.T, dir string) {
			replaceInFile(t, filepath.Join(dir, "example.toml"), "vat_percent = \"25.5\"", "")
		}, 2, []string{"example.toml", "contract.vat_percent", "missing"}},
		{"quoted date in config", func(t *testing.T, dir string) {
			replaceInFile(t, filepath.Join(dir, "example.toml"), "valid_from = 2026-01-01", `valid_from = "1.1.2026"`)
		}, 2, []string{"tyomatka: error:", "example.toml", "contract.valid_from", "want a TOML date like 2026-01-01 (no quotes)"}},
		{"unquoted percentage in config", func(t *testing.T, dir string) {
			replaceInFile(t, filepath.Join(dir, "example.toml"), `share_percent = "30"`, "share_percent = 30")
		}, 2, []string{"effectiveness.share_percent", `write money and percentages as quoted strings, e.g. "30"`}},
		{"missing sheet", func(t *testing.T, dir string) {
			editWorkbook(t, filepath.Join(dir, "TyoMatka_seuranta.xlsx"), func(f *excelize.File) { f.DeleteSheet("Muunto") })
		}, 1, []string{"TyoMatka_seuranta.xlsx", "Muunto"}},
		{"missing required column", func(t *testing.T, dir string) {
			editWorkbook(t, filepath.Join(dir, "TyoMatka_seuranta.xlsx"), func(f *excelize.File) {
				rows, _ := f.GetRows("Asiakkaat")
				for r, row := range rows[:3] {
					for c, v := range row {
						if strings.TrimSpace(v) == "Ohjattu" {
							cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
							f.SetCellValue("Asiakkaat", cell, "Ohjaus?")
						}
					}
				}
			})
		}, 1, []string{"TyoMatka_seuranta.xlsx", "Asiakkaat", "Ohjattu"}},
		{"unreadable accrual list", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "kertymat", "broken.xlsx"), []byte("this is not a workbook"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, 1, []string{"broken.xlsx"}},
		{"accrual list without a required column", func(t *testing.T, dir string) {
			replaceInFile(t, filepath.Join(dir, "kertymat", "kelmu_2026-04_2026-05.csv"), "Kunnan osuus", "Osuus")
		}, 1, []string{"kelmu_2026-04_2026-05.csv", "Kunnan osuus"}},
		{"missing tracking workbook", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "TyoMatka_seuranta.xlsx"))
		}, 1, []string{"TyoMatka_seuranta.xlsx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := copyExample(t)
			tt.break_(t, filepath.Dir(cfg))
			out := t.TempDir()
			code, _, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--dry-run", "--out", out, "--log", "json")
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("error line lacks %q: %s", w, last)
				}
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a failed run left %d files in the output folder", len(entries))
			}
		})
	}
}

// TestUsageErrors: every command-line mistake exits 2 with one
// "tyomatka: usage:" line, before anything is read.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{}, {"frobnicate"},
		{"run"}, {"run", "--config", "x.toml", "--period", "2026-13"}, {"run", "--config", "x.toml", "--nosuchflag"}, {"run", "--config", "x.toml", "--log", "bogus"},
		{"run-all", "--as-of", "2026/11/20"}, {"run-all", "--period", "2026-13"}, {"run-all", "--log", "xml"},
		{"approve", "--config", "x.toml"}, {"approve", "--config", "x.toml", "--period", "2026-13"}, {"approve", "--config", "x.toml", "--period", "2026-10", "extra"},
		{"approve", "--config", "x.toml", "--period", "2026-10", "--log", "xml"},
		{"audit", "--config", "x.toml", "--from", "1.1.2026"}, {"audit", "--config", "x.toml", "--period", "2026-10", "--from", "2026-01-01"},
		{"explain", "--config", "x.toml"}, {"explain"},
		{"subject"}, {"subject", "--config", "x.toml", "extra"},
		{"purge"}, {"purge", "--config", "x.toml", "extra"},
		{"rekey", "--config", "x.toml"},
		{"generate", "-clients", "3", "-out", "x"}, {"generate", "-last", "2026-13", "-out", "x"}, {"generate", "-last", "2026-10"},
		{"version", "extra"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, args...)
			if got, want := code, 2; got != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, want, stderr)
			}
			if !strings.Contains(stderr, "tyomatka: usage: ") {
				t.Errorf("stderr lacks \"tyomatka: usage: \":\n%s", stderr)
			}
			if strings.Contains(stderr, "tyomatka: error:") || strings.Contains(stderr, "yyyy-mm") {
				t.Errorf("stderr:\n%s", stderr)
			}
		})
	}
}

// TestHelp: every command's -h prints its synopsis and flags and exits 0.
func TestHelp(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want []string
	}{
		{"run", []string{"-config file", "-cpuprofile file", "write a CPU profile to file", "-log format"}},
		{"run-all", []string{"-as-of YYYY-MM-DD", "-period YYYY-MM", "-log format"}},
		{"approve", []string{"-config file", "-period YYYY-MM"}},
		{"audit", []string{"-from YYYY-MM-DD"}},
		{"explain", []string{"-code code"}},
		{"subject", []string{"-in file"}},
		{"purge", []string{"-dry-run"}},
		{"rekey", []string{"-new-key name"}},
		{"generate", []string{"-last YYYY-MM", "(default: as many as -clients)"}},
		{"version", nil},
	} {
		t.Run(tt.cmd, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.cmd, "-h")
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			for _, w := range append(tt.want, "usage: tyomatka "+tt.cmd) {
				if !strings.Contains(stderr, w) {
					t.Errorf("help lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "(default -1)") || strings.Contains(stderr, " value\n") {
				t.Errorf("help shows a meaningless default or metavar:\n%s", stderr)
			}
			if tt.cmd != "version" && tt.cmd != "generate" && !strings.Contains(stderr, "default: json on Cloud Run or when not on a terminal") {
				t.Errorf("--log help differs from the other commands':\n%s", stderr)
			}
		})
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, s...), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func editWorkbook(t *testing.T, path string, edit func(*excelize.File)) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
