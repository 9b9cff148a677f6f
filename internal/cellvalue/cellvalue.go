// Package cellvalue parses the cell values of SPEC §2.3: dates, numbers,
// billing months, as Finnish users and Kela's exports write them.
//
// The parsers run on every cell of inputs that can reach a million rows, so
// their success paths do not allocate (ParseNumber allocates only what
// decimal.Decimal itself needs).
//
// Error messages quote the value only when it cannot be an identity code or a
// name (see show): a date or number column may hold either by mistake, and no
// identity code or name may ever reach a log line or a report.
package cellvalue

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/period"
)

const (
	minYear = 1000 // a "four-digit year" below 1000 has a leading zero: a typo
	maxYear = 9999

	// maxSerial1900 is 31.12.9999, the last date Excel can show.
	maxSerial1900 = 2958465
	// maxSerial1904 is the same day in the 1904 system, which starts 1462 days later.
	maxSerial1904 = maxSerial1900 - 1462

	// maxNumberLen bounds number text in bytes: no amount or day count comes
	// near it, and it keeps a pathological cell from building a huge decimal.
	maxNumberLen = 64

	// maxShown bounds how much of a value an error message may quote.
	maxShown = 40
)

// ErrEmpty is wrapped by every parser's error for blank input, so callers can
// tell a missing value from a malformed one.
var ErrEmpty = errors.New("empty value")

var (
	// epoch1900 is day 0 of serials 1-59: serial 1 is 1.1.1900.
	epoch1900 = civil.Date{Year: 1899, Month: time.December, Day: 31}
	// epoch1900Leap is day 0 of serials from 61 on. Excel (after Lotus 1-2-3)
	// counts a 29.2.1900 that never existed as serial 60, so later serials are
	// one day ahead of a plain count from 31.12.1899.
	epoch1900Leap = civil.Date{Year: 1899, Month: time.December, Day: 30}
	// epoch1904 is serial 0 of the 1904 date system (old Mac workbooks).
	epoch1904 = civil.Date{Year: 1904, Month: time.January, Day: 1}
)

const (
	wantDate      = "want d.m.yyyy or yyyy-mm-dd"
	wantDateYear  = "want d.m.yyyy or yyyy-mm-dd with a four-digit year"
	wantMonth     = "want yyyy-mm, m/yyyy, m.yyyy or a date"
	wantMonthYear = "want yyyy-mm, m/yyyy, m.yyyy or a date, with a four-digit year"
	wantMonthNum  = "want a month from 1 to 12"
	wantYearRange = "want a year from 1000 to 9999"
	notCalendar   = "not a calendar date"
	wantNumber    = "want digits with ',' or '.' as the decimal separator and spaces between thousands"
	twoSeparators = "more than one ',' or '.': only a space may separate thousands"
)

// ParseDate parses date text: d.m.yyyy, dd.mm.yyyy, yyyy-mm-dd, or an ISO
// date-time whose time and zone are ignored (the written date counts).
// Two-digit years are an error.
//
// A time of day may follow the date after 'T' or a space ("2026-03-02T23:30:00+02:00",
// "2026-03-02 10:00", "2.3.2026 10.00"); it must look like a time, but only
// the date is kept: 23:30 on 2.3. in UTC+2 is still 2.3.
func ParseDate(s string) (civil.Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return civil.Date{}, fmt.Errorf("date: %w", ErrEmpty)
	}
	d, reason := parseDate(s)
	if reason != "" {
		return civil.Date{}, invalid("date", s, reason)
	}
	return d, nil
}

