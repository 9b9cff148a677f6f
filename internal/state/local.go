package state

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	lockFile    = ".lock"       // flock target serialising every write in the folder
	counterFile = ".generation" // last generation handed out, for the whole folder
	tempPrefix  = ".tmp-"       // temp files; hidden, so List and names never meet them

	// headerPrefix starts the one-line header of every object file. The
	// generation lives inside the file so that data and generation change in
	// one atomic rename; a sidecar file could be left out of step by a crash.
	headerPrefix = "#tyomatka-state gen="
	maxHeader    = 64 // bytes; the header is far shorter

	filePerm = 0o600 // the ledger holds pseudonymous billing data
	dirPerm  = 0o750
)

// Local is a Store in a folder: one file per object, at the object's name
// below the folder. A file holds a one-line header with the generation, then
// the object's bytes; hidden files (".lock", ".generation", ".tmp-*") are the
// store's own. It is safe for use by many goroutines, by several Local
// values on one folder and by several processes on one machine (two
// `tyomatka run` at once): writes hold an exclusive flock on a lock file and
// replace files by atomic rename, so reads take no lock. It is not meant for
// network file systems whose flock is unreliable.
type Local struct {
	dir string
}

var _ Store = (*Local)(nil)

// NewLocal opens (creating if needed) a store in dir.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("state: local store %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, fmt.Errorf("state: local store %s: %w", dir, err)
	}
	return &Local{dir: abs}, nil
}

// Dir returns the folder the store lives in.
func (l *Local) Dir() string { return l.dir }

func (l *Local) file(name string) string {
	return filepath.Join(l.dir, filepath.FromSlash(name))
}

// Get implements Store.
func (l *Local) Get(ctx context.Context, name string) ([]byte, Generation, error) {
	if err := checkName(name); err != nil {
		return nil, 0, fmt.Errorf("state: get %q: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("state: get %q: %w", name, err)
	}
	raw, err := os.ReadFile(l.file(name))
	if err != nil {
		return nil, 0, fmt.Errorf("state: get %q: %w", name, notFound(err))
	}
	gen, data, err := splitHeader(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("state: get %q: %w", name, err)
	}
	return data, gen, nil
}

// Put implements Store.
func (l *Local) Put(ctx context.Context, name string, data []byte, ifGen Generation) (Generation, error) {
	if err := checkName(name); err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	if ifGen < 0 {
		return 0, fmt.Errorf("state: put %q: negative generation %d", name, ifGen)
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	defer unlock()

	file := l.file(name)
	cur, err := readGeneration(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	if cur != ifGen {
		return 0, fmt.Errorf("state: put %q: generation is %d, caller read %d: %w", name, cur, ifGen, ErrPrecondition)
	}
	last, err := l.readCounter()
	if err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	// max() keeps generations growing even if the counter file were lost.
	next := max(last, cur) + 1
	// The counter is durable before the object so that a crash can never
	// hand out a generation that an object already carried: a deleted and
	// re-created object must not match a stale writer's generation.
	if err := writeAtomic(l.dir, counterFile, []byte(strconv.FormatInt(int64(next), 10)+"\n")); err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), dirPerm); err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	body := make([]byte, 0, len(headerPrefix)+24+len(data))
	body = fmt.Appendf(body, "%s%d\n", headerPrefix, next)
	body = append(body, data...)
	if err := writeAtomic(filepath.Dir(file), filepath.Base(file), body); err != nil {
		return 0, fmt.Errorf("state: put %q: %w", name, err)
	}
	return next, nil
}

// Delete implements Store.
func (l *Local) Delete(ctx context.Context, name string, ifGen Generation) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("state: delete %q: %w", name, err)
	}
	if ifGen <= 0 {
		return fmt.Errorf("state: delete %q: generation %d is not positive", name, ifGen)
	}
	unlock, err := l.lock(ctx)
	if err != nil {
		return fmt.Errorf("state: delete %q: %w", name, err)
	}
	defer unlock()

	file := l.file(name)
	cur, err := readGeneration(file)
	if err != nil {
		return fmt.Errorf("state: delete %q: %w", name, notFound(err))
	}
	if cur != ifGen {
		return fmt.Errorf("state: delete %q: generation is %d, caller read %d: %w", name, cur, ifGen, ErrPrecondition)
	}
	if err := os.Remove(file); err != nil {
		return fmt.Errorf("state: delete %q: %w", name, err)
	}
	if err := syncDir(filepath.Dir(file)); err != nil {
		return fmt.Errorf("state: delete %q: %w", name, err)
	}
	return nil
}

// List implements Store.
func (l *Local) List(ctx context.Context, prefix string) ([]string, error) {
	// Walk only the folder the prefix reaches down to, not the whole store.
	root := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		root = prefix[:i]
	}
	if root != "" && checkName(root) != nil {
		return nil, nil // no object can live below an invalid folder name
	}
	var names []string
	err := filepath.WalkDir(l.file(root), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == l.file(root) {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(l.dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state: list %q: %w", prefix, err)
	}
	slices.Sort(names)
	return names, nil
}

// lock takes the folder's exclusive lock, polling so that ctx can end the
// wait. flock is released by the kernel when the process dies, so a crashed
// run never leaves a stale lock behind.
func (l *Local) lock(ctx context.Context) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(l.dir, lockFile), os.O_RDWR|os.O_CREATE, filePerm)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := lockFileCtx(ctx, f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", lockFile, err)
	}
	// Closing the descriptor releases the flock.
	return func() { f.Close() }, nil
}

func (l *Local) readCounter() (Generation, error) {
	b, err := os.ReadFile(filepath.Join(l.dir, counterFile))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", counterFile, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("read %s: corrupt counter %q", counterFile, b)
	}
	return Generation(n), nil
}

// readGeneration reads only the header of an object file.
func readGeneration(file string) (Generation, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(io.LimitReader(f, maxHeader), maxHeader).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	gen, _, err := splitHeader(line)
	return gen, err
}

func splitHeader(raw []byte) (Generation, []byte, error) {
	line, data, ok := bytes.Cut(raw, []byte{'\n'})
	if !ok || !bytes.HasPrefix(line, []byte(headerPrefix)) {
		return 0, nil, errors.New("corrupt object file: no generation header")
	}
	n, err := strconv.ParseInt(string(line[len(headerPrefix):]), 10, 64)
	if err != nil || n <= 0 {
		return 0, nil, fmt.Errorf("corrupt object file: bad generation %q", line[len(headerPrefix):])
	}
	return Generation(n), data, nil
}

// writeAtomic replaces dir/base with data: temp file in the same folder,
// fsync, rename, fsync the folder. A reader sees the old file or the new one;
// after a crash the folder holds one of them and perhaps a stray temp file,
// which is hidden and harmless, and left alone because another process may be
// writing it.
func writeAtomic(dir, base string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, tempPrefix+base+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", base, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", base, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", base, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, base)); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename or remove in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// notFound maps a missing file to ErrNotFound and keeps other errors.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	return err
}
