package privacy_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"
	"github.com/fsouza/fake-gcs-server/fakestorage"
	"github.com/xuri/excelize/v2"

	"tyomatka/internal/config"
	"tyomatka/internal/hetu"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
)

// The scripted history's clients (codes, synthetic identity codes with
// individual numbers 9xx, and names that must never leave the workbook).
var clients = []struct{ code, name string }{
	{"TM-0101", "Aino Testinen"},
	{"TM-0102", "Veikko Kokeilija"},
	{"TM-0103", "Siiri Esimerkki"},
	{"TM-0104", "Onni Harjoitus"},
}

// synthetic returns a temporary identity code (individual number 9xx).
func synthetic(i int) hetu.Code {
	nine := fmt.Sprintf("020285%03d", 900+i)
	return hetu.Code("020285-" + nine[6:] + string(hetu.CheckChar(nine)))
}

func hetuOf(i int) hetu.Code { return synthetic(i + 1) }

const (
	oldSecret = "privacy-test-key-old-0123456789"
	newSecret = "privacy-test-key-new-9876543210"
)

func keyer(t *testing.T, secret string) *pseudonym.Keyer {
	t.Helper()
	k, err := pseudonym.New([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// row is one Asiakkaat row of the history.
type row struct {
	client      int
	info, start string
}

// workbookAt is the tracking workbook as it stands at the run for month n
// (1 = 2026-01): A info + start in January; B info in January, start
// entered in February; C info in February, removed in March (an OIKAISU);
// D info in March.
func workbookAt(n int) []row {
	rows := []row{
		{client: 0, info: "10.1.2026", start: "20.1.2026"},
		{client: 1, info: "15.1.2026"},
	}
	if n >= 2 {
		rows[1].start = "5.2.2026"
		rows = append(rows, row{client: 2, info: "20.2.2026"})
	}
	if n >= 3 {
		rows[2].info = ""
		rows = append(rows, row{client: 3, info: "5.3.2026"})
	}
	return rows
}

func writeTracking(t *testing.T, path string, rows []row) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Asiakkaat"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Muunto"); err != nil {
		t.Fatal(err)
	}
	set := func(sheet string, r int, vals ...any) {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	set("Asiakkaat", 1, "Henkilötunnus", "Nimi", "Kotikunta", "Ohjattu", "Infotilaisuus", "Aloitus", "Päättyminen", "Työllistyminen", "Työsuhde")
	set("Muunto", 1, "Henkilötunnus", "Koodi")
	for i, r := range rows {
		set("Asiakkaat", i+2, string(hetuOf(r.client)), clients[r.client].name, "Lahti", "2.1.2026", r.info, r.start, "", "", "")
		set("Muunto", i+2, string(hetuOf(r.client)), clients[r.client].code)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// writeAccruals writes a Kelmu list for month m with one filler person, so
// that every month is covered.
func writeAccruals(t *testing.T, path string, months ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("Henkilötunnus;Kuukausi;Etuus;Maksupäivät;Kertymäpäivät;Kunnan osuus;Kunta\n")
	for _, m := range months {
		fmt.Fprintf(&b, "%s;%s;TMT;0;400;123,45;Lahti\n", synthetic(99), m)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

const baseConfig = `area = "lahti"
timezone = "Europe/Helsinki"
default_municipality = "Lahti"

[contract]
name = "TyöMatka 2026–2027"
provider = "Esimerkki Valmennus Oy"
valid_from = 2026-01-01
valid_to = 2027-12-31
vat_percent = "25.5"

[fees]
info = "50.00"
start = "400.00"
employed_open = "1500.00"
employed_subsidised = "750.00"

[verification]
sustain_months = 3
max_benefit_days = 5

[effectiveness]
baseline_months = 3
followup_months = 12
share_percent = "30"
cap_per_client = "100.00"

[reconciliation]
accrual_days_tolerance = 25

[source]
kind = "local"
tracking = "in/seuranta.xlsx"
accruals = "in/kertymat"
output = "out"

[state]
kind = "local"
dir = "state"

[secrets]
kind = "env"
pseudonym_key_env = "TYOMATKA_PSEUDONYM_KEY"
`

func loadConfig(t *testing.T, dir, extra string) *config.Config {
	t.Helper()
	path := filepath.Join(dir, "lahti.toml")
	if err := os.WriteFile(path, []byte(baseConfig+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// history is one test's working folder with a scripted multi-month history.
type history struct {
	t      *testing.T
	dir    string
	cfg    *config.Config
	logs   bytes.Buffer
	secret string
}

func newHistory(t *testing.T) *history {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "in", "kertymat"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &history{t: t, dir: dir, cfg: loadConfig(t, dir, ""), secret: oldSecret}
}

func month(n int) period.Month { return period.Month{Year: 2026, Month: 1}.Add(n - 1) }

type envSecrets map[string]string

func (s envSecrets) Get(_ context.Context, name string) ([]byte, error) { return []byte(s[name]), nil }

func (h *history) prepare(n int) {
	h.t.Helper()
	writeTracking(h.t, filepath.Join(h.dir, "in", "seuranta.xlsx"), workbookAt(n))
	for m := 1; m <= n; m++ {
		writeAccruals(h.t, filepath.Join(h.dir, "in", "kertymat", "kelmu_"+month(m).String()+".csv"), month(m).String())
	}
}

func (h *history) options(n int) run.Options {
	next := month(n).Add(1)
	return run.Options{
		Config:  h.cfg,
		Period:  month(n),
		AsOf:    civil.Date{Year: next.Year, Month: next.Month, Day: 22},
		Version: "test",
		Getenv:  func(string) string { return "" },
		Secrets: envSecrets{"TYOMATKA_PSEUDONYM_KEY": h.secret},
		Log:     slog.New(slog.NewJSONHandler(&h.logs, nil)),
	}
}

func (h *history) run(n int) *run.Outcome {
	h.t.Helper()
	h.prepare(n)
	out, err := run.Run(context.Background(), h.options(n))
	if err != nil {
		h.t.Fatalf("run %s: %v", month(n), err)
	}
	return out
}

func (h *history) store() state.Store {
	h.t.Helper()
	st, err := state.NewLocal(filepath.Join(h.dir, "state"))
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

func (h *history) ledger() *ledger.Ledger {
	h.t.Helper()
	snap, err := ledger.Load(context.Background(), h.store(), "lahti")
	if err != nil {
		h.t.Fatal(err)
	}
	return snap.Ledger
}

func (h *history) ledgerBytes() []byte {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, "state", "ledger", "lahti.json"))
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// assertNoPersonalData fails if any file under dirs, or any of texts,
// holds an identity code or a name of the workbook.
func assertNoPersonalData(t *testing.T, texts []string, dirs ...string) {
	t.Helper()
	var needles []string
	for i := range clients {
		c := string(hetuOf(i))
		needles = append(needles, c, clients[i].name)
		needles = append(needles, strings.Fields(clients[i].name)...)
	}
	check := func(what string, data []byte) {
		for _, n := range needles {
			if bytes.Contains(data, []byte(n)) {
				t.Errorf("%s holds personal data (%q)", what, n)
			}
		}
	}
	for _, s := range texts {
		check("log/stdout text", []byte(s))
	}
	for _, d := range dirs {
		err := filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			check(p, data)
			if strings.HasSuffix(p, ".xlsx") {
				check(p+" (cells)", xlsxText(t, p))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// xlsxText returns every cell of every sheet, since an xlsx is compressed.
func xlsxText(t *testing.T, path string) []byte {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t"))
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// newFakeGCS starts fake-gcs-server in this process (see internal/state).
func newFakeGCS(t *testing.T) state.Store {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1", Port: 0, Writer: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: "privacy-test"})
	c := srv.Client()
	t.Cleanup(func() { c.Close() })
	return state.NewGCS(c, "privacy-test", "state")
}

func date(s string) time.Time {
	d, err := civil.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d.In(time.UTC).Add(12 * time.Hour)
}
