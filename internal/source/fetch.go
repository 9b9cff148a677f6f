package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Fetcher is implemented by sinks that can read back a file they wrote: the
// ledger reads finance's decision from the invoice basis's Hyväksyntä sheet
// through it. A sink without it cannot take approvals.
type Fetcher interface {
	// Fetch returns the bytes and current version of file name in folder dir
	// (as in Sink.Write); an error wrapping ErrNotFound when there is none.
	Fetch(ctx context.Context, dir, name string) ([]byte, string, error)
}

var _ Fetcher = (*Local)(nil)

// Fetch implements Fetcher. The version has the form Write reports.
func (l *Local) Fetch(ctx context.Context, dir, name string) ([]byte, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	path := filepath.Join(l.OutputRoot, dir, name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", path, err)
	}
	sum := sha256.Sum256(data)
	return data, "sha256:" + hex.EncodeToString(sum[:]), nil
}
