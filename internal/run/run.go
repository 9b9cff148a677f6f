// Package run is the job's pipeline: configuration → inputs → reconciliation
// and billing → outputs. One call of Run is one area's run for one period.
package run

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"path/filepath"
	"sync"
	"time"

	"cloud.google.com/go/civil"

	"tyomatka/internal/accrual"
	"tyomatka/internal/audit"
	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/finding"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/privacy"
	"tyomatka/internal/progress"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/report"
	"tyomatka/internal/secrets"
	"tyomatka/internal/sheet"
	"tyomatka/internal/source"
	"tyomatka/internal/state"
	"tyomatka/internal/tracking"
)

// Options are one run's settings beyond the configuration file.
type Options struct {
	Config *config.Config
	Period period.Month // zero: the month before AsOf
	AsOf   civil.Date   // zero: today in the configured time zone
	DryRun bool         // compute and write outputs, but record nothing in the ledger
	OutDir string       // "": <configured output>/<P>/; else straight into OutDir (local)

	Version string           // binary version, for the audit record
	Now     func() time.Time // clock; nil: time.Now
	Getenv  func(string) string
	Log     *slog.Logger

	// Secrets and Remote let the caller supply cloud implementations without
	// this package importing their SDKs (the Graph SDK is heavy to compile).
	Secrets secrets.Getter
	Remote  func(ctx context.Context, cfg *config.Config, sec secrets.Getter) (source.Source, source.Sink, error)

	// Ledger (ledger.go). State overrides the configured state store (tests
	// inject fake-gcs-server); Fault, when set, is called at each FaultXxx
	// step and a non-nil return ends the run there, as a crash would.
	State state.Store
	Fault func(step string) error
}

// Outcome is what a completed run produced.
type Outcome struct {
	RunID    string
	Period   period.Month
	AsOf     civil.Date
	Lines    []billing.Line
	Findings []finding.Finding
	Written  []source.Written
	Summary  []byte // run-summary.json
	OutDir   string // where the outputs went, for the user
	Sealed   bool   // the period is sealed: nothing was recomputed or written
	Files    Files  // the names the workbooks were written under; empty when sealed
}

// Files are the names a run's workbooks were written under, which differ
// from report.FileNames when a workbook went beside a file someone changed.
type Files struct {
	Invoice        string // the invoice basis
	Reconciliation string
	Provider       string // the service provider's report
}

// DryRunFolder is the subfolder of <output>/<period>/ a dry run writes to.
const DryRunFolder = "koeajo"

// DryRunNote is the note on a dry run's workbooks.
const DryRunNote = "Koeajo: rivejä ei ole kirjattu laskutetuiksi. Tätä laskutusperustetta ei hyväksytä; " +
	"hyväksyntä tehdään varsinaisen ajon laskutusperusteeseen."

// ErrConfig marks errors in the configuration or command line; the CLI maps
// them to exit status 2.
var ErrConfig = errors.New("configuration error")

