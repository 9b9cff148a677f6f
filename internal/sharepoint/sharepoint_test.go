package sharepoint_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"tyomatka/internal/graphfake"
	"tyomatka/internal/sharepoint"
	"tyomatka/internal/source"
)

const (
	trackingPath = "TyöMatka/seuranta.xlsx"
	accrualDir   = "TyöMatka/Kertymät"
	outputDir    = "TyöMatka/Raportit"
)

// newClient builds a client against the fake, with test-friendly limits.
func newClient(t *testing.T, fake *graphfake.Server, mods ...func(*sharepoint.Config)) *sharepoint.Client {
	t.Helper()
	cfg := sharepoint.Config{
		Site: fake.Site(), Drive: fake.DriveName,
		Tracking: trackingPath, Accruals: accrualDir, Output: outputDir,
		BaseURL: fake.BaseURL(), Token: graphfake.Token, TempDir: t.TempDir(),
		RequestsPerSecond: 200, Burst: 20,
		MaxRetryTime: 30 * time.Second, RequestTimeout: 10 * time.Second,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := sharepoint.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed+1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// seed puts a tracking workbook and accrual lists (plus things that are not
// lists) into the fake. It returns the list contents by name.
func seed(fake *graphfake.Server) (tracking []byte, accruals map[string][]byte) {
	tracking = randomBytes(150_000, 1)
	fake.PutFile(trackingPath, tracking)
	accruals = map[string][]byte{}
	for i, name := range []string{"kelmu_2026-01.csv", "kelmu_2026-02.csv", "kelmu_2026-03.xlsx", "kelmu_2026-04.csv", "Kelmu_2026-05.csv"} {
		data := []byte(fmt.Sprintf("kuukausi;paivat\n2026-%02d;%d\n", i+1, 10+i))
		if strings.HasSuffix(name, ".xlsx") {
			data = randomBytes(40_000, uint64(10+i))
		}
		fake.PutFile(accrualDir+"/"+name, data)
		accruals[name] = data
	}
	fake.PutFile(accrualDir+"/lueminut.txt", []byte("ei lista"))
	fake.PutFile(accrualDir+"/~$kelmu_2026-03.xlsx", []byte("lukko"))
	fake.MkdirAll(accrualDir + "/arkisto.csv") // a folder, despite its name
	return tracking, accruals
}

func outputs(prev map[string]string) []source.Output {
	outs := []source.Output{
		{Name: "Laskutusperuste_lahti_2026-05.xlsx", Data: randomBytes(60_000, 100)},
		{Name: "Tasmaytys_lahti_2026-05.xlsx", Data: randomBytes(40_000, 101)},
		{Name: "Palveluntuottaja_lahti_2026-05.xlsx", Data: randomBytes(30_000, 102)},
		{Name: "run-summary.json", Data: []byte(`{"area":"lahti","period":"2026-05"}`)},
	}
	for i := range outs {
		outs[i].Previous = prev[outs[i].Name]
	}
	return outs
}

func checkRead(t *testing.T, c *sharepoint.Client, fake *graphfake.Server, tracking []byte, accruals map[string][]byte) source.File {
	t.Helper()
	ctx := context.Background()
	tf, err := c.Tracking(ctx)
	if err != nil {
		t.Fatalf("Tracking: %v", err)
	}
	want, _ := fake.File(trackingPath)
	if got, want := tf.SHA256, sha(tracking); got != want {
		t.Errorf("tracking SHA256 = %s, want %s", got, want)
	}
	if tf.ID != want.ID || tf.Version != want.ETag || tf.Size != int64(len(tracking)) {
		t.Errorf("tracking = {ID %q Version %q Size %d}, want {%q %q %d}", tf.ID, tf.Version, tf.Size, want.ID, want.ETag, len(tracking))
	}
	if b, err := os.ReadFile(tf.Path); err != nil || !bytes.Equal(b, tracking) {
		t.Errorf("local copy of tracking differs (err %v)", err)
	}

	files, err := c.Accruals(ctx)
	if err != nil {
		t.Fatalf("Accruals: %v", err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		it, _ := fake.File(accrualDir + "/" + f.Name)
		if got, want := f.SHA256, sha(accruals[f.Name]); got != want {
			t.Errorf("%s SHA256 = %s, want %s", f.Name, got, want)
		}
		if f.ID != it.ID || f.Version != it.ETag {
			t.Errorf("%s = {ID %q Version %q}, want {%q %q}", f.Name, f.ID, f.Version, it.ID, it.ETag)
		}
		if b, err := os.ReadFile(f.Path); err != nil || !bytes.Equal(b, accruals[f.Name]) {
			t.Errorf("local copy of %s differs (err %v)", f.Name, err)
		}
	}
	if got, want := strings.Join(names, ","), "Kelmu_2026-05.csv,kelmu_2026-01.csv,kelmu_2026-02.csv,kelmu_2026-03.xlsx,kelmu_2026-04.csv"; got != want {
		t.Errorf("accrual names = %s, want %s", got, want)
	}
	return tf
}

func TestRead(t *testing.T) {
	fake := graphfake.New(t)
	tracking, accruals := seed(fake)
	c := newClient(t, fake)
	tf := checkRead(t, c, fake, tracking, accruals)

	var childPages, downloads, apiContent int
	for _, r := range fake.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/children"):
			childPages++
		case strings.HasPrefix(r.Path, "/download/"):
			downloads++
			if r.HadAuth {
				t.Errorf("download %s carried an Authorization header", r.Path)
			}
		case strings.HasSuffix(r.Path, "/content"):
			apiContent++
			if r.Status != http.StatusFound || !r.HadAuth {
				t.Errorf("content request %s: status %d auth %v, want 302 with auth", r.Path, r.Status, r.HadAuth)
			}
		}
	}
	// 9 entries at 2 a page.
	if childPages < 3 {
		t.Errorf("children pages fetched = %d, want >= 3", childPages)
	}
	if got, want := downloads, 6; got != want {
		t.Errorf("downloads = %d, want %d", got, want)
	}
	if got, want := apiContent, 6; got != want {
		t.Errorf("content requests = %d, want %d", got, want)
	}

	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(tf.Path); !os.IsNotExist(err) {
		t.Errorf("downloaded copy %s still there after Close (err %v)", tf.Path, err)
	}
}

func TestReadMissing(t *testing.T) {
	fake := graphfake.New(t)
	c := newClient(t, fake)
	_, err := c.Tracking(context.Background())
	if !errors.Is(err, source.ErrNotFound) || !strings.Contains(err.Error(), trackingPath) {
		t.Errorf("Tracking on an empty drive: %v, want ErrNotFound naming %s", err, trackingPath)
	}
	_, err = c.Accruals(context.Background())
	if !errors.Is(err, source.ErrNotFound) || !strings.Contains(err.Error(), accrualDir) {
		t.Errorf("Accruals on an empty drive: %v, want ErrNotFound naming %s", err, accrualDir)
	}
}

func TestWrite(t *testing.T) {
	ctx := context.Background()
	fake := graphfake.New(t)
	c := newClient(t, fake)
	dir := "2026-05"

	first, err := c.Write(ctx, dir, outputs(nil))
	if err != nil {
		t.Fatalf("first Write: %v", err)
	}
	prev := map[string]string{}
	for i, w := range first {
		o := outputs(nil)[i]
		it, ok := fake.File(outputDir + "/" + dir + "/" + o.Name)
		if !ok || !bytes.Equal(it.Data, o.Data) {
			t.Fatalf("%s not stored as written", o.Name)
		}
		if w.Beside || w.Name != o.Name || w.Version != it.ETag || w.SHA256 != sha(o.Data) {
			t.Errorf("first Written = %+v, want name %s version %s sha %s", w, o.Name, it.ETag, sha(o.Data))
		}
		prev[w.Name] = w.Version
	}

	t.Run("rerun replaces unchanged files", func(t *testing.T) {
		outs := outputs(prev)
		outs[0].Data = []byte("uusi versio")
		again, err := c.Write(ctx, dir, outs)
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		for _, w := range again {
			if w.Beside {
				t.Errorf("%s written beside an unchanged file", w.Name)
			}
			if w.Version == prev[w.Name] {
				t.Errorf("%s: eTag unchanged after a write", w.Name)
			}
			prev[w.Name] = w.Version
		}
		it, _ := fake.File(outputDir + "/" + dir + "/" + outs[0].Name)
		if got, want := string(it.Data), "uusi versio"; got != want {
			t.Errorf("replaced content = %q, want %q", got, want)
		}
	})

	t.Run("file edited by a user is kept", func(t *testing.T) {
		name := "Laskutusperuste_lahti_2026-05.xlsx"
		edited := []byte("talousosasto hyväksyi")
		fake.PutFile(outputDir+"/"+dir+"/"+name, edited)
		outs := outputs(prev)
		again, err := c.Write(ctx, dir, outs)
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		w := again[0]
		if !w.Beside || w.Name != "Laskutusperuste_lahti_2026-05 (2).xlsx" || !strings.Contains(w.Note, "changed after the bot wrote it") {
			t.Errorf("Written = %+v, want beside as %q with a note", w, "Laskutusperuste_lahti_2026-05 (2).xlsx")
		}
		kept, _ := fake.File(outputDir + "/" + dir + "/" + name)
		if !bytes.Equal(kept.Data, edited) {
			t.Errorf("the user's edit was overwritten")
		}
		beside, ok := fake.File(outputDir + "/" + dir + "/" + w.Name)
		if !ok || !bytes.Equal(beside.Data, outs[0].Data) || beside.ETag != w.Version {
			t.Errorf("beside file not stored as reported")
		}
		for _, w := range again[1:] {
			if w.Beside {
				t.Errorf("%s written beside though unchanged", w.Name)
			}
		}
	})

	t.Run("file deleted by a user is written again", func(t *testing.T) {
		fake.PutFile(outputDir+"/2026-07/run-summary.json", []byte("{}"))
		got, err := c.Write(ctx, "2026-07", []source.Output{{Name: "run-summary.json", Data: []byte(`{"b":2}`), Previous: `"{01GONE},1"`}})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !got[0].Beside {
			t.Errorf("Written = %+v, want beside: the file exists with another eTag", got[0])
		}
		got, err = c.Write(ctx, "2026-08", []source.Output{{Name: "run-summary.json", Data: []byte(`{"c":3}`), Previous: `"{01GONE},1"`}})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if got[0].Beside || got[0].Name != "run-summary.json" {
			t.Errorf("Written = %+v, want run-summary.json under its own name", got[0])
		}
		if it, _ := fake.File(outputDir + "/2026-08/run-summary.json"); string(it.Data) != `{"c":3}` {
			t.Errorf("content = %q", it.Data)
		}
	})

	t.Run("file the bot never wrote is kept", func(t *testing.T) {
		fake.PutFile(outputDir+"/2026-06/run-summary.json", []byte("{}"))
		got, err := c.Write(ctx, "2026-06", []source.Output{{Name: "run-summary.json", Data: []byte(`{"a":1}`)}})
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !got[0].Beside || got[0].Name != "run-summary (2).json" || !strings.Contains(got[0].Note, "no record") {
			t.Errorf("Written = %+v, want beside as run-summary (2).json", got[0])
		}
		if it, _ := fake.File(outputDir + "/2026-06/run-summary.json"); string(it.Data) != "{}" {
			t.Errorf("existing file overwritten: %q", it.Data)
		}
	})
}

func TestLargeUploadSession(t *testing.T) {
	ctx := context.Background()
	fake := graphfake.New(t)
	const chunk = 16 * 320 << 10 // 5 MiB
	c := newClient(t, fake, func(cfg *sharepoint.Config) { cfg.ChunkSize = chunk })
	data := randomBytes(20<<20, 7)
	fake.LoseChunkAcks(1)

	got, err := c.Write(ctx, "2026-05", []source.Output{{Name: "Laskutusperuste_lahti_2026-05.xlsx", Data: data}})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	it, ok := fake.File(outputDir + "/2026-05/Laskutusperuste_lahti_2026-05.xlsx")
	if !ok || !bytes.Equal(it.Data, data) {
		t.Fatalf("20 MiB output not stored intact")
	}
	if got[0].Version != it.ETag || got[0].SHA256 != sha(data) {
		t.Errorf("Written = %+v, want version %s", got[0], it.ETag)
	}
	sizes := fake.ChunkSizes()
	var sum int64
	for i, n := range sizes {
		sum += n
		if i < len(sizes)-1 && n%(320<<10) != 0 {
			t.Errorf("fragment %d is %d bytes, not a multiple of 320 KiB", i, n)
		}
		if n > chunk {
			t.Errorf("fragment %d is %d bytes, over the chunk size", i, n)
		}
	}
	if sum != int64(len(data)) || len(sizes) != 4 {
		t.Errorf("fragments %v, want 4 adding up to %d", sizes, len(data))
	}
	var refused, resync, puts int
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/upload/") {
			if r.HadAuth {
				t.Errorf("%s %s carried an Authorization header", r.Method, r.Path)
			}
			switch {
			case r.Status == http.StatusRequestedRangeNotSatisfiable:
				refused++
			case r.Method == http.MethodGet:
				resync++
			case r.Method == http.MethodPut && r.Status == http.StatusCreated:
				puts++
			}
		}
	}
	if refused != 1 || resync != 1 || puts != 1 {
		t.Errorf("upload requests: %d refused (416), %d status reads, %d created; want 1 each", refused, resync, puts)
	}
}

