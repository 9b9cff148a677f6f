// Package audit writes and reads the append-only audit records of SPEC §8:
// one object per run (or approval) in the state store, created with
// generation 0 so that no record is ever overwritten. Records hold file
// names, versions, hashes, counts and totals, never an identity code.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

// FormatVersion is the record's format.
const FormatVersion = 1

// Kinds of record.
const (
	KindRun     = "run"     // a run that issued its period
	KindSealed  = "sealed"  // a run for a sealed period: nothing recomputed
	KindApprove = "approve" // tyomatka approve
	KindRekey   = "rekey"   // tyomatka rekey: the ledger moved to a new pseudonym key
	KindPurge   = "purge"   // retention deleted periods (tyomatka purge, or the job after a run)
	// KindFailed: a run that claimed its period but could not write its
	// outputs; the claim was taken back (finance's decisions it applied stand).
	KindFailed = "failed"
)

// Rotation is what a key rotation did. Key ids are fingerprints, never keys.
type Rotation struct {
	OldKeyID string `json:"old_key_id"`
	NewKeyID string `json:"new_key_id"`
	Persons  int    `json:"persons"`  // keys mapped to a new key
	Lines    int    `json:"lines"`    // ledger lines whose key changed
	Unmapped int    `json:"unmapped"` // keys kept under the old key (not in the workbook)
	Aliases  int    `json:"aliases"`  // line ids kept stable through an alias
}

// File is one input or output.
type File struct {
	Name    string `json:"name"`
	Written string `json:"written,omitempty"` // outputs: the name actually written
	Version string `json:"version"`           // source version (Graph eTag; locally sha256:…)
	SHA256  string `json:"sha256"`
	Rows    int    `json:"rows,omitempty"`
}

// Total is a count and sums of lines.
type Total struct {
	Count  int             `json:"count"`
	Amount decimal.Decimal `json:"amount"`
	VAT    decimal.Decimal `json:"vat"`
}

// Decision is an approval this run applied to the ledger.
type Decision struct {
	Period   string `json:"period"`
	Decision string `json:"decision"`
	Approver string `json:"approver,omitempty"`
	Date     string `json:"date,omitempty"`
	Status   string `json:"status"` // the period's status afterwards
	File     string `json:"file"`
	Version  string `json:"version"`
}

// Record is one audit record.
type Record struct {
	Version       int              `json:"version"`
	Kind          string           `json:"kind"`
	Area          string           `json:"area"`
	Period        string           `json:"period"`
	RunID         string           `json:"run_id"`
	AsOf          string           `json:"as_of"`
	StartedAt     time.Time        `json:"started_at"`
	StartedBy     string           `json:"started_by"`
	BinaryVersion string           `json:"binary_version"`
	ConfigHash    string           `json:"config_hash"`
	Inputs        []File           `json:"inputs"`
	Outputs       []File           `json:"outputs"`
	Lines         map[string]Total `json:"lines"` // per line type
	Totals        Total            `json:"totals"`
	Corrections   int              `json:"corrections"`
	Decisions     []Decision       `json:"decisions"`
	LedgerBefore  state.Generation `json:"ledger_generation_before"`
	LedgerAfter   state.Generation `json:"ledger_generation_after"`
	Rekey         *Rotation        `json:"rekey,omitempty"`
	Purged        []string         `json:"purged,omitempty"` // periods retention deleted
}

// Tally fills Lines and Totals from the lines the run issued.
func (r *Record) Tally(lines []billing.Line) {
	r.Lines = map[string]Total{}
	for _, t := range append(append([]billing.LineType(nil), billing.LineTypes...), billing.Correction) {
		r.Lines[string(t)] = Total{Amount: decimal.Zero, VAT: decimal.Zero}
	}
	r.Totals = Total{Amount: decimal.Zero, VAT: decimal.Zero}
	r.Corrections = 0
	for _, l := range lines {
		t := r.Lines[string(l.Type)]
		t.Count++
		t.Amount = t.Amount.Add(l.Amount)
		t.VAT = t.VAT.Add(l.VAT)
		r.Lines[string(l.Type)] = t
		r.Totals.Count++
		r.Totals.Amount = r.Totals.Amount.Add(l.Amount)
		r.Totals.VAT = r.Totals.VAT.Add(l.VAT)
		if l.Type == billing.Correction {
			r.Corrections++
		}
	}
}