// parseDate returns the date, or why s is not one.
func parseDate(s string) (civil.Date, string) {
	var y, m, d int
	var rest string
	if len(s) >= 5 && s[4] == '-' && isDigits(s[:4]) {
		// yyyy-mm-dd, exactly as ISO 8601 writes it.
		if len(s) < 10 || s[7] != '-' || !isDigits(s[5:7]) || !isDigits(s[8:10]) {
			return civil.Date{}, wantDate
		}
		y, m, d = atoi(s[:4]), atoi(s[5:7]), atoi(s[8:10])
		rest = s[10:]
	} else {
		// d.m.yyyy with one- or two-digit day and month.
		var i int
		var ok bool
		if d, i, ok = digitsAt(s, 0, 1, 2); !ok || i >= len(s) || s[i] != '.' {
			return civil.Date{}, wantDate
		}
		if m, i, ok = digitsAt(s, i+1, 1, 2); !ok || i >= len(s) || s[i] != '.' {
			return civil.Date{}, wantDate
		}
		start := i + 1
		end := start
		for end < len(s) && isDigit(s[end]) {
			end++
		}
		switch end - start {
		case 4:
		case 2:
			return civil.Date{}, wantDateYear
		default:
			return civil.Date{}, wantDate
		}
		y = atoi(s[start:end])
		rest = s[end:]
	}
	if rest != "" && !isTimeSuffix(rest) {
		return civil.Date{}, wantDate
	}
	if y < minYear {
		return civil.Date{}, wantYearRange
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return civil.Date{}, notCalendar
	}
	return civil.Date{Year: y, Month: time.Month(m), Day: d}, ""
}

// daysIn returns the length of a month. civil.Date.IsValid would do, but it
// round-trips through time.Time, a third of the parse time.
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// isTimeSuffix reports whether rest, what follows a date, is a time of day:
// 'T' or a space, h:mm or hh:mm (or h.mm, as Finnish writes it), optional
// seconds and fraction, and an optional zone Z, ±hh, ±hhmm or ±hh:mm.
func isTimeSuffix(rest string) bool {
	if rest[0] != 'T' && rest[0] != 't' && rest[0] != ' ' {
		return false
	}
	h, i, ok := digitsAt(rest, 1, 1, 2)
	if !ok || h > 24 || i >= len(rest) || (rest[i] != ':' && rest[i] != '.') {
		return false
	}
	sep := rest[i]
	var mi int
	if mi, i, ok = digitsAt(rest, i+1, 2, 2); !ok || mi > 59 {
		return false
	}
	if i < len(rest) && rest[i] == sep {
		var sec int
		if sec, i, ok = digitsAt(rest, i+1, 2, 2); !ok || sec > 60 {
			return false
		}
		if i < len(rest) && (rest[i] == '.' || rest[i] == ',') {
			j := i + 1
			for j < len(rest) && isDigit(rest[j]) {
				j++
			}
			if j == i+1 {
				return false
			}
			i = j
		}
	}
	if i == len(rest) {
		return true
	}
	switch rest[i] {
	case 'Z', 'z':
		return i+1 == len(rest)
	case '+', '-':
		// ±hh, ±hhmm or ±hh:mm
		zone := rest[i+1:]
		if len(zone) < 2 || !isDigits(zone[:2]) || atoi(zone[:2]) > 14 {
			return false
		}
		zone = strings.TrimPrefix(zone[2:], ":")
		if zone == "" {
			return !strings.HasSuffix(rest, ":")
		}
		return len(zone) == 2 && isDigits(zone) && atoi(zone) <= 59
	}
	return false
}

// DateFromSerial converts an Excel date serial as stored in the sheet XML
// (e.g. "46023" or "46023.5"; the fraction is a time of day and is ignored)
// in the 1900 or the 1904 date system.
//
// In the 1900 system serial 1 is 1.1.1900 and serial 60 is Excel's fictitious
// 29.2.1900, which is rejected; serial 0 (a bare time of day) is not a date
// either. In the 1904 system serial 0 is 1.1.1904. Dates after 31.12.9999,
// negative serials and anything that is not a plain number are rejected.
func DateFromSerial(raw string, date1904 bool) (civil.Date, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return civil.Date{}, fmt.Errorf("date serial: %w", ErrEmpty)
	}
	// ParseFloat alone would also take "NaN", "Inf", hex and underscores.
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c), c == '.', c == 'e', c == 'E', c == '+', c == '-':
		default:
			return civil.Date{}, invalid("date serial", s, "want a number")
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return civil.Date{}, invalid("date serial", s, "want a number")
	}
	if f < 0 {
		return civil.Date{}, invalid("date serial", s, "negative serials are not dates")
	}
	n := math.Floor(f)
	if date1904 {
		if n > maxSerial1904 {
			return civil.Date{}, invalid("date serial", s, "after 31.12.9999")
		}
		return epoch1904.AddDays(int(n)), nil
	}
	switch {
	case n > maxSerial1900:
		return civil.Date{}, invalid("date serial", s, "after 31.12.9999")
	case n < 1:
		return civil.Date{}, invalid("date serial", s, "serial 0 is a time of day without a date")
	case n < 60:
		return epoch1900.AddDays(int(n)), nil
	case n == 60:
		return civil.Date{}, invalid("date serial", s, "serial 60 is Excel's 29.2.1900, a day that did not exist")
	}
	return epoch1900Leap.AddDays(int(n)), nil
}

