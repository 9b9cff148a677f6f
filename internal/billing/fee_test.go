package billing_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
)

func TestEffectivenessFee(t *testing.T) {
	tests := []struct {
		name              string
		sum, actual, want string
		n                 int
	}{
		{"rounds to zero", "300", "99.99", "0.00", 3},
		{"half a cent rounds away from zero", "300", "99.85", "0.02", 3},
		{"exact division last", "100", "0", "3.33", 3},
		{"no saving", "300", "100", "0", 3},
		{"negative saving", "300", "120", "0", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := billing.EffectivenessFee(decimal.RequireFromString(tt.sum), decimal.RequireFromString(tt.actual), tt.n, decimal.NewFromInt(10))
			if want := decimal.RequireFromString(tt.want); !got.Equal(want) {
				t.Errorf("EffectivenessFee = %s, want %s", got, want)
			}
		})
	}
}
