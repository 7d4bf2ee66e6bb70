//go:build unix

package h1client

import "syscall"

// Supported says whether this platform has the idle-connection check the transport relies on
// (stillOpen); without it, callers use net/http's Transport.
const Supported = true

// stillOpen peeks at an idle connection's socket without blocking: a connection the server has
// closed reads as end of file (or an error), and one with unexpected bytes waiting is out of step.
// Either way it must not carry the next request. net/http learns the same from the reading
// goroutine it keeps on every idle connection; one non-blocking system call does it here.
func stillOpen(raw syscall.RawConn) bool {
	if raw == nil {
		return true
	}
	var buf [1]byte
	open := false
	err := raw.Read(func(fd uintptr) bool {
		_, _, rerr := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = rerr == syscall.EAGAIN || rerr == syscall.EWOULDBLOCK
		return true
	})
	return err == nil && open
}
