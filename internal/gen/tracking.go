package gen

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/tracking"
)

// ClientHeader is the header of Asiakkaat, in column order; CodeHeader that of
// Muunto.
var (
	ClientHeader = []string{"Henkilötunnus", "Nimi", "Asiakasnumero", "Kotikunta", "Ohjattu",
		"Infotilaisuus", "Aloitus", "Päättyminen", "Työllistyminen", "Työsuhde", "Maksupäivät"}
	CodeHeader = []string{"Henkilötunnus", "Koodi"}
)

const (
	clientHeaderRow = 2 // a title row above the header, as the staff's workbook has
	codeHeaderRow   = 1
	checkChars      = "0123456789ABCDEFHJKLMNPRSTUVWXY"
)

// Column indexes of ClientHeader.
const (
	colHetu = iota
	colName
	colNumber
	colMuni
	colRef
	colInfo
	colStart
	colEnd
	colEmp
	colType
	colDays
)

// messyPlan names the clients that carry the deliberate problems.
type messyPlan struct {
	badCheck, noRef, dup, noCode, codeDup, infoBefore, noType, twoDigit, future int
	badAccrualRow                                                               int // data-row index in the last list
}

// planMessy picks a different client for each problem, preferring clients
// whose data already has what the problem needs (an info date to move, an
// employment whose type to blank) and adding it otherwise.
func (g *generator) planMessy() {
	g.seed(saltMessy, 0)
	r := g.rnd
	used := map[int]bool{}
	pickClient := func(ok func(*client) bool) int {
		start := r.IntN(len(g.clients))
		fallback := -1
		for n := range g.clients {
			i := (start + n) % len(g.clients)
			if used[i] {
				continue
			}
			if fallback < 0 {
				fallback = i
			}
			if ok(&g.clients[i]) {
				used[i] = true
				return i
			}
		}
		used[fallback] = true
		return fallback
	}
	hasInfo := func(c *client) bool { return !c.info.IsZero() }
	m := &g.messy
	m.noType = pickClient(func(c *client) bool { return !c.emp.IsZero() })
	if c := &g.clients[m.noType]; c.emp.IsZero() {
		c.info, c.start, c.emp = c.ref, c.ref, c.ref.AddDays(1)
	}
	g.clients[m.noType].typ = ""
	m.future = pickClient(func(c *client) bool { return hasInfo(c) && c.start.IsZero() })
	c := &g.clients[m.future]
	if c.info.IsZero() {
		c.info = c.ref
	}
	// Well after the run date of the default job (the 20th after the last month).
	c.start, c.end, c.emp, c.typ = g.o.Last.Add(3).First().AddDays(9), civil.Date{}, civil.Date{}, ""
	m.infoBefore = pickClient(hasInfo)
	c = &g.clients[m.infoBefore]
	c.info = c.ref.AddDays(-3 - r.IntN(8))
	m.twoDigit = pickClient(hasInfo)
	if c := &g.clients[m.twoDigit]; c.info.IsZero() {
		c.info = c.ref
	}
	any := func(*client) bool { return true }
	m.badCheck = pickClient(any)
	m.noRef = pickClient(any)
	m.dup = pickClient(any)
	m.noCode = pickClient(any)
	m.codeDup = pickClient(any)
}

