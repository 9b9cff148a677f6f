package hetu_test

import (
	"errors"
	"testing"

	"tyomatka/internal/hetu"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want hetu.Code
		err  error
	}{
		{"050190-907J", "", hetu.ErrCheck},
		{" 050190 -907h ", "050190-907H", nil},
		{"010101A9002", "", hetu.ErrCheck},
		{"", "", hetu.ErrEmpty},
		{"   ", "", hetu.ErrEmpty},
		{"050190-90", "", hetu.ErrFormat},
		{"0501X0-907H", "", hetu.ErrFormat},
		{"050190Q907H", "", hetu.ErrCentury},
		{"310290-907H", "", hetu.ErrDate}, // 31 February
		{"290200A900" + string(hetu.CheckChar("290200900")), "290200A900" + hetu.Code(hetu.CheckChar("290200900")), nil}, // 2000 is a leap year
		{"290201A900" + string(hetu.CheckChar("290201900")), "", hetu.ErrDate},                                           // 2001 is not
		{"290200-900" + string(hetu.CheckChar("290200900")), "", hetu.ErrDate},                                           // nor is 1900
		{"290200A000" + string(hetu.CheckChar("290200000")), "", hetu.ErrIndividual},
		{"290200A001" + string(hetu.CheckChar("290200001")), "", hetu.ErrIndividual},
		{"290200A002" + string(hetu.CheckChar("290200002")), "290200A002" + hetu.Code(hetu.CheckChar("290200002")), nil},
	}
	for _, sign := range "+-YXWVUABCDEF" {
		code := "010190" + string(sign) + "999" + string(hetu.CheckChar("010190999"))
		tests = append(tests, struct {
			in   string
			want hetu.Code
			err  error
		}{code, hetu.Code(code), nil})
	}
	for _, tt := range tests {
		got, err := hetu.Parse(tt.in)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestCheckCharTable(t *testing.T) {
	// 050190907 mod 31 = 16 → 'H' (the spec example's first client).
	if got := hetu.CheckChar("050190907"); got != 'H' {
		t.Fatalf("CheckChar = %c, want H", got)
	}
}

func TestCentury(t *testing.T) {
	for sign, want := range map[byte]int{'+': 1800, '-': 1900, 'U': 1900, 'Y': 1900, 'A': 2000, 'F': 2000} {
		if got, ok := hetu.Century(sign); !ok || got != want {
			t.Errorf("Century(%c) = %d, %v", sign, got, ok)
		}
	}
	if _, ok := hetu.Century('G'); ok {
		t.Error("Century(G) accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"050190-907H", " 050190 -907h ", "", "310290-907H", "010101A900X", "ääääääääääää"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := hetu.Parse(s)
		if err != nil {
			return
		}
		if len(c) != 11 || hetu.Normalize(string(c)) != string(c) {
			t.Fatalf("Parse(%q) = %q: not normalised", s, c)
		}
		if _, err := hetu.Parse(string(c)); err != nil {
			t.Fatalf("Parse(Parse(%q)) failed: %v", s, err)
		}
		_ = c.Birthdate()
	})
}

// TestResembles: anything that may be an identity code, valid or
// mistyped, anywhere in a value; client codes and short client numbers are
// not.
func TestResembles(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"050190-907H", true},
		{" 050190 -907h ", true},
		{"050190-907X", true}, // wrong check character: still personal data
		{"TM 050190A907H", true},
		{"311299Y9999", true},
		{"010190\u2013901R", true}, // en dash
		{"010190\u2212901R", true}, // minus sign
		{"010190901R", true},       // century sign left out, right check letter
		{"251100001", false},       // a client number: year, month, running number
		{"2511000012", false},      // ten plain digits
		{"251100001X", false},      // nine digits and a wrong check letter
		{"010190-901", true},       // check character left out
		{"050190-90H", false},      // too few digits
		{"01.01.1990-901R", true},  // a date with the year in full
		{"TM-0042", false},
		{"TM-202401-0042", false}, // 20/24 is no day and month
		{"2602001", false},
		{"12345678901", false}, // 12/34 is no day and month
		{"Lahti", false},
		{"398", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := hetu.Resembles(tt.in); got != tt.want {
			t.Errorf("Resembles(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