func TestUploadSessionCancelledOnError(t *testing.T) {
	fake := graphfake.New(t)
	c := newClient(t, fake, func(cfg *sharepoint.Config) { cfg.MaxRetryTime = time.Second })
	fake.FailFragments(http.StatusInternalServerError)
	_, err := c.Write(context.Background(), "2026-05", []source.Output{{Name: "iso.xlsx", Data: randomBytes(5<<20, 3)}})
	if !errors.Is(err, sharepoint.ErrGaveUp) {
		t.Fatalf("Write with failing fragments: %v, want ErrGaveUp", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "PUT /upload/") || !strings.Contains(msg, "500") || strings.Contains(msg, "tempauth") {
		t.Errorf("error %q should name the call and the last status, without the URL's token", msg)
	}
	if got := fake.CancelledUploads(); got != 1 {
		t.Errorf("cancelled sessions = %d, want 1", got)
	}
	if _, ok := fake.File(outputDir + "/2026-05/iso.xlsx"); ok {
		t.Errorf("a failed upload left a file")
	}
}

func TestDroppedDownloadRetried(t *testing.T) {
	fake := graphfake.New(t)
	tracking, _ := seed(fake)
	c := newClient(t, fake)
	fake.DropDownloads(1)
	f, err := c.Tracking(context.Background())
	if err != nil {
		t.Fatalf("Tracking: %v", err)
	}
	b, err := os.ReadFile(f.Path)
	if err != nil || !bytes.Equal(b, tracking) || f.SHA256 != sha(tracking) {
		t.Fatalf("tracking copy incomplete after a dropped download (%d of %d bytes)", len(b), len(tracking))
	}
	// The fake records a request when its handler returns, which can be a
	// moment after the client has read the whole body: wait for the record.
	var dropped, ok int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		dropped, ok = 0, 0
		for _, r := range fake.Requests() {
			if strings.HasPrefix(r.Path, "/download/") {
				if r.Status == 0 {
					dropped++
				} else if r.Status == http.StatusOK {
					ok++
				}
			}
		}
		if (dropped == 1 && ok == 1) || time.Now().After(deadline) {
			break
		}
	}
	if dropped != 1 || ok != 1 {
		t.Errorf("downloads: %d dropped, %d complete; want 1 and 1", dropped, ok)
	}
	if c.Stats().Retries < 1 {
		t.Errorf("Stats().Retries = %d, want >= 1", c.Stats().Retries)
	}
}

