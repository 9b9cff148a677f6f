//go:build unix

package state

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

const (
	lockPollMin = time.Millisecond      // first wait when the lock is busy
	lockPollMax = 20 * time.Millisecond // longest wait between attempts
)

// lockFileCtx takes an exclusive flock on f. It polls with LOCK_NB rather
// than blocking in flock so that a cancelled ctx ends the wait.
func lockFileCtx(ctx context.Context, f *os.File) error {
	wait := lockPollMin
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, lockPollMax)
	}
}
