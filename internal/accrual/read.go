package accrual

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/municipality"
	"tyomatka/internal/period"
	"tyomatka/internal/sheet"
	"tyomatka/internal/source"
)

// Column positions in columns.
const (
	colHetu = iota
	colMonth
	colBenefit
	colPaidDays
	colAccrued
	colShare
	colMunicipality
)

// columns of a Kelmu list (SPEC §2.2). Etuus is located but never validated:
// from 1.5.2026 Kela also pays yleistuki, and new benefits must not make
// rows invalid.
var columns = []sheet.Column{
	colHetu:         {Name: "Henkilötunnus", Aliases: []string{"Hetu"}, Required: true},
	colMonth:        {Name: "Kuukausi", Aliases: []string{"Laskutuskuukausi"}, Required: true},
	colBenefit:      {Name: "Etuus"},
	colPaidDays:     {Name: "Maksupäivät", Required: true},
	colAccrued:      {Name: "Kertymäpäivät", Required: true},
	colShare:        {Name: "Kunnan osuus", Required: true},
	colMunicipality: {Name: "Kunta"},
}

// Read reads every accrual list (files in name order) and aggregates them
// per person and month. Lists are read concurrently, at most GOMAXPROCS at a
// time; each list is aggregated as it streams and merged in file order, so the
// result does not depend on which list finishes first. Invalid rows become
// ACCRUAL_ROW_INVALID findings; a list that cannot be read at all, or lacks
// a required column, is an error naming it.
func Read(ctx context.Context, files []source.File) (*Data, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		part *filePart
		err  error
		done chan struct{}
	}
	results := make([]result, len(files))
	for i := range results {
		results[i].done = make(chan struct{})
	}
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(results[i].done)
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			results[i].part, results[i].err = readFile(ctx, i, f)
			if results[i].err != nil {
				cancel()
			}
		}()
	}
	defer wg.Wait()

	d := &Data{
		Persons: make(map[hetu.Code]*Person),
		Covered: make(map[period.Month]bool),
		Files:   make([]File, 0, len(files)),
	}
	var firstErr error
	for i := range results {
		<-results[i].done
		r := &results[i]
		if firstErr != nil {
			continue
		}
		if r.err != nil {
			firstErr = r.err
			continue
		}
		d.merge(r.part)
		r.part = nil // let the list's aggregate go as soon as it is merged
	}
	if firstErr != nil {
		// A cancelled sibling reports context.Canceled; the cause is the
		// error of an earlier or later file, so prefer a real one.
		for i := range results {
			if err := results[i].err; err != nil && !errors.Is(err, context.Canceled) {
				return nil, err
			}
		}
		return nil, firstErr
	}
	return d, nil
}

// filePart is the aggregate of one list.
type filePart struct {
	persons map[hetu.Code]*Person
	covered map[period.Month]bool
	invalid []finding.Finding
	file    File
}

func (d *Data) merge(p *filePart) {
	for code, q := range p.persons {
		dst, ok := d.Persons[code]
		if !ok {
			d.Persons[code] = q
			continue
		}
		for m, t := range q.Months {
			if mt, ok := dst.Months[m]; ok {
				mt.add(t)
			} else {
				dst.Months[m] = t
			}
		}
		if q.Municipality != "" && (dst.Municipality == "" || later(q.LatestMonth, q.LatestSeq, dst.LatestMonth, dst.LatestSeq)) {
			dst.Municipality, dst.LatestMonth, dst.LatestSeq = q.Municipality, q.LatestMonth, q.LatestSeq
		}
	}
	for m := range p.covered {
		d.Covered[m] = true
	}
	d.Invalid = append(d.Invalid, p.invalid...)
	d.Files = append(d.Files, p.file)
}

func (t *MonthTotal) add(o *MonthTotal) {
	t.PaidDays = t.PaidDays.Add(o.PaidDays)
	t.Share = t.Share.Add(o.Share)
	if o.MaxAccrued.GreaterThan(t.MaxAccrued) {
		t.MaxAccrued = o.MaxAccrued
	}
	t.Rows += o.Rows
}

// later reports whether the row at (m, s) comes after the row at (om, os) in
// the order the latest-Kunta rule uses: month first, then reading order.
func later(m period.Month, s Seq, om period.Month, os Seq) bool {
	if c := m.Compare(om); c != 0 {
		return c > 0
	}
	return os.Less(s)
}

