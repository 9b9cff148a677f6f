// Package accrual reads Kela's monthly benefit-accrual lists (Kelmu exports,
// SPEC §2.2) and aggregates them per person and month as they stream in.
package accrual

import (
	"github.com/shopspring/decimal"

	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
)

// MonthTotal is one person's rows of one month, summed over benefits.
type MonthTotal struct {
	PaidDays   decimal.Decimal // Σ Maksupäivät (days paid that carry a municipal share)
	MaxAccrued decimal.Decimal // largest Kertymäpäivät
	Share      decimal.Decimal // Σ Kunnan osuus, euros (corrections may make it negative)
	Rows       int
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

// File describes one list that was read, for run-summary.json and the audit.
type File struct {
	Name   string
	SHA256 string
	Rows   int // data rows read (valid and invalid, blank rows not counted)
}

// Data is the aggregate of every list.
type Data struct {
	Persons map[hetu.Code]*Person
	Covered map[period.Month]bool // months with at least one valid row
	Invalid []finding.Finding     // ACCRUAL_ROW_INVALID, in file and row order
	Files   []File                // in name order
}
