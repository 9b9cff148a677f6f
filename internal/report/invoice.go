package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/billing"
)

// Sheet names of the invoice basis.
const (
	SheetSummary  = "Yhteenveto"
	SheetLines    = "Laskurivit"
	SheetApproval = "Hyväksyntä"
)

// Cells of the Hyväksyntä sheet. A later run reads them back (ReadApproval)
// to seal or release the period, so they must never move.
const (
	ApprovalRunIDCell    = "B2" // written by the job
	ApprovalPeriodCell   = "B3" // written by the job, yyyy-mm
	ApprovalApproverCell = "B4" // finance: approver's name
	ApprovalDateCell     = "B5" // finance: date (date cell or text d.m.yyyy)
	ApprovalDecisionCell = "B6" // finance: DecisionApproved or DecisionRejected
	ApprovalCommentCell  = "B7" // finance: free text
)

// The decisions the Päätös drop-down offers.
const (
	DecisionApproved = "Hyväksytty"
	DecisionRejected = "Hylätty"
)

// ErrApproval is wrapped by ReadApproval's errors about what finance typed.
var ErrApproval = errors.New("invalid approval")

// lineColumns are the columns of Laskurivit, in order.
var lineColumns = []string{"Rivitunnus", "Koodi", "Kunta", "Laji", "Päivä", "Kuukausi", "Määrä", "ALV %", "ALV", "Yhteensä", "Selite"}

// InvoiceBasis returns Laskutusperuste_<area>_<P>.xlsx: Yhteenveto with the
// contract, totals and a chart, Laskurivit with every line of the invoice, and
// Hyväksyntä where finance records its decision.
func InvoiceBasis(in *Input) ([]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	b, err := newBook(in, "Laskutusperuste", SheetSummary, SheetLines, SheetApproval)
	if err != nil {
		return nil, fmt.Errorf("invoice basis: %w", err)
	}
	for _, step := range []func(*Input) error{b.invoiceSummary, b.invoiceLines, b.approvalSheet} {
		if err := step(in); err != nil {
			return nil, b.fail(fmt.Errorf("invoice basis: %w", err))
		}
	}
	out, err := b.bytes()
	if err != nil {
		return nil, fmt.Errorf("invoice basis: %w", err)
	}
	return out, nil
}

// runInfo writes the label/value block every summary sheet starts with and
// returns the next free row.
func (b *book) runInfo(sheet, title string, in *Input, contract bool) (int, error) {
	if err := b.set(sheet, "A1", title, b.s.title); err != nil {
		return 0, err
	}
	c := in.Config.Contract
	rows := [][2]cell{
		{{"Alue", b.s.bold}, {in.Config.Area, 0}},
		{{"Laskutuskausi", b.s.bold}, {in.Period.String(), 0}},
		{{"Ajotunnus", b.s.bold}, {in.RunID, 0}},
		{{"Ajopäivä", b.s.bold}, {serial(in.AsOf), b.s.date}},
	}
	if contract {
		rows = append(rows,
			[2]cell{{"Sopimus", b.s.bold}, {c.Name, 0}},
			[2]cell{{"Palveluntuottaja", b.s.bold}, {c.Provider, 0}},
			[2]cell{{"Sopimuskausi", b.s.bold}, {finnishDate(c.ValidFrom) + "–" + finnishDate(c.ValidTo), 0}},
			[2]cell{{"ALV %", b.s.bold}, {c.VATPercent.InexactFloat64(), 0}},
		)
	}
	for _, n := range in.Notes {
		rows = append(rows, [2]cell{{"Huomautus", b.s.bold}, {n, 0}})
	}
	r := 3
	for _, kv := range rows {
		if err := b.setRow(sheet, 1, r, kv[0], kv[1]); err != nil {
			return 0, err
		}
		r++
	}
	return r + 1, nil
}

// sumTable writes a titled table of sums (label, Kpl, Määrä, ALV, Yhteensä)
// with a total row, and returns the first and last data row and the next
// free row.
func (b *book) sumTable(sheet string, r int, title, label string, keys []string, sums []*sum, all sum) (first, last, next int, err error) {
	if err := b.set(sheet, "A"+strconv.Itoa(r), title, b.s.bold); err != nil {
		return 0, 0, 0, err
	}
	r++
	if err := b.header(sheet, r, label, "Kpl", "Määrä €", "ALV €", "Yhteensä €"); err != nil {
		return 0, 0, 0, err
	}
	r++
	first = r
	for i, k := range keys {
		s := sums[i]
		if err := b.setRow(sheet, 1, r, cell{k, 0}, cell{s.Count, 0},
			cell{money(s.Amount), b.s.euro}, cell{money(s.VAT), b.s.euro}, cell{money(s.Gross), b.s.euro}); err != nil {
			return 0, 0, 0, err
		}
		r++
	}
	last = r - 1
	if err := b.setRow(sheet, 1, r, cell{"Yhteensä", b.s.bold}, cell{all.Count, b.s.bold},
		cell{money(all.Amount), b.s.euroBold}, cell{money(all.VAT), b.s.euroBold}, cell{money(all.Gross), b.s.euroBold}); err != nil {
		return 0, 0, 0, err
	}
	return first, last, r + 2, nil
}

