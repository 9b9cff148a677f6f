// Package privacy keeps the register's privacy promises (SPEC §1, §5) over
// what the bot holds in its state store: subject access (what is held about
// one person), retention (deleting periods past their keeping time, and
// everything on the register's deletion date) and pseudonym key rotation.
//
// The state store holds the ledger ("ledger/<area>.json") and the audit
// records ("audit/<area>/<P>/…"). The bot keeps no copies of its output
// workbooks in the state store: outputs live in the output location
// (SharePoint or a local folder), whose retention is the city's.
package privacy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/civil"

	"tyomatka/internal/audit"
	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

// ErrDeletionDatePassed: the register's deletion date has come; its data must
// not be processed any more.
var ErrDeletionDatePassed = errors.New("data must not be processed after the register's deletion date")

// CheckDeletionDate refuses to process data on or after the configured
// deletion date.
func CheckDeletionDate(cfg *config.Config, today civil.Date) error {
	if PastDeletion(cfg, today) {
		return fmt.Errorf("the register's deletion date %s has passed (today %s): %w; delete what remains with tyomatka purge",
			cfg.Retention.DeleteBy, today, ErrDeletionDatePassed)
	}
	return nil
}

// PastDeletion reports whether today is on or after the deletion date.
func PastDeletion(cfg *config.Config, today civil.Date) bool {
	return !today.Before(cfg.Retention.DeleteBy)
}

// Expired reports whether period p is past its keeping time on today: when
// 31 December of p's year plus keepYears is before today. A period of 2026
// with keepYears 6 is kept through 31.12.2032 and deleted from 1.1.2033.
func Expired(p period.Month, keepYears int, today civil.Date) bool {
	end := civil.Date{Year: p.Year + keepYears, Month: time.December, Day: 31}
	return end.Before(today)
}

// PurgeOptions are one purge's settings.
type PurgeOptions struct {
	Today     civil.Date
	DryRun    bool      // report what would be deleted, delete nothing
	Now       time.Time // for the audit record; zero: time.Now
	StartedBy string    // for the audit record
	Version   string    // binary version, for the audit record
}

// PurgeReport is what a purge deleted (or, dry, would delete).
type PurgeReport struct {
	Area    string
	DryRun  bool
	All     bool           // the deletion date has come: everything of the area
	Periods []period.Month // ledger periods deleted
	Objects []string       // state objects deleted (the ledger object only when All)
	Record  string         // the purge's own audit record, if one was written
}

// Deleted reports whether the purge deleted (or would delete) anything.
func (r *PurgeReport) Deleted() bool { return len(r.Periods) > 0 || len(r.Objects) > 0 }

