package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/config"
	"tyomatka/internal/finding"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("run", "--config FILE [--period YYYY-MM] [--as-of YYYY-MM-DD] [--dry-run] [--out DIR]", stderr)
	cfgPath := fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)")
	periodFlag := fs.String("period", "", "billing month `YYYY-MM` (default: the month before the as-of date)")
	asOfFlag := fs.String("as-of", "", "run date `YYYY-MM-DD` (default: today in Europe/Helsinki)")
	dryRun := fs.Bool("dry-run", false, "compute and write outputs, but record nothing in the ledger")
	outDir := fs.String("out", "", "write the outputs straight into this `folder` instead of <output>/<period>/")
	logFormat := logFlag(fs)
	startProfile := profileFlags(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := checkLog("run", *logFormat); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageError{"run: --config is required, e.g. tyomatka run --config jobs/lahti.toml"}
	}
	var p period.Month
	if *periodFlag != "" {
		var err error
		if p, err = period.Parse(*periodFlag); err != nil {
			return usageError{fmt.Sprintf("run: --period %q: want YYYY-MM with month 01-12, e.g. 2026-10", *periodFlag)}
		}
	}
	var asOf civil.Date
	if *asOfFlag != "" {
		var err error
		if asOf, err = civil.ParseDate(*asOfFlag); err != nil {
			return usageError{fmt.Sprintf("run: --as-of %q: want YYYY-MM-DD", *asOfFlag)}
		}
	}
	// run.Run tags its log with the area itself.
	opts, closeEnv, err := openEnv(ctx, *cfgPath, *logFormat, envNeeds{secrets: secretsKey}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeEnv()
	opts.Period, opts.AsOf, opts.DryRun, opts.OutDir = p, asOf, *dryRun, *outDir

	limitMemory(getenv)
	stopProfile, err := startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	out, err := run.Run(ctx, opts)
	if err != nil {
		return err
	}
	printOutcome(stdout, out, *dryRun, *cfgPath)
	return nil
}

// printOutcome tells the operator what the run did and, after a real run,
// what happens next. dryRun and cfgPath come from the command line.
func printOutcome(w io.Writer, out *run.Outcome, dryRun bool, cfgPath string) {
	if out.Sealed {
		fmt.Fprintf(w, "Period %s is sealed (approved by finance): nothing was recomputed or written\n", out.Period)
		return
	}
	total := decimal.Zero
	byType := map[billing.LineType]int{}
	for _, l := range out.Lines {
		total = total.Add(l.Amount)
		byType[l.Type]++
	}
	var parts []string
	for _, t := range append(billing.LineTypes, billing.Correction) {
		if n := byType[t]; n > 0 || t != billing.Correction {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	sev := map[finding.Severity]int{}
	for _, f := range out.Findings {
		sev[f.Severity]++
	}
	kind := "run " + out.RunID
	if dryRun {
		kind = "dry run " + out.RunID + " (nothing recorded in the ledger)"
	}
	fmt.Fprintf(w, "Period %s (as of %s), %s\n", out.Period, out.AsOf, kind)
	fmt.Fprintf(w, "Lines: %d (%s), amount %s EUR excl. VAT\n", len(out.Lines), strings.Join(parts, ", "), total.StringFixed(2))
	fmt.Fprintf(w, "Findings: %s, %s, %s — see sheet Havainnot in %s\n",
		plural(sev[finding.Error], "error", "errors"), plural(sev[finding.Warning], "warning", "warnings"), plural(sev[finding.Info], "info", "info"), orWhat(out.Files.Reconciliation, "the reconciliation report"))
	fmt.Fprintf(w, "Outputs in %s:\n", out.OutDir)
	for _, o := range out.Written {
		note := ""
		if o.Beside {
			note = "  (written beside a file someone changed)"
		}
		fmt.Fprintf(w, "  %s%s\n", o.Name, note)
	}
	if !dryRun {
		fmt.Fprintf(w, "Next: finance reviews %s and fills the Hyväksyntä sheet; the next run (or `tyomatka approve --config %s --period %s`) seals or releases the period.\n",
			orWhat(out.Files.Invoice, "the invoice basis"), cfgPath, out.Period)
	}
}

// orWhat returns the name a workbook was written under, or what it is
// when it was not written.
func orWhat(name, what string) string {
	if name == "" {
		return what
	}
	return name
}

func isConfigError(err error) bool {
	var ce *config.Error
	return errors.As(err, &ce) || errors.Is(err, run.ErrConfig)
}
