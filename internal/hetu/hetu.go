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
// screened with it.
//
// It looks for nine or more digits that belong together (only separators
// between them: dashes of any kind, +, century letters, dots, slashes, white
// space) and start with a possible day and month: "010190-901R",
// "010190–901R", "010190901R", "010190-901", "01.01.1990-901R". Like the
// rule for quoting cells (cellvalue.Quotable), it errs towards privacy: a
// long client number starting with a possible date counts too.
func Resembles(s string) bool {
	var digits []byte
	flush := func() bool {
		ok := len(digits) >= 9 && possibleDayMonth(digits)
		digits = digits[:0]
		return ok
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case strings.ContainsRune(separators, r) || r >= 'a' && r <= 'z' && strings.ContainsRune(centuryLetters, r-'a'+'A') ||
			strings.ContainsRune(centuryLetters, r):
		default:
			if flush() {
				return true
			}
		}
	}
	return flush()
}

// separators may stand between the digits of a typed identity code.
const (
	separators     = "-+\u2010\u2011\u2012\u2013\u2014\u2015\u2212./ \t\u00a0\u202f"
	centuryLetters = "ABCDEFUVWXY"
)

// possibleDayMonth reports whether digits start with a day (01–31) and a
// month (01–12).
func possibleDayMonth(d []byte) bool {
	day := int(d[0]-'0')*10 + int(d[1]-'0')
	month := int(d[2]-'0')*10 + int(d[3]-'0')
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