// Purge deletes what is past its keeping time from st: the ledger periods
// that Expired says are (in one conditional write of the ledger) and the
// audit records filed under them. On or after the deletion date it deletes
// the area's ledger and every audit record. It writes an audit record
// naming the deleted periods, except when everything was deleted.
//
// The ledger remembers the latest deleted period (PurgedThrough) so that a
// later run does not bill the deleted periods' entitlements again.
//
// A purge that stops midway is completed by running it again: the ledger is
// written first and audit records are found by their period, not through
// the ledger.
func Purge(ctx context.Context, st state.Store, cfg *config.Config, o PurgeOptions) (*PurgeReport, error) {
	rep := &PurgeReport{Area: cfg.Area, DryRun: o.DryRun}
	if PastDeletion(cfg, o.Today) {
		rep.All = true
		names := []string{ledger.Name(cfg.Area)}
		audits, err := st.List(ctx, "audit/"+cfg.Area+"/")
		if err != nil {
			return nil, fmt.Errorf("purge %s: %w", cfg.Area, err)
		}
		names = append(names, audits...)
		if snap, err := ledger.Load(ctx, st, cfg.Area); err == nil {
			rep.Periods = snap.Ledger.Months()
		}
		for _, n := range names {
			ok, err := deleteObject(ctx, st, n, o.DryRun)
			if err != nil {
				return rep, err
			}
			if ok {
				rep.Objects = append(rep.Objects, n)
			}
		}
		return rep, nil
	}

	if err := purgeLedger(ctx, st, cfg, o, rep); err != nil {
		return rep, err
	}
	audits, err := st.List(ctx, "audit/"+cfg.Area+"/")
	if err != nil {
		return rep, fmt.Errorf("purge %s: %w", cfg.Area, err)
	}
	for _, n := range audits {
		p, ok := auditPeriod(cfg.Area, n)
		if !ok || !Expired(p, cfg.Retention.KeepYears, o.Today) {
			continue
		}
		deleted, err := deleteObject(ctx, st, n, o.DryRun)
		if err != nil {
			return rep, err
		}
		if deleted {
			rep.Objects = append(rep.Objects, n)
		}
	}
	if o.DryRun || !rep.Deleted() {
		return rep, nil
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := &audit.Record{Kind: audit.KindPurge, Area: cfg.Area, AsOf: o.Today.String(), // area-wide: no Period
		StartedAt: now.UTC(), StartedBy: o.StartedBy, BinaryVersion: o.Version, ConfigHash: cfg.Hash}
	r.Tally(nil)
	for _, p := range rep.Periods {
		r.Purged = append(r.Purged, p.String())
	}
	if r.Purged == nil {
		r.Purged = []string{}
	}
	name, err := audit.Write(ctx, st, r)
	if err != nil {
		return rep, fmt.Errorf("purge %s: deleted, but the purge's audit record is not written: %w", cfg.Area, err)
	}
	rep.Record = name
	return rep, nil
}

// purgeLedger drops the expired periods from the ledger in one conditional
// write, retrying a lost race on a fresh read.
func purgeLedger(ctx context.Context, st state.Store, cfg *config.Config, o PurgeOptions, rep *PurgeReport) error {
	for attempt := 0; ; attempt++ {
		snap, err := ledger.Load(ctx, st, cfg.Area)
		if err != nil {
			return fmt.Errorf("purge %s: %w", cfg.Area, err)
		}
		var gone []period.Month
		for _, m := range snap.Ledger.Months() {
			if Expired(m, cfg.Retention.KeepYears, o.Today) {
				gone = append(gone, m)
			}
		}
		rep.Periods = gone
		if len(gone) == 0 || o.DryRun {
			return nil
		}
		for _, m := range gone {
			delete(snap.Ledger.Periods, m)
		}
		last := gone[len(gone)-1]
		if pt := snap.Ledger.PurgedThrough; pt == nil || last.After(*pt) {
			snap.Ledger.PurgedThrough = &last
		}
		_, err = snap.Commit(ctx, st)
		if errors.Is(err, ledger.ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return fmt.Errorf("purge %s: %w", cfg.Area, err)
		}
		return nil
	}
}

// auditPeriod parses the period segment of an audit record's name
// ("audit/<area>/<P>/…").
func auditPeriod(area, name string) (period.Month, bool) {
	rest, ok := strings.CutPrefix(name, "audit/"+area+"/")
	if !ok {
		return period.Month{}, false
	}
	seg, _, ok := strings.Cut(rest, "/")
	if !ok {
		return period.Month{}, false
	}
	p, err := period.Parse(seg)
	return p, err == nil
}

// deleteObject deletes name at its current generation; false when it does
// not exist. A dry run only checks that it exists.
func deleteObject(ctx context.Context, st state.Store, name string, dry bool) (bool, error) {
	_, gen, err := st.Get(ctx, name)
	if errors.Is(err, state.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("purge: read %s: %w", name, err)
	}
	if dry {
		return true, nil
	}
	err = st.Delete(ctx, name, gen)
	if errors.Is(err, state.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("purge: delete %s: %w", name, err)
	}
	return true, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
