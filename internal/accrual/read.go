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
	"sync"
	"sync/atomic"

	"github.com/shopspring/decimal"

	"tyomatka/internal/cellvalue"
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
	colBenefit:      {Name: "Etuus", Quiet: true, Unbilled: true},
	colPaidDays:     {Name: "Maksupäivät", Required: true},
	colAccrued:      {Name: "Kertymäpäivät", Required: true},
	colShare:        {Name: "Kunnan osuus", Required: true},
	colMunicipality: {Name: "Kunta", Quiet: true},
}

// Read reads every accrual list (files in name order) and aggregates them
// per person and month. Lists are read concurrently, at most GOMAXPROCS at a
// time; each list is aggregated as it streams and merged in file order, so the
// result does not depend on which list finishes first. Invalid rows become
// ACCRUAL_ROW_INVALID findings; a list that cannot be read at all, or lacks
// a required column, is an error naming it, and so is a list whose amounts,
// added to the lists before it, give a person's month a sum of more than 19
// significant digits (never rounded; no real list comes near).
func Read(ctx context.Context, files []source.File) (*Data, error) {
	if err := sameContent(files); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		part    *filePart
		err     error
		started bool // holds a reader slot until merged
		done    chan struct{}
	}
	results := make([]result, len(files))
	for i := range results {
		results[i].done = make(chan struct{})
	}
	// Lists start in name order, and a reader's slot is freed only when its
	// list has been merged: at most GOMAXPROCS aggregates exist at a time,
	// however unevenly the lists finish.
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var sizeHint atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, f := range files {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for j := i; j < len(files); j++ {
					results[j].err = ctx.Err()
					close(results[j].done)
				}
				return
			}
			results[i].started = true
			wg.Go(func() {
				defer close(results[i].done)
				results[i].part, results[i].err = readFile(ctx, i, f, &sizeHint)
				if results[i].err != nil {
					cancel()
				}
			})
		}
	})
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
		if firstErr == nil && r.err != nil {
			firstErr = r.err
		}
		if firstErr == nil {
			if err := d.merge(r.part); err != nil {
				firstErr = fmt.Errorf("read %s: %w", files[i].Name, err)
				cancel() // the lists still being read are of no use now
			}
		}
		r.part = nil // let the list's aggregate go as soon as it is merged
		if r.started {
			<-sem
		}
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

// ProgressFunc receives the progress of reading one list: rows read so far,
// and done once the list is read. It is called from concurrent readers.
type ProgressFunc func(file string, rows int, done bool)

type progressKey struct{}

// WithProgress returns a context that makes Read report its progress to fn.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressEvery is how many rows pass between progress reports.
const progressEvery = 1 << 16

// sameContent refuses two lists with the same bytes (a copy such as
// "kelmu_2026-10 (1).csv" left by a sync conflict or a second download):
// rows are summed per person and month, so every row would count twice.
func sameContent(files []source.File) error {
	seen := make(map[string]string, len(files))
	for _, f := range files {
		if f.SHA256 == "" {
			continue
		}
		if first, ok := seen[f.SHA256]; ok {
			return fmt.Errorf("accrual lists %s and %s have the same content: read both, every row would count twice; "+
				"remove one of them from the folder and rerun", first, f.Name)
		}
		seen[f.SHA256] = f.Name
	}
	return nil
}

// filePart is the aggregate of one list. It keeps its month totals in one
// slice and its persons in another, indexed by one map: a map per person per
// list, merged and thrown away, was most of the reader's garbage.
type filePart struct {
	index   map[hetu.Code]int32 // → persons
	persons chunks[filePerson]
	totals  chunks[MonthTotal]
	covered map[period.Month]int // valid rows per month
	invalid []finding.Finding
	owners  []Owner // of invalid, index for index
	notes   []finding.Finding
	file    File
}

// chunks is a slice that grows by whole chunks: appending never copies, and
// pointers to its elements stay valid. A list of 160,000 rows grown by append
// copied its slices over and over, five times their final size.
type chunks[T any] struct {
	c [][]T
	n int
}

const chunkSize = 4096

func (c *chunks[T]) add(v T) int32 {
	if c.n%chunkSize == 0 {
		c.c = append(c.c, make([]T, 0, chunkSize))
	}
	last := &c.c[len(c.c)-1]
	*last = append(*last, v)
	c.n++
	return int32(c.n - 1)
}

