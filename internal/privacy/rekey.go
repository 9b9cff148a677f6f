package privacy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/state"
)

// Fault steps of Rekey: RekeyOptions.Fault is called with these names and a
// non-nil return ends the rotation there, as a crash would.
const (
	FaultRekeyComputed  = "rekey-computed"  // new ledger computed, not written
	FaultRekeyCommitted = "rekey-committed" // new ledger written, audit record not
)

// ErrUnmapped: the ledger holds persons the tracking workbook no longer has,
// so their keys cannot be mapped to the new key.
var ErrUnmapped = errors.New("the ledger holds persons who are no longer in the tracking workbook")

// RekeyOptions are one key rotation's settings.
type RekeyOptions struct {
	Store  state.Store
	Config *config.Config
	Old    *pseudonym.Keyer // the key the ledger is under
	New    *pseudonym.Keyer
	// Persons are the identity codes of the tracking workbook (both sheets);
	// they are the only way from an old key to a new one.
	Persons []hetu.Code
	// Force keeps the lines of persons not in Persons under their old key
	// (listed in the ledger's Unmapped) instead of refusing.
	Force     bool
	Today     time.Time // for the audit record's period and time; zero: now
	StartedBy string
	Version   string
	Fault     func(step string) error
}

// RekeyReport is what a rotation did.
type RekeyReport struct {
	OldKeyID, NewKeyID string
	AlreadyDone        bool // the ledger was already under the new key
	Persons            int  // persons whose key changed
	Lines              int  // lines whose key changed
	Aliases            int  // line ids kept stable through an alias
	Unmapped           []ledger.UnmappedKey
	LedgerBefore       state.Generation
	LedgerAfter        state.Generation
	Record             string // the rotation's audit record
}

// Rekey moves area's ledger from Old to New.
//
// The ledger is one object and the rotation one conditional write of it, so
// the stored ledger is either all under the old key or all under the new
// one; a crash before the write leaves the old ledger intact and a rerun
// starts over, a crash after it is finished by a rerun (which finds the
// ledger under the new key and writes the audit record if it is missing).
// Nothing else in the state store holds keys: audit records hold counts and
// file hashes only.
//
// Line ids do not change: each line keeps its recorded id, and the ledger's
// Aliases map the id the billing engine now computes under the new key to
// the recorded one (see ledger.StableIDs). The new ledger carries the new
// key's fingerprint, so a run still configured with the old key refuses it
// instead of billing everyone again.
//
// Persons in the ledger but no longer in the workbook cannot be mapped (the
// key is one-way). Rekey refuses them unless Force: rotating retires the old
// key, after which their lines can no longer be linked to them for subject
// access or a returning client, so the registrar should first check the
// workbook (a removed row is often a mistake). With Force their lines stay
// under the old key, listed in the ledger's Unmapped and in the report by
// client code and line count; they still reconcile (a later run credits
// them if they stay out of the workbook), because reconciliation matches ids.
func Rekey(ctx context.Context, o RekeyOptions) (*RekeyReport, error) {
	cfg := o.Config
	rep := &RekeyReport{OldKeyID: ledger.KeyID(o.Old), NewKeyID: ledger.KeyID(o.New)}
	if rep.OldKeyID == rep.NewKeyID {
		return nil, fmt.Errorf("rekey %s: the new key is the same as the current key", cfg.Area)
	}
	now := o.Today
	if now.IsZero() {
		now = time.Now()
	}
	snap, err := ledger.Load(ctx, o.Store, cfg.Area)
	if err != nil {
		return nil, fmt.Errorf("rekey %s: %w", cfg.Area, err)
	}
	l := snap.Ledger
	rep.LedgerBefore, rep.LedgerAfter = snap.Gen, snap.Gen
	switch l.KeyID {
	case rep.NewKeyID:
		rep.AlreadyDone = true
		return rep, finishRecord(ctx, o, rep, l, now)
	case "", rep.OldKeyID:
	default:
		return nil, fmt.Errorf("rekey %s: the ledger is under key %s, not under the current key given (%s): %w",
			cfg.Area, l.KeyID, rep.OldKeyID, ledger.ErrWrongKey)
	}

	mapping := map[string]string{}
	for _, c := range o.Persons {
		mapping[o.Old.Key(c)] = o.New.Key(c)
	}
	earlier := map[string]bool{} // keys left unmapped by an earlier rotation
	for _, u := range l.Unmapped {
		earlier[u.Key] = true
	}
	unmapped := map[string]*ledger.UnmappedKey{}
	persons := map[string]bool{}
	aliases := map[string]string{}
	for _, m := range l.Months() {
		rec := l.Periods[m]
		for i := range rec.Lines {
			x := &rec.Lines[i]
			if earlier[x.Key] {
				continue
			}
			nk, ok := mapping[x.Key]
			if !ok {
				u := unmapped[x.Key]
				if u == nil {
					u = &ledger.UnmappedKey{Key: x.Key, KeyID: rep.OldKeyID}
					unmapped[x.Key] = u
				}
				u.Lines++
				if !contains(u.Codes, x.ClientCode) {
					u.Codes = append(u.Codes, x.ClientCode)
				}
				continue
			}
			persons[x.Key] = true
			x.Key = nk
			rep.Lines++
			if id := ledger.RecomputedID(cfg.Area, m, *x, nk); id != x.ID {
				aliases[id] = x.ID
			}
		}
	}
	rep.Persons = len(persons)
	rep.Aliases = len(aliases)
	for _, k := range sortedKeys(unmapped) {
		sort.Strings(unmapped[k].Codes)
		rep.Unmapped = append(rep.Unmapped, *unmapped[k])
	}
	if len(rep.Unmapped) > 0 && !o.Force {
		return rep, fmt.Errorf("rekey %s: %d persons (%s) are in the ledger but not in the tracking workbook: %w; "+
			"check the workbook, or rerun with --force to keep their lines under the old key",
			cfg.Area, len(rep.Unmapped), describeUnmapped(rep.Unmapped), ErrUnmapped)
	}
	// Aliases of an earlier rotation map ids computed under the old key,
	// which no run computes any more; the new ones replace them.
	l.Aliases = aliases
	if len(aliases) == 0 {
		l.Aliases = nil
	}
	l.Unmapped = append(l.Unmapped, rep.Unmapped...)
	l.KeyID = rep.NewKeyID
	if err := fault(o, FaultRekeyComputed); err != nil {
		return rep, err
	}
	after, err := snap.Commit(ctx, o.Store)
	if err != nil {
		return rep, fmt.Errorf("rekey %s: %w", cfg.Area, err)
	}
	rep.LedgerAfter = after
	if err := fault(o, FaultRekeyCommitted); err != nil {
		return rep, err
	}
	return rep, writeRecord(ctx, o, rep, now)
}

