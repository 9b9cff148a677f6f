package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/period"
	"tyomatka/internal/report"
)

// runCLIEnv is runCLI with an environment of the test's own.
func runCLIEnv(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Main(context.Background(), args, &stdout, &stderr, getenv)
	code := exitCode(err, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestSecretsFailures: a short key is a configuration error that names the
// secret; an unreachable secrets service is an access failure, said once.
func TestSecretsFailures(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(t *testing.T, cfg string)
		env      map[string]string
		wantCode int
		want     string // the whole error line
	}{
		{"unset key", nil, map[string]string{}, 1,
			"tyomatka: error: pseudonymisation key: secrets: environment variable TYOMATKA_PSEUDONYM_KEY is not set or empty; set it to the secret's value"},
		{"no Secret Manager credentials", func(t *testing.T, cfg string) {
			replaceInFile(t, cfg, "kind = \"env\"\npseudonym_key_env = \"TYOMATKA_PSEUDONYM_KEY\"",
				"kind = \"secretmanager\"\npseudonym_key = \"projects/p/secrets/k/versions/1\"")
			t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "none.json"))
		}, map[string]string{}, 1, "tyomatka: error: secrets: connect to Secret Manager: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := copyExample(t)
			if tt.edit != nil {
				tt.edit(t, cfg)
			}
			code, _, stderr := runCLIEnv(t, env(tt.env), "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--dry-run", "--out", t.TempDir(), "--log", "json")
			if got, want := code, tt.wantCode; got != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", got, want, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if got := lines[len(lines)-1]; !strings.HasPrefix(got, tt.want) {
				t.Errorf("error line\n got %s\nwant %s", got, tt.want)
			}
			if strings.Contains(stderr, "short") {
				t.Errorf("the key's value reached stderr:\n%s", stderr)
			}
		})
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0 warnings"}, {1, "1 warning"}, {2, "2 warnings"}} {
		if got := plural(tt.n, "warning", "warnings"); got != tt.want {
			t.Errorf("plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestRunApproveAudit walks a period through a real run, finance's
// decision and the audit, checking what each step tells the operator.
func TestRunApproveAudit(t *testing.T) {
	cfg := copyExample(t)
	dir := filepath.Dir(cfg)
	getenv := env(map[string]string{"TYOMATKA_PSEUDONYM_KEY": "a-test-key-of-enough-length", "USER": "tester"})
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLIEnv(t, getenv, append(args, "--config", cfg, "--log", "json")...)
	}
	inv, _, _ := report.FileNames("lahti", mustMonth(t, "2026-05"))

	code, stdout, stderr := cli("run", "--period", "2026-05", "--as-of", "2026-06-22", "--dry-run", "--out", t.TempDir())
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout, "Next:") {
		t.Errorf("a dry run tells finance to review it:\n%s", stdout)
	}

	code, stdout, stderr = cli("run", "--period", "2026-05", "--as-of", "2026-06-22")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	for _, w := range []string{
		"— see sheet Havainnot in Tasmaytys_lahti_2026-05.xlsx",
		"Next: finance reviews " + inv + " and fills the Hyväksyntä sheet; the next run (or `tyomatka approve --config " + cfg + " --period 2026-05`) seals or releases the period.",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("run output lacks %q:\n%s", w, stdout)
		}
	}

	wb := filepath.Join(dir, "out", "2026-05", inv)
	decide := func(approver, date, decision string) {
		t.Helper()
		editWorkbook(t, wb, func(f *excelize.File) {
			for cell, v := range map[string]string{report.ApprovalApproverCell: approver, report.ApprovalDateCell: date, report.ApprovalDecisionCell: decision} {
				if err := f.SetCellValue(report.SheetApproval, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	for _, tt := range []struct {
		name                     string
		approver, date, decision string
		wantCode                 int
		want                     string
	}{
		{"approved without a date", "Talous Testaaja", "", report.DecisionApproved, 1,
			inv + ", sheet Hyväksyntä: Hyväksytty needs a date (B5)"},
		{"rejected without an approver", "", "", report.DecisionRejected, 1,
			inv + ", sheet Hyväksyntä: Hylätty needs the name of who rejected it (B4)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			decide(tt.approver, tt.date, tt.decision)
			code, _, stderr := cli("approve", "--period", "2026-05")
			if code != tt.wantCode || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, tt.wantCode, tt.want, stderr)
			}
		})
	}
	if code, _, stderr := cli("approve", "--period", "2026-04"); code != 2 || !strings.Contains(stderr, "period 2026-04: never issued") {
		t.Errorf("approving a never-issued period: exit %d, want 2:\n%s", code, stderr)
	}

	decide("Talous Testaaja", "2026-06-30", report.DecisionApproved)
	if code, stdout, stderr := cli("approve", "--period", "2026-05"); code != 0 || !strings.Contains(stdout, "is sealed") {
		t.Fatalf("approve: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = cli("audit", "--period", "2026-05")
	if code != 0 {
		t.Fatalf("audit: exit %d\n%s", code, stderr)
	}
	var runLine, approveLine string
	for _, l := range strings.Split(stdout, "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && f[3] == "run" {
			runLine = l
		}
		if len(f) > 3 && f[3] == "approve" {
			approveLine = l
		}
	}
	if !strings.Contains(runLine, "by tester") || strings.Contains(runLine, "run  run") || !strings.Contains(runLine, "as of 2026-06-22") {
		t.Errorf("run record line: %q", runLine)
	}
	if approveLine == "" || strings.Contains(approveLine, "as of") || strings.Contains(approveLine, "approve    ") {
		t.Errorf("approve record line: %q\n%s", approveLine, stdout)
	}
	// The time is in Europe/Helsinki with its offset.
	if f := strings.Fields(runLine); len(f) < 3 || (f[2] != "+02:00" && f[2] != "+03:00") {
		t.Errorf("run record time not in Europe/Helsinki: %q", runLine)
	}
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 && (f[0] == "in" || f[0] == "out") && strings.Contains(l, "version sha256:") {
			t.Errorf("a local file's version repeats its hash: %s", l)
		}
	}
	names, err := filepath.Glob(filepath.Join(dir, "out", "state", "audit", "lahti", "2026-05", "*approve*"))
	if err != nil || len(names) != 1 || strings.Contains(names[0], "approve-approve") {
		t.Errorf("approve record files %v (%v)", names, err)
	}
}

func mustMonth(t *testing.T, s string) period.Month {
	t.Helper()
	m, err := period.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestShortKeyWarns: the spec's worked example runs with a short key such as
// "any-test-key"; that works, with a warning naming the variable but never
// the key.
func TestShortKeyWarns(t *testing.T) {
	cfg := copyExample(t)
	var stdout, stderr bytes.Buffer
	getenv := env(map[string]string{"TYOMATKA_PSEUDONYM_KEY": "hook-key"})
	err := Main(context.Background(), []string{"run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--dry-run", "--out", t.TempDir(), "--log", "json"}, &stdout, &stderr, getenv)
	if err != nil {
		t.Fatalf("run with a short key: %v", err)
	}
	if !strings.Contains(stderr.String(), "warning: secrets: TYOMATKA_PSEUDONYM_KEY: pseudonymisation key is 8 bytes") {
		t.Errorf("no warning about the short key:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String()+stdout.String(), "hook-key") {
		t.Error("the key itself was printed")
	}
}