func (c *chunks[T]) at(i int32) *T { return &c.c[i/chunkSize][i%chunkSize] }

// filePerson is one person's rows in one list: usually one month, more when
// the list corrects earlier months.
type filePerson struct {
	code         hetu.Code
	month        period.Month
	total        int32 // → totals
	more         []monthRef
	municipality string
	latestMonth  period.Month
	latestSeq    Seq
}

type monthRef struct {
	month period.Month
	total int32
}

// total returns the person's total of month m, adding one when absent.
func (p *filePart) total(fp *filePerson, m period.Month) (t *MonthTotal, added bool) {
	if fp.month == m {
		return p.totals.at(fp.total), false
	}
	for _, r := range fp.more {
		if r.month == m {
			return p.totals.at(r.total), false
		}
	}
	i := p.totals.add(MonthTotal{})
	fp.more = append(fp.more, monthRef{m, i})
	return p.totals.at(i), true
}

func (d *Data) merge(p *filePart) error {
	for i := range int32(p.persons.n) {
		q := p.persons.at(i)
		dst, ok := d.Persons[q.code]
		if !ok {
			dst = &Person{Months: make(map[period.Month]*MonthTotal, 1+len(q.more))}
			d.Persons[q.code] = dst
		}
		if err := d.addMonth(dst, q.month, p.totals.at(q.total)); err != nil {
			return fmt.Errorf("a person's sums of %s with the lists before it: %w; check the amounts of that month", q.month, err)
		}
		for _, r := range q.more {
			if err := d.addMonth(dst, r.month, p.totals.at(r.total)); err != nil {
				return fmt.Errorf("a person's sums of %s with the lists before it: %w; check the amounts of that month", r.month, err)
			}
		}
		if q.municipality != "" && (dst.Municipality == "" || later(q.latestMonth, q.latestSeq, dst.LatestMonth, dst.LatestSeq)) {
			dst.Municipality, dst.LatestMonth, dst.LatestSeq = q.municipality, q.latestMonth, q.latestSeq
		}
	}
	for m := range p.covered {
		d.Covered[m] = true
	}
	d.Invalid = append(d.Invalid, p.invalid...)
	d.Owners = append(d.Owners, p.owners...)
	d.Notes = append(d.Notes, p.notes...)
	d.Files = append(d.Files, p.file)
	return nil
}

// addMonth adds t to dst's month m; t then belongs to dst.
func (d *Data) addMonth(dst *Person, m period.Month, t *MonthTotal) error {
	if mt, ok := dst.Months[m]; ok {
		return mt.add(t)
	}
	dst.Months[m] = t
	return nil
}

// addRow adds one row's values, as add does. On failure it changes nothing
// and names the column whose sum is too long.
func (t *MonthTotal) addRow(paid, accrued, share amount) (column int, err error) {
	p, err := add(t.paid, paid)
	if err != nil {
		return colPaidDays, err
	}
	s, err := add(t.share, share)
	if err != nil {
		return colShare, err
	}
	t.paid, t.share = p, s
	if t.Rows == 0 || accrued.greater(t.maxAccrued) {
		t.maxAccrued = accrued
	}
	t.Rows++
	return 0, nil
}

