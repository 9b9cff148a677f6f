package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"cloud.google.com/go/civil"
	"github.com/shopspring/decimal"

	"tyomatka/internal/audit"
	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
)

// cmdAudit prints the ledger's periods, or one period's history: its
// record, every run with its inputs' versions and hashes, totals and
// decisions.
func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	f := newLedgerFlags("audit", stderr)
	fromFlag := f.fs.String("from", "", "list the runs started on or after this date `YYYY-MM-DD` (the use log)")
	toFlag := f.fs.String("to", "", "list the runs started on or before this date `YYYY-MM-DD`")
	if help, err := f.parse("audit", args); help || err != nil {
		return err
	}
	p, err := f.month("audit")
	if err != nil {
		return err
	}
	var from, to civil.Date
	for _, d := range []struct {
		flag string
		in   *string
		out  *civil.Date
	}{{"--from", fromFlag, &from}, {"--to", toFlag, &to}} {
		if *d.in == "" {
			continue
		}
		if *d.out, err = civil.ParseDate(*d.in); err != nil {
			return usageError{fmt.Sprintf("audit: %s %q: want YYYY-MM-DD", d.flag, *d.in)}
		}
	}
	byDate := *fromFlag != "" || *toFlag != ""
	if byDate && !p.IsZero() {
		return usageError{"audit: give --period or --from/--to, not both"}
	}
	if byDate && !from.IsZero() && !to.IsZero() && to.Before(from) {
		return usageError{fmt.Sprintf("audit: --to %s is before --from %s", to, from)}
	}
	o, closeFn, err := f.env(ctx, envNeeds{state: true}, stderr, getenv)
	if err != nil {
		return err
	}
	defer closeFn()
	st := o.State

	if byDate {
		return printUseLog(ctx, stdout, st, o.Config, from, to)
	}
	if p.IsZero() {
		snap, err := ledger.Load(ctx, st, o.Config.Area)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Ledger of %s (generation %d, %d bytes)\n", o.Config.Area, snap.Gen, snap.Size)
		for _, m := range snap.Ledger.Months() {
			rec := snap.Ledger.Periods[m]
			n, amount := lineTotals(rec.Lines)
			fmt.Fprintf(stdout, "  %s  %-8s  run %s  as of %s  %d lines  %s EUR\n", m, rec.Status, rec.RunID, rec.AsOf, n, amount.StringFixed(2))
		}
		return nil
	}

	h, err := run.ReadHistory(ctx, o.Config, st, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Period %s of %s\n", p, o.Config.Area)
	if rec := h.Record; rec == nil {
		fmt.Fprintln(stdout, "  not in the ledger (never issued)")
	} else {
		n, amount := lineTotals(rec.Lines)
		fmt.Fprintf(stdout, "  status %s, run %s, as of %s, %d lines, %s EUR excl. VAT\n", rec.Status, rec.RunID, rec.AsOf, n, amount.StringFixed(2))
		if a := rec.Approval; a != nil {
			date := ""
			if a.Date != nil {
				date = a.Date.String()
			}
			fmt.Fprintf(stdout, "  decision %s by %s on %s (file %s, version %s)\n", a.Decision, a.Approver, date, a.File, short(a.Version))
		}
	}
	fmt.Fprintf(stdout, "Runs (%d):\n", len(h.Runs))
	for _, r := range h.Runs {
		printRecord(stdout, r, o.Config.Location)
	}
	if len(h.Decided) > 0 {
		fmt.Fprintln(stdout, "Decisions on this period applied by:")
		for _, r := range h.Decided {
			for _, d := range r.Decisions {
				if d.Period == p.String() {
					fmt.Fprintf(stdout, "  %s  %s for %s: %s by %s on %s → %s\n", localTime(r, o.Config.Location), r.Kind, r.Period, d.Decision, d.Approver, d.Date, d.Status)
				}
			}
		}
	}
	return nil
}

// timeLayout shows a record's time in the area's zone with its offset, so
// that a reader in Finland and the log's UTC agree.
const timeLayout = "2006-01-02 15:04:05 -07:00"

func localTime(r audit.Record, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return r.StartedAt.In(loc).Format(timeLayout)
}

