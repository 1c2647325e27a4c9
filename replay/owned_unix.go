//go:build unix && !linux

package replay

import "syscall"

// procAttr puts a function's process in a group of its own.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// prepareOwner has nothing to prepare: only Linux has a subreaper.
func prepareOwner() {}

// kill ends the process and its process group. A descendant that started a
// session of its own is out of reach here (Linux finds it: owned_linux.go).
func (o *owned) kill() {
	if o.cmd.Process != nil {
		_ = syscall.Kill(-o.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// cleanup ends what is left of the process group once the process exited.
func (o *owned) cleanup() { o.kill() }
