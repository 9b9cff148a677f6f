package gen

import (
	"context"
	"fmt"
	"path/filepath"

	"tyomatka/internal/period"
)

// accrualRow is one row of a Kela list.
type accrualRow struct {
	hetu       [11]byte
	month      period.Month
	badMonth   bool // Messy: month 13, as text
	benefit    string
	days       int
	accrued    int
	shareCents int64
	kunta      string
}

// listSink writes one list file.
type listSink interface {
	write(r *accrualRow) error
	close() error // finishes the file
	abort()       // drops the file after a failure
	path() string
}

// ctxCheckEvery is how many rows pass between checks for cancellation.
const ctxCheckEvery = 8192

// writeLists simulates the persons month by month and writes each month's
// list (or lists, with Format "both") as the rows are made.
func (g *generator) writeLists(ctx context.Context) error {
	n := len(g.persons)
	var row, extra accrualRow
	for k := range g.o.Months {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := g.first.Add(k)
		var sinks []listSink
		for _, l := range g.lists(k) {
			path := filepath.Join(g.o.Dir, l.dir, l.name(m))
			s, err := newListSink(path, l.format, m, g.o.Last)
			if err != nil {
				abortAll(sinks)
				return err
			}
			sinks = append(sinks, s)
		}
		rows := 0
		emit := func(r *accrualRow) error {
			for _, s := range sinks {
				if err := s.write(r); err != nil {
					return fmt.Errorf("write %s: %w", s.path(), err)
				}
			}
			rows++
			if rows%ctxCheckEvery == 0 {
				return ctx.Err()
			}
			return nil
		}
		badDone := !g.o.Messy || k != g.o.Months-1
		var err error
		for j := 0; j < n && err == nil; j++ {
			i := int((g.permMul*uint64(j) + g.permAdd) % uint64(n))
			var cnt int
			cnt, err = g.personMonth(i, k, &row, &extra, emit)
			if err == nil && cnt > 0 && !badDone && i < g.o.Clients {
				// One row with month 13, a copy of a real row, right after it.
				bad := row
				bad.badMonth = true
				g.messy.badAccrualRow = rows + 1
				err = emit(&bad)
				badDone = true
			}
		}
		if err != nil {
			abortAll(sinks)
			return err
		}
		for _, s := range sinks {
			if err := s.close(); err != nil {
				abortAll(sinks)
				return fmt.Errorf("write %s: %w", s.path(), err)
			}
			g.stats.Files = append(g.stats.Files, FileStat{Path: s.path(), Rows: rows})
			if g.o.Messy && k == g.o.Months-1 {
				g.stats.Problems = append(g.stats.Problems, Problem{
					Kind: ProblemAccrualRow, File: s.path(), Sheet: sinkSheet(s),
					Row: g.messy.badAccrualRow + sinkHeaderRows(s),
				})
			}
		}
		g.stats.AccrualRows += rows
	}
	return nil
}

// abortAll drops unfinished lists, so that a failed run leaves no partial
// list for a billing run to read.
func abortAll(sinks []listSink) {
	for _, s := range sinks {
		s.abort()
	}
}

// personMonth makes person i's rows of month index k, updates the person's
// running state, and emits the rows. It returns the number of rows emitted;
// row holds the person's main row afterwards.
func (g *generator) personMonth(i, k int, row, extra *accrualRow, emit func(*accrualRow) error) (int, error) {
	p := &g.persons[i]
	g.seed(saltMonth+uint64(k), uint64(i))
	r := g.rnd
	k16 := int16(k)
	on := p.onFrom <= k16 && k16 <= p.onTo || p.back != none && k16 >= p.back
	var days int
	switch {
	case k16 == p.small:
		days = 1 + r.IntN(3)
	case !on:
		p.prevShare = 0
		return 0, nil
	case k16 == p.empMonth:
		// Paid only for the working days before the job began.
		days = (int(p.empDay) - 1) * 21 / 30
	default:
		switch x := r.IntN(100); {
		case x < 75:
			days = 19 + r.IntN(4)
		case x < 95:
			days = 5 + r.IntN(14)
		default:
			days = r.IntN(5)
		}
	}
	m := g.first.Add(k)
	kunta := municipalities[p.muni].Name
	if p.listCode {
		kunta = municipalities[p.muni].Code
	}
	before := int(p.accrued)
	after := before + days
	count := 0
	prevShare := int64(p.prevShare)

	*row = accrualRow{hetu: p.hetu, month: m, benefit: benefits[p.benefit], kunta: kunta, accrued: after}
	if days >= 4 && r.IntN(100) < 5 {
		// Two benefits in one month: the first part under the person's own
		// benefit, the rest under another.
		split := 1 + r.IntN(days-1)
		other := (int(p.benefit) + 1 + r.IntN(2)) % len(benefits)
		rate2 := int64(3721)
		if other == 2 {
			rate2 = 6500
		}
		*extra = *row
		row.days, row.shareCents = split, share(before, before+split, int64(p.rate))
		extra.benefit, extra.days = benefits[other], days-split
		extra.shareCents = share(before+split, after, rate2)
		if err := emit(row); err != nil {
			return count, err
		}
		count++
		if err := emit(extra); err != nil {
			return count, err
		}
		count++
		p.prevShare = int32(row.shareCents + extra.shareCents)
	} else {
		row.days, row.shareCents = days, share(before, after, int64(p.rate))
		if err := emit(row); err != nil {
			return count, err
		}
		count++
		p.prevShare = int32(row.shareCents)
	}
	if k > 0 && prevShare > 4000 && r.IntN(200) == 0 {
		// Kela corrects last month's share in this month's list.
		*extra = accrualRow{hetu: p.hetu, month: m.Add(-1), benefit: benefits[p.benefit], kunta: kunta,
			accrued: before, shareCents: -(500 + r.Int64N(prevShare/2))}
		if err := emit(extra); err != nil {
			return count, err
		}
		count++
	}
	p.accrued = int32(after)
	if k16 == p.refMonth {
		p.refAccrued = int32(after)
	}
	return count, nil
}

// share is the municipality's share in cents of the benefit days after
// accrued day from up to day to: nothing for the first 100 days, then
// 10 %, 20 % from day 201 and 30 % from day 401 (a simplified tiering; the bot
// never recomputes it, it only has to look like Kela's figures).
func share(from, to int, rate int64) int64 {
	var percentCents int64
	for d := from + 1; d <= to; d++ {
		switch {
		case d <= 100:
		case d <= 200:
			percentCents += 10 * rate
		case d <= 400:
			percentCents += 20 * rate
		default:
			percentCents += 30 * rate
		}
	}
	return (percentCents + 50) / 100
}
