package privacy

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/billing"
	"tyomatka/internal/ledger"
)

// Sheets of the subject access workbook.
const (
	SheetSummary = "Yhteenveto"
	SheetLines   = "Laskurivit"
	SheetRuns    = "Ajot"
	SheetFiles   = "Tiedostot"
)

var statusFi = map[ledger.Status]string{
	ledger.Issued:   "laskutettu, odottaa hyväksyntää",
	ledger.Sealed:   "hyväksytty",
	ledger.Released: "hylätty (rivit laskutetaan uudelleen)",
}

var kindFi = map[string]string{
	"run":     "laskutusajo",
	"sealed":  "ajo hyväksytylle jaksolle",
	"approve": "hyväksynnän kirjaus",
	"rekey":   "avaimen vaihto",
	"purge":   "säilytysajan poisto",
}

type styles struct{ header, euro, date, dateTime, wrap int }

// Workbook renders the answer as a Finnish workbook for the registrar.
func Workbook(a *Answer) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return nil, err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return nil, err
	}
	for _, s := range []string{SheetLines, SheetRuns, SheetFiles} {
		if _, err := f.NewSheet(s); err != nil {
			return nil, err
		}
	}
	w := &writer{f: f}
	w.summary(a, st)
	w.lines(a, st)
	w.runs(a, st)
	w.files(a, st)
	if w.err != nil {
		return nil, fmt.Errorf("subject access workbook: %w", w.err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, fmt.Errorf("subject access workbook: %w", err)
	}
	return b.Bytes(), nil
}

