// Package ledger keeps what the bot has billed across months (SPEC §8): per
// period its lines, its status (issued, sealed by finance, or released by
// finance) and the output versions it wrote, so that a later run bills
// nothing twice and corrects, rather than silently changes, what was billed.
//
// The ledger is one JSON object per area in a state.Store, read once at the
// start of a run and written back with a generation precondition: of two
// runs racing for the same area, one commits and the other gets ErrConflict.
// It holds pseudonymous client keys and client codes, never identity codes.
package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/period"
	"tyomatka/internal/state"
)

// FormatVersion is the ledger document's format; a reader refuses a newer one
// rather than dropping fields it does not know on the next write.
const FormatVersion = 1

// ErrConflict: the ledger changed between this run's read and its commit.
var ErrConflict = errors.New("the ledger changed during the run (another run?); rerun")

// Status is the state of one billed period.
type Status string

// Period statuses (SPEC §8).
const (
	Issued   Status = "issued"   // written by a run, not yet decided by finance
	Sealed   Status = "sealed"   // approved: never recomputed
	Released Status = "released" // rejected: its lines are due again
)

// Line is one billed line as recorded. Amounts are exact decimals written as
// strings; Date is the event date (VAIKUTTAVUUS: the month's last day; OIKAISU:
// the last day of the period that made it).
type Line struct {
	ID           string           `json:"id"`
	Key          string           `json:"key"` // pseudonymous client key
	ClientCode   string           `json:"code"`
	Municipality string           `json:"municipality"`
	Type         billing.LineType `json:"type"`
	Date         civil.Date       `json:"date"`
	Amount       decimal.Decimal  `json:"amount"`
	VAT          decimal.Decimal  `json:"vat"`
	Corrects     string           `json:"corrects,omitempty"`
	// CorrectsType and CorrectsMonth are, on an OIKAISU, the type and month
	// of the line it corrects. They are recorded because the original may
	// not be there to ask: finance may reject its period after the
	// correction was issued, and retention deletes old periods first. An
	// OIKAISU recorded before they were kept lacks them (see BilledBefore).
	CorrectsType  billing.LineType `json:"corrects_type,omitempty"`
	CorrectsMonth period.Month     `json:"corrects_month,omitzero"`
}

// Month is the line's calendar month.
func (l Line) Month() period.Month { return period.Of(l.Date) }

// Original is the id of the entitlement the line bills: its own id, or for an
// OIKAISU the id of the line it corrects.
func (l Line) Original() string {
	if l.Type == billing.Correction && l.Corrects != "" {
		return l.Corrects
	}
	return l.ID
}

// Output is one file a run wrote for a period.
type Output struct {
	Name    string `json:"name"`    // the name the run asked for
	Written string `json:"written"` // the name it got (differs when written beside)
	Version string `json:"version"` // source version after the write
	SHA256  string `json:"sha256"`
}

// Approval is finance's decision as read from the invoice basis.
type Approval struct {
	Decision string      `json:"decision"` // Hyväksytty or Hylätty
	Approver string      `json:"approver,omitempty"`
	Date     *civil.Date `json:"date,omitempty"`
	RunID    string      `json:"run_id"`  // the run id written in the workbook
	File     string      `json:"file"`    // the workbook read
	Version  string      `json:"version"` // its version when read
}

// Period is one billing month's record.
type Period struct {
	Status  Status     `json:"status"`
	RunID   string     `json:"run_id"`
	AsOf    civil.Date `json:"as_of"`
	Lines   []Line     `json:"lines"`
	Outputs []Output   `json:"outputs"`
	// Dir is the output folder below the sink's root; OutDir is set instead
	// when the run wrote straight into a local folder (--out).
	Dir      string    `json:"dir"`
	OutDir   string    `json:"out_dir,omitempty"`
	Approval *Approval `json:"approval,omitempty"`
	// ClaimedAt is when a run claimed the period, set until it records its
	// outputs: another run must not take a claim that may still be writing.
	ClaimedAt *time.Time `json:"claimed_at,omitempty"`
}

