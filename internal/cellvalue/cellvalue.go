// Package cellvalue parses the cell values of SPEC §2.3: dates, numbers,
// billing months, as Finnish users and Kela's exports write them.
package cellvalue

import (
	"errors"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/period"
)

var errTODO = errors.New("not implemented yet")

// ParseDate parses date text: d.m.yyyy, dd.mm.yyyy, yyyy-mm-dd, or an ISO
// date-time whose time and zone are ignored (the written date counts).
// Two-digit years are an error.
func ParseDate(s string) (civil.Date, error) { return civil.Date{}, errTODO }

// DateFromSerial converts an Excel date serial as stored in the sheet XML
// (e.g. "46023" or "46023.5"; the fraction is a time of day and is ignored)
// in the 1900 or the 1904 date system.
func DateFromSerial(raw string, date1904 bool) (civil.Date, error) { return civil.Date{}, errTODO }

// IsDateFormat reports whether a number format — a built-in format id, or a
// custom format code when id >= 164 — displays a date.
func IsDateFormat(numFmtID int, code string) bool { return false }

// ParseNumber parses number text: ',' or '.' decimal separator; space,
// no-break space or narrow no-break space as thousands separator; optional €;
// minus as '-' or '−'. Nothing else is a thousands separator.
func ParseNumber(s string) (decimal.Decimal, error) { return decimal.Decimal{}, errTODO }

// ParseMonth parses a billing month written as text: yyyy-mm, m/yyyy,
// m.yyyy (one- or two-digit month), or any date form of ParseDate.
func ParseMonth(s string) (period.Month, error) { return period.Month{}, errTODO }
