// Package period holds the calendar month, the unit of billing and of Kela's
// accrual lists. Dates themselves are civil dates (cloud.google.com/go/civil):
// the bot never needs a time of day, only the date written in Europe/Helsinki.
package period

import (
	"fmt"
	"time"

	"cloud.google.com/go/civil"
)

// Month is a calendar month such as 2026-10. The zero Month is invalid.
type Month struct {
	Year  int
	Month time.Month
}

// Of returns the month a date falls in.
func Of(d civil.Date) Month { return Month{Year: d.Year, Month: d.Month} }

// Parse reads the canonical form yyyy-mm (as in --period and in configuration).
// The looser forms of Kela's lists are parsed by package cellvalue.
func Parse(s string) (Month, error) {
	var y, m int
	if len(s) != 7 || s[4] != '-' {
		return Month{}, fmt.Errorf("month %q: want yyyy-mm", s)
	}
	if _, err := fmt.Sscanf(s, "%4d-%2d", &y, &m); err != nil {
		return Month{}, fmt.Errorf("month %q: want yyyy-mm", s)
	}
	if y < 1000 || m < 1 || m > 12 {
		return Month{}, fmt.Errorf("month %q: want yyyy-mm with month 01-12", s)
	}
	return Month{Year: y, Month: time.Month(m)}, nil
}

// IsZero reports whether m is the zero Month.
func (m Month) IsZero() bool { return m.Year == 0 && m.Month == 0 }

// String returns yyyy-mm.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Index is a month count usable for arithmetic and as a compact map key.
func (m Month) Index() int { return m.Year*12 + int(m.Month) - 1 }

// FromIndex inverts Index.
func FromIndex(i int) Month { return Month{Year: i / 12, Month: time.Month(i%12 + 1)} }

// Add returns the month n months after m (n may be negative).
func (m Month) Add(n int) Month { return FromIndex(m.Index() + n) }

// Compare returns -1, 0 or +1 as m is before, equal to or after o.
func (m Month) Compare(o Month) int {
	switch a, b := m.Index(), o.Index(); {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether m is before o.
func (m Month) Before(o Month) bool { return m.Index() < o.Index() }

// After reports whether m is after o.
func (m Month) After(o Month) bool { return m.Index() > o.Index() }

// First returns the first day of m.
func (m Month) First() civil.Date { return civil.Date{Year: m.Year, Month: m.Month, Day: 1} }

// Last returns the last day of m.
func (m Month) Last() civil.Date { return m.Add(1).First().AddDays(-1) }

// MarshalText implements encoding.TextMarshaler (yyyy-mm).
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (yyyy-mm).
func (m *Month) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Today returns today's civil date in loc. The bot's D is today in
// Europe/Helsinki, not in UTC: a run at 00:30 Helsinki time on the 1st is
// already in the new month although UTC is still in the old one.
func Today(now time.Time, loc *time.Location) civil.Date { return civil.DateOf(now.In(loc)) }
