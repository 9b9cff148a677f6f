package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"tyomatka/internal/config"
	"tyomatka/internal/gen"
	"tyomatka/internal/logging"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
)

// openSecrets opens the configured secrets source and checks the configured
// pseudonymisation key up front, so that a short key is reported as a
// configuration error naming where it came from rather than deep inside a
// run. The key read is kept, so the run does not fetch it twice.
func openSecrets(ctx context.Context, cfg *config.Config, getenv func(string) string, stderr io.Writer) (secrets.Store, error) {
	s, err := openSecretsStore(ctx, cfg, getenv)
	if err != nil {
		return nil, err
	}
	name := cfg.PseudonymKeyName()
	secret, err := s.Get(ctx, name)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("pseudonymisation key: %w", err)
	}
	if err := checkKeyLength(name, secret); err != nil {
		s.Close()
		return nil, err
	}
	warnShortKey(stderr, name, secret)
	return &keptKey{Store: s, name: name, secret: secret}, nil
}

// openSecretsStore opens the configured secrets source without reading the
// pseudonymisation key (approve and rekey need it only sometimes).
func openSecretsStore(ctx context.Context, cfg *config.Config, getenv func(string) string) (secrets.Store, error) {
	// secrets' errors start with "secrets:" and failing to reach the source
	// is an access failure (exit 1), not a mistake in the configuration.
	return secrets.Open(ctx, cfg.Secrets.Kind, getenv)
}

// secretsNeed is how much of the secrets source a command needs.
type secretsNeed int

const (
	noSecrets    secretsNeed = iota // the command reads no secret
	secretsStore                    // opened, no key read: the command reads keys itself, if at all
	secretsKey                      // opened, and the configured key checked up front (openSecrets)
)

// envNeeds says what a command's environment holds besides its
// configuration and logger.
type envNeeds struct {
	secrets secretsNeed
	// state opens the configured state store into Options.State.
	state bool
	// areaLog tags the logger with the area, for commands whose logging the
	// run package does not tag itself.
	areaLog bool
}

// openEnv is every command's environment: it loads the configuration, makes
// the logger and opens what need asks for, in that order, so that each
// command fails on the same step for the same mistake. The Options carry
// them with the version, getenv and the remote source factory; close
// releases what was opened.
func openEnv(ctx context.Context, cfgPath, logFormat string, need envNeeds, stderr io.Writer, getenv func(string) string) (run.Options, func(), error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return run.Options{}, nil, err
	}
	log := newLogger(stderr, logFormat, getenv)
	if need.areaLog {
		log = log.With("area", cfg.Area)
	}
	o := run.Options{Config: cfg, Version: Version(), Getenv: getenv, Log: log, Remote: openRemote(getenv, log)}
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if need.secrets != noSecrets {
		var sec secrets.Store
		if need.secrets == secretsKey {
			sec, err = openSecrets(ctx, cfg, getenv, stderr)
		} else {
			sec, err = openSecretsStore(ctx, cfg, getenv)
		}
		if err != nil {
			return run.Options{}, nil, err
		}
		o.Secrets = sec
		closers = append(closers, func() { sec.Close() })
	}
	if need.state {
		st, closeSt, err := run.OpenState(ctx, cfg, getenv)
		if err != nil {
			closeAll()
			return run.Options{}, nil, err
		}
		o.State = st
		closers = append(closers, closeSt)
	}
	return o, closeAll, nil
}

// keyLengthError: the pseudonymisation key is too short. It is a
// configuration error (exit 2) and names the secret, never its value.
type keyLengthError struct {
	name string
	n    int
}

func (e *keyLengthError) Error() string {
	return fmt.Sprintf("secrets: %s: pseudonymisation key is empty; set it to a long random secret (e.g. openssl rand -base64 48)", e.name)
}

func checkKeyLength(name string, secret []byte) error {
	if len(secret) == 0 {
		return &keyLengthError{name: name, n: len(secret)}
	}
	return nil
}

// warnShortKey says, without failing, that a key is too short for real data:
// test and example keys are short, production keys come from Secret Manager.
func warnShortKey(w io.Writer, name string, secret []byte) {
	if len(secret) < pseudonym.RecommendedKeyBytes {
		fmt.Fprintf(w, "tyomatka: warning: secrets: %s: pseudonymisation key is %d bytes; use at least %d random bytes for real data\n",
			name, len(secret), pseudonym.RecommendedKeyBytes)
	}
}

// keptKey serves the already checked key from memory.
type keptKey struct {
	secrets.Store
	name   string
	secret []byte
}

func (k *keptKey) Get(ctx context.Context, name string) ([]byte, error) {
	if name == k.name {
		return append([]byte(nil), k.secret...), nil
	}
	return k.Store.Get(ctx, name)
}

func cmdGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := gen.Command(ctx, args, stdout, stderr)
	var ue *gen.UsageError
	if errors.As(err, &ue) {
		return usageError{ue.Error()}
	}
	return err
}

// logHelp is the --log flag's help, the same for every command.
const logHelp = "log `format`: json or text (default: json on Cloud Run or when not on a terminal, text on a terminal)"

// logFlag registers --log with the default every command shares: empty, so
// that newLogger picks by where the log goes.
func logFlag(fs *flag.FlagSet) *string { return fs.String("log", "", logHelp) }

// checkLog rejects a --log value newLogger would not honour.
func checkLog(cmd, format string) error {
	switch format {
	case "", logging.FormatJSON, logging.FormatText:
		return nil
	}
	return usageError{fmt.Sprintf("%s: --log %q: want json or text", cmd, format)}
}

// newLogger returns the run's logger: Cloud Logging JSON on Cloud Run or when
// not on a terminal, readable text on a terminal, unless format says.
func newLogger(w io.Writer, format string, getenv func(string) string) *slog.Logger {
	if format == "" {
		format = logging.FormatText
		if f, ok := w.(*os.File); ok {
			format = logging.Auto(f, getenv)
		}
	}
	return logging.New(w, format, slog.LevelInfo).With(logging.Labels(getenv)...)
}

// newFlagSet returns a command's flag set whose -h prints the command's
// synopsis and flags (to stderr, exit status 0).
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), strings.TrimSpace("usage: tyomatka "+name+" "+synopsis))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args; help reports -h (the usage is already printed).
// Any other mistake, and any argument left over, is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{fs.Name() + ": " + err.Error()}
	}
	if fs.NArg() > 0 {
		return false, usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return false, nil
}

// plural returns "1 warning" or "2 warnings".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// by shows who started a run: the local user name ("local:alice" → alice),
// or the Cloud Run execution as recorded.
func by(startedBy string) string {
	if u, ok := strings.CutPrefix(startedBy, "local:"); ok && u != "" {
		return u
	}
	return startedBy
}
