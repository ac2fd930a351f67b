//go:build linux || darwin

package sync

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// limitUnsent keeps at most notSentBytes of a connection's data waiting in
// the kernel (TCP_NOTSENT_LOWAT): the client then sees a batch's bytes
// leave at the link's pace, which its stall watch and batch sizing need,
// instead of megabytes vanishing at once into a socket buffer.
func limitUnsent(network, address string, c syscall.RawConn) error {
	c.Control(func(fd uintptr) {
		unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT, notSentBytes)
	})
	return nil
}