func printRecord(w io.Writer, r audit.Record, loc *time.Location) {
	head := []string{localTime(r, loc), r.Kind}
	if r.RunID != "" {
		head = append(head, r.RunID)
	}
	// Only runs have an as-of date; approve, rekey and purge records carry
	// one for the file layout, which would read as if they had.
	if r.AsOf != "" && (r.Kind == audit.KindRun || r.Kind == audit.KindSealed) {
		head = append(head, "as of "+r.AsOf)
	}
	head = append(head, "by "+by(r.StartedBy), "binary "+r.BinaryVersion, "config "+short(r.ConfigHash))
	fmt.Fprintf(w, "  %s\n", strings.Join(head, "  "))
	fmt.Fprintf(w, "    ledger generation %d → %d\n", r.LedgerBefore, r.LedgerAfter)
	for _, f := range r.Inputs {
		fmt.Fprintf(w, "    in   %s%s  sha256 %s  rows %d\n", f.Name, fileVersion(f), short(f.SHA256), f.Rows)
	}
	for _, f := range r.Outputs {
		fmt.Fprintf(w, "    out  %s%s  sha256 %s\n", f.Written, fileVersion(f), short(f.SHA256))
	}
	if r.Kind == audit.KindRun {
		var parts []string
		for _, t := range []string{"INFO", "ALOITUS", "TYOLLISTYMINEN", "VAIKUTTAVUUS", "OIKAISU"} {
			s := r.Lines[t]
			parts = append(parts, fmt.Sprintf("%s %d/%s", t, s.Count, s.Amount.StringFixed(2)))
		}
		fmt.Fprintf(w, "    lines %d, %s EUR + VAT %s: %s\n", r.Totals.Count, r.Totals.Amount.StringFixed(2), r.Totals.VAT.StringFixed(2), strings.Join(parts, ", "))
	}
	for _, d := range r.Decisions {
		fmt.Fprintf(w, "    decision on %s: %s by %s on %s → %s\n", d.Period, d.Decision, d.Approver, d.Date, d.Status)
	}
}

// fileVersion shows a file's version unless it only repeats its hash (a
// local file's version is "sha256:" and the hash).
func fileVersion(f audit.File) string {
	if f.Version == "" || f.Version == "sha256:"+f.SHA256 {
		return ""
	}
	return "  version " + short(f.Version)
}

func short(s string) string {
	if len(s) > 23 {
		return s[:23] + "…"
	}
	return s
}

func lineTotals(ls []ledger.Line) (int, decimal.Decimal) {
	sum := decimal.Zero
	for _, l := range ls {
		sum = sum.Add(l.Amount)
	}
	return len(ls), sum
}

// printUseLog lists every audit record of the area whose run started in
// [from, to] (dates in the area's time zone; a zero bound is open): what
// started it and which personal-data files it read.
func printUseLog(ctx context.Context, w io.Writer, st state.Store, cfg *config.Config, from, to civil.Date) error {
	recs, err := audit.ListArea(ctx, st, cfg.Area)
	if err != nil {
		return err
	}
	var in []audit.Record
	for _, r := range recs {
		d := civil.DateOf(r.StartedAt.In(cfg.Location))
		if !from.IsZero() && d.Before(from) || !to.IsZero() && d.After(to) {
			continue
		}
		in = append(in, r)
	}
	span := func(d civil.Date) string {
		if d.IsZero() {
			return "…"
		}
		return d.String()
	}
	fmt.Fprintf(w, "Use log of %s, runs started %s – %s (%d):\n", cfg.Area, span(from), span(to), len(in))
	for _, r := range in {
		if r.Period == "" {
			fmt.Fprintln(w, "Area-wide:")
		} else {
			fmt.Fprintf(w, "Period %s:\n", r.Period)
		}
		printRecord(w, r, cfg.Location)
		if r.Rekey != nil {
			fmt.Fprintf(w, "    key rotation %s → %s: %d persons, %d lines, %d unmapped, %d aliases\n",
				r.Rekey.OldKeyID, r.Rekey.NewKeyID, r.Rekey.Persons, r.Rekey.Lines, r.Rekey.Unmapped, r.Rekey.Aliases)
		}
		if len(r.Purged) > 0 {
			fmt.Fprintf(w, "    retention deleted periods %s\n", strings.Join(r.Purged, ", "))
		}
	}
	return nil
}
