package accrual

import (
	"testing"

	"tyomatka/internal/sheet"
)

// TestNumberMatchesCell: the fast number parser builds exactly the decimal
// (coefficient and exponent, hence every later sum and string) that
// sheet.Cell.Number builds, for stored numbers and for text.
func TestNumberMatchesCell(t *testing.T) {
	inputs := []string{
		"0", "-0", "0.00", "-0.00", "1", "20", "239", "1023", "1024", "999999", "007", "-5",
		"230", "230.00", "141.4", "-12.50", "0.5", ".5", "5.", "-", "", " 5", "5 ", "+5",
		"1.5E-2", "1e3", "12,50", "1 234,56", "1234,56 €", "−3", "123456789012345678",
		"1234567890123456789", "12345678901234567.8", "1.2.3", "--1", "abc", "0x10",
	}
	var nc numberCache
	for _, kind := range []sheet.Kind{sheet.Number, sheet.Text, sheet.Bool} {
		for _, s := range inputs {
			t.Run(kind.String()+"/"+s, func(t *testing.T) {
				c := sheet.Cell{Value: s, Kind: kind}
				want, wantErr := c.Number()
				for range 2 { // the second call hits the small-number cache
					got, err := nc.number(c)
					if (err != nil) != (wantErr != nil) {
						t.Fatalf("error %v, want %v", err, wantErr)
					}
					if err != nil {
						continue
					}
					if got.Coefficient().Cmp(want.Coefficient()) != 0 || got.Exponent() != want.Exponent() {
						t.Errorf("got %s (exp %d), want %s (exp %d)", got, got.Exponent(), want, want.Exponent())
					}
				}
			})
		}
	}
}

func FuzzNumberMatchesCell(f *testing.F) {
	for _, s := range []string{"230.00", "141.4", "-12.50", "7", "1.5E-2", "1 234,56 €"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, number bool) {
		kind := sheet.Text
		if number {
			kind = sheet.Number
		}
		c := sheet.Cell{Value: s, Kind: kind}
		want, wantErr := c.Number()
		var nc numberCache
		got, err := nc.number(c)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, want %v", s, err, wantErr)
		}
		if err == nil && (got.Coefficient().Cmp(want.Coefficient()) != 0 || got.Exponent() != want.Exponent()) {
			t.Fatalf("%q: got %s (exp %d), want %s (exp %d)", s, got, got.Exponent(), want, want.Exponent())
		}
	})
}
