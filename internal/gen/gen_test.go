package gen_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/gen"
	"tyomatka/internal/hetu"
)

func small(format string, messy bool) gen.Options {
	return gen.Options{Clients: 30, Months: 6, Seed: 7, Format: format, Others: -1, Messy: messy}
}

func withLast(t *testing.T, o gen.Options) gen.Options {
	o.Last = month(t, "2026-10")
	return o
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{gen.FormatMixed, gen.FormatBoth} {
		t.Run(format, func(t *testing.T) {
			o := withLast(t, small(format, true))
			a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
			o.Dir = a
			generate(t, o)
			o.Dir = b
			generate(t, o)
			o.Dir, o.Seed = c, o.Seed+1
			generate(t, o)

			files := listFiles(t, a)
			if got, want := strings.Join(listFiles(t, b), ","), strings.Join(files, ","); got != want {
				t.Fatalf("second run wrote %s, want %s", got, want)
			}
			differs := 0
			for _, f := range files {
				fa, fb, fc := read(t, a, f), read(t, b, f), read(t, c, f)
				if !bytes.Equal(fa, fb) {
					t.Errorf("%s: same options, different bytes", f)
				}
				if !bytes.Equal(fa, fc) {
					differs++
				}
			}
			if differs != len(files) {
				t.Errorf("another seed changed %d of %d files, want all", differs, len(files))
			}
		})
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every identity code written anywhere is a valid temporary code, except the
// one wrong check character of Messy; and every row carries one.
func TestIdentityCodesAreTemporary(t *testing.T) {
	for _, messy := range []bool{false, true} {
		t.Run(strconv.FormatBool(messy), func(t *testing.T) {
			st := generate(t, withLast(t, small(gen.FormatMixed, messy)))
			invalid, total := 0, 0
			for _, f := range st.Files {
				for _, code := range hetusIn(t, f.Path) {
					total++
					c, err := hetu.Parse(code)
					if err != nil {
						invalid++
						if !strings.HasSuffix(f.Path, gen.TrackingFile) || !errorsIsCheck(err) {
							t.Errorf("%s: invalid code (%v)", filepath.Base(f.Path), err)
						}
						continue
					}
					if !c.Temporary() {
						t.Fatalf("%s: identity code with an individual number below 900", filepath.Base(f.Path))
					}
				}
			}
			wantInvalid := 0
			if messy {
				wantInvalid = 1
			}
			if invalid != wantInvalid {
				t.Errorf("%d codes with a wrong check character, want %d", invalid, wantInvalid)
			}
			if got, want := total, st.ClientRows+st.CodeRows+st.AccrualRows; got != want {
				t.Errorf("found %d identity codes, want one per data row = %d", got, want)
			}
		})
	}
}

func errorsIsCheck(err error) bool { return errors.Is(err, hetu.ErrCheck) }

func TestHeadersAndSheets(t *testing.T) {
	o := withLast(t, small(gen.FormatMixed, false))
	st := generate(t, o)
	tr := st.Files[len(st.Files)-1].Path
	if got, want := filepath.Base(tr), "TyoMatka_seuranta.xlsx"; got != want {
		t.Fatalf("tracking workbook %s, want %s", got, want)
	}
	f, err := excelize.OpenFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	f.Close()
	if got, want := strings.Join(sheets, ","), "Asiakkaat,Muunto"; got != want {
		t.Errorf("sheets %s, want %s", got, want)
	}
	if got, want := strings.Join(sheetRows(t, tr, "Asiakkaat")[1], "|"), strings.Join(specClientHeader, "|"); got != want {
		t.Errorf("Asiakkaat header %s, want %s", got, want)
	}
	if got, want := strings.Join(sheetRows(t, tr, "Muunto")[0], "|"), strings.Join(specCodeHeader, "|"); got != want {
		t.Errorf("Muunto header %s, want %s", got, want)
	}
	kinds := map[string]bool{}
	for k, fs := range st.Files[:len(st.Files)-1] {
		header, data := listRows(t, fs.Path)
		if got, want := strings.Join(header, "|"), strings.Join(specListHeader, "|"); got != want {
			t.Errorf("%s: header %s, want %s", filepath.Base(fs.Path), got, want)
		}
		m := o.Last.Add(k + 1 - o.Months)
		kuukausi := data[0][1]
		switch {
		case strings.HasSuffix(fs.Path, ".xlsx"):
			kinds["xlsx"] = true
			if d, ok := cellDate(kuukausi); !ok || d != m.First() {
				t.Errorf("%s: Kuukausi %q, want the serial of %s", filepath.Base(fs.Path), kuukausi, m.First())
			}
			checkDateStyle(t, fs.Path, "B4")
		default:
			_, semi := csvRows(t, fs.Path)
			want := m.String()
			if semi {
				kinds["csv;"] = true
				want = m.First().String()[5:7] + "/" + strconv.Itoa(m.Year)
			} else {
				kinds["csv,"] = true
			}
			if kuukausi != want {
				t.Errorf("%s: Kuukausi %q, want %q", filepath.Base(fs.Path), kuukausi, want)
			}
		}
	}
	if len(kinds) != 3 {
		t.Errorf("list kinds %v, want xlsx and both CSV flavours", kinds)
	}
}

// checkDateStyle asserts that a cell is a real date cell: a number with a
// d.m.yyyy format.
func checkDateStyle(t *testing.T, path, ref string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || *st.CustomNumFmt != "d.m.yyyy" {
		t.Errorf("%s %s: number format %v, want d.m.yyyy", filepath.Base(path), ref, st.CustomNumFmt)
	}
}

// problems counts, in the written files, each deliberate problem of Messy.
func problems(t *testing.T, st gen.Stats, last civil.Date) map[string][]int {
	t.Helper()
	tr := st.Files[len(st.Files)-1].Path
	rows := sheetRows(t, tr, "Asiakkaat")
	header, data := rows[1], rows[2:]
	col := func(name string) int { return column(t, header, name) }
	out := map[string][]int{}
	add := func(kind string, row int) { out[kind] = append(out[kind], row) }
	seen := map[string][]int{}
	runDate := last.AddDays(20) // the default job's D
	twoDigit := regexp.MustCompile(`^\d{1,2}\.\d{1,2}\.\d{2}$`)
	for i, r := range data {
		row := i + 3
		h := at(r, col("Henkilötunnus"))
		if !hetu.Valid(h) {
			add(gen.ProblemHetuInvalid, row)
		} else {
			seen[h] = append(seen[h], row)
		}
		if at(r, col("Ohjattu")) == "" {
			add(gen.ProblemReferralMissing, row)
		}
		ref, refOK := cellDate(at(r, col("Ohjattu")))
		if info, ok := cellDate(at(r, col("Infotilaisuus"))); ok && refOK && info.Before(ref) {
			add(gen.ProblemDateOrder, row)
		}
		if at(r, col("Työllistyminen")) != "" && at(r, col("Työsuhde")) == "" {
			add(gen.ProblemEmploymentType, row)
		}
		for _, c := range dateColumns {
			v := at(r, col(c))
			if twoDigit.MatchString(v) {
				add(gen.ProblemDateInvalid, row)
			}
			if d, ok := cellDate(v); ok && d.After(runDate) {
				add(gen.ProblemDateFuture, row)
			}
		}
	}
	codes := map[string][]string{}
	for _, r := range sheetRows(t, tr, "Muunto")[1:] {
		codes[at(r, 0)] = append(codes[at(r, 0)], at(r, 1))
	}
	for h, rs := range seen {
		if len(rs) > 1 {
			add(gen.ProblemClientDuplicate, rs[len(rs)-1])
		}
		if len(codes[h]) == 0 {
			add(gen.ProblemCodeMissing, rs[0])
		}
		if len(codes[h]) > 1 {
			add(gen.ProblemCodeDuplicate, rs[0])
		}
	}
	for _, f := range st.Files[:len(st.Files)-1] {
		_, data := listRows(t, f.Path)
		for _, r := range data {
			if k := r[1]; strings.HasPrefix(k, "13/") || strings.HasSuffix(k, "-13") {
				add(gen.ProblemAccrualRow, 0)
			}
		}
	}
	return out
}

func TestMessy(t *testing.T) {
	kinds := []string{gen.ProblemHetuInvalid, gen.ProblemReferralMissing, gen.ProblemClientDuplicate,
		gen.ProblemCodeMissing, gen.ProblemCodeDuplicate, gen.ProblemDateOrder, gen.ProblemEmploymentType,
		gen.ProblemDateInvalid, gen.ProblemDateFuture, gen.ProblemAccrualRow}
	for _, tc := range []struct {
		format string
		messy  bool
	}{{gen.FormatMixed, false}, {gen.FormatMixed, true}, {gen.FormatXLSX, true}, {gen.FormatCSV, true}} {
		t.Run(tc.format+"/"+strconv.FormatBool(tc.messy), func(t *testing.T) {
			o := withLast(t, small(tc.format, tc.messy))
			st := generate(t, o)
			got := problems(t, st, o.Last.Last())
			want := 0
			if tc.messy {
				want = 1
			}
			for _, k := range kinds {
				if len(got[k]) != want {
					t.Errorf("%s: found %d (rows %v), want %d", k, len(got[k]), got[k], want)
				}
			}
			if !tc.messy {
				if len(st.Problems) != 0 {
					t.Errorf("Stats.Problems %v, want none", st.Problems)
				}
				return
			}
			// Stats.Problems points at the rows found in the files.
			for _, p := range st.Problems {
				if p.Kind == gen.ProblemAccrualRow || p.Kind == gen.ProblemCodeDuplicate {
					continue
				}
				if rows := got[p.Kind]; len(rows) != 1 || rows[0] != p.Row {
					t.Errorf("%s: Stats says row %d, files show %v", p.Kind, p.Row, rows)
				}
			}
		})
	}
}

func TestRowCountsAndLayout(t *testing.T) {
	for _, format := range []string{gen.FormatMixed, gen.FormatXLSX, gen.FormatCSV, gen.FormatBoth} {
		t.Run(format, func(t *testing.T) {
			o := withLast(t, small(format, true))
			o.Dir = t.TempDir()
			st := generate(t, o)
			var written []string
			listRowsSum := 0
			perMonth := map[string][]int{}
			for _, f := range st.Files {
				rel, _ := filepath.Rel(o.Dir, f.Path)
				written = append(written, filepath.ToSlash(rel))
				if filepath.Base(f.Path) == gen.TrackingFile {
					continue
				}
				_, data := listRows(t, f.Path)
				if got, want := len(data), f.Rows; got != want {
					t.Errorf("%s: %d data rows, Stats says %d", rel, got, want)
				}
				listRowsSum += len(data)
				name := strings.ToLower(strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel)))
				perMonth[name] = append(perMonth[name], len(data))
				dir := filepath.Dir(rel)
				ext := filepath.Ext(rel)
				switch {
				case format == gen.FormatBoth && ext == ".xlsx" && dir != "kertymat-xlsx",
					format == gen.FormatBoth && ext == ".csv" && dir != "kertymat-csv",
					format != gen.FormatBoth && dir != "kertymat",
					format == gen.FormatXLSX && ext != ".xlsx",
					format == gen.FormatCSV && ext != ".csv":
					t.Errorf("list %s in the wrong place for format %s", rel, format)
				}
			}
			if got, want := strings.Join(listFiles(t, o.Dir), ","), strings.Join(sortedCopy(written), ","); got != want {
				t.Errorf("folder holds %s, Stats lists %s", got, want)
			}
			copies := 1
			if format == gen.FormatBoth {
				copies = 2
			}
			if got, want := listRowsSum, copies*st.AccrualRows; got != want {
				t.Errorf("lists hold %d rows, want %d", got, want)
			}
			if got, want := len(perMonth), o.Months; got != want {
				t.Errorf("%d months written, want %d", got, want)
			}
			for m, counts := range perMonth {
				if len(counts) != copies || counts[0] != counts[len(counts)-1] {
					t.Errorf("%s: row counts %v, want %d equal copies", m, counts, copies)
				}
			}
			tr := filepath.Join(o.Dir, gen.TrackingFile)
			if got, want := len(sheetRows(t, tr, "Asiakkaat"))-2, st.ClientRows; got != want {
				t.Errorf("Asiakkaat holds %d rows, Stats says %d", got, want)
			}
			if got, want := len(sheetRows(t, tr, "Muunto"))-1, st.CodeRows; got != want {
				t.Errorf("Muunto holds %d rows, Stats says %d", got, want)
			}
			if got, want := st.ClientRows, o.Clients+1; got != want { // + the Messy duplicate
				t.Errorf("ClientRows %d, want %d", got, want)
			}
		})
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// Every worksheet's <dimension> states the range of its cells: excelize's
// StreamWriter alone leaves "A1", and openpyxl's read-only mode trusts it.
func TestWorksheetDimension(t *testing.T) {
	st := generate(t, withLast(t, small(gen.FormatBoth, true)))
	n := 0
	for _, f := range st.Files {
		if !strings.HasSuffix(f.Path, ".xlsx") {
			continue
		}
		zr, err := zip.OpenReader(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range zr.File {
			if !strings.HasPrefix(part.Name, "xl/worksheets/sheet") {
				continue
			}
			n++
			dim, used := dimensionAndRange(t, part)
			if dim != used {
				t.Errorf("%s %s: dimension %q, cells span %q", filepath.Base(f.Path), part.Name, dim, used)
			}
		}
		zr.Close()
	}
	if n == 0 {
		t.Fatal("no worksheets checked")
	}
}

// dimensionAndRange decodes a worksheet part with encoding/xml (independently
// of the generator's byte scanner).
func dimensionAndRange(t *testing.T, part *zip.File) (dim, used string) {
	t.Helper()
	rc, err := part.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	minC, minR, maxC, maxR := 1<<30, 1<<30, 0, 0
	dims := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "ref" && a.Name.Local != "r" {
				continue
			}
			switch {
			case se.Name.Local == "dimension" && a.Name.Local == "ref":
				dim = a.Value
				dims++
			case se.Name.Local == "c" && a.Name.Local == "r":
				c, r, err := excelize.CellNameToCoordinates(a.Value)
				if err != nil {
					t.Fatal(err)
				}
				minC, minR, maxC, maxR = min(minC, c), min(minR, r), max(maxC, c), max(maxR, r)
			}
		}
	}
	if dims != 1 {
		t.Errorf("%s: %d dimension elements, want 1", part.Name, dims)
	}
	from, _ := excelize.CoordinatesToCellName(minC, minR)
	to, _ := excelize.CoordinatesToCellName(maxC, maxR)
	return dim, from + ":" + to
}

// The lists look like Kela's: accrued days never fall, days paid stay within a
// month's working days, shares are plausible euros, and the workbook's
// Maksupäivät mostly agrees with the lists at the referral month.
func TestPlausibleData(t *testing.T) {
	o := withLast(t, gen.Options{Clients: 300, Months: 8, Seed: 3, Format: gen.FormatCSV, Others: -1})
	st := generate(t, o)
	type key struct{ hetu, month string }
	accrued := map[key]int{}
	last := map[string]int{}
	lastMonth := map[string]string{}
	for _, f := range st.Files[:len(st.Files)-1] {
		_, data := listRows(t, f.Path)
		for _, r := range data {
			days, _ := strconv.Atoi(r[3])
			acc, _ := strconv.Atoi(strings.NewReplacer("\u00a0", "", "\u202f", "").Replace(r[4]))
			m := r[1]
			if strings.Contains(m, "/") { // mm/yyyy
				m = m[3:] + "-" + m[:2]
			}
			if days < 0 || days > 22 {
				t.Errorf("Maksupäivät %d out of 0–22", days)
			}
			amount := strings.NewReplacer("\u00a0", "", " €", "", ",", ".", "\u2212", "-").Replace(r[5])
			eur, err := strconv.ParseFloat(amount, 64)
			if err != nil || eur < -600 || eur > 650 {
				t.Errorf("Kunnan osuus %q implausible", r[5])
			}
			if m == lastMonth[r[0]] || m < lastMonth[r[0]] {
				continue // a second benefit or a correction of an earlier month
			}
			if acc < last[r[0]] {
				t.Errorf("Kertymäpäivät fell from %d to %d in %s", last[r[0]], acc, m)
			}
			last[r[0]], lastMonth[r[0]] = acc, m
			accrued[key{r[0], m}] = max(accrued[key{r[0], m}], acc)
		}
	}
	rows := sheetRows(t, filepath.Join(filepath.Dir(filepath.Dir(st.Files[0].Path)), gen.TrackingFile), "Asiakkaat")
	within, compared := 0, 0
	for _, r := range rows[2:] {
		ref, ok := cellDate(at(r, 4))
		days, err := strconv.Atoi(at(r, 10))
		if !ok || err != nil {
			continue
		}
		acc, ok := accrued[key{at(r, 0), ref.String()[:7]}]
		if !ok {
			continue
		}
		compared++
		if d := days - acc; d >= -25 && d <= 25 {
			within++
		}
	}
	if compared < 100 || within*100 < compared*75 || within == compared {
		t.Errorf("Maksupäivät within 25 days of Kela's figure for %d of %d clients; want most but not all", within, compared)
	}
}

func TestRefusesStaleLists(t *testing.T) {
	o := withLast(t, small(gen.FormatMixed, false))
	o.Dir = t.TempDir()
	generate(t, o)
	generate(t, o) // the same run again replaces its own files
	o.Months--
	_, err := gen.Generate(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "Kelmu_2026-05.xlsx") && !strings.Contains(err.Error(), "kelmu_2026-05") {
		t.Fatalf("Generate with a stale list in the folder: %v, want an error naming it", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*gen.Options)
	}{
		{"no clients", func(o *gen.Options) { o.Clients = 0 }},
		{"no months", func(o *gen.Options) { o.Months = 0 }},
		{"bad format", func(o *gen.Options) { o.Format = "ods" }},
		{"no dir", func(o *gen.Options) { o.Dir = "" }},
		{"messy too small", func(o *gen.Options) { o.Clients, o.Messy = 5, true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := withLast(t, small(gen.FormatMixed, false))
			o.Dir = t.TempDir()
			tc.edit(&o)
			if _, err := gen.Generate(context.Background(), o); err == nil {
				t.Fatal("Generate succeeded, want an error")
			}
		})
	}
}

func TestCommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	err := gen.Command(context.Background(), []string{"-clients", "20", "-months", "3", "-last", "2026-10",
		"-seed", "5", "-messy", "-format", "xlsx", "-out", dir}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kertymat/Kelmu_2026-08.xlsx", "kertymat/Kelmu_2026-10.xlsx", gen.TrackingFile, "problem CODE_MISSING"} {
		if !strings.Contains(filepath.ToSlash(out.String()), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if got, want := len(listFiles(t, dir)), 4; got != want {
		t.Errorf("%d files written, want %d", got, want)
	}
	for _, tt := range []struct {
		args  []string
		usage bool // a command-line mistake (the CLI exits 2)
	}{
		{[]string{"-out", dir}, true},                     // no -last
		{[]string{"-last", "2026-10"}, true},              // no -out
		{[]string{"-last", "10/2026", "-out", dir}, true}, // not YYYY-MM
		{[]string{"-last", "2026-13", "-out", dir}, true},
		{[]string{"-last", "2026-10", "-out", dir, "-others", "many"}, true},
		{[]string{"-nosuchflag"}, true},
		{[]string{"-last", "2026-10", "-out", dir, "-format", "pdf"}, false},
	} {
		err := gen.Command(context.Background(), tt.args, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("Command(%q) succeeded, want an error", tt.args)
			continue
		}
		var ue *gen.UsageError
		if got := errors.As(err, &ue); got != tt.usage {
			t.Errorf("Command(%q) = %v: usage error %v, want %v", tt.args, err, got, tt.usage)
		}
	}
}

// Each person has an identity code of their own, across the date slots.
func TestIdentityCodesUnique(t *testing.T) {
	o := withLast(t, gen.Options{Clients: 3000, Months: 1, Seed: 11, Format: gen.FormatCSV, Others: 0})
	st := generate(t, o)
	seen := map[string]bool{}
	for _, r := range sheetRows(t, filepath.Join(filepath.Dir(filepath.Dir(st.Files[0].Path)), gen.TrackingFile), "Muunto")[1:] {
		if seen[r[0]] {
			t.Fatalf("an identity code is in Muunto twice (row of code %s)", r[1])
		}
		seen[r[0]] = true
	}
	if got, want := len(seen), o.Clients; got != want {
		t.Errorf("%d distinct codes, want %d", got, want)
	}
}

func TestCancelled(t *testing.T) {
	o := withLast(t, small(gen.FormatMixed, false))
	o.Dir = t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := gen.Generate(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("Generate with a cancelled context: %v, want context.Canceled", err)
	}
	for _, f := range listFiles(t, o.Dir) {
		if ext := filepath.Ext(f); ext == ".xlsx" || ext == ".csv" {
			t.Errorf("cancelled run left %s", f)
		}
	}
}
