//go:build unix

package state_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tyomatka/internal/state"
)

// Environment of the helper process started by TestLocalCrossProcess.
const (
	envHelperDir = "STATE_TEST_HELPER_DIR" // store folder
	envHelperGo  = "STATE_TEST_HELPER_GO"  // file whose appearance starts the race
	envHelperID  = "STATE_TEST_HELPER_ID"
	envHelperN   = "STATE_TEST_HELPER_N"
)

func TestLocalContract(t *testing.T) {
	testStore(t, newLocal(t))
}

func TestLocalOnDisk(t *testing.T) {
	s := newLocal(t)
	ctx := context.Background()
	const name = "ledger/2026-05.json"
	gen, err := s.Put(ctx, name, []byte(`{"v":1}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(s.Dir(), "ledger", "2026-05.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(raw), fmt.Sprintf("#tyomatka-state gen=%d\n{\"v\":1}", gen); got != want {
		t.Errorf("file = %q, want %q", got, want)
	}
	entries, err := os.ReadDir(filepath.Join(s.Dir(), "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("ledger folder holds %d entries, want only the object (no temp files)", len(entries))
	}

	// A file that lost its header (edited by hand, say) is an error, never an
	// absent object: reading it as absent would bill everything again.
	if err := os.WriteFile(filepath.Join(s.Dir(), "ledger", "hand.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, "ledger/hand.json"); err == nil || errors.Is(err, state.ErrNotFound) {
		t.Errorf("Get of headerless file: err=%v, want a corruption error", err)
	}
	if _, err := s.Put(ctx, "ledger/hand.json", []byte("{}"), 0); err == nil || errors.Is(err, state.ErrPrecondition) {
		t.Errorf("Put over headerless file: err=%v, want a corruption error", err)
	}
}

// TestLocalWaitsForLock holds the folder's lock from outside the store, as
// another process would, and checks that a write waits for it.
func TestLocalWaitsForLock(t *testing.T) {
	s := newLocal(t)
	f, err := os.OpenFile(filepath.Join(s.Dir(), ".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Put(ctx, "a.json", []byte("{}"), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put while locked: err=%v, want DeadlineExceeded", err)
	}
	if _, _, err := s.Get(context.Background(), "a.json"); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("after timed-out Put: err=%v, want ErrNotFound", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := s.Put(context.Background(), "a.json", []byte("{}"), 0)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("Put finished (err=%v) while the lock was held", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Put after unlock: %v", err)
	}
}

// TestLocalInstances races goroutines through separate Local values on one
// folder: nothing in memory is shared, only the folder.
func TestLocalInstances(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	var stores []state.Store
	for range 3 {
		s, err := state.NewLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, s)
	}
	testIncrements(t, stores, "counters/instances.json", 6, 15)
}

// TestLocalCrossProcess races two child processes (this test binary,
// re-executed) and goroutines of this process on one folder.
func TestLocalCrossProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const (
		name      = "counters/processes.json"
		procs     = 2
		perWorker = 25
	)
	dir := filepath.Join(t.TempDir(), "state")
	goFile := filepath.Join(t.TempDir(), "go")
	var want []string

	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLocalHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			envHelperDir+"="+dir, envHelperGo+"="+goFile,
			envHelperID+"="+strconv.Itoa(p), envHelperN+"="+strconv.Itoa(perWorker))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
		for i := range perWorker {
			want = append(want, fmt.Sprintf("p%d-%d", p, i))
		}
	}

	s, err := state.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Start the race only when every helper is up, so that they overlap.
	for p := range procs {
		waitForFile(t, fmt.Sprintf("%s.ready%d", goFile, p))
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		conflicts int
		errs      []error
	)
	for w := range 2 {
		for i := range perWorker {
			want = append(want, fmt.Sprintf("g%d-%d", w, i))
		}
		wg.Go(func() {
			for i := range perWorker {
				c, err := increment(context.Background(), s, name, fmt.Sprintf("g%d-%d", w, i), crossProcessPause)
				mu.Lock()
				conflicts += c
				mu.Unlock()
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	helperConflicts := 0
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", p, err, outs[p])
		}
		_, after, ok := strings.Cut(outs[p].String(), "conflicts=")
		if !ok {
			t.Fatalf("helper %d did not report:\n%s", p, outs[p])
		}
		n, err := strconv.Atoi(strings.Fields(after)[0])
		if err != nil {
			t.Fatal(err)
		}
		helperConflicts += n
	}
	checkCounter(t, s, name, want)
	// A helper runs one goroutine, so every race it lost was lost to another
	// process.
	if helperConflicts == 0 {
		t.Errorf("no helper process ever saw ErrPrecondition: the cross-process race was not exercised")
	}
	t.Logf("%d increments from %d processes; lost races retried: %d in helpers, %d in this process",
		len(want), procs+1, helperConflicts, conflicts)
}

// TestLocalHelperProcess is the child of TestLocalCrossProcess; run directly
// it does nothing.
func TestLocalHelperProcess(t *testing.T) {
	dir := os.Getenv(envHelperDir)
	if dir == "" {
		t.Skip("helper process only")
	}
	n, err := strconv.Atoi(os.Getenv(envHelperN))
	if err != nil {
		t.Fatal(err)
	}
	s, err := state.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	goFile := os.Getenv(envHelperGo)
	if err := os.WriteFile(goFile+".ready"+os.Getenv(envHelperID), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitForFile(t, goFile)
	conflicts := 0
	for i := range n {
		c, err := increment(context.Background(), s, "counters/processes.json", fmt.Sprintf("p%s-%d", os.Getenv(envHelperID), i), crossProcessPause)
		if err != nil {
			t.Fatal(err)
		}
		conflicts += c
	}
	fmt.Printf("conflicts=%d\n", conflicts)
}

// crossProcessPause makes a reader stay behind long enough for another
// process to be scheduled and write.
func crossProcessPause() { time.Sleep(200 * time.Microsecond) }

func waitForFile(t *testing.T, file string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := os.Stat(file); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", file)
		}
		time.Sleep(time.Millisecond)
	}
}