// IsDateFormat reports whether a number format — a built-in format id, or a
// custom format code when id >= 164 — displays a date.
//
// Built-in ids 14-22, 27-36, 45-47 and 50-58 are Excel's date and time
// formats (27-36 and 50-58 are the East-Asian ones); the time-only ones count
// too, since their cells are serials all the same and DateFromSerial rejects a
// bare time of day (serial below 1). A custom code is a date
// when its first section (the one positive numbers use) has a day or year
// token, or a month token that is not minutes (no hour, second or [h]
// elapsed-time token) in a code without digit placeholders. Quoted text,
// backslash escapes, [..] colour, locale and condition sections and AM/PM are
// skipped, so `0.0 "m"` and `[Red]0.00` are not dates while
// `[$-40B]d.m.yyyy;@` is.
//
// A code for an id below 164 that is not a built-in one (some writers number
// their own formats low) is examined like a custom code.
func IsDateFormat(numFmtID int, code string) bool {
	switch {
	case numFmtID >= 14 && numFmtID <= 22, numFmtID >= 27 && numFmtID <= 36,
		numFmtID >= 45 && numFmtID <= 47, numFmtID >= 50 && numFmtID <= 58:
		return true
	case numFmtID >= 0 && numFmtID < 164 && isBuiltinFormat(numFmtID):
		return false
	}
	return isDateCode(code)
}

// isBuiltinFormat reports whether id is one of the built-in formats every
// Excel knows (ECMA-376 Part 1, 18.8.30), East-Asian ones included.
func isBuiltinFormat(id int) bool {
	return id >= 0 && id <= 4 || id >= 9 && id <= 22 || id >= 27 && id <= 40 || id >= 45 && id <= 58
}

// isDateCode examines the first section of a custom format code.
func isDateCode(code string) bool {
	var hasD, hasY, hasM, hasH, hasS, hasDigit bool
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case ';':
			break scan
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				break scan
			}
			i += j + 1
		case '\\', '_', '*':
			// An escaped character, a padding width or a fill character.
			i++
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				break scan
			}
			switch elapsedUnit(code[i+1 : i+1+j]) {
			case 'h', 'm':
				hasH = true // [mm]:ss counts elapsed minutes, never months
			case 's':
				hasS = true
			}
			i += j + 1
		case 'A', 'a':
			if hasPrefixFold(code[i:], "AM/PM") {
				i += len("AM/PM") - 1
			} else if hasPrefixFold(code[i:], "A/P") {
				i += len("A/P") - 1
			}
		case 'd', 'D':
			hasD = true
		case 'y', 'Y':
			hasY = true
		case 'm', 'M':
			hasM = true
		case 'h', 'H':
			hasH = true
		case 's', 'S':
			hasS = true
		case '0', '#', '?':
			hasDigit = true
		}
	}
	if hasD || hasY {
		return true
	}
	return hasM && !hasH && !hasS && !hasDigit
}

