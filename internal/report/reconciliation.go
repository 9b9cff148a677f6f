package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/finding"
)

// Sheet names of the reconciliation report (Yhteenveto is SheetSummary).
const (
	SheetFindings = "Havainnot"
	SheetAccruals = "Kertymät"
)

var findingColumns = []string{"Vakavuus", "Koodi", "Tiedosto", "Välilehti", "Rivi", "Sarake", "Asiakaskoodi", "Asiakasnumero", "Kuvaus"}

var accrualColumns = []string{"Asiakaskoodi", "Kuukausi", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus"}

// Reconciliation returns Tasmaytys_<area>_<P>.xlsx for unit heads: a count
// per finding code, every finding where it can be fixed, and the billable
// clients' accrual totals per month.
func Reconciliation(in *Input) ([]byte, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	b, err := newBook(in, "Täsmäytysraportti", SheetSummary, SheetFindings, SheetAccruals)
	if err != nil {
		return nil, fmt.Errorf("reconciliation: %w", err)
	}
	for _, step := range []func(*Input) error{b.findingSummary, b.findings, b.accruals} {
		if err := step(in); err != nil {
			return nil, b.fail(fmt.Errorf("reconciliation: %w", err))
		}
	}
	out, err := b.bytes()
	if err != nil {
		return nil, fmt.Errorf("reconciliation: %w", err)
	}
	return out, nil
}

func (b *book) findingSummary(in *Input) error {
	const sheet = SheetSummary
	r, err := b.runInfo(sheet, "Täsmäytysraportti", in, false)
	if err != nil {
		return err
	}
	top := r
	if err := b.set(sheet, fmt.Sprintf("A%d", r), "Havainnot koodeittain", b.s.bold); err != nil {
		return err
	}
	r++
	if err := b.header(sheet, r, "Koodi", "Vakavuus", "Kpl"); err != nil {
		return err
	}
	r++
	fs := in.result().Findings
	counts := finding.Count(fs)
	total := 0
	for _, c := range finding.Codes {
		if err := b.setRow(sheet, 1, r, cell{string(c), 0}, cell{finding.SeverityOf(c).Finnish(), 0}, cell{counts[c], 0}); err != nil {
			return err
		}
		total += counts[c]
		r++
	}
	if err := b.setRow(sheet, 1, r, cell{"Yhteensä", b.s.bold}, cell{"", 0}, cell{len(fs), b.s.bold}); err != nil {
		return err
	}
	if total != len(fs) {
		// A code the report does not know: the total row still counts it,
		// so the difference is visible instead of silently dropped.
		r++
		if err := b.setRow(sheet, 1, r, cell{"Muut koodit", 0}, cell{"", 0}, cell{len(fs) - total, 0}); err != nil {
			return err
		}
	}
	if err := b.fitColumns(sheet, top+1); err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, "A", "A", 24)
}

func (b *book) findings(in *Input) error {
	fs := in.result().Findings
	cols := make([]column, len(findingColumns))
	for i, h := range findingColumns {
		cols[i] = column{header: h}
	}
	cols[8] = column{header: findingColumns[8], style: b.s.wrap, wrap: true}
	return b.streamTable(SheetFindings, cols, len(fs), func(i int, row []excelize.Cell) {
		f := &fs[i]
		sev := f.Severity
		if sev == "" {
			sev = finding.SeverityOf(f.Code)
		}
		row[0].Value = sev.Finnish()
		row[1].Value = string(f.Code)
		row[2].Value = f.File
		row[3].Value = f.Sheet
		if f.Row > 0 {
			row[4].Value = f.Row
		}
		row[5].Value = f.Column
		row[6].Value = f.ClientCode
		row[7].Value = f.ClientNumber
		row[8].Value = f.Message
	})
}

func (b *book) accruals(in *Input) error {
	acc := in.result().Accruals
	cols := make([]column, len(accrualColumns))
	for i, h := range accrualColumns {
		cols[i] = column{header: h}
	}
	cols[4].style = b.s.euro
	months := monthTexts{}
	return b.streamTable(SheetAccruals, cols, len(acc), func(i int, row []excelize.Cell) {
		a := &acc[i]
		row[0].Value = a.ClientCode
		row[1].Value = months.of(a.Month)
		paid, accrued, share := a.Floats()
		row[2].Value = number(paid)
		row[3].Value = number(accrued)
		row[4].Value = share
	})
}
