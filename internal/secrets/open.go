package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Kinds of secret store, as named by [secrets] kind in a job configuration.
const (
	KindEnv           = "env"
	KindFile          = "file"
	KindSecretManager = "secretmanager"
)

// maxSecretBytes is Secret Manager's payload limit (64 KiB); a local secret
// file larger than that is the wrong file, not a key.
const maxSecretBytes = 64 << 10

// Store is a Getter that holds resources until closed.
type Store interface {
	Getter
	Close() error
}

var (
	_ Store = Env{}
	_ Store = File{}
	_ Store = (*SecretManager)(nil)
)

// Open returns the store of the given kind. getenv (os.Getenv in production)
// is what an env store reads; a secretmanager store connects with the
// application default credentials, which in Cloud Run are the job's service
// account. Close the store when done.
func Open(ctx context.Context, kind string, getenv func(string) string) (Store, error) {
	switch kind {
	case KindEnv:
		return Env{Getenv: getenv}, nil
	case KindFile:
		return File{}, nil
	case KindSecretManager:
		return NewSecretManager(ctx)
	default:
		return nil, fmt.Errorf("secrets: unknown kind %q (want %q, %q or %q)", kind, KindEnv, KindFile, KindSecretManager)
	}
}

// Env reads a secret from the environment variable the name gives. It is
// meant for local runs.
type Env struct {
	Getenv func(string) string
}

// Get returns the value of the environment variable name. An unset or empty
// variable is an error that names the variable.
func (e Env) Get(_ context.Context, name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("secrets: no environment variable named (set pseudonym_key_env in [secrets])")
	}
	v := e.Getenv(name)
	if v == "" {
		return nil, fmt.Errorf("secrets: environment variable %s is not set or empty; set it to the secret's value", name)
	}
	return []byte(v), nil
}

// Close does nothing; an Env holds no resources.
func (Env) Close() error { return nil }

// File reads a secret from a file, such as one mounted from a secret volume.
type File struct{}

// Get returns the content of the file at path without one trailing newline,
// which editors and `echo` add but which is not part of the key.
func (File) Get(_ context.Context, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: open secret file %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
	if err != nil {
		return nil, fmt.Errorf("secrets: read secret file %s: %w", path, unwrapPath(err))
	}
	if len(b) > maxSecretBytes {
		return nil, fmt.Errorf("secrets: secret file %s is larger than %d bytes; is it the right file?", path, maxSecretBytes)
	}
	s := strings.TrimSuffix(string(b), "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		return nil, fmt.Errorf("secrets: secret file %s is empty", path)
	}
	return []byte(s), nil
}

// Close does nothing; a File store opens each file only for the Get.
func (File) Close() error { return nil }

// unwrapPath drops the *fs.PathError wrapper, whose message repeats the path
// the caller already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
