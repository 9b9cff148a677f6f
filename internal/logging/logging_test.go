package logging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"tyomatka/internal/logging"
)

func decodeLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestJSONSeverity(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelDebug, "DEBUG"},
		{slog.LevelDebug + 2, "DEBUG"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelInfo + 2, "INFO"},
		{slog.LevelWarn, "WARNING"},
		{slog.LevelError, "ERROR"},
		{slog.LevelError + 4, "ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			var buf bytes.Buffer
			log := logging.New(&buf, logging.FormatJSON, slog.LevelDebug)
			log.Log(t.Context(), tt.level, "hello")
			lines := decodeLines(t, buf.Bytes())
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			if got := lines[0]["severity"]; got != tt.want {
				t.Errorf("severity = %v, want %q", got, tt.want)
			}
			if _, ok := lines[0]["level"]; ok {
				t.Errorf("slog's own level key is still present: %v", lines[0])
			}
		})
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, logging.FormatJSON, slog.LevelInfo)
	before := time.Now()
	log.With(logging.Labels(func(k string) string {
		return map[string]string{"CLOUD_RUN_EXECUTION": "tyomatka-x1", "CLOUD_RUN_TASK_INDEX": "0"}[k]
	})...).Info("run finished", "area", "lahti", "period", "2026-05", "lines", 42,
		slog.Group("totals", "net", "1234.50"), "err", errors.New("boom"))
	log.Debug("dropped below the level")

	lines := decodeLines(t, buf.Bytes())
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1 (debug must be filtered): %s", len(lines), buf.String())
	}
	got := lines[0]
	for key, want := range map[string]any{
		"severity": "INFO",
		"message":  "run finished",
		"area":     "lahti",
		"period":   "2026-05",
		"lines":    float64(42),
		"err":      "boom",
	} {
		if got[key] != want {
			t.Errorf("%s = %#v, want %#v", key, got[key], want)
		}
	}
	if _, ok := got["msg"]; ok {
		t.Errorf("slog's own msg key is still present")
	}
	if totals, _ := got["totals"].(map[string]any); totals["net"] != "1234.50" {
		t.Errorf("totals = %#v, want group with net", got["totals"])
	}
	labels, _ := got["logging.googleapis.com/labels"].(map[string]any)
	if labels["execution"] != "tyomatka-x1" || labels["task_index"] != "0" {
		t.Errorf("labels = %#v", got["logging.googleapis.com/labels"])
	}
	ts, _ := got["time"].(string)
	parsed, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatalf("time %q is not RFC3339Nano: %v", ts, err)
	}
	if parsed.Before(before.Add(-time.Second)) || parsed.After(time.Now().Add(time.Second)) {
		t.Errorf("time %v is not now", parsed)
	}
}

func TestText(t *testing.T) {
	var buf bytes.Buffer
	logging.New(&buf, logging.FormatText, slog.LevelInfo).Warn("slow", "area", "lahti")
	if got := buf.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, `msg=slow`) || strings.HasPrefix(got, "{") {
		t.Errorf("text output = %q", got)
	}
}

func TestLabels(t *testing.T) {
	if got := logging.Labels(func(string) string { return "" }); got != nil {
		t.Errorf("Labels outside Cloud Run = %v, want nil", got)
	}
	env := map[string]string{
		"CLOUD_RUN_JOB":          "tyomatka",
		"CLOUD_RUN_EXECUTION":    "tyomatka-x1",
		"CLOUD_RUN_TASK_INDEX":   "1",
		"CLOUD_RUN_TASK_ATTEMPT": "2",
	}
	var buf bytes.Buffer
	logging.New(&buf, logging.FormatJSON, slog.LevelInfo).With(logging.Labels(func(k string) string { return env[k] })...).Info("x")
	got := decodeLines(t, buf.Bytes())[0]["logging.googleapis.com/labels"]
	want := map[string]any{"job": "tyomatka", "execution": "tyomatka-x1", "task_index": "1", "task_attempt": "2"}
	gotMap, _ := got.(map[string]any)
	if len(gotMap) != len(want) {
		t.Fatalf("labels = %#v, want %#v", got, want)
	}
	for k, v := range want {
		if gotMap[k] != v {
			t.Errorf("labels[%s] = %#v, want %#v", k, gotMap[k], v)
		}
	}
}

func TestAuto(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct {
		name   string
		stdout *os.File
		env    map[string]string
		want   string
	}{
		{"file, local", f, nil, "json"},
		{"file, Cloud Run", f, map[string]string{"CLOUD_RUN_JOB": "tyomatka"}, "json"},
		{"nil stdout", nil, nil, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logging.Auto(tt.stdout, func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("Auto() = %q, want %q", got, tt.want)
			}
		})
	}
}
