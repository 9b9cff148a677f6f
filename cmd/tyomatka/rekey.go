package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"tyomatka/internal/audit"
	"tyomatka/internal/hetu"
	"tyomatka/internal/privacy"
	"tyomatka/internal/run"
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
	// The configured key may be either of the two (or gone), so it is not
	// checked on opening; configuredKeyer checks each key read. The state
	// store is opened only once both keys and the workbook are read, so a
	// wrong key name leaves no state folder behind.
	o, closeEnv, err := openEnv(ctx, *cfgPath, *logFormat, envNeeds{secrets: secretsStore, areaLog: true}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeEnv()
	cfg, log, sec := o.Config, o.Log, o.Secrets
	oldK, err := configuredKeyer(ctx, cfg, sec, *oldKey)
	if err != nil {
		return fmt.Errorf("rekey: current key: %w", err)
	}
	newK, err := configuredKeyer(ctx, cfg, sec, *newKey)
	if err != nil {
		return fmt.Errorf("rekey: new key: %w", err)
	}
	persons, err := workbookPersons(ctx, o)
	if err != nil {
		return err
	}
	st, closeSt, err := run.OpenState(ctx, cfg, getenv)
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
func workbookPersons(ctx context.Context, o run.Options) ([]hetu.Code, error) {
	src, _, err := run.OpenSource(ctx, o)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	_, wb, err := run.ReadTracking(ctx, src)
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
