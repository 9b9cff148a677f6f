package cellvalue_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/cellvalue"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
)

func date(y int, m time.Month, d int) civil.Date { return civil.Date{Year: y, Month: m, Day: d} }

// syntheticCode builds an identity code with a temporary (900-999) individual
// number, so it can never be a real person's.
func syntheticCode(ddmmyy string, sign byte, individual string) string {
	return ddmmyy + string(sign) + individual + string(hetu.CheckChar(ddmmyy+individual))
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want civil.Date
	}{
		{"3.5.2026", date(2026, 5, 3)},
		{"03.05.2026", date(2026, 5, 3)},
		{"3.05.2026", date(2026, 5, 3)},
		{"03.5.2026", date(2026, 5, 3)},
		{"  3.5.2026 ", date(2026, 5, 3)},
		{"\u00a03.5.2026\t", date(2026, 5, 3)},
		{"29.2.2024", date(2024, 2, 29)},
		{"31.12.9999", date(9999, 12, 31)},
		{"1.1.1000", date(1000, 1, 1)},
		{"2026-03-02", date(2026, 3, 2)},
		{"2024-02-29", date(2024, 2, 29)},
		{"2026-03-02T10:00:00", date(2026, 3, 2)},
		{"2026-03-02T10:00", date(2026, 3, 2)},
		{"2026-03-02t10:00", date(2026, 3, 2)},
		// The written date counts, whatever the zone: 23:30+02:00 is 21:30 UTC
		// on the same day, 00:30-05:00 is 05:30 UTC, but 2.3. is what was written.
		{"2026-03-02T23:30:00+02:00", date(2026, 3, 2)},
		{"2026-03-02T00:30:00-05:00", date(2026, 3, 2)},
		{"2026-03-02T23:30:00Z", date(2026, 3, 2)},
		{"2026-03-02T23:30:00.123Z", date(2026, 3, 2)},
		{"2026-03-02T23:30:00,5+0200", date(2026, 3, 2)},
		{"2026-03-02T23:30+02", date(2026, 3, 2)},
		{"2026-03-02 10:00", date(2026, 3, 2)},
		{"2026-03-02 10:00:59", date(2026, 3, 2)},
		{"2.3.2026 10.00", date(2026, 3, 2)},
		{"2.3.2026 9:05:00", date(2026, 3, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseDate(tt.in)
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateInvalid(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string // the whole message, or "" to check only that it fails
	}{
		{"3.5.26", `date "3.5.26": want d.m.yyyy or yyyy-mm-dd with a four-digit year`},
		{"03.05.26", `date "03.05.26": want d.m.yyyy or yyyy-mm-dd with a four-digit year`},
		{"31.2.2026", `date "31.2.2026": not a calendar date`},
		{"29.2.2025", `date "29.2.2025": not a calendar date`},
		{"2026-02-29", `date "2026-02-29": not a calendar date`},
		{"0999-01-01", `date "0999-01-01": want a year from 1000 to 9999`},
		{"1.1.0999", `date "1.1.0999": want a year from 1000 to 9999`},
		{"3.5.026", `date "3.5.026": want d.m.yyyy or yyyy-mm-dd`},
		{"3.5.20260", ""},
		{"31.4.2026", ""},
		{"0.5.2026", ""},
		{"32.1.2026", ""},
		{"1.13.2026", ""},
		{"1.0.2026", ""},
		{"003.5.2026", ""},
		{"3.005.2026", ""},
		{"3..2026", ""},
		{"3.5.2026.", ""},
		{"3.5.", ""},
		{"2026-3-2", ""},
		{"2026-03-2", ""},
		{"26-03-02", ""},
		{"2026/03/02", ""},
		{"3/5/2026", ""},
		{"2026-03-02x", ""},
		{"2026-03-02T", ""},
		{"2026-03-02 10", ""},
		{"2026-03-02T25:00", ""},
		{"2026-03-02T10:60", ""},
		{"2026-03-02T10:0", ""},
		{"2026-03-02T100:00", ""},
		{"2026-03-02T10:00:61", ""},
		{"2026-03-02T10:00:00.", ""},
		{"2026-03-02T10:00+15:00", ""},
		{"2026-03-02T10:00+02:", ""},
		{"2026-03-02T10:00+02:000", ""},
		{"2026-03-02T10:00ZZ", ""},
		{"2026-03-02T10:00 +02:00", ""},
		{"1.1.2026 klo 10", ""},
		{"46023", ""},
		{"2026", ""},
		{"abc", ""},
		{"x3.5.2026", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseDate(tt.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, got)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("ParseDate(%q) error = %q, want %q", tt.in, err, tt.wantErr)
			}
			if errors.Is(err, cellvalue.ErrEmpty) {
				t.Errorf("ParseDate(%q) error %v is ErrEmpty", tt.in, err)
			}
		})
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "  ", "\u00a0\t"} {
		t.Run(fmt.Sprintf("%q", in), func(t *testing.T) {
			_, errDate := cellvalue.ParseDate(in)
			_, errNum := cellvalue.ParseNumber(in)
			_, errMonth := cellvalue.ParseMonth(in)
			_, errSerial := cellvalue.DateFromSerial(in, false)
			for _, err := range []error{errDate, errNum, errMonth, errSerial} {
				if !errors.Is(err, cellvalue.ErrEmpty) {
					t.Errorf("error %v, want ErrEmpty", err)
				}
			}
		})
	}
}

