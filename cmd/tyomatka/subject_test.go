package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tyomatka/internal/hetu"
	"tyomatka/internal/testfix"
	"tyomatka/internal/tracking"
)

// TestSubjectWithoutLines: a person with findings but no billed line is
// still in the reconciliation and provider reports, so the answer is
// "held" and names the files and sheets; a stranger gets "Nothing held".
// Nothing printed or written carries an identity code or a name.
func TestSubjectWithoutLines(t *testing.T) {
	cfg := copyExample(t)
	dir := filepath.Dir(cfg)
	track := filepath.Join(dir, "TyoMatka_seuranta.xlsx")
	person := personOf(t, track, "TM-0511") // DATE_INVALID and DATE_FUTURE, no line
	if c, _, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json"); c != 0 {
		t.Fatalf("run: exit %d: %s", c, stderr)
	}
	answers := t.TempDir()
	var printed bytes.Buffer
	subject := func(code string) string {
		t.Helper()
		stdin = strings.NewReader(code + "\n")
		t.Cleanup(func() { stdin = os.Stdin })
		c, stdout, stderr := runCLI(t, "subject", "--config", cfg, "--out", answers, "--log", "json")
		printed.WriteString(stdout + stderr)
		if c != 0 {
			t.Fatalf("subject: exit %d: %s", c, stderr)
		}
		return stdout
	}

	t.Run("findings but no lines", func(t *testing.T) {
		out := subject(string(person))
		for _, want := range []string{"Held: 0 lines in 0 billing periods, named in 2 output files", "TM-0511",
			"2026-05  Tasmaytys_lahti_2026-05.xlsx  Havainnot: 2 rows", "Palveluntuottaja_lahti_2026-05.xlsx"} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "Laskutusperuste_") || strings.Contains(out, "run-summary.json") {
			t.Errorf("stdout lists a file that does not carry the person:\n%s", out)
		}
	})
	t.Run("unknown to everything", func(t *testing.T) {
		out := subject(string(testfix.Hetu(50)))
		if !strings.Contains(out, "Nothing held") {
			t.Errorf("stdout %q, want Nothing held", out)
		}
	})

	texts := testfix.FileTexts(t, answers)
	texts["printed"] = printed.String()
	testfix.AssertNoPersonalData(t, texts, testfix.PersonalData(t, track))
}

// personOf returns the identity code that the Muunto sheet of the workbook
// at path maps to client code.
func personOf(t *testing.T, path, code string) hetu.Code {
	t.Helper()
	wb, err := tracking.Read(context.Background(), path, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	var person hetu.Code
	for _, c := range wb.Codes {
		if c.Code == code {
			person = c.Hetu
		}
	}
	if person == "" {
		t.Fatalf("the example has no %s", code)
	}
	return person
}

// TestSubjectUnreadableOutput: when an output cannot be read back, a person
// with findings but no lines may be in it, so the answer must not say
// "Nothing held": it says the answer is incomplete and names the files.
func TestSubjectUnreadableOutput(t *testing.T) {
	cfg := copyExample(t)
	dir := filepath.Dir(cfg)
	track := filepath.Join(dir, "TyoMatka_seuranta.xlsx")
	person := personOf(t, track, "TM-0511") // findings, no line
	if c, _, stderr := runCLI(t, "run", "--config", cfg, "--period", "2026-05", "--as-of", "2026-06-22", "--log", "json"); c != 0 {
		t.Fatalf("run: exit %d: %s", c, stderr)
	}
	gone, err := filepath.Glob(filepath.Join(dir, "out", "2026-05", "*.xlsx"))
	if err != nil || len(gone) == 0 {
		t.Fatalf("no outputs to remove (%v)", err)
	}
	for _, p := range gone {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	answers := t.TempDir()
	stdin = strings.NewReader(string(person) + "\n")
	t.Cleanup(func() { stdin = os.Stdin })
	c, stdout, stderr := runCLI(t, "subject", "--config", cfg, "--out", answers, "--log", "json")
	if c != 0 {
		t.Fatalf("subject: exit %d: %s", c, stderr)
	}
	if strings.Contains(stdout, "Nothing held") {
		t.Errorf("stdout says Nothing held although outputs were unreadable:\n%s", stdout)
	}
	for _, want := range []string{"Incomplete", "could not be read back", "Tasmaytys_lahti_2026-05.xlsx", "Palveluntuottaja_lahti_2026-05.xlsx"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	js, err := filepath.Glob(filepath.Join(answers, "*.json"))
	if err != nil || len(js) != 1 {
		t.Fatalf("answer files %v (%v)", js, err)
	}
	raw, err := os.ReadFile(js[0])
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Held       bool   `json:"held"`
		Complete   bool   `json:"complete"`
		Message    string `json:"message"`
		Unreadable []struct {
			Written string `json:"written"`
			Error   string `json:"error"`
		} `json:"unreadable_outputs"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if got, want := len(a.Unreadable), len(gone); got != want {
		t.Errorf("unreadable_outputs: %d, want %d", got, want)
	}
	if a.Held || a.Complete || !strings.Contains(a.Message, "puutteellinen") {
		t.Errorf("held %v, complete %v, message %q: want an incomplete answer", a.Held, a.Complete, a.Message)
	}
	xlsx, err := filepath.Glob(filepath.Join(answers, "*.xlsx"))
	if err != nil || len(xlsx) != 1 {
		t.Fatalf("answer workbooks %v (%v)", xlsx, err)
	}
	if cells := testfix.XLSXText(t, xlsx[0]); !strings.Contains(cells, "EI VOITU LUKEA") {
		t.Errorf("the workbook does not list the unreadable files")
	}
}
