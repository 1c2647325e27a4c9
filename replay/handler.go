package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"unicode/utf8"

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

// logBuffer collects a function's output for one invocation at a time:
// take hands out what arrived since the last take, and starts again. Past
// maxLogs bytes it keeps the first and the last half and counts what lies
// between, so that a handler that prints megabytes costs no memory and its
// output, cut, still shows how it began and how it ended.
type logBuffer struct {
	mu      sync.Mutex
	head    []byte // the first maxLogs/2 bytes
	tail    []byte // the latest bytes after the head, trimmed to maxLogs/2 by take
	dropped int    // bytes cut from the tail's front
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(p)
	if room := maxLogs/2 - len(l.head); room > 0 {
		k := min(room, len(p))
		l.head = append(l.head, p[:k]...)
		p = p[k:]
	}
	l.tail = append(l.tail, p...)
	// Trimmed in steps of at least maxLogs/2, so that a stream of small
	// writes copies each byte a bounded number of times.
	if len(l.tail) > maxLogs {
		cut := len(l.tail) - maxLogs/2
		l.dropped += cut
		l.tail = append(l.tail[:0:0], l.tail[cut:]...)
	}
	return n, nil
}

// take returns the output written since the last take, at most maxLogs
// bytes of it with a line that says how much was left out, and empties the
// buffer.
func (l *logBuffer) take() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	head, tail, dropped := l.head, l.tail, l.dropped
	l.head, l.tail, l.dropped = nil, nil, 0
	if cut := len(tail) - maxLogs/2; cut > 0 {
		tail, dropped = tail[cut:], dropped+cut
	}
	if dropped == 0 {
		return append(head, tail...)
	}
	// Cut at rune boundaries, so that the marker does not sit between the
	// bytes of a character.
	for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
		tail, dropped = tail[1:], dropped+1
	}
	for i := len(head) - 1; i >= max(len(head)-utf8.UTFMax, 0); i-- {
		if utf8.RuneStart(head[i]) {
			if !utf8.FullRune(head[i:]) {
				dropped += len(head) - i
				head = head[:i]
			}
			break
		}
	}
	out := head
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	out = fmt.Appendf(out, "%s… %d bytes more not shown …\n", NotePrefix, dropped)
	return append(out, tail...)
}
