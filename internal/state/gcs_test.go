package state_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"

	"tyomatka/internal/state"
)

const testBucket = "tyomatka-state-test"

// newFakeGCS starts fake-gcs-server in this process, listening on a free
// local port, so requests go through the real client and HTTP.
func newFakeGCS(t testing.TB) *fakestorage.Server {
	t.Helper()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		Scheme: "http", Host: "127.0.0.1", Port: 0, NoListener: false,
		Writer: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: testBucket})
	return srv
}

func newGCS(t testing.TB, srv *fakestorage.Server, prefix string) *state.GCS {
	t.Helper()
	c := srv.Client()
	t.Cleanup(func() { c.Close() })
	return state.NewGCS(c, testBucket, prefix)
}

func TestGCSContract(t *testing.T) {
	testStore(t, newGCS(t, newFakeGCS(t), "state"))
}

// TestGCSClients races goroutines through separate clients, as separate Cloud
// Run tasks would.
func TestGCSClients(t *testing.T) {
	srv := newFakeGCS(t)
	stores := []state.Store{newGCS(t, srv, "state"), newGCS(t, srv, "state/"), newGCS(t, srv, "/state")}
	testIncrements(t, stores, "counters/clients.json", 6, 10)
}

func TestGCSLayout(t *testing.T) {
	srv := newFakeGCS(t)
	ctx := context.Background()
	s := newGCS(t, srv, "tyomatka/state/")
	gen, err := s.Put(ctx, "ledger/2026-05.json", []byte(`{"v":1}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "audit/2026-05/run.bin", []byte{1}, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ object, contentType string }{
		{"tyomatka/state/ledger/2026-05.json", "application/json"},
		{"tyomatka/state/audit/2026-05/run.bin", "application/octet-stream"},
	} {
		obj, err := srv.GetObject(testBucket, tc.object)
		if err != nil {
			t.Fatalf("object %s: %v", tc.object, err)
		}
		if got, want := obj.ContentType, tc.contentType; got != want {
			t.Errorf("%s: content type %q, want %q", tc.object, got, want)
		}
		if tc.contentType == "application/json" {
			if got, want := state.Generation(obj.Generation), gen; got != want {
				t.Errorf("%s: generation %d in the bucket, Put returned %d", tc.object, got, want)
			}
		}
	}

	// Objects outside the prefix are not the store's.
	srv.CreateObject(fakestorage.Object{
		ObjectAttrs: fakestorage.ObjectAttrs{BucketName: testBucket, Name: "tyomatka/other/ledger/x.json"},
		Content:     []byte("{}"),
	})
	got, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"audit/2026-05/run.bin", "ledger/2026-05.json"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("List = %q, want %q", got, want)
	}
}

// TestGCSMissingBucket: a wrong bucket name must fail loudly. Listing it
// as empty would make the ledger look empty and bill everything again.
func TestGCSMissingBucket(t *testing.T) {
	s := state.NewGCS(newFakeGCS(t).Client(), "no-such-bucket", "")
	ctx := context.Background()
	if _, err := s.List(ctx, "ledger/"); err == nil || errors.Is(err, state.ErrNotFound) {
		t.Errorf("List: err=%v, want a plain error", err)
	}
	if _, _, err := s.Get(ctx, "ledger/x.json"); err == nil || errors.Is(err, state.ErrNotFound) {
		t.Errorf("Get: err=%v, want a plain error", err)
	}
	if _, err := s.Put(ctx, "ledger/x.json", []byte("{}"), 0); err == nil {
		t.Errorf("Put: no error")
	}
}

// TestGCSCustomTime: every object carries the deletion stamp the bucket's
// lifecycle rule deletes by, so nothing outlives the register's deletion date.
func TestGCSCustomTime(t *testing.T) {
	srv := newFakeGCS(t)
	s := newGCS(t, srv, "p")
	stamp := time.Date(2031, 1, 28, 0, 0, 0, 0, time.UTC)
	s.CustomTime = stamp
	ctx := context.Background()
	if _, err := s.Put(ctx, "ledger/lahti.json", []byte(`{}`), 0); err != nil {
		t.Fatal(err)
	}
	attrs, err := srv.Client().Bucket(testBucket).Object("p/ledger/lahti.json").Attrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !attrs.CustomTime.Equal(stamp) {
		t.Fatalf("CustomTime = %v, want %v", attrs.CustomTime, stamp)
	}
}
