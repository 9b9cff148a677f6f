// Package accrual reads Kela's monthly benefit-accrual lists (Kelmu exports,
// SPEC §2.2) and aggregates them per person and month as they stream in.
package accrual

import (
	"slices"

	"github.com/shopspring/decimal"

	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
)

// MonthTotal is one person's rows of one month, summed over benefits.
//
// The sums are kept as amounts (amount.go): exact decimals of at most 19
// significant digits, free of pointers. A national year holds over a
// million totals; as shopspring decimals, three heap objects a value, they
// made the garbage collector the largest entry of the run's profile. The
// methods hand them out as the shopspring decimals the rules compute with.
type MonthTotal struct {
	paid       amount // Σ Maksupäivät (days paid that carry a municipal share)
	maxAccrued amount // largest Kertymäpäivät
	share      amount // Σ Kunnan osuus, euros (corrections may make it negative)
	Rows       int
}

// PaidDays is Σ Maksupäivät: the days paid in the month that carry a
// municipal share.
func (t MonthTotal) PaidDays() decimal.Decimal { return t.paid.decimal() }

// MaxAccrued is the largest Kertymäpäivät of the month.
func (t MonthTotal) MaxAccrued() decimal.Decimal { return t.maxAccrued.decimal() }

// Share is Σ Kunnan osuus in euros; corrections may make it negative.
func (t MonthTotal) Share() decimal.Decimal { return t.share.decimal() }

// Floats returns the three values as the nearest float64s, for workbook
// cells: the same numbers decimal.Decimal.InexactFloat64 gives, without
// building the decimals.
func (t MonthTotal) Floats() (paid, maxAccrued, share float64) {
	return t.paid.float64(), t.maxAccrued.float64(), t.share.float64()
}

// AddRow adds one row's values as the reader does: days and share summed,
// the largest accrued days kept. It fails, changing nothing, when a value or
// a sum needs more than 19 significant digits.
func (t *MonthTotal) AddRow(paid, accrued, share decimal.Decimal) error {
	var v [3]amount
	for i, d := range [3]decimal.Decimal{paid, accrued, share} {
		a, err := amountOf(d)
		if err != nil {
			return err
		}
		v[i] = a
	}
	_, err := t.addRow(v[0], v[1], v[2])
	return err
}

// Person is everything the lists say about one identity code.
type Person struct {
	Months map[period.Month]*MonthTotal
	// Municipality is the Kunta (codes mapped to names) of the person's latest
	// row that has one: the latest month, and within it the row read last
	// (files in name order, rows in file order). "" when no row has a Kunta.
	Municipality string
	// LatestMonth and LatestSeq locate the row Municipality came from; they make
	// the choice independent of the order concurrent readers finish in.
	LatestMonth period.Month
	LatestSeq   Seq
}

// Seq orders rows as the spec reads them: files in name order, then rows.
type Seq struct {
	File int // index of the file in name order
	Row  int // row (line) number within the file
}

// Less reports whether s was read before o.
func (s Seq) Less(o Seq) bool {
	if s.File != o.File {
		return s.File < o.File
	}
	return s.Row < o.Row
}

// Owner is the person and month of an invalid accrual row.
type Owner struct {
	Hetu  hetu.Code    // "" when the row's identity code is invalid
	Month period.Month // zero when the row's month is invalid (any month of Hetu)
}

// File describes one list that was read, for run-summary.json and the audit.
type File struct {
	Name   string
	SHA256 string
	Rows   int // data rows read (valid and invalid, blank rows not counted)
	// MonthRows counts the list's valid rows per month: one month most,
	// the list's own, and a few of earlier months Kela corrects.
	MonthRows map[period.Month]int
}

// OwnMonths are the months the list is the list of, in order: those with
// at least a quarter as many valid rows as its largest month. A list of
// one month has one; a list Kelmu exported for several months
// ("kelmu_2026-04_2026-05.csv") has each; the few rows by which a list
// corrects earlier months do not make them its own.
func (f File) OwnMonths() []period.Month {
	most := 0
	for _, k := range f.MonthRows {
		most = max(most, k)
	}
	var own []period.Month
	for m, k := range f.MonthRows {
		if 4*k >= most {
			own = append(own, m)
		}
	}
	slices.SortFunc(own, func(a, b period.Month) int { return a.Index() - b.Index() })
	return own
}

// Data is the aggregate of every list.
type Data struct {
	Persons map[hetu.Code]*Person
	Covered map[period.Month]bool // months with at least one valid row
	Invalid []finding.Finding     // ACCRUAL_ROW_INVALID, in file and row order
	// Owners[i] says whose row Invalid[i] is, as far as the row tells:
	// billing names the client in the finding and holds the lines that
	// depend on that person's month, as the row's amounts are missing from
	// it. Never written anywhere: it holds identity codes.
	Owners []Owner
	// Notes are the lists' other findings (HETU_MISPLACED: an identity code
	// in Kunta), in file and row order; their rows are read as usual.
	Notes []finding.Finding
	Files []File // in name order
}
