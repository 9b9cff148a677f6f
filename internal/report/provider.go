package report

import (
	"fmt"
	"sort"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/billing"
	"tyomatka/internal/period"
)

// Sheet names of the provider report (Yhteenveto and Laskurivit shared with
// the invoice basis).
const (
	SheetVerification  = "Todentaminen"
	SheetEffectiveness = "Vaikuttavuus"
	SheetStatistics    = "Tilastot"
)

// StatisticsMonths is how many months up to P the Tilastot sheet covers.
const StatisticsMonths = 12

// SmallCount is shown instead of any count from 1 to smallCountLimit-1, so
// that a provider cannot single out a person from the statistics.
const (
	SmallCount      = "<5"
	smallCountLimit = 5
)

var (
	providerLineColumns = []string{"Koodi", "Laji", "Päivä", "Määrä", "ALV", "Yhteensä", "Rivitunnus", "Oikaisee"}
	verificationColumns = []string{"Koodi", "Työllistyminen", "Tila"}
	effectColumns       = []string{"Kuukausi", "Asiakkaita", "Määrä", "ALV", "Yhteensä"}
	statisticsColumns   = []string{"Kuukausi", "Ohjattu", "Infotilaisuus", "Aloittanut", "Työllistynyt", "Todennettu"}
)

// Provider returns Palveluntuottaja_<area>_<P>.xlsx. It is anonymised: no
// identity code, name, client number, municipality or Kela amount of a
// person. Clients appear only by the code the provider already knows, and
// VAIKUTTAVUUS (derived from Kela amounts) only as monthly totals.
func Provider(in *Input) ([]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	b, err := newBook(in, "Palveluntuottajan raportti",
		SheetSummary, SheetLines, SheetVerification, SheetEffectiveness, SheetStatistics)
	if err != nil {
		return nil, fmt.Errorf("provider report: %w", err)
	}
	for _, step := range []func(*Input) error{b.providerSummary, b.providerLines, b.verification, b.effectiveness, b.statistics} {
		if err := step(in); err != nil {
			return nil, b.fail(fmt.Errorf("provider report: %w", err))
		}
	}
	out, err := b.bytes()
	if err != nil {
		return nil, fmt.Errorf("provider report: %w", err)
	}
	return out, nil
}

func (b *book) providerSummary(in *Input) error {
	const sheet = SheetSummary
	r, err := b.runInfo(sheet, "Palveluntuottajan raportti", in, true)
	if err != nil {
		return err
	}
	byType, _, _, all := in.totals()
	keys, sums := typeSums(in.Lines, byType)
	if _, _, _, err := b.sumTable(sheet, r, "Laskurivit lajeittain", "Laji", keys, sums, all); err != nil {
		return err
	}
	if err := b.fitColumns(sheet, r+1); err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, "A", "A", 22)
}

// perClient reports whether a line is shown per client to the provider: the
// fixed fees, which the provider can check against its own records, and their
// corrections. VAIKUTTAVUUS and its corrections derive from a person's Kela
// amounts and count only in the monthly totals of effectiveness.
func perClient(l *billing.Line) bool {
	switch l.Type {
	case billing.Info, billing.Start, billing.Employed:
		return true
	case billing.Correction:
		// Only a correction known to correct a fixed fee: one of unknown
		// type is refused before any workbook is written (Input.check).
		switch l.CorrectsType {
		case billing.Info, billing.Start, billing.Employed:
			return true
		}
	}
	return false
}

// correctsEffectiveness reports whether an OIKAISU corrects a VAIKUTTAVUUS
// line. It reads the structured corrected type, never the Finnish Selite: a
// text that does not match (a correction whose original was released once
// had an empty type in it) must not put a Kela-derived amount on a client's
// row.
func correctsEffectiveness(l *billing.Line) bool {
	return l.Type == billing.Correction && l.CorrectsType == billing.Effectiveness
}

func (b *book) providerLines(in *Input) error {
	var lines []*billing.Line
	for i := range in.Lines {
		if perClient(&in.Lines[i]) {
			lines = append(lines, &in.Lines[i])
		}
	}
	cols := make([]column, len(providerLineColumns))
	for i, h := range providerLineColumns {
		cols[i] = column{header: h}
	}
	cols[2].style = b.s.date
	cols[3].style, cols[4].style, cols[5].style = b.s.euro, b.s.euro, b.s.euro
	return b.streamTable(SheetLines, cols, len(lines), func(i int, row []excelize.Cell) {
		l := lines[i]
		row[0].Value = l.ClientCode
		row[1].Value = string(l.Type)
		row[2].Value = serial(l.Date)
		row[3].Value = money(l.Amount)
		row[4].Value = money(l.VAT)
		row[5].Value = money(l.Gross)
		row[6].Value = l.ID
		if l.Type == billing.Correction {
			row[7].Value = l.Corrects
		}
	})
}