// writeTracking writes TyoMatka_seuranta.xlsx: Asiakkaat and Muunto, both
// streamed.
func (g *generator) writeTracking(ctx context.Context) error {
	path := filepath.Join(g.o.Dir, TrackingFile)
	w, err := newWorkbook(tracking.ClientsSheet)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := w.f.NewSheet(tracking.CodesSheet); err != nil {
		return fmt.Errorf("create %s: %w", path, w.fail(err))
	}
	if err := g.writeClients(ctx, w, path); err != nil {
		return fmt.Errorf("write %s: %w", path, w.fail(err))
	}
	if err := g.writeCodes(ctx, w, path); err != nil {
		return fmt.Errorf("write %s: %w", path, w.fail(err))
	}
	if err := w.save(path, propsTime(g.o.Last)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	g.stats.Files = append(g.stats.Files, FileStat{Path: path, Rows: g.stats.ClientRows + g.stats.CodeRows})
	return nil
}

func (g *generator) writeClients(ctx context.Context, w *workbook, path string) error {
	sw, err := w.f.NewStreamWriter(tracking.ClientsSheet)
	if err != nil {
		return err
	}
	if err := setWidths(sw, 15, 20, 14, 12, 12, 13, 12, 13, 14, 18, 12); err != nil {
		return err
	}
	header := make([]any, len(ClientHeader))
	for i, h := range ClientHeader {
		header[i] = excelize.Cell{StyleID: w.boldStyle, Value: h}
	}
	if err := sw.SetRow("A1", []any{"TyöMatka-palvelu: asiakkaiden seuranta (synteettinen testiaineisto)"}); err != nil {
		return err
	}
	if err := sw.SetRow(cell(1, clientHeaderRow), header); err != nil {
		return err
	}
	numWidth := max(3, len(strconv.Itoa(g.o.Clients+1)))
	vals := make([]any, len(ClientHeader))
	row := clientHeaderRow
	for i := range g.clients {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		g.clientRow(vals, i, w, numWidth)
		row++
		if err := sw.SetRow(cell(1, row), vals); err != nil {
			return err
		}
	}
	g.stats.ClientRows = len(g.clients)
	if g.o.Messy {
		// The same person again, referred anew later, under a new client number.
		d := g.messy.dup
		g.seed(saltWorkbook, uint64(len(g.clients)))
		clear(vals)
		p := &g.persons[d]
		vals[colHetu], vals[colName] = string(p.hetu[:]), p.name()
		ref := g.clients[d].ref.AddDays(30 + g.rnd.IntN(60))
		ref = minDate(ref, g.o.Last.Last())
		vals[colNumber] = clientNumber(ref, len(g.clients)+1, numWidth)
		vals[colMuni] = municipalities[p.muni].Name
		vals[colRef] = excelize.Cell{StyleID: w.dateStyle, Value: excelSerial(ref)}
		row++
		if err := sw.SetRow(cell(1, row), vals); err != nil {
			return err
		}
		g.stats.ClientRows++
		first := clientHeaderRow + 1
		g.stats.Problems = append(g.stats.Problems,
			Problem{ProblemHetuInvalid, path, tracking.ClientsSheet, first + g.messy.badCheck},
			Problem{ProblemReferralMissing, path, tracking.ClientsSheet, first + g.messy.noRef},
			Problem{ProblemClientDuplicate, path, tracking.ClientsSheet, row},
			Problem{ProblemCodeMissing, path, tracking.ClientsSheet, first + g.messy.noCode},
			Problem{ProblemDateOrder, path, tracking.ClientsSheet, first + g.messy.infoBefore},
			Problem{ProblemEmploymentType, path, tracking.ClientsSheet, first + g.messy.noType},
			Problem{ProblemDateInvalid, path, tracking.ClientsSheet, first + g.messy.twoDigit},
			Problem{ProblemDateFuture, path, tracking.ClientsSheet, first + g.messy.future},
		)
	}
	return sw.Flush()
}

// clientRow fills vals with client i's row.
func (g *generator) clientRow(vals []any, i int, w *workbook, numWidth int) {
	g.seed(saltWorkbook, uint64(i))
	r := g.rnd
	clear(vals)
	p, c := &g.persons[i], &g.clients[i]
	h := p.hetu
	if g.o.Messy && i == g.messy.badCheck {
		h[10] = checkChars[(indexByte(checkChars, h[10])+1+r.IntN(30))%31]
	}
	vals[colHetu] = string(h[:])
	vals[colName] = p.name()
	vals[colNumber] = clientNumber(c.ref, i+1, numWidth)
	mu := municipalities[p.muni]
	switch x := r.IntN(100); {
	case x < 75:
		vals[colMuni] = mu.Name
	case x < 90:
		vals[colMuni] = mu.Code
	case x < 95:
		n, _ := strconv.Atoi(mu.Code) // a numeric cell 98 is code 098
		vals[colMuni] = n
	}
	date := func(d civil.Date) any {
		if d.IsZero() {
			return nil
		}
		switch x := r.IntN(100); {
		case x < 85:
			return excelize.Cell{StyleID: w.dateStyle, Value: excelSerial(d)}
		case x < 95:
			return fmt.Sprintf("%d.%d.%d", d.Day, int(d.Month), d.Year)
		default:
			return d.String()
		}
	}
	if !(g.o.Messy && i == g.messy.noRef) {
		vals[colRef] = date(c.ref)
	}
	vals[colInfo] = date(c.info)
	if g.o.Messy && i == g.messy.twoDigit {
		vals[colInfo] = fmt.Sprintf("%d.%d.%02d", c.info.Day, int(c.info.Month), c.info.Year%100)
	}
	vals[colStart] = date(c.start)
	vals[colEnd] = date(c.end)
	vals[colEmp] = date(c.emp)
	if c.typ != "" {
		vals[colType] = c.typ
	}
	if p.refAccrued != none {
		switch x := r.IntN(100); {
		case x < 10:
		case x < 15: // recorded from another source, far off Kela's figure
			vals[colDays] = int(p.refAccrued) + 40 + r.IntN(160)
		default:
			d := max(0, int(p.refAccrued)+r.IntN(31)-15)
			if r.IntN(100) < 5 {
				vals[colDays] = strconv.Itoa(d) // a number stored as text
			} else {
				vals[colDays] = d
			}
		}
	}
}

func (g *generator) writeCodes(ctx context.Context, w *workbook, path string) error {
	sw, err := w.f.NewStreamWriter(tracking.CodesSheet)
	if err != nil {
		return err
	}
	if err := setWidths(sw, 15, 15); err != nil {
		return err
	}
	if err := sw.SetRow(cell(1, codeHeaderRow), []any{
		excelize.Cell{StyleID: w.boldStyle, Value: CodeHeader[0]},
		excelize.Cell{StyleID: w.boldStyle, Value: CodeHeader[1]},
	}); err != nil {
		return err
	}
	width := max(4, len(strconv.Itoa(g.o.Clients+1)))
	vals := make([]any, 2)
	row := codeHeaderRow
	for i := range g.clients {
		if i%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if g.o.Messy && i == g.messy.noCode {
			continue
		}
		vals[0], vals[1] = string(g.persons[i].hetu[:]), clientCode(i+1, width)
		row++
		if err := sw.SetRow(cell(1, row), vals); err != nil {
			return err
		}
		g.stats.CodeRows++
	}
	if g.o.Messy {
		// The person already has a code; a second one makes both ambiguous.
		vals[0], vals[1] = string(g.persons[g.messy.codeDup].hetu[:]), clientCode(len(g.clients)+1, width)
		row++
		if err := sw.SetRow(cell(1, row), vals); err != nil {
			return err
		}
		g.stats.CodeRows++
		g.stats.Problems = append(g.stats.Problems, Problem{ProblemCodeDuplicate, path, tracking.CodesSheet, row})
	}
	return sw.Flush()
}

// ClientCode returns the provider-facing code of the n-th client (1-based)
// of a workbook with the given number of clients: TM-0001 … TM-0060, wider
// when there are more than 9 999 clients.
func ClientCode(n, clients int) string {
	return clientCode(n, max(4, len(strconv.Itoa(clients+1))))
}

func clientCode(n, width int) string { return fmt.Sprintf("TM-%0*d", width, n) }

// clientNumber is yymm of the referral followed by a running number, as the
// employment services system numbers clients.
func clientNumber(ref civil.Date, n, width int) string {
	return fmt.Sprintf("%02d%02d%0*d", ref.Year%100, int(ref.Month), width, n)
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return 0
}

func minDate(a, b civil.Date) civil.Date {
	if a.After(b) {
		return b
	}
	return a
}
