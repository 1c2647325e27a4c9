package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/albcheck/albcheck/validate"
)

// ExecHandler runs one process per invocation: the event on its stdin, the
// response document on its stdout, its stderr kept as logs. argv runs as
// is, without a shell (ask for one with argv = ["/bin/sh", "-c", script]).
func ExecHandler(argv []string, env []string, concurrency int) Handler {
	return &execHandler{argv: argv, env: env, concurrency: max(concurrency, 1)}
}

type execHandler struct {
	argv        []string
	env         []string
	concurrency int

	running registry[*owned] // processes under way, for Close
}

func (h *execHandler) Concurrency() int { return h.concurrency }

// Close stops the processes under way (their invocations end as
// interrupted) and whatever they started; no process starts after it.
func (h *execHandler) Close() error {
	for _, o := range h.running.list(true) {
		o.kill()
	}
	return nil
}

// limitedBuffer keeps the first n bytes and counts the rest.
type limitedBuffer struct {
	buf   bytes.Buffer
	n     int
	total int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.total += len(p)
	if room := l.n - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// execOutputGrace is how long --exec output is still read once the
// process has exited (exec.Cmd.WaitDelay): a background child that keeps
// stdout open must not hold the answer back.
const execOutputGrace = 200 * time.Millisecond

// Start checks that the command can be found, so that a typo is one error
// before any event rather than a failure for each.
func (h *execHandler) Start() error {
	_, err := exec.LookPath(h.argv[0])
	return err
}

func (h *execHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	start := time.Now()
	cmd := exec.Command(h.argv[0], h.argv[1:]...)
	cmd.Env = h.env
	cmd.Stdin = bytes.NewReader(event)
	stdout := &limitedBuffer{n: MaxPayload + 1}
	stderr := &logBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = execOutputGrace
	if h.running.isClosed() {
		return Result{Failure: interrupted()}
	}
	proc, err := startOwned(cmd)
	if err != nil {
		return Result{Failure: fail(validate.FUNCINIT, "cannot start %s: %v", h.argv[0], err), Duration: time.Since(start)}
	}
	if !h.running.add(proc) {
		proc.kill() // Close came while it started: it waits below, as interrupted
	}
	defer h.running.remove(proc)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	timedOut := false
	select {
	case err = <-done:
	case <-timer.C:
		timedOut = true
	case <-ctx.Done():
		timedOut = true
	}
	if timedOut {
		proc.kill()
		err = <-done
	}
	// The answer is complete when the process exits; whatever it started
	// ends with it.
	proc.cleanup()
	proc.forget()
	res := Result{Duration: time.Since(start), Logs: stderr.take()}
	closed := h.running.isClosed()
	var exitErr *exec.ExitError
	switch {
	case timedOut && ctx.Err() != nil, closed && err != nil:
		res.Failure = interrupted()
	case timedOut:
		res.Failure = fail(validate.FUNCTIMEOUT, "the process did not finish within %s and was killed", timeout)
	case errors.As(err, &exitErr):
		res.Failure = fail(validate.FUNCCRASH, "the process ended with %s", describeExit(exitErr))
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		res.Failure = fail(validate.FUNCCRASH, "%v", err)
	case stdout.total > MaxPayload:
		res.Failure = fail(validate.FUNCERROR, "Function.ResponseSizeTooLarge: the process wrote %d bytes, over Lambda's limit of %d", stdout.total, MaxPayload)
	default:
		res.Payload = bytes.Clone(stdout.buf.Bytes())
		if err != nil { // ErrWaitDelay: it answered and exited, a child kept its output open
			res.Logs = append(res.Logs, NotePrefix+"the process exited but something it started kept its output open; that output was cut off and the processes were stopped\n"...)
		}
	}
	return res
}

func describeExit(e *exec.ExitError) string {
	if ws, ok := e.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return fmt.Sprintf("signal %s", ws.Signal())
	}
	return fmt.Sprintf("exit status %d", e.ExitCode())
}
