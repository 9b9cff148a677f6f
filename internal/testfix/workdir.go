package testfix

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"cloud.google.com/go/civil"
	"github.com/fsouza/fake-gcs-server/fakestorage"

	"tyomatka/internal/config"
	"tyomatka/internal/ledger"
	"tyomatka/internal/period"
	"tyomatka/internal/run"
	"tyomatka/internal/state"
)

// Workdir is one test's working folder under ConfigTOML: the tracking
// workbook at in/seuranta.xlsx, Kela lists in in/kertymat, outputs in out
// and the ledger and audit records in state.
type Workdir struct {
	T      *testing.T
	Dir    string
	Config *config.Config
	Logs   Log // the JSON log of every run of Options
}

// Log is a buffer that runs logging at the same time can share.
type Log struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what has been logged.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// NewWorkdir makes an empty working folder in t.TempDir.
func NewWorkdir(t *testing.T) *Workdir {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "in", "kertymat"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Workdir{T: t, Dir: dir, Config: LoadConfig(t, dir, "")}
}

// TrackingPath is where the configuration reads the tracking workbook.
func (w *Workdir) TrackingPath() string { return filepath.Join(w.Dir, "in", "seuranta.xlsx") }

// AccrualPath is where a Kela list called name is read from.
func (w *Workdir) AccrualPath(name string) string {
	return filepath.Join(w.Dir, "in", "kertymat", name)
}

// Options are a real run for p as of the 22nd of the next month, under the
// pseudonymisation key key, logging to w.Logs.
func (w *Workdir) Options(p period.Month, key string) run.Options {
	next := p.Add(1)
	return run.Options{
		Config:  w.Config,
		Period:  p,
		AsOf:    civil.Date{Year: next.Year, Month: next.Month, Day: 22},
		Version: "test",
		Getenv:  func(string) string { return "" },
		Secrets: Secrets{"TYOMATKA_PSEUDONYM_KEY": key},
		Log:     slog.New(slog.NewJSONHandler(&w.Logs, nil)),
	}
}

// Run runs o and fails the test when the run fails.
func (w *Workdir) Run(o run.Options) *run.Outcome {
	w.T.Helper()
	out, err := run.Run(context.Background(), o)
	if err != nil {
		w.T.Fatalf("run %s: %v", o.Period, err)
	}
	return out
}

// Store opens the state folder.
func (w *Workdir) Store() state.Store {
	w.T.Helper()
	st, err := state.NewLocal(filepath.Join(w.Dir, "state"))
	if err != nil {
		w.T.Fatal(err)
	}
	return st
}

// Ledger loads area lahti's ledger.
func (w *Workdir) Ledger() *ledger.Ledger {
	w.T.Helper()
	snap, err := ledger.Load(context.Background(), w.Store(), "lahti")
	if err != nil {
		w.T.Fatal(err)
	}
	return snap.Ledger
}

// LedgerBytes returns the ledger's file as stored.
func (w *Workdir) LedgerBytes() []byte {
	w.T.Helper()
	b, err := os.ReadFile(filepath.Join(w.Dir, "state", "ledger", "lahti.json"))
	if err != nil {
		w.T.Fatal(err)
	}
	return b
}

// FakeGCS starts fake-gcs-server in this process with an empty bucket,
// stopped when the test ends.
func FakeGCS(t *testing.T, bucket string) *fakestorage.Server {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1", Port: 0, Writer: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	return srv
}

// CopyTree copies the files of src, and its folders, into dst.
func CopyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
