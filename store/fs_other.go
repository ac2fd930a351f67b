//go:build !unix && !windows

package store

import "os"

func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// syncDir fsyncs the folder where the system allows it.
func syncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	d.Sync() // not every system here can sync a folder
	return d.Close()
}

// isDiskFull: these systems report no distinct error for a full disk.
func isDiskFull(err error) bool { return false }