func (b *book) invoiceSummary(in *Input) error {
	const sheet = SheetSummary
	top, err := b.runInfo(sheet, "Laskutusperuste", in, true)
	if err != nil {
		return err
	}
	byType, munis, byMuni, all := in.totals()
	keys, sums := typeSums(in.Lines, byType)
	first, last, r, err := b.sumTable(sheet, top, "Laskurivit lajeittain", "Laji", keys, sums, all)
	if err != nil {
		return err
	}
	msums := make([]*sum, len(munis))
	for i, m := range munis {
		msums[i] = byMuni[m]
	}
	if _, _, _, err = b.sumTable(sheet, r, "Laskurivit kunnittain", "Kunta", munis, msums, all); err != nil {
		return err
	}
	if err := b.fitColumns(sheet, top+1); err != nil {
		return err
	}
	// The title in A1 is long; it may overflow into B instead of widening A.
	if err := b.f.SetColWidth(sheet, "A", "A", 22); err != nil {
		return err
	}
	return b.f.AddChart(sheet, "H3", &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       fmt.Sprintf("%s!$C$%d", sheet, first-1),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sheet, first, last),
			Values:     fmt.Sprintf("%s!$C$%d:$C$%d", sheet, first, last),
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Laskurivit lajeittain"}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 560, Height: 320},
		YAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtEuro}},
	})
}

func (b *book) invoiceLines(in *Input) error {
	vat := in.Config.Contract.VATPercent.InexactFloat64()
	cols := make([]column, len(lineColumns))
	for i, h := range lineColumns {
		cols[i] = column{header: h}
	}
	cols[4].style = b.s.date
	cols[6].style, cols[8].style, cols[9].style = b.s.euro, b.s.euro, b.s.euro
	months := monthTexts{}
	return b.streamTable(SheetLines, cols, len(in.Lines), func(i int, row []excelize.Cell) {
		l := &in.Lines[i]
		row[0].Value = l.ID
		row[1].Value = l.ClientCode
		row[2].Value = l.Municipality
		row[3].Value = string(l.Type)
		row[4].Value = serial(l.Date)
		row[5].Value = months.of(l.Month)
		row[6].Value = money(l.Amount)
		row[7].Value = vat
		row[8].Value = money(l.VAT)
		row[9].Value = money(l.Gross)
		row[10].Value = selite(l)
	})
}

// selite is a line's description, naming the corrected line of an OIKAISU
// when the engine gave no text.
func selite(l *billing.Line) string {
	if l.Description == "" && l.Corrects != "" {
		return "Oikaisee rivin " + l.Corrects
	}
	return l.Description
}

func (b *book) approvalSheet(in *Input) error {
	const sheet = SheetApproval
	if err := b.set(sheet, "A1", "Laskutusperusteen hyväksyntä", b.s.title); err != nil {
		return err
	}
	rows := []struct {
		label, ref string
		v          any
		style      int
	}{
		{"Ajotunnus", ApprovalRunIDCell, in.RunID, 0},
		{"Laskutuskausi", ApprovalPeriodCell, in.Period.String(), 0},
		{"Hyväksyjä", ApprovalApproverCell, nil, b.s.input},
		{"Päivämäärä", ApprovalDateCell, nil, b.s.inDt},
		{"Päätös", ApprovalDecisionCell, nil, b.s.input},
		{"Kommentti", ApprovalCommentCell, nil, b.s.input},
	}
	for _, r := range rows {
		_, row, err := excelize.CellNameToCoordinates(r.ref)
		if err != nil {
			return err
		}
		if err := b.set(sheet, "A"+strconv.Itoa(row), r.label, b.s.bold); err != nil {
			return err
		}
		if r.v != nil {
			if err := b.set(sheet, r.ref, r.v, r.style); err != nil {
				return err
			}
		} else if err := b.f.SetCellStyle(sheet, r.ref, r.ref, r.style); err != nil {
			return err
		}
	}
	if err := b.set(sheet, "A9", "Täytä keltaiset solut. Hyväksytty (hyväksyjä ja päivämäärä täytettyinä) "+
		"lukitsee laskutuskauden; Hylätty vapauttaa kauden rivit laskutettaviksi uudelleen. "+
		"Botti lukee päätöksen seuraavalla ajokerralla.", 0); err != nil {
		return err
	}
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(ApprovalDecisionCell)
	if err := dv.SetDropList([]string{DecisionApproved, DecisionRejected}); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "Päätös", "Valitse Hyväksytty tai Hylätty.")
	if err := b.f.AddDataValidation(sheet, dv); err != nil {
		return err
	}
	if err := b.f.SetColWidth(sheet, "A", "A", 16); err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, "B", "B", 40)
}