// elapsedUnit returns 'h', 'm' or 's' when a bracketed section such as [h]
// or [mm] counts elapsed time, and 0 for colours, locales and conditions.
func elapsedUnit(e string) byte {
	if e == "" {
		return 0
	}
	u := e[0] | 0x20 // ASCII lower case
	if u != 'h' && u != 'm' && u != 's' {
		return 0
	}
	for i := 1; i < len(e); i++ {
		if e[i]|0x20 != u {
			return 0
		}
	}
	return u
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// ParseNumber parses number text: ',' or '.' decimal separator; space,
// no-break space or narrow no-break space as thousands separator; optional €;
// minus as '-' or '−'. Nothing else is a thousands separator.
//
// The € may stand before or after the number, with or without a space; a sign
// ('-', '−' or '+') may stand before the number or the €. A thousands
// separator must stand between two digits of the integer part; where the
// groups fall is not checked. "1.234,56" and "1,234.56" are errors: with '.'
// and ',' both decimal separators, either reading would be a guess.
func ParseNumber(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return decimal.Decimal{}, fmt.Errorf("number: %w", ErrEmpty)
	}
	if len(s) > maxNumberLen {
		return decimal.Decimal{}, invalid("number", s, "too long")
	}
	d, reason := parseNumber(s)
	if reason != "" {
		return decimal.Decimal{}, invalid("number", s, reason)
	}
	return d, nil
}

func parseNumber(s string) (decimal.Decimal, string) {
	i, j := 0, len(s)
	neg, signed, euro := false, false, false
	for {
		if n, minus := signAt(s[i:]); n > 0 && !signed {
			signed, neg = true, minus
			i = skipSpaces(s, i+n)
			continue
		}
		if strings.HasPrefix(s[i:], "€") && !euro {
			euro = true
			i = skipSpaces(s, i+len("€"))
			continue
		}
		break
	}
	if !euro && strings.HasSuffix(s[i:], "€") {
		j = trimSpacesRight(s, j-len("€"))
	}
	if i >= j {
		return decimal.Decimal{}, wantNumber
	}

	var digits [maxNumberLen]byte
	nd := 0    // significant digits, leading zeros dropped
	scale := 0 // digits after the decimal separator
	sep, anyDigit := false, false
	for p := i; p < j; {
		c := s[p]
		switch {
		case isDigit(c):
			if nd > 0 || c != '0' {
				digits[nd] = c
				nd++
			}
			if sep {
				scale++
			}
			anyDigit = true
			p++
		case c == '.' || c == ',':
			if sep {
				return decimal.Decimal{}, twoSeparators
			}
			sep = true
			p++
		default:
			n := spaceLen(s[p:])
			// A thousands separator stands between two digits of the integer part.
			if n == 0 || sep || p == i || !isDigit(s[p-1]) || p+n >= j || !isDigit(s[p+n]) {
				return decimal.Decimal{}, wantNumber
			}
			p += n
		}
	}
	if !anyDigit || (sep && scale == 0) {
		return decimal.Decimal{}, wantNumber
	}
	if nd == 0 {
		return decimal.Zero, ""
	}
	exp := int32(-scale)
	if nd <= 18 {
		var m int64
		for _, c := range digits[:nd] {
			m = m*10 + int64(c-'0')
		}
		if neg {
			m = -m
		}
		return decimal.New(m, exp), ""
	}
	b, ok := new(big.Int).SetString(string(digits[:nd]), 10)
	if !ok {
		return decimal.Decimal{}, wantNumber
	}
	if neg {
		b.Neg(b)
	}
	return decimal.NewFromBigInt(b, exp), ""
}

// signAt returns the byte length of a sign at the start of s and whether it
// is a minus.
func signAt(s string) (n int, minus bool) {
	switch {
	case strings.HasPrefix(s, "-"):
		return 1, true
	case strings.HasPrefix(s, "+"):
		return 1, false
	case strings.HasPrefix(s, "−"): // U+2212 MINUS SIGN
		return len("−"), true
	}
	return 0, false
}

// spaceLen returns the byte length of a thousands separator at the start of s:
// a space, U+00A0 NO-BREAK SPACE or U+202F NARROW NO-BREAK SPACE, which is what
// Finnish locale settings put between thousands.
func spaceLen(s string) int {
	switch {
	case strings.HasPrefix(s, " "):
		return 1
	case strings.HasPrefix(s, "\u00a0"):
		return len("\u00a0")
	case strings.HasPrefix(s, "\u202f"):
		return len("\u202f")
	}
	return 0
}

func skipSpaces(s string, i int) int {
	for i < len(s) {
		n := spaceLen(s[i:])
		if n == 0 {
			break
		}
		i += n
	}
	return i
}