func TestDateFromSerial(t *testing.T) {
	tests := []struct {
		raw      string
		date1904 bool
		want     civil.Date
	}{
		{"1", false, date(1900, 1, 1)},
		{"59", false, date(1900, 2, 28)},
		{"61", false, date(1900, 3, 1)},
		{"25569", false, date(1970, 1, 1)},
		{"46023", false, date(2026, 1, 1)},
		{"46023.5", false, date(2026, 1, 1)},
		{"46023.999988426", false, date(2026, 1, 1)},
		{"4.6023E4", false, date(2026, 1, 1)},
		{" 46023 ", false, date(2026, 1, 1)},
		{"46082", false, date(2026, 3, 1)},
		{"2958465", false, date(9999, 12, 31)},
		{"2958465.9", false, date(9999, 12, 31)},
		{"0", true, date(1904, 1, 1)},
		{"0.25", true, date(1904, 1, 1)},
		{"1", true, date(1904, 1, 2)},
		{"59", true, date(1904, 2, 29)},
		{"60", true, date(1904, 3, 1)},
		{"44561", true, date(2026, 1, 1)},
		{"2957003", true, date(9999, 12, 31)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/1904=%v", tt.raw, tt.date1904), func(t *testing.T) {
			got, err := cellvalue.DateFromSerial(tt.raw, tt.date1904)
			if err != nil {
				t.Fatalf("DateFromSerial(%q, %v): %v", tt.raw, tt.date1904, err)
			}
			if got != tt.want {
				t.Errorf("DateFromSerial(%q, %v) = %v, want %v", tt.raw, tt.date1904, got, tt.want)
			}
		})
	}
}

func TestDateFromSerialInvalid(t *testing.T) {
	tests := []struct {
		raw      string
		date1904 bool
	}{
		{"0", false},    // 0.1.1900: a bare time of day
		{"0.5", false},  // 12:00 without a date
		{"60", false},   // 29.2.1900 never existed
		{"60.5", false}, // nor did its noon
		{"-1", false},
		{"-0.5", false},
		{"-1", true},
		{"-0.5", true},
		{"2958466", false},
		{"2957004", true},
		{"1e400", false},
		{"1e300", false},
		{"NaN", false},
		{"Inf", false},
		{"+Inf", true},
		{"0x1p4", false},
		{"1_000", false},
		{"46 023", false},
		{"46023,5", false},
		{"abc", false},
		{".", false},
		{"1e", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/1904=%v", tt.raw, tt.date1904), func(t *testing.T) {
			got, err := cellvalue.DateFromSerial(tt.raw, tt.date1904)
			if err == nil {
				t.Fatalf("DateFromSerial(%q, %v) = %v, want an error", tt.raw, tt.date1904, got)
			}
		})
	}
}

// TestDateFromSerialMatchesExcelize checks the arithmetic against excelize's
// own conversion over the whole range, except serial 60 of the 1900 system,
// which excelize maps to 28.2.1900 instead of rejecting.
func TestDateFromSerialMatchesExcelize(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		for serial := 0; serial <= 2958465; serial += 997 {
			for _, n := range []int{serial, serial + 1, 59, 61, 1462, 2957003, 2958465} {
				if !date1904 && n == 60 {
					continue
				}
				got, err := cellvalue.DateFromSerial(fmt.Sprint(n), date1904)
				if err != nil {
					continue // out of range for this system; covered above
				}
				tm, err := excelize.ExcelDateToTime(float64(n)+0.75, date1904)
				if err != nil {
					t.Fatalf("excelize %d: %v", n, err)
				}
				if want := civil.DateOf(tm); got != want {
					t.Fatalf("DateFromSerial(%d, %v) = %v, excelize says %v", n, date1904, got, want)
				}
			}
		}
	}
}