func newStyles(f *excelize.File) (styles, error) {
	euro := `#,##0.00\ "€"`
	date := "d.m.yyyy"
	dt := "d.m.yyyy h:mm"
	var s styles
	var err error
	for _, d := range []struct {
		out *int
		st  *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.euro, &excelize.Style{CustomNumFmt: &euro}},
		{&s.date, &excelize.Style{CustomNumFmt: &date, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&s.dateTime, &excelize.Style{CustomNumFmt: &dt, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&s.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
	} {
		if *d.out, err = f.NewStyle(d.st); err != nil {
			return s, err
		}
	}
	return s, nil
}

// writer keeps the first error so that the sheets read as straight lines.
type writer struct {
	f   *excelize.File
	err error
}

func (w *writer) set(sheet string, col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = w.f.SetCellValue(sheet, cell, v)
	}
	if err == nil && style != 0 {
		err = w.f.SetCellStyle(sheet, cell, cell, style)
	}
	w.err = err
}

// table writes a header row with widths, freezes it and adds a filter.
func (w *writer) table(sheet string, st styles, rows int, cols ...struct {
	name  string
	width float64
}) {
	for i, c := range cols {
		w.set(sheet, i+1, 1, c.name, st.header)
		if w.err == nil {
			name, _ := excelize.ColumnNumberToName(i + 1)
			w.err = w.f.SetColWidth(sheet, name, name, c.width)
		}
	}
	if w.err == nil {
		w.err = w.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if w.err == nil && rows > 0 {
		last, _ := excelize.CoordinatesToCellName(len(cols), rows+1)
		w.err = w.f.AutoFilter(sheet, "A1:"+last, nil)
	}
}

type col = struct {
	name  string
	width float64
}

func (w *writer) summary(a *Answer, st styles) {
	s := SheetSummary
	w.set(s, 1, 1, "Tietopyyntö: laskutusbotin tilatiedot", st.header)
	rows := [][2]any{
		{"Alue", a.Area},
		{"Laadittu", a.Date},
		{"Pseudonyymi tunniste (alku)", a.Key[:12]},
		{"Avaimen sormenjälki", a.KeyID},
		{"Asiakaskoodit", strings.Join(a.ClientCodes, ", ")},
		{"Laskurivejä", len(a.Lines)},
		{"Laskutusjaksoja, joilla laskurivejä", a.LinePeriods()},
		{"Laskutettu yhteensä (alv 0 %)", a.Total},
		{"Ajoja", len(a.Runs)},
		{"Raporttitiedostoja, joissa henkilö mainitaan", len(a.Outputs)},
		{"Raporttitiedostoja, joita ei voitu lukea", len(a.Unreadable)},
		{"Yhteenveto", a.Message},
		{"Huomio", "Henkilötunnusta ei tallenneta laskutusbotin tilatietoihin eikä tähän vastaukseen; henkilö tunnistetaan pseudonyymillä tunnisteella ja asiakaskoodilla."},
	}
	for i, r := range rows {
		w.set(s, 1, i+3, r[0], 0)
		style := st.wrap
		if i == 1 {
			style = st.date
		}
		if i == 7 {
			style = st.euro
		}
		w.set(s, 2, i+3, cellValue(r[1]), style)
	}
	if w.err == nil {
		w.err = w.f.SetColWidth(s, "A", "A", 34)
	}
	if w.err == nil {
		w.err = w.f.SetColWidth(s, "B", "B", 80)
	}
}

func (w *writer) lines(a *Answer, st styles) {
	s := SheetLines
	w.table(s, st, len(a.Lines), col{"Jakso", 10}, col{"Jakson tila", 30}, col{"Rivin tunnus", 20}, col{"Rivityyppi", 18},
		col{"Kuukausi", 10}, col{"Tapahtumapäivä", 15}, col{"Asiakaskoodi", 14}, col{"Kunta", 14},
		col{"Summa (alv 0 %)", 16}, col{"ALV", 12}, col{"Oikaisee riviä", 20})
	if len(a.Lines) == 0 {
		w.set(s, 1, 2, NothingHeld, 0)
		return
	}
	for i, l := range a.Lines {
		r := i + 2
		vals := []any{l.Period, statusFi[l.Status], l.ID, billing.LineType(l.Type).Finnish(), l.Month, l.Date, l.ClientCode, l.Municipality, l.Amount, l.VAT, l.Corrects}
		for c, v := range vals {
			style := 0
			switch c {
			case 5:
				style = st.date
			case 8, 9:
				style = st.euro
			}
			w.set(s, c+1, r, cellValue(v), style)
		}
	}
}

func (w *writer) runs(a *Answer, st styles) {
	s := SheetRuns
	w.table(s, st, len(a.Runs), col{"Aloitettu (Suomen aika)", 22}, col{"Jakso", 10}, col{"Laji", 24}, col{"Ajon tunnus", 18},
		col{"Tilannepäivä", 13}, col{"Käynnistäjä", 40}, col{"Luetut henkilötietotiedostot (nimi, SHA-256, versio)", 90})
	if len(a.Runs) == 0 {
		w.set(s, 1, 2, "Ei ajoja.", 0)
		return
	}
	for i, r := range a.Runs {
		row := i + 2
		var in []string
		for _, f := range r.Inputs {
			// A local file's version is its sha256: say it once.
			if f.Version == "" || f.Version == f.SHA256 || f.Version == "sha256:"+f.SHA256 {
				in = append(in, fmt.Sprintf("%s (SHA-256 %s)", f.Name, f.SHA256))
			} else {
				in = append(in, fmt.Sprintf("%s (SHA-256 %s, versio %s)", f.Name, f.SHA256, f.Version))
			}
		}
		kind := kindFi[r.Kind]
		if kind == "" {
			kind = r.Kind
		}
		w.set(s, 1, row, wallClock(r.StartedAt), st.dateTime)
		w.set(s, 2, row, r.Period, 0)
		w.set(s, 3, row, kind, 0)
		w.set(s, 4, row, r.RunID, 0)
		// An approval is recorded by approve, which has no run date of its own.
		if d, err := civil.ParseDate(r.AsOf); err == nil && r.Kind != "approve" {
			w.set(s, 5, row, cellValue(d), st.date)
		}
		w.set(s, 6, row, startedByFi(r.StartedBy), 0)
		w.set(s, 7, row, strings.Join(in, "\n"), st.wrap)
	}
}

func (w *writer) files(a *Answer, st styles) {
	s := SheetFiles
	unreadable := map[[2]string]string{}
	rows := a.Outputs
	for _, u := range a.Unreadable {
		unreadable[[2]string{u.Period, u.Written}] = u.Error
		listed := false
		for _, o := range a.Outputs {
			listed = listed || o.Period == u.Period && o.Written == u.Written
		}
		if !listed {
			rows = append(rows[:len(rows):len(rows)], u)
		}
	}
	w.table(s, st, len(rows), col{"Jakso", 10}, col{"Tiedosto", 44}, col{"Kirjoitettu nimellä", 44},
		col{"Kansio", 24}, col{"Välilehdet, joilla henkilö mainitaan", 40}, col{"SHA-256", 66}, col{"Versio", 30})
	if len(rows) == 0 {
		w.set(s, 1, 2, "Ei tiedostoja.", 0)
		return
	}
	for i, o := range rows {
		sheets := "ei luettu (jaksolla on henkilön laskurivejä)"
		if e, ok := unreadable[[2]string{o.Period, o.Written}]; ok && o.Sheets == nil {
			sheets = "EI VOITU LUKEA, vastaus on puutteellinen: " + e
		} else if o.Sheets != nil {
			var ss []string
			for _, x := range o.Sheets {
				ss = append(ss, fmt.Sprintf("%s: %d riviä", x.Sheet, x.Rows))
			}
			sheets = strings.Join(ss, ", ")
		}
		version := o.Version
		if version == o.SHA256 || version == "sha256:"+o.SHA256 {
			version = ""
		}
		for c, v := range []any{o.Period, o.Name, o.Written, o.Where, sheets, o.SHA256, version} {
			w.set(s, c+1, i+2, v, 0)
		}
	}
}

// helsinki is the register's time zone: the registrar reads local times.
var helsinki = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// wallClock returns t's Helsinki wall-clock time in a UTC time, which
// excelize writes as is.
func wallClock(t time.Time) time.Time {
	l := t.In(helsinki).Truncate(time.Second)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// startedByFi says in Finnish who started a run (audit.StartedBy).
func startedByFi(s string) string {
	switch {
	case s == "local":
		return "paikallinen ajo"
	case strings.HasPrefix(s, "local:"):
		return "paikallinen ajo (käyttäjä " + strings.TrimPrefix(s, "local:") + ")"
	case strings.HasPrefix(s, "cloud-run:"):
		return "Cloud Run -ajo " + strings.TrimPrefix(s, "cloud-run:")
	}
	return s
}

// cellValue turns decimals into numbers and civil dates into times, which
// Excel formats; money stays exact up to the cell (two decimals).
func cellValue(v any) any {
	switch x := v.(type) {
	case interface{ InexactFloat64() float64 }:
		return x.InexactFloat64()
	case interface {
		In(*time.Location) time.Time
	}:
		return x.In(time.UTC)
	}
	return v
}