func trimSpacesRight(s string, j int) int {
	for j > 0 {
		switch {
		case s[j-1] == ' ':
			j--
		case strings.HasSuffix(s[:j], "\u00a0"):
			j -= len("\u00a0")
		case strings.HasSuffix(s[:j], "\u202f"):
			j -= len("\u202f")
		default:
			return j
		}
	}
	return j
}

// ParseMonth parses a billing month written as text: yyyy-mm, m/yyyy,
// m.yyyy (one- or two-digit month), or any date form of ParseDate.
//
// Only text comes here: a number cell holding 10.2026 has lost how it was
// written (10.2026 and 10.20260 are the same number) and is the caller's
// error to report.
func ParseMonth(s string) (period.Month, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return period.Month{}, fmt.Errorf("month: %w", ErrEmpty)
	}
	m, reason := parseMonth(s)
	if reason != "" {
		return period.Month{}, invalid("month", s, reason)
	}
	return m, nil
}

func parseMonth(s string) (period.Month, string) {
	var y, m int
	switch {
	case len(s) == 7 && s[4] == '-' && isDigits(s[:4]) && isDigits(s[5:]):
		y, m = atoi(s[:4]), atoi(s[5:])
	case monthSep(s) > 0:
		i := monthSep(s)
		switch len(s) - i - 1 {
		case 4:
		case 2:
			return period.Month{}, wantMonthYear
		default:
			return period.Month{}, wantMonth
		}
		m, y = atoi(s[:i]), atoi(s[i+1:])
	default:
		d, reason := parseDate(s)
		switch reason {
		case "":
			return period.Of(d), ""
		case wantDateYear:
			return period.Month{}, wantMonthYear
		case wantDate:
			return period.Month{}, wantMonth
		}
		return period.Month{}, reason
	}
	if m < 1 || m > 12 {
		return period.Month{}, wantMonthNum
	}
	if y < minYear {
		return period.Month{}, wantYearRange
	}
	return period.Month{Year: y, Month: time.Month(m)}, ""
}

// monthSep returns the index of the separator of m/yyyy or m.yyyy (one or
// two month digits, then only digits), or 0 when s is not of that shape.
func monthSep(s string) int {
	for i := 1; i <= 2 && i < len(s); i++ {
		if s[i] == '/' || s[i] == '.' {
			if isDigits(s[:i]) && i+1 < len(s) && isDigits(s[i+1:]) {
				return i
			}
			return 0
		}
	}
	return 0
}

// invalid builds a parse error. The value is quoted only when show allows.
func invalid(kind, s, reason string) error {
	return fmt.Errorf("%s %s: %s", kind, show(s), reason)
}

// Quotable reports whether a cell's text may be repeated in an error
// message or a report: at most maxShown bytes of digits, spaces and the
// punctuation of dates and numbers (no letters), at most 8 digits in all (an
// identity code has 9 or 10), and no run of six digits (spaces ignored, as
// identity-code normalisation ignores them) followed by anything but a
// decimal comma. A name or an identity code — valid or mistyped, with any
// dash — never is. Findings and errors quote a value only when Quotable
// allows, and describe it otherwise.
func Quotable(s string) bool {
	if s == "" || len(s) > maxShown {
		return false
	}
	digits, run := 0, 0 // run: consecutive digits, spaces ignored
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			run++
			if digits > 8 {
				return false
			}
			continue
		case r == ' ' || r == '\u00a0' || r == '\u202f':
			continue
		case !strings.ContainsRune(".,/:-+−€", r):
			return false
		case run >= 6 && r != ',':
			return false
		}
		run = 0
	}
	return true
}

// show quotes s for an error message when Quotable allows; anything else is
// described, not quoted.
func show(s string) string {
	if !Quotable(s) {
		return "(value not shown)"
	}
	return strconv.Quote(s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a short run of ASCII digits that the caller has checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// digitsAt reads min to max digits of s from i and returns their value and
// the index after them.
func digitsAt(s string, i, min, max int) (v, next int, ok bool) {
	j := i
	for j < len(s) && j-i < max && isDigit(s[j]) {
		j++
	}
	if j-i < min {
		return 0, i, false
	}
	// A longer run of digits than max is not this field.
	if j < len(s) && isDigit(s[j]) {
		return 0, i, false
	}
	return atoi(s[i:j]), j, true
}
