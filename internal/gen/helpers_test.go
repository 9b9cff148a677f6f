package gen_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"tyomatka/internal/gen"
	"tyomatka/internal/period"
)

// The spec's names (SPEC §2.1, §2.2), written out here rather than taken
// from package gen so that a wrong name there fails the tests.
var (
	specClientHeader = []string{"Henkilötunnus", "Nimi", "Asiakasnumero", "Kotikunta", "Ohjattu",
		"Infotilaisuus", "Aloitus", "Päättyminen", "Työllistyminen", "Työsuhde", "Maksupäivät"}
	specCodeHeader = []string{"Henkilötunnus", "Koodi"}
	specListHeader = []string{"Henkilötunnus", "Kuukausi", "Etuus", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus", "Kunta"}
	dateColumns    = []string{"Ohjattu", "Infotilaisuus", "Aloitus", "Päättyminen", "Työllistyminen"}
)

func month(t testing.TB, s string) period.Month {
	t.Helper()
	m, err := period.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func generate(t testing.TB, o gen.Options) gen.Stats {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	st, err := gen.Generate(context.Background(), o)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return st
}

// sheetRows reads a sheet with raw values: date cells as serial numbers.
func sheetRows(t testing.TB, path, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	if sheet == "" {
		sheet = f.GetSheetList()[0]
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("read %s %s: %v", path, sheet, err)
	}
	return rows
}

func at(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// csvRows reads a list in either flavour; it reports which one it was.
func csvRows(t testing.TB, path string) (rows [][]string, semicolon bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	switch {
	case bytes.HasPrefix(b, []byte("\ufeff")):
		if !utf8.Valid(b) {
			t.Fatalf("%s: BOM but not UTF-8", path)
		}
		text = string(b[3:])
	case utf8.Valid(b):
		t.Fatalf("%s: valid UTF-8 without a BOM; want Windows-1252 (the ';' flavour has non-ASCII headers)", path)
	default:
		d, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			t.Fatal(err)
		}
		text = string(d)
	}
	first, _, _ := strings.Cut(text, "\n")
	semicolon = strings.Contains(first, ";")
	sep := ","
	if semicolon {
		sep = ";"
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\r\n"), "\n") {
		rows = append(rows, strings.Split(strings.TrimSuffix(line, "\r"), sep))
	}
	return rows, semicolon
}

// listRows returns the header and the data rows of a list of either format.
func listRows(t testing.TB, path string) (header []string, data [][]string) {
	t.Helper()
	if strings.HasSuffix(path, ".csv") {
		rows, _ := csvRows(t, path)
		return rows[0], rows[1:]
	}
	rows := sheetRows(t, path, "")
	return rows[2], rows[3:]
}

var hetuRE = regexp.MustCompile(`\b[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Z]\b`)

// hetusIn returns every identity-code-shaped string in a file: in every part
// of an xlsx package, or in the decoded text of a CSV.
func hetusIn(t testing.TB, path string) []string {
	t.Helper()
	if strings.HasSuffix(path, ".csv") {
		rows, _ := csvRows(t, path)
		var all []string
		for _, r := range rows {
			all = append(all, hetuRE.FindAllString(strings.Join(r, " "), -1)...)
		}
		return all
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var all []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hetuRE.FindAllString(string(b), -1)...)
	}
	return all
}

// cellDate parses a raw date cell: an Excel serial, d.m.yyyy or yyyy-mm-dd.
func cellDate(s string) (civil.Date, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return civil.Date{Year: 1899, Month: 12, Day: 30}.AddDays(n), true
	}
	if d, err := civil.ParseDate(s); err == nil {
		return d, true
	}
	p := strings.Split(s, ".")
	if len(p) != 3 || len(p[2]) != 4 {
		return civil.Date{}, false
	}
	d, _ := strconv.Atoi(p[0])
	m, _ := strconv.Atoi(p[1])
	y, _ := strconv.Atoi(p[2])
	date := civil.Date{Year: y, Month: time.Month(m), Day: d}
	return date, date.IsValid()
}

// listFiles returns the files under dir, relative and sorted.
func listFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func column(t testing.TB, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, header)
	return -1
}
