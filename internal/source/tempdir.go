package source

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PrivateTempDir makes a private temporary folder named prefix, this
// process's id and a random part, after removing the folders of that
// prefix left by processes that are no longer running. The copies of the
// inputs hold identity codes and names: a run killed outright (SIGKILL, out
// of memory) cannot remove them itself, so the next run does. A Cloud Run
// task's temporary files go with its instance anyway; this is for the
// machines the job is run on by hand.
func PrivateTempDir(prefix string) (string, error) {
	sweepStale(os.TempDir(), prefix)
	return os.MkdirTemp("", prefix+strconv.Itoa(os.Getpid())+"-")
}

// sweepStale removes dir's folders named prefix+pid+"-…" whose process is
// gone. Errors are ignored: another user's folder is not ours to remove.
func sweepStale(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || running(pid) {
			continue
		}
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}
