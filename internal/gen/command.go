package gen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"tyomatka/internal/period"
)

// Command is the CLI of the generator (`tyomatka generate …`): args are the
// arguments after the command name. It prints what it wrote to stdout.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var (
		o    Options
		last string
	)
	fs.IntVar(&o.Clients, "clients", 60, "clients in the tracking workbook")
	fs.IntVar(&o.Months, "months", 12, "number of monthly accrual lists")
	fs.StringVar(&last, "last", "", "month of the last accrual list, yyyy-mm (required)")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed; the same flags give byte-identical files")
	fs.StringVar(&o.Format, "format", FormatMixed, "accrual lists: mixed (xlsx and both CSV flavours in kertymat/), xlsx, csv, or both (kertymat-xlsx/ and kertymat-csv/)")
	fs.StringVar(&o.Dir, "out", "", "output folder (required)")
	fs.IntVar(&o.Others, "others", -1, "non-clients on every list (default: as many as -clients)")
	fs.BoolVar(&o.Messy, "messy", false, "add one of every data problem the bot reports")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: tyomatka generate -last yyyy-mm -out DIR [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("generate: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	}
	if last == "" {
		return errors.New("generate: -last is required")
	}
	if o.Dir == "" {
		return errors.New("generate: -out is required")
	}
	m, err := period.Parse(last)
	if err != nil {
		return fmt.Errorf("generate: -last: %w", err)
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
