package run

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/finding"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/tracking"
)

// Where Explanation.AsOf came from.
const (
	AsOfGiven  = "given"  // --as-of
	AsOfLedger = "ledger" // the as-of date P's run recorded
	AsOfToday  = "today"
)

// Reason kinds: why a line is, or is not, billed (Explanation.Reasons).
const (
	ReasonAbsent          = "absent"            // no date in the workbook
	ReasonInvalid         = "invalid"           // DATE_INVALID
	ReasonRule            = "rule"              // a date rule is broken (Findings say which)
	ReasonBeforeValidFrom = "before-valid-from" // milestone before the contract
	ReasonAfterValidTo    = "after-valid-to"    // milestone after the contract
	ReasonNotDueYet       = "not-due-yet"       // milestone after End(P)
	ReasonPending         = "pending"           // PENDING_VERIFICATION
	ReasonNotVerified     = "not-verified"      // NOT_VERIFIED
	ReasonBilledBefore    = "billed-before"     // billed in an earlier period
	ReasonHeld            = "held"              // P itself holds the line
	ReasonLaterPeriod     = "later-period"      // a period after P holds the line
	ReasonEntitled        = "entitled"          // entitled, yet neither held nor due
	ReasonDue             = "due"               // a run for P would bill it
	ReasonNoStart         = "no-start"          // VAIKUTTAVUUS: no start that passes the rules
	ReasonNoBaseline      = "no-baseline"       // VAIKUTTAVUUS: NO_BASELINE
	ReasonAfterPeriod     = "after-period"      // follow-up month after P
	ReasonOutsideContract = "outside-contract"  // follow-up month outside the contract months
	ReasonNotCovered      = "not-covered"       // no accrual list for the month
	ReasonNoSaving        = "no-saving"         // saving 0
	ReasonCapReached      = "cap-reached"       // the client's cap is used up
	ReasonFeeZero         = "fee-zero"          // the fee rounds to 0.00
)

// Explanation is everything about one client code (tyomatka explain).
type Explanation struct {
	Code     string
	Period   period.Month
	AsOf     civil.Date
	AsOfFrom string          // AsOfGiven, AsOfLedger or AsOfToday
	Client   *billing.Client // nil when no billable row has the code
	Billed   []BilledLine    // from the ledger, every period
	// Due is what a run for Period would bill now, when the ledger does not
	// hold Period as issued or sealed (absent or released); else nil: lines
	// billed in Period itself are not due.
	Due      []billing.Line
	Entitled []billing.Line    // the whole entitlement up to Period
	Findings []finding.Finding // the code's findings
	Accruals []billing.ClientMonth
	Covered  map[period.Month]bool // months some accrual list covers

	// PeriodStatus is Period's status in the ledger ("" when absent);
	// PeriodRunID its run.
	PeriodStatus ledger.Status
	PeriodRunID  string
	// Rerun is what a rerun of an issued Period would change; nil otherwise.
	Rerun *RerunDiff
	// Reasons say, per milestone and per follow-up month, why a line is or
	// is not billed.
	Reasons []Reason
	// Baseline is the VAIKUTTAVUUS baseline; nil without a start that passes.
	Baseline *Baseline
}

// BilledLine is a ledger line with its period's status.
type BilledLine struct {
	Period period.Month
	Status ledger.Status
	ledger.Line
}

// RerunDiff compares an issued period's lines with a recomputation.
type RerunDiff struct {
	Added   []billing.Line // due now, not held
	Dropped []ledger.Line  // held, no longer due
	Changed []billing.Line // held with another amount
}

// Empty reports whether a rerun would change nothing.
func (d *RerunDiff) Empty() bool { return len(d.Added)+len(d.Dropped)+len(d.Changed) == 0 }

// Reason is why one line is or is not billed.
type Reason struct {
	Type   billing.LineType
	Month  period.Month // VAIKUTTAVUUS: the follow-up month; else zero
	Date   *civil.Date  // the milestone date; nil when none
	Kind   string       // ReasonXxx
	Detail string       // English, for the reader
	Line   *billing.Line
}

// Baseline is a client's VAIKUTTAVUUS baseline.
type Baseline struct {
	Months  []period.Month
	Missing []period.Month // months no accrual list covers (NO_BASELINE)
	Sum     decimal.Decimal
}

// UnknownCodeError says the code is not in Muunto. Suggest is the code
// Muunto has when only the case differs.
type UnknownCodeError struct {
	Code    string
	Suggest string
}

