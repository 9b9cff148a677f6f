package run

// The ledger steps of the pipeline (SPEC §8): read the ledger and apply
// finance's decisions, diff the entitlement against what was billed before,
// claim the period, write the outputs, commit their versions and append the
// audit record.
//
// Concurrency and crash safety follow from the order. A run first claims P
// (its lines recorded as issued, written only if the ledger is still at the
// generation the run read), so of two racing runs the loser fails before it
// has written any output. The outputs come next and their versions last: a
// crash after the claim leaves P issued with the same lines the rerun
// computes (same inputs and billed-before give the same run id, so the rerun
// claims nothing new and just writes the outputs). An identical ledger is
// never rewritten, so a crash between commit and audit record is mended by a
// rerun as well.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"cloud.google.com/go/civil"
	"cloud.google.com/go/storage"

	"tyomatka/internal/audit"
	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/report"
	"tyomatka/internal/source"
	"tyomatka/internal/state"
)

// Fault steps: Options.Fault is called with these names, and a non-nil
// return ends the run there, as a crash would.
const (
	FaultComputed        = "computed"         // outputs rendered, nothing written yet
	FaultClaimed         = "claimed"          // lines committed as issued, no output written yet
	FaultOutputsWritten  = "outputs-written"  // outputs written, their versions not committed
	FaultLedgerCommitted = "ledger-committed" // ledger committed, audit record not written
)

// ledgerRun is one run's view of the ledger.
type ledgerRun struct {
	o         Options
	log       *slog.Logger
	st        state.Store
	closeSt   func()
	snap      *ledger.Snapshot
	before    state.Generation
	p         period.Month
	decisions []audit.Decision
	changed   bool // decisions changed the ledger
	started   time.Time
	// claimed: this run recorded P as issued, replacing unclaimed (nil when
	// P had no record), and has not committed its outputs yet.
	claimed   bool
	unclaimed *ledger.Period
}

// ClaimLease is how long a claim without outputs keeps other runs from
// taking the period: the job's task timeout (deploy/gcp, var.timeout),
// after which the claiming run can no longer be running.
const ClaimLease = time.Hour

// EnvObjectCustomTime names the environment variable holding the Custom-Time
// stamped on every state object in Cloud Storage.
const EnvObjectCustomTime = "TYOMATKA_OBJECT_CUSTOM_TIME"

// OpenState opens the configured state store. getenv (nil: os.Getenv) gives
// EnvObjectCustomTime. The returned close func releases any client.
func OpenState(ctx context.Context, cfg *config.Config, getenv func(string) string) (state.Store, func(), error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	switch cfg.State.Kind {
	case "local":
		st, err := state.NewLocal(cfg.State.Dir)
		if err != nil {
			return nil, nil, err
		}
		return st, func() {}, nil
	case "gcs":
		c, err := storage.NewClient(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("state bucket %s: %w", cfg.State.Bucket, err)
		}
		g := state.NewGCS(c, cfg.State.Bucket, cfg.State.Prefix)
		// The deployment passes the bucket lifecycle's deletion stamp (see
		// deploy/gcp); every object written carries it as its Custom-Time.
		if v := getenv(EnvObjectCustomTime); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				c.Close()
				return nil, nil, fmt.Errorf("%w: %s=%q: want an RFC 3339 time such as 2031-01-28T00:00:00Z", ErrConfig, EnvObjectCustomTime, v)
			}
			g.CustomTime = t
		}
		return g, func() { c.Close() }, nil
	}
	return nil, nil, fmt.Errorf("%w: state kind %q", ErrConfig, cfg.State.Kind)
}