// Approval is what finance recorded on the Hyväksyntä sheet.
type Approval struct {
	RunID    string // the run that wrote the workbook
	Period   string // yyyy-mm, as written by that run
	Approver string
	Date     *civil.Date // nil when blank
	Decision string      // DecisionApproved, DecisionRejected or "" when blank
	Comment  string
}

// ReadApproval reads the Hyväksyntä sheet of an invoice basis. A date is a
// date cell (any numeric value is read as a date serial: the cell is
// formatted as a date) or text d.m.yyyy or yyyy-mm-dd. A decision other than
// the drop-down's values, or an unreadable date, is an error wrapping
// ErrApproval; the fields read so far are still returned.
func ReadApproval(r io.Reader) (Approval, error) {
	var a Approval
	f, err := excelize.OpenReader(r)
	if err != nil {
		return a, fmt.Errorf("read approval: %w", err)
	}
	defer f.Close()
	if idx, err := f.GetSheetIndex(SheetApproval); err != nil || idx < 0 {
		return a, fmt.Errorf("read approval: no sheet %q", SheetApproval)
	}
	text := func(ref string) (string, error) {
		v, err := f.GetCellValue(SheetApproval, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			return "", fmt.Errorf("read approval %s!%s: %w", SheetApproval, ref, err)
		}
		return strings.TrimSpace(v), nil
	}
	for _, fld := range []struct {
		ref string
		dst *string
	}{
		{ApprovalRunIDCell, &a.RunID}, {ApprovalPeriodCell, &a.Period},
		{ApprovalApproverCell, &a.Approver}, {ApprovalCommentCell, &a.Comment},
	} {
		if *fld.dst, err = text(fld.ref); err != nil {
			return a, err
		}
	}

	decision, err := text(ApprovalDecisionCell)
	if err != nil {
		return a, err
	}
	switch {
	case decision == "":
	case strings.EqualFold(decision, DecisionApproved):
		a.Decision = DecisionApproved
	case strings.EqualFold(decision, DecisionRejected):
		a.Decision = DecisionRejected
	default:
		return a, fmt.Errorf("read approval %s!%s: %w: decision %q, want %s or %s",
			SheetApproval, ApprovalDecisionCell, ErrApproval, decision, DecisionApproved, DecisionRejected)
	}

	raw, err := text(ApprovalDateCell)
	if err != nil || raw == "" {
		return a, err
	}
	typ, err := f.GetCellType(SheetApproval, ApprovalDateCell)
	if err != nil {
		return a, fmt.Errorf("read approval %s!%s: %w", SheetApproval, ApprovalDateCell, err)
	}
	var d civil.Date
	if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset || typ == excelize.CellTypeDate {
		if n, perr := strconv.ParseFloat(raw, 64); perr == nil {
			props, err := f.GetWorkbookProps()
			if err != nil {
				return a, fmt.Errorf("read approval: %w", err)
			}
			t, err := excelize.ExcelDateToTime(n, props.Date1904 != nil && *props.Date1904)
			if err != nil {
				return a, fmt.Errorf("read approval %s!%s: %w: date serial %s: %v", SheetApproval, ApprovalDateCell, ErrApproval, raw, err)
			}
			d = civil.DateOf(t)
			a.Date = &d
			return a, nil
		}
	}
	if d, err = parseTextDate(raw); err != nil {
		return a, fmt.Errorf("read approval %s!%s: %w: %v", SheetApproval, ApprovalDateCell, ErrApproval, err)
	}
	a.Date = &d
	return a, nil
}

// parseTextDate reads d.m.yyyy, dd.mm.yyyy or yyyy-mm-dd with a four-digit year.
func parseTextDate(s string) (civil.Date, error) {
	var y, m, d string
	if p := strings.Split(s, "."); len(p) == 3 {
		d, m, y = p[0], p[1], p[2]
	} else if p := strings.Split(s, "-"); len(p) == 3 {
		y, m, d = p[0], p[1], p[2]
	}
	yi, e1 := strconv.Atoi(y)
	mi, e2 := strconv.Atoi(m)
	di, e3 := strconv.Atoi(d)
	if len(y) != 4 || len(m) > 2 || len(d) > 2 || e1 != nil || e2 != nil || e3 != nil {
		return civil.Date{}, fmt.Errorf("date %q: want d.m.yyyy", s)
	}
	date := civil.Date{Year: yi, Month: time.Month(mi), Day: di}
	if !date.IsValid() {
		return civil.Date{}, fmt.Errorf("date %q: no such day", s)
	}
	return date, nil
}
