package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tyomatka/internal/hetu"
	"tyomatka/internal/testfix"
	"tyomatka/internal/tracking"
)

// codedPerson returns the identity code of the first Asiakkaat row whose
// person Muunto maps to a client code.
func codedPerson(t *testing.T, path string) hetu.Code {
	t.Helper()
	wb, err := tracking.Read(context.Background(), path, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	coded := map[hetu.Code]bool{}
	for _, c := range wb.Codes {
		if c.HetuValid {
			coded[c.Hetu] = true
		}
	}
	for _, c := range wb.Clients {
		if c.HetuValid && coded[c.Hetu] {
			return c.Hetu
		}
	}
	return ""
}

// TestPrivacyCommands runs subject, audit --from/--to, purge and rekey as a
// registrar would, and scans everything they print and write for personal
// data.
func TestPrivacyCommands(t *testing.T) {
	cfg := copyExample(t)
	dir := filepath.Dir(cfg)
	track := filepath.Join(dir, "TyoMatka_seuranta.xlsx")
	code := codedPerson(t, track)
	if code == "" {
		t.Fatal("the example has no client with a code")
	}
	keys := map[string]string{"TYOMATKA_PSEUDONYM_KEY": "a-test-key-of-enough-length", "NEW_KEY": "a-new-test-key-of-enough-length"}
	var printed bytes.Buffer
	cli := func(in string, args ...string) (int, string, string) {
		t.Helper()
		stdin = strings.NewReader(in)
		t.Cleanup(func() { stdin = os.Stdin })
		var stdout, stderr bytes.Buffer
		err := Main(context.Background(), args, &stdout, &stderr, env(keys))
		c := exitCode(err, &stderr)
		printed.WriteString(stdout.String() + stderr.String())
		return c, stdout.String(), stderr.String()
	}
	if c, _, stderr := cli("", "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json"); c != 0 {
		t.Fatalf("run: exit %d: %s", c, stderr)
	}
	answers := t.TempDir()

	t.Run("subject from a file", func(t *testing.T) {
		in := filepath.Join(t.TempDir(), "code.txt")
		if err := os.WriteFile(in, []byte(string(code)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, stdout, stderr := cli("", "subject", "--config", cfg, "--in", in, "--out", answers)
		if c != 0 || !strings.Contains(stdout, "Held: ") {
			t.Fatalf("exit %d, stdout %q, stderr %q", c, stdout, stderr)
		}
	})
	t.Run("subject never seen, from stdin", func(t *testing.T) {
		c, stdout, stderr := cli(string(testfix.Hetu(50))+"\n", "subject", "--config", cfg, "--out", answers)
		if c != 0 || !strings.Contains(stdout, "Nothing held") {
			t.Fatalf("exit %d, stdout %q, stderr %q", c, stdout, stderr)
		}
	})
	t.Run("subject refuses a code on the command line", func(t *testing.T) {
		c, _, stderr := cli("", "subject", "--config", cfg, string(code))
		if c != 2 || strings.Contains(stderr, string(code)) {
			t.Errorf("exit %d, stderr %q: want 2 without echoing the argument", c, stderr)
		}
	})
	t.Run("subject rejects an invalid code without echoing it", func(t *testing.T) {
		bad := string(code[:10]) + "Ö"
		c, _, stderr := cli(bad, "subject", "--config", cfg)
		if c != 2 || strings.Contains(stderr, bad) || strings.Contains(stderr, string(code[:10])) {
			t.Errorf("exit %d, stderr %q", c, stderr)
		}
	})
	t.Run("audit use log by date", func(t *testing.T) {
		c, stdout, stderr := cli("", "audit", "--config", cfg, "--from", "2000-01-01", "--to", "2100-12-31")
		if c != 0 || !strings.Contains(stdout, "Use log of") || !strings.Contains(stdout, "    in   ") || !strings.Contains(stdout, " by local") {
			t.Fatalf("exit %d, stdout %q, stderr %q", c, stdout, stderr)
		}
		c, stdout, _ = cli("", "audit", "--config", cfg, "--from", "2000-01-01", "--to", "2000-12-31")
		if c != 0 || !strings.Contains(stdout, "(0)") {
			t.Errorf("a range without runs: exit %d, %q", c, stdout)
		}
		if c, _, _ := cli("", "audit", "--config", cfg, "--from", "2026-13-01"); c != 2 {
			t.Errorf("bad date: exit %d, want 2", c)
		}
	})
	t.Run("purge dry run", func(t *testing.T) {
		c, stdout, stderr := cli("", "purge", "--config", cfg, "--dry-run")
		if c != 0 || !strings.Contains(stdout, "Nothing is past its keeping time") {
			t.Fatalf("exit %d, stdout %q, stderr %q", c, stdout, stderr)
		}
	})
	t.Run("rekey, then the old key is refused", func(t *testing.T) {
		c, stdout, stderr := cli("", "rekey", "--config", cfg, "--new-key", "NEW_KEY")
		if c != 0 || !strings.Contains(stdout, "moved from key") {
			t.Fatalf("exit %d, stdout %q, stderr %q", c, stdout, stderr)
		}
		c, _, stderr = cli("", "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json")
		if c == 0 || !strings.Contains(stderr, "pseudonymisation key is not the one the ledger is under") {
			t.Errorf("run with the old key after rekey: exit %d, %q", c, stderr)
		}
	})

	files, _ := filepath.Glob(filepath.Join(answers, "*"))
	if len(files) != 4 {
		t.Errorf("answers: %v, want two JSON and two workbooks", files)
	}
	texts := testfix.FileTexts(t, answers)
	texts["printed"] = printed.String()
	testfix.AssertNoPersonalData(t, texts, testfix.PersonalData(t, track))
}
