// Package pseudonym derives the pseudonymous client key of SPEC §5: an
// HMAC-SHA256 of the identity code under a secret key. Everything stored
// outside the tracking workbook (ledger, audit, line ids) names a person by
// this key only, so the key must be stable across runs and must not be
// reversible without the secret.
package pseudonym

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"tyomatka/internal/hetu"
)

// RecommendedKeyBytes is the shortest secret the CLI accepts without a
// warning. HMAC-SHA256 accepts any length, but a short secret would let anyone
// who guesses it enumerate the small space of identity codes and re-identify
// every key. Shorter keys are still accepted (the spec sets no minimum, and
// test and example keys are short); production keys come from Secret Manager.
const RecommendedKeyBytes = 16

// Keyer computes pseudonymous keys. It is safe for concurrent use.
type Keyer struct {
	secret []byte
}

// New returns a Keyer for secret. The secret is copied, so the caller may wipe
// its own buffer afterwards.
func New(secret []byte) (*Keyer, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("pseudonym key is empty")
	}
	return &Keyer{secret: append([]byte(nil), secret...)}, nil
}

// Key returns the lower-case hex HMAC-SHA256 of the normalised identity code.
// Normalising again here makes the key independent of how a caller spelt the
// code (" 050190 -907h " and "050190-907H" are the same person).
func (k *Keyer) Key(c hetu.Code) string {
	// A fresh MAC per call keeps Keyer free of shared mutable state.
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(hetu.Normalize(string(c))))
	return hex.EncodeToString(m.Sum(nil))
}

// String hides the secret from fmt's %v and %+v.
func (k *Keyer) String() string { return "pseudonym.Keyer{secret:redacted}" }

// GoString hides the secret from fmt's %#v.
func (k *Keyer) GoString() string { return k.String() }

// LogValue hides the secret from slog.
func (k *Keyer) LogValue() slog.Value { return slog.StringValue(k.String()) }
