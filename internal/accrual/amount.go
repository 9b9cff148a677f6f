package accrual

import (
	"errors"
	"math"
	"strconv"

	gv "github.com/govalues/decimal"
	"github.com/shopspring/decimal"
)

// amount is an exact decimal of at most 19 significant digits held by value
// (github.com/govalues/decimal): the per-person, per-month sums use it so
// that a million of them are one flat allocation the garbage collector never
// scans. Everything outside this package sees shopspring decimals.
type amount struct{ v gv.Decimal }

// errTooManyDigits is reported for a value, or a sum, that an amount cannot
// hold exactly.
var errTooManyDigits = errors.New("more than 19 significant digits")

// amountOf converts d exactly, keeping its exponent (a positive exponent,
// as in 1E3, becomes 0), or fails with errTooManyDigits.
func amountOf(d decimal.Decimal) (amount, error) {
	exp := d.Exponent()
	if exp < -gv.MaxScale {
		return amount{}, errTooManyDigits
	}
	if exp <= 0 && d.NumDigits() <= 18 {
		return newAmount(d.CoefficientInt64(), int(-exp)), nil
	}
	text, scale := d.String(), 0 // for exp > 0: whole, no fraction
	if exp < 0 {
		text, scale = d.StringFixed(-exp), int(-exp) // every digit, trailing zeros too
	}
	// Parse rounds what does not fit in 19 digits: the scale and the value
	// must both come through unchanged.
	v, err := gv.Parse(text)
	if a := (amount{v}); err == nil && v.Scale() == scale && a.decimal().Equal(d) {
		return a, nil
	}
	return amount{}, errTooManyDigits
}

// newAmount is m·10^-scale, for |m| < 10^18 and 0 ≤ scale ≤ 19.
func newAmount(m int64, scale int) amount {
	v, err := gv.New(m, scale)
	if err != nil {
		panic("accrual: amount out of range: " + err.Error()) // callers keep to the range
	}
	return amount{v}
}

// add is the exact sum a+b, with the larger of their scales (as shopspring's
// Add); it fails with errTooManyDigits rather than round.
func add(a, b amount) (amount, error) {
	s, err := a.v.AddExact(b.v, max(a.v.Scale(), b.v.Scale()))
	if err != nil {
		return amount{}, errTooManyDigits
	}
	return amount{s}, nil
}

// decimal returns a as a shopspring decimal with the same coefficient and
// exponent, so sums and strings come out as they would have there.
func (a amount) decimal() decimal.Decimal {
	c := a.v.Coef()
	if c <= math.MaxInt64 {
		m := int64(c)
		if a.v.IsNeg() {
			m = -m
		}
		return decimal.New(m, -int32(a.v.Scale()))
	}
	return decimal.RequireFromString(a.v.String())
}

// float64 is the float64 nearest to a. Both operands of the division are
// exact, so it is correctly rounded, as strconv.ParseFloat of a's digits.
func (a amount) float64() float64 {
	if c, s := a.v.Coef(), a.v.Scale(); c <= 1<<53 && s < len(pow10) {
		f := float64(c) / pow10[s]
		if a.v.IsNeg() {
			f = -f
		}
		return f
	}
	f, _ := strconv.ParseFloat(a.v.String(), 64)
	return f
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// greater reports whether a > b.
func (a amount) greater(b amount) bool { return a.v.Cmp(b.v) > 0 }
