package testfix

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/hetu"
)

// PersonalData returns every identity code (as written and normalised) and
// every name in the workbook at path: any cell that normalises to a
// code-shaped value, and every cell of a column headed Nimi.
func PersonalData(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		nameCol := -1
		for _, r := range rows {
			for i, c := range r {
				c = strings.TrimSpace(c)
				if strings.EqualFold(c, "Nimi") {
					nameCol = i
					continue
				}
				if n := hetu.Normalize(c); len(n) == 11 && strings.ContainsAny(n[6:7], "+-ABCDEFUVWXY") {
					out = append(out, c, n)
				}
				if i == nameCol && c != "" {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// FileTexts returns the text of every file under dirs by path. A workbook
// is compressed, so for one it is each XML part ("book.xlsx:xl/…") and
// its cells ("book.xlsx (cells)") instead.
func FileTexts(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	texts := map[string]string{}
	for _, d := range dirs {
		err := filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !strings.HasSuffix(p, ".xlsx") {
				texts[p] = string(data)
				return nil
			}
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return err
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				b, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return err
				}
				texts[p+":"+f.Name] = string(b)
			}
			texts[p+" (cells)"] = XLSXText(t, p)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return texts
}

// AssertNoPersonalData fails the test when any of texts (by where it comes
// from) holds any of secrets, in any letter case. It fails at once when
// there is nothing to look for, as a scan for nothing passes vacuously.
func AssertNoPersonalData(t *testing.T, texts map[string]string, secrets []string) {
	t.Helper()
	if !slices.ContainsFunc(secrets, func(s string) bool { return s != "" }) {
		t.Fatal("no identity codes or names to look for")
	}
	for where, text := range texts {
		upper := strings.ToUpper(text)
		for i, s := range secrets {
			// Name the secret by its index only: a test's output is output
			// too, and must not carry personal data.
			if s != "" && strings.Contains(upper, strings.ToUpper(s)) {
				t.Errorf("%s holds personal data (secrets[%d])", where, i)
			}
		}
	}
}

// XLSXText returns every cell of every sheet of the workbook at path, cells
// separated by tabs and rows by newlines.
func XLSXText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
	}
	return b.String()
}
