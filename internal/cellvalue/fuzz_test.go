package cellvalue_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/cellvalue"
	"tyomatka/internal/hetu"
)

// Seed corpora beyond these live in testdata/fuzz/<FuzzName>/.

// checkHidden fails when err repeats an input that is a valid identity code.
func checkHidden(t *testing.T, in string, err error) {
	t.Helper()
	if err == nil || !hetu.Valid(in) {
		return
	}
	if code := hetu.Normalize(in); strings.Contains(strings.ToUpper(err.Error()), code[:7]) {
		t.Fatalf("error %q repeats the identity code", err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"3.5.2026", "03.05.2026", "2026-03-02", "2026-03-02T23:30:00+02:00", "3.5.26", "31.2.2026", "2026-03-02 10:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := cellvalue.ParseDate(in)
		checkHidden(t, in, err)
		if err != nil {
			return
		}
		if !d.IsValid() || d.Year < 1000 || d.Year > 9999 {
			t.Fatalf("ParseDate(%q) = %v, not a valid four-digit-year date", in, d)
		}
		// Both written forms of the result must read back as the same date.
		for _, again := range []string{
			fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day),
			fmt.Sprintf("%d.%d.%04d", d.Day, d.Month, d.Year),
		} {
			got, err := cellvalue.ParseDate(again)
			if err != nil || got != d {
				t.Fatalf("ParseDate(%q) = %v, but %q reads back as %v, %v", in, d, again, got, err)
			}
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1 234,56", "-12,50 €", "€ −1 234.5", "1.234,56", "0,1", "12\u00a0345", "+7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := cellvalue.ParseNumber(in)
		checkHidden(t, in, err)
		if err != nil {
			return
		}
		// Without its decorations the text is a plain decimal, and must say the same.
		plain := strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "", "−", "-", ",", ".").Replace(strings.TrimSpace(in))
		plain = strings.TrimPrefix(plain, "+")
		if want, err := decimal.NewFromString(plain); err != nil || !d.Equal(want) {
			t.Fatalf("ParseNumber(%q) = %v, but %q is %v, %v", in, d, plain, want, err)
		}
		// The canonical form reads back unchanged, and so does it with a comma.
		for _, again := range []string{d.String(), strings.Replace(d.String(), ".", ",", 1)} {
			got, err := cellvalue.ParseNumber(again)
			if err != nil || !got.Equal(d) {
				t.Fatalf("ParseNumber(%q) = %v, but %q reads back as %v, %v", in, d, again, got, err)
			}
		}
	})
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-10", "10/2026", "1.2026", "10.26", "13/2026", "15.10.2026", "2026-10-31T23:30:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := cellvalue.ParseMonth(in)
		checkHidden(t, in, err)
		if err != nil {
			return
		}
		if m.Month < 1 || m.Month > 12 || m.Year < 1000 || m.Year > 9999 {
			t.Fatalf("ParseMonth(%q) = %+v, out of range", in, m)
		}
		for _, again := range []string{m.String(), fmt.Sprintf("%d/%04d", m.Month, m.Year), fmt.Sprintf("%d.%04d", m.Month, m.Year)} {
			got, err := cellvalue.ParseMonth(again)
			if err != nil || got != m {
				t.Fatalf("ParseMonth(%q) = %v, but %q reads back as %v, %v", in, m, again, got, err)
			}
		}
		// A date that ParseDate accepts gives its own month.
		if d, err := cellvalue.ParseDate(in); err == nil && (d.Year != m.Year || d.Month != m.Month) {
			t.Fatalf("ParseMonth(%q) = %v, but the date is %v", in, m, d)
		}
	})
}

func FuzzDateFromSerial(f *testing.F) {
	for _, s := range []string{"46023", "46023.5", "60", "61", "0", "4.6023E4", "-1", "2958465"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, date1904 bool) {
		d, err := cellvalue.DateFromSerial(raw, date1904)
		if err != nil {
			return
		}
		if !d.IsValid() || d.Year > 9999 {
			t.Fatalf("DateFromSerial(%q, %v) = %v, not a valid date", raw, date1904, d)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			t.Fatalf("DateFromSerial(%q, %v) accepted text ParseFloat rejects: %v", raw, date1904, err)
		}
		// Count the days back: the inverse must give the whole serial.
		var serial int
		switch {
		case date1904:
			serial = d.DaysSince(civil.Date{Year: 1904, Month: 1, Day: 1})
		case d.Before(civil.Date{Year: 1900, Month: 3, Day: 1}):
			serial = d.DaysSince(civil.Date{Year: 1899, Month: 12, Day: 31})
		default:
			serial = d.DaysSince(civil.Date{Year: 1899, Month: 12, Day: 30})
		}
		if want := int(math.Floor(v)); serial != want {
			t.Fatalf("DateFromSerial(%q, %v) = %v, which is serial %d, want %d", raw, date1904, d, serial, want)
		}
	})
}
