//go:build unix && !linux

package replay

import "syscall"

// procAttr puts a function's process in a group of its own, so that a
// timeout ends its children too.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