// readWrite is a normal run's traffic: both inputs read, four outputs written.
func readWrite(t *testing.T, c *sharepoint.Client, fake *graphfake.Server, tracking []byte, accruals map[string][]byte) {
	t.Helper()
	checkRead(t, c, fake, tracking, accruals)
	w, err := c.Write(context.Background(), "2026-05", outputs(nil))
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	for i, o := range outputs(nil) {
		it, ok := fake.File(outputDir + "/2026-05/" + o.Name)
		if !ok || !bytes.Equal(it.Data, o.Data) || w[i].Beside {
			t.Errorf("%s not written as expected: %+v", o.Name, w[i])
		}
	}
}

func TestRequestCount(t *testing.T) {
	fake := graphfake.New(t)
	fake.SetPageSize(200) // Graph's default page size
	tracking, accruals := seed(fake)
	c := newClient(t, fake)
	start := time.Now()
	readWrite(t, c, fake, tracking, accruals)
	n := len(fake.Requests())
	if testing.Verbose() {
		for _, r := range fake.Requests() {
			t.Logf("%s %s -> %d (auth %v)", r.Method, r.Path, r.Status, r.HadAuth)
		}
	}
	t.Logf("normal read+write: %d Graph requests (stats %+v) in %s", n, c.Stats(), time.Since(start).Round(time.Millisecond))
	// site 1 + libraries 1 + tracking item 1 + 6 files × (content + redirect) 12
	// + children 1 + 4 uploads 4 = 20.
	if got, want := int64(n), c.Stats().Requests; got != want {
		t.Errorf("fake saw %d requests, client counted %d", got, want)
	}
	if n > 20 {
		t.Errorf("normal read+write took %d requests, want at most 20", n)
	}
}

