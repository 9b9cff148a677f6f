package testfix

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tyomatka/internal/hetu"
)

// TrackingRow is one Asiakkaat row; its Hetu and Code also go to Muunto.
// Dates are as a coordinator types them ("20.1.2026").
type TrackingRow struct {
	Hetu                              hetu.Code
	Code, Name                        string
	Referral, Info, Start, Employment string
	EmployType                        string // "avoin", "palkkatuki" or ""
}

// WriteTracking writes a tracking workbook of rows to path: Asiakkaat
// (every client in Lahti) and Muunto, which maps each code once even when
// a row is duplicated.
func WriteTracking(t *testing.T, path string, rows []TrackingRow) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Asiakkaat"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Muunto"); err != nil {
		t.Fatal(err)
	}
	set := func(sheet string, r int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	set("Asiakkaat", 1, "Henkilötunnus", "Nimi", "Kotikunta", "Ohjattu", "Infotilaisuus", "Aloitus", "Päättyminen", "Työllistyminen", "Työsuhde")
	set("Muunto", 1, "Henkilötunnus", "Koodi")
	seen := map[string]bool{}
	mr := 2
	for i, r := range rows {
		set("Asiakkaat", i+2, string(r.Hetu), r.Name, "Lahti", r.Referral, r.Info, r.Start, "", r.Employment, r.EmployType)
		if !seen[r.Code] {
			seen[r.Code] = true
			set("Muunto", mr, string(r.Hetu), r.Code)
			mr++
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// AccrualRow is one Kelmu row of benefit TMT with 400 accrual days.
type AccrualRow struct {
	Hetu  hetu.Code
	Month string // "2026-01"
	Days  int    // paid days
	Share string // municipal share as Kela writes it ("123,45")
}

// WriteAccruals writes a Kelmu list (semicolon-separated, every person in
// Lahti) of rows to path.
func WriteAccruals(t *testing.T, path string, rows []AccrualRow) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Henkilötunnus;Kuukausi;Etuus;Maksupäivät;Kertymäpäivät;Kunnan osuus;Kunta\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s;%s;TMT;%d;400;%s;Lahti\n", r.Hetu, r.Month, r.Days, r.Share)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