// Output returns the output whose name is name, or false.
func (p *Period) Output(name string) (Output, bool) {
	for _, o := range p.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return Output{}, false
}

// Counts reports whether the period's lines count as billed (§8: issued or
// sealed).
func (p *Period) Counts() bool { return p.Status == Issued || p.Status == Sealed }

// Ledger is one area's ledger document.
type Ledger struct {
	Version int                      `json:"version"`
	Area    string                   `json:"area"`
	Periods map[period.Month]*Period `json:"periods"`

	// Privacy bookkeeping (keys.go); all empty on a ledger that was never
	// rotated or purged.
	KeyID         string            `json:"key_id,omitempty"`         // fingerprint of the pseudonym key the lines' keys are under
	Aliases       map[string]string `json:"aliases,omitempty"`        // line id computed under KeyID → id recorded before a rotation
	Unmapped      []UnmappedKey     `json:"unmapped,omitempty"`       // keys a rotation could not map (person no longer in the workbook)
	PurgedThrough *period.Month     `json:"purged_through,omitempty"` // the latest period deleted by retention
}

// New returns an empty ledger for area.
func New(area string) *Ledger {
	return &Ledger{Version: FormatVersion, Area: area, Periods: map[period.Month]*Period{}}
}

// Months returns the recorded periods in order.
func (l *Ledger) Months() []period.Month {
	ms := make([]period.Month, 0, len(l.Periods))
	for m := range l.Periods {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Before(ms[j]) })
	return ms
}

// BilledBefore returns the lines of every issued or sealed period before p,
// in period order. Every OIKAISU among them carries the type and month of
// the line it corrects: one recorded before the ledger kept them gets them
// from the ledger (see corrected).
func (l *Ledger) BilledBefore(p period.Month) []Line {
	var out []Line
	for _, m := range l.Months() {
		if m.Before(p) && l.Periods[m].Counts() {
			out = append(out, l.Periods[m].Lines...)
		}
	}
	l.fillCorrected(out)
	return out
}

// fillCorrected sets, in place, the corrected type and month of every
// OIKAISU in lines that lacks them (recorded by a binary that did not keep
// them), so that no correction reconciled from them is of unknown type.
// The original line is looked up in every period, a released one included
// (its lines are no longer billed but still recorded), or else in another
// correction of it that knows; when retention has deleted both, the type
// is recomputed from the line id (corrected).
func (l *Ledger) fillCorrected(lines []Line) {
	var missing bool
	for _, x := range lines {
		missing = missing || x.Type == billing.Correction && x.CorrectsType == ""
	}
	if !missing {
		return
	}
	known := map[string]Line{} // original id → a line knowing its type and month
	for _, m := range l.Months() {
		for _, x := range l.Periods[m].Lines {
			switch {
			case x.Type != billing.Correction:
				known[x.ID] = Line{CorrectsType: x.Type, CorrectsMonth: x.Month()}
			case x.CorrectsType != "":
				if _, ok := known[x.Corrects]; !ok {
					known[x.Corrects] = x
				}
			}
		}
	}
	for i := range lines {
		x := &lines[i]
		if x.Type != billing.Correction || x.CorrectsType != "" {
			continue
		}
		k, ok := known[x.Corrects]
		if !ok {
			k.CorrectsType, k.CorrectsMonth = l.corrected(*x)
		}
		x.CorrectsType, x.CorrectsMonth = k.CorrectsType, k.CorrectsMonth
	}
}

// searchMonths bounds how far back from an OIKAISU corrected looks for the
// month of a VAIKUTTAVUUS line: far beyond any contract's follow-up.
const searchMonths = 240

