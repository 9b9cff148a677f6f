// Package secrets reads secret values — the pseudonymisation key and, where
// used, the Graph client secret — from the kind of store the configuration
// names. Secret values are never logged or put in errors.
package secrets

import "context"

// Getter returns a secret's value by name. What a name is depends on the
// kind: an environment variable's name, a file path, or a Secret Manager
// version resource ("projects/p/secrets/s/versions/latest").
type Getter interface {
	Get(ctx context.Context, name string) ([]byte, error)
}