// startLedger reads the ledger and applies the decisions finance recorded on
// every issued period's invoice basis.
func startLedger(ctx context.Context, o Options, log *slog.Logger, sink source.Sink, p period.Month) (*ledgerRun, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	lr := &ledgerRun{o: o, log: log, p: p, st: o.State, closeSt: func() {}, started: now()}
	if lr.st == nil && o.DryRun && o.Config.State.Kind == "local" {
		// A dry run records nothing, so it must not create the state folder
		// either; no folder means no ledger yet.
		if _, err := os.Stat(o.Config.State.Dir); errors.Is(err, fs.ErrNotExist) {
			lr.snap = &ledger.Snapshot{Ledger: ledger.New(o.Config.Area)}
			log.Info("no ledger yet (dry run)", "state_dir", o.Config.State.Dir)
			return lr, nil
		}
	}
	if lr.st == nil {
		st, closeSt, err := OpenState(ctx, o.Config, o.Getenv)
		if err != nil {
			return nil, err
		}
		lr.st, lr.closeSt = st, closeSt
	}
	t := time.Now()
	snap, err := ledger.Load(ctx, lr.st, o.Config.Area)
	if err != nil {
		lr.closeSt()
		return nil, err
	}
	lr.snap, lr.before = snap, snap.Gen
	log.Info("read ledger", "generation", int64(snap.Gen), "bytes", snap.Size, "periods", len(snap.Ledger.Periods),
		"seconds", time.Since(t).Seconds())
	lr.applyApprovals(ctx, sink, nil)
	if !o.DryRun && !lr.Sealed() {
		if m, ok := snap.Ledger.LaterThan(p); ok {
			lr.closeSt()
			return nil, fmt.Errorf("period %s: the ledger already records the later period %s; "+
				"a run for an earlier period would bill that period's lines again (use --dry-run to look)", p, m)
		}
	}
	if lr.Sealed() {
		return lr, nil // nothing recomputed or written: only decisions are committed
	}
	if err := lr.checkUnfinished(); err != nil {
		lr.closeSt()
		return nil, err
	}
	return lr, nil
}

// checkUnfinished refuses a real run while another period is recorded as
// issued without outputs: a run claimed it and then failed or was stopped
// before its outputs were written. Its lines count as billed, so without
// this check the next month would leave them out while finance never got an
// invoice basis for them. Rerunning that period writes the outputs (and
// repairs the record); a dry run only warns.
func (lr *ledgerRun) checkUnfinished() error {
	l := lr.snap.Ledger
	for _, m := range l.Months() {
		rec := l.Periods[m]
		if m == lr.p || rec.Status != ledger.Issued || len(rec.Outputs) > 0 {
			continue
		}
		if later, ok := l.LaterThan(m); ok {
			// Left so by an earlier binary, which went on to issue later
			// months: m can no longer be rerun, and refusing would stop
			// every run. Say so and go on.
			lr.log.Warn("period issued without outputs before a later one; its lines count as billed",
				"unfinished_period", m.String(), "run_id", rec.RunID, "later_period", later.String())
			continue
		}
		msg := fmt.Sprintf("period %s is recorded as issued by run %s (as of %s) but its outputs were never written: "+
			"that run failed or was stopped after recording it; rerun it first: tyomatka run --period %s --as-of %s",
			m, rec.RunID, rec.AsOf, m, rec.AsOf)
		if lr.o.DryRun {
			lr.log.Warn("unfinished period", "unfinished_period", m.String(), "note", msg)
			continue
		}
		return errors.New(msg)
	}
	return nil
}

func (lr *ledgerRun) Close() { lr.closeSt() }

// Sealed reports whether the run's period is sealed.
func (lr *ledgerRun) Sealed() bool {
	rec := lr.snap.Ledger.Periods[lr.p]
	return rec != nil && rec.Status == ledger.Sealed
}

