//go:build linux

package pgtest

import "syscall"

// sysProcAttr runs a PostgreSQL program as c (when set); with dieWithParent the server gets
// SIGQUIT if the test binary dies (its timeout, a kill), so no server outlives its test.
func sysProcAttr(c *credential, dieWithParent bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if c != nil {
		a.Credential = &syscall.Credential{Uid: c.Uid, Gid: c.Gid}
	}
	if dieWithParent {
		a.Pdeathsig = syscall.SIGQUIT
	}
	return a
}
