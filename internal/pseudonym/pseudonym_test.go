package pseudonym_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"tyomatka/internal/hetu"
	"tyomatka/internal/pseudonym"
)

// synthetic builds a temporary identity code (individual number 900–999).
func synthetic(t *testing.T, ddmmyy string, sign byte, ind int) hetu.Code {
	t.Helper()
	if ind < 900 || ind > 999 {
		t.Fatalf("synthetic codes need an individual number 900-999, got %d", ind)
	}
	nine := fmt.Sprintf("%s%03d", ddmmyy, ind)
	c, err := hetu.Parse(fmt.Sprintf("%s%c%03d%c", ddmmyy, sign, ind, hetu.CheckChar(nine)))
	if err != nil {
		t.Fatalf("synthetic code: %v", err)
	}
	return c
}

// TestNewRejectsEmptyKey: an empty key is refused; a short one is accepted
// (the CLI warns about it), since the spec's own example uses a short key.
func TestNewRejectsEmptyKey(t *testing.T) {
	if _, err := pseudonym.New(nil); err == nil {
		t.Fatal("New accepted an empty key")
	}
	for _, n := range []int{1, 8, 15} {
		if _, err := pseudonym.New(bytes.Repeat([]byte("Q"), n)); err != nil {
			t.Errorf("New(%d bytes) = %v, want nil", n, err)
		}
	}
	if _, err := pseudonym.New(bytes.Repeat([]byte("s"), 16)); err != nil {
		t.Fatalf("New(16 bytes) = %v, want nil", err)
	}
}

func TestKey(t *testing.T) {
	secret := []byte("0123456789abcdef-test-secret")
	k, err := pseudonym.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	c := synthetic(t, "050190", '-', 907)

	// Independent vector: HMAC-SHA256 computed here, not by the package.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(c))
	want := hex.EncodeToString(m.Sum(nil))
	if got := k.Key(c); got != want {
		t.Fatalf("Key = %s, want %s", got, want)
	}
	if got := k.Key(c); got != want {
		t.Fatalf("second Key = %s, want %s (not deterministic)", got, want)
	}
	if got, want := k.Key(hetu.Code(" "+strings.ToLower(string(c))[:6]+" "+strings.ToLower(string(c))[6:])), want; got != want {
		t.Fatalf("Key of unnormalised spelling = %s, want %s", got, want)
	}
	if got := k.Key(synthetic(t, "050190", '-', 908)); got == want {
		t.Fatal("different codes gave the same key")
	}
	other, err := pseudonym.New([]byte("another-secret-of-16+"))
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Key(c); got == want {
		t.Fatal("different secrets gave the same key")
	}
	if got, want := len(want), 64; got != want {
		t.Fatalf("len(key) = %d, want %d", got, want)
	}
	if want != strings.ToLower(want) {
		t.Fatalf("key %s is not lower-case hex", want)
	}
}

func TestSecretIsCopied(t *testing.T) {
	secret := []byte("0123456789abcdef")
	k, err := pseudonym.New(secret)
	if err != nil {
		t.Fatal(err)
	}
	c := synthetic(t, "010101", 'A', 950)
	before := k.Key(c)
	for i := range secret {
		secret[i] = 0
	}
	if got := k.Key(c); got != before {
		t.Fatal("wiping the caller's buffer changed the keys")
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	secret := "very-secret-key-material"
	k, err := pseudonym.New([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("keyer", "k", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), logged.String()} {
		if strings.Contains(s, secret) {
			t.Fatalf("output %q contains the secret", s)
		}
	}
}
