package source_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tyomatka/internal/source"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocalAccrualsInNameOrder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"kelmu_2026-03.csv", "Kelmu_2025-12.xlsx", "~$Kelmu_2025-12.xlsx", ".hidden.csv", "notes.txt", "kelmu_2026-04.CSV"} {
		write(t, filepath.Join(dir, n), n)
	}
	if err := os.Mkdir(filepath.Join(dir, "old.csv"), 0o755); err != nil { // a folder, not a list
		t.Fatal(err)
	}
	l := &source.Local{AccrualDir: dir}
	defer l.Close()
	files, err := l.Accruals(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		if len(f.SHA256) != 64 || f.Version != "sha256:"+f.SHA256 || f.Size != int64(len(f.Name)) {
			t.Errorf("%s: sha %q version %q size %d", f.Name, f.SHA256, f.Version, f.Size)
		}
	}
	want := []string{"Kelmu_2025-12.xlsx", "kelmu_2026-03.csv", "kelmu_2026-04.CSV"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names = %q, want %q", names, want)
	}
}

// TestLocalAccrualsOtherSpreadsheet: a spreadsheet the bot cannot read as a
// list (an old .xls export) stops the run with what to do, rather than
// leaving its month out without a word.
func TestLocalAccrualsOtherSpreadsheet(t *testing.T) {
	for _, name := range []string{"Kelmu_2026-08.xls", "kelmu_2026-08.XLSM", "kelmu.ods"} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, "kelmu_2026-07.csv"), "x")
		write(t, filepath.Join(dir, name), "x")
		l := &source.Local{AccrualDir: dir}
		_, err := l.Accruals(context.Background())
		l.Close()
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "save it as .xlsx") {
			t.Errorf("%s: err %v, want one naming the file and what to do", name, err)
		}
	}
}

func TestLocalMissingInputs(t *testing.T) {
	l := &source.Local{TrackingPath: filepath.Join(t.TempDir(), "nope.xlsx"), AccrualDir: filepath.Join(t.TempDir(), "nope")}
	if _, err := l.Tracking(context.Background()); !errors.Is(err, source.ErrNotFound) || !strings.Contains(err.Error(), "nope.xlsx") {
		t.Errorf("Tracking: %v", err)
	}
	if _, err := l.Accruals(context.Background()); !errors.Is(err, source.ErrNotFound) {
		t.Errorf("Accruals: %v", err)
	}
}