func (e *UnknownCodeError) Error() string {
	if e.Suggest != "" {
		return fmt.Sprintf("client code %q is not in Muunto; did you mean %q?", e.Code, e.Suggest)
	}
	return fmt.Sprintf("client code %q is not in Muunto", e.Code)
}

// Explain recomputes period P (as a dry run would) and gathers what the
// ledger and the computation say about client code. It writes nothing.
// Without o.AsOf it explains P as of the date P's run recorded, when the
// ledger has P, so that the answer matches what was billed; else as of today.
func Explain(ctx context.Context, o Options, code string) (*Explanation, error) {
	o.DryRun = true
	cfg := o.Config
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	asOf, p, from := o.AsOf, o.Period, AsOfGiven
	if asOf.IsZero() {
		now := o.Now
		if now == nil {
			now = time.Now
		}
		asOf, from = period.Today(now(), cfg.Location), AsOfToday
	}
	if p.IsZero() {
		p = period.Of(asOf).Add(-1)
	}
	// The ledger view applies finance's decisions in memory only, as the
	// next run would; explain commits nothing.
	keyer, src, _, lr, closeAll, err := openRun(ctx, o, log, p)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	rec := lr.snap.Ledger.Periods[p]
	if rec != nil && o.AsOf.IsZero() && !rec.AsOf.IsZero() {
		asOf, from = rec.AsOf, AsOfLedger
	}
	in, err := readAndCompute(ctx, o, src, p, asOf, keyer, log)
	if err != nil {
		return nil, err
	}
	if err := checkCode(in.wb, code); err != nil {
		return nil, err
	}
	res := &in.res
	plan := lr.planStable(res)
	x := &Explanation{Code: code, Period: p, AsOf: asOf, AsOfFrom: from, Covered: in.acc.Covered}
	for i := range res.Clients {
		if res.Clients[i].ClientCode == code {
			x.Client = &res.Clients[i]
		}
	}
	var held []ledger.Line
	for _, m := range lr.snap.Ledger.Months() {
		r := lr.snap.Ledger.Periods[m]
		for _, l := range r.Lines {
			if l.ClientCode == code {
				x.Billed = append(x.Billed, BilledLine{Period: m, Status: r.Status, Line: l})
				if m == p {
					held = append(held, l)
				}
			}
		}
	}
	var due []billing.Line
	for _, l := range plan.Due {
		if l.ClientCode == code {
			due = append(due, l)
		}
	}
	switch {
	case rec != nil && rec.Status == ledger.Issued:
		x.PeriodStatus, x.PeriodRunID = rec.Status, rec.RunID
		x.Rerun = diffRerun(held, due)
	case rec != nil && rec.Status == ledger.Sealed:
		// A sealed period is never recomputed: nothing is due in it.
		x.PeriodStatus, x.PeriodRunID = rec.Status, rec.RunID
	default:
		if rec != nil {
			x.PeriodStatus, x.PeriodRunID = rec.Status, rec.RunID
		}
		x.Due = due
	}
	for _, l := range res.Lines {
		if l.ClientCode == code {
			x.Entitled = append(x.Entitled, l)
		}
	}
	for _, f := range plan.Findings {
		if f.ClientCode == code {
			x.Findings = append(x.Findings, f)
		}
	}
	for _, a := range res.Accruals {
		if a.ClientCode == code {
			x.Accruals = append(x.Accruals, a)
		}
	}
	if x.Client != nil {
		x.reasons(o, rowOf(in.wb, code), due)
	}
	return x, nil
}

// checkCode refuses a code Muunto does not have: explaining it would say
// "not billable" about a typo.
func checkCode(wb *tracking.Workbook, code string) error {
	suggest := ""
	for _, c := range wb.Codes {
		if c.Code == code {
			return nil
		}
		if suggest == "" && strings.EqualFold(c.Code, code) {
			suggest = c.Code
		}
	}
	return &UnknownCodeError{Code: code, Suggest: suggest}
}

// rowOf returns the Asiakkaat row of the person Muunto maps to code, or nil.
func rowOf(wb *tracking.Workbook, code string) *tracking.Client {
	persons := map[hetu.Code]bool{}
	for _, c := range wb.Codes {
		if c.HetuValid && c.Code == code {
			persons[c.Hetu] = true
		}
	}
	for i := range wb.Clients {
		if r := &wb.Clients[i]; r.HetuValid && persons[r.Hetu] {
			return r
		}
	}
	return nil
}

