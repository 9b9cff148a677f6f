package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/privacy"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
	"tyomatka/internal/source"
)

// stdin is where subject reads the identity code unless --in names a file;
// tests replace it.
var stdin io.Reader = os.Stdin

// cmdSubject answers a data subject's access request: what the bot's state
// holds about the person whose identity code is read from stdin or a file.
// The code never comes from the command line, which lands in shell history
// and process lists.
func cmdSubject(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("subject", "--config FILE [--in FILE] [--out DIR] < code.txt", stderr)
	cfgPath := fs.String("config", "", "area configuration `file` (e.g. jobs/lahti.toml)")
	in := fs.String("in", "", "read the identity code from this `file` instead of stdin")
	out := fs.String("out", ".", "write the answer (JSON and workbook) into this `folder`")
	logFormat := logFlag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{"subject: " + err.Error()}
	}
	if fs.NArg() > 0 {
		// Never echo the argument: it may be the identity code itself.
		return usageError{"subject: unexpected argument; the identity code is read from stdin or --in FILE, never from the command line"}
	}
	if err := checkLog("subject", *logFormat); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageError{"subject: --config is required, e.g. echo … | tyomatka subject --config jobs/lahti.toml"}
	}
	var r io.Reader = stdin
	src := "stdin"
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("subject: open %s: %w", *in, err)
		}
		defer f.Close()
		r, src = f, *in
	}
	code, err := readOneCode(r, src)
	if err != nil {
		return err
	}
	o, closeEnv, err := openEnv(ctx, *cfgPath, *logFormat, envNeeds{secrets: secretsKey, state: true, areaLog: true}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeEnv()
	cfg, log := o.Config, o.Log
	keyer, err := configuredKeyer(ctx, cfg, o.Secrets, "")
	if err != nil {
		return err
	}
	srcs, closeSrc, err := subjectSources(ctx, o)
	if err != nil {
		return err
	}
	defer closeSrc()
	a, err := privacy.SubjectOf(ctx, o.State, cfg.Area, keyer, code, period.Today(time.Now(), cfg.Location), srcs)
	if err != nil {
		return err
	}
	jsonPath, xlsxPath, err := privacy.WriteFiles(*out, a)
	if err != nil {
		return err
	}
	// The log gets counts only: client codes and numbers stay in the answer.
	log.Info("subject access answer written", "key_prefix", a.Key[:12], "held", a.Held, "lines", len(a.Lines),
		"outputs", len(a.Outputs), "runs", len(a.Runs), "unreadable_outputs", len(a.Unreadable))
	switch {
	case !a.Held && !a.Complete:
		fmt.Fprintf(stdout, "Incomplete: nothing found in what could be read of %s, but %d output files could not be read, so the answer is not \"nothing held\" (key %s…)\n",
			cfg.Area, len(a.Unreadable), a.Key[:12])
	case !a.Held:
		fmt.Fprintf(stdout, "Nothing held: neither the ledger, the audit trail nor any output of %s carries this person (key %s…)\n", cfg.Area, a.Key[:12])
	default:
		fmt.Fprintf(stdout, "Held: %d lines in %d billing periods, named in %d output files, %d runs; client code(s) %s (key %s…)\n",
			len(a.Lines), a.LinePeriods(), len(a.Outputs), len(a.Runs), strings.Join(a.ClientCodes, ", "), a.Key[:12])
		for _, o := range a.Outputs {
			var sheets []string
			for _, x := range o.Sheets {
				sheets = append(sheets, fmt.Sprintf("%s: %d rows", x.Sheet, x.Rows))
			}
			if o.Sheets == nil {
				sheets = []string{"not read back"}
			}
			fmt.Fprintf(stdout, "  %s  %s  %s\n", o.Period, o.Written, strings.Join(sheets, ", "))
		}
	}
	if !a.Complete {
		fmt.Fprintf(stdout, "The answer is incomplete: these output files could not be read back:\n")
		for _, u := range a.Unreadable {
			fmt.Fprintf(stdout, "  %s  %s  %s\n", u.Period, u.Written, u.Error)
		}
	}
	fmt.Fprintf(stdout, "Answer: %s\n        %s\n", jsonPath, xlsxPath)
	return nil
}

// subjectSources opens the configured source as run does: the tracking
// workbook says which client codes and numbers are the person's, and the
// sink reads back the outputs the ledger recorded.
func subjectSources(ctx context.Context, o run.Options) (privacy.Sources, func(), error) {
	src, sink, err := run.OpenSource(ctx, o)
	if err != nil {
		return privacy.Sources{}, nil, err
	}
	closeFn := func() { src.Close() }
	_, wb, err := run.ReadTracking(ctx, src)
	if err != nil {
		closeFn()
		return privacy.Sources{}, nil, fmt.Errorf("subject: %w", err)
	}
	srcs := privacy.Sources{Tracking: wb}
	srcs.Fetch = func(ctx context.Context, rec *ledger.Period, name string) ([]byte, error) {
		s := sink
		if rec.OutDir != "" {
			s = &source.Local{OutputRoot: rec.OutDir}
		}
		f, ok := s.(source.Fetcher)
		if !ok {
			return nil, fmt.Errorf("the output location cannot be read back")
		}
		data, _, err := f.Fetch(ctx, rec.Dir, name)
		return data, err
	}
	return srcs, closeFn, nil
}

// readOneCode reads exactly one identity code: one non-blank line. Errors
// name what is wrong, never the text read.
func readOneCode(r io.Reader, src string) (hetu.Code, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 4096))
	var lines []string
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			lines = append(lines, s)
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("subject: read %s: %w", src, err)
	}
	switch len(lines) {
	case 0:
		return "", usageError{fmt.Sprintf("subject: no identity code in %s; give exactly one, e.g. from a file with --in", src)}
	case 1:
	default:
		return "", usageError{fmt.Sprintf("subject: %s holds %d lines; give exactly one identity code", src, len(lines))}
	}
	c, err := hetu.Parse(lines[0])
	if err != nil {
		// hetu's sentinels describe the problem without repeating the code.
		return "", usageError{fmt.Sprintf("subject: the identity code in %s is not valid: %v", src, err)}
	}
	return c, nil
}

// configuredKeyer returns the pseudonym key the configuration names, or
// the one name names (read through the same secrets source).
func configuredKeyer(ctx context.Context, cfg *config.Config, sec secrets.Getter, name string) (*pseudonym.Keyer, error) {
	if name == "" {
		name = cfg.PseudonymKeyName()
	}
	secret, err := sec.Get(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	if err := checkKeyLength(name, secret); err != nil {
		return nil, err
	}
	k, err := pseudonym.New(secret)
	if err != nil {
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	return k, nil
}
