package main

import (
	"context"
	"errors"
	"flag"
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
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)")
	periodFlag := fs.String("period", "", "billing month `YYYY-MM` (default: the month before the as-of date)")
	asOfFlag := fs.String("as-of", "", "run date `YYYY-MM-DD` (default: today in Europe/Helsinki)")
	dryRun := fs.Bool("dry-run", false, "compute and write outputs, but record nothing in the ledger")
	outDir := fs.String("out", "", "write the outputs straight into this `folder` instead of <output>/<period>/")
	logFormat := fs.String("log", "", "log format: json or text (default: json when not on a terminal)")
	startProfile := profileFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("run: unexpected argument %q", fs.Arg(0))}
	}
	if *cfgPath == "" {
		return usageError{"run: --config is required, e.g. tyomatka run --config jobs/lahti.toml"}
	}
	opts := run.Options{DryRun: *dryRun, OutDir: *outDir, Version: Version(), Getenv: getenv}
	if *periodFlag != "" {
		p, err := period.Parse(*periodFlag)
		if err != nil {
			return usageError{fmt.Sprintf("run: --period: %v", err)}
		}
		opts.Period = p
	}
	if *asOfFlag != "" {
		d, err := civil.ParseDate(*asOfFlag)
		if err != nil {
			return usageError{fmt.Sprintf("run: --as-of %q: want YYYY-MM-DD", *asOfFlag)}
		}
		opts.AsOf = d
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	opts.Config = cfg
	opts.Log = newLogger(stderr, *logFormat, getenv)
	sec, err := openSecrets(ctx, cfg, getenv)
	if err != nil {
		return err
	}
	defer sec.Close()
	opts.Secrets = sec
	opts.Remote = openRemote(getenv, opts.Log)

	stopProfile, err := startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	out, err := run.Run(ctx, opts)
	if err != nil {
		return err
	}
	printOutcome(stdout, out)
	return nil
}

func printOutcome(w io.Writer, out *run.Outcome) {
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
	fmt.Fprintf(w, "Period %s (as of %s), run %s\n", out.Period, out.AsOf, out.RunID)
	fmt.Fprintf(w, "Lines: %d (%s), amount %s EUR excl. VAT\n", len(out.Lines), strings.Join(parts, ", "), total.StringFixed(2))
	fmt.Fprintf(w, "Findings: %d errors, %d warnings, %d info — see the Havainnot sheet\n", sev[finding.Error], sev[finding.Warning], sev[finding.Info])
	fmt.Fprintf(w, "Outputs in %s:\n", out.OutDir)
	for _, o := range out.Written {
		note := ""
		if o.Beside {
			note = "  (written beside a file someone changed)"
		}
		fmt.Fprintf(w, "  %s%s\n", o.Name, note)
	}
}

func isConfigError(err error) bool {
	var ce *config.Error
	return errors.As(err, &ce) || errors.Is(err, run.ErrConfig)
}
