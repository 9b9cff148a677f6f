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

// Resembles reports whether s holds anything shaped like an identity code
// (six digits, a century sign, three digits and a check character), valid
// or not, once white space is removed and letters upper-cased: a mistyped
// identity code is personal data all the same. Columns that travel to the
// reports (client code, client number) are screened with it.
func Resembles(s string) bool {
	n := Normalize(s)
	for i := 0; i+11 <= len(n); i++ {
		if shaped(n[i : i+11]) {
			return true
		}
	}
	return false
}

// shaped reports whether the 11 bytes of s have the form DDMMYYCZZZQ.
func shaped(s string) bool {
	for i := 0; i < 11; i++ {
		c := s[i]
		switch {
		case i < 6 || i >= 7 && i < 10:
			if c < '0' || c > '9' {
				return false
			}
		case i == 6:
			if _, ok := Century(c); !ok {
				return false
			}
		default:
			if strings.IndexByte(checkChars, c) < 0 {
				return false
			}
		}
	}
	return true
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
