package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/privacy"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
	"tyomatka/internal/source"
	"tyomatka/internal/tracking"
)

// cmdRekey moves the ledger to a new pseudonymisation key. Both keys are read
// through the configured secrets source, by name: an environment variable
// (kind env), a file (kind file) or a pinned Secret Manager version (kind
// secretmanager, e.g. projects/p/secrets/s/versions/4). The current key is
// the configured one unless --old-key names it — with Secret Manager's
// "latest" it must be pinned, since adding the new version moves "latest".
func cmdRekey(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("rekey", "--config FILE --new-key NAME [--old-key NAME] [--force]", stderr)
	cfgPath := fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)")
	newKey := fs.String("new-key", "", "the new key's `name` in the configured secrets source (env variable, file, or Secret Manager version)")
	oldKey := fs.String("old-key", "", "the current key's `name` (default: the configured key)")
	force := fs.Bool("force", false, "keep the lines of persons no longer in the tracking workbook under their old key instead of refusing")
	logFormat := logFlag(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if err := checkLog("rekey", *logFormat); err != nil {
		return err
	}
	if *cfgPath == "" || *newKey == "" {
		return usageError{"rekey: --config and --new-key are required, e.g. tyomatka rekey --config jobs/lahti.toml --new-key TYOMATKA_PSEUDONYM_KEY_NEW"}
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(stderr, *logFormat, getenv).With("area", cfg.Area)
	// The configured key may be either of the two (or gone), so it is not
	// checked on opening; configuredKeyer checks each key read.
	sec, err := openSecretsStore(ctx, cfg, getenv)
	if err != nil {
		return err
	}
	defer sec.Close()
	oldK, err := configuredKeyer(ctx, cfg, sec, *oldKey)
	if err != nil {
		return fmt.Errorf("rekey: current key: %w", err)
	}
	newK, err := configuredKeyer(ctx, cfg, sec, *newKey)
	if err != nil {
		return fmt.Errorf("rekey: new key: %w", err)
	}
	persons, err := workbookPersons(ctx, cfg, sec, openRemote(getenv, log))
	if err != nil {
		return err
	}
	st, closeSt, err := run.OpenState(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeSt()
	rep, err := privacy.Rekey(ctx, privacy.RekeyOptions{Store: st, Config: cfg, Old: oldK, New: newK, Persons: persons,
		Force: *force, Today: time.Now(), StartedBy: audit.StartedBy(getenv), Version: Version()})
	if rep != nil {
		for _, u := range rep.Unmapped {
			fmt.Fprintf(stdout, "Not in the tracking workbook: client code(s) %v, %d lines (kept under the old key %s…)\n", u.Codes, u.Lines, u.Key[:12])
		}
	}
	if err != nil {
		return err
	}
	if rep.AlreadyDone {
		fmt.Fprintf(stdout, "The ledger of %s is already under the new key %s; nothing to do\n", cfg.Area, rep.NewKeyID)
		return nil
	}
	fmt.Fprintf(stdout, "The ledger of %s moved from key %s to key %s: %d persons, %d lines, %d line ids kept through aliases; ledger generation %d → %d\n",
		cfg.Area, rep.OldKeyID, rep.NewKeyID, rep.Persons, rep.Lines, rep.Aliases, rep.LedgerBefore, rep.LedgerAfter)
	fmt.Fprintln(stdout, "Configure the new key for the job now: a run with the old key refuses this ledger.")
	log.Info("pseudonym key rotated", "old_key_id", rep.OldKeyID, "new_key_id", rep.NewKeyID, "persons", rep.Persons,
		"lines", rep.Lines, "unmapped", len(rep.Unmapped), "record", rep.Record)
	return nil
}

// workbookPersons reads the identity codes of the tracking workbook, which
// map old keys to new ones.
func workbookPersons(ctx context.Context, cfg *config.Config, sec secrets.Getter,
	remote func(context.Context, *config.Config, secrets.Getter) (source.Source, source.Sink, error)) ([]hetu.Code, error) {
	var src source.Source
	if cfg.Source.Kind == "local" {
		src = &source.Local{TrackingPath: cfg.Source.Tracking, AccrualDir: cfg.Source.Accruals, OutputRoot: cfg.Source.Output}
	} else {
		s, _, err := remote(ctx, cfg, sec)
		if err != nil {
			return nil, err
		}
		src = s
	}
	defer src.Close()
	f, err := src.Tracking(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracking workbook: %w", err)
	}
	wb, err := tracking.Read(ctx, f.Path, f.Name)
	if err != nil {
		return nil, err
	}
	seen := map[hetu.Code]bool{}
	var out []hetu.Code
	add := func(c hetu.Code, ok bool) {
		if ok && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, c := range wb.Clients {
		add(c.Hetu, c.HetuValid)
	}
	for _, c := range wb.Codes {
		add(c.Hetu, c.HetuValid)
	}
	return out, nil
}