// corrected recomputes the type and month of the line OIKAISU x corrects
// from its id, which billing.LineID derives from the area, the client's
// key, the type and (VAIKUTTAVUUS) the month; an id recorded before a key
// rotation is matched through Aliases. It returns "" when no id matches
// (the key was rotated after retention deleted the original, so no alias
// maps it): the correction then stays of unknown type and the reports
// refuse it rather than guess whether it may be shown per client.
func (l *Ledger) corrected(x Line) (billing.LineType, period.Month) {
	is := func(t billing.LineType, month string) bool {
		id := billing.LineID(l.Area, x.Key, t, month)
		return id == x.Corrects || l.Aliases[id] == x.Corrects
	}
	for _, t := range []billing.LineType{billing.Info, billing.Start, billing.Employed} {
		if is(t, "") {
			return t, period.Month{}
		}
	}
	for i, m := 0, x.Month(); i < searchMonths; i, m = i+1, m.Add(-1) {
		if is(billing.Effectiveness, m.String()) {
			return billing.Effectiveness, m
		}
	}
	return "", period.Month{}
}

// LaterThan returns the first issued or sealed period after p. A run for p
// must not commit while one exists: p's billed-before would miss that
// period's lines and bill them again.
func (l *Ledger) LaterThan(p period.Month) (period.Month, bool) {
	for _, m := range l.Months() {
		if m.After(p) && l.Periods[m].Counts() {
			return m, true
		}
	}
	return period.Month{}, false
}

// Record replaces p's record with an issued period holding lines. Any
// earlier decision on p (a release) is superseded by the new invoice.
func (l *Ledger) Record(p period.Month, rec Period, lines []billing.Line) {
	rec.Status = Issued
	rec.Approval = nil
	rec.Lines = make([]Line, len(lines))
	for i, b := range lines {
		rec.Lines[i] = FromBilling(b)
	}
	l.Periods[p] = &rec
}

// FromBilling converts an invoice line to its ledger form.
func FromBilling(b billing.Line) Line {
	return Line{ID: b.ID, Key: b.Key, ClientCode: b.ClientCode, Municipality: b.Municipality,
		Type: b.Type, Date: b.Date, Amount: b.Amount, VAT: b.VAT,
		Corrects: b.Corrects, CorrectsType: b.CorrectsType, CorrectsMonth: b.CorrectsMonth}
}

// Snapshot is a ledger as read from the store, with what a conditional
// write needs.
type Snapshot struct {
	Ledger *Ledger
	Gen    state.Generation // 0: the ledger did not exist
	Size   int              // bytes read
	raw    []byte
}

// Name is the ledger's object name in the store.
func Name(area string) string { return "ledger/" + area + ".json" }

// Load reads area's ledger; a missing ledger is an empty one (the first run).
func Load(ctx context.Context, st state.Store, area string) (*Snapshot, error) {
	raw, gen, err := st.Get(ctx, Name(area))
	if errors.Is(err, state.ErrNotFound) {
		return &Snapshot{Ledger: New(area)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ledger %s: %w", Name(area), err)
	}
	l, err := Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("read ledger %s: %w", Name(area), err)
	}
	if l.Area != area {
		return nil, fmt.Errorf("read ledger %s: it belongs to area %q", Name(area), l.Area)
	}
	return &Snapshot{Ledger: l, Gen: gen, Size: len(raw), raw: raw}, nil
}

// Decode parses a ledger document.
func Decode(raw []byte) (*Ledger, error) {
	var l Ledger
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("decode ledger: %w", err)
	}
	if l.Version != FormatVersion {
		return nil, fmt.Errorf("decode ledger: format version %d, this binary knows %d", l.Version, FormatVersion)
	}
	if l.Periods == nil {
		l.Periods = map[period.Month]*Period{}
	}
	return &l, nil
}

// Encode returns the ledger's canonical bytes: the same ledger always encodes
// to the same bytes, so an unchanged ledger is recognised and not rewritten.
func Encode(l *Ledger) ([]byte, error) {
	for _, p := range l.Periods {
		if p.Lines == nil {
			p.Lines = []Line{}
		}
		if p.Outputs == nil {
			p.Outputs = []Output{}
		}
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode ledger: %w", err)
	}
	return append(raw, '\n'), nil
}