// TestLocalWriteKeepsChangedFiles: a file changed after the bot wrote it is
// kept and the new one written beside it; an unchanged one is replaced.
func TestLocalWriteKeepsChangedFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	l := &source.Local{OutputRoot: root}
	w, err := l.Write(ctx, "2026-05", []source.Output{{Name: "a.xlsx", Data: []byte("v1")}, {Name: "b.json", Data: []byte("{}")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 2 || w[0].Beside || w[0].Name != "a.xlsx" {
		t.Fatalf("first write: %+v", w)
	}
	// Unchanged since the bot wrote it: replaced in place.
	w2, err := l.Write(ctx, "2026-05", []source.Output{{Name: "a.xlsx", Data: []byte("v2"), Previous: w[0].Version}})
	if err != nil || w2[0].Beside || w2[0].Name != "a.xlsx" {
		t.Fatalf("rewrite: %+v, %v", w2, err)
	}
	// Finance types into it: the bot's next write goes beside it.
	write(t, filepath.Join(root, "2026-05", "a.xlsx"), "finance's edit")
	w3, err := l.Write(ctx, "2026-05", []source.Output{{Name: "a.xlsx", Data: []byte("v3"), Previous: w2[0].Version}})
	if err != nil {
		t.Fatal(err)
	}
	if !w3[0].Beside || w3[0].Name != "a (2).xlsx" || w3[0].Note == "" {
		t.Fatalf("changed file: %+v", w3[0])
	}
	if b, _ := os.ReadFile(filepath.Join(root, "2026-05", "a.xlsx")); string(b) != "finance's edit" {
		t.Errorf("the changed file was overwritten: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "2026-05", "a (2).xlsx")); string(b) != "v3" {
		t.Errorf("beside: %q", b)
	}
	// Nothing temporary is left behind.
	entries, _ := os.ReadDir(filepath.Join(root, "2026-05"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	// Fetch reads back what is there now, with its version.
	data, ver, err := l.Fetch(ctx, "2026-05", "a (2).xlsx")
	if err != nil || string(data) != "v3" || ver != w3[0].Version {
		t.Errorf("Fetch = %q, %q, %v", data, ver, err)
	}
	if _, _, err := l.Fetch(ctx, "2026-05", "missing.xlsx"); !errors.Is(err, source.ErrNotFound) {
		t.Errorf("Fetch missing: %v", err)
	}
}

func TestWriteFileAtomicLeavesOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "x.json") // folder does not exist: the write fails
	if err := source.WriteFileAtomic(path, []byte("new")); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %d entries", len(entries))
	}
}

// TestLocalWriteAllOrNothing: when one output of a set cannot be written,
// none is: the folder keeps what it held (old outputs included), holds no
// temporary files, and a folder the write created is gone again.
func TestLocalWriteAllOrNothing(t *testing.T) {
	for _, c := range []struct {
		name     string
		existing bool
	}{{"new folder", false}, {"existing folder", true}} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			folder := filepath.Join(root, "2026-10")
			var before []string
			if c.existing {
				write(t, filepath.Join(folder, "a.xlsx"), "old a")
				before = append(before, "a.xlsx")
			}
			// A folder where the third output goes: it cannot be written.
			if err := os.MkdirAll(filepath.Join(folder, "c.json", "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			before = append(before, "c.json")
			l := &source.Local{OutputRoot: root}
			outs := []source.Output{
				{Name: "a.xlsx", Data: []byte("new a"), Replace: true},
				{Name: "b.xlsx", Data: []byte("new b"), Replace: true},
				{Name: "c.json", Data: []byte("{}"), Replace: true},
			}
			written, err := l.Write(context.Background(), "2026-10", outs)
			if err == nil || !strings.Contains(err.Error(), "c.json") {
				t.Fatalf("Write: err %v, want one naming c.json", err)
			}
			if len(written) != 0 {
				t.Errorf("reported %d files written", len(written))
			}
			var names []string
			entries, _ := os.ReadDir(folder)
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !reflect.DeepEqual(names, before) {
				t.Errorf("folder holds %q after the failed write, want %q", names, before)
			}
			if c.existing {
				if b, _ := os.ReadFile(filepath.Join(folder, "a.xlsx")); string(b) != "old a" {
					t.Errorf("a.xlsx = %q, want the old content", b)
				}
			}
		})
	}
	// The folder a failed write created is removed again.
	root := t.TempDir()
	l := &source.Local{OutputRoot: root}
	outs := []source.Output{{Name: "a.xlsx", Data: []byte("a")}, {Name: filepath.Join("missing", "b.xlsx"), Data: []byte("b")}}
	if _, err := l.Write(context.Background(), "2026-11", outs); err == nil {
		t.Fatal("write into a missing subfolder succeeded")
	}
	if _, err := os.Stat(filepath.Join(root, "2026-11")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the output folder the failed write created is still there (stat: %v)", err)
	}
}

// TestLocalWriteWithoutRecord: a file the bot has no record of writing is
// kept unless it already holds the very bytes; scratch output is replaced.
func TestLocalWriteWithoutRecord(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	l := &source.Local{OutputRoot: root}
	write(t, filepath.Join(root, "p", "a.xlsx"), "someone's file")
	write(t, filepath.Join(root, "p", "same.json"), "{}")
	write(t, filepath.Join(root, "p", "scratch.json"), "old")
	w, err := l.Write(ctx, "p", []source.Output{
		{Name: "a.xlsx", Data: []byte("bot")},
		{Name: "same.json", Data: []byte("{}")},
		{Name: "scratch.json", Data: []byte("new"), Replace: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !w[0].Beside || w[0].Name != "a (2).xlsx" {
		t.Errorf("unrecorded file: %+v", w[0])
	}
	if w[1].Beside || w[1].Name != "same.json" {
		t.Errorf("identical bytes: %+v", w[1])
	}
	if w[2].Beside || w[2].Name != "scratch.json" {
		t.Errorf("replace: %+v", w[2])
	}
	if b, _ := os.ReadFile(filepath.Join(root, "p", "a.xlsx")); string(b) != "someone's file" {
		t.Errorf("overwrote someone's file: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "p", "scratch.json")); string(b) != "new" {
		t.Errorf("scratch not replaced: %q", b)
	}
}

// TestLocalReadsPrivateCopies: the readers get a copy made while hashing, so
// a workbook saved during the run cannot put other bytes under the audited
// hash; the copies go with Close.
func TestLocalReadsPrivateCopies(t *testing.T) {
	dir := t.TempDir()
	tracking := filepath.Join(dir, "seuranta.xlsx")
	write(t, tracking, "tracking bytes")
	lists := filepath.Join(dir, "kertymat")
	write(t, filepath.Join(lists, "kelmu.csv"), "list bytes")
	l := &source.Local{TrackingPath: tracking, AccrualDir: lists}
	t.Cleanup(func() { l.Close() })
	tf, err := l.Tracking(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	files, err := l.Accruals(context.Background())
	if err != nil || len(files) != 1 {
		t.Fatalf("lists %v: %v", files, err)
	}
	// Someone saves both files after they were hashed.
	write(t, tracking, "changed")
	write(t, filepath.Join(lists, "kelmu.csv"), "changed")
	for _, f := range []source.File{tf, files[0]} {
		if f.Location == f.Path || !strings.HasPrefix(f.Location, dir) {
			t.Errorf("%s: path %s, location %s: want a copy and the original", f.Name, f.Path, f.Location)
		}
		b, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f.SHA256 || string(b) == "changed" {
			t.Errorf("%s: the reader would see %q, not the hashed bytes", f.Name, b)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tf.Path); !os.IsNotExist(err) {
		t.Errorf("copy %s still there after Close: %v", tf.Path, err)
	}
}
