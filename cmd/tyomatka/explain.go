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
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
	"tyomatka/internal/tracking"
)

// cmdExplain prints, for one client code, every line billed, due, pending or
// refused and the data behind it: what a unit head or finance asks when a
// figure looks wrong. It names the client by code only.
func cmdExplain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newLedgerFlags("explain", stderr)
	code := f.fs.String("code", "", "client `code` exactly as in Muunto, e.g. TM-0042")
	asOfFlag := f.fs.String("as-of", "", "run date D `YYYY-MM-DD` (default: the as-of date the ledger recorded for the period's run, else today)")
	if help, err := f.parse("explain", args); help || err != nil {
		return err
	}
	// Every flag is checked before anything is read or logged.
	if strings.TrimSpace(*code) == "" {
		return usageError{"explain: --code is required, e.g. tyomatka explain --config jobs/lahti.toml --code TM-0042"}
	}
	p, err := f.month("explain")
	if err != nil {
		return err
	}
	var asOf civil.Date
	if *asOfFlag != "" {
		if asOf, err = civil.ParseDate(*asOfFlag); err != nil {
			return usageError{fmt.Sprintf("explain: --as-of %q: want YYYY-MM-DD", *asOfFlag)}
		}
	}
	o, closeFn, err := f.env(ctx, envNeeds{secrets: secretsKey}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeFn()
	o.Period, o.AsOf = p, asOf
	x, err := run.Explain(ctx, o, strings.TrimSpace(*code))
	var uc *run.UnknownCodeError
	if errors.As(err, &uc) {
		return usageError{"explain: " + uc.Error()}
	}
	if err != nil {
		return err
	}
	printExplanation(stdout, o, x)
	return nil
}

func printExplanation(w io.Writer, o run.Options, x *run.Explanation) {
	cfg := o.Config
	asOf := map[string]string{run.AsOfGiven: "given with --as-of", run.AsOfToday: "today",
		run.AsOfLedger: "as recorded for " + x.Period.String() + "'s run in the ledger"}[x.AsOfFrom]
	fmt.Fprintf(w, "Client %s — period %s, as of %s (%s)\n", x.Code, x.Period, x.AsOf, asOf)
	if c := x.Client; c == nil {
		fmt.Fprintln(w, "  not billable (no Asiakkaat row for the code, or the row is skipped: see the findings below)")
	} else {
		fmt.Fprintf(w, "  municipality %s, referred %s\n", c.Municipality, c.Referral)
		fmt.Fprintf(w, "  info %s, start %s, employment %s (%s)\n", date(c.Info), date(c.Start), date(c.Employment), employType(c.EmployType))
		fmt.Fprintf(w, "  verification: %s\n", verification(c))
	}
	fmt.Fprintln(w, "Rules:")
	fmt.Fprintf(w, "  contract %s…%s\n", cfg.Contract.ValidFrom, cfg.Contract.ValidTo)
	fmt.Fprintf(w, "  fees: info %s, start %s, employed open %s / subsidised %s EUR; VAT %s %%\n",
		cfg.Fees.Info.StringFixed(2), cfg.Fees.Start.StringFixed(2), cfg.Fees.EmployedOpen.StringFixed(2), cfg.Fees.EmployedSubsidised.StringFixed(2), cfg.Contract.VATPercent)
	fmt.Fprintf(w, "  verification: %d months after the employment month, at most %s benefit days\n", cfg.Verification.SustainMonths, cfg.Verification.MaxBenefitDays)
	fmt.Fprintf(w, "  effectiveness: baseline %d months, follow-up %d months, share %s %%, cap %s EUR per client\n",
		cfg.Effectiveness.BaselineMonths, cfg.Effectiveness.FollowupMonths, cfg.Effectiveness.SharePercent, cfg.Effectiveness.CapPerClient.StringFixed(2))
	if x.Client != nil {
		fmt.Fprintln(w, "Why each line is or is not billed:")
		for _, r := range x.Reasons {
			if r.Type == billing.Effectiveness {
				continue
			}
			fmt.Fprintf(w, "  %-14s %-10s %s\n", r.Type, date(r.Date), r.Detail)
		}
		explainEffectiveness(w, o, x)
	}

	fmt.Fprintf(w, "Entitled up to %s (%d lines):\n", x.Period, len(x.Entitled))
	for _, l := range x.Entitled {
		fmt.Fprintf(w, "  %s  %-14s %s  %10s  %s\n", l.ID, l.Type, l.Month, l.Amount.StringFixed(2), l.Description)
	}
	fmt.Fprintf(w, "Billed (ledger, %d lines):\n", len(x.Billed))
	for _, l := range x.Billed {
		corr := ""
		if l.Corrects != "" {
			corr = " corrects " + l.Corrects
		}
		fmt.Fprintf(w, "  %s  %-8s %s  %-14s %s  %10s%s\n", l.Period, l.Status, l.ID, l.Type, l.Month(), l.Amount.StringFixed(2), corr)
	}
	explainPeriod(w, x)
	fmt.Fprintf(w, "Findings (%d):\n", len(x.Findings))
	for _, f := range x.Findings {
		fmt.Fprintf(w, "  %s %s  %s row %d %s: %s\n", f.Severity, f.Code, f.File, f.Row, f.Column, f.Message)
	}
}

