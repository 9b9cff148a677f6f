package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/billing"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
	"tyomatka/internal/tracking"
)

// cmdExplain prints, for one client code, every line billed, due, pending or
// refused and the data behind it: what a unit head or finance asks when a
// figure looks wrong. It names the client by code only.
func cmdExplain(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newLedgerFlags("explain", stderr)
	code := f.fs.String("code", "", "client `code` as in Muunto, e.g. TM-0042")
	asOfFlag := f.fs.String("as-of", "", "run date `YYYY-MM-DD` (default: today)")
	if help, err := f.parse("explain", args); help || err != nil {
		return err
	}
	if *code == "" {
		return usageError{"explain: --code is required, e.g. tyomatka explain --config jobs/lahti.toml --code TM-0042"}
	}
	p, err := f.month("explain")
	if err != nil {
		return err
	}
	o, closeFn, err := f.options(ctx, stderr, getenv, true)
	if err != nil {
		return err
	}
	defer closeFn()
	o.Period = p
	if *asOfFlag != "" {
		d, err := civil.ParseDate(*asOfFlag)
		if err != nil {
			return usageError{fmt.Sprintf("explain: --as-of %q: want YYYY-MM-DD", *asOfFlag)}
		}
		o.AsOf = d
	}
	x, err := run.Explain(ctx, o, strings.TrimSpace(*code))
	if err != nil {
		return err
	}
	printExplanation(stdout, o, x)
	return nil
}

func printExplanation(w io.Writer, o run.Options, x *run.Explanation) {
	cfg := o.Config
	fmt.Fprintf(w, "Client %s — period %s, as of %s\n", x.Code, x.Period, x.AsOf)
	if c := x.Client; c == nil {
		fmt.Fprintln(w, "  not billable now (no row, or the row is skipped: see the findings below)")
	} else {
		fmt.Fprintf(w, "  municipality %s, referred %s\n", c.Municipality, c.Referral)
		fmt.Fprintf(w, "  info %s, start %s, employment %s (%s)\n", date(c.Info), date(c.Start), date(c.Employment), employType(c.EmployType))
		fmt.Fprintf(w, "  verification: %s\n", verification(c))
		if c.Start != nil {
			explainEffectiveness(w, o, x, *c.Start)
		}
	}
	fmt.Fprintln(w, "Rules:")
	fmt.Fprintf(w, "  fees: info %s, start %s, employed open %s / subsidised %s EUR; VAT %s %%\n",
		cfg.Fees.Info.StringFixed(2), cfg.Fees.Start.StringFixed(2), cfg.Fees.EmployedOpen.StringFixed(2), cfg.Fees.EmployedSubsidised.StringFixed(2), cfg.Contract.VATPercent)
	fmt.Fprintf(w, "  verification: %d months after the employment month, at most %s benefit days\n", cfg.Verification.SustainMonths, cfg.Verification.MaxBenefitDays)
	fmt.Fprintf(w, "  effectiveness: baseline %d months, follow-up %d months, share %s %%, cap %s EUR per client\n",
		cfg.Effectiveness.BaselineMonths, cfg.Effectiveness.FollowupMonths, cfg.Effectiveness.SharePercent, cfg.Effectiveness.CapPerClient.StringFixed(2))

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
	fmt.Fprintf(w, "Due in a run for %s now (%d lines):\n", x.Period, len(x.Due))
	for _, l := range x.Due {
		fmt.Fprintf(w, "  %s  %-14s %s  %10s  %s\n", l.ID, l.Type, l.Month, l.Amount.StringFixed(2), l.Description)
	}
	fmt.Fprintf(w, "Findings (%d):\n", len(x.Findings))
	for _, f := range x.Findings {
		fmt.Fprintf(w, "  %s %s  %s row %d %s: %s\n", f.Severity, f.Code, f.File, f.Row, f.Column, f.Message)
	}
}

// explainEffectiveness shows the baseline and each follow-up month's saving.
func explainEffectiveness(w io.Writer, o run.Options, x *run.Explanation, start civil.Date) {
	eff := o.Config.Effectiveness
	ms := period.Of(start)
	months := map[period.Month]billing.ClientMonth{}
	for _, a := range x.Accruals {
		months[a.Month] = a
	}
	share := func(m period.Month) decimal.Decimal {
		if a, ok := months[m]; ok {
			return a.Share
		}
		return decimal.Zero
	}
	sum := decimal.Zero
	var parts []string
	for k := eff.BaselineMonths; k >= 1; k-- {
		m := ms.Add(-k)
		sum = sum.Add(share(m))
		parts = append(parts, fmt.Sprintf("%s %s", m, share(m).StringFixed(2)))
	}
	n := decimal.NewFromInt(int64(eff.BaselineMonths))
	fmt.Fprintf(w, "  baseline (municipal share, a month with no row counts 0): %s → B ≈ %s EUR/month\n",
		strings.Join(parts, ", "), sum.DivRound(n, 4).StringFixed(4))
	fmt.Fprintln(w, "  month     days  share      saving")
	for k := 1; k <= eff.FollowupMonths; k++ {
		m := ms.Add(k)
		if m.After(x.Period) {
			break
		}
		if !x.Covered[m] {
			fmt.Fprintf(w, "  %s  no accrual list yet (not billed until it arrives)\n", m)
			continue
		}
		a := months[m]
		saving := decimal.Max(decimal.Zero, sum.Sub(n.Mul(share(m))).DivRound(n, 4))
		fmt.Fprintf(w, "  %s  %4s  %9s  %9s\n", m, a.PaidDays.String(), share(m).StringFixed(2), saving.StringFixed(2))
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
