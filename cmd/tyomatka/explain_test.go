package main

import (
	"strings"
	"testing"
)

// TestExplain walks explain through the public example as a new user would:
// after a run for 2026-05, on the ledger's as-of date.
func TestExplain(t *testing.T) {
	cfg := copyExample(t)
	if c, _, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json"); c != 0 {
		t.Fatalf("run: exit %d: %s", c, stderr)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string // in stdout, or stderr when wantCode != 0
		notWant  []string
	}{
		{
			name: "as-of from the ledger; a period's own lines are not due",
			args: []string{"--code", "TM-0501", "--period", "2026-05"},
			want: []string{"as of 2026-06-22 (as recorded for 2026-05's run in the ledger)",
				"Period 2026-05 is issued", "A rerun for 2026-05 now would change nothing"},
			notWant: []string{"Due in a run for"},
		},
		{
			name: "a milestone before valid_from says why",
			args: []string{"--code", "TM-0502", "--period", "2026-05"},
			want: []string{"INFO           2025-12-10 before valid_from 2026-01-01"},
		},
		{
			name:    "no baseline: no savings table",
			args:    []string{"--code", "TM-0502", "--period", "2026-05"},
			want:    []string{"no list for 2025-10, 2025-11 → no VAIKUTTAVUUS (NO_BASELINE)"},
			notWant: []string{"B ≈", "saving"},
		},
		{
			name: "follow-up months: billed, cap, after P",
			args: []string{"--code", "TM-0503", "--period", "2026-05"},
			want: []string{"B ≈ 260.0000", "2026-05     0       0.00     260.00  22.00: held by 2026-05 (issued)", "2026-06  after 2026-05",
				"verification pending (PENDING_VERIFICATION)"},
		},
		{
			name: "date rule broken names the finding",
			args: []string{"--code", "TM-0512", "--period", "2026-05"},
			want: []string{"TYOLLISTYMINEN 2026-03-16 a date rule is broken (DATE_ORDER)"},
		},
		{
			name:     "unknown code is a usage error",
			args:     []string{"--code", "TM-9999", "--period", "2026-05"},
			wantCode: 2,
			want:     []string{`client code "TM-9999" is not in Muunto`},
			notWant:  []string{"did you mean"},
		},
		{
			name:     "a code in the wrong case gets a suggestion",
			args:     []string{"--code", "tm-0502", "--period", "2026-05"},
			wantCode: 2,
			want:     []string{`did you mean "TM-0502"?`},
		},
		{
			name:     "a bad --as-of fails before anything is read",
			args:     []string{"--code", "TM-0502", "--as-of", "2026-13-01"},
			wantCode: 2,
			want:     []string{"--as-of"},
			notWant:  []string{"read ledger"},
		},
		{
			name: "a period not in the ledger: due now, as of the given date",
			args: []string{"--code", "TM-0510", "--period", "2026-06", "--as-of", "2026-07-22"},
			want: []string{"(given with --as-of)", "Due in a run for 2026-06 now (not in the ledger yet) (1 lines)",
				"ALOITUS        2026-06-08 due in a run for 2026-06", "INFO           2026-05-29 billed before, in period 2026-05 (issued)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, stdout, stderr := runCLI(t, append([]string{"explain", "--config", cfg}, tt.args...)...)
			if got, want := c, tt.wantCode; got != want {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", got, want, stdout, stderr)
			}
			out := stdout
			if tt.wantCode != 0 {
				out = stderr
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestExplainRefusesAnotherKey: under another key every line id differs,
// so explain would report every held line dropped and every due line
// added; it must refuse as run does.
func TestExplainRefusesAnotherKey(t *testing.T) {
	cfg := copyExample(t)
	if c, _, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json"); c != 0 {
		t.Fatalf("run: exit %d: %s", c, stderr)
	}
	other := env(map[string]string{"TYOMATKA_PSEUDONYM_KEY": "another-test-key-of-enough-length"})
	c, stdout, stderr := runCLIEnv(t, other, "explain", "--config", cfg, "--code", "TM-0501", "--period", "2026-05")
	if c == 0 {
		t.Fatalf("explain under another key: exit 0, want an error; stdout:\n%s", stdout)
	}
	if !strings.Contains(stderr, "is under key") {
		t.Errorf("stderr lacks the key mismatch:\n%s", stderr)
	}
	if strings.Contains(stdout, "A rerun for 2026-05 now would") {
		t.Errorf("explain compared lines across keys:\n%s", stdout)
	}
}