// readFile reads and aggregates one list.
func readFile(ctx context.Context, index int, f source.File) (*filePart, error) {
	sum := f.SHA256
	if sum == "" {
		var err error
		if sum, err = fileSHA256(f.Path); err != nil {
			return nil, fmt.Errorf("read %s: %w", f.Name, err)
		}
	}
	b, err := sheet.Open(f.Path, f.Name)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	t, err := b.Table(ctx, "", columns)
	if err != nil {
		return nil, err
	}
	defer t.Close()

	p := &filePart{
		persons: make(map[hetu.Code]*Person),
		covered: make(map[period.Month]bool),
		file:    File{Name: f.Name, SHA256: sum},
	}
	var months monthCache
	for t.Next() {
		r := t.Row()
		p.file.Rows++
		row, bad := parseRow(r, t, &months)
		if bad != nil {
			p.invalid = append(p.invalid, finding.New(finding.AccrualRowInvalid, f.Name, t.Sheet, r.Num, bad.column, bad.message))
			continue
		}
		p.covered[row.month] = true
		person := p.persons[row.code]
		if person == nil {
			person = &Person{Months: make(map[period.Month]*MonthTotal, 4)}
			p.persons[row.code] = person
		}
		if mt := person.Months[row.month]; mt == nil {
			person.Months[row.month] = &MonthTotal{PaidDays: row.paid, MaxAccrued: row.accrued, Share: row.share, Rows: 1}
		} else {
			mt.add(&MonthTotal{PaidDays: row.paid, MaxAccrued: row.accrued, Share: row.share, Rows: 1})
		}
		// Rows arrive in reading order, so a row of the same month replaces
		// an earlier one.
		if kunta := r.Cells[colMunicipality]; !kunta.Blank() &&
			(person.Municipality == "" || !row.month.Before(person.LatestMonth)) {
			person.Municipality = municipality.Name(cellText(kunta))
			person.LatestMonth = row.month
			person.LatestSeq = Seq{File: index, Row: r.Num}
		}
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

type parsedRow struct {
	code                 hetu.Code
	month                period.Month
	paid, accrued, share decimal.Decimal
}

type badCell struct{ column, message string }

// parseRow validates a row; bad names its first invalid cell in column order
// Henkilötunnus, Kuukausi, Maksupäivät, Kertymäpäivät, Kunnan osuus.
func parseRow(r sheet.Row, t *sheet.Table, months *monthCache) (parsedRow, *badCell) {
	var row parsedRow
	header := func(i int) string { return t.Columns[i].Header }
	hc := r.Cells[colHetu]
	if hc.Blank() {
		return row, &badCell{header(colHetu), fmt.Sprintf("%s puuttuu. Lisää henkilötunnus tai hae lista Kelmusta uudelleen.", header(colHetu))}
	}
	code, err := hetu.Parse(hc.Value)
	if err != nil {
		// Never quote the cell: it may be a real person's code with a typo.
		return row, &badCell{header(colHetu), fmt.Sprintf("%s ei ole kelvollinen henkilötunnus (muoto, päivämäärä tai tarkistusmerkki on väärin). Korjaa se tai hae lista Kelmusta uudelleen.", header(colHetu))}
	}
	row.code = code

	mc := r.Cells[colMonth]
	m, err := months.parse(mc, t.Date1904)
	switch {
	case mc.Blank():
		return row, &badCell{header(colMonth), fmt.Sprintf("%s puuttuu. Lisää kuukausi muodossa vvvv-kk (esim. 2026-03) tai hae lista Kelmusta uudelleen.", header(colMonth))}
	case errors.Is(err, sheet.ErrPlainNumber):
		return row, &badCell{header(colMonth), fmt.Sprintf("%s%s on tallennettu pelkkänä lukuna, josta kuukautta ei voi päätellä. Kirjoita se tekstinä muodossa vvvv-kk (esim. 2026-03) tai hae lista Kelmusta uudelleen.", header(colMonth), quote(mc))}
	case err != nil:
		return row, &badCell{header(colMonth), fmt.Sprintf("%s%s ei ole kelvollinen kuukausi. Korjaa muotoon vvvv-kk (esim. 2026-03) tai hae lista Kelmusta uudelleen.", header(colMonth), quote(mc))}
	}
	row.month = m

	for _, n := range []struct {
		col int
		dst *decimal.Decimal
	}{{colPaidDays, &row.paid}, {colAccrued, &row.accrued}, {colShare, &row.share}} {
		c := r.Cells[n.col]
		if c.Blank() {
			return row, &badCell{header(n.col), fmt.Sprintf("%s puuttuu. Lisää luku (esim. 0) tai hae lista Kelmusta uudelleen.", header(n.col))}
		}
		v, err := c.Number()
		if err != nil {
			return row, &badCell{header(n.col), fmt.Sprintf("%s%s ei ole kelvollinen luku. Kirjoita luku ilman muita merkkejä (esim. 1234,56 tai 1 234,56 €) tai hae lista Kelmusta uudelleen.", header(n.col), quote(c))}
		}
		*n.dst = v
	}
	return row, nil
}

// quote returns ` "value"` for a message when the cell can be shown: short,
// made only of the characters of months and numbers, and not shaped like an
// identity code (six digits and a century sign). Otherwise "" — a misplaced
// identity code or name must never reach a report.
func quote(c sheet.Cell) string {
	s := c.Text()
	if s == "" || len(s) > 24 {
		return ""
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			continue
		case strings.ContainsRune(" \u00a0\u202f.,/:€−", r):
		case r == '-' || r == '+':
			if digits >= 6 {
				return ""
			}
		default:
			return ""
		}
		if r != ' ' && r != '\u00a0' && r != '\u202f' {
			digits = 0
		}
	}
	return fmt.Sprintf(" %q", s)
}

// monthCache remembers the last Kuukausi cell parsed: a list holds one or a
// few months, so almost every row repeats the previous row's value.
type monthCache struct {
	cell  sheet.Cell
	month period.Month
	err   error
	ok    bool
}

func (mc *monthCache) parse(c sheet.Cell, date1904 bool) (period.Month, error) {
	if mc.ok && c == mc.cell {
		return mc.month, mc.err
	}
	m, err := c.Month(date1904)
	*mc = monthCache{cell: c, month: m, err: err, ok: true}
	return m, err
}

// cellText returns a Kunta cell as text; a code typed as a number (98) keeps
// its digits so that municipality.Name can pad it.
func cellText(c sheet.Cell) string {
	if c.Kind == sheet.Number {
		if d, err := decimal.NewFromString(c.Text()); err == nil {
			return d.String()
		}
	}
	return c.Text()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
