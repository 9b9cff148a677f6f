package source_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"tyomatka/internal/source"
)

// TestPrivateTempDirSweepsStale: the input copies a killed run left behind
// (they hold identity codes) are removed by the next run; those of running
// processes, this one's included, stay.
func TestPrivateTempDirSweepsStale(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("processes are not checked on Windows")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	done := exec.Command("true")
	if err := done.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(done.Process.Pid) // exited: its folder is stale
	mk := func(name string) string {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Join(p, "seuranta"), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk("tyomatka-inputs-" + dead + "-123")
	live := mk("tyomatka-inputs-1-456") // pid 1 runs
	own := mk("tyomatka-inputs-" + strconv.Itoa(os.Getpid()) + "-789")
	other := mk("tyomatka-sharepoint-" + dead + "-1") // another prefix: not this call's
	dir, err := source.PrivateTempDir("tyomatka-inputs-")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(dir) != tmp {
		t.Errorf("made %s, want it in %s", dir, tmp)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead process's copies are still there (%v)", err)
	}
	for _, p := range []string{live, own, other, dir} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}
