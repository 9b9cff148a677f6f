package run_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/config"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
	"tyomatka/internal/source"
	"tyomatka/internal/testfix"
)

const exampleDir = "../../testdata/example"

func runExample(t *testing.T, out string, logw io.Writer) *run.Outcome {
	t.Helper()
	return runJob(t, filepath.Join(exampleDir, "example.toml"), period.Month{Year: 2026, Month: 5}, civil.Date{Year: 2026, Month: 6, Day: 22}, out, logw)
}

// runJob runs a configuration as a dry run into out, logging JSON to logw.
func runJob(t *testing.T, cfgPath string, p period.Month, asOf civil.Date, out string, logw io.Writer) *run.Outcome {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	// Never the working tree's real ledger: a developer's own runs of the
	// default job must not change what these tests see, nor the reverse.
	cfg.State.Dir = filepath.Join(t.TempDir(), "state")
	o, err := run.Run(context.Background(), run.Options{
		Config:  cfg,
		Period:  p,
		AsOf:    asOf,
		DryRun:  true,
		OutDir:  out,
		Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log:     slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return o
}

// TestPublicExample runs the spec's worked example end to end and compares
// run-summary.json's figures with the expected ones.
func TestPublicExample(t *testing.T) {
	out := t.TempDir()
	runExample(t, out, io.Discard)

	want := readJSON(t, filepath.Join(exampleDir, "expected-run-summary.json"))
	got := readJSON(t, filepath.Join(out, "run-summary.json"))
	// Every figure the example states must match; the bot may report more
	// (OIKAISU with zeros, as §4 asks for every line type), never less. A
	// municipality without lines must not appear.
	for _, k := range []string{"lines", "totals", "by_municipality", "findings"} {
		w, _ := want[k].(map[string]any)
		g, _ := got[k].(map[string]any)
		for name, wv := range w {
			if !reflect.DeepEqual(g[name], wv) {
				gj, _ := json.Marshal(g[name])
				wj, _ := json.Marshal(wv)
				t.Errorf("%s.%s: got %s, want %s", k, name, gj, wj)
			}
		}
		if k == "by_municipality" && len(g) != len(w) {
			t.Errorf("by_municipality has %d municipalities, want %d", len(g), len(w))
		}
	}
	if oik, ok := got["lines"].(map[string]any)["OIKAISU"]; ok && !reflect.DeepEqual(oik, map[string]any{"count": 0.0, "amount_cents": 0.0, "vat_cents": 0.0}) {
		t.Errorf("lines.OIKAISU = %v, want zeros (no ledger)", oik)
	}
	for _, name := range []string{"Laskutusperuste_lahti_2026-05.xlsx", "Tasmaytys_lahti_2026-05.xlsx", "Palveluntuottaja_lahti_2026-05.xlsx"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("output %s: %v", name, err)
		}
	}
}

// TestLogsEachPhase: a run logs how long each phase took, so that a slow
// month in Cloud Logging shows where the time went (and the benchmark can
// break a national run down from the same lines).
func TestLogsEachPhase(t *testing.T) {
	var logs bytes.Buffer
	o := runExample(t, t.TempDir(), &logs)
	seconds := map[string]float64{}
	var order []string
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct {
			Msg     string   `json:"msg"`
			Seconds *float64 `json:"seconds"`
			Lines   *int     `json:"lines"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec.Seconds == nil || rec.Msg == "file read" {
			continue
		}
		if _, dup := seconds[rec.Msg]; dup {
			t.Errorf("%q logged twice", rec.Msg)
		}
		if *rec.Seconds < 0 {
			t.Errorf("%q: seconds %v < 0", rec.Msg, *rec.Seconds)
		}
		if rec.Msg == "computed billing" && (rec.Lines == nil || *rec.Lines < len(o.Lines)) {
			t.Errorf("computed billing: lines %v, want at least the %d due", rec.Lines, len(o.Lines))
		}
		seconds[rec.Msg] = *rec.Seconds
		order = append(order, rec.Msg)
	}
	// The tracking workbook is read beside the lists; the rest is in order.
	var seq []string
	for _, m := range order {
		if m != "read tracking workbook" {
			seq = append(seq, m)
		}
	}
	want := []string{"read accrual lists", "computed billing", "compared with the ledger", "built outputs", "wrote outputs", "run completed"}
	if !reflect.DeepEqual(seq, want) {
		t.Fatalf("phases logged %q, want %q", seq, want)
	}
	if _, ok := seconds["read tracking workbook"]; !ok {
		t.Error("no seconds for reading the tracking workbook")
	}
	var sum float64
	for _, m := range want[1:5] {
		sum += seconds[m]
	}
	if total := seconds["run completed"]; total < sum {
		t.Errorf("run completed in %v s, less than its sequential phases' %v s", total, sum)
	}
}

// TestRerunIsByteIdentical: the same inputs give byte-identical outputs.
func TestRerunIsByteIdentical(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	runExample(t, a, io.Discard)
	runExample(t, b, io.Discard)
	entries, _ := os.ReadDir(a)
	if len(entries) != 4 {
		t.Fatalf("want 4 outputs, got %d", len(entries))
	}
	for _, e := range entries {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs on the same inputs", e.Name())
		}
	}
}

// TestNoPersonalDataInOutputsOrLogs scans every output file (each XML part
// inside the workbooks) and every log line for any identity code or name of
// the tracking workbook.
func TestNoPersonalDataInOutputsOrLogs(t *testing.T) {
	cases := []struct {
		name, cfg, tracking string
		p                   period.Month
		asOf                civil.Date
	}{
		{"example", filepath.Join(exampleDir, "example.toml"), filepath.Join(exampleDir, "TyoMatka_seuranta.xlsx"),
			period.Month{Year: 2026, Month: 5}, civil.Date{Year: 2026, Month: 6, Day: 22}},
		{"sample", "../../jobs/lahti.toml", "../../testdata/sample/TyoMatka_seuranta.xlsx",
			period.Month{Year: 2026, Month: 10}, civil.Date{Year: 2026, Month: 11, Day: 20}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			var logs bytes.Buffer
			runJob(t, c.cfg, c.p, c.asOf, out, &logs)
			scanForPersonalData(t, out, logs.String(), testfix.PersonalData(t, c.tracking))
		})
	}
}

// TestIdentityCodeInCodeColumns: an identity code typed into Muunto's
// Koodi or Asiakkaat's Asiakasnumero (both travel to the reports, the
// provider's included) never reaches an output or a log line; each is a
// HETU_MISPLACED finding, and the person without a usable code is not
// billed (CODE_MISSING).
func TestIdentityCodeInCodeColumns(t *testing.T) {
	dir := t.TempDir()
	testfix.CopyTree(t, exampleDir, dir)
	book := filepath.Join(dir, "TyoMatka_seuranta.xlsx")
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	// TM-0501's code, the second client's client number and the third's
	// home municipality, as an easy slip (pasting the identity-code column
	// twice) would leave them; one typed with an en dash and no check
	// character.
	const inCode, inNumber, inHome = "050190-907H", " 250278-900w", "100583\u2013909"
	if err := f.SetCellStr("Muunto", "B2", inCode); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Asiakkaat", "C4", inNumber); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Asiakkaat", "D5", inHome); err != nil {
		t.Fatal(err)
	}
	// And in a Kela list's Kunta column.
	list := filepath.Join(dir, "kertymat", "kelmu_2026-04_2026-05.csv")
	b, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(list, bytes.Replace(b, []byte("120.05,Lahti"), []byte("120.05,250278-900W"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out := t.TempDir()
	var logs bytes.Buffer
	o := runJob(t, filepath.Join(dir, "example.toml"), period.Month{Year: 2026, Month: 5}, civil.Date{Year: 2026, Month: 6, Day: 22}, out, &logs)
	secrets := []string{"050190-907H", "050190907H", "250278-900W", "250278900W", "100583\u2013909", "100583-909"}
	testfix.AssertNoPersonalData(t, testfix.FileTexts(t, out), secrets)
	testfix.AssertNoPersonalData(t, map[string]string{"log": logs.String()}, secrets)

	var misplaced []string
	codeMissing := false
	for _, fd := range o.Findings {
		switch fd.Code {
		case "HETU_MISPLACED":
			misplaced = append(misplaced, fmt.Sprintf("%s!%s%d", fd.Sheet, fd.Column, fd.Row))
		case "CODE_MISSING":
			codeMissing = codeMissing || fd.Row == 3
		}
	}
	if want := []string{"Asiakkaat!Asiakasnumero4", "Asiakkaat!Kotikunta5", "Muunto!Koodi2", "!Kunta2"}; !reflect.DeepEqual(misplaced, want) {
		t.Errorf("HETU_MISPLACED at %q, want %q", misplaced, want)
	}
	if !codeMissing {
		t.Error("no CODE_MISSING for the person whose Koodi held an identity code")
	}
	for _, l := range o.Lines {
		if l.ClientCode == "TM-0501" || l.ClientCode == "" {
			t.Errorf("line %s billed for %q", l.ID, l.ClientCode)
		}
	}
}

// scanForPersonalData fails the test when any of secrets appears in the log
// or in any file of out (each XML part inside the workbooks).
func scanForPersonalData(t *testing.T, out, log string, secrets []string) {
	t.Helper()
	if len(secrets) < 10 {
		t.Fatalf("found only %d identity codes and names to look for", len(secrets))
	}
	texts := testfix.FileTexts(t, out)
	texts["log"] = log
	testfix.AssertNoPersonalData(t, texts, secrets)
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// TestDryRunUsesItsOwnFolder: without --out, a dry run writes to
// <output>/<P>/koeajo, never over the period's real outputs, and its
// invoice basis says it is a dry run.
func TestDryRunUsesItsOwnFolder(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Source.Output = t.TempDir()
	cfg.State.Dir = filepath.Join(t.TempDir(), "state")
	real := filepath.Join(cfg.Source.Output, "2026-05")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	approved := []byte("finance's approved workbook")
	if err := os.WriteFile(filepath.Join(real, "Laskutusperuste_lahti_2026-05.xlsx"), approved, 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := run.Run(context.Background(), run.Options{
		Config: cfg, Period: period.Month{Year: 2026, Month: 5}, AsOf: civil.Date{Year: 2026, Month: 6, Day: 22},
		DryRun: true, Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(real, run.DryRunFolder); o.OutDir != want {
		t.Errorf("OutDir = %s, want %s", o.OutDir, want)
	}
	if b, _ := os.ReadFile(filepath.Join(real, "Laskutusperuste_lahti_2026-05.xlsx")); !bytes.Equal(b, approved) {
		t.Error("a dry run overwrote the period's real invoice basis")
	}
	f, err := excelize.OpenFile(filepath.Join(real, run.DryRunFolder, "Laskutusperuste_lahti_2026-05.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Yhteenveto")
	found := false
	for _, r := range rows {
		found = found || strings.Contains(strings.Join(r, " "), run.DryRunNote)
	}
	if !found {
		t.Error("the dry run's invoice basis does not say it is a dry run")
	}
}

// TestUnfinishedPeriodIsNotIssued: a real run for a month that has not ended
// is refused (a dry run may preview it).
func TestUnfinishedPeriodIsNotIssued(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Source.Output = t.TempDir()
	cfg.State.Dir = filepath.Join(t.TempDir(), "state")
	opts := run.Options{
		Config: cfg, Period: period.Month{Year: 2026, Month: 6}, AsOf: civil.Date{Year: 2026, Month: 6, Day: 22},
		Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if _, err := run.Run(context.Background(), opts); !errors.Is(err, run.ErrConfig) || !strings.Contains(err.Error(), "has not ended") {
		t.Fatalf("err = %v, want the unfinished-period refusal", err)
	}
	opts.DryRun = true
	if _, err := run.Run(context.Background(), opts); err != nil {
		t.Fatalf("dry run of the current month: %v", err)
	}

	// An as-of date in the future cannot make a month that has not ended
	// look ended: a real run is as of today or earlier.
	opts.DryRun = false
	opts.Now = func() time.Time { return time.Date(2026, 6, 22, 12, 0, 0, 0, time.UTC) }
	opts.AsOf = civil.Date{Year: 2026, Month: 7, Day: 20}
	if _, err := run.Run(context.Background(), opts); !errors.Is(err, run.ErrConfig) || !strings.Contains(err.Error(), "after today (2026-06-22)") {
		t.Fatalf("real run as of a future date: err = %v, want the future as-of refusal", err)
	}
	if _, err := os.Stat(cfg.State.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused run touched the state folder (stat: %v)", err)
	}
	opts.DryRun = true
	if _, err := run.Run(context.Background(), opts); err != nil {
		t.Fatalf("dry run as of a future date: %v", err)
	}
}

// cancellingSource is the local source, but the context is cancelled (as by
// SIGTERM from Cloud Run) while the accrual lists are being listed.
type cancellingSource struct {
	*source.Local
	cancel context.CancelFunc
}

func (c cancellingSource) Accruals(ctx context.Context) ([]source.File, error) {
	files, err := c.Local.Accruals(ctx)
	c.cancel()
	return files, err
}

// TestCancelledRunLeavesNothing: a run stopped mid-way (SIGTERM) writes no
// output and records nothing; a rerun then completes normally.
func TestCancelledRunLeavesNothing(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	stateDir := filepath.Join(t.TempDir(), "state")
	cfg.Source.Output, cfg.State.Dir = out, stateDir
	local := &source.Local{TrackingPath: cfg.Source.Tracking, AccrualDir: cfg.Source.Accruals, OutputRoot: out}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Source.Kind = "cancelling" // served by Remote below
	opts := run.Options{
		Config: cfg, Period: period.Month{Year: 2026, Month: 5}, AsOf: civil.Date{Year: 2026, Month: 6, Day: 22},
		Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Remote: func(context.Context, *config.Config, secrets.Getter) (source.Source, source.Sink, error) {
			return cancellingSource{local, cancel}, local, nil
		},
	}
	if _, err := run.Run(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var files []string
	for _, dir := range []string{out, stateDir} {
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	for _, f := range files {
		if !strings.HasSuffix(f, ".lock") && !strings.HasSuffix(f, ".generation") {
			t.Errorf("a cancelled run left %s", f)
		}
	}
	// The retried task completes.
	opts.Remote = func(context.Context, *config.Config, secrets.Getter) (source.Source, source.Sink, error) {
		return local, local, nil
	}
	o, err := run.Run(context.Background(), opts)
	if err != nil || len(o.Lines) != 23 {
		t.Fatalf("rerun: %v (%d lines)", err, len(o.Lines))
	}
}

// TestDefaultPeriodInHelsinki: at 00:30 on 1 July in Helsinki (21:30 UTC on
// 30 June) the run date is 1 July and the default period is June.
func TestDefaultPeriodInHelsinki(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.State.Dir = filepath.Join(t.TempDir(), "state")
	o, err := run.Run(context.Background(), run.Options{
		Config: cfg, DryRun: true, OutDir: t.TempDir(),
		Now:     func() time.Time { return time.Date(2026, 6, 30, 21, 30, 0, 0, time.UTC) },
		Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (civil.Date{Year: 2026, Month: 7, Day: 1}); o.AsOf != want {
		t.Errorf("as-of = %v, want %v", o.AsOf, want)
	}
	if want := (period.Month{Year: 2026, Month: 6}); o.Period != want {
		t.Errorf("period = %v, want %v", o.Period, want)
	}
}

// TestUnreadableInputNamed: the tracking workbook and the lists are read at
// the same time, and the first failure stops the other reader; the error is
// still the one that names the damaged file, never "context canceled".
func TestUnreadableInputNamed(t *testing.T) {
	for _, damaged := range []string{"tracking", "list", "tracking, long list"} {
		t.Run(damaged, func(t *testing.T) {
			cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
			if err != nil {
				t.Fatal(err)
			}
			in := t.TempDir()
			testfix.CopyTree(t, filepath.Dir(cfg.Source.Tracking), in)
			cfg.Source.Tracking = filepath.Join(in, filepath.Base(cfg.Source.Tracking))
			cfg.Source.Accruals = filepath.Join(in, filepath.Base(cfg.Source.Accruals))
			cfg.Source.Output, cfg.State.Dir = t.TempDir(), t.TempDir()
			bad := cfg.Source.Tracking
			if damaged == "tracking, long list" {
				// A list long enough to be still in reading when the damaged
				// workbook fails: its reader is cancelled, not finished.
				var b strings.Builder
				b.WriteString("Henkilötunnus;Kuukausi;Maksupäivät;Kertymäpäivät;Kunnan osuus\n")
				for i := range 300_000 {
					fmt.Fprintf(&b, "%s;2026-%02d;%d;%d;%d,50\n", testfix.Hetu(i%100), 1+i%5, i%23, 100+i%900, i%400)
				}
				if err := os.WriteFile(filepath.Join(cfg.Source.Accruals, "zz_long.csv"), []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if damaged == "list" {
				entries, err := os.ReadDir(cfg.Source.Accruals)
				if err != nil || len(entries) == 0 {
					t.Fatalf("lists: %v", err)
				}
				bad = filepath.Join(cfg.Source.Accruals, entries[len(entries)-1].Name())
			}
			if err := os.WriteFile(bad, []byte("PK\x03\x04 damaged"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = run.Run(context.Background(), run.Options{
				Config: cfg, Period: period.Month{Year: 2026, Month: 5}, AsOf: civil.Date{Year: 2026, Month: 6, Day: 22}, DryRun: true,
				Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
				Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err == nil || errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), filepath.Base(bad)) {
				t.Fatalf("err = %v, want one naming %s", err, filepath.Base(bad))
			}
		})
	}
}

// TestSheetNotesInRunLog: what the list readers log (here: a worksheet
// handed over to the encoding/xml reader) goes to the run's logger, as JSON
// with the run's attributes, not to slog.Default as plain text.
func TestSheetNotesInRunLog(t *testing.T) {
	cfg, err := config.Load(filepath.Join(exampleDir, "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.State.Dir = filepath.Join(t.TempDir(), "state")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(cfg.Source.Accruals)); err != nil {
		t.Fatal(err)
	}
	cfg.Source.Accruals = dir
	// A header-only list whose sheet data has an attribute the fast reader
	// leaves to encoding/xml.
	f := excelize.NewFile()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"Henkilötunnus", "Kuukausi", "Maksupäivät", "Kertymäpäivät", "Kunnan osuus"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	data := rewritePart(t, buf.Bytes(), "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return bytes.Replace(b, []byte("<sheetData>"), []byte(`<sheetData x="&amp;">`), 1)
	})
	if err := os.WriteFile(filepath.Join(dir, "zz_header_only.xlsx"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	if _, err := run.Run(context.Background(), run.Options{
		Config: cfg, Period: period.Month{Year: 2026, Month: 5}, AsOf: civil.Date{Year: 2026, Month: 6, Day: 22},
		DryRun: true, OutDir: t.TempDir(),
		Secrets: testfix.Secrets{"TYOMATKA_PSEUDONYM_KEY": "any-test-key-of-sufficient-length"},
		Log:     slog.New(slog.NewJSONHandler(&logs, nil)),
	}); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Msg, File, Area string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if rec.Msg == "worksheet read with the encoding/xml reader from here on" && rec.File == "zz_header_only.xlsx" && rec.Area == cfg.Area {
			return
		}
	}
	t.Errorf("no JSON hand-over note for zz_header_only.xlsx in the run's log:\n%s", logs.String())
}

// rewritePart returns the zip package data with the part name changed by fn.
func rewritePart(t *testing.T, data []byte, name string, fn func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	w := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			b = fn(b)
		}
		fw, err := w.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
