package gen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"tyomatka/internal/period"
)

// UsageError is a mistake on the generator's command line; the CLI exits 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// Command is the CLI of the generator (`tyomatka generate …`): args are the
// arguments after the command name. It prints what it wrote to stdout, and
// its usage (-h) and flag mistakes to stderr.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o    Options
		last string
	)
	o.Others = -1
	fs.IntVar(&o.Clients, "clients", 60, "clients in the tracking workbook")
	fs.IntVar(&o.Months, "months", 12, "number of monthly accrual lists")
	fs.StringVar(&last, "last", "", "month of the last accrual list, `YYYY-MM` (required)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same flags give byte-identical files")
	fs.StringVar(&o.Format, "format", FormatMixed, "accrual lists: mixed (xlsx and both CSV flavours in kertymat/), xlsx, csv, or both (kertymat-xlsx/ and kertymat-csv/)")
	fs.StringVar(&o.Dir, "out", "", "output `folder` (required)")
	// A Func flag: an int flag would print "(default -1)" beside the real
	// default, which -1 only encodes.
	fs.Func("others", "non-clients on every list, a `number` (default: as many as -clients)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("want a whole number of 0 or more")
		}
		o.Others = n
		return nil
	})
	fs.BoolVar(&o.Messy, "messy", false, "add one of every data problem the bot reports")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: tyomatka generate -last YYYY-MM -out DIR [flags]\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usagef("generate: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("generate: unexpected argument %q", fs.Arg(0))
	}
	if last == "" {
		return usagef("generate: -last is required, e.g. tyomatka generate -last 2026-10 -out testdata/sample")
	}
	if o.Dir == "" {
		return usagef("generate: -out is required, e.g. tyomatka generate -last %s -out testdata/sample", last)
	}
	m, err := period.Parse(last)
	if err != nil {
		return usagef("generate: -last %q: want YYYY-MM with month 01-12, e.g. 2026-10", last)
	}
	o.Last = m
	st, err := Generate(ctx, o)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, f := range st.Files {
		fmt.Fprintf(stdout, "wrote %s (%d rows)\n", f.Path, f.Rows)
	}
	fmt.Fprintf(stdout, "%d clients, %d other persons, %d tracking rows, %d accrual rows, months %s–%s\n",
		st.Clients, st.Others, st.ClientRows+st.CodeRows, st.AccrualRows, m.Add(1-o.Months), m)
	for _, p := range st.Problems {
		where := p.File
		if p.Sheet != "" {
			where += " [" + p.Sheet + "]"
		}
		fmt.Fprintf(stdout, "problem %s at %s row %d\n", p.Kind, where, p.Row)
	}
	return nil
}
