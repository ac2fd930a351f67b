//go:build killtest && unix

package store

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"
)

// This file is compiled only into the test build of enquete that the kill
// -9 harness (cmd/enquete/kill9_test.go) makes with -tags killtest; the
// enquete command never has it. With ENQUETE_TEST_KILL_AT=N in its
// environment, that build kills itself (SIGKILL, as kill -9) just before
// its Nth change to the disk: each file opened for writing, each write,
// fsync, close, rename, removal and folder sync counts. So the harness can
// stop the process between any two steps of finalize or sync, including
// mid-write.
func init() {
	n, err := strconv.Atoi(os.Getenv("ENQUETE_TEST_KILL_AT"))
	if err == nil && n > 0 {
		osFS = &killFS{FS: OSFS{}, at: n}
	}
}

// killFS is the real file system, killing the process at its at-th change.
type killFS struct {
	FS
	at, n int
}

func (k *killFS) step() {
	k.n++
	if k.n == k.at {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}

func (k *killFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE) != 0 {
		k.step()
	}
	f, err := k.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &killFile{File: f, k: k}, nil
}

func (k *killFS) Rename(oldpath, newpath string) error {
	k.step()
	return k.FS.Rename(oldpath, newpath)
}

func (k *killFS) Remove(name string) error {
	k.step()
	return k.FS.Remove(name)
}

func (k *killFS) MkdirAll(path string, perm fs.FileMode) error {
	k.step()
	return k.FS.MkdirAll(path, perm)
}

func (k *killFS) SyncDir(name string) error {
	k.step()
	return k.FS.SyncDir(name)
}

// killFile is a file being written: a write may be cut in the middle.
type killFile struct {
	File
	k *killFS
}

func (f *killFile) Write(p []byte) (int, error) {
	if len(p) > 1 {
		n, err := f.File.Write(p[:len(p)/2])
		if err != nil {
			return n, err
		}
		f.k.step() // half the bytes are written
		m, err := f.File.Write(p[len(p)/2:])
		return n + m, err
	}
	f.k.step()
	return f.File.Write(p)
}

func (f *killFile) Sync() error {
	f.k.step()
	return f.File.Sync()
}

func (f *killFile) Close() error {
	f.k.step()
	return f.File.Close()
}
