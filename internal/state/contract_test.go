package state_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"tyomatka/internal/state"
)

// testStore is the contract every Store must meet; each implementation's
// test runs it on a fresh, empty store.
func testStore(t *testing.T, s state.Store) {
	t.Helper()
	ctx := context.Background()
	const name = "ledger/2026-05.json"

	t.Run("NotFound", func(t *testing.T) {
		_, _, err := s.Get(ctx, "ledger/none.json")
		if !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("Get missing: err=%v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "ledger/none.json", 1); !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("Delete missing: err=%v, want ErrNotFound", err)
		}
		_, err = s.Put(ctx, "ledger/none.json", []byte("x"), 12345)
		if !errors.Is(err, state.ErrPrecondition) {
			t.Fatalf("Put missing with ifGen 12345: err=%v, want ErrPrecondition", err)
		}
		if _, _, err := s.Get(ctx, "ledger/none.json"); !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("after failed Put: err=%v, want ErrNotFound (nothing written)", err)
		}
	})

	var g1, g2 Generation
	t.Run("CreateAndRead", func(t *testing.T) {
		var err error
		g1, err = s.Put(ctx, name, []byte(`{"v":1}`), 0)
		if err != nil {
			t.Fatal(err)
		}
		if g1 <= 0 {
			t.Fatalf("generation %d, want > 0", g1)
		}
		expect(t, s, name, `{"v":1}`, g1)
	})

	t.Run("CreateWhenExists", func(t *testing.T) {
		_, err := s.Put(ctx, name, []byte(`{"v":"other"}`), 0)
		if !errors.Is(err, state.ErrPrecondition) {
			t.Fatalf("err=%v, want ErrPrecondition", err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name the object", err)
		}
		expect(t, s, name, `{"v":1}`, g1)
	})

	t.Run("CASUpdate", func(t *testing.T) {
		var err error
		g2, err = s.Put(ctx, name, []byte(`{"v":2}`), g1)
		if err != nil {
			t.Fatal(err)
		}
		if g2 <= g1 {
			t.Fatalf("generation %d after %d, want greater", g2, g1)
		}
		expect(t, s, name, `{"v":2}`, g2)
	})

	t.Run("StaleUpdate", func(t *testing.T) {
		_, err := s.Put(ctx, name, []byte(`{"v":"stale"}`), g1)
		if !errors.Is(err, state.ErrPrecondition) {
			t.Fatalf("err=%v, want ErrPrecondition", err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name the object", err)
		}
		expect(t, s, name, `{"v":2}`, g2)
	})

	t.Run("StaleDelete", func(t *testing.T) {
		err := s.Delete(ctx, name, g1)
		if !errors.Is(err, state.ErrPrecondition) {
			t.Fatalf("err=%v, want ErrPrecondition", err)
		}
		expect(t, s, name, `{"v":2}`, g2)
	})

	t.Run("DeleteAndRecreate", func(t *testing.T) {
		if err := s.Delete(ctx, name, g2); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, name); !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("Get after Delete: err=%v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, name, g2); !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("second Delete: err=%v, want ErrNotFound", err)
		}
		// A writer still holding g2 must not match the re-created object.
		g3, err := s.Put(ctx, name, []byte(`{"v":3}`), 0)
		if err != nil {
			t.Fatal(err)
		}
		if g3 <= g2 {
			t.Fatalf("re-created generation %d, want > %d", g3, g2)
		}
		if _, err := s.Put(ctx, name, []byte(`{"v":"stale"}`), g2); !errors.Is(err, state.ErrPrecondition) {
			t.Fatalf("Put with pre-delete generation: err=%v, want ErrPrecondition", err)
		}
		expect(t, s, name, `{"v":3}`, g3)
	})

	t.Run("EmptyAndBinary", func(t *testing.T) {
		for i, data := range []string{"", "line1\nline2\n", "\x00\xff#tyomatka"} {
			n := fmt.Sprintf("misc/%d.bin", i)
			g, err := s.Put(ctx, n, []byte(data), 0)
			if err != nil {
				t.Fatal(err)
			}
			expect(t, s, n, data, g)
		}
	})

	t.Run("List", func(t *testing.T) {
		for _, n := range []string{
			"list/ledger/2026-05.json",
			"list/audit/2026-03/b.json",
			"list/ledger/2026-03.json",
			"list/audit/2026-03/a.json",
			"list/ledgerx.json",
			"list/audit/2026-10/a.json",
		} {
			if _, err := s.Put(ctx, n, []byte("{}"), 0); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			prefix string
			want   []string
		}{
			{"list/ledger/", []string{"list/ledger/2026-03.json", "list/ledger/2026-05.json"}},
			{"list/ledger", []string{"list/ledger/2026-03.json", "list/ledger/2026-05.json", "list/ledgerx.json"}},
			{"list/audit/2026-0", []string{"list/audit/2026-03/a.json", "list/audit/2026-03/b.json"}},
			{"list/audit/", []string{"list/audit/2026-03/a.json", "list/audit/2026-03/b.json", "list/audit/2026-10/a.json"}},
			{"list/none/", nil},
			{"nothing", nil},
		} {
			t.Run(tc.prefix, func(t *testing.T) {
				got, err := s.List(ctx, tc.prefix)
				if err != nil {
					t.Fatal(err)
				}
				if want := tc.want; !slices.Equal(got, want) {
					t.Fatalf("List(%q) = %q, want %q", tc.prefix, got, want)
				}
			})
		}
		all, err := s.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.IsSorted(all) || !slices.Contains(all, "list/ledgerx.json") || !slices.Contains(all, name) {
			t.Fatalf(`List("") = %q, want every object, sorted`, all)
		}
		for _, n := range all {
			if strings.Contains(n, "/.") || strings.HasPrefix(n, ".") {
				t.Errorf("List shows internal file %q", n)
			}
		}
	})

	t.Run("InvalidNames", func(t *testing.T) {
		for _, n := range []string{"", "/abs.json", "../up.json", "a/../b.json", "a//b.json", ".hidden", "a/.lock", "a/", "nul\x00.json", strings.Repeat("x", 1025)} {
			if _, err := s.Put(ctx, n, []byte("x"), 0); !errors.Is(err, state.ErrInvalidName) {
				t.Errorf("Put(%q): err=%v, want ErrInvalidName", n, err)
			}
			if _, _, err := s.Get(ctx, n); !errors.Is(err, state.ErrInvalidName) {
				t.Errorf("Get(%q): err=%v, want ErrInvalidName", n, err)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		testIncrements(t, []state.Store{s}, "counters/goroutines.json", 8, 15)
	})
}

func newLocal(t testing.TB) *state.Local {
	t.Helper()
	s, err := state.NewLocal(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Generation shortens the contract's type in this file.
type Generation = state.Generation

func expect(t *testing.T, s state.Store, name, wantData string, wantGen Generation) {
	t.Helper()
	data, gen, err := s.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	if got, want := string(data), wantData; got != want {
		t.Errorf("Get(%q) data = %q, want %q", name, got, want)
	}
	if got, want := gen, wantGen; got != want {
		t.Errorf("Get(%q) generation = %d, want %d", name, got, want)
	}
}

// counter is the object the concurrency tests fight over. IDs records every
// increment, so a lost one or one applied twice shows by id, not only as a
// wrong total.
type counter struct {
	N   int      `json:"n"`
	IDs []string `json:"ids"`
}

// increment adds one to the counter with a get→put retry loop and returns how
// many times it lost a race (saw ErrPrecondition). pause runs between read
// and write: it widens the race window so that races happen often enough to
// be tested, also on a fast disk.
func increment(ctx context.Context, s state.Store, name, id string, pause func()) (conflicts int, err error) {
	for {
		var c counter
		data, gen, err := s.Get(ctx, name)
		switch {
		case errors.Is(err, state.ErrNotFound):
			gen = 0
		case err != nil:
			return conflicts, err
		default:
			if err := json.Unmarshal(data, &c); err != nil {
				return conflicts, fmt.Errorf("decode %s: %w", name, err)
			}
		}
		pause()
		c.N++
		c.IDs = append(c.IDs, id)
		out, err := json.Marshal(c)
		if err != nil {
			return conflicts, err
		}
		_, err = s.Put(ctx, name, out, gen)
		if errors.Is(err, state.ErrPrecondition) {
			conflicts++
			continue
		}
		return conflicts, err
	}
}

// testIncrements runs workers goroutines, spread over stores (which share
// one backing store), each incrementing name perWorker times.
func testIncrements(t *testing.T, stores []state.Store, name string, workers, perWorker int) {
	t.Helper()
	ctx := context.Background()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		conflicts int
		errs      []error
	)
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			s := stores[w%len(stores)]
			for i := range perWorker {
				c, err := increment(ctx, s, name, fmt.Sprintf("g%d-%d", w, i), runtime.Gosched)
				mu.Lock()
				conflicts += c
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var want []string
	for w := range workers {
		for i := range perWorker {
			want = append(want, fmt.Sprintf("g%d-%d", w, i))
		}
	}
	checkCounter(t, stores[0], name, want)
	if conflicts == 0 {
		t.Errorf("no worker ever saw ErrPrecondition: the race was not exercised")
	}
	t.Logf("%d increments, %d lost races retried", workers*perWorker, conflicts)
}

// checkCounter asserts the counter holds exactly the increments in want,
// each once.
func checkCounter(t *testing.T, s state.Store, name string, want []string) {
	t.Helper()
	data, _, err := s.Get(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	var c counter
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if got, want := c.N, len(want); got != want {
		t.Errorf("counter = %d, want %d", got, want)
	}
	got := slices.Clone(c.IDs)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("increments recorded: %d ids, want %d (lost or doubled)", len(got), len(want))
	}
}