func TestThrottlingStorm(t *testing.T) {
	fake := graphfake.New(t)
	tracking, accruals := seed(fake)
	c := newClient(t, fake)
	fake.ThrottleEvery(3, http.StatusTooManyRequests, time.Second)
	start := time.Now()
	readWrite(t, c, fake, tracking, accruals)
	elapsed := time.Since(start)

	gaps := fake.RetryGaps()
	var throttled int
	for _, r := range fake.Requests() {
		if r.Status == http.StatusTooManyRequests {
			throttled++
		}
	}
	t.Logf("storm: %d requests, %d throttled, %d retries seen, wall %s", len(fake.Requests()), throttled, len(gaps), elapsed.Round(time.Millisecond))
	if throttled < 5 {
		t.Fatalf("only %d requests throttled; the storm did not happen", throttled)
	}
	if got, want := len(gaps), throttled; got != want {
		t.Errorf("retries seen = %d, want one per throttled request (%d)", got, want)
	}
	for _, g := range gaps {
		if g.Gap < g.Told {
			t.Errorf("%s retried after %s, earlier than Retry-After %s", g.Key, g.Gap, g.Told)
		}
	}
	if got, want := c.Stats().Throttled, int64(throttled); got != want {
		t.Errorf("Stats().Throttled = %d, want %d", got, want)
	}
}

