//go:build unix

package replay

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

// pipeLog moves a function's output from its pipe into a logBuffer. Reads
// happen under a lock, by the copier as data arrives and by drain at the end
// of an invocation, so that drain returns only once everything written to
// the pipe so far is in the buffer. Hand-written on the raw descriptor
// because io.Copy cannot say whether the bytes it has read are stored yet.
type pipeLog struct {
	mu   sync.Mutex
	conn syscall.RawConn
	logs *logBuffer
	buf  []byte
	eof  bool
}

func newPipeLog(r *os.File, logs *logBuffer) (*pipeLog, error) {
	conn, err := r.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &pipeLog{conn: conn, logs: logs, buf: make([]byte, 32<<10)}, nil
}

// readAvailable reads until the pipe is empty; it reports whether the
// writer is gone (end of file or an error).
func (pl *pipeLog) readAvailable(fd uintptr) (done bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	for {
		if pl.eof {
			return true
		}
		n, err := syscall.Read(int(fd), pl.buf)
		switch {
		case n > 0:
			_, _ = pl.logs.Write(pl.buf[:n])
		case errors.Is(err, syscall.EAGAIN):
			return false
		case errors.Is(err, syscall.EINTR):
		default: // end of file, or an error: nothing more will come
			pl.eof = true
			return true
		}
	}
}

// copy reads until the function's side of the pipe closes.
func (pl *pipeLog) copy() {
	_ = pl.conn.Read(pl.readAvailable)
}

// drain stores what is in the pipe now.
func (pl *pipeLog) drain() {
	_ = pl.conn.Control(func(fd uintptr) { pl.readAvailable(fd) })
}
