//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || windows)

package store

import (
	"errors"
	"os"
)

// lockFile fails: this system has no lock enquete knows how to take, and
// running two enquete on one home unlocked could lose data.
func lockFile(f *os.File) error { return errors.ErrUnsupported }

func unlockFile(f *os.File) {}
