package secrets

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"regexp"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinel errors a SecretManager Get wraps, for errors.Is.
var (
	ErrNotFound         = errors.New("secret version not found")
	ErrPermissionDenied = errors.New("permission denied")
	ErrChecksum         = errors.New("payload checksum mismatch")
)

// accessorRole is the one role the job's service account needs on a secret.
const accessorRole = "roles/secretmanager.secretAccessor"

// versionName is the form AccessSecretVersion takes: a pinned version number
// or an alias such as "latest".
var versionName = regexp.MustCompile(`^projects/[^/]+/secrets/[^/]+/versions/[^/]+$`)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// SecretManager reads secret versions from Google Secret Manager.
type SecretManager struct {
	client *secretmanager.Client
}

// NewSecretManager connects to Secret Manager. Without options it uses the
// application default credentials; tests pass an endpoint and credentials.
func NewSecretManager(ctx context.Context, opts ...option.ClientOption) (*SecretManager, error) {
	c, err := secretmanager.NewClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("secrets: connect to Secret Manager: %w", err)
	}
	return &SecretManager{client: c}, nil
}

// Get returns the payload of the secret version name, such as
// "projects/p/secrets/s/versions/latest" or ".../versions/3". The payload is
// checked against the CRC32C the service sends, so a payload corrupted on the
// way is an error instead of a wrong pseudonymisation key, which would
// silently give every client a new key.
func (s *SecretManager) Get(ctx context.Context, name string) ([]byte, error) {
	if !versionName.MatchString(name) {
		return nil, fmt.Errorf("secrets: %q is not a secret version name (want projects/PROJECT/secrets/SECRET/versions/VERSION, VERSION a number or latest)", name)
	}
	resp, err := s.client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound:
			return nil, fmt.Errorf("secrets: access %s: %w; check the name and add a version with gcloud secrets versions add: %w", name, ErrNotFound, err)
		case codes.PermissionDenied:
			return nil, fmt.Errorf("secrets: access %s: %w; the job's service account needs %s on the secret: %w", name, ErrPermissionDenied, accessorRole, err)
		}
		return nil, fmt.Errorf("secrets: access %s: %w", name, err)
	}
	p := resp.GetPayload()
	if p.DataCrc32C == nil {
		return nil, fmt.Errorf("secrets: access %s: %w: the response carries no checksum", name, ErrChecksum)
	}
	if got := int64(crc32.Checksum(p.GetData(), castagnoli)); got != p.GetDataCrc32C() {
		return nil, fmt.Errorf("secrets: access %s: %w: the payload was corrupted in transit; retry", name, ErrChecksum)
	}
	if len(p.GetData()) == 0 {
		return nil, fmt.Errorf("secrets: access %s: the secret version is empty", name)
	}
	return p.GetData(), nil
}

// Close closes the connection to Secret Manager.
func (s *SecretManager) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("secrets: close Secret Manager client: %w", err)
	}
	return nil
}