// Run performs one run.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	started := time.Now()
	cfg := o.Config
	log := o.Log
	if log == nil {
		log = slog.Default()
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	asOf := o.AsOf
	if asOf.IsZero() {
		asOf = period.Today(now(), cfg.Location)
	}
	p := o.Period
	if p.IsZero() {
		p = period.Of(asOf).Add(-1)
	}
	log = log.With("area", cfg.Area, "period", p.String(), "as_of", asOf.String())
	if !o.DryRun && !p.Before(period.Of(asOf)) {
		// Recording an unfinished month as issued would bill its milestones
		// before Kela's list for it exists (it arrives by the 20th of the next
		// month) and freeze them in the ledger.
		return nil, fmt.Errorf("%w: period %s has not ended by the as-of date %s; a run records a period as issued only after the month is over (preview it with --dry-run)", ErrConfig, p, asOf)
	}
	// The real date, not the as-of date: an old as-of must not reopen a
	// register past its deletion date.
	today := period.Today(now(), cfg.Location)
	if !o.DryRun && asOf.After(today) {
		// A later as-of would let the month guard above pass for a month
		// that has not ended, issuing milestones that have not happened
		// and blocking the real months before it.
		return nil, fmt.Errorf("%w: the as-of date %s is after today (%s); a run records a period as issued only as of today or earlier (preview a future date with --dry-run)", ErrConfig, asOf, today)
	}
	if err := privacy.CheckDeletionDate(cfg, today); err != nil {
		return nil, err
	}

	keyer, src, sink, lr, closeAll, err := openRun(ctx, o, log, p)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	if lr.Sealed() {
		return lr.sealedOutcome(ctx, asOf)
	}

	c, err := readAndCompute(ctx, o, src, p, asOf, keyer, log)
	if err != nil {
		return nil, err
	}
	trackFile, accFiles, wb, acc, res := c.trackFile, c.accFiles, c.wb, c.acc, c.res
	phase := time.Now()
	plan := lr.planStable(&res)
	lines := plan.Due
	res.Findings = plan.Findings
	log.Info("compared with the ledger", "due", len(lines), "seconds", time.Since(phase).Seconds())

	inputs := []report.InputFile{{Name: trackFile.Name, SHA256: trackFile.SHA256, Rows: wb.Rows}}
	for _, f := range acc.Files {
		inputs = append(inputs, report.InputFile{Name: f.Name, SHA256: f.SHA256, Rows: f.Rows})
	}
	runID := runIDOf(cfg, p, asOf, inputs, lr.snap.Ledger.BilledBefore(p))
	log = log.With("run_id", runID)

	in := &report.Input{
		Config: cfg,
		Period: p,
		AsOf:   asOf,
		RunID:  runID,
		Lines:  lines,
		Result: &res,
		Inputs: inputs,
		DryRun: o.DryRun,
	}
	if o.DryRun {
		in.Notes = []string{DryRunNote}
	}
	phase = time.Now()
	outs, summary, err := buildOutputs(in)
	if err != nil {
		return nil, err
	}
	log.Info("built outputs", "files", len(outs), "bytes", outputBytes(outs), "seconds", time.Since(phase).Seconds())

	dir := p.String()
	if o.DryRun {
		// A dry run never touches the period's real outputs, which finance
		// may be reviewing: it has a scratch folder of its own.
		dir = path.Join(dir, DryRunFolder)
	}
	outDir := filepath.Join(cfg.Source.Output, filepath.FromSlash(dir))
	if o.OutDir != "" {
		sink = &source.Local{OutputRoot: o.OutDir}
		dir, outDir = "", o.OutDir
	}
	lr.setPrevious(ctx, sink, dir, outs)
	for i := range outs {
		outs[i].Replace = o.DryRun
	}
	recDir, recOut := dir, ""
	if !o.DryRun {
		if o.OutDir != "" {
			// Recorded so that approval can be read back from there.
			if recOut, err = filepath.Abs(o.OutDir); err != nil {
				return nil, fmt.Errorf("output folder %s: %w", o.OutDir, err)
			}
		}
		if err := lr.claim(ctx, runID, asOf, lines, recDir, recOut); err != nil {
			return nil, err
		}
	}
	phase = time.Now()
	written, err := sink.Write(ctx, dir, outs)
	if err != nil {
		err = fmt.Errorf("write outputs: %w", err)
		if !o.DryRun {
			// Cancelled or not, the ledger must not keep lines that
			// reached nobody.
			err = lr.unclaim(context.WithoutCancel(ctx), err, runID, asOf)
		}
		return nil, err
	}
	log.Info("wrote outputs", "files", len(written), "seconds", time.Since(phase).Seconds())
	if !o.DryRun {
		if err := lr.commit(ctx, runID, asOf, lines, append([]source.File{trackFile}, accFiles...), inputs, written, outs, recDir, recOut); err != nil {
			return nil, err
		}
		purge(ctx, lr, log, today)
	}
	for _, w := range written {
		if w.Beside {
			log.Warn("output written beside a changed file", "file", w.Name, "note", w.Note)
		}
	}
	log.Info("run completed", "lines", len(lines), "findings", len(res.Findings),
		"errors", countSeverity(res.Findings, finding.Error), "warnings", countSeverity(res.Findings, finding.Warning),
		"dry_run", o.DryRun, "output", outDir, "seconds", time.Since(started).Seconds())
	return &Outcome{RunID: runID, Period: p, AsOf: asOf, Lines: lines, Findings: res.Findings, Written: written, Summary: summary, OutDir: outDir,
		Files: writtenFiles(written)}, nil
}

// writtenFiles names the workbooks as written. A sink writes the outputs in
// the order given and all of them or fails, and buildOutputs puts the
// invoice basis, reconciliation and provider report first, in that order.
func writtenFiles(written []source.Written) Files {
	var names [3]string
	for i := range min(len(written), len(names)) {
		names[i] = written[i].Name
	}
	return Files{Invoice: names[0], Reconciliation: names[1], Provider: names[2]}
}

