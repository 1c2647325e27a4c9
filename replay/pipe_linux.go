package replay

import (
	"syscall"
	"unsafe"
)

// pipePending is how many bytes wait in a pipe (FIONREAD).
func pipePending(fd uintptr) int {
	var n int32
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	if errno != 0 {
		return 0
	}
	return int(n)
}
