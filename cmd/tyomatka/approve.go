package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
)

// ledgerFlags are the flags approve, audit and explain share.
type ledgerFlags struct {
	fs        *flag.FlagSet
	cfgPath   *string
	period    *string
	logFormat *string
}

func newLedgerFlags(name string, stderr io.Writer) *ledgerFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &ledgerFlags{
		fs:        fs,
		cfgPath:   fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)"),
		period:    fs.String("period", "", "billing month `YYYY-MM`"),
		logFormat: fs.String("log", "text", "log format: json or text"),
	}
}

// parse parses args; errHelp reports -h (already printed).
func (f *ledgerFlags) parse(name string, args []string) (help bool, err error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{err.Error()}
	}
	if f.fs.NArg() > 0 {
		return false, usageError{fmt.Sprintf("%s: unexpected argument %q", name, f.fs.Arg(0))}
	}
	if *f.cfgPath == "" {
		return false, usageError{fmt.Sprintf("%s: --config is required, e.g. tyomatka %s --config jobs/lahti.toml", name, name)}
	}
	return false, nil
}

func (f *ledgerFlags) month(name string) (period.Month, error) {
	if *f.period == "" {
		return period.Month{}, nil
	}
	p, err := period.Parse(*f.period)
	if err != nil {
		return period.Month{}, usageError{fmt.Sprintf("%s: --period: %v", name, err)}
	}
	return p, nil
}

// options loads the configuration and, when needSecrets, the secrets.
func (f *ledgerFlags) options(ctx context.Context, stderr io.Writer, getenv func(string) string, needSecrets bool) (run.Options, func(), error) {
	cfg, err := config.Load(*f.cfgPath)
	if err != nil {
		return run.Options{}, nil, err
	}
	o := run.Options{Config: cfg, Version: Version(), Getenv: getenv, Log: newLogger(stderr, *f.logFormat, getenv)}
	o.Remote = openRemote(getenv, o.Log)
	closeFn := func() {}
	if needSecrets {
		var sec secrets.Store
		if sec, err = openSecrets(ctx, cfg, getenv); err != nil {
			return run.Options{}, nil, err
		}
		o.Secrets = sec
		closeFn = func() { sec.Close() }
	}
	return o, closeFn, nil
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
	o, closeFn, err := f.options(ctx, stderr, getenv, true)
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
		fmt.Fprintf(stdout, "Period %s is %s: no complete decision (Hyväksytty with approver and date, or Hylätty) in its invoice basis yet\n", p, st)
	}
	return nil
}
