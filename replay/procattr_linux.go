package replay

import "syscall"

// procAttr puts a function's process in a group of its own, so that a
// timeout ends its children too, and asks Linux to kill it should albcheck
// itself die without cleaning up.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
