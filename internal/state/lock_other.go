//go:build !unix

package state

import (
	"context"
	"errors"
	"os"
)

// lockFileCtx: the bot runs on Linux (Cloud Run) and developers' Unix
// machines; elsewhere Local refuses to write rather than write unlocked.
func lockFileCtx(context.Context, *os.File) error {
	return errors.New("local state store needs flock (Unix only)")
}
