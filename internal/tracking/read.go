package tracking

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"tyomatka/internal/hetu"
	"tyomatka/internal/municipality"
	"tyomatka/internal/sheet"
)

// Column positions in clientColumns.
const (
	colHetu = iota
	colName
	colClientNumber
	colMunicipality
	colReferral
	colInfo
	colStart
	colEnd
	colEmployment
	colType
	colDays
)

var hetuColumn = sheet.Column{Name: "Henkilötunnus", Aliases: []string{"Hetu", "HETU"}, Required: true}

// clientColumns are the columns of Asiakkaat (SPEC §2.1), in the order of the
// col constants. Nimi is located only so that a row holding nothing but a
// name is not mistaken for an empty one; its value is never read.
// The milestone columns, the employment type and the municipality are
// optional but bill or place lines: a run warns when one is absent (a
// renamed header would otherwise empty it without a word). The others are
// Quiet.
var clientColumns = []sheet.Column{
	colHetu:         hetuColumn,
	colName:         {Name: "Nimi", Quiet: true, Unbilled: true},
	colClientNumber: {Name: "Asiakasnumero", Quiet: true},
	colMunicipality: {Name: "Kotikunta"},
	colReferral:     {Name: "Ohjattu", Required: true},
	colInfo:         {Name: "Infotilaisuus"},
	colStart:        {Name: "Aloitus"},
	colEnd:          {Name: "Päättyminen", Quiet: true},
	colEmployment:   {Name: "Työllistyminen"},
	colType:         {Name: "Työsuhde"},
	colDays:         {Name: "Maksupäivät", Quiet: true},
}

var codeColumns = []sheet.Column{hetuColumn, {Name: "Koodi", Required: true}}

// Employment types as written, folded like headers.
var employmentTypes = map[string]EmploymentType{
	"avoin":                TypeOpen,
	"avoimet tyomarkkinat": TypeOpen,
	"palkkatuki":           TypeSubsidised,
	"palkkatuettu":         TypeSubsidised,
}

// Read reads the tracking workbook at path; name is the file name as the user
// knows it. Cell problems are kept beside the values for package billing;
// only structural problems are errors.
func Read(ctx context.Context, path, name string) (*Workbook, error) {
	b, err := sheet.Open(path, name)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	wb := &Workbook{File: name}
	if err := readClients(ctx, b, wb); err != nil {
		return nil, err
	}
	if err := readCodes(ctx, b, wb); err != nil {
		return nil, err
	}
	return wb, nil
}

func readClients(ctx context.Context, b *sheet.Book, wb *Workbook) error {
	t, err := b.Table(ctx, ClientsSheet, clientColumns)
	if err != nil {
		return err
	}
	defer t.Close()
	header := func(i int) string { return t.Columns[i].Header }
	for t.Next() {
		r := t.Row()
		wb.Rows++
		c := Client{
			Row:          r.Num,
			HetuColumn:   header(colHetu),
			ClientNumber: cellText(r.Cells[colClientNumber]),
			Referral:     dateCell(r.Cells[colReferral], header(colReferral), t.Date1904),
			Info:         dateCell(r.Cells[colInfo], header(colInfo), t.Date1904),
			Start:        dateCell(r.Cells[colStart], header(colStart), t.Date1904),
			End:          dateCell(r.Cells[colEnd], header(colEnd), t.Date1904),
			Employment:   dateCell(r.Cells[colEmployment], header(colEmployment), t.Date1904),
			TypeColumn:   header(colType),
			DaysColumn:   header(colDays),
		}
		c.Hetu, c.HetuValid = parseHetu(r.Cells[colHetu])
		c.ClientNumberColumn = header(colClientNumber)
		if hetu.Resembles(c.ClientNumber) {
			c.ClientNumber, c.ClientNumberHetu = "", true
		}
		c.MunicipalityColumn = header(colMunicipality)
		if m := cellText(r.Cells[colMunicipality]); hetu.Resembles(m) {
			c.MunicipalityHetu = true
		} else if m != "" {
			c.Municipality = municipality.Name(m)
		}
		c.TypeRaw = r.Cells[colType].Text()
		c.EmploymentType = employmentType(c.TypeRaw)
		c.DaysRaw = cellText(r.Cells[colDays])
		if c.DaysRaw != "" {
			if d, err := r.Cells[colDays].Number(); err == nil {
				c.Days, c.DaysValid = d, true
			}
		}
		wb.Clients = append(wb.Clients, c)
	}
	if err := t.Err(); err != nil {
		return located(wb.File, t.Sheet, err)
	}
	return nil
}

func readCodes(ctx context.Context, b *sheet.Book, wb *Workbook) error {
	t, err := b.Table(ctx, CodesSheet, codeColumns)
	if err != nil {
		return err
	}
	defer t.Close()
	for t.Next() {
		r := t.Row()
		wb.Rows++
		code := cellText(r.Cells[1])
		if code == "" {
			continue // a blank Koodi maps nobody (SPEC §2.1)
		}
		cr := CodeRow{Row: r.Num, HetuColumn: t.Columns[0].Header, Code: code, CodeColumn: t.Columns[1].Header}
		if hetu.Resembles(code) {
			cr.Code, cr.CodeHetu = "", true
		}
		cr.Hetu, cr.HetuValid = parseHetu(r.Cells[0])
		wb.Codes = append(wb.Codes, cr)
	}
	if err := t.Err(); err != nil {
		return located(wb.File, t.Sheet, err)
	}
	return nil
}

// located names the file and sheet of a reading error, unless the sheet
// package's error names them already.
func located(file, sheetName string, err error) error {
	if errors.Is(err, sheet.ErrDamaged) || errors.Is(err, sheet.ErrUnreadable) {
		return err
	}
	return fmt.Errorf("read %s, sheet %s: %w", file, sheetName, err)
}

// parseHetu validates an identity-code cell. The parse error is dropped on
// purpose: billing reports HETU_INVALID in Finnish, and the error must never
// travel anywhere with the code.
func parseHetu(c sheet.Cell) (hetu.Code, bool) {
	code, err := hetu.Parse(c.Value)
	return code, err == nil
}

// cellText returns a cell as text: numbers in their canonical decimal form
// (a client number or a municipality code typed as a number), anything else
// trimmed.
func cellText(c sheet.Cell) string {
	if c.Kind == sheet.Number && !c.DateFmt {
		if d, err := decimal.NewFromString(c.Text()); err == nil {
			return d.String()
		}
	}
	return c.Text()
}

// dateCell parses a date column; the column header is "" when the sheet has
// no such column.
func dateCell(c sheet.Cell, column string, date1904 bool) DateCell {
	dc := DateCell{Column: column}
	if c.Blank() {
		return dc
	}
	dc.Present = true
	dc.Raw = c.Text()
	if d, err := c.Date(date1904); err == nil {
		dc.Date, dc.Valid = d, true
		if c.Kind == sheet.Number {
			// A serial means nothing to a reader of the report; show the date.
			dc.Raw = fmt.Sprintf("%d.%d.%d", d.Day, int(d.Month), d.Year)
		}
	}
	return dc
}

func employmentType(raw string) EmploymentType {
	if raw == "" {
		return TypeNone
	}
	if t, ok := employmentTypes[sheet.Fold(raw)]; ok {
		return t
	}
	return TypeUnknown
}
