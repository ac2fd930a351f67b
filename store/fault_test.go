package store

import (
	"io/fs"
	"os"
	"sync"
)

// faultFS is the real file system with one injected failure: writes fail
// with the disk-full error once writeLimit bytes are written in total (a disk filling
// up), or the operation named by failOp fails with failErr.
type faultFS struct {
	OSFS
	mu         sync.Mutex
	writeLimit int64 // -1: no limit
	written    int64
	failOp     string // "open", "sync", "close", "rename", "syncdir", "readdir", "readfile", "remove"
	failErr    error
}

func newFaultFS() *faultFS { return &faultFS{writeLimit: -1} }

func (f *faultFS) fail(op, name string) error {
	if f.failOp != op {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: f.failErr}
}

func (f *faultFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if err := f.fail("open", name); err != nil {
		return nil, err
	}
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

func (f *faultFS) Rename(oldpath, newpath string) error {
	if f.failOp == "rename" {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: f.failErr}
	}
	return f.OSFS.Rename(oldpath, newpath)
}

func (f *faultFS) SyncDir(name string) error {
	if err := f.fail("syncdir", name); err != nil {
		return err
	}
	return f.OSFS.SyncDir(name)
}

func (f *faultFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if err := f.fail("readdir", name); err != nil {
		return nil, err
	}
	return f.OSFS.ReadDir(name)
}

func (f *faultFS) ReadFile(name string) ([]byte, error) {
	if err := f.fail("readfile", name); err != nil {
		return nil, err
	}
	return f.OSFS.ReadFile(name)
}

func (f *faultFS) Remove(name string) error {
	if err := f.fail("remove", name); err != nil {
		return err
	}
	return f.OSFS.Remove(name)
}

// faultFile writes through to a real file until its faultFS's limit.
type faultFile struct {
	File
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (int, error) {
	f.fs.mu.Lock()
	room := int64(len(p))
	if f.fs.writeLimit >= 0 {
		room = min(room, f.fs.writeLimit-f.fs.written)
	}
	f.fs.written += room
	f.fs.mu.Unlock()
	n, err := f.File.Write(p[:room])
	if err == nil && n < len(p) {
		err = &fs.PathError{Op: "write", Path: f.Name(), Err: errDiskFull}
	}
	return n, err
}

func (f *faultFile) Sync() error {
	if err := f.fs.fail("sync", f.Name()); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultFile) Close() error {
	err := f.File.Close()
	if ferr := f.fs.fail("close", f.Name()); ferr != nil {
		return ferr
	}
	return err
}
