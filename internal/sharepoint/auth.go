package sharepoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	abs "github.com/microsoft/kiota-abstractions-go"
)

const (
	graphScope = "https://graph.microsoft.com/.default"
	// The audience Entra ID expects in a federated client assertion.
	federationAudience = "api://AzureADTokenExchange"
	// DefaultMetadataURL is the Google metadata server's identity endpoint.
	DefaultMetadataURL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/identity"
)

// Auth kinds.
const (
	AuthFederated   = "federated"
	AuthSecret      = "secret"
	AuthCertificate = "certificate"
)

// credential picks the token source. A static token (tests) wins over Auth.
func credential(cfg Config, hc *http.Client) (azcore.TokenCredential, error) {
	if cfg.Token != "" {
		return staticToken(cfg.Token), nil
	}
	if cfg.TenantID == "" || cfg.ClientID == "" {
		return nil, errors.New("tenant id and client id are required")
	}
	switch cfg.Auth {
	case AuthFederated:
		meta := cfg.MetadataURL
		if meta == "" {
			meta = DefaultMetadataURL
		}
		get := func(ctx context.Context) (string, error) { return googleIdentityToken(ctx, hc, meta) }
		return azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, get, nil)
	case AuthSecret:
		if len(cfg.ClientSecret) == 0 {
			return nil, errors.New("auth \"secret\" needs a client secret")
		}
		return azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, strings.TrimSpace(string(cfg.ClientSecret)), nil)
	case AuthCertificate:
		certs, key, err := azidentity.ParseCertificates(cfg.Certificate, nil)
		if err != nil {
			return nil, fmt.Errorf("parse client certificate: %w", err)
		}
		return azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key, nil)
	}
	return nil, fmt.Errorf("auth %q: want %q, %q or %q", cfg.Auth, AuthFederated, AuthSecret, AuthCertificate)
}

// googleIdentityToken fetches the job's Google service-account identity
// token for Entra ID's token exchange audience. Cloud Run refreshes it; it is
// fetched anew whenever azidentity needs a new assertion.
func googleIdentityToken(ctx context.Context, hc *http.Client, base string) (string, error) {
	u := base + "?audience=" + url.QueryEscape(federationAudience) + "&format=full"
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Metadata-Flavor", "Google")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("metadata server identity token: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("metadata server identity token: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("metadata server identity token: HTTP %d", resp.StatusCode)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("metadata server identity token: empty answer")
	}
	return tok, nil
}

// staticToken is a fixed bearer token, for tests against a fake.
type staticToken string

func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// authProvider puts the bearer token on SDK requests. It refuses anything
// but HTTPS (loopback HTTP when allowed), so a token never travels in clear.
type authProvider struct {
	cred          azcore.TokenCredential
	allowLoopback bool
}

func (a *authProvider) AuthenticateRequest(ctx context.Context, req *abs.RequestInformation, _ map[string]any) error {
	u, err := req.GetUri()
	if err != nil {
		return err
	}
	if u.Scheme != "https" && !(a.allowLoopback && u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("graph: refusing to send a token to %s://%s: HTTPS only", u.Scheme, u.Host)
	}
	tok, err := a.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{graphScope}})
	if err != nil {
		return fmt.Errorf("get Graph access token: %w", err)
	}
	req.Headers.TryAdd("Authorization", "Bearer "+tok.Token)
	return nil
}