// applyApprovals reads the Hyväksyntä sheet of every issued period (only
// only, when set) and applies it to the ledger in memory. Reading problems
// are logged, never fatal: a run must not fail because finance has not
// decided yet.
func (lr *ledgerRun) applyApprovals(ctx context.Context, sink source.Sink, only *period.Month) {
	l := lr.snap.Ledger
	for _, m := range l.Months() {
		rec := l.Periods[m]
		if rec.Status != ledger.Issued || only != nil && m != *only {
			continue
		}
		a, err := readApproval(ctx, lr.o.Config, sink, m, rec)
		if err != nil {
			lr.log.Warn("cannot read approval", "approval_period", m.String(), "error", err.Error())
			continue
		}
		if a.Decision == "" {
			continue
		}
		st, err := l.Decide(m, a)
		if err != nil {
			lr.log.Warn("approval not applied", "approval_period", m.String(), "error", err.Error())
			continue
		}
		lr.changed = true
		d := audit.Decision{Period: m.String(), Decision: a.Decision, Approver: a.Approver, Status: string(st), File: a.File, Version: a.Version}
		if a.Date != nil {
			d.Date = a.Date.String()
		}
		lr.decisions = append(lr.decisions, d)
		lr.log.Info("approval applied", "approval_period", m.String(), "decision", a.Decision, "status", string(st))
	}
}

// readApproval fetches p's invoice basis as recorded and reads its decision.
func readApproval(ctx context.Context, cfg *config.Config, sink source.Sink, p period.Month, rec *ledger.Period) (ledger.Approval, error) {
	invName, _, _ := report.FileNames(cfg.Area, p)
	out, ok := rec.Output(invName)
	if !ok {
		return ledger.Approval{}, fmt.Errorf("no invoice basis recorded for %s", p)
	}
	if rec.OutDir != "" {
		sink = &source.Local{OutputRoot: rec.OutDir}
	}
	f, ok := sink.(source.Fetcher)
	if !ok {
		return ledger.Approval{}, fmt.Errorf("the output location cannot be read back")
	}
	data, version, err := f.Fetch(ctx, rec.Dir, out.Written)
	if err != nil {
		return ledger.Approval{}, err
	}
	ra, err := report.ReadApproval(bytes.NewReader(data))
	if err != nil {
		return ledger.Approval{}, fmt.Errorf("%s: %w", out.Written, err)
	}
	return ledger.Approval{Decision: ra.Decision, Approver: ra.Approver, Date: ra.Date, RunID: ra.RunID, File: out.Written, Version: version}, nil
}

// sealedOutcome ends a run for a sealed period: nothing is recomputed or
// written; decisions just read are committed (they are finance's, not the
// run's, and must not be lost).
func (lr *ledgerRun) sealedOutcome(ctx context.Context, asOf civil.Date) (*Outcome, error) {
	rec := lr.snap.Ledger.Periods[lr.p]
	lr.log.Info("period is sealed (approved by finance): nothing recomputed or written", "sealed_run_id", rec.RunID)
	if !lr.o.DryRun {
		// Every run appends an audit record (§8), also one that found its
		// period sealed and changed nothing; a ledger unchanged by decisions
		// is not written again.
		if lr.changed {
			if err := lr.commitDecisions(ctx, audit.KindSealed, asOf); err != nil {
				return nil, err
			}
		} else {
			r := lr.record(audit.KindSealed, asOf)
			r.LedgerAfter = r.LedgerBefore
			if _, err := audit.Write(ctx, lr.st, r); err != nil {
				return nil, err
			}
		}
	}
	return &Outcome{RunID: rec.RunID, Period: lr.p, AsOf: asOf, Sealed: true}, nil
}

// commitDecisions commits a ledger changed only by decisions and records them.
func (lr *ledgerRun) commitDecisions(ctx context.Context, kind string, asOf civil.Date) error {
	after, err := lr.snap.Commit(ctx, lr.st)
	if err != nil {
		return err
	}
	r := lr.record(kind, asOf)
	r.LedgerAfter = after
	if _, err := audit.Write(ctx, lr.st, r); err != nil {
		return err
	}
	return nil
}

