package municipality_test

import (
	"testing"

	"tyomatka/internal/municipality"
)

func TestNameLahtiRegion(t *testing.T) {
	// SPEC §2.1: the Lahti region's codes.
	region := []struct{ code, name string }{
		{"016", "Asikkala"},
		{"081", "Hartola"},
		{"098", "Hollola"},
		{"111", "Heinola"},
		{"142", "Iitti"},
		{"316", "Kärkölä"},
		{"398", "Lahti"},
		{"560", "Orimattila"},
		{"576", "Padasjoki"},
		{"781", "Sysmä"},
	}
	for _, r := range region {
		// As typed into a text cell, as a number cell stores it (leading
		// zeros dropped), and with stray space around it.
		short := r.code
		for len(short) > 1 && short[0] == '0' {
			short = short[1:]
		}
		for _, in := range []string{r.code, short, " " + r.code + " ", "\u00a0" + short + "\t"} {
			t.Run(in, func(t *testing.T) {
				if got, want := municipality.Name(in), r.name; got != want {
					t.Errorf("Name(%q) = %q, want %q", in, got, want)
				}
			})
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"091", "Helsinki"},
		{"91", "Helsinki"},
		{"005", "Alajärvi"},
		{"5", "Alajärvi"},
		{"05", "Alajärvi"},
		{"020", "Akaa"},
		{"992", "Äänekoski"},
		{"599", "Pedersören kunta"},
		{"284", "Koski Tl"},
		{"478", "Maarianhamina"},
		{"507", "Mäntyharju"},
		// Names are taken as written, only trimmed.
		{"Lahti", "Lahti"},
		{" lahti ", "lahti"},
		{"LAHTI", "LAHTI"},
		{"Pertunmaa", "Pertunmaa"},
		// Unknown and abolished codes are kept as written.
		{"588", "588"}, // Pertunmaa, joined Mäntyharju 1.1.2025
		{"099", "099"}, // Honkajoki, joined Kankaanpää 1.1.2021
		{"911", "911"}, // Valtimo, joined Nurmes 1.1.2020
		{"000", "000"},
		{"0", "0"},
		{"999", "999"},
		{" 200 ", "200"},
		{"0398", "0398"},
		{"398.0", "398.0"},
		{"398a", "398a"},
		{"-98", "-98"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := municipality.Name(tt.in); got != tt.want {
				t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkName(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if municipality.Name("398") != "Lahti" {
			b.Fatal("398 is not Lahti")
		}
	}
}
