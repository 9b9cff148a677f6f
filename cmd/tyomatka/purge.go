package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/period"
	"tyomatka/internal/privacy"
)

// cmdPurge deletes what is past its keeping time from the state store (the
// job also does this after every run).
func cmdPurge(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("purge", "--config FILE [--dry-run]", stderr)
	cfgPath := fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)")
	dryRun := fs.Bool("dry-run", false, "report what would be deleted, delete nothing")
	logFormat := logFlag(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := checkLog("purge", *logFormat); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageError{"purge: --config is required, e.g. tyomatka purge --config jobs/lahti.toml --dry-run"}
	}
	o, closeEnv, err := openEnv(ctx, *cfgPath, *logFormat, envNeeds{state: true, areaLog: true}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeEnv()
	cfg, log, st := o.Config, o.Log, o.State
	now := time.Now()
	rep, err := privacy.Purge(ctx, st, cfg, privacy.PurgeOptions{Today: period.Today(now, cfg.Location), DryRun: *dryRun,
		Now: now, StartedBy: audit.StartedBy(getenv), Version: Version()})
	if err != nil {
		return err
	}
	verb := "Deleted"
	if rep.DryRun {
		verb = "Would delete"
	}
	switch {
	case rep.All:
		fmt.Fprintf(stdout, "The register's deletion date %s has come: everything of %s is deleted from the state store.\n", cfg.Retention.DeleteBy, cfg.Area)
	default:
		fmt.Fprintf(stdout, "Retention for %s: periods are kept %d full years after their year's end; deletion date %s.\n",
			cfg.Area, cfg.Retention.KeepYears, cfg.Retention.DeleteBy)
	}
	if !rep.Deleted() {
		fmt.Fprintln(stdout, "Nothing is past its keeping time.")
		return nil
	}
	fmt.Fprintf(stdout, "%s %d ledger periods:", verb, len(rep.Periods))
	for _, p := range rep.Periods {
		fmt.Fprintf(stdout, " %s", p)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "%s %d objects:\n", verb, len(rep.Objects))
	for _, n := range rep.Objects {
		fmt.Fprintf(stdout, "  %s\n", n)
	}
	log.Info("retention purge", "dry_run", rep.DryRun, "all", rep.All, "periods", len(rep.Periods), "objects", len(rep.Objects), "record", rep.Record)
	return nil
}