func (lr *ledgerRun) record(kind string, asOf civil.Date) *audit.Record {
	cfg := lr.o.Config
	r := &audit.Record{
		Kind: kind, Area: cfg.Area, Period: lr.p.String(), AsOf: asOf.String(),
		StartedAt: lr.started.UTC(), StartedBy: audit.StartedBy(lr.o.Getenv),
		BinaryVersion: lr.o.Version, ConfigHash: cfg.Hash,
		Decisions: lr.decisions, LedgerBefore: lr.before,
	}
	r.Tally(nil)
	return r
}

// plan diffs the entitlement against the lines billed before P.
func (lr *ledgerRun) plan(res billing.Result) ledger.Plan {
	cfg := lr.o.Config
	plan := ledger.Reconcile(cfg.Area, cfg.Contract.VATPercent, lr.p, lr.snap.Ledger.BilledBefore(lr.p), res)
	if plan.Corrections > 0 {
		lr.log.Info("corrections of lines billed before", "corrections", plan.Corrections)
	}
	return plan
}

// setPrevious tells the sink which versions of P's outputs the bot wrote, so
// that it writes beside a file someone changed since. A file already holding
// exactly the new bytes (left by a run that crashed before its commit, or by
// the winner of a race on the same inputs) is the bot's own too.
func (lr *ledgerRun) setPrevious(ctx context.Context, sink source.Sink, dir string, outs []source.Output) {
	rec := lr.snap.Ledger.Periods[lr.p]
	f, _ := sink.(source.Fetcher)
	for i := range outs {
		if rec != nil {
			if o, ok := rec.Output(outs[i].Name); ok && o.Written == outs[i].Name {
				outs[i].Previous = o.Version
			}
		}
		if f == nil {
			continue
		}
		data, version, err := f.Fetch(ctx, dir, outs[i].Name)
		if err != nil {
			continue
		}
		if bytes.Equal(data, outs[i].Data) {
			outs[i].Previous = version
		}
	}
}

// commit records P as issued with lines and the written outputs, then
// appends the audit record.
func (lr *ledgerRun) commit(ctx context.Context, runID string, asOf civil.Date, lines []billing.Line,
	files []source.File, inputs []report.InputFile, written []source.Written, outs []source.Output, dir, outDir string) error {
	if err := lr.fault(FaultOutputsWritten); err != nil {
		return err
	}
	if len(written) != len(outs) {
		// Written[i] describes outs[i]; a sink that breaks that would put
		// wrong names and digests in the ledger.
		return fmt.Errorf("ledger: the sink reported %d outputs written of %d", len(written), len(outs))
	}
	rec := ledger.Period{RunID: runID, AsOf: asOf, Dir: dir, OutDir: outDir}
	for i, w := range written {
		rec.Outputs = append(rec.Outputs, ledger.Output{Name: outs[i].Name, Written: w.Name, Version: w.Version, SHA256: w.SHA256})
	}
	lr.snap.Ledger.Record(lr.p, rec, lines)
	t := time.Now()
	after, err := lr.snap.Commit(ctx, lr.st)
	if err != nil {
		return err
	}
	lr.log.Info("committed ledger", "run_id", runID, "generation_before", int64(lr.before), "generation_after", int64(after),
		"bytes", lr.snap.Size, "seconds", time.Since(t).Seconds())
	if err := lr.fault(FaultLedgerCommitted); err != nil {
		return err
	}
	r := lr.record(audit.KindRun, asOf)
	r.RunID, r.LedgerAfter = runID, after
	r.Tally(lines)
	rows := map[string]int{}
	for _, f := range inputs {
		rows[f.Name] = f.Rows
	}
	for _, f := range files {
		r.Inputs = append(r.Inputs, audit.File{Name: f.Name, Version: f.Version, SHA256: f.SHA256, Rows: rows[f.Name]})
	}
	for i, w := range written {
		r.Outputs = append(r.Outputs, audit.File{Name: outs[i].Name, Written: w.Name, Version: w.Version, SHA256: w.SHA256})
	}
	name, err := audit.Write(ctx, lr.st, r)
	if err != nil {
		// The ledger is committed: the billing is safe. A rerun writes the
		// record (same lines, no change to the ledger).
		return fmt.Errorf("the ledger is committed but the audit record is not; rerun to record it: %w", err)
	}
	lr.log.Info("audit record written", "object", name)
	return nil
}