// readKey reads the configured pseudonymisation key.
func readKey(ctx context.Context, o Options) (*pseudonym.Keyer, error) {
	cfg := o.Config
	if o.Secrets == nil {
		return nil, fmt.Errorf("%w: no secrets source for kind %q", ErrConfig, cfg.Secrets.Kind)
	}
	secret, err := o.Secrets.Get(ctx, cfg.PseudonymKeyName())
	if err != nil {
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	keyer, err := pseudonym.New(secret)
	if err != nil {
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	return keyer, nil
}

// computed is what readAndCompute read and computed.
type computed struct {
	trackFile source.File
	accFiles  []source.File
	wb        *tracking.Workbook
	acc       *accrual.Data
	res       billing.Result
}

// openRun opens what Run and Explain both start from: the pseudonymisation
// key, the source and sink, and the ledger with finance's decisions applied
// (committed only by a run), checked to be under this key — under another
// key every line id differs. closeAll releases them.
func openRun(ctx context.Context, o Options, log *slog.Logger, p period.Month) (
	keyer *pseudonym.Keyer, src source.Source, sink source.Sink, lr *ledgerRun, closeAll func(), err error) {
	if keyer, err = readKey(ctx, o); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if src, sink, err = OpenSource(ctx, o); err != nil {
		return nil, nil, nil, nil, nil, err
	}
	if lr, err = startLedger(ctx, o, log, sink, p); err != nil {
		src.Close()
		return nil, nil, nil, nil, nil, err
	}
	closeAll = func() { lr.Close(); src.Close() }
	if err = lr.snap.Ledger.CheckKey(ledger.KeyID(keyer)); err != nil {
		closeAll()
		return nil, nil, nil, nil, nil, err
	}
	return keyer, src, sink, lr, closeAll, nil
}

// readAndCompute reads the tracking workbook and the accrual lists from src
// and applies the billing rules for p as of asOf: the one input pipeline of
// Run and Explain, so that explain answers for what a run computes.
func readAndCompute(ctx context.Context, o Options, src source.Source, p period.Month, asOf civil.Date, keyer *pseudonym.Keyer, log *slog.Logger) (*computed, error) {
	// The readers' notes (a worksheet read with encoding/xml) go to the
	// run's logger: slog.Default is not the configured one.
	ctx = sheet.WithLogger(ctx, log)
	trackFile, err := src.Tracking(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracking workbook: %w", err)
	}
	accFiles, err := src.Accruals(ctx)
	if err != nil {
		return nil, fmt.Errorf("accrual lists: %w", err)
	}
	// The workbook is read while the lists are: on two cores the lists'
	// readers leave room, and neither depends on the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wb     *tracking.Workbook
		wbErr  error
		wbDone = make(chan struct{})
	)
	go func() {
		defer close(wbDone)
		start := time.Now()
		if wb, wbErr = tracking.Read(ctx, trackFile.Path, trackFile.Name); wbErr != nil {
			cancel()
			return
		}
		log.Info("read tracking workbook", "file", trackFile.Name, "rows", wb.Rows, "seconds", time.Since(start).Seconds())
	}()
	start := time.Now()
	bar := progress.New("accrual lists", len(accFiles), progress.Options{Log: log})
	acc, err := accrual.Read(accrual.WithProgress(ctx, bar.File), accFiles)
	bar.Close()
	if err != nil {
		cancel()
	}
	<-wbDone
	// The first failure cancels the other reader, which then reports only
	// that it was cancelled: return the error that says what went wrong.
	if wbErr != nil && (err == nil || !errors.Is(wbErr, context.Canceled)) {
		return nil, wbErr
	}
	if err != nil {
		return nil, err
	}
	log.Info("read accrual lists", "files", len(acc.Files), "persons", len(acc.Persons), "seconds", time.Since(start).Seconds())
	start = time.Now()
	res := billing.Compute(billing.Input{
		Config:   o.Config,
		Period:   p,
		AsOf:     asOf,
		Tracking: wb,
		Accruals: acc,
		Key:      keyer.Key,
	})
	log.Info("computed billing", "clients", len(wb.Clients), "lines", len(res.Lines), "findings", len(res.Findings), "seconds", time.Since(start).Seconds())
	return &computed{trackFile: trackFile, accFiles: accFiles, wb: wb, acc: acc, res: res}, nil
}

// outputBytes is the outputs' total size.
func outputBytes(outs []source.Output) int {
	n := 0
	for _, o := range outs {
		n += len(o.Data)
	}
	return n
}

// buildOutputs renders every output before anything is written, so a failure
// leaves no half-written set.
func buildOutputs(in *report.Input) ([]source.Output, []byte, error) {
	invName, recName, provName := report.FileNames(in.Config.Area, in.Period)
	type part struct {
		name string
		fn   func(*report.Input) ([]byte, error)
	}
	var outs []source.Output
	var files []report.OutputFile
	// The workbooks are independent and each mostly compresses on one core.
	parts := []part{{invName, report.InvoiceBasis}, {recName, report.Reconciliation}, {provName, report.Provider}}
	built, errs := make([][]byte, len(parts)), make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { built[i], errs[i] = p.fn(in) })
	}
	wg.Wait()
	for i, p := range parts {
		data, err := built[i], errs[i]
		if err != nil {
			return nil, nil, fmt.Errorf("build %s: %w", p.name, err)
		}
		outs = append(outs, source.Output{Name: p.name, Data: data})
		sum := sha256.Sum256(data)
		files = append(files, report.OutputFile{Name: p.name, SHA256: hex.EncodeToString(sum[:])})
	}
	summary, err := report.Summary(in, files)
	if err != nil {
		return nil, nil, fmt.Errorf("build run-summary.json: %w", err)
	}
	outs = append(outs, source.Output{Name: "run-summary.json", Data: summary})
	return outs, summary, nil
}

