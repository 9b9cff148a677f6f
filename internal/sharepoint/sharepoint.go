// Package sharepoint reads a run's inputs from, and writes its outputs to, a
// SharePoint document library through Microsoft Graph (msgraph-sdk-go). It
// implements source.Source and source.Sink. It is the only package that
// imports the Graph SDK.
//
// All traffic goes through one pacer (transport.go): a client-side rate
// limit, retries that honour Retry-After, a timeout per attempt and a bound
// on the total time per call. The SDK's own retry and redirect handlers are
// taken out of its middleware chain so that nothing retries twice and the
// bearer token never follows a redirect.
package sharepoint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"golang.org/x/time/rate"

	"tyomatka/internal/source"
)

// Defaults and limits.
const (
	DefaultRequestsPerSecond = 8
	DefaultBurst             = 4
	DefaultUploadThreshold   = 4 << 20  // bytes; Graph's simple upload takes up to 4 MiB
	DefaultChunkSize         = 10 << 20 // bytes; 32 × 320 KiB
	ChunkMultiple            = 320 << 10
	maxChunkSize             = 60 << 20 // Graph rejects fragments over 60 MiB
	DefaultMaxRetryTime      = 5 * time.Minute
	DefaultRequestTimeout    = 2 * time.Minute
	defaultBaseURL           = "https://graph.microsoft.com/v1.0"
)

// Config says where the library is and how to reach it.
type Config struct {
	Site     string // "contoso.sharepoint.com:/sites/tyollisyys"
	Drive    string // library name, e.g. "Asiakirjat"
	Tracking string // path of the tracking workbook in the drive
	Accruals string // folder of accrual lists in the drive
	Output   string // folder outputs go under, in the drive

	TenantID, ClientID string
	Auth               string // AuthFederated, AuthSecret or AuthCertificate
	ClientSecret       []byte // AuthSecret, from the secrets store
	Certificate        []byte // AuthCertificate: PEM certificate and key

	RequestsPerSecond      float64       // client-side rate limit; DefaultRequestsPerSecond when 0
	Burst                  int           // DefaultBurst when 0
	UploadSessionThreshold int64         // bytes; larger outputs use an upload session
	ChunkSize              int64         // bytes per upload fragment, a multiple of 320 KiB
	MaxRetryTime           time.Duration // give-up bound per call
	RequestTimeout         time.Duration // per attempt

	// Test-only overrides.
	BaseURL     string       // Graph base URL, e.g. a fake's URL + "/v1.0"; loopback may be plain HTTP
	Token       string       // static bearer token; skips Entra ID
	HTTPClient  *http.Client // its Transport is used under the pacer
	TempDir     string       // where downloads go; a new temporary folder when ""
	MetadataURL string       // Google metadata identity endpoint
}

