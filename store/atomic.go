package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// tempPrefix starts the names of files being written. Listings skip them;
// [Home.Lock] removes the ones a crash left behind.
const tempPrefix = ".tmp-"

// WriteFileAtomic replaces path with data so that, whatever happens (power
// cut, full disk, crash), path holds either its previous content or data,
// never a mix. It writes a temporary file (mode 0600) in the same folder,
// fsyncs and closes it, renames it over path and fsyncs the folder.
//
// On failure the temporary file is removed and the error, a
// [*locales.Error], names path: "disk full while writing PATH" when the
// disk is full, "cannot write PATH: CAUSE" otherwise; the cause stays
// available to errors.Is.
func WriteFileAtomic(fsys FS, path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, tempPrefix+randomHex(8))
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return writeError(path, err)
	}
	if err := writeSyncClose(f, data); err != nil {
		fsys.Remove(tmp)
		return writeError(path, err)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		fsys.Remove(tmp)
		return writeError(path, err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return writeError(path, err)
	}
	return nil
}

// writeSyncClose writes data, fsyncs and closes f, closing it on any error.
func writeSyncClose(f File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeError is the user-facing error for a failed write of path.
func writeError(path string, err error) error {
	if isDiskFull(err) {
		return locales.Errorf("store.disk_full", path).Hint("store.disk_full.hint").Wrap(err)
	}
	return locales.Errorf("store.write_failed", path, causeText(err)).Wrap(err)
}

// readError is the user-facing error for a failed read of path.
func readError(path string, err error) error {
	return locales.Errorf("store.read_failed", path, causeText(err)).Wrap(err)
}

// causeText is the system's reason without the operation and path that a
// *fs.PathError repeats ("no space left on device", "permission denied").
func causeText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// isTemp reports whether a folder entry is a temporary file of WriteFileAtomic.
func isTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b)
}
