package municipality

import "testing"

// TestTable checks the invariants Name relies on: 308 municipalities, each
// with a zero-padded three-digit code, sorted, no code or name twice.
func TestTable(t *testing.T) {
	if got, want := len(codes), 308; got != want {
		t.Errorf("len(codes) = %d, want %d", got, want)
	}
	names := make(map[string]bool)
	for i, e := range codes {
		if len(e.code) != 3 || !allDigits(e.code) {
			t.Errorf("code %q is not three digits", e.code)
		}
		if i > 0 && codes[i-1].code >= e.code {
			t.Errorf("code %s after %s: not sorted or repeated", e.code, codes[i-1].code)
		}
		if e.name == "" || names[e.name] {
			t.Errorf("code %s: name %q empty or repeated", e.code, e.name)
		}
		names[e.name] = true
		if got := Name(e.code); got != e.name {
			t.Errorf("Name(%q) = %q, want %q", e.code, got, e.name)
		}
	}
}