// verificationStatus is the Finnish Tila of a client's employment.
func verificationStatus(v billing.Verification) string {
	switch v {
	case billing.VerifyVerified:
		return "Todennettu"
	case billing.VerifyPending:
		return "Odottaa todennusta"
	case billing.VerifyRefused:
		return "Ei todennettu"
	}
	return "—"
}

func (b *book) verification(in *Input) error {
	clients := in.result().Clients
	cols := make([]column, len(verificationColumns))
	for i, h := range verificationColumns {
		cols[i] = column{header: h}
	}
	cols[1].style = b.s.date
	return b.streamTable(SheetVerification, cols, len(clients), func(i int, row []excelize.Cell) {
		c := &clients[i]
		row[0].Value = c.ClientCode
		if c.Employment != nil {
			row[1].Value = serial(*c.Employment)
		}
		row[2].Value = verificationStatus(c.Verification)
	})
}

func (b *book) effectiveness(in *Input) error {
	type month struct {
		m       period.Month
		s       sum
		clients map[string]bool
	}
	byMonth := map[int]*month{}
	for _, l := range in.Lines {
		// A VAIKUTTAVUUS correction counts in the month it is billed in
		// (its Line.Month, the invoice's period), like the lines it sits
		// beside on the invoice.
		if l.Type != billing.Effectiveness && !correctsEffectiveness(&l) {
			continue
		}
		m := byMonth[l.Month.Index()]
		if m == nil {
			m = &month{m: l.Month, clients: map[string]bool{}}
			byMonth[l.Month.Index()] = m
		}
		m.s.add(l)
		m.clients[l.Key] = true
	}
	months := make([]*month, 0, len(byMonth))
	for _, m := range byMonth {
		months = append(months, m)
	}
	sort.Slice(months, func(i, j int) bool { return months[i].m.Before(months[j].m) })
	cols := make([]column, len(effectColumns))
	for i, h := range effectColumns {
		cols[i] = column{header: h}
	}
	cols[2].style, cols[3].style, cols[4].style = b.s.euro, b.s.euro, b.s.euro
	return b.streamTable(SheetEffectiveness, cols, len(months), func(i int, row []excelize.Cell) {
		m := months[i]
		row[0].Value = m.m.String()
		// As in Tilastot: a count of 1–4 would tie the month's total to a
		// handful of people, so it is shown as <5.
		row[1].Value = smallCount(len(m.clients))
		row[2].Value = money(m.s.Amount)
		row[3].Value = money(m.s.VAT)
		row[4].Value = money(m.s.Gross)
	})
}

// smallCount hides counts that could single out a person.
func smallCount(n int) any {
	if n > 0 && n < smallCountLimit {
		return SmallCount
	}
	return n
}

func (b *book) statistics(in *Input) error {
	const sheet = SheetStatistics
	first := in.Period.Add(-(StatisticsMonths - 1))
	var counts [StatisticsMonths][5]int
	count := func(k int, d civil.Date) {
		if i := period.Of(d).Index() - first.Index(); i >= 0 && i < StatisticsMonths {
			counts[i][k]++
		}
	}
	for _, c := range in.result().Clients {
		count(0, c.Referral)
		for k, d := range []*civil.Date{c.Info, c.Start, c.Employment} {
			if d != nil {
				count(k+1, *d)
			}
		}
		if c.Verification == billing.VerifyVerified && !c.VerifiedIn.IsZero() {
			count(4, c.VerifiedIn.First())
		}
	}
	if err := b.header(sheet, 1, statisticsColumns...); err != nil {
		return err
	}
	for i := range StatisticsMonths {
		cells := []cell{{first.Add(i).String(), 0}}
		for _, n := range counts[i] {
			cells = append(cells, cell{smallCount(n), 0})
		}
		if err := b.setRow(sheet, 1, i+2, cells...); err != nil {
			return err
		}
	}
	last := fmt.Sprintf("F%d", StatisticsMonths+1)
	if err := b.f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	if err := b.set(sheet, fmt.Sprintf("A%d", StatisticsMonths+3),
		"Luvut 1–4 näytetään muodossa <5, jotta yksittäistä asiakasta ei voi tunnistaa.", 0); err != nil {
		return err
	}
	if err := b.freezeHeader(sheet, 1); err != nil {
		return err
	}
	for c, h := range statisticsColumns {
		name, _ := excelize.ColumnNumberToName(c + 1)
		if err := b.f.SetColWidth(sheet, name, name, float64(max(len([]rune(h))+filterButton+1, minColWidth+2))); err != nil {
			return err
		}
	}
	return nil
}
