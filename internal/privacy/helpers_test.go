package privacy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/civil"

	"tyomatka/internal/hetu"
	"tyomatka/internal/pseudonym"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
	"tyomatka/internal/testfix"
)

// The scripted history's clients (codes, synthetic identity codes with
// individual numbers 9xx, and names that must never leave the workbook).
var clients = []struct{ code, name string }{
	{"TM-0101", "Aino Testinen"},
	{"TM-0102", "Veikko Kokeilija"},
	{"TM-0103", "Siiri Esimerkki"},
	{"TM-0104", "Onni Harjoitus"},
}

func hetuOf(i int) hetu.Code { return testfix.Hetu(i + 1) }

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

// client is an Asiakkaat row of client i.
func client(i int, info, start string) testfix.TrackingRow {
	return testfix.TrackingRow{Hetu: hetuOf(i), Code: clients[i].code, Name: clients[i].name, Referral: "2.1.2026", Info: info, Start: start}
}

// workbookAt is the tracking workbook as it stands at the run for month n
// (1 = 2026-01): A info + start in January; B info in January, start
// entered in February; C info in February, removed in March (an OIKAISU);
// D info in March.
func workbookAt(n int) []testfix.TrackingRow {
	rows := []testfix.TrackingRow{
		client(0, "10.1.2026", "20.1.2026"),
		client(1, "15.1.2026", ""),
	}
	if n >= 2 {
		rows[1].Start = "5.2.2026"
		rows = append(rows, client(2, "20.2.2026", ""))
	}
	if n >= 3 {
		rows[2].Info = ""
		rows = append(rows, client(3, "5.3.2026", ""))
	}
	return rows
}

// history is one test's working folder with a scripted multi-month
// history, run under the pseudonymisation key secret.
type history struct {
	*testfix.Workdir
	secret string
}

func newHistory(t *testing.T) *history {
	t.Helper()
	return &history{Workdir: testfix.NewWorkdir(t), secret: oldSecret}
}

// prepare puts the workbook of month n and a Kela list of each month up to
// n (with one filler person, so that every month is covered) in place.
func (h *history) prepare(n int) {
	h.T.Helper()
	testfix.WriteTracking(h.T, h.TrackingPath(), workbookAt(n))
	for m := 1; m <= n; m++ {
		ms := testfix.Month(m).String()
		testfix.WriteAccruals(h.T, h.AccrualPath("kelmu_"+ms+".csv"), []testfix.AccrualRow{{Hetu: testfix.Hetu(99), Month: ms, Share: "123,45"}})
	}
}

func (h *history) options(n int) run.Options { return h.Options(testfix.Month(n), h.secret) }

func (h *history) run(n int) *run.Outcome {
	h.T.Helper()
	h.prepare(n)
	return h.Run(h.options(n))
}

// assertNoPersonalData fails if any file under dirs, or any of texts,
// holds an identity code, a name or a part of a name of the workbook.
func assertNoPersonalData(t *testing.T, texts []string, dirs ...string) {
	t.Helper()
	var needles []string
	for i := range clients {
		needles = append(needles, string(hetuOf(i)), clients[i].name)
		needles = append(needles, strings.Fields(clients[i].name)...)
	}
	haystacks := testfix.FileTexts(t, dirs...)
	for i, s := range texts {
		haystacks[fmt.Sprintf("log/stdout text %d", i)] = s
	}
	testfix.AssertNoPersonalData(t, haystacks, needles)
}

// newFakeGCS starts fake-gcs-server in this process (see internal/state).
func newFakeGCS(t *testing.T) state.Store {
	t.Helper()
	c := testfix.FakeGCS(t, "privacy-test").Client()
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