func TestIsDateFormat(t *testing.T) {
	tests := []struct {
		id   int
		code string
		want bool
	}{
		{0, "", false},     // General
		{1, "", false},     // 0
		{2, "", false},     // 0.00
		{4, "", false},     // #,##0.00
		{9, "", false},     // 0%
		{13, "", false},    // # ??/??
		{14, "", true},     // mm-dd-yy, the locale's short date
		{15, "", true},     // d-mmm-yy
		{17, "", true},     // mmm-yy
		{22, "", true},     // m/d/yy h:mm
		{23, "", false},    // not built in
		{27, "", true},     // East-Asian date
		{36, "", true},     // East-Asian date
		{37, "", false},    // #,##0 ;(#,##0)
		{45, "", true},     // mm:ss
		{47, "", true},     // mmss.0
		{48, "", false},    // ##0.0E+0
		{49, "", false},    // @
		{50, "", true},     // East-Asian date
		{58, "", true},     // East-Asian date
		{59, "", false},    // Thai number
		{14, "0.00", true}, // a built-in id keeps its meaning
		{2, "d.m.yyyy", false},
		{164, "d.m.yyyy", true},
		{164, "dd.mm.yyyy", true},
		{164, "D.M.YYYY", true},
		{164, "yyyy-mm-dd", true},
		{164, "[$-40B]d.m.yyyy;@", true},
		{164, "[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", true},
		{164, "mm-dd-yy", true},
		{164, "mmm yyyy", true},
		{164, "mmmm", true},
		{164, "m", true},
		{164, "d.m.yyyy h:mm", true},
		{164, "[Red]d.m.yyyy", true},
		{164, "h:mm", false},
		{164, "h:mm:ss", false},
		{164, "hh:mm AM/PM", false},
		{164, "h:mm a/p", false},
		{164, "[h]:mm", false},
		{164, "[h]:mm:ss", false},
		{164, "[mm]:ss", false},
		{164, "mm:ss", false},
		{164, "mm:ss.0", false},
		{164, "0.00", false},
		{164, "#,##0.00 \"€\"", false},
		{164, "#,##0.00\\ \"€\";[Red]\\-#,##0.00\\ \"€\"", false},
		{164, "0.0 \"m\"", false},
		{164, "0.0\\m", false},
		{164, "0.0 m", false},
		{164, "0 \"days\"", false},
		{164, "\"yyyy\"0", false},
		{164, "_-* #,##0.00\\ _€_-;\\-* #,##0.00\\ _€_-;_-* \"-\"??\\ _€_-;_-@_-", false},
		{164, "[<=9999999]###-####;(###) ###-####", false},
		{164, "[Red][<0]0.00;0.00", false},
		{164, "@", false},
		{164, "General", false},
		{164, "", false},
		{164, "0.00;d.m.yyyy", false}, // only the first section shows positive numbers
		{164, "\"unterminated", false},
		{164, "[unterminated", false},
		{100, "d.m.yyyy", true}, // an unknown low id is judged by its code
		{100, "0.00", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%s", tt.id, tt.code), func(t *testing.T) {
			if got := cellvalue.IsDateFormat(tt.id, tt.code); got != tt.want {
				t.Errorf("IsDateFormat(%d, %q) = %v, want %v", tt.id, tt.code, got, tt.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0", "0"},
		{"42", "42"},
		{"007", "7"},
		{"1234,56", "1234.56"},
		{"1234.56", "1234.56"},
		{"1,234", "1.234"}, // ',' is a decimal separator, never thousands
		{"1.234", "1.234"},
		{",5", "0.5"},
		{".5", "0.5"},
		{"0,10", "0.1"},
		{"1 234,56", "1234.56"},
		{"1\u00a0234,56", "1234.56"},
		{"1\u202f234,56", "1234.56"},
		{"12 345 678.9", "12345678.9"},
		{"1 23 4", "1234"}, // grouping placement is not checked
		{"-12,5", "-12.5"},
		{"−12,5", "-12.5"},
		{"+12,5", "12.5"},
		{"- 12,5", "-12.5"},
		{"-0", "0"},
		{"0,00", "0"},
		{"12 €", "12"},
		{"12€", "12"},
		{"12\u00a0€", "12"},
		{"€12", "12"},
		{"€ 12", "12"},
		{"-12,50 €", "-12.5"},
		{"−1 234,56 €", "-1234.56"},
		{"€-12", "-12"},
		{"€ −12", "-12"},
		{"-€12", "-12"},
		{"  1 234,56 €  ", "1234.56"},
		{"123456789012345678", "123456789012345678"},
		{"1234567890123456789012345,123456789", "1234567890123456789012345.123456789"},
		{"-1234567890123456789012345", "-1234567890123456789012345"},
		{"0,000000000000000000000001", "0.000000000000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseNumber(tt.in)
			if err != nil {
				t.Fatalf("ParseNumber(%q): %v", tt.in, err)
			}
			if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
				t.Errorf("ParseNumber(%q) = %v, want %v", tt.in, got, want)
			}
		})
	}
}

// TestParseNumberExact shows the result is an exact decimal, not a float.
func TestParseNumberExact(t *testing.T) {
	a, errA := cellvalue.ParseNumber("0,1")
	b, errB := cellvalue.ParseNumber("0,2")
	c, errC := cellvalue.ParseNumber("0,3")
	if err := errors.Join(errA, errB, errC); err != nil {
		t.Fatal(err)
	}
	if got := a.Add(b); !got.Equal(c) {
		t.Errorf("0,1 + 0,2 = %v, want exactly 0.3", got)
	}
}

func TestParseNumberInvalid(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"1.234,56", `number "1.234,56": more than one ',' or '.': only a space may separate thousands`},
		{"1,234.56", `number "1,234.56": more than one ',' or '.': only a space may separate thousands`},
		{"1.234.567", ""},
		{"1,234,567", ""},
		{"1'234", ""},
		{"1_234", ""},
		{"5,", `number "5,": want digits with ',' or '.' as the decimal separator and spaces between thousands`},
		{"5.", ""},
		{",", ""},
		{".", ""},
		{"-", ""},
		{"−", ""},
		{"+", ""},
		{"€", ""},
		{"- €", ""},
		{"--5", ""},
		{"+-5", ""},
		{"-−5", ""},
		{"5-", ""},
		{"€-€5", ""},
		{"€5€", ""},
		{"5 € €", ""},
		{"€ €5", ""},
		{"1  234", ""},     // one separator between digits
		{"1 ,5", ""},       // a separator stands between digits
		{"1, 5", ""},       // and only in the integer part
		{"1,5 0", ""},      // likewise
		{"1\t234", ""},     // a tab is not a thousands separator
		{"1\u2009234", ""}, // nor a thin space
		{"1e3", ""},
		{"1E-3", ""},
		{"0x10", ""},
		{"12 EUR", ""},
		{"(12)", ""},
		{"12%", ""},
		{"abc", ""},
		{"NaN", ""},
		{"Inf", ""},
		{strings.Repeat("1", 65), "number (value not shown): too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseNumber(tt.in)
			if err == nil {
				t.Fatalf("ParseNumber(%q) = %v, want an error", tt.in, got)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("ParseNumber(%q) error = %q, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestParseMonth(t *testing.T) {
	tests := []struct {
		in   string
		want period.Month
	}{
		{"2026-10", period.Month{Year: 2026, Month: time.October}},
		{"2026-01", period.Month{Year: 2026, Month: time.January}},
		{"10/2026", period.Month{Year: 2026, Month: time.October}},
		{"1/2026", period.Month{Year: 2026, Month: time.January}},
		{"01/2026", period.Month{Year: 2026, Month: time.January}},
		{"10.2026", period.Month{Year: 2026, Month: time.October}},
		{"1.2026", period.Month{Year: 2026, Month: time.January}},
		{"01.2026", period.Month{Year: 2026, Month: time.January}},
		{"12.2026", period.Month{Year: 2026, Month: time.December}},
		{" 10/2026 ", period.Month{Year: 2026, Month: time.October}},
		{"15.10.2026", period.Month{Year: 2026, Month: time.October}},
		{"1.10.2026", period.Month{Year: 2026, Month: time.October}},
		{"2026-10-31", period.Month{Year: 2026, Month: time.October}},
		{"2026-10-31T23:30:00+02:00", period.Month{Year: 2026, Month: time.October}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseMonth(tt.in)
			if err != nil {
				t.Fatalf("ParseMonth(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseMonth(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseMonthInvalid(t *testing.T) {
	tests := []struct {
		in      string
		wantErr string
	}{
		{"10/26", `month "10/26": want yyyy-mm, m/yyyy, m.yyyy or a date, with a four-digit year`},
		{"10.26", `month "10.26": want yyyy-mm, m/yyyy, m.yyyy or a date, with a four-digit year`},
		{"1.10.26", `month "1.10.26": want yyyy-mm, m/yyyy, m.yyyy or a date, with a four-digit year`},
		{"13/2026", `month "13/2026": want a month from 1 to 12`},
		{"13.2026", `month "13.2026": want a month from 1 to 12`},
		{"0/2026", `month "0/2026": want a month from 1 to 12`},
		{"2026-13", `month "2026-13": want a month from 1 to 12`},
		{"2026-00", `month "2026-00": want a month from 1 to 12`},
		{"10/0999", `month "10/0999": want a year from 1000 to 9999`},
		{"31.2.2026", `month "31.2.2026": not a calendar date`},
		{"2026-1", `month "2026-1": want yyyy-mm, m/yyyy, m.yyyy or a date`},
		{"2026/10", ""},
		{"2026.10", ""},
		{"010/2026", ""},
		{"10/20260", ""},
		{"10-2026", ""},
		{"10 / 2026", ""},
		{"10/", ""},
		{"/2026", ""},
		{"10", ""},
		{"2026", ""},
		{"lokakuu 2026", ""},
		{"46296", ""}, // a date serial written as text
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := cellvalue.ParseMonth(tt.in)
			if err == nil {
				t.Fatalf("ParseMonth(%q) = %v, want an error", tt.in, got)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("ParseMonth(%q) error = %q, want %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

// TestErrorsHideIdentityCodesAndNames: a date, number or month column may
// hold an identity code or a name by mistake, and parse errors end up in logs
// and reports, so no error may repeat such a value.
func TestErrorsHideIdentityCodesAndNames(t *testing.T) {
	codes := []string{
		syntheticCode("010190", '-', "900"),
		syntheticCode("311299", '+', "901"),
		syntheticCode("150705", 'A', "950"),
		syntheticCode("020304", 'Y', "999"),
	}
	var values []string
	for _, c := range codes {
		if !hetu.Valid(c) {
			t.Fatalf("test code %s is not valid", c)
		}
		values = append(values, c, strings.ToLower(c), " "+c+" ", c[:6]+" "+c[6:])
	}
	values = append(values, "Testi Henkilö", "testi")
	parsers := map[string]func(string) error{
		"ParseDate":      func(s string) error { _, err := cellvalue.ParseDate(s); return err },
		"ParseNumber":    func(s string) error { _, err := cellvalue.ParseNumber(s); return err },
		"ParseMonth":     func(s string) error { _, err := cellvalue.ParseMonth(s); return err },
		"DateFromSerial": func(s string) error { _, err := cellvalue.DateFromSerial(s, false); return err },
	}
	for name, parse := range parsers {
		for _, v := range values {
			t.Run(name+"/"+v, func(t *testing.T) {
				err := parse(v)
				if err == nil {
					t.Fatalf("%s(%q) succeeded", name, v)
				}
				msg := err.Error()
				head := strings.TrimSpace(v)
				head = head[:min(len(head), 6)]
				if strings.Contains(msg, strings.TrimSpace(v)) || strings.Contains(msg, head) {
					t.Errorf("%s(%q) error %q repeats the value", name, v, msg)
				}
				if !strings.Contains(msg, "(value not shown)") {
					t.Errorf("%s(%q) error %q does not say the value is withheld", name, v, msg)
				}
			})
		}
	}
}

// TestQuotable: dates and numbers as typed may be quoted; nothing that could
// be a name or an identity code, however mistyped, may.
func TestQuotable(t *testing.T) {
	for _, s := range []string{"3.5.26", "31.2.2026", "2026-13", "13/2026", "1.234,56", "1 073", "150,00 €", "−45,00", "123456,78", "10.2026"} {
		if !cellvalue.Quotable(s) {
			t.Errorf("Quotable(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "Virtanen Ville", "avoin", "131052308T", "131052−308T", "131052.308T", "131052 308T",
		"010199:900T", "010199-9001", "010199+900A", "0101999001", "010199 - 900", "2026-03-02T10:00:00Z",
		"1234567.89", strings.Repeat("1", 41),
	} {
		if cellvalue.Quotable(s) {
			t.Errorf("Quotable(%q) = true, want false", s)
		}
	}
}
