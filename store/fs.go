package store

import (
	"io"
	"io/fs"
	"os"
)

// FS is the file system the store writes through. [OSFS] is the real one;
// tests wrap it to inject failures (a full disk, a failing fsync).
//
// Paths are operating-system paths, as for package os. Every method reports
// failures as the os package does (*fs.PathError, *os.LinkError), so
// errors.Is(err, fs.ErrNotExist) works.
type FS interface {
	// OpenFile opens a file as os.OpenFile does.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Rename replaces newpath with oldpath, atomically where the system
	// allows it (it does on every system enquete runs on).
	Rename(oldpath, newpath string) error
	// Remove removes a file or an empty folder.
	Remove(name string) error
	// MkdirAll creates a folder and any missing parents.
	MkdirAll(path string, perm fs.FileMode) error
	// ReadDir lists a folder, sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// ReadFile reads a whole file.
	ReadFile(name string) ([]byte, error)
	// Stat describes a file.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes the folder's entries (creations, renames, removals)
	// durable. Where the system cannot sync a folder (Windows), it is a
	// no-op and durability comes from Rename itself.
	SyncDir(name string) error
}

// File is an open file of an [FS], as far as the store writes to it.
type File interface {
	io.Writer
	// Sync commits the file's content to stable storage.
	Sync() error
	// Close closes the file.
	Close() error
	// Name returns the name the file was opened with.
	Name() string
}

// OSFS is the operating system's file system.
type OSFS struct{}

// OpenFile opens a file with os.OpenFile.
func (OSFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err // a nil *os.File must not become a non-nil File
	}
	return f, nil
}

// Rename renames with os.Rename (on Windows, MoveFileEx with write-through).
func (OSFS) Rename(oldpath, newpath string) error { return rename(oldpath, newpath) }

// Remove removes with os.Remove.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// MkdirAll creates folders with os.MkdirAll.
func (OSFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }

// ReadDir lists a folder with os.ReadDir.
func (OSFS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }

// ReadFile reads a file with os.ReadFile.
func (OSFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Stat describes a file with os.Stat.
func (OSFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// SyncDir fsyncs a folder (a no-op on Windows, see [FS]).
func (OSFS) SyncDir(name string) error { return syncDir(name) }
