package source

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// TestPathless: an error about a file the message names already does not
// repeat its path, and a permission problem says what to do.
func TestPathless(t *testing.T) {
	tests := []struct {
		err  error
		want string
		is   error
	}{
		{&fs.PathError{Op: "open", Path: "/in/seuranta.xlsx", Err: syscall.EACCES}, "permission denied: give the user the job runs as access to it", fs.ErrPermission},
		{&fs.PathError{Op: "write", Path: "/out/.x.tmp-1", Err: syscall.ENOSPC}, "no space left on device", syscall.ENOSPC},
		{errors.New("other"), "other", nil},
	}
	for _, tt := range tests {
		got := pathless(tt.err)
		if got.Error() != tt.want && !strings.HasPrefix(got.Error(), tt.want) {
			t.Errorf("pathless(%v) = %q, want %q", tt.err, got, tt.want)
		}
		if strings.Contains(got.Error(), "/in/") || strings.Contains(got.Error(), ".tmp-") {
			t.Errorf("pathless(%v) = %q still names the path", tt.err, got)
		}
		if tt.is != nil && !errors.Is(got, tt.is) {
			t.Errorf("pathless(%v) = %v, not errors.Is %v", tt.err, got, tt.is)
		}
	}
}
