package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Local reads inputs from and writes outputs to folders on this machine.
//
// Each input is copied, while it is hashed, into a private folder that the
// readers then read: the bytes billed are the bytes whose SHA-256 the audit
// records, even if someone saves the workbook during the run. Close removes
// the copies.
type Local struct {
	TrackingPath string // the tracking workbook
	AccrualDir   string // every .xlsx/.csv in it is an accrual list
	OutputRoot   string // outputs go to OutputRoot/<dir>/

	mu      sync.Mutex
	private string // the folder of the copies, made on first use
}

var (
	_ Source = (*Local)(nil)
	_ Sink   = (*Local)(nil)
)

// Tracking implements Source.
func (l *Local) Tracking(ctx context.Context) (File, error) {
	return l.copyOf(l.TrackingPath, "seuranta")
}

// Accruals implements Source. Office lock files (~$name.xlsx) and hidden
// files are not lists and are passed over.
func (l *Local) Accruals(ctx context.Context) ([]File, error) {
	entries, err := os.ReadDir(l.AccrualDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("accrual folder %s: %w: create it and put Kela's monthly lists (.xlsx or .csv) in it", l.AccrualDir, ErrNotFound)
		}
		return nil, fmt.Errorf("accrual folder %s: %w", l.AccrualDir, err)
	}
	var files []File
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if ok, err := AccrualName(e.Name()); !ok {
			if err != nil {
				return nil, fmt.Errorf("accrual folder %s: %w", l.AccrualDir, err)
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := l.copyOf(filepath.Join(l.AccrualDir, e.Name()), "kertymat")
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

// AccrualName reports whether a file in the accrual folder is a list to
// read: .xlsx or .csv, not hidden, not an Office lock file. A spreadsheet
// in another format (an old .xls export, .xlsm, .ods, …) is an error rather
// than skipped: it is most likely a month's list, and without it that month
// would look missing or, when a later list corrects it, like zero benefit.
// Other files (notes, PDFs) are not lists and are left alone.
func AccrualName(name string) (bool, error) {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") {
		return false, nil
	}
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx", ".csv":
		return true, nil
	case ".xls", ".xlsm", ".xlsb", ".ods", ".numbers":
		return false, fmt.Errorf("%s is a %s spreadsheet, which the bot does not read as a Kela list: "+
			"save it as .xlsx (or export it as .csv) and remove the %s file, or move it out of the folder, and rerun", name, ext, ext)
	}
	return false, nil
}

// Close implements Source: it removes the private copies of the inputs.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.private == "" {
		return nil
	}
	err := os.RemoveAll(l.private)
	l.private = ""
	return err
}

// copyOf copies the file at path into the private folder's sub, hashing
// it on the way, and describes the copy (Path) and the original (Location).
func (l *Local) copyOf(path, sub string) (File, error) {
	src, err := openInput(path)
	if err != nil {
		return File{}, err
	}
	defer src.Close()
	dir, err := l.privateDir(sub)
	if err != nil {
		return File{}, err
	}
	dst, err := os.Create(filepath.Join(dir, filepath.Base(path)))
	if err != nil {
		return File{}, fmt.Errorf("copy %s: %w", path, err)
	}
	f, err := hashFile(src, path, dst)
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("copy %s: %w", path, cerr)
	}
	if err != nil {
		return File{}, err
	}
	f.Path = dst.Name()
	return f, nil
}

// privateDir returns the private folder's sub, making it when needed.
func (l *Local) privateDir(sub string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.private == "" {
		dir, err := PrivateTempDir("tyomatka-inputs-")
		if err != nil {
			return "", fmt.Errorf("folder for the input copies: %w", err)
		}
		l.private = dir
	}
	dir := filepath.Join(l.private, sub)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("folder for the input copies: %w", err)
	}
	return dir, nil
}

func localFile(path string) (File, error) {
	f, err := openInput(path)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	return hashFile(f, path, nil)
}

// openInput opens the file at path, saying what to check when it is missing.
func openInput(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: %w: check the path in the configuration", path, ErrNotFound)
		}
		return nil, fmt.Errorf("open %s: %w", path, pathless(err))
	}
	return f, nil
}

// pathless returns the cause of a *fs.PathError (whose text repeats the
// path the caller names already), with what to do when it is a permission
// problem.
func pathless(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if errors.Is(pe.Err, fs.ErrPermission) {
		return fmt.Errorf("%w: give the user the job runs as access to it, or point the configuration elsewhere", pe.Err)
	}
	return pe.Err
}

