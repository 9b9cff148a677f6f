// Package logging builds the job's slog logger: JSON that Cloud Logging reads
// as structured entries when running in Cloud Run or into a pipe, and slog's
// text format on a terminal.
//
// Callers must never pass identity codes or names as attributes (SPEC §5):
// this package does not try to recognise them.
package logging

import (
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"
)

// Formats accepted by New.
const (
	FormatJSON = "json"
	FormatText = "text"
)

// Keys Cloud Logging maps from a JSON line on stdout onto the LogEntry
// instead of leaving them in jsonPayload.
// See https://cloud.google.com/logging/docs/structured-logging#special-payload-fields.
const (
	KeySeverity = "severity"
	KeyMessage  = "message"
	KeyTime     = "time"
	KeyLabels   = "logging.googleapis.com/labels"
)

// New returns a logger writing to w. Format "text" gives slog's key=value
// lines for people; any other format gives Cloud Logging's structured JSON,
// because a misspelt format in the cloud should still produce readable
// entries rather than fail the run. Records below level are dropped.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	if format == FormatText {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: cloudLogging,
	}))
}

// cloudLogging renames slog's built-in keys to the ones Cloud Logging
// recognises. Without "severity" every entry would show as DEFAULT, and
// errors could not be filtered or alerted on.
func cloudLogging(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		if l, ok := a.Value.Any().(slog.Level); ok {
			return slog.String(KeySeverity, Severity(l))
		}
	case slog.MessageKey:
		return slog.Attr{Key: KeyMessage, Value: a.Value}
	case slog.TimeKey:
		if t, ok := a.Value.Any().(time.Time); ok {
			// slog's JSON handler keeps only milliseconds; Cloud Logging
			// orders entries of one task by this field, so keep nanoseconds.
			return slog.String(KeyTime, t.UTC().Format(time.RFC3339Nano))
		}
	}
	return a
}

// Severity maps an slog level to the Cloud Logging LogSeverity name. Levels
// between the named ones round down (slog.LevelInfo+2 is still INFO).
func Severity(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	default:
		return "ERROR"
	}
}

// labelEnv maps Cloud Run job environment variables to the label names the
// entries carry.
var labelEnv = []struct{ env, label string }{
	{"CLOUD_RUN_JOB", "job"},
	{"CLOUD_RUN_EXECUTION", "execution"},
	{"CLOUD_RUN_TASK_INDEX", "task_index"},
	{"CLOUD_RUN_TASK_ATTEMPT", "task_attempt"},
}

// Labels returns attributes for logger.With that put the job, execution,
// task index and attempt of a Cloud Run task into the entry's labels, so that
// one execution's or one task's lines can be filtered with
// labels.execution="…" also when read outside Cloud Run's own resource labels.
// Unset variables are left out; outside Cloud Run the result is empty.
//
// Add the labels once: a second group with the same key would give the JSON
// line a duplicate key.
func Labels(getenv func(string) string) []any {
	var attrs []any
	for _, l := range labelEnv {
		if v := getenv(l.env); v != "" {
			// LogEntry labels are string to string, so the indexes stay strings.
			attrs = append(attrs, slog.String(l.label, v))
		}
	}
	if len(attrs) == 0 {
		return nil
	}
	return []any{slog.Group(KeyLabels, attrs...)}
}

// Auto chooses the format for a process writing to stdout: JSON inside a
// Cloud Run job or when stdout is not a terminal (a pipe or file is read by
// machines), text on an interactive terminal.
func Auto(stdout *os.File, getenv func(string) string) string {
	if getenv("CLOUD_RUN_JOB") != "" {
		return FormatJSON
	}
	if stdout == nil || !term.IsTerminal(int(stdout.Fd())) {
		return FormatJSON
	}
	return FormatText
}
