package store

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Chtimes sets a file's access and modification times with os.Chtimes.
// The store uses it, where an [FS] has it, to blur file times (see
// [Home] and the package documentation).
func (OSFS) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(name, atime, mtime)
}

// chtimer is an [FS] that can set file times.
type chtimer interface {
	Chtimes(name string, atime, mtime time.Time) error
}

// blurDay is the time every file and folder of the home is given after a
// change: the start of the current day, UTC. A seized laptop's file list
// then shows on which day something was written, not at what time of day
// (see the package documentation for what the system still keeps).
func blurDay(now time.Time) time.Time {
	return now.UTC().Truncate(24 * time.Hour)
}

// blurTimes sets the access and modification times of each path, and of
// every folder from its parent up to the home itself, to the start of
// today (UTC). It is best effort: the data is already durable, and a file
// system that refuses (a read-only mount, FAT's 2 s grain) only keeps
// finer times.
func (h *Home) blurTimes(paths ...string) {
	fsys, ok := h.fs.(chtimer)
	if !ok {
		return
	}
	day := blurDay(time.Now())
	done := map[string]bool{}
	for _, p := range paths {
		for ; !done[p]; p = filepath.Dir(p) {
			done[p] = true
			fsys.Chtimes(p, day, day)
			if p == h.dir || !strings.HasPrefix(p, h.dir+string(filepath.Separator)) {
				break
			}
		}
	}
}

// writeFile is [WriteFileAtomic] in the home, then [Home.blurTimes].
func (h *Home) writeFile(path string, data []byte) error {
	if err := WriteFileAtomic(h.fs, path, data); err != nil {
		return err
	}
	h.blurTimes(path)
	return nil
}
