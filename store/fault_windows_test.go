//go:build windows

package store

import "golang.org/x/sys/windows"

// The errors this system reports for a full disk and an exceeded quota.
var (
	errDiskFull error = windows.ERROR_DISK_FULL
	errQuota    error = windows.ERROR_DISK_QUOTA_EXCEEDED
)