// StartedBy says who started the run: the Cloud Run execution, task and
// attempt, or the local user.
func StartedBy(getenv func(string) string) string {
	if getenv == nil {
		return "unknown"
	}
	if ex := getenv("CLOUD_RUN_EXECUTION"); ex != "" {
		return fmt.Sprintf("cloud-run:%s/task-%s/attempt-%s", ex, orZero(getenv("CLOUD_RUN_TASK_INDEX")), orZero(getenv("CLOUD_RUN_TASK_ATTEMPT")))
	}
	if u := getenv("USER"); u != "" {
		return "local:" + u
	}
	return "local"
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// Prefix is where area's records of period p live.
func Prefix(area string, p period.Month) string { return "audit/" + area + "/" + p.String() + "/" }

// AreaPrefix is where area's records that concern no one period live (a key
// rotation, a retention purge): filing them under some period would be
// arbitrary and would make that period's history misleading. Retention by
// period leaves them, since "_area" is no period.
func AreaPrefix(area string) string { return "audit/" + area + "/_area/" }

// Write stores r as a new object under its period, or under AreaPrefix when
// r.Period is empty. The name starts with the UTC start time, so a period's
// records list in time order.
func Write(ctx context.Context, st state.Store, r *Record) (string, error) {
	r.Version = FormatVersion
	if r.Inputs == nil {
		r.Inputs = []File{}
	}
	if r.Outputs == nil {
		r.Outputs = []File{}
	}
	if r.Decisions == nil {
		r.Decisions = []Decision{}
	}
	prefix := AreaPrefix(r.Area)
	if r.Period != "" {
		p, err := period.Parse(r.Period)
		if err != nil {
			return "", fmt.Errorf("audit record: %w", err)
		}
		prefix = Prefix(r.Area, p)
	}
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("audit record: %w", err)
	}
	raw = append(raw, '\n')
	base := prefix + r.StartedAt.UTC().Format("20060102T150405.000000000Z") + "-" + r.Kind
	if r.RunID != "" {
		base += "-" + r.RunID
	}
	name := base + ".json"
	// A record is never overwritten: a clash (two runs in the same
	// nanosecond) takes the next free suffix.
	for i := 2; ; i++ {
		_, err := st.Put(ctx, name, raw, 0)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, state.ErrPrecondition) || i > 100 {
			return "", fmt.Errorf("write audit record %s: %w", name, err)
		}
		name = fmt.Sprintf("%s-%d.json", base, i)
	}
}

// List returns area's records of period p in time order.
func List(ctx context.Context, st state.Store, area string, p period.Month) ([]Record, error) {
	names, err := st.List(ctx, Prefix(area, p))
	if err != nil {
		return nil, fmt.Errorf("list audit records: %w", err)
	}
	sort.Strings(names)
	var out []Record
	for _, n := range names {
		if !strings.HasSuffix(n, ".json") {
			continue
		}
		raw, _, err := st.Get(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("read audit record %s: %w", n, err)
		}
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("read audit record %s: %w", n, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ListArea returns every record of area, of every period, ordered by start
// time (the use log).
func ListArea(ctx context.Context, st state.Store, area string) ([]Record, error) {
	names, err := st.List(ctx, "audit/"+area+"/")
	if err != nil {
		return nil, fmt.Errorf("list audit records: %w", err)
	}
	var out []Record
	for _, n := range names {
		if !strings.HasSuffix(n, ".json") {
			continue
		}
		raw, _, err := st.Get(ctx, n)
		if errors.Is(err, state.ErrNotFound) {
			continue // deleted by retention since the listing
		}
		if err != nil {
			return nil, fmt.Errorf("read audit record %s: %w", n, err)
		}
		var r Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("read audit record %s: %w", n, err)
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, nil
}
