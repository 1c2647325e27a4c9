//go:build unix

package replay

import "syscall"

// freeze stops the process's group (SIGSTOP) and thaw lets it go on
// (SIGCONT): between two events, as Lambda freezes an execution
// environment once its runtime asks for the next event. Timers, goroutines
// and promises a handler left running make no progress until the next
// event comes, as in Lambda.
func (o *owned) freeze() { o.signalGroup(syscall.SIGSTOP) }

func (o *owned) thaw() { o.signalGroup(syscall.SIGCONT) }

func (o *owned) signalGroup(sig syscall.Signal) {
	if o.cmd.Process != nil {
		_ = syscall.Kill(-o.cmd.Process.Pid, sig)
	}
}
