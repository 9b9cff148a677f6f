package secrets_test

import (
	"context"
	"errors"
	"hash/crc32"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"tyomatka/internal/secrets"
)

const (
	latest    = "projects/p/secrets/pseudonym-key/versions/latest"
	pinned    = "projects/p/secrets/pseudonym-key/versions/3"
	corrupt   = "projects/p/secrets/pseudonym-key/versions/4"
	noCRC     = "projects/p/secrets/pseudonym-key/versions/5"
	missing   = "projects/p/secrets/nothing/versions/latest"
	forbidden = "projects/p/secrets/other-team/versions/latest"

	// Distinctive values, so a leak into an error string cannot be a coincidence.
	latestValue  = "s3cr3t-latest-VALUE-do-not-print"
	pinnedValue  = "s3cr3t-pinned-VALUE-do-not-print"
	corruptValue = "s3cr3t-corrupt-VALUE-do-not-print"
)

// fakeSecretManager implements the generated Secret Manager gRPC server
// interface, so the tests go through the real client, its retries and its
// error conversion.
type fakeSecretManager struct {
	secretmanagerpb.UnimplementedSecretManagerServiceServer

	mu    sync.Mutex
	names []string // every requested name, in order
}

func crc(b []byte) *int64 {
	c := int64(crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
	return &c
}

func (f *fakeSecretManager) AccessSecretVersion(_ context.Context, req *secretmanagerpb.AccessSecretVersionRequest) (*secretmanagerpb.AccessSecretVersionResponse, error) {
	f.mu.Lock()
	f.names = append(f.names, req.GetName())
	f.mu.Unlock()
	payload := func(data string, sum *int64) (*secretmanagerpb.AccessSecretVersionResponse, error) {
		return &secretmanagerpb.AccessSecretVersionResponse{
			Name:    req.GetName(),
			Payload: &secretmanagerpb.SecretPayload{Data: []byte(data), DataCrc32C: sum},
		}, nil
	}
	switch req.GetName() {
	case latest:
		return payload(latestValue, crc([]byte(latestValue)))
	case pinned:
		return payload(pinnedValue, crc([]byte(pinnedValue)))
	case corrupt:
		return payload(corruptValue, crc([]byte(corruptValue+"x")))
	case noCRC:
		return payload(corruptValue, nil)
	case forbidden:
		return nil, status.Errorf(codes.PermissionDenied, "Permission 'secretmanager.versions.access' denied for resource '%s'", req.GetName())
	default:
		return nil, status.Errorf(codes.NotFound, "Secret Version [%s] not found.", req.GetName())
	}
}

func newSecretManager(t *testing.T) (*secrets.SecretManager, *fakeSecretManager) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fake := &fakeSecretManager{}
	secretmanagerpb.RegisterSecretManagerServiceServer(srv, fake)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)

	sm, err := secrets.NewSecretManager(t.Context(),
		option.WithEndpoint(lis.Addr().String()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sm.Close(); err != nil {
			t.Error(err)
		}
	})
	return sm, fake
}

func TestSecretManager(t *testing.T) {
	sm, fake := newSecretManager(t)
	tests := []struct {
		name    string
		version string
		want    string
		wantIs  error  // nil: success expected
		wantMsg string // substring of the error message
	}{
		{name: "latest", version: latest, want: latestValue},
		{name: "pinned", version: pinned, want: pinnedValue},
		{name: "checksum mismatch", version: corrupt, wantIs: secrets.ErrChecksum, wantMsg: corrupt},
		{name: "no checksum", version: noCRC, wantIs: secrets.ErrChecksum, wantMsg: "no checksum"},
		{name: "not found", version: missing, wantIs: secrets.ErrNotFound, wantMsg: missing},
		{name: "permission denied", version: forbidden, wantIs: secrets.ErrPermissionDenied, wantMsg: "roles/secretmanager.secretAccessor"},
		{name: "permission denied names the secret", version: forbidden, wantIs: secrets.ErrPermissionDenied, wantMsg: forbidden},
		{name: "not a version name", version: "projects/p/secrets/pseudonym-key", wantMsg: "not a secret version name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sm.Get(t.Context(), tt.version)
			if tt.wantIs == nil && tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Get(%s) error = %v", tt.version, err)
				}
				if string(got) != tt.want {
					t.Errorf("Get(%s) = %q, want %q", tt.version, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Get(%s) = %q, want an error", tt.version, got)
			}
			if got != nil {
				t.Errorf("Get(%s) returned a value with the error", tt.version)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Get(%s) error = %v, want errors.Is %v", tt.version, err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Get(%s) error = %q, want it to contain %q", tt.version, err, tt.wantMsg)
			}
			for _, v := range []string{latestValue, pinnedValue, corruptValue} {
				if strings.Contains(err.Error(), v) {
					t.Errorf("Get(%s) error contains a secret value: %q", tt.version, err)
				}
			}
		})
	}

	// The name goes to the service exactly as given: a pinned version must not
	// be turned into latest, or a rotation would silently change the key.
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.names) < 2 || fake.names[0] != latest || fake.names[1] != pinned {
		t.Errorf("requested names = %v, want %s then %s first", fake.names, latest, pinned)
	}
}

func TestEnv(t *testing.T) {
	env := map[string]string{"TYOMATKA_PSEUDONYM_KEY": "env-VALUE-do-not-print"}
	s, err := secrets.Open(t.Context(), "env", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	got, err := s.Get(t.Context(), "TYOMATKA_PSEUDONYM_KEY")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "env-VALUE-do-not-print" {
		t.Errorf("Get = %q", got)
	}

	for _, name := range []string{"TYOMATKA_UNSET", ""} {
		t.Run("missing "+name, func(t *testing.T) {
			_, err := s.Get(t.Context(), name)
			if err == nil {
				t.Fatal("want an error")
			}
			if !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "do-not-print") {
				t.Errorf("error = %q, want it to name %q and not leak the value", err, name)
			}
		})
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		path    string
		want    string
		wantErr string
	}{
		{"plain", write("plain", "key-VALUE"), "key-VALUE", ""},
		{"one trailing newline trimmed", write("nl", "key-VALUE\n"), "key-VALUE", ""},
		{"CRLF trimmed", write("crlf", "key-VALUE\r\n"), "key-VALUE", ""},
		{"only one newline trimmed", write("nl2", "key-VALUE\n\n"), "key-VALUE\n", ""},
		{"empty", write("empty", "\n"), "", "is empty"},
		{"too large", write("large", strings.Repeat("x", 64<<10+1)), "", "larger than"},
		{"missing", filepath.Join(dir, "nope"), "", "no such file"},
	}
	s, err := secrets.Open(t.Context(), "file", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Get(t.Context(), tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
					t.Fatalf("Get error = %v, want one naming %s and containing %q", err, tt.path, tt.wantErr)
				}
				if strings.Contains(err.Error(), "key-VALUE") {
					t.Errorf("error leaks the value: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Get = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenUnknownKind(t *testing.T) {
	_, err := secrets.Open(t.Context(), "vault", nil)
	if err == nil || !strings.Contains(err.Error(), `"vault"`) {
		t.Errorf("Open(vault) error = %v, want one naming the kind", err)
	}
}