func TestGiveUp(t *testing.T) {
	fake := graphfake.New(t)
	c := newClient(t, fake, func(cfg *sharepoint.Config) { cfg.MaxRetryTime = 1500 * time.Millisecond })
	fake.ThrottleEvery(1, http.StatusServiceUnavailable, time.Second)
	start := time.Now()
	_, err := c.Tracking(context.Background())
	if !errors.Is(err, sharepoint.ErrGaveUp) {
		t.Fatalf("Tracking under endless 503: %v, want ErrGaveUp", err)
	}
	var re *sharepoint.RetryError
	if !errors.As(err, &re) || !strings.HasPrefix(re.Op, "GET /v1.0/sites/") || !strings.Contains(re.Last, "503") {
		t.Errorf("error %v should name the call and the last status", err)
	}
	// Generous for a loaded CI machine; without the bound it would take the
	// default MaxRetryTime (minutes).
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("gave up after %s, want about MaxRetryTime", el)
	}
	for _, g := range fake.RetryGaps() {
		if g.Gap < g.Told {
			t.Errorf("retried after %s, earlier than Retry-After %s", g.Gap, g.Told)
		}
	}
}

func TestSlowResponsesTimeOut(t *testing.T) {
	fake := graphfake.New(t)
	c := newClient(t, fake, func(cfg *sharepoint.Config) {
		cfg.RequestTimeout = 100 * time.Millisecond
		cfg.MaxRetryTime = 800 * time.Millisecond
	})
	fake.SetDelay(time.Second)
	start := time.Now()
	_, err := c.Tracking(context.Background())
	var re *sharepoint.RetryError
	if !errors.As(err, &re) || !strings.Contains(re.Last, "deadline exceeded") {
		t.Fatalf("Tracking against a stalled server: %v, want a RetryError after per-request timeouts", err)
	}
	if re.Attempts < 2 {
		t.Errorf("attempts = %d, want the timed-out request retried", re.Attempts)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %s, want about MaxRetryTime", el)
	}
}