func (t *MonthTotal) add(o *MonthTotal) error {
	p, err := add(t.paid, o.paid)
	if err != nil {
		return err
	}
	s, err := add(t.share, o.share)
	if err != nil {
		return err
	}
	t.paid, t.share = p, s
	if o.maxAccrued.greater(t.maxAccrued) {
		t.maxAccrued = o.maxAccrued
	}
	t.Rows += o.Rows
	return nil
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
//
// sizeHint is the number of persons of the largest list read so far in this
// Read: the next list's map starts at that size instead of growing to it.
func readFile(ctx context.Context, index int, f source.File, sizeHint *atomic.Int64) (*filePart, error) {
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
		index:   make(map[hetu.Code]int32, sizeHint.Load()),
		covered: make(map[period.Month]int),
		file:    File{Name: f.Name, SHA256: sum},
	}
	var (
		months   monthCache
		kunta    kuntaCache
		lastSeen period.Month
		seen     int // valid rows of lastSeen not yet counted in p.covered
	)
	progress, _ := ctx.Value(progressKey{}).(ProgressFunc)
	if progress != nil {
		progress(f.Name, 0, false)
	}
	for t.Next() {
		r := t.Row()
		p.file.Rows++
		if progress != nil && p.file.Rows%progressEvery == 0 {
			progress(f.Name, p.file.Rows, false)
		}
		var (
			row parsedRow
			bad *badCell
		)
		if r.Err != nil {
			// The reader found the row unreliable as a whole (its values
			// may sit under the wrong headers), whatever the cells hold.
			// Its identity code and month, when they read, still say whose
			// month it leaves incomplete (Owners).
			row, _ = parseRow(r, t, &months)
			bad = rowProblem(r.Err)
		} else {
			row, bad = parseRow(r, t, &months)
		}
		if bad != nil {
			p.invalid = append(p.invalid, finding.New(finding.AccrualRowInvalid, f.Name, t.Sheet, r.Num, bad.column, bad.message))
			p.owners = append(p.owners, Owner{Hetu: row.code, Month: row.month})
			continue
		}
		// Counted per run of rows of one month: a list is mostly one
		// month, and a map update per row would be a cost of its own.
		if seen > 0 && row.month == lastSeen {
			seen++
		} else {
			if seen > 0 {
				p.covered[lastSeen] += seen
			}
			lastSeen, seen = row.month, 1
		}
		var person *filePerson
		if i, ok := p.index[row.code]; ok {
			person = p.persons.at(i)
			if mt, added := p.total(person, row.month); added {
				*mt = MonthTotal{paid: row.paid, maxAccrued: row.accrued, share: row.share, Rows: 1}
			} else if col, err := mt.addRow(row.paid, row.accrued, row.share); err != nil {
				h := t.Columns[col].Header
				p.invalid = append(p.invalid, finding.New(finding.AccrualRowInvalid, f.Name, t.Sheet, r.Num, h,
					fmt.Sprintf("%s%s ei mahdu laskentaan: henkilön saman kuukauden rivien summassa olisi yli 19 numeroa tai yli 19 desimaalia. Korjaa luku tai hae lista Kelmusta uudelleen.", h, quote(r.Cells[col]))))
				p.owners = append(p.owners, Owner{Hetu: row.code, Month: row.month})
				continue
			}
		} else {
			ti := p.totals.add(MonthTotal{paid: row.paid, maxAccrued: row.accrued, share: row.share, Rows: 1})
			pi := p.persons.add(filePerson{code: row.code, month: row.month, total: ti})
			p.index[row.code] = pi
			person = p.persons.at(pi)
		}
		// Rows arrive in reading order, so a row of the same month replaces
		// an earlier one.
		if kc := r.Cells[colMunicipality]; !kc.Blank() {
			name, misplaced := kunta.name(kc)
			if misplaced {
				p.notes = append(p.notes, finding.New(finding.HetuMisplaced, f.Name, t.Sheet, r.Num, t.Columns[colMunicipality].Header,
					"Kunta-sarakkeessa on henkilötunnus (tai sen näköinen merkkijono). Sitä ei käytetä eikä näytetä raporteissa: "+
						"korjaa solu tai hae lista Kelmusta uudelleen. Rivin muut tiedot luetaan tavalliseen tapaan."))
			} else if person.municipality == "" || !row.month.Before(person.latestMonth) {
				person.municipality = name
				person.latestMonth = row.month
				person.latestSeq = Seq{File: index, Row: r.Num}
			}
		}
	}
	if err := t.Err(); err != nil {
		return nil, err
	}
	if seen > 0 {
		p.covered[lastSeen] += seen
	}
	p.file.MonthRows = p.covered
	if progress != nil {
		progress(f.Name, p.file.Rows, true)
	}
	if n := int64(p.persons.n); n > sizeHint.Load() {
		sizeHint.Store(n) // a race between two lists only costs a smaller hint
	}
	return p, nil
}

