package ledger

// Pseudonym key rotation and retention as the ledger sees them.
//
// Line ids are billing.LineID(area, key, type, month): they derive from the
// pseudonymous key, so a key rotation would change the id the billing engine
// computes for an entitlement that was billed under the old key. The ids in
// the ledger are the billing history (invoices and OIKAISU lines name them),
// so a rotation never rewrites them. Instead it records Aliases: for every
// recorded line, the id the engine now computes under the new key → the id
// recorded. A run translates its computed ids through Aliases (StableIDs)
// before reconciling, so an entitlement billed before matches its recorded
// line, is not billed twice, and its corrections name the original id. Lines
// first billed after the rotation get new-key ids and need no alias.
//
// KeyID is a fingerprint of the key the ledger's keys are under (the
// person-independent HMAC of a fixed label, never the key itself). A run
// whose key has another fingerprint refuses the ledger: it would match no
// line and bill everything again.

import (
	"errors"
	"fmt"

	"tyomatka/internal/billing"
	"tyomatka/internal/hetu"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
)

// UnmappedKey is a person whose lines a rotation kept under the old key
// because the tracking workbook no longer has them.
type UnmappedKey struct {
	Key   string   `json:"key"`    // the old pseudonymous key
	KeyID string   `json:"key_id"` // fingerprint of the key it is under
	Codes []string `json:"codes"`  // client codes of its lines
	Lines int      `json:"lines"`
}

// ErrWrongKey: the run's pseudonym key is not the one the ledger is under.
var ErrWrongKey = errors.New("the pseudonymisation key is not the one the ledger is under")

// fingerprintLabel is not an identity code (Normalize leaves it as is and no
// code has this form), so its HMAC can never equal a person's key.
const fingerprintLabel = "TYOMATKA-KEY-FINGERPRINT-V1"

// KeyID returns the fingerprint of k's secret: the first 16 hex characters of
// HMAC-SHA256(secret, a fixed label). It identifies the key without
// revealing it.
func KeyID(k *pseudonym.Keyer) string {
	return k.Key(hetu.Code(fingerprintLabel))[:16]
}

// CheckKey verifies that keyID is the ledger's key. A ledger without a key
// id (written before fingerprints existed, or new) adopts keyID.
func (l *Ledger) CheckKey(keyID string) error {
	switch l.KeyID {
	case "":
		l.KeyID = keyID
		return nil
	case keyID:
		return nil
	}
	return fmt.Errorf("ledger %s is under key %s, this run's key is %s (rotated with tyomatka rekey? configure the current key): %w",
		Name(l.Area), l.KeyID, keyID, ErrWrongKey)
}

// StableIDs rewrites, in place, the ids of lines computed under the current
// key to the ids recorded before a rotation (see the package comment above).
func (l *Ledger) StableIDs(lines []billing.Line) {
	if len(l.Aliases) == 0 {
		return
	}
	for i := range lines {
		if id, ok := l.Aliases[lines[i].ID]; ok {
			lines[i].ID = id
		}
	}
}

// StableIDList does what StableIDs does for bare ids.
func (l *Ledger) StableIDList(ids []string) {
	for i, id := range ids {
		if a, ok := l.Aliases[id]; ok {
			ids[i] = a
		}
	}
}

// Retained drops computed lines that belong to periods retention deleted:
// a line of a month up to PurgedThrough that no kept period records. Its
// record is gone, so without this a run would bill it again.
func (l *Ledger) Retained(lines []billing.Line) []billing.Line {
	if l.PurgedThrough == nil {
		return lines
	}
	kept := map[string]bool{}
	for _, p := range l.Periods {
		for _, x := range p.Lines {
			kept[x.Original()] = true
		}
	}
	out := lines[:0:0]
	for _, x := range lines {
		if !x.Month.After(*l.PurgedThrough) && !kept[x.ID] {
			continue
		}
		out = append(out, x)
	}
	return out
}

// RecomputedID is the id the billing engine computes for recorded line x of
// period p when its key is key: what an alias must map from.
func RecomputedID(area string, p period.Month, x Line, key string) string {
	if x.Type == billing.Correction {
		return CorrectionID(area, key, p, x.Corrects)
	}
	month := ""
	if x.Type == billing.Effectiveness {
		month = x.Month().String()
	}
	return billing.LineID(area, key, x.Type, month)
}
