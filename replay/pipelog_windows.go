package replay

import (
	"io"
	"os"
)

// pipeLog moves a function's output from its pipe into a logBuffer. On
// Windows a pipe cannot be read without waiting, so drain does not wait for
// output still in the pipe: what a function prints just before it answers
// may be shown with its next invocation instead.
type pipeLog struct {
	r    *os.File
	logs *logBuffer
}

func newPipeLog(r *os.File, logs *logBuffer) (*pipeLog, error) {
	return &pipeLog{r: r, logs: logs}, nil
}

// copy reads until the function's side of the pipe closes.
func (pl *pipeLog) copy() { _, _ = io.Copy(pl.logs, pl.r) }

// drain stores what is in the pipe now, as far as Windows can tell.
func (pl *pipeLog) drain() {}
