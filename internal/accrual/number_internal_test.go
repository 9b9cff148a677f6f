package accrual

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"tyomatka/internal/sheet"
)

// TestNumberMatchesCell: number builds exactly the decimal (coefficient and
// exponent, hence every later sum and string) that sheet.Cell.Number builds,
// for stored numbers and for text, or refuses a value with more than 19
// significant digits.
func TestNumberMatchesCell(t *testing.T) {
	inputs := []string{
		"0", "-0", "0.00", "-0.00", "1", "20", "239", "1023", "1024", "999999", "007", "-5",
		"230", "230.00", "141.4", "-12.50", "0.5", ".5", "5.", "-", "", " 5", "5 ", "+5",
		"1.5E-2", "1e3", "12,50", "1 234,56", "1234,56 €", "−3", "123456789012345678",
		"1234567890123456789", "12345678901234567.8", "1.2.3", "--1", "abc", "0x10",
		"9999999999999999999", "0.0000000000000000001", "-1.000000000000000000",
		"1.0000000000000000000", "1.000000000000000000000", "12345678901234567890E-1",
		"0.00000000000000000000", "123456789012345678.9", "1234567890123456789.0", "1E19",
	}
	for _, kind := range []sheet.Kind{sheet.Number, sheet.Text, sheet.Bool} {
		for _, s := range inputs {
			t.Run(kind.String()+"/"+s, func(t *testing.T) {
				c := sheet.Cell{Value: s, Kind: kind}
				want, wantErr := c.Number()
				checkNumber(t, c, want, wantErr)
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
		checkNumber(t, c, want, wantErr)
	})
}

// checkNumber compares number(c) with c.Number()'s want and wantErr.
func checkNumber(t *testing.T, c sheet.Cell, want decimal.Decimal, wantErr error) {
	t.Helper()
	a, err := number(c)
	if wantErr != nil {
		if err == nil {
			t.Fatalf("%q: %v, want error %v", c.Value, a.decimal(), wantErr)
		}
		return
	}
	digits := want.NumDigits() + max(0, int(want.Exponent())) // of the whole number
	if want.IsZero() {
		digits = 1
	}
	if digits > 19 || want.Exponent() < -19 {
		if !errors.Is(err, errTooManyDigits) {
			t.Fatalf("%q: error %v, want errTooManyDigits", c.Value, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%q: error %v", c.Value, err)
	}
	got := a.decimal()
	if want.Exponent() > 0 { // 1E3: an amount keeps it as 1000
		want = decimal.NewFromBigInt(want.BigInt(), 0)
	}
	if got.Coefficient().Cmp(want.Coefficient()) != 0 || got.Exponent() != want.Exponent() {
		t.Fatalf("%q: got %s (exp %d), want %s (exp %d)", c.Value, got, got.Exponent(), want, want.Exponent())
	}
	if f, wf := a.float64(), want.InexactFloat64(); f != wf {
		t.Fatalf("%q: float %v, want %v", c.Value, f, wf)
	}
}
