package replay

import "syscall"

// procAttr starts a function's process in a process group of its own, so
// that Ctrl-C in albcheck's console reaches albcheck, which stops it.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}

func prepareOwner() {}

// kill ends a function's process. Windows has no process groups to signal:
// processes the function started itself are not ended with it.
func (o *owned) kill() {
	if o.cmd.Process != nil {
		_ = o.cmd.Process.Kill()
	}
}

func (o *owned) cleanup() {}

// freeze and thaw do nothing: Windows has no process groups to stop, and
// a function's background work goes on between events.
func (o *owned) freeze() {}

func (o *owned) thaw() {}