// hashFile describes the file f read from path with its SHA-256, copying
// its bytes to w on the way when w is not nil.
func hashFile(f io.Reader, path string, w io.Writer) (File, error) {
	h := sha256.New()
	var dst io.Writer = h
	if w != nil {
		dst = io.MultiWriter(h, w)
	}
	n, err := io.Copy(dst, f)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return File{
		Name:     filepath.Base(path),
		Path:     path,
		Location: path,
		Version:  "sha256:" + sum,
		SHA256:   sum,
		Size:     n,
	}, nil
}

// Write implements Sink. Each file goes to a temporary name in the same
// folder and is renamed into place, so a reader never sees a part of it. An
// existing file is replaced only when it is still the version the bot wrote
// (Output.Previous, "sha256:<hex>") or when the bot has no record of it;
// otherwise it is kept and the new file is written beside it.
func (l *Local) Write(ctx context.Context, dir string, outs []Output) ([]Written, error) {
	folder := filepath.Join(l.OutputRoot, dir)
	_, statErr := os.Stat(folder)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return nil, fmt.Errorf("create output folder %s: %w", folder, err)
	}
	// All or nothing: every file is first written in full beside its
	// target, and only when all of them are on disk are they renamed into
	// place. A full disk or a failing file leaves the folder as it was.
	// Once started, the set is written whole even if the context is
	// cancelled (SIGTERM): a complete set is better than a run that stopped
	// between its invoice basis and its summary.
	written := make([]Written, 0, len(outs))
	staged := make([]string, 0, len(outs))
	fail := func(err error) ([]Written, error) {
		for _, tmp := range staged {
			os.Remove(tmp)
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			os.Remove(folder) // only if still empty: the folder this call made
		}
		return nil, err
	}
	for _, o := range outs {
		name, beside, note, err := l.target(folder, o)
		if err != nil {
			return fail(err)
		}
		path := filepath.Join(folder, name)
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			// Checked now, as the rename over it would fail only after
			// earlier files of the set were in place.
			return fail(fmt.Errorf("write %s: a folder of that name is in the way; move it and rerun", path))
		}
		tmp, err := stageFile(path, o.Data)
		if err != nil {
			return fail(err)
		}
		staged = append(staged, tmp)
		sum := sha256.Sum256(o.Data)
		hexSum := hex.EncodeToString(sum[:])
		written = append(written, Written{Name: name, Location: path, Version: "sha256:" + hexSum, SHA256: hexSum, Beside: beside, Note: note})
	}
	for i, w := range written {
		if err := os.Rename(staged[i], w.Location); err != nil {
			// Renames within a folder fail only if the folder itself went
			// away or turned read-only meanwhile.
			return fail(fmt.Errorf("rename into %s: %w", w.Location, err))
		}
	}
	return written, nil
}

// target decides the name to write o under.
func (l *Local) target(folder string, o Output) (name string, beside bool, note string, err error) {
	path := filepath.Join(folder, o.Name)
	if o.Replace {
		return o.Name, false, "", nil
	}
	cur, err := localFile(path)
	if err != nil {
		if os.IsNotExist(err) || isNotFound(err) {
			return o.Name, false, "", nil
		}
		return "", false, "", err
	}
	sum := sha256.Sum256(o.Data)
	switch {
	case cur.SHA256 == hex.EncodeToString(sum[:]):
		return o.Name, false, "", nil // the same bytes: nothing anyone wrote is lost
	case o.Previous != "" && cur.Version == o.Previous:
		return o.Name, false, "", nil // still what the bot wrote
	}
	reason := fmt.Sprintf("%s was changed after the bot wrote it", o.Name)
	if o.Previous == "" {
		reason = fmt.Sprintf("%s already exists and the bot has no record of writing it", o.Name)
	}
	return l.beside(folder, o.Name, reason)
}

// beside finds a free name "name (n).ext" next to a file that must be kept.
func (l *Local) beside(folder, name, reason string) (string, bool, string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 2; i < 1000; i++ {
		cand := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if _, err := os.Stat(filepath.Join(folder, cand)); os.IsNotExist(err) {
			return cand, true, fmt.Sprintf("%s; kept it and wrote %s beside it", reason, cand), nil
		}
	}
	return "", false, "", fmt.Errorf("%s: too many versions beside it; tidy the folder %s", name, folder)
}

func isNotFound(err error) bool {
	return err != nil && (os.IsNotExist(err) || strings.Contains(err.Error(), ErrNotFound.Error()))
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder, synced and renamed into place.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := stageFile(path, data)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	return nil
}

// stageFile writes data, synced, to a hidden temporary file beside path and
// returns its name, for the caller to rename into place.
func stageFile(path string, data []byte) (_ string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, pathless(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w", path, pathless(err))
	}
	if err = tmp.Sync(); err != nil {
		return "", fmt.Errorf("sync %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), fs.FileMode(0o644)); err != nil {
		return "", fmt.Errorf("chmod %s: %w", path, err)
	}
	return tmp.Name(), nil
}
