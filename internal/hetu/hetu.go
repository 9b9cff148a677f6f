// Package hetu validates Finnish personal identity codes (henkilötunnus),
// including the century letters in use since 1.1.2023 (SPEC §2.3).
//
// Identity codes never leave the tracking workbook: they are held in memory
// only while a run reconciles, and everything stored or written uses the
// pseudonymous key of package pseudonym instead. Errors therefore never quote
// the code they reject.
package hetu

import (
	"errors"
	"strings"
	"time"
)

// Code is a normalised, validated identity code such as "050190-907H" (a temporary code: individual number 907).
type Code string

// checkChars indexes the check character by (DDMMYYZZZ mod 31).
const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Errors returned by Parse. They say what is wrong without repeating the code.
var (
	ErrEmpty      = errors.New("identity code is blank")
	ErrFormat     = errors.New("identity code is not of the form DDMMYYCZZZQ")
	ErrCentury    = errors.New("identity code has an unknown century sign")
	ErrDate       = errors.New("identity code's date part is not a real date")
	ErrIndividual = errors.New("identity code's individual number is 000 or 001")
	ErrCheck      = errors.New("identity code's check character does not match")
)

// Normalize trims, upper-cases and removes inner white space, as the spec
// asks before validation (" 050190 -907h " → "050190-907H").
func Normalize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '\u202f', '\u2007', '\u2009':
			continue
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Resembles reports whether s may hold an identity code, valid or mistyped:
// a mistyped identity code is personal data all the same. Columns that
// travel to the reports (client code, client number, municipality) are
// screened with it. It finds, at the start of a run of digits, a possible
// day and month and then
//
//   - the date's year, a century sign or any dash, and three digits:
//     "010190-901R", "010190–901R", "010190A901", a wrong check character;
//   - nine digits and the right check letter, the sign left out:
//     "010190901R";
//   - the date written with dots and the year in full: "01.01.1990-901R".
//
// Nine or ten plain digits are not enough: client numbers look like that
// ("251100001": year, month and a running number).
func Resembles(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			digits++
		}
	}
	if digits < 9 {
		return false // the common case, without allocating
	}
	t := loose(s)
	for i := 0; i+9 <= len(t); i++ {
		if i > 0 && isDigit(t[i-1]) || !allDigits(t[i:i+2]) || !possibleDayMonth(t[i:]) {
			continue
		}
		switch {
		case allDigits(t[i+2:i+6]) && signAt(t, i+6) && i+10 <= len(t) && allDigits(t[i+7:i+10]):
			return true
		case allDigits(t[i+2:i+9]) && i+10 <= len(t) && !isDigit(t[i+9]) && t[i+9] == CheckChar(t[i:i+9]):
			return true
		case i+15 <= len(t) && t[i+2] == '.' && allDigits(t[i+3:i+5]) && t[i+5] == '.' && allDigits(t[i+6:i+10]) &&
			signAt(t, i+10) && allDigits(t[i+11:i+14]):
			return true
		}
	}
	return false
}

// loose is Normalize with every dash written as '-'.
func loose(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u2010' && r <= '\u2015' || r == '\u2212' {
			return '-'
		}
		return r
	}, Normalize(s))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// signAt reports whether t[i] can stand between the date and the
// individual number: a century sign or a dash.
func signAt(t string, i int) bool {
	if i >= len(t) {
		return false
	}
	_, ok := Century(t[i])
	return ok
}

// possibleDayMonth reports whether s starts with a day (01–31) and a
// month (01–12), written DDMM or DD.MM.
func possibleDayMonth(s string) bool {
	day := int(s[0]-'0')*10 + int(s[1]-'0')
	m := s[2:]
	if m[0] == '.' {
		m = m[1:]
	}
	if len(m) < 2 || !allDigits(m[:2]) {
		return false
	}
	month := int(m[0]-'0')*10 + int(m[1]-'0')
	return day >= 1 && day <= 31 && month >= 1 && month <= 12
}

// isPlain reports whether s is already normalised ASCII (the common case: no
// allocation).
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x80 || (c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// Century returns the century (1800, 1900, 2000) a sign stands for.
func Century(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// Parse normalises and validates s.
func Parse(s string) (Code, error) {
	s = Normalize(s)
	if s == "" {
		return "", ErrEmpty
	}
	if len(s) != 11 {
		return "", ErrFormat
	}
	for _, i := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return "", ErrFormat
		}
	}
	century, ok := Century(s[6])
	if !ok {
		return "", ErrCentury
	}
	day, month, year := num(s[0:2]), num(s[2:4]), century+num(s[4:6])
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return "", ErrDate
	}
	if ind := num(s[7:10]); ind < 2 {
		return "", ErrIndividual
	}
	if CheckChar(s[0:6]+s[7:10]) != s[10] {
		return "", ErrCheck
	}
	return Code(s), nil
}

// Valid reports whether s is a valid identity code after normalisation.
func Valid(s string) bool { _, err := Parse(s); return err == nil }

// CheckChar returns the check character of the nine digits DDMMYYZZZ.
func CheckChar(nineDigits string) byte { return checkChars[num(nineDigits)%31] }

// Birthdate returns the date of birth encoded in a valid code.
func (c Code) Birthdate() time.Time {
	century, _ := Century(c[6])
	return time.Date(century+num(string(c[4:6])), time.Month(num(string(c[2:4]))), num(string(c[0:2])), 0, 0, 0, 0, time.UTC)
}

// Temporary reports whether the code's individual number is 900–999, the
// range for temporary codes that all synthetic data uses.
func (c Code) Temporary() bool { return num(string(c[7:10])) >= 900 }

func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
