package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// MaxPayload is the largest response a synchronous Lambda invocation
// returns (6 MB); larger fails with Function.ResponseSizeTooLarge.
const MaxPayload = 6 << 20

// maxLogs bounds the output kept per invocation.
const maxLogs = 64 << 10

// Result is a function's answer to one invocation.
type Result struct {
	// Payload is the response document the function returned.
	Payload []byte
	// Failure is set when the function did not return a document: an error,
	// a timeout, a crash, a failed start.
	Failure *Failure
	// Duration is how long the invocation took.
	Duration time.Duration
	// Logs is what the function printed while it handled the invocation.
	Logs []byte
	// Environment names the execution environment (one process of a --cmd
	// function) that handled the invocation; empty for other handlers.
	Environment string
	// InitDuration is set when the invocation started its environment (a
	// cold start): the time from starting the process to the function's
	// first request for an event, as the Init Duration of Lambda's REPORT
	// line.
	InitDuration time.Duration
	// Waited is how long the invocation waited for an environment, every
	// one being busy at the concurrency limit.
	Waited time.Duration
	// Throttled is set, with a Failure, when the invocation was refused
	// because every environment was busy at the concurrency limit.
	Throttled bool
}

// NotePrefix starts the lines albcheck adds to a function's output (Logs)
// about its processes: a process replaced after it exited or stalled, a
// second answer refused.
const NotePrefix = "albcheck: "

// Failure says how an invocation failed, as a FUNC-* rule.
type Failure struct {
	Rule    validate.RuleID
	Message string
}

// Fail makes a failure of a rule with a formatted message, for handlers
// written outside this package.
func Fail(rule validate.RuleID, format string, args ...any) *Failure {
	return fail(rule, format, args...)
}

func fail(rule validate.RuleID, format string, args ...any) *Failure {
	return &Failure{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Handler invokes a function.
type Handler interface {
	// Invoke sends one event and waits for the answer, at most timeout.
	Invoke(ctx context.Context, event []byte, timeout time.Duration) Result
	// Concurrency is how many invocations may run at once.
	Concurrency() int
	// Close stops every process the handler started.
	Close() error
}

// GoHandlerFunc is the aws-lambda-go signature of an ALB handler.
type GoHandlerFunc func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error)

// GoHandler runs a Go handler in-process, decoding the event and encoding
// the response as aws-lambda-go does. A panic or an error is a function
// error; a handler still running at the timeout is reported as timed out
// (its goroutine cannot be stopped, only abandoned through its context).
func GoHandler(h GoHandlerFunc) Handler { return &goHandler{h: h} }

type goHandler struct{ h GoHandlerFunc }

func (g *goHandler) Concurrency() int { return runtime.GOMAXPROCS(0) }
func (g *goHandler) Close() error     { return nil }

func (g *goHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	start := time.Now()
	var req events.ALBTargetGroupRequest
	if err := json.Unmarshal(event, &req); err != nil {
		return Result{Failure: fail(validate.FUNCERROR, "the event does not decode into events.ALBTargetGroupRequest: %v", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type answer struct {
		payload []byte
		failure *Failure
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{failure: fail(validate.FUNCERROR, "panic: %v\n%s", p, debug.Stack())}
			}
		}()
		resp, err := g.h(ctx, req)
		if err != nil {
			done <- answer{failure: fail(validate.FUNCERROR, "the handler returned an error: %v", err)}
			return
		}
		b, err := json.Marshal(resp)
		if err != nil {
			done <- answer{failure: fail(validate.FUNCERROR, "the response does not encode: %v", err)}
			return
		}
		done <- answer{payload: b}
	}()
	select {
	case a := <-done:
		return Result{Payload: a.payload, Failure: a.failure, Duration: time.Since(start)}
	case <-ctx.Done():
		return Result{Failure: fail(validate.FUNCTIMEOUT, "the handler did not return within %s", timeout), Duration: time.Since(start)}
	}
}

// logBuffer collects a process's output, keeping the last maxLogs bytes, and
// hands out what arrived since a mark.
type logBuffer struct {
	mu    sync.Mutex
	buf   []byte
	total int // bytes ever written, so that marks survive trimming
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	l.total += len(p)
	if len(l.buf) > 2*maxLogs {
		l.buf = append([]byte(nil), l.buf[len(l.buf)-maxLogs:]...)
	}
	return len(p), nil
}

func (l *logBuffer) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// since returns the output written after mark (as much as was kept).
func (l *logBuffer) since(mark int) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.total - mark
	if n <= 0 {
		return nil
	}
	if n > len(l.buf) {
		n = len(l.buf)
	}
	return bytes.Clone(l.buf[len(l.buf)-n:])
}
