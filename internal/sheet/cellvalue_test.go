package sheet_test

import (
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/sheet"
)

func mustDec(tb testing.TB, s string) decimal.Decimal {
	tb.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestCellValues(t *testing.T) {
	date := func(y, m, d int) civil.Date { return civil.Date{Year: y, Month: time.Month(m), Day: d} }
	t.Run("date", func(t *testing.T) {
		tests := []struct {
			name     string
			cell     sheet.Cell
			date1904 bool
			want     civil.Date
			wantErr  bool
		}{
			{"serial 1900", sheet.Cell{Value: "46023", Kind: sheet.Number, DateFmt: true}, false, date(2026, 1, 1), false},
			{"serial with time", sheet.Cell{Value: "46023.75", Kind: sheet.Number, DateFmt: true}, false, date(2026, 1, 1), false},
			{"serial 1904", sheet.Cell{Value: "44561", Kind: sheet.Number, DateFmt: true}, true, date(2026, 1, 1), false},
			{"text", sheet.Cell{Value: " 23.2.2026 ", Kind: sheet.Text}, false, date(2026, 2, 23), false},
			{"iso text", sheet.Cell{Value: "2026-03-02", Kind: sheet.Text}, false, date(2026, 3, 2), false},
			{"two-digit year", sheet.Cell{Value: "3.5.26", Kind: sheet.Text}, false, civil.Date{}, true},
			{"unformatted number", sheet.Cell{Value: "46023", Kind: sheet.Number}, false, civil.Date{}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.cell.Date(tt.date1904)
				if (err != nil) != tt.wantErr || got != tt.want {
					t.Errorf("Date = %v, %v; want %v (error %v)", got, err, tt.want, tt.wantErr)
				}
			})
		}
	})
	t.Run("month", func(t *testing.T) {
		tests := []struct {
			name    string
			cell    sheet.Cell
			want    string
			wantErr bool
		}{
			{"date cell", sheet.Cell{Value: "46054", Kind: sheet.Number, DateFmt: true}, "2026-02", false},
			{"yyyy-mm", sheet.Cell{Value: "2026-04", Kind: sheet.Text}, "2026-04", false},
			{"m/yyyy", sheet.Cell{Value: "03/2026", Kind: sheet.Text}, "2026-03", false},
			{"month 13", sheet.Cell{Value: "2026-13", Kind: sheet.Text}, "", true},
			{"plain number", sheet.Cell{Value: "10.2026", Kind: sheet.Number}, "", true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.cell.Month(false)
				if (err != nil) != tt.wantErr || (!tt.wantErr && got.String() != tt.want) {
					t.Errorf("Month = %v, %v; want %s (error %v)", got, err, tt.want, tt.wantErr)
				}
			})
		}
	})
	t.Run("number text", func(t *testing.T) {
		tests := []struct{ in, want string }{{"150,00 €", "150"}, {"1\u202f073", "1073"}, {"\u221245.00", "-45"}}
		for _, tt := range tests {
			got, err := (sheet.Cell{Value: tt.in, Kind: sheet.Text}).Number()
			if err != nil || !got.Equal(mustDec(t, tt.want)) {
				t.Errorf("Number(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
			}
		}
		if _, err := (sheet.Cell{Value: "1.234,56", Kind: sheet.Text}).Number(); err == nil {
			t.Errorf("Number(1.234,56) accepted")
		}
	})
}