// Commit writes the snapshot's ledger back if it changed, on condition that
// the stored ledger is still the one read. It returns the generation after
// the commit (unchanged when there was nothing to write). A lost race is
// ErrConflict; the snapshot is then stale and the run must start again.
func (s *Snapshot) Commit(ctx context.Context, st state.Store) (state.Generation, error) {
	raw, err := Encode(s.Ledger)
	if err != nil {
		return 0, err
	}
	if s.Gen != 0 && bytes.Equal(raw, s.raw) {
		return s.Gen, nil
	}
	gen, err := st.Put(ctx, Name(s.Ledger.Area), raw, s.Gen)
	if errors.Is(err, state.ErrPrecondition) {
		return 0, fmt.Errorf("commit ledger %s: %w", Name(s.Ledger.Area), ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("commit ledger %s: %w", Name(s.Ledger.Area), err)
	}
	s.Gen, s.raw, s.Size = gen, raw, len(raw)
	return gen, nil
}

// Decisions finance can record (report.DecisionApproved, DecisionRejected).
const (
	DecisionApproved = "Hyväksytty"
	DecisionRejected = "Hylätty"
)

// ErrIncomplete: the decision cannot be applied yet (approved without an
// approver or a date, rejected without an approver, or made on a workbook of
// another run).
var ErrIncomplete = errors.New("approval incomplete")

// ErrNotIssued: the period has no record in the ledger, so there is nothing
// to decide on.
var ErrNotIssued = errors.New("never issued: the ledger has no invoice basis for this period (run the period first)")

// Where finance writes on the invoice basis's Hyväksyntä sheet; the same cells
// as report.ApprovalApproverCell etc., repeated here because the messages must
// point finance at them and report depends on this package's types.
const (
	approvalSheet    = "Hyväksyntä"
	approverCell     = "B4"
	approvalDateCell = "B5"
	decisionCell     = "B6"
)

// Decide applies finance's decision on issued period p: Hyväksytty with an
// approver and a date seals it, Hylätty with an approver (the audit must say
// who rejected) releases it. It returns the new status; a blank decision
// changes nothing. A decision on a workbook that another run wrote is not
// applied (ErrIncomplete): finance must decide on the invoice basis that is
// recorded.
func (l *Ledger) Decide(p period.Month, a Approval) (Status, error) {
	rec := l.Periods[p]
	if rec == nil {
		return "", fmt.Errorf("period %s: %w", p, ErrNotIssued)
	}
	if rec.Status != Issued {
		return rec.Status, nil
	}
	where := fmt.Sprintf("%s, sheet %s", a.File, approvalSheet)
	switch a.Decision {
	case "":
		return rec.Status, nil
	case DecisionApproved, DecisionRejected:
	default:
		return rec.Status, fmt.Errorf("period %s: %w: %s: decision %q in %s: want %s or %s", p, ErrIncomplete, where, a.Decision, decisionCell, DecisionApproved, DecisionRejected)
	}
	if a.RunID != rec.RunID {
		return rec.Status, fmt.Errorf("period %s: %w: the invoice basis in the folder (%s) is from run %q (a dry run or an older run?), the ledger issued run %q: approve the workbook of run %q, or rerun the period",
			p, ErrIncomplete, a.File, a.RunID, rec.RunID, rec.RunID)
	}
	if a.Decision == DecisionApproved {
		var need []string
		if a.Approver == "" {
			need = append(need, "an approver ("+approverCell+")")
		}
		if a.Date == nil {
			need = append(need, "a date ("+approvalDateCell+")")
		}
		if len(need) > 0 {
			return rec.Status, fmt.Errorf("period %s: %w: %s: %s needs %s", p, ErrIncomplete, where, DecisionApproved, strings.Join(need, " and "))
		}
		rec.Status = Sealed
	} else {
		if a.Approver == "" {
			return rec.Status, fmt.Errorf("period %s: %w: %s: %s needs the name of who rejected it (%s)", p, ErrIncomplete, where, DecisionRejected, approverCell)
		}
		rec.Status = Released
	}
	ac := a
	rec.Approval = &ac
	return rec.Status, nil
}