type parsedRow struct {
	code                 hetu.Code
	month                period.Month
	paid, accrued, share amount
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

	for _, n := range [...]struct {
		col int
		dst *amount
	}{{colPaidDays, &row.paid}, {colAccrued, &row.accrued}, {colShare, &row.share}} {
		c := r.Cells[n.col]
		if c.Blank() {
			return row, &badCell{header(n.col), fmt.Sprintf("%s puuttuu. Lisää luku (esim. 0) tai hae lista Kelmusta uudelleen.", header(n.col))}
		}
		v, err := number(c)
		if errors.Is(err, errTooManyDigits) {
			return row, &badCell{header(n.col), fmt.Sprintf("%s%s on liian pitkä: luvussa saa olla enintään 19 numeroa ja enintään 19 desimaalia. Korjaa luku tai hae lista Kelmusta uudelleen.", header(n.col), quote(c))}
		}
		if err != nil {
			return row, &badCell{header(n.col), fmt.Sprintf("%s%s ei ole kelvollinen luku. Kirjoita luku ilman muita merkkejä (esim. 1234,56 tai 1 234,56 €) tai hae lista Kelmusta uudelleen.", header(n.col), quote(c))}
		}
		*n.dst = v
	}
	return row, nil
}

// rowProblem describes a row the sheet reader marked invalid as a whole.
func rowProblem(err error) *badCell {
	var fc *sheet.FieldCountError
	if !errors.As(err, &fc) {
		return &badCell{"", "Riviä ei voitu lukea luotettavasti. Tarkista rivi tai hae lista Kelmusta uudelleen."}
	}
	hint := "Rivillä on todennäköisesti ylimääräinen erotinmerkki."
	if fc.Comma == ',' {
		hint = "Todennäköisesti jossakin luvussa on desimaalipilkku, vaikka kentät on eroteltu pilkuilla (esim. 78,14 luetaan kahtena kenttänä): kirjoita luku pisteellä (78.14) tai lainausmerkeissä (\"78,14\")."
	}
	col := sheet.ColumnLetter(fc.HeaderFields)
	return &badCell{col, fmt.Sprintf("Rivillä on %d kenttää, mutta otsikkorivillä vain %d, joten sen arvot ovat voineet siirtyä väärien otsikoiden alle (sarakkeessa %s on arvo ilman otsikkoa). %s Korjaa rivi tai hae lista Kelmusta uudelleen.",
		fc.Fields, fc.HeaderFields, col, hint)}
}

// quote returns ` "value"` for a message when the cell may be shown
// (cellvalue.Quotable: a date or a number as typed); otherwise "" — a
// misplaced identity code or name must never reach a report.
func quote(c sheet.Cell) string {
	s := c.Text()
	if !cellvalue.Quotable(s) {
		return ""
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

// number returns c.Number() as an amount. A plain decimal written with at
// most 18 digits, such as "230", "141.4" or "-12.50" — nearly every cell of
// a list — is parsed here into the same coefficient and exponent that
// c.Number would give; anything else is left to c.Number. A value an amount
// cannot hold exactly is errTooManyDigits.
func number(c sheet.Cell) (amount, error) {
	m, exp, ok := plainDecimal(c.Value)
	if ok && m != 0 && (c.Kind == sheet.Number || c.Kind == sheet.Text) {
		return newAmount(m, int(-exp)), nil
	}
	d, err := c.Number()
	if err != nil {
		return amount{}, err
	}
	return amountOf(d)
}

// plainDecimal parses -?digits(.digits)? with at most 18 digits.
func plainDecimal(s string) (m int64, exp int32, ok bool) {
	i := 0
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		i++
	}
	digits, scale, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits > 18 {
				return 0, 0, false
			}
			m = m*10 + int64(c-'0')
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || (dot && scale == 0) || (dot && s[len(s)-1] == '.') {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, int32(-scale), true
}

// kuntaCache remembers the municipality name of the last Kunta cell: most
// rows of a list repeat a few municipalities.
type kuntaCache struct {
	cell  sheet.Cell
	value string
	hetu  bool // the cell may hold an identity code: value is ""
	ok    bool
}

// name returns the municipality of a Kunta cell, or "" and true when the
// cell may hold an identity code (hetu.Resembles): the municipality goes
// to every report and the ledger, so such a value is never kept.
func (kc *kuntaCache) name(c sheet.Cell) (string, bool) {
	if kc.ok && c == kc.cell {
		return kc.value, kc.hetu
	}
	t := cellText(c)
	if hetu.Resembles(t) {
		*kc = kuntaCache{cell: c, hetu: true, ok: true}
	} else {
		*kc = kuntaCache{cell: c, value: municipality.Name(t), ok: true}
	}
	return kc.value, kc.hetu
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
