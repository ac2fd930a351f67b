//go:build !linux && !darwin

package sync

import "syscall"

// limitUnsent does nothing where TCP_NOTSENT_LOWAT is missing: the stall
// watch then allows for a full socket buffer draining.
func limitUnsent(network, address string, c syscall.RawConn) error { return nil }
