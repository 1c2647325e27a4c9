//go:build unix

package replay

import (
	"os"
	"syscall"
)

// killGroup ends a function's process and whatever it started: procAttr
// made it the leader of a process group of its own.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
