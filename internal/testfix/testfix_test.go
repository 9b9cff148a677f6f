package testfix_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tyomatka/internal/hetu"
	"tyomatka/internal/testfix"
)

// TestHetu: every code is valid, distinct and temporary (individual
// number 900–999).
func TestHetu(t *testing.T) {
	seen := map[hetu.Code]bool{}
	for i := 0; i <= 99; i++ {
		c := testfix.Hetu(i)
		if !hetu.Valid(string(c)) || seen[c] || string(c)[7] != '9' {
			t.Errorf("Hetu(%d) = %s: want a valid, distinct code with individual number 9xx", i, c)
		}
		seen[c] = true
	}
}

// TestScanSeesWorkbookCells: the scan's haystack holds a written
// workbook's cells, and PersonalData finds its code and name, so a leak
// into a workbook cannot pass unnoticed.
func TestScanSeesWorkbookCells(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "seuranta.xlsx")
	code := testfix.Hetu(1)
	testfix.WriteTracking(t, path, []testfix.TrackingRow{{Hetu: code, Code: "TM-1", Name: "Aino Testinen", Referral: "2.1.2026"}})

	pd := testfix.PersonalData(t, path)
	for _, want := range []string{string(code), "Aino Testinen"} {
		if !slices.Contains(pd, want) {
			t.Errorf("PersonalData = %q, lacks %q", pd, want)
		}
	}
	found := 0
	for where, text := range testfix.FileTexts(t, dir) {
		if strings.Contains(text, "Aino Testinen") && strings.Contains(text, string(code)) {
			found++
			if !strings.HasPrefix(where, path) {
				t.Errorf("text of %s found under %q", path, where)
			}
		}
	}
	if found < 2 { // a part of the zip and the cells
		t.Errorf("the workbook's code and name are in %d texts, want the XML part and the cells", found)
	}
}
