//go:build !linux

package pgtest

import "syscall"

// sysProcAttr: outside Linux there is no parent-death signal (and on Windows no credential), so
// PostgreSQL runs as the test's own user and a killed test binary may leave it running; CI runs
// these tests on Linux. This file exists so the module builds and vets for the release targets.
func sysProcAttr(*credential, bool) *syscall.SysProcAttr { return nil }
