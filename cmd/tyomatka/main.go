// Command tyomatka is the TyöMatka billing bot: it reconciles the tracking
// workbook with Kela's accrual lists and writes the invoice basis, the
// reconciliation report and the provider's report of a billing month.
//
// Exit status: 0 the command completed (data findings are results, not
// failures); 1 an access, input-file or infrastructure failure, or a lost
// ledger race; 2 a configuration or usage error. Each failure prints one line
// saying what and where: "tyomatka: error: …", or "tyomatka: usage: …" for a
// command-line mistake.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"tyomatka/internal/ledger"

	// Europe/Helsinki must resolve on a distroless or scratch image too: the
	// run date D and the default period depend on it.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := Main(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks command-line mistakes (exit status 2). msg may go on with
// further lines (the command list).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: tyomatka <command> [flags]

commands:
  run       compute one area's billing month: tyomatka run --config jobs/lahti.toml [--period YYYY-MM] [--as-of YYYY-MM-DD] [--dry-run] [--out DIR]
  run-all   run this Cloud Run task's share of every area in a jobs folder: tyomatka run-all --jobs jobs/
  approve   apply finance's decision on a period's invoice basis: tyomatka approve --config jobs/lahti.toml --period YYYY-MM
  audit     print the ledger, a period's history, or the use log of a date range: tyomatka audit --config jobs/lahti.toml [--period YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD]
  explain   explain one client's lines and findings: tyomatka explain --config jobs/lahti.toml --code TM-0042 [--period YYYY-MM]
  subject   answer a subject access request (identity code from stdin or a file): tyomatka subject --config jobs/lahti.toml [--in FILE] [--out DIR] < code.txt
  purge     delete what is past its keeping time from the state store: tyomatka purge --config jobs/lahti.toml [--dry-run]
  rekey     move the ledger to a new pseudonymisation key: tyomatka rekey --config jobs/lahti.toml --new-key NAME [--old-key NAME] [--force]
  generate  write synthetic sample or scale data: tyomatka generate -clients N -months M -last YYYY-MM -out DIR
  version   print the binary's version

Run "tyomatka <command> -h" for a command's flags.`

// Main runs the command line args and returns its error; only main exits.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return usageError{"no command given\n\n" + usage}
	}
	switch args[0] {
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr, getenv)
	case "run-all":
		return cmdRunAll(ctx, args[1:], stdout, stderr, getenv)
	case "approve":
		return cmdApprove(ctx, args[1:], stdout, stderr, getenv)
	case "audit":
		return cmdAudit(ctx, args[1:], stdout, stderr, getenv)
	case "explain":
		return cmdExplain(ctx, args[1:], stdout, stderr, getenv)
	case "subject":
		return cmdSubject(ctx, args[1:], stdout, stderr, getenv)
	case "purge":
		return cmdPurge(ctx, args[1:], stdout, stderr, getenv)
	case "rekey":
		return cmdRekey(ctx, args[1:], stdout, stderr, getenv)
	case "generate", "gen":
		return cmdGenerate(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fs := newFlagSet("version", "", stderr)
		if help, err := parseFlags(fs, args[1:]); help || err != nil {
			return err
		}
		fmt.Fprintln(stdout, "tyomatka", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var (
		ue usageError
		ke *keyLengthError
	)
	switch {
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "tyomatka: usage:", ue.msg)
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "tyomatka: interrupted; nothing half-written was left behind")
		return 130
	case isConfigError(err), errors.As(err, &ke), errors.Is(err, ledger.ErrNotIssued):
		fmt.Fprintln(stderr, "tyomatka: error:", err)
		return 2
	}
	fmt.Fprintln(stderr, "tyomatka: error:", err)
	return 1
}