func TestAccessDenied(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusUnauthorized} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			fake := graphfake.New(t)
			seed(fake)
			c := newClient(t, fake)
			fake.Deny(status)
			_, err := c.Tracking(context.Background())
			if !errors.Is(err, sharepoint.ErrAccessDenied) {
				t.Fatalf("Tracking: %v, want ErrAccessDenied", err)
			}
			msg := err.Error()
			for _, want := range []string{"Sites.Selected", fake.Site(), fmt.Sprint(status)} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if got := len(fake.Requests()); got != 1 {
				t.Errorf("requests = %d, want 1 (access errors are not retried)", got)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*sharepoint.Config)
	}{
		{"plain http to a remote host", func(c *sharepoint.Config) { c.BaseURL = "http://graph.example.com/v1.0" }},
		{"chunk not a multiple of 320 KiB", func(c *sharepoint.Config) { c.ChunkSize = 1 << 20 }},
		{"site without path", func(c *sharepoint.Config) { c.Site = "contoso.sharepoint.com" }},
		{"unknown auth", func(c *sharepoint.Config) { c.Token, c.TenantID, c.ClientID, c.Auth = "", "t", "c", "password" }},
		{"secret auth without a secret", func(c *sharepoint.Config) { c.Token, c.TenantID, c.ClientID, c.Auth = "", "t", "c", "secret" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sharepoint.Config{Site: "contoso.sharepoint.com:/sites/x", Drive: "Asiakirjat", BaseURL: "http://127.0.0.1:1/v1.0", Token: "x"}
			tt.mod(&cfg)
			if _, err := sharepoint.New(context.Background(), cfg, nil); !errors.Is(err, sharepoint.ErrConfig) {
				t.Errorf("New: %v, want ErrConfig", err)
			}
		})
	}
}

// TestWriteReplaceScratch: a dry run's scratch output replaces whatever is
// in its own folder, even a file someone changed.
func TestWriteReplaceScratch(t *testing.T) {
	ctx := context.Background()
	fake := graphfake.New(t)
	c := newClient(t, fake)
	const dir = "2026-05/koeajo"
	name := "Laskutusperuste_lahti_2026-05.xlsx"
	fake.PutFile(outputDir+"/"+dir+"/"+name, []byte("an older dry run, edited"))
	w, err := c.Write(ctx, dir, []source.Output{{Name: name, Data: []byte("new dry run"), Replace: true}})
	if err != nil {
		t.Fatal(err)
	}
	if w[0].Beside || w[0].Name != name {
		t.Errorf("Written = %+v, want replaced in place", w[0])
	}
	it, _ := fake.File(outputDir + "/" + dir + "/" + name)
	if string(it.Data) != "new dry run" || it.ETag != w[0].Version {
		t.Errorf("stored %q (eTag %s), want the new bytes (eTag %s)", it.Data, it.ETag, w[0].Version)
	}
}
