package sharepoint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Back-off limits when Graph gives no Retry-After.
const (
	minBackoff   = 250 * time.Millisecond
	maxBackoff   = 30 * time.Second
	maxRedirects = 5
)

// ErrGaveUp is wrapped by the error of a call that was retried until
// Config.MaxRetryTime ran out.
var ErrGaveUp = errors.New("gave up retrying")

// RetryError says which call was given up on and why.
type RetryError struct {
	Op       string        // method and path, without the query (it may hold a token)
	Attempts int           // requests made
	Elapsed  time.Duration // from the first attempt until giving up
	Last     string        // last status line or transport error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("graph: %s: gave up after %d attempts in %s: last answer %s",
		e.Op, e.Attempts, e.Elapsed.Round(time.Millisecond), e.Last)
}

func (e *RetryError) Unwrap() error { return ErrGaveUp }

// pacer is the one retry layer: every Graph request, including redirects and
// the pre-authenticated upload and download URLs, passes through it. It
// limits the request rate, retries throttling and transient failures (never
// sooner than Retry-After says), and puts a timeout on each attempt.
// The SDK's own RetryHandler is removed from its middleware chain, so
// retries are never stacked (see newHTTPClient).
type pacer struct {
	base           http.RoundTripper
	limiter        *rate.Limiter
	maxRetryTime   time.Duration
	requestTimeout time.Duration
	allowLoopback  bool // plain http to 127.0.0.1/localhost, for tests against a fake
	log            *slog.Logger

	requests  atomic.Int64
	retries   atomic.Int64
	throttled atomic.Int64
}

// RoundTrip implements http.RoundTripper. A GET answered with a redirect is
// followed here, without the Authorization header: Graph redirects content
// downloads to a short-lived URL that carries its own authorisation, and
// kiota's redirect handler would keep the bearer token when the host stays
// the same.
func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.do(req)
	for i := 0; err == nil && isRedirect(resp.StatusCode) && (req.Method == http.MethodGet || req.Method == http.MethodHead); i++ {
		loc, lerr := resp.Location()
		drain(resp)
		if lerr != nil {
			return nil, fmt.Errorf("graph: %s: redirect without a usable Location: %w", opName(req), lerr)
		}
		if i >= maxRedirects {
			return nil, fmt.Errorf("graph: %s: more than %d redirects", opName(req), maxRedirects)
		}
		next, nerr := http.NewRequestWithContext(req.Context(), req.Method, loc.String(), nil)
		if nerr != nil {
			return nil, fmt.Errorf("graph: %s: redirect: %w", opName(req), nerr)
		}
		for k, v := range req.Header {
			if k == "Authorization" || k == "Cookie" {
				continue
			}
			next.Header[k] = v
		}
		resp, err = p.do(next)
	}
	return resp, err
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// opName names a request for errors and logs: method and path only, as the
// query of an upload or download URL is a credential.
func opName(req *http.Request) string { return req.Method + " " + req.URL.Path }

// checkURL enforces HTTPS, allowing plain HTTP only to loopback when the
// client was configured with a loopback test server.
func (p *pacer) checkURL(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if p.allowLoopback && isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("graph: refusing %s://%s: only HTTPS is allowed (plain HTTP only to loopback in tests)", u.Scheme, u.Host)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// retryable reports whether a status is worth another attempt.
func retryable(code int) bool {
	switch code {
	case http.StatusTooManyRequests, // throttled
		http.StatusServiceUnavailable, // throttled, or briefly unavailable
		http.StatusGatewayTimeout,     // Graph's front end timed out
		http.StatusInternalServerError,
		http.StatusBadGateway,
		509: // bandwidth limit exceeded (SharePoint)
		return true
	}
	return false
}

func isThrottle(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable || code == http.StatusGatewayTimeout
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff is exponential with jitter in [d/2, d).
func backoff(attempt int) time.Duration {
	d := minBackoff << min(attempt, 16)
	if d > maxBackoff || d <= 0 {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2)
}

// rewindable makes the request body replayable for retries.
func rewindable(req *http.Request) (func() (io.ReadCloser, error), int64, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, 0, nil
	}
	if req.GetBody != nil && req.ContentLength > 0 {
		return req.GetBody, req.ContentLength, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, 0, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, int64(len(b)), nil
}

func (p *pacer) do(req *http.Request) (*http.Response, error) {
	op := opName(req)
	if err := p.checkURL(req.URL); err != nil {
		return nil, err
	}
	getBody, length, err := rewindable(req)
	if err != nil {
		return nil, fmt.Errorf("graph: %s: read request body: %w", op, err)
	}
	ctx := req.Context()
	start := time.Now()
	for attempt := 0; ; attempt++ {
		if err := p.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("graph: %s: %w", op, err)
		}
		actx, cancel := context.WithTimeout(ctx, p.requestTimeout)
		r := req.Clone(actx)
		if getBody != nil {
			if r.Body, err = getBody(); err != nil {
				cancel()
				return nil, err
			}
			r.GetBody, r.ContentLength = getBody, length
		}
		p.requests.Add(1)
		resp, err := p.base.RoundTrip(r)
		received := time.Now()
		var wait time.Duration
		var last string
		switch {
		case err != nil:
			cancel()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("graph: %s: %w", op, ctx.Err())
			}
			// Strip the URL: transport errors may quote it, query and all.
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			last = err.Error()
			wait = backoff(attempt)
		case retryable(resp.StatusCode):
			if isThrottle(resp.StatusCode) {
				p.throttled.Add(1)
			}
			last = resp.Status
			if d, ok := retryAfter(resp.Header, received); ok {
				wait = d
			} else {
				wait = backoff(attempt)
			}
			drain(resp)
			cancel()
		default:
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		if elapsed := time.Since(start); elapsed+wait > p.maxRetryTime {
			return nil, &RetryError{Op: op, Attempts: attempt + 1, Elapsed: elapsed, Last: last}
		}
		p.retries.Add(1)
		p.log.Debug("graph retry", "op", op, "attempt", attempt+1, "last", last, "wait", wait)
		// Wait from when the answer arrived, so a Retry-After is never cut short.
		t := time.NewTimer(time.Until(received.Add(wait)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("graph: %s: %w", op, ctx.Err())
		case <-t.C:
		}
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	_ = resp.Body.Close()
}

// cancelOnClose ends the attempt's timeout context once the body is done
// with, not when RoundTrip returns, so the body can still be read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