// explainPeriod says what P holds and what a run for P would do: lines
// billed in P itself are not "due" again.
func explainPeriod(w io.Writer, x *run.Explanation) {
	var held []run.BilledLine
	for _, l := range x.Billed {
		if l.Period == x.Period {
			held = append(held, l)
		}
	}
	printDue := func(title string, ls []billing.Line) {
		fmt.Fprintf(w, "%s (%d lines):\n", title, len(ls))
		for _, l := range ls {
			fmt.Fprintf(w, "  %s  %-14s %s  %10s  %s\n", l.ID, l.Type, l.Month, l.Amount.StringFixed(2), l.Description)
		}
	}
	switch x.PeriodStatus {
	case "":
		printDue(fmt.Sprintf("Due in a run for %s now (not in the ledger yet)", x.Period), x.Due)
		return
	case ledger.Released:
		printDue(fmt.Sprintf("Period %s was released (rejected); due in its next run", x.Period), x.Due)
		return
	}
	fmt.Fprintf(w, "Period %s is %s (run %s) and holds %d lines of the client:\n", x.Period, x.PeriodStatus, x.PeriodRunID, len(held))
	for _, l := range held {
		fmt.Fprintf(w, "  %s  %-14s %s  %10s\n", l.ID, l.Type, l.Month(), l.Amount.StringFixed(2))
	}
	if x.PeriodStatus == ledger.Sealed {
		fmt.Fprintf(w, "A run for %s changes nothing: the period is sealed (approved by finance).\n", x.Period)
		return
	}
	d := x.Rerun
	if d == nil || d.Empty() {
		fmt.Fprintf(w, "A rerun for %s now would change nothing for the client.\n", x.Period)
		return
	}
	fmt.Fprintf(w, "A rerun for %s now would change:\n", x.Period)
	for _, l := range d.Added {
		fmt.Fprintf(w, "  add     %s  %-14s %s  %10s\n", l.ID, l.Type, l.Month, l.Amount.StringFixed(2))
	}
	for _, l := range d.Changed {
		fmt.Fprintf(w, "  change  %s  %-14s %s  %10s\n", l.ID, l.Type, l.Month, l.Amount.StringFixed(2))
	}
	for _, l := range d.Dropped {
		fmt.Fprintf(w, "  drop    %s  %-14s %s  %10s\n", l.ID, l.Type, l.Month(), l.Amount.StringFixed(2))
	}
}

// explainEffectiveness shows the baseline and, per follow-up month, why a
// VAIKUTTAVUUS line is or is not billed. Without a baseline it shows no
// table: a month with no list must never look like a zero benefit.
func explainEffectiveness(w io.Writer, o run.Options, x *run.Explanation) {
	eff := o.Config.Effectiveness
	var rs []run.Reason
	for _, r := range x.Reasons {
		if r.Type == billing.Effectiveness {
			rs = append(rs, r)
		}
	}
	if len(rs) == 1 && rs[0].Month.IsZero() {
		fmt.Fprintf(w, "  VAIKUTTAVUUS: %s\n", rs[0].Detail)
		return
	}
	b := x.Baseline
	months := map[period.Month]billing.ClientMonth{}
	for _, a := range x.Accruals {
		months[a.Month] = a
	}
	var parts []string
	for _, m := range b.Months {
		parts = append(parts, fmt.Sprintf("%s %s", m, months[m].Share().StringFixed(2)))
	}
	n := decimal.NewFromInt(int64(eff.BaselineMonths))
	fmt.Fprintf(w, "  VAIKUTTAVUUS baseline (municipal share; a covered month with no row counts 0): %s → B ≈ %s EUR/month\n",
		strings.Join(parts, ", "), b.Sum.DivRound(n, 4).StringFixed(4))
	fmt.Fprintln(w, "  month     days      share     saving  line")
	for _, r := range rs {
		m := r.Month
		if !x.Covered[m] || r.Kind == run.ReasonAfterPeriod || r.Kind == run.ReasonOutsideContract {
			fmt.Fprintf(w, "  %s  %s\n", m, r.Detail)
			continue
		}
		a := months[m]
		saving := decimal.Max(decimal.Zero, b.Sum.Sub(n.Mul(a.Share())).DivRound(n, 4))
		what := r.Detail
		if r.Line != nil {
			what = fmt.Sprintf("%s: %s", r.Line.Amount.StringFixed(2), r.Detail)
		}
		fmt.Fprintf(w, "  %s  %4s  %9s  %9s  %s\n", m, a.PaidDays().String(), a.Share().StringFixed(2), saving.StringFixed(2), what)
	}
}

func date(d *civil.Date) string {
	if d == nil {
		return "—"
	}
	return d.String()
}

func employType(t tracking.EmploymentType) string {
	switch t {
	case tracking.TypeOpen:
		return "avoin"
	case tracking.TypeSubsidised:
		return "palkkatuki"
	case tracking.TypeUnknown:
		return "unknown type"
	}
	return "no type"
}

func verification(c *billing.Client) string {
	switch c.Verification {
	case billing.VerifyPending:
		return "pending (PENDING_VERIFICATION)"
	case billing.VerifyRefused:
		return "refused (NOT_VERIFIED)"
	case billing.VerifyVerified:
		return "verified in " + c.VerifiedIn.String()
	}
	return "no billable employment"
}