// finishRecord writes the audit record of a rotation whose ledger write
// landed but whose record did not (a crash in between).
func finishRecord(ctx context.Context, o RekeyOptions, rep *RekeyReport, l *ledger.Ledger, now time.Time) error {
	recs, err := audit.ListArea(ctx, o.Store, o.Config.Area)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Kind == audit.KindRekey && r.Rekey != nil && r.Rekey.NewKeyID == rep.NewKeyID {
			return nil
		}
	}
	unmapped := map[string]bool{}
	for _, u := range l.Unmapped {
		unmapped[u.Key] = true
		if u.KeyID == rep.OldKeyID {
			rep.Unmapped = append(rep.Unmapped, u)
		}
	}
	persons := map[string]bool{}
	for _, rec := range l.Periods {
		for _, x := range rec.Lines {
			if !unmapped[x.Key] {
				persons[x.Key] = true
				rep.Lines++
			}
		}
	}
	rep.Persons, rep.Aliases = len(persons), len(l.Aliases)
	return writeRecord(ctx, o, rep, now)
}

func writeRecord(ctx context.Context, o RekeyOptions, rep *RekeyReport, now time.Time) error {
	cfg := o.Config
	today := period.Today(now, cfg.Location)
	r := &audit.Record{Kind: audit.KindRekey, Area: cfg.Area, AsOf: today.String(), // area-wide: no Period
		StartedAt: now.UTC(), StartedBy: o.StartedBy, BinaryVersion: o.Version, ConfigHash: cfg.Hash,
		LedgerBefore: rep.LedgerBefore, LedgerAfter: rep.LedgerAfter,
		Rekey: &audit.Rotation{OldKeyID: rep.OldKeyID, NewKeyID: rep.NewKeyID, Persons: rep.Persons, Lines: rep.Lines,
			Unmapped: len(rep.Unmapped), Aliases: rep.Aliases}}
	r.Tally(nil)
	name, err := audit.Write(ctx, o.Store, r)
	if err != nil {
		return fmt.Errorf("rekey %s: the ledger is under the new key but the audit record is not written; rerun to record it: %w", cfg.Area, err)
	}
	rep.Record = name
	return nil
}

func describeUnmapped(us []ledger.UnmappedKey) string {
	s := ""
	for i, u := range us {
		if i == 5 {
			return s + fmt.Sprintf(", and %d more", len(us)-5)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%v with %d lines", u.Codes, u.Lines)
	}
	return s
}

func fault(o RekeyOptions, step string) error {
	if o.Fault == nil {
		return nil
	}
	if err := o.Fault(step); err != nil {
		return fmt.Errorf("injected fault at %s: %w", step, err)
	}
	return nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