func diffRerun(held []ledger.Line, due []billing.Line) *RerunDiff {
	d := &RerunDiff{}
	byID := map[string]ledger.Line{}
	for _, l := range held {
		byID[l.ID] = l
	}
	seen := map[string]bool{}
	for _, l := range due {
		h, ok := byID[l.ID]
		seen[l.ID] = true
		switch {
		case !ok:
			d.Added = append(d.Added, l)
		case !h.Amount.Equal(l.Amount):
			d.Changed = append(d.Changed, l)
		}
	}
	for _, l := range held {
		if !seen[l.ID] {
			d.Dropped = append(d.Dropped, l)
		}
	}
	return d
}

// reasons explains each milestone and follow-up month of x.Client.
func (x *Explanation) reasons(o Options, r *tracking.Client, due []billing.Line) {
	cfg := o.Config
	k := cfg.Contract
	c := x.Client
	endP := x.Period.Last()
	status := func(t billing.LineType, m period.Month) (Reason, bool) {
		for i := range x.Entitled {
			l := &x.Entitled[i]
			if l.Type != t || t == billing.Effectiveness && l.Month != m {
				continue
			}
			rs := Reason{Type: t, Line: l}
			for _, b := range x.Billed {
				if b.ID != l.ID || b.Period.After(x.Period) {
					continue
				}
				if b.Period == x.Period {
					rs.Kind, rs.Detail = ReasonHeld, fmt.Sprintf("held by %s (%s)", b.Period, b.Status)
					return rs, true
				}
				if b.Status == ledger.Issued || b.Status == ledger.Sealed {
					rs.Kind, rs.Detail = ReasonBilledBefore, fmt.Sprintf("billed before, in period %s (%s)", b.Period, b.Status)
					return rs, true
				}
			}
			for _, d := range due {
				if d.ID == l.ID {
					rs.Kind, rs.Detail = ReasonDue, "due in a run for "+x.Period.String()
					return rs, true
				}
			}
			// Neither billed up to P nor due: a later period holds it (an
			// explanation of an earlier period after later runs).
			for _, b := range x.Billed {
				if b.ID == l.ID && b.Period.After(x.Period) && (b.Status == ledger.Issued || b.Status == ledger.Sealed) {
					rs.Kind, rs.Detail = ReasonLaterPeriod, fmt.Sprintf("held by the later period %s (%s)", b.Period, b.Status)
					return rs, true
				}
			}
			rs.Kind, rs.Detail = ReasonEntitled, "entitled, but neither billed nor due in a run for "+x.Period.String()
			return rs, true
		}
		return Reason{}, false
	}
	ruleFindings := func(t billing.LineType, column string) string {
		var codes []string
		for _, f := range x.Findings {
			typeCol := t == billing.Employed && f.Code == finding.EmploymentType
			if (f.Column == column || typeCol) && f.Row == r.Row && f.Severity == finding.Error {
				codes = append(codes, string(f.Code))
			}
		}
		return strings.Join(codes, ", ")
	}
	milestone := func(t billing.LineType, cell tracking.DateCell, passed *civil.Date) {
		rs := Reason{Type: t}
		switch {
		case r == nil || !cell.Present:
			rs.Kind, rs.Detail = ReasonAbsent, "no date in the workbook"
		case !cell.Valid:
			rs.Kind, rs.Detail = ReasonInvalid, "the date cannot be read (DATE_INVALID)"
		default:
			d := cell.Date
			rs.Date = &d
			switch {
			case passed == nil:
				rs.Kind, rs.Detail = ReasonRule, "a date rule is broken ("+ruleFindings(t, cell.Column)+")"
			case d.Before(k.ValidFrom):
				rs.Kind, rs.Detail = ReasonBeforeValidFrom, fmt.Sprintf("before valid_from %s: not billed under this contract", k.ValidFrom)
			case d.After(k.ValidTo):
				rs.Kind, rs.Detail = ReasonAfterValidTo, fmt.Sprintf("after valid_to %s: not billed under this contract", k.ValidTo)
			case d.After(endP):
				rs.Kind, rs.Detail = ReasonNotDueYet, fmt.Sprintf("after %s (end of %s): not due yet", endP, x.Period)
			default:
				if s, ok := status(t, period.Month{}); ok {
					s.Date = rs.Date
					rs = s
				} else if t == billing.Employed {
					rs.Kind, rs.Detail = x.verification(o, d)
				}
			}
		}
		x.Reasons = append(x.Reasons, rs)
	}
	var info, start, emp tracking.DateCell
	if r != nil {
		info, start, emp = r.Info, r.Start, r.Employment
	}
	milestone(billing.Info, info, c.Info)
	milestone(billing.Start, start, c.Start)
	milestone(billing.Employed, emp, c.Employment)
	x.effectiveness(o, status)
}

