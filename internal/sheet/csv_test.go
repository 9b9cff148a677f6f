package sheet_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"tyomatka/internal/sheet"
)

// csvCols are the columns the CSV tests look for.
var csvCols = []sheet.Column{
	{Name: "Hetu", Required: true},
	{Name: "Osuus", Required: true},
	{Name: "Kunta"},
}

// readCSV reads data as lista.csv and returns its rows (copied) and the
// first error of opening the table or reading its rows.
func readCSV(t *testing.T, data string) ([]sheet.Row, error) {
	t.Helper()
	p := writeFile(t, t.TempDir(), "lista.csv", []byte(data))
	b, err := sheet.Open(p, "lista.csv")
	if err != nil {
		return nil, err
	}
	defer b.Close()
	tab, err := b.Table(context.Background(), "", csvCols)
	if err != nil {
		return nil, err
	}
	defer tab.Close()
	var rows []sheet.Row
	for tab.Next() {
		r := tab.Row()
		rows = append(rows, sheet.Row{Num: r.Num, Cells: append([]sheet.Cell(nil), r.Cells...), Err: r.Err})
	}
	return rows, tab.Err()
}

func text(v string) sheet.Cell { return sheet.Cell{Value: v, Kind: sheet.Text} }

// TestCSVQuotes: a quote out of place is an error naming the file, the line
// and the quote to fix, never a field that swallows the rest of the list;
// quoted fields as CSV writers produce them still read.
func TestCSVQuotes(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    []sheet.Row
		wantErr []string // parts of the error; nil: no error
	}{
		{
			name: "unclosed quote runs to the end of the file",
			data: "Hetu,Osuus,Kunta\na,1.5,Lahti\nb,2.5,\"Lahti\nc,3.5,Heinola\nd,4.5,Iitti\n",
			wantErr: []string{"lista.csv: line 3: a field starts with a quote",
				"reached line 5", "fix or remove the quote on line 3 and run again"},
		},
		{
			name: "unclosed quote meets a later quoted field",
			data: "Hetu;Osuus;Kunta\na;1,5;Lahti\nb;\"2,5;Lahti\nc;3,5;Heinola\nd;\"4,5\";Iitti\ne;5;Lahti\n",
			wantErr: []string{"lista.csv: line 3: a field starts with a quote",
				"reached line 5", "fix or remove the quote on line 3"},
		},
		{
			name:    "unclosed quote on the last line",
			data:    "Hetu,Osuus,Kunta\na,1.5,Lahti\nb,2.5,\"Lahti",
			wantErr: []string{"lista.csv: line 3, position", "not closed properly", "fix or remove the quote"},
		},
		{
			name:    "text after the closing quote",
			data:    "Hetu,Osuus,Kunta\na,\"1.5\"0,Lahti\nb,2.5,Lahti\n",
			wantErr: []string{"lista.csv: line 2, position 7: a quoted field is not closed properly"},
		},
		{
			name:    "bare quote inside a field",
			data:    "Hetu,Osuus,Kunta\na,1.5,Lah\"ti\n",
			wantErr: []string{"lista.csv: line 2, position 10: a quote (\") inside a field that does not start with one"},
		},
		{
			name:    "unclosed quote in a title row",
			data:    "\"Kelmu-raportti, 2026\nHetu,Osuus,Kunta\na,1.5,Lahti\n",
			wantErr: []string{"lista.csv: line 1: a field starts with a quote", "reached line 3"},
		},
		{
			name: "quoted fields with separators, doubled quotes and line ends",
			data: "\"Lista, \"\"kaikki\"\" kunnat\"\nHetu,Osuus,Kunta\n\"a\",\"1,5\",\"Ori\nmattila\"\nb,2.5,\"Lahti \"\"keskusta\"\"\"\n",
			want: []sheet.Row{
				{Num: 3, Cells: []sheet.Cell{text("a"), text("1,5"), text("Ori\nmattila")}},
				{Num: 5, Cells: []sheet.Cell{text("b"), text("2.5"), text(`Lahti "keskusta"`)}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readCSV(t, tt.data)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if !reflect.DeepEqual(rows, tt.want) {
					t.Errorf("rows = %+v, want %+v", rows, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; rows = %+v", rows)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %q, want it to contain %q", err, w)
				}
			}
			if errors.Is(err, sheet.ErrMissingColumns) {
				t.Errorf("err = %v, a missing-column error hides the quote", err)
			}
		})
	}
}

// TestCSVFieldCount: a record with a non-blank field past the header is
// marked invalid as a whole (its values have likely shifted), not read with
// its columns shifted; trailing empty fields are harmless.
func TestCSVFieldCount(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []sheet.Row
	}{
		{
			name: "decimal comma in a comma-separated file",
			data: "Hetu,Osuus,Kunta\na,78,14,Lahti\nb,1.5,Lahti\n",
			want: []sheet.Row{
				{Num: 2, Cells: []sheet.Cell{text("a"), text("78"), text("14")}, Err: &sheet.FieldCountError{Fields: 4, HeaderFields: 3, Comma: ','}},
				{Num: 3, Cells: []sheet.Cell{text("b"), text("1.5"), text("Lahti")}},
			},
		},
		{
			name: "extra field in a semicolon-separated file, with a trailing separator",
			data: "Hetu;Osuus;Kunta\na;1,5;Lahti;x;\n",
			want: []sheet.Row{
				{Num: 2, Cells: []sheet.Cell{text("a"), text("1,5"), text("Lahti")}, Err: &sheet.FieldCountError{Fields: 4, HeaderFields: 3, Comma: ';'}},
			},
		},
		{
			name: "trailing separators, blank trailing fields, a short record",
			data: "Hetu,Osuus,Kunta,,\na,1.5,Lahti,\nb,2.5,Lahti,, ,\nc,3.5\n",
			want: []sheet.Row{
				{Num: 2, Cells: []sheet.Cell{text("a"), text("1.5"), text("Lahti")}},
				{Num: 3, Cells: []sheet.Cell{text("b"), text("2.5"), text("Lahti")}},
				{Num: 4, Cells: []sheet.Cell{text("c"), text("3.5"), {}}},
			},
		},
		{
			name: "a column without a wanted header counts",
			data: "Hetu,Osuus,Kunta,Huom\na,1.5,Lahti,tarkista\n",
			want: []sheet.Row{
				{Num: 2, Cells: []sheet.Cell{text("a"), text("1.5"), text("Lahti")}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readCSV(t, tt.data)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows = %+v, want %+v", rows, tt.want)
			}
		})
	}
}
