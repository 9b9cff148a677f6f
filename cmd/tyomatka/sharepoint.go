package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"tyomatka/internal/config"
	"tyomatka/internal/run"
	"tyomatka/internal/secrets"
	"tyomatka/internal/sharepoint"
	"tyomatka/internal/source"
)

// Test-only overrides of the Graph endpoint. With both set, the job talks
// to that base URL with that bearer token instead of signing in to Entra ID;
// the tests point them at a loopback fake. A plain-HTTP URL is refused
// unless it is loopback, so a token never travels in clear.
const (
	EnvGraphBaseURL = "TYOMATKA_GRAPH_BASE_URL" // e.g. http://127.0.0.1:PORT/v1.0
	EnvGraphToken   = "TYOMATKA_GRAPH_TOKEN"
)

// openRemote returns the run's factory for the remote source kinds. getenv
// is the CLI's, so tests can set the overrides without touching the process
// environment.
func openRemote(getenv func(string) string, log *slog.Logger) func(context.Context, *config.Config, secrets.Getter) (source.Source, source.Sink, error) {
	if log == nil {
		log = slog.Default()
	}
	return func(ctx context.Context, cfg *config.Config, sec secrets.Getter) (source.Source, source.Sink, error) {
		if cfg.Source.Kind != "sharepoint" {
			return nil, nil, fmt.Errorf("%w: source kind %q is not available in this build", run.ErrConfig, cfg.Source.Kind)
		}
		spc, err := sharepointConfig(ctx, cfg, sec, getenv)
		if err != nil {
			return nil, nil, err
		}
		if spc.Token != "" {
			log.Warn("Graph test override in use: static token, no Entra ID sign-in", "base_url", spc.BaseURL)
		}
		c, err := sharepoint.New(ctx, spc, log)
		if err != nil {
			if errors.Is(err, sharepoint.ErrConfig) {
				return nil, nil, fmt.Errorf("%w: config %s: %w", run.ErrConfig, cfg.Path, err)
			}
			return nil, nil, err
		}
		r := &remote{Client: c, log: log}
		return r, r, nil
	}
}

// sharepointConfig maps the [source] section, the test overrides and the
// client credential onto the client's settings.
func sharepointConfig(ctx context.Context, cfg *config.Config, sec secrets.Getter, getenv func(string) string) (sharepoint.Config, error) {
	s := cfg.Source
	spc := sharepoint.Config{
		Site: s.Site, Drive: s.Drive, Tracking: s.Tracking, Accruals: s.Accruals, Output: s.Output,
		TenantID: s.TenantID, ClientID: s.ClientID, Auth: s.Auth,
		RequestsPerSecond:      s.RequestsPerSecond,
		UploadSessionThreshold: int64(s.UploadSessionThresholdMiB) << 20,
		MaxRetryTime:           time.Duration(s.MaxRetryMinutes) * time.Minute,
	}
	base, tok := strings.TrimSpace(getenv(EnvGraphBaseURL)), strings.TrimSpace(getenv(EnvGraphToken))
	if base != "" || tok != "" {
		if base == "" || tok == "" {
			return spc, fmt.Errorf("%w: %s and %s are a test-only pair: set both or neither", run.ErrConfig, EnvGraphBaseURL, EnvGraphToken)
		}
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			return spc, fmt.Errorf("%w: %s=%q is not a URL", run.ErrConfig, EnvGraphBaseURL, base)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())) {
			return spc, fmt.Errorf("%w: %s=%q: HTTPS only (plain HTTP only to a loopback address, in tests)", run.ErrConfig, EnvGraphBaseURL, base)
		}
		spc.BaseURL, spc.Token = base, tok
		return spc, nil
	}
	switch s.Auth {
	case sharepoint.AuthSecret, sharepoint.AuthCertificate:
		cred, err := sec.Get(ctx, s.Credential)
		if err != nil {
			return spc, fmt.Errorf("graph client %s (source.credential): %w", s.Auth, err)
		}
		if s.Auth == sharepoint.AuthSecret {
			spc.ClientSecret = cred
		} else {
			spc.Certificate = cred
		}
	}
	return spc, nil
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remote is the SharePoint client as the run's source, sink and fetcher; on
// Close it logs how many Graph requests the run made, the number the
// throttling budget is planned on.
type remote struct {
	*sharepoint.Client
	log *slog.Logger
}

var (
	_ source.Source  = (*remote)(nil)
	_ source.Sink    = (*remote)(nil)
	_ source.Fetcher = (*remote)(nil)
)

func (r *remote) Close() error {
	st := r.Stats()
	r.log.Info("graph requests", "requests", st.Requests, "retries", st.Retries, "throttled", st.Throttled)
	return r.Client.Close()
}
