package sharepoint

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-3", 0, true},
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			h := http.Header{}
			if tt.in != "" {
				h.Set("Retry-After", tt.in)
			}
			got, ok := retryAfter(h, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("retryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := range 40 {
		want := min(minBackoff<<min(attempt, 16), maxBackoff)
		for range 20 {
			if got := backoff(attempt); got < want/2 || got >= want {
				t.Fatalf("backoff(%d) = %s, want in [%s, %s)", attempt, got, want/2, want)
			}
		}
	}
}

// The pacer is the only retry layer and follows redirects itself; the SDK's
// handlers for both must be gone from the chain.
func TestSDKMiddlewareHasNoRetryOrRedirect(t *testing.T) {
	mws := sdkMiddleware()
	if len(mws) == 0 {
		t.Fatal("no middleware left")
	}
	for _, m := range mws {
		switch m.(type) {
		case *khttp.RetryHandler, *khttp.RedirectHandler, *khttp.CompressionHandler:
			t.Errorf("middleware chain still has %T", m)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url      string
		loopback bool
		ok       bool
	}{
		{"https://graph.microsoft.com/v1.0", false, true},
		{"http://graph.microsoft.com/v1.0", true, false},
		{"http://127.0.0.1:8080/v1.0", true, true},
		{"http://localhost:8080/v1.0", true, true},
		{"http://127.0.0.1:8080/v1.0", false, false},
		{"ftp://127.0.0.1/", true, false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		p := &pacer{allowLoopback: tt.loopback}
		if err := p.checkURL(u); (err == nil) != tt.ok {
			t.Errorf("checkURL(%s, loopback %v) = %v, want ok %v", tt.url, tt.loopback, err, tt.ok)
		}
	}
}

func TestGoogleIdentityToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Metadata-Flavor") != "Google" {
			http.Error(w, "missing Metadata-Flavor", http.StatusForbidden)
			return
		}
		if got, want := r.URL.Query().Get("audience"), federationAudience; got != want {
			http.Error(w, "audience "+got, http.StatusBadRequest)
			return
		}
		if r.URL.Query().Get("format") != "full" {
			http.Error(w, "format", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n"))
	}))
	defer srv.Close()
	got, err := googleIdentityToken(context.Background(), srv.Client(), srv.URL+"/computeMetadata/v1/instance/service-accounts/default/identity")
	if err != nil {
		t.Fatalf("googleIdentityToken: %v", err)
	}
	if want := "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"; got != want {
		t.Errorf("token = %q, want %q", got, want)
	}

	// The credential built for federation asks the metadata server for its
	// assertion; only its construction is checked here, as the exchange needs
	// Entra ID.
	cfg := Config{TenantID: "00000000-0000-0000-0000-000000000001", ClientID: "00000000-0000-0000-0000-000000000002", Auth: AuthFederated, MetadataURL: srv.URL}
	if _, err := credential(cfg, srv.Client()); err != nil {
		t.Errorf("federated credential: %v", err)
	}
}
