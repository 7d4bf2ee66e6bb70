//go:build !unix

package h1client

import "syscall"

// Supported is false where the idle-connection check has no non-blocking peek (Windows): callers
// use net/http's Transport there.
const Supported = false

func stillOpen(syscall.RawConn) bool { return false }
