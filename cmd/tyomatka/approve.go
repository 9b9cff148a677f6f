package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/report"
	"tyomatka/internal/run"
)

// ledgerFlags are the flags approve, audit and explain share.
type ledgerFlags struct {
	fs        *flag.FlagSet
	cfgPath   *string
	period    *string
	logFormat *string
}

var ledgerSynopsis = map[string]string{
	"approve": "--config FILE --period YYYY-MM",
	"audit":   "--config FILE [--period YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD]",
	"explain": "--config FILE --code TM-0042 [--period YYYY-MM] [--as-of YYYY-MM-DD]",
}

func newLedgerFlags(name string, stderr io.Writer) *ledgerFlags {
	fs := newFlagSet(name, ledgerSynopsis[name], stderr)
	return &ledgerFlags{
		fs:        fs,
		cfgPath:   fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)"),
		period:    fs.String("period", "", "billing month `YYYY-MM`"),
		logFormat: logFlag(fs),
	}
}

// parse parses args; help reports -h (already printed).
func (f *ledgerFlags) parse(name string, args []string) (help bool, err error) {
	if help, err := parseFlags(f.fs, args); help || err != nil {
		return help, err
	}
	if *f.cfgPath == "" {
		return false, usageError{fmt.Sprintf("%s: --config is required, e.g. tyomatka %s --config jobs/lahti.toml", name, name)}
	}
	return false, checkLog(name, *f.logFormat)
}

func (f *ledgerFlags) month(name string) (period.Month, error) {
	if *f.period == "" {
		return period.Month{}, nil
	}
	p, err := period.Parse(*f.period)
	if err != nil {
		return period.Month{}, usageError{fmt.Sprintf("%s: --period %q: want YYYY-MM with month 01-12, e.g. 2026-10", name, *f.period)}
	}
	return p, nil
}

// env opens the command's environment from the parsed flags (openEnv).
func (f *ledgerFlags) env(ctx context.Context, need envNeeds, stderr io.Writer, getenv func(string) string) (run.Options, func(), error) {
	return openEnv(ctx, *f.cfgPath, *f.logFormat, need, stderr, getenv)
}

// cmdApprove reads finance's decision on one period's invoice basis and
// seals or releases the period in the ledger.
func cmdApprove(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newLedgerFlags("approve", stderr)
	if help, err := f.parse("approve", args); help || err != nil {
		return err
	}
	p, err := f.month("approve")
	if err != nil {
		return err
	}
	if p.IsZero() {
		return usageError{"approve: --period is required, e.g. tyomatka approve --config jobs/lahti.toml --period 2026-05"}
	}
	// Approve only reads finance's decision, never the pseudonymisation key.
	o, closeFn, err := f.env(ctx, envNeeds{secrets: secretsStore}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeFn()
	st, err := run.Approve(ctx, o, p)
	if err != nil {
		return err
	}
	switch st {
	case ledger.Sealed:
		fmt.Fprintf(stdout, "Period %s is sealed (approved): it will never be recomputed\n", p)
	case ledger.Released:
		fmt.Fprintf(stdout, "Period %s is released (rejected): its lines are due again in the next run\n", p)
	default:
		inv, _, _ := report.FileNames(o.Config.Area, p)
		fmt.Fprintf(stdout, "Period %s is %s: no decision yet in %s, sheet %s (%s with approver %s and date %s, or %s with approver, in %s)\n",
			p, st, inv, report.SheetApproval, report.DecisionApproved, report.ApprovalApproverCell, report.ApprovalDateCell, report.DecisionRejected, report.ApprovalDecisionCell)
	}
	return nil
}