// claim records P's lines as issued before any output is written, with the
// generation the run read: of two runs for the same period the loser fails
// here, before it has written anything, and its retry recomputes on the
// winner's ledger (§8). A crash after the claim leaves P issued without
// recorded outputs, which a rerun of P completes. A rerun with the same run
// id (same inputs and billed-before) has nothing to claim.
func (lr *ledgerRun) claim(ctx context.Context, runID string, asOf civil.Date, lines []billing.Line, dir, outDir string) error {
	cur := lr.snap.Ledger.Periods[lr.p]
	if cur != nil && cur.Status == ledger.Issued && cur.RunID == runID {
		return nil
	}
	if cur != nil && cur.Status == ledger.Issued && len(cur.Outputs) == 0 && cur.ClaimedAt != nil {
		// Another run claimed P and has not recorded its outputs: it may
		// still be writing them, and both would write the same files.
		// Past the lease it is taken to have stopped.
		if since := lr.started.Sub(*cur.ClaimedAt); since >= 0 && since < ClaimLease {
			return fmt.Errorf("period %s: run %s claimed it %s ago and has not recorded its outputs: it is still writing them, "+
				"or it stopped; wait for it, or rerun after %s", lr.p, cur.RunID, since.Round(time.Second),
				cur.ClaimedAt.Add(ClaimLease).UTC().Format(time.RFC3339))
		}
	}
	if err := lr.fault(FaultComputed); err != nil {
		return err
	}
	prev := cur
	at := lr.started.UTC()
	lr.snap.Ledger.Record(lr.p, ledger.Period{RunID: runID, AsOf: asOf, Dir: dir, OutDir: outDir, ClaimedAt: &at}, lines)
	if _, err := lr.snap.Commit(ctx, lr.st); err != nil {
		return err
	}
	lr.claimed, lr.unclaimed = true, prev
	return lr.fault(FaultClaimed)
}

// unclaim puts P's record back as it was before claim (none, or the run
// that issued it before), after the outputs could not be written: nothing
// reached finance, so nothing of this run may count as billed. An audit
// record of kind failed keeps what the run did to the ledger, finance's
// decisions it applied included. werr is the write error; when the ledger
// cannot be put back either, the error says so (and the next real run
// refuses until P is rerun, see checkUnfinished).
func (lr *ledgerRun) unclaim(ctx context.Context, werr error, runID string, asOf civil.Date) error {
	if !lr.claimed {
		return werr
	}
	if lr.unclaimed == nil {
		delete(lr.snap.Ledger.Periods, lr.p)
	} else {
		lr.snap.Ledger.Periods[lr.p] = lr.unclaimed
	}
	after, err := lr.snap.Commit(ctx, lr.st)
	if err != nil {
		return fmt.Errorf("%w; period %s also stays recorded as issued without outputs (%v): rerun it", werr, lr.p, err)
	}
	lr.claimed = false
	lr.log.Warn("outputs not written; the period's ledger record is back as it was before this run", "error", werr.Error())
	r := lr.record(audit.KindFailed, asOf)
	r.RunID, r.LedgerAfter = runID, after
	if _, err := audit.Write(ctx, lr.st, r); err != nil {
		lr.log.Warn("audit record of the failed run not written", "error", err.Error())
	}
	return fmt.Errorf("%w; the ledger's record of period %s is back as it was before this run", werr, lr.p)
}

func (lr *ledgerRun) fault(step string) error {
	if lr.o.Fault == nil {
		return nil
	}
	if err := lr.o.Fault(step); err != nil {
		return fmt.Errorf("injected fault at %s: %w", step, err)
	}
	return nil
}

// IsConflict reports whether err is a lost ledger race: the run changed
// nothing in the ledger and a rerun will succeed.
func IsConflict(err error) bool { return errors.Is(err, ledger.ErrConflict) }

