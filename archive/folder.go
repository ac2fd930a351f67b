package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// Folder is the default [Storage]: one flat folder of record files,
// DIR/<sha256>.age, each written to a temporary file in the same folder,
// fsynced, renamed into place and made durable by fsyncing the folder.
// Several processes may share a folder (a server writing, a lab exporting).
type Folder struct {
	dir string
}

// folderTempPrefix starts the name of files being written; Walk never lists
// them and a later NewFolder removes stale ones.
const folderTempPrefix = ".put-"

// folderStaleTemp is the age after which a temporary file is a crash leftover.
const folderStaleTemp = time.Hour

var _ Storage = (*Folder)(nil)

// NewFolder opens the archive folder dir, which must exist. Temporary
// files left by a crash more than an hour ago are removed.
func NewFolder(dir string) (*Folder, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, locales.Errorf("archive.storage.no_folder", dir).
			Hint("archive.storage.no_folder.hint").Wrap(err)
	case err != nil:
		return nil, locales.Errorf("archive.storage.read", dir, err).Wrap(err)
	case !info.IsDir():
		return nil, locales.Errorf("archive.storage.not_folder", dir)
	}
	f := &Folder{dir: dir}
	f.removeStale()
	return f, nil
}

// CreateFolder opens the archive folder dir, creating it (mode 0700, with
// its parents) when missing: what an archive server does on first start.
func CreateFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, locales.Errorf("archive.storage.create", dir, err).Wrap(err)
	}
	return NewFolder(dir)
}

// Dir returns the folder's path.
func (f *Folder) Dir() string { return f.dir }

// Put implements [Storage.Put].
func (f *Folder) Put(ctx context.Context, name string, data []byte) error {
	if err := CheckContent(name, data); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	path := filepath.Join(f.dir, name)
	if f.holds(path, data) {
		// Already there: make sure it is durable before saying so (a
		// crashed writer may have renamed it without syncing the folder).
		if err := folderSyncFile(path); err != nil {
			return f.writeError(name, err)
		}
		if err := folderSyncDir(f.dir); err != nil {
			return f.writeError(name, err)
		}
		return nil
	}
	if err := f.write(path, data); err != nil {
		return f.writeError(name, err)
	}
	return nil
}

// holds reports whether path already holds exactly data.
func (f *Folder) holds(path string, data []byte) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() != int64(len(data)) {
		return false
	}
	file, err := os.Open(path)
	if err != nil {
		return false
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return false
	}
	return bytes.Equal(h.Sum(nil), folderSum(data))
}

func folderSum(data []byte) []byte {
	sum := sha256.Sum256(data)
	return sum[:]
}

// write stores data at path: temp file in the same folder, fsync, rename,
// fsync the folder.
func (f *Folder) write(path string, data []byte) error { return f.writeIn(f.dir, path, data) }

func (f *Folder) writeError(name string, err error) error {
	return locales.Errorf("archive.storage.write", name, f.dir, err).
		Hint("archive.storage.write.hint").Wrap(err)
}

// Has implements [Storage.Has].
func (f *Folder) Has(ctx context.Context, name string) (bool, error) {
	if err := CheckName(name); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	info, err := os.Lstat(filepath.Join(f.dir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
	}
	return info.Mode().IsRegular(), nil
}

// Open implements [Storage.Open].
func (f *Folder) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path := filepath.Join(f.dir, name)
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return nil, f.notFound(name, fs.ErrNotExist)
	}
	file, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, f.notFound(name, err)
	case err != nil:
		return nil, locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
	}
	return file, nil
}

func (f *Folder) notFound(name string, cause error) error {
	return locales.Errorf("archive.storage.not_found", name, f.dir).Wrap(errors.Join(ErrNotFound, cause))
}

// Walk implements [Storage.Walk]. It reads the folder in chunks, so a
// folder of millions of records is walked in constant memory.
func (f *Folder) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	return f.walkNames(ctx, ValidName, fn)
}

// walkAgeFiles is [Folder.Walk] over every "*.age" file that is not
// hidden, record name or not: the lab's tools name a stray one (a record
// renamed "interview (1).age") instead of passing over it.
func (f *Folder) walkAgeFiles(ctx context.Context, fn func(name string, size int64) error) error {
	return f.walkNames(ctx, func(name string) bool {
		return strings.HasSuffix(name, NameSuffix) && !strings.HasPrefix(name, ".")
	}, fn)
}

// walkNames calls fn for every regular file of the folder whose name keep
// accepts.
func (f *Folder) walkNames(ctx context.Context, keep func(string) bool, fn func(name string, size int64) error) error {
	d, err := os.Open(f.dir)
	if err != nil {
		return locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
	}
	defer d.Close()
	for {
		entries, err := d.ReadDir(1024)
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !keep(e.Name()) || !e.Type().IsRegular() {
				continue
			}
			info, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
			}
			if err := fn(e.Name(), info.Size()); err != nil {
				return err
			}
		}
		if err == io.EOF || (err == nil && len(entries) == 0) {
			return nil
		}
		if err != nil {
			return locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
		}
	}
}

// removeStale deletes temporary files older than folderStaleTemp: leftovers of a
// crash mid-write. Younger ones may belong to a writer at work.
func (f *Folder) removeStale() {
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), folderTempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > folderStaleTemp {
			os.Remove(filepath.Join(f.dir, e.Name()))
		}
	}
}

// folderSyncFile fsyncs the file at path.
func folderSyncFile(path string) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	return file.Sync()
}

// folderSyncDir fsyncs a folder so that a rename in it is durable. Windows
// cannot sync a folder (and its renames are journaled); it is skipped.
func folderSyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Probe checks that the folder takes a durable write: it writes, syncs
// and removes a small temporary file (never a record: Walk does not list
// it). The archive server's health check calls it.
func (f *Folder) Probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := func() error {
		tmp, err := os.CreateTemp(f.dir, folderTempPrefix+"probe-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if _, err := tmp.Write(make([]byte, 4096)); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
		return tmp.Close()
	}()
	if err != nil {
		return locales.Errorf("archive.storage.probe", f.dir, err).Hint("archive.storage.write.hint").Wrap(err)
	}
	return nil
}

// RemoveTemp removes every temporary file in the folder, whatever its
// age, and returns how many it removed: the leftovers of a writer that
// was killed mid-write. Only for a process that is about to be the
// folder's one writer (`archive serve` at start): another writer's file
// removed under it makes its Put fail, and nothing it acknowledged is
// lost.
func (f *Folder) RemoveTemp() (int, error) {
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return 0, locales.Errorf("archive.storage.read", f.dir, err).Wrap(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), folderTempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(f.dir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}
