package store

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/enquete-field/enquete/locales"
)

// errLocked is what a lock attempt returns when another holder has it.
var errLocked = errors.New("locked by another process")

// Lock takes the home's lock: an exclusive, non-blocking operating-system
// lock on the file "lock" (flock on unix, LockFileEx on Windows), held until
// release is called or the process ends (a crash frees it). While another
// process holds it, Lock fails at once with "another enquete is using DIR".
//
// Having the lock, Lock removes the temporary files a crash may have left
// behind (they hold ciphertext only, but waste space).
func (h *Home) Lock() (release func(), err error) {
	path := filepath.Join(h.dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, locales.Errorf("store.lock_failed", path, causeText(err)).Wrap(err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, locales.Errorf("store.locked", h.dir).Hint("store.locked.hint").Wrap(err)
		}
		return nil, locales.Errorf("store.lock_failed", path, causeText(err)).Wrap(err)
	}
	h.removeTemps()
	h.blurTimes(path)
	var once sync.Once
	return func() {
		once.Do(func() {
			unlockFile(f)
			f.Close()
		})
	}, nil
}

// removeTemps removes leftover temporary files from every folder of the
// home (a few levels deep, a few thousand entries at most).
func (h *Home) removeTemps() { h.removeTempsIn(h.dir, 3) }

func (h *Home) removeTempsIn(dir string, depth int) {
	entries, _ := h.fs.ReadDir(dir)
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir() && depth > 0:
			h.removeTempsIn(path, depth-1)
		case e.Type().IsRegular() && isTemp(e.Name()):
			h.fs.Remove(path)
		}
	}
}