// Approve applies finance's decision on period p's invoice basis (tyomatka
// approve) and returns p's status afterwards.
func Approve(ctx context.Context, o Options, p period.Month) (ledger.Status, error) {
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("area", o.Config.Area, "period", p.String())
	src, sink, err := OpenSource(ctx, o)
	if err != nil {
		return "", err
	}
	defer src.Close()
	o.DryRun = false
	lr := &ledgerRun{o: o, log: log, p: p, st: o.State, closeSt: func() {}, started: time.Now()}
	if o.Now != nil {
		lr.started = o.Now()
	}
	if lr.st == nil {
		if lr.st, lr.closeSt, err = OpenState(ctx, o.Config, o.Getenv); err != nil {
			return "", err
		}
	}
	defer lr.Close()
	if lr.snap, err = ledger.Load(ctx, lr.st, o.Config.Area); err != nil {
		return "", err
	}
	lr.before = lr.snap.Gen
	rec := lr.snap.Ledger.Periods[p]
	if rec == nil {
		return "", fmt.Errorf("period %s: %w", p, ledger.ErrNotIssued)
	}
	if rec.Status != ledger.Issued {
		return rec.Status, nil
	}
	inv, _, _ := report.FileNames(o.Config.Area, p)
	a, err := readApproval(ctx, o.Config, sink, p, rec)
	if err != nil {
		return "", fmt.Errorf("period %s: read the decision in %s: %w", p, inv, err)
	}
	if a.Decision == "" {
		return rec.Status, nil
	}
	st, err := lr.snap.Ledger.Decide(p, a)
	if err != nil {
		return "", err
	}
	d := audit.Decision{Period: p.String(), Decision: a.Decision, Approver: a.Approver, Status: string(st), File: a.File, Version: a.Version}
	if a.Date != nil {
		d.Date = a.Date.String()
	}
	lr.decisions = []audit.Decision{d}
	if err := lr.commitDecisions(ctx, audit.KindApprove, rec.AsOf); err != nil {
		return "", err
	}
	log.Info("approval applied", "decision", a.Decision, "status", string(st))
	return st, nil
}

// History is what the ledger and the audit trail know of one period.
type History struct {
	Period  period.Month
	Record  *ledger.Period // nil when the ledger has no such period
	Runs    []audit.Record // records of runs for the period, in time order
	Decided []audit.Record // records (of any period) that applied a decision on it
}

// ReadHistory reads period p's ledger record and audit trail.
func ReadHistory(ctx context.Context, cfg *config.Config, st state.Store, p period.Month) (*History, error) {
	snap, err := ledger.Load(ctx, st, cfg.Area)
	if err != nil {
		return nil, err
	}
	h := &History{Period: p, Record: snap.Ledger.Periods[p]}
	if h.Runs, err = audit.List(ctx, st, cfg.Area, p); err != nil {
		return nil, err
	}
	// Decisions are applied by a later run (or approve), so they are filed
	// under that run's period.
	for _, m := range snap.Ledger.Months() {
		if m.Before(p) {
			continue
		}
		recs, err := audit.List(ctx, st, cfg.Area, m)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			for _, d := range r.Decisions {
				if d.Period == p.String() {
					h.Decided = append(h.Decided, r)
					break
				}
			}
		}
	}
	return h, nil
}

// planStable plans the run against the ledger with the ids it recorded: ids
// from before a key rotation stay what they were (ledger/keys.go), and lines
// of periods retention deleted are not billed again. Run and Explain share it
// so that explain shows what a run would bill.
func (lr *ledgerRun) planStable(res *billing.Result) ledger.Plan {
	lr.snap.Ledger.StableIDs(res.Lines)
	lr.snap.Ledger.StableIDList(res.Held)
	res.Lines = lr.snap.Ledger.Retained(res.Lines)
	plan := lr.plan(*res)
	lr.snap.Ledger.StableIDs(plan.Due)
	return plan
}
