//go:build windows

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// rename replaces newpath with MoveFileEx and MOVEFILE_WRITE_THROUGH, which
// returns only once the move is on disk (Windows cannot fsync a folder).
func rename(oldpath, newpath string) error {
	from, err := windows.UTF16PtrFromString(oldpath)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	to, err := windows.UTF16PtrFromString(newpath)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	err = windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	return nil
}

// syncDir is a no-op: Windows cannot flush a folder; rename writes through.
func syncDir(name string) error { return nil }

// isDiskFull reports whether err means no space (or no quota) is left.
func isDiskFull(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) ||
		errors.Is(err, windows.ERROR_HANDLE_DISK_FULL) ||
		errors.Is(err, windows.ERROR_DISK_QUOTA_EXCEEDED)
}
