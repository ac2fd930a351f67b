package archive

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// State is an archive's small mutable state, kept beside its records and
// never served: its receipt signing key and its device roster. Names are
// slash-separated paths of lower-case letters, digits, '.', '_' and '-'
// ("key", "devices/rasoa/entry"). Every backend keeps it in the same
// storage as its records, so several servers can share one archive.
type State interface {
	// GetState returns the named state, or an error wrapping ErrNotFound.
	GetState(ctx context.Context, name string) ([]byte, error)
	// PutState replaces the named state atomically and durably.
	PutState(ctx context.Context, name string, data []byte) error
	// CreateState writes the named state only if it does not exist yet;
	// it returns an error wrapping fs.ErrExist otherwise (first writer
	// wins, whatever the number of servers).
	CreateState(ctx context.Context, name string, data []byte) error
	// ListState lists the names under prefix (a folder: "devices/"),
	// sorted.
	ListState(ctx context.Context, prefix string) ([]string, error)
}

// stateDir is the folder of a Folder's state, inside its folder: record
// names never start with a dot, so Walk never lists it.
const stateDir = ".state"

var _ State = (*Folder)(nil)

// validStateName reports whether name is a state name (no "..", no
// absolute path, a safe alphabet).
func validStateName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." || strings.HasPrefix(part, ".") {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

func (f *Folder) statePath(name string) (string, error) {
	if !validStateName(name) {
		return "", locales.Errorf("archive.storage.bad_name", quoteRecordName(name)).Wrap(ErrInvalidName)
	}
	return filepath.Join(f.dir, stateDir, filepath.FromSlash(name)), nil
}

// GetState implements [State.GetState].
func (f *Folder) GetState(ctx context.Context, name string) ([]byte, error) {
	path, err := f.statePath(name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, f.notFound(name, err)
	case err != nil:
		return nil, locales.Errorf("archive.storage.read", path, err).Wrap(err)
	}
	return data, nil
}

// PutState implements [State.PutState].
func (f *Folder) PutState(ctx context.Context, name string, data []byte) error {
	path, err := f.statePath(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return f.writeError(name, err)
	}
	if err := f.writeIn(filepath.Dir(path), path, data); err != nil {
		return f.writeError(name, err)
	}
	return nil
}

// CreateState implements [State.CreateState]: the file is written aside,
// then linked into place, which fails if another writer was first.
func (f *Folder) CreateState(ctx context.Context, name string, data []byte) error {
	path, err := f.statePath(name)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f.writeError(name, err)
	}
	tmp, err := os.CreateTemp(dir, folderTempPrefix+"*")
	if err != nil {
		return f.writeError(name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return f.writeError(name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return f.writeError(name, err)
	}
	tmp.Close()
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return f.writeError(name, err)
	}
	if err := folderSyncDir(dir); err != nil {
		return f.writeError(name, err)
	}
	return nil
}

// ListState implements [State.ListState].
func (f *Folder) ListState(ctx context.Context, prefix string) ([]string, error) {
	root := filepath.Join(f.dir, stateDir)
	// Walk only the folder the prefix names ("log/2026-12-03/"), not the
	// whole state: the receipt log and quota entries grow with the batches.
	start := root
	if i := strings.LastIndex(prefix, "/"); i > 0 && validStateName(prefix[:i]) {
		start = filepath.Join(root, filepath.FromSlash(prefix[:i]))
	}
	var names []string
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		name := filepath.ToSlash(rel)
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, locales.Errorf("archive.storage.read", root, err).Wrap(err)
	}
	sort.Strings(names)
	return names, nil
}

// writeIn writes data at path through a temporary file in dir: fsync,
// rename, fsync of dir.
func (f *Folder) writeIn(dir, path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, folderTempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return folderSyncDir(dir)
}
