package sharepoint_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"tyomatka/internal/graphfake"
	"tyomatka/internal/source"
)

// TestFetch: Fetch reads back what Write wrote with the eTag Write reported,
// sees a user's later edit with its new eTag, and says ErrNotFound for a
// missing file, so the ledger can tell "not written yet" from a failure.
func TestFetch(t *testing.T) {
	ctx := context.Background()
	fake := graphfake.New(t)
	c := newClient(t, fake)
	outs := outputs(nil)
	written, err := c.Write(ctx, "2026-05", outs)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}

	t.Run("as written", func(t *testing.T) {
		for i, o := range outs {
			data, version, err := c.Fetch(ctx, "2026-05", o.Name)
			if err != nil {
				t.Fatalf("Fetch %s: %v", o.Name, err)
			}
			if !bytes.Equal(data, o.Data) {
				t.Errorf("Fetch %s: %d bytes differ from the %d written", o.Name, len(data), len(o.Data))
			}
			if got, want := version, written[i].Version; got != want {
				t.Errorf("Fetch %s: version %q, want Write's %q", o.Name, got, want)
			}
		}
	})

	t.Run("after a user's edit", func(t *testing.T) {
		name := outs[0].Name
		edited := []byte("finance saved this")
		it := fake.PutFile(outputDir+"/2026-05/"+name, edited)
		data, version, err := c.Fetch(ctx, "2026-05", name)
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if !bytes.Equal(data, edited) {
			t.Errorf("Fetch returned %q, want the edited bytes", data)
		}
		if got, want := version, it.ETag; got != want {
			t.Errorf("version %q, want the new eTag %q", got, want)
		}
		if version == written[0].Version {
			t.Errorf("version did not change with the edit")
		}
	})

	t.Run("missing", func(t *testing.T) {
		for _, tc := range []struct{ dir, name string }{
			{"2026-05", "Laskutusperuste_lahti_2026-04.xlsx"},
			{"2026-04", outs[0].Name},
			{"", "2026-05"}, // a folder is not a file
		} {
			_, _, err := c.Fetch(ctx, tc.dir, tc.name)
			if !errors.Is(err, source.ErrNotFound) {
				t.Errorf("Fetch(%q, %q): %v, want ErrNotFound", tc.dir, tc.name, err)
			}
		}
	})

	t.Run("dropped download retried", func(t *testing.T) {
		settled(fake)
		fake.ResetRequests()
		fake.DropDownloads(1)
		name := outs[1].Name
		data, _, err := c.Fetch(ctx, "2026-05", name)
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if !bytes.Equal(data, outs[1].Data) {
			t.Fatalf("Fetch returned %d bytes after a dropped download, want all %d", len(data), len(outs[1].Data))
		}
		var dropped, complete int
		for _, r := range settled(fake) {
			if strings.HasPrefix(r.Path, "/download/") {
				switch r.Status {
				case 0:
					dropped++
				case http.StatusOK:
					complete++
				}
			}
		}
		if dropped != 1 || complete != 1 {
			t.Errorf("downloads: %d dropped, %d complete; want 1 and 1", dropped, complete)
		}
	})

	t.Run("downloads without the token", func(t *testing.T) {
		settled(fake)
		fake.ResetRequests()
		if _, _, err := c.Fetch(ctx, "2026-05", outs[2].Name); err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		reqs := settled(fake)
		for _, r := range reqs {
			if strings.HasPrefix(r.Path, "/download/") && r.HadAuth {
				t.Errorf("the pre-authenticated download URL got the bearer token")
			}
		}
		if got := len(reqs); got != 3 {
			t.Errorf("Fetch made %d requests, want 3 (item, content redirect, download)", got)
		}
	})
}

// settled returns the fake's request log once it stops growing: the fake
// logs a request after its handler returns, which can be after the client
// has read the whole answer.
func settled(fake *graphfake.Server) []graphfake.Request {
	reqs := fake.Requests()
	for range 50 {
		time.Sleep(10 * time.Millisecond)
		again := fake.Requests()
		if len(again) == len(reqs) {
			return again
		}
		reqs = again
	}
	return reqs
}

// TestFetchAccessDenied: a refused read-back names the missing grant.
func TestFetchAccessDenied(t *testing.T) {
	fake := graphfake.New(t)
	c := newClient(t, fake)
	fake.Deny(http.StatusForbidden)
	_, _, err := c.Fetch(context.Background(), "2026-05", "run-summary.json")
	if err == nil || !strings.Contains(err.Error(), "Sites.Selected") || errors.Is(err, source.ErrNotFound) {
		t.Fatalf("err = %v, want an access error naming Sites.Selected", err)
	}
}