// verification says why a due-by-date employment has no line.
func (x *Explanation) verification(o Options, e civil.Date) (string, string) {
	v := o.Config.Verification
	me := period.Of(e)
	days := decimal.Zero
	var missing []string
	for k := 1; k <= v.SustainMonths; k++ {
		m := me.Add(k)
		if m.After(x.Period) || !x.Covered[m] {
			missing = append(missing, m.String())
			continue
		}
		for _, a := range x.Accruals {
			if a.Month == m {
				days = days.Add(a.PaidDays())
			}
		}
	}
	span := fmt.Sprintf("%s…%s", me.Add(1), me.Add(v.SustainMonths))
	if len(missing) > 0 {
		return ReasonPending, fmt.Sprintf("verification pending (PENDING_VERIFICATION): %s benefit days so far in %s, no list yet for %s",
			days, span, strings.Join(missing, ", "))
	}
	return ReasonNotVerified, fmt.Sprintf("not verified (NOT_VERIFIED): %s benefit days in %s, at most %s allowed",
		days, span, v.MaxBenefitDays)
}

// effectiveness explains each VAIKUTTAVUUS follow-up month as package
// billing decides it.
func (x *Explanation) effectiveness(o Options, status func(billing.LineType, period.Month) (Reason, bool)) {
	eff := o.Config.Effectiveness
	k := o.Config.Contract
	add := func(m period.Month, kind, detail string) {
		x.Reasons = append(x.Reasons, Reason{Type: billing.Effectiveness, Month: m, Kind: kind, Detail: detail})
	}
	if x.Client.Start == nil {
		add(period.Month{}, ReasonNoStart, "no start date that passes the date rules")
		return
	}
	s := *x.Client.Start
	if s.After(x.Period.Last()) {
		add(period.Month{}, ReasonNotDueYet, fmt.Sprintf("start %s is after %s: not due yet", s, x.Period))
		return
	}
	ms := period.Of(s)
	share := map[period.Month]decimal.Decimal{}
	for _, a := range x.Accruals {
		share[a.Month] = a.Share()
	}
	b := &Baseline{Sum: decimal.Zero}
	for i := eff.BaselineMonths; i >= 1; i-- {
		m := ms.Add(-i)
		b.Months = append(b.Months, m)
		if !x.Covered[m] {
			b.Missing = append(b.Missing, m)
			continue
		}
		b.Sum = b.Sum.Add(share[m])
	}
	x.Baseline = b
	if len(b.Missing) > 0 {
		var ms []string
		for _, m := range b.Missing {
			ms = append(ms, m.String())
		}
		add(period.Month{}, ReasonNoBaseline, fmt.Sprintf("no list for %s → no VAIKUTTAVUUS (NO_BASELINE)", strings.Join(ms, ", ")))
		return
	}
	from, to := period.Of(k.ValidFrom), period.Of(k.ValidTo)
	// billed is the client's VAIKUTTAVUUS so far, against the cap as
	// package billing counts it: the entitled lines of earlier months.
	billed := decimal.Zero
	for i := 1; i <= eff.FollowupMonths; i++ {
		m := ms.Add(i)
		switch {
		case m.After(x.Period):
			add(m, ReasonAfterPeriod, "after "+x.Period.String())
			continue
		case m.Before(from) || m.After(to):
			add(m, ReasonOutsideContract, fmt.Sprintf("outside the contract months %s…%s", from, to))
			continue
		case !x.Covered[m]:
			add(m, ReasonNotCovered, "not covered: no accrual list for the month yet")
			continue
		}
		if rs, ok := status(billing.Effectiveness, m); ok {
			rs.Month = m
			x.Reasons = append(x.Reasons, rs)
			billed = billed.Add(rs.Line.Amount)
			continue
		}
		n := decimal.NewFromInt(int64(eff.BaselineMonths))
		if !b.Sum.Sub(n.Mul(share[m])).IsPositive() {
			add(m, ReasonNoSaving, fmt.Sprintf("saving 0: municipal share %s is not below the baseline", share[m].StringFixed(2)))
			continue
		}
		fee := billing.EffectivenessFee(b.Sum, share[m], eff.BaselineMonths, eff.SharePercent)
		if !fee.IsPositive() {
			add(m, ReasonFeeZero, "fee rounds to 0.00 (not written)")
			continue
		}
		add(m, ReasonCapReached, fmt.Sprintf("cap %s reached: %s billed before, fee %s not written",
			eff.CapPerClient.StringFixed(2), billed.StringFixed(2), fee.StringFixed(2)))
	}
}
