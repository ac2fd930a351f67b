//go:build !windows

package store

import "syscall"

// The errors this system reports for a full disk and an exceeded quota.
var (
	errDiskFull error = syscall.ENOSPC
	errQuota    error = syscall.EDQUOT
)
