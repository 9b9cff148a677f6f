// Package progress reports how far a run has read its input files: a
// progress bar when a person watches the run on a terminal, and one
// structured log line per file otherwise (Cloud Run keeps logs, not bars).
package progress

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Reporter receives the progress of reading a set of files. Its methods are
// safe for concurrent use: files are read in parallel.
type Reporter struct {
	log   *slog.Logger
	bar   *progressbar.ProgressBar // nil when not on a terminal
	what  string
	now   func() time.Time
	mu    sync.Mutex
	start map[string]time.Time
	rows  map[string]int
	total int
}

// Options configure a Reporter; the zero value writes log lines to
// slog.Default and decides on the bar by whether stderr is a terminal.
type Options struct {
	Log *slog.Logger
	// Terminal, when set, is where the bar is drawn; nil means stderr when
	// stderr is a terminal, else no bar.
	Terminal io.Writer
	Now      func() time.Time // for tests
	// Throttle is the least time between redraws of the bar; 0 means 100 ms.
	Throttle time.Duration
}

// New returns a Reporter for files files of the kind what ("accrual lists").
func New(what string, files int, o Options) *Reporter {
	r := &Reporter{log: o.Log, what: what, now: o.Now, start: map[string]time.Time{}, rows: map[string]int{}}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	w := o.Terminal
	if w == nil && term.IsTerminal(int(os.Stderr.Fd())) {
		w = os.Stderr
	}
	if o.Throttle == 0 {
		o.Throttle = 100 * time.Millisecond
	}
	if w != nil {
		r.bar = progressbar.NewOptions(files,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(r.describe()),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("files"),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(o.Throttle),
			progressbar.OptionClearOnFinish(),
		)
	}
	return r
}

// File reports that file has rows rows read so far, and whether it is done.
// Its signature is the progress hook of the readers.
func (r *Reporter) File(file string, rows int, done bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.start[file]; !ok {
		r.start[file] = r.now()
	}
	r.total += rows - r.rows[file]
	r.rows[file] = rows
	if r.bar != nil {
		r.bar.Describe(r.describe())
		if done {
			_ = r.bar.Add(1)
		}
		return
	}
	if done {
		r.log.Info("file read", "file", file, "rows", rows,
			"seconds", r.now().Sub(r.start[file]).Seconds())
	}
}

func (r *Reporter) describe() string {
	return fmt.Sprintf("reading %s: %d rows", r.what, r.total)
}

// Close removes the bar from the terminal.
func (r *Reporter) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bar != nil {
		_ = r.bar.Finish()
	}
}
