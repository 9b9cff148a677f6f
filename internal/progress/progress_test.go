package progress_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tyomatka/internal/progress"
)

func TestLogLines(t *testing.T) {
	var logs bytes.Buffer
	now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	r := progress.New("accrual lists", 2, progress.Options{Log: slog.New(slog.NewJSONHandler(&logs, nil)), Now: clock})
	r.File("a.xlsx", 0, false)
	r.File("b.csv", 0, false)
	now = now.Add(1500 * time.Millisecond)
	r.File("a.xlsx", 65536, false)
	r.File("a.xlsx", 70000, true)
	now = now.Add(time.Second)
	r.File("b.csv", 12, true)
	r.Close()

	type line struct {
		Msg     string
		File    string
		Rows    int
		Seconds float64
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		got = append(got, v)
	}
	want := []line{{"file read", "a.xlsx", 70000, 1.5}, {"file read", "b.csv", 12, 2.5}}
	if len(got) != len(want) {
		t.Fatalf("got %d log lines %+v, want %+v", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestBar(t *testing.T) {
	var logs, screen bytes.Buffer
	r := progress.New("accrual lists", 2, progress.Options{Log: slog.New(slog.NewTextHandler(&logs, nil)), Terminal: &screen, Throttle: time.Nanosecond})
	r.File("a.xlsx", 0, false)
	r.File("a.xlsx", 100, true)
	r.File("b.xlsx", 0, false)
	r.File("b.xlsx", 23, true)
	r.Close()
	if logs.Len() != 0 {
		t.Errorf("a bar on a terminal, and log lines too: %q", logs.String())
	}
	if got := screen.String(); !strings.Contains(got, "reading accrual lists") || !strings.Contains(got, "123 rows") {
		t.Errorf("bar output %q does not show the rows read", got)
	}
}
