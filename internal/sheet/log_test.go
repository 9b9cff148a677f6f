package sheet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"tyomatka/internal/sheet"
)

// TestLogsToContextLogger: the readers' notes go to the logger of
// WithLogger (the run's JSON logger), not to slog.Default.
func TestLogsToContextLogger(t *testing.T) {
	const rows = `<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>`
	const sst = `<sst><si><t>Hetu</t></si></sst>`
	tests := []struct {
		name, sheetXML, sstXML, msg string
	}{
		{"worksheet handed over", `<worksheet><sheetData x="&amp;">` + rows + `</sheetData></worksheet>`, sst,
			"worksheet read with the encoding/xml reader from here on"},
		{"shared strings handed over", `<worksheet><sheetData>` + rows + `</sheetData></worksheet>`, `<sst x="&amp;"><si><t>Hetu</t></si></sst>`,
			"shared strings read with the encoding/xml reader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "lista.xlsx", rawWorkbook(t, tt.sheetXML, tt.sstXML, diffStyles, ""))
			var logs bytes.Buffer
			ctx := sheet.WithLogger(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)).With("area", "lahti"))
			b, err := sheet.Open(p, "lista.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			tab, err := b.Table(ctx, "", []sheet.Column{{Name: "Hetu", Required: true}})
			if err != nil {
				t.Fatal(err)
			}
			defer tab.Close()
			n := 0
			for tab.Next() {
				n++
			}
			if err := tab.Err(); err != nil || n != 1 {
				t.Fatalf("%d rows, %v; want 1", n, err)
			}
			var found bool
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec struct{ Msg, File, Area string }
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("log line %q is not JSON: %v", l, err)
				}
				if rec.Msg == tt.msg && rec.File == "lista.xlsx" && rec.Area == "lahti" {
					found = true
				}
			}
			if !found {
				t.Errorf("logs = %q, want a JSON line %q for lista.xlsx", logs.String(), tt.msg)
			}
		})
	}
}