// OpenSource opens the configured source of inputs and sink of outputs: a
// local folder, or what o.Remote opens with o.Secrets. Close the source when
// done.
func OpenSource(ctx context.Context, o Options) (source.Source, source.Sink, error) {
	cfg := o.Config
	switch cfg.Source.Kind {
	case "local":
		l := &source.Local{TrackingPath: cfg.Source.Tracking, AccrualDir: cfg.Source.Accruals, OutputRoot: cfg.Source.Output}
		return l, l, nil
	default:
		if o.Remote == nil {
			return nil, nil, fmt.Errorf("%w: source kind %q is not available in this build", ErrConfig, cfg.Source.Kind)
		}
		return o.Remote(ctx, cfg, o.Secrets)
	}
}

// ReadTracking reads the tracking workbook from src.
func ReadTracking(ctx context.Context, src source.Source) (source.File, *tracking.Workbook, error) {
	f, err := src.Tracking(ctx)
	if err != nil {
		return source.File{}, nil, fmt.Errorf("tracking workbook: %w", err)
	}
	wb, err := tracking.Read(ctx, f.Path, f.Name)
	if err != nil {
		return source.File{}, nil, err
	}
	return f, wb, nil
}

// runIDOf identifies a run by what it computed from: the configuration,
// period, as-of date, input bytes and what the ledger says was billed before
// P. The same inputs and ledger give the same id, so a rerun writes
// byte-identical outputs; a different billed-before (finance rejected an
// earlier period, say) gives a different invoice basis and so a new id, which
// approval matching relies on.
func runIDOf(cfg *config.Config, p period.Month, asOf civil.Date, inputs []report.InputFile, billedBefore []ledger.Line) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", cfg.Area, cfg.Hash, p, asOf)
	for _, f := range inputs {
		fmt.Fprintf(h, "%s\x00%s\x00", f.Name, f.SHA256)
	}
	for _, l := range billedBefore {
		fmt.Fprintf(h, "%s\x00%s\x00", l.ID, l.Amount.String())
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func countSeverity(fs []finding.Finding, s finding.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// purge applies retention after a committed run (SPEC §1: the job itself
// deletes what is past its keeping time). A failure is logged, not fatal:
// the billing is committed, and tyomatka purge can finish the deletion.
func purge(ctx context.Context, lr *ledgerRun, log *slog.Logger, today civil.Date) {
	rep, err := privacy.Purge(ctx, lr.st, lr.o.Config, privacy.PurgeOptions{Today: today, StartedBy: audit.StartedBy(lr.o.Getenv), Version: lr.o.Version})
	if err != nil {
		log.Warn("retention purge failed; run tyomatka purge", "error", err.Error())
		return
	}
	if rep.Deleted() {
		periods := make([]string, len(rep.Periods))
		for i, p := range rep.Periods {
			periods[i] = p.String()
		}
		log.Info("retention purge deleted expired periods", "periods", periods, "objects", len(rep.Objects))
	}
}
