// Package municipality maps Statistics Finland's three-digit municipality
// codes (kuntanumero) to municipality names (SPEC §2.1: Kotikunta, Kunta).
//
// The table in codes.go is the classification valid from 1.1.2025 and still
// on 1.1.2026 (kunta_1_20250101 and kunta_1_20260101,
// https://stat.fi/fi/luokitukset/kunta/): the 2019 classification without
// Valtimo (911, joined Nurmes on 1.1.2020), Honkajoki (099, joined Kankaanpää
// on 1.1.2021) and Pertunmaa (588, joined Mäntyharju on 1.1.2025 by the
// Government's decision of 6.6.2024). The resulting 308 names were
// cross-checked against the names of the 2026 classification. When a merger
// takes effect, delete the abolished code; the codes of surviving
// municipalities do not change.
package municipality

import (
	"sort"
	"strings"
)

type entry struct {
	code string // three digits, zero-padded
	name string
}

// Name returns the name of the municipality whose code s is: "398", "098"
// or "98" (a number cell drops the leading zero), with surrounding space.
// Anything else — a name, an unknown or abolished code — is returned trimmed
// and otherwise as written: names are taken as written.
func Name(s string) string {
	t := strings.TrimSpace(s)
	if len(t) == 0 || len(t) > 3 || !allDigits(t) {
		return t
	}
	n := atoi(t)
	i := sort.Search(len(codes), func(i int) bool { return atoi(codes[i].code) >= n })
	if i < len(codes) && atoi(codes[i].code) == n {
		return codes[i].name
	}
	return t
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