func (c *Config) defaults() {
	if c.RequestsPerSecond == 0 {
		c.RequestsPerSecond = DefaultRequestsPerSecond
	}
	if c.Burst == 0 {
		c.Burst = DefaultBurst
	}
	if c.UploadSessionThreshold == 0 {
		c.UploadSessionThreshold = DefaultUploadThreshold
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	if c.MaxRetryTime == 0 {
		c.MaxRetryTime = DefaultMaxRetryTime
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.BaseURL == "" {
		c.BaseURL = defaultBaseURL
	}
}

// ErrConfig is wrapped by every error about a bad Config.
var ErrConfig = errors.New("invalid sharepoint configuration")

func (c *Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	host, sitePath, ok := strings.Cut(c.Site, ":")
	if !ok || host == "" || !strings.HasPrefix(sitePath, "/") {
		return bad("site", "want \"hostname:/sites/path\", got %q", c.Site)
	}
	if c.Drive == "" {
		return bad("drive", "missing")
	}
	if c.ChunkSize <= 0 || c.ChunkSize%ChunkMultiple != 0 || c.ChunkSize > maxChunkSize {
		return bad("chunk size", "%d bytes is not a positive multiple of 320 KiB up to 60 MiB", c.ChunkSize)
	}
	if c.UploadSessionThreshold < 0 || c.UploadSessionThreshold > 250<<20 {
		return bad("upload session threshold", "%d bytes is out of range", c.UploadSessionThreshold)
	}
	if c.RequestsPerSecond < 0 || c.Burst < 0 || c.MaxRetryTime < 0 || c.RequestTimeout < 0 {
		return bad("limits", "must not be negative")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" {
		return bad("base URL", "%q is not a URL", c.BaseURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return bad("base URL", "%q: HTTPS only (plain HTTP only to loopback in tests)", c.BaseURL)
	}
	return nil
}

// Stats counts the HTTP requests a Client made.
type Stats struct {
	Requests  int64 // every attempt, redirects, uploads and downloads included
	Retries   int64 // attempts repeated after a throttle, failure or short download
	Throttled int64 // 429, 503 and 504 answers
}

// Client is a SharePoint document library as a source and a sink.
type Client struct {
	cfg     Config
	log     *slog.Logger
	pacer   *pacer
	adapter *msgraphsdk.GraphRequestAdapter
	gs      *msgraphsdk.GraphServiceClient

	mu      sync.Mutex
	siteID  string
	driveID string
	tmp     string
	ownTmp  bool
}

var (
	_ source.Source = (*Client)(nil)
	_ source.Sink   = (*Client)(nil)
)

// New checks cfg and builds a client. It makes no request; the site and the
// library are looked up on first use.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Client, error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	log = log.WithGroup("sharepoint")
	u, _ := url.Parse(cfg.BaseURL)
	loopback := u.Scheme == "http" && isLoopback(u.Hostname())

	base := http.DefaultTransport
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		hc = cfg.HTTPClient
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
	}
	p := &pacer{
		base:           base,
		limiter:        rate.NewLimiter(rate.Limit(cfg.RequestsPerSecond), cfg.Burst),
		maxRetryTime:   cfg.MaxRetryTime,
		requestTimeout: cfg.RequestTimeout,
		allowLoopback:  loopback,
		log:            log,
	}
	cred, err := credential(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("%w: auth: %w", ErrConfig, err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		&authProvider{cred: cred, allowLoopback: loopback}, nil, nil, newHTTPClient(p))
	if err != nil {
		return nil, fmt.Errorf("graph request adapter: %w", err)
	}
	adapter.SetBaseUrl(cfg.BaseURL)
	c := &Client{cfg: cfg, log: log, pacer: p, adapter: adapter, gs: msgraphsdk.NewGraphServiceClient(adapter)}
	c.gs.GetAdapter().SetBaseUrl(cfg.BaseURL)
	return c, nil
}

// sdkMiddleware is the Graph SDK's default middleware minus the handlers
// whose job the pacer does: retry (one retry layer only), redirect (it keeps
// the bearer token on same-host redirects) and compression (Graph does not
// take gzip request bodies on uploads).
func sdkMiddleware() []khttp.Middleware {
	opts := msgraphsdk.GetDefaultClientOptions()
	var out []khttp.Middleware
	for _, m := range msgraphgocore.GetDefaultMiddlewaresWithOptions(&opts) {
		switch m.(type) {
		case *khttp.RetryHandler, *khttp.RedirectHandler, *khttp.CompressionHandler:
			continue
		}
		out = append(out, m)
	}
	return out
}

func newHTTPClient(p *pacer) *http.Client {
	return &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(p, sdkMiddleware()...),
		// The pacer follows redirects itself; net/http must not do it again.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Stats returns the request counts so far.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.pacer.requests.Load(), Retries: c.pacer.retries.Load(), Throttled: c.pacer.throttled.Load()}
}

// Close implements source.Source: it removes downloaded copies (the whole
// folder when the client made it, else only what it put there).
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tmp == "" {
		return nil
	}
	var err error
	if c.ownTmp {
		err = os.RemoveAll(c.tmp)
	} else {
		err = errors.Join(os.RemoveAll(filepath.Join(c.tmp, "tracking")), os.RemoveAll(filepath.Join(c.tmp, "accruals")))
	}
	c.tmp, c.ownTmp = "", false
	if err != nil {
		return fmt.Errorf("remove downloads: %w", err)
	}
	return nil
}

// ErrAccessDenied is wrapped by the error of a call Graph refused (401/403).
var ErrAccessDenied = errors.New("access denied")

// Error is a failed Graph call.
type Error struct {
	Op      string // what was being done, e.g. "download TyöMatka/seuranta.xlsx"
	Status  int    // HTTP status
	Code    string // Graph error code, e.g. "accessDenied"
	Message string // Graph's message
	Site    string // set for 401/403
	Write   bool   // the call wrote to the library
	Err     error  // source.ErrNotFound, ErrAccessDenied or nil
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "graph: %s: HTTP %d", e.Op, e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if errors.Is(e.Err, ErrAccessDenied) {
		need := "read access"
		if e.Write {
			need = "write access"
		}
		fmt.Fprintf(&b, ": the app registration lacks the Sites.Selected grant with %s on site %s; ask the tenant administrator to grant it (reading inputs needs read, writing outputs needs write)", need, e.Site)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// wrap turns an SDK or transport error into an error that names the call.
func (c *Client) wrap(op string, write bool, err error) error {
	if err == nil {
		return nil
	}
	// url.Error quotes the full URL; the query of a redirect target or
	// upload URL is a credential, and the pacer's errors already name the call.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var ge *Error
	if errors.As(err, &ge) {
		if ge.Op == "" {
			ge.Op = op
		}
		return c.classify(ge, write)
	}
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		e := &Error{Op: op, Status: oe.GetStatusCode()}
		if me := oe.GetErrorEscaped(); me != nil {
			e.Code, e.Message = deref(me.GetCode()), deref(me.GetMessage())
		}
		return c.classify(e, write)
	}
	var ae abs.ApiErrorable
	if errors.As(err, &ae) && ae.GetStatusCode() != 0 {
		return c.classify(&Error{Op: op, Status: ae.GetStatusCode()}, write)
	}
	return fmt.Errorf("graph: %s: %w", op, err)
}

func (c *Client) classify(e *Error, write bool) *Error {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		e.Err, e.Site, e.Write = ErrAccessDenied, c.cfg.Site, write
	case http.StatusNotFound:
		e.Err = source.ErrNotFound
	}
	return e
}

func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
