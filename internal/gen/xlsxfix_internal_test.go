package gen

import (
	"bytes"
	"strings"
	"testing"
)

func TestSetDimension(t *testing.T) {
	cells := `<sheetData><row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row><row r="5"><c r="C5" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`
	for _, tc := range []struct {
		name, head, want string
	}{
		{"self-closing", `<worksheet><dimension ref="A1"/><sheetViews/>`, `<worksheet><dimension ref="B2:D5"/><sheetViews/>`},
		{"open-close", `<worksheet><dimension ref="A1"></dimension><sheetViews/>`, `<worksheet><dimension ref="B2:D5"/><sheetViews/>`},
		{"missing after sheetPr", `<worksheet><sheetPr><tabColor rgb="FF0000"/></sheetPr><sheetViews/>`, `<worksheet><sheetPr><tabColor rgb="FF0000"/></sheetPr><dimension ref="B2:D5"/><sheetViews/>`},
		{"missing", `<worksheet xmlns="x"><sheetViews/>`, `<worksheet xmlns="x"><dimension ref="B2:D5"/><sheetViews/>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.head + cells
			ref, err := usedRange(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := setDimension(&out, strings.NewReader(in), ref); err != nil {
				t.Fatal(err)
			}
			if got, want := out.String(), tc.want+cells; got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}
