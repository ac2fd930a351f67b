//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// syncDir opens the folder and fsyncs it, so that a rename inside it
// survives a power cut.
func syncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some file systems (and some network mounts) cannot sync a folder;
	// nothing better can be done there.
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}

// isDiskFull reports whether err means no space (or no quota) is left.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
