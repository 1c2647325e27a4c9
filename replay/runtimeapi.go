package replay

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/albcheck/albcheck/validate"
)

// RuntimeHandler runs an unmodified Lambda function binary (one that speaks
// the Lambda Runtime API, such as a Go program calling lambda.Start) in n
// warm processes. Each process gets its own Runtime API server on 127.0.0.1
// and the environment Lambda gives a function. As in Lambda, a process that
// times out is stopped, and one that exits (after a panic, say) is replaced
// for the next event by a new one; whatever a process started ends with it.
func RuntimeHandler(argv []string, env []string, n int) Handler {
	return PoolRuntimeHandler(argv, env, Pool{Warm: n, Max: n})
}

// Pool says how many execution environments (processes) a RuntimeHandler
// keeps, as Lambda scales a function: an invocation that finds every
// environment busy starts a new one, up to Max.
type Pool struct {
	// Warm environments are kept from the start and never stopped for
	// being idle, like provisioned concurrency. At least 1.
	Warm int
	// Max is the most environments at once, like a function's concurrency
	// limit; below Warm, it is Warm.
	Max int
	// IdleTimeout stops an environment beyond the Warm ones once it has
	// been idle this long, as Lambda reclaims idle environments. Zero keeps
	// them.
	IdleTimeout time.Duration
	// Throttle refuses an invocation that finds Max environments busy
	// (Result.Throttled), as Lambda does; otherwise it waits for one.
	Throttle bool
}

// PoolRuntimeHandler is RuntimeHandler with environments started on demand,
// as the Pool says.
func PoolRuntimeHandler(argv []string, env []string, pool Pool) Handler {
	return newRuntimeHandler(argv, "", nil, env, pool)
}

// newRuntimeHandler is PoolRuntimeHandler with a working directory and the
// variables that tell a runtime which function it runs (set after Lambda's
// defaults, before the user's env).
func newRuntimeHandler(argv []string, dir string, lambda, env []string, pool Pool) *runtimeHandler {
	pool.Warm = max(pool.Warm, 1)
	pool.Max = max(pool.Max, pool.Warm)
	h := &runtimeHandler{argv: argv, dir: dir, lambda: lambda, env: env, pool: pool, envs: pool.Warm, stop: make(chan struct{}), reaped: make(chan struct{})}
	h.name = filepath.Base(argv[0])
	for _, kv := range append(append([]string(nil), lambda...), env...) {
		if v, ok := strings.CutPrefix(kv, "AWS_LAMBDA_FUNCTION_NAME="); ok {
			h.name = v
		}
	}
	for range pool.Warm {
		h.free = append(h.free, &lambdaProc{h: h, provisioned: true})
	}
	if pool.IdleTimeout > 0 && pool.Max > pool.Warm {
		go h.reap()
	} else {
		close(h.reaped)
	}
	return h
}

type runtimeHandler struct {
	argv   []string
	dir    string   // the processes' working directory; albcheck's when empty
	lambda []string // Lambda's variables that differ for this function
	env    []string
	name   string // the function's name, in its ARN
	pool   Pool
	// runtime names the managed runtime (nodejs20.x, python3.12) whose
	// interpreter and bootstrap the processes are; empty for --cmd, a
	// binary of the user's own.
	runtime string

	poolMu sync.Mutex
	// free holds the idle environments, the most recently used last: it is
	// taken first, so that under a light load the others fall idle and are
	// stopped, as Lambda routes to warm environments.
	free    []*lambdaProc
	waiters []chan *lambdaProc // invocations waiting for an environment, in order
	envs    int                // environments that exist, busy or idle
	closed  bool
	stop    chan struct{} // closed by Close to stop the reaper
	reaped  chan struct{} // closed when the reaper has stopped

	lives registry[*life] // processes not yet ended

	mu sync.Mutex
	// broken is set once a process ended or hung without ever asking for an
	// event: the binary is no Lambda runtime, and starting it again for
	// every event would only repeat the same failure, 10 s at a time.
	broken *Failure
}

func (h *runtimeHandler) Concurrency() int { return h.pool.Max }

// initTimeout is Lambda's limit on a function's initialisation.
var initTimeout = 10 * time.Second

// outputGrace bounds how long a process's output is still read once it has
// ended, from a descendant that holds its stdout open and escaped being
// ended with it (exec.Cmd.WaitDelay does the same for --exec).
const outputGrace = 200 * time.Millisecond

// lambdaProc is one slot of concurrency: one warm process at a time and the
// output of all of them.
type lambdaProc struct {
	h    *runtimeHandler
	logs logBuffer
	life *life // the current process; only the slot's holder touches it
	// provisioned environments are kept warm, never stopped for idleness.
	provisioned bool
	lastUsed    time.Time // when it last went idle
}

// life is one process's lifetime and the Runtime API server only it talks
// to. A new process gets a new server and a new queue, so that a /next a
// dead process left pending can never take an event meant for another.
type life struct {
	p       *lambdaProc
	id      string    // the environment's id in Result.Environment
	started time.Time // when the process was started
	srv     *http.Server
	next    chan *invocation
	proc    *owned
	out     *pipeLog // the process's stdout and stderr
	exited  chan struct{}
	err     error // how the process ended, once exited is closed

	waiting atomic.Int32  // /next requests waiting for an event
	polled  chan struct{} // a /next request arrived (capacity 1)

	mu      sync.Mutex
	current *invocation
	initErr string
	asked   bool // the process asked for an event at least once
	served  int
	// Between events the process is frozen (freeze): frozen says it is,
	// offering counts the invocations about to be offered to it.
	frozen   bool
	offering int
}

// invocation is one event on its way through the Runtime API.
type invocation struct {
	id      string
	event   []byte
	timeout time.Duration // from when the function takes the event
	done    chan Result
	init    time.Duration // set when this event started its environment
	// answered is set once the function answered (or reported an error).
	answered atomic.Bool
}

func (h *runtimeHandler) Close() error {
	h.poolMu.Lock()
	if !h.closed {
		h.closed = true
		close(h.stop)
	}
	h.poolMu.Unlock()
	<-h.reaped
	for _, l := range h.lives.list(true) {
		l.kill()
	}
	return nil
}

// Start starts the warm environments now, as Lambda prepares provisioned
// concurrency before it is invoked: the first request that lands on one
// finds it warm, and a binary that cannot be run at all is an error before
// any event rather than a failure for each. They start at once, so that N
// of them take about as long as one.
func (h *runtimeHandler) Start() error {
	// Only an environment's holder touches its process, so Start takes the
	// idle ones out of the pool while it starts them, and gives them back.
	h.poolMu.Lock()
	warm := h.free
	h.free = nil
	h.poolMu.Unlock()
	errs := make([]error, len(warm))
	var wg sync.WaitGroup
	for i, p := range warm {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = p.ensureLife()
		}()
	}
	wg.Wait()
	for _, p := range warm {
		h.release(p)
	}
	// The environments run the same binary: one reason says it for all.
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *runtimeHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	start := time.Now()
	p, throttled, f := h.acquire(ctx)
	if f != nil {
		return Result{Failure: f, Throttled: throttled, Duration: time.Since(start)}
	}
	waited := time.Since(start)
	defer h.release(p)
	r := p.invoke(ctx, event, timeout)
	if waited > time.Millisecond {
		r.Waited = waited
	}
	return r
}

// ThrottleMessage is the failure of an invocation refused because every
// environment is busy at the concurrency limit: Lambda's
// TooManyRequestsException (429, Reason
// ReservedFunctionConcurrentInvocationLimitExceeded).
const ThrottleMessage = "TooManyRequestsException: Rate Exceeded. (ReservedFunctionConcurrentInvocationLimitExceeded)"

// acquire takes an idle environment, the most recently used first, or
// makes a new one below the limit; at the limit it waits, or, when the pool
// throttles, fails (throttled).
func (h *runtimeHandler) acquire(ctx context.Context) (p *lambdaProc, throttled bool, f *Failure) {
	h.poolMu.Lock()
	if n := len(h.free); n > 0 {
		p = h.free[n-1]
		h.free = h.free[:n-1]
		h.poolMu.Unlock()
		return p, false, nil
	}
	if h.envs < h.pool.Max {
		h.envs++
		h.poolMu.Unlock()
		return &lambdaProc{h: h}, false, nil
	}
	if h.pool.Throttle {
		h.poolMu.Unlock()
		return nil, true, fail(validate.FUNCERROR, "%s: all %d environments are busy", ThrottleMessage, h.pool.Max)
	}
	wait := make(chan *lambdaProc, 1)
	h.waiters = append(h.waiters, wait)
	h.poolMu.Unlock()
	select {
	case p = <-wait:
		return p, false, nil
	case <-ctx.Done():
	}
	h.poolMu.Lock()
	for i, w := range h.waiters {
		if w == wait {
			h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
			break
		}
	}
	h.poolMu.Unlock()
	select {
	case p = <-wait: // handed over as the wait ended: pass it on
		h.release(p)
	default:
	}
	return nil, false, interrupted()
}

// release gives an environment back: to the first invocation waiting, or
// to the idle ones.
func (h *runtimeHandler) release(p *lambdaProc) {
	h.poolMu.Lock()
	defer h.poolMu.Unlock()
	if len(h.waiters) > 0 {
		w := h.waiters[0]
		h.waiters = h.waiters[1:]
		w <- p
		return
	}
	p.lastUsed = time.Now()
	h.free = append(h.free, p)
}

// reap stops the environments beyond the warm ones that have been idle for
// the pool's IdleTimeout, until Close.
func (h *runtimeHandler) reap() {
	defer close(h.reaped)
	tick := time.NewTicker(max(h.pool.IdleTimeout/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		}
		var idle []*lambdaProc
		h.poolMu.Lock()
		kept := h.free[:0]
		for _, p := range h.free {
			if !p.provisioned && time.Since(p.lastUsed) >= h.pool.IdleTimeout {
				idle = append(idle, p)
				h.envs--
				continue
			}
			kept = append(kept, p)
		}
		clear(h.free[len(kept):])
		h.free = kept
		h.poolMu.Unlock()
		for _, p := range idle {
			if p.life != nil {
				p.life.kill()
			}
		}
	}
}

func interrupted() *Failure { return fail(validate.FUNCTIMEOUT, "interrupted") }

func (h *runtimeHandler) markBroken(f *Failure) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.broken == nil {
		h.broken = f
	}
}

func (h *runtimeHandler) brokenFailure() *Failure {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.broken == nil {
		return nil
	}
	return fail(h.broken.Rule, "not invoked: the function never started; an earlier event was told why: %s", h.broken.Message)
}

func (p *lambdaProc) invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	start := time.Now()
	inv := &invocation{id: newID(), event: event, timeout: timeout, done: make(chan Result, 1)}
	finish := func(r Result) Result {
		r.Duration = time.Since(start)
		if l := p.life; l != nil {
			r.Environment = l.id
		}
		r.InitDuration = inv.init
		if p.life != nil {
			p.life.settleLogs()
		}
		// What the processes printed since the last invocation ended (late
		// output, albcheck's notes about an answer after the answer) is
		// shown with this one rather than lost.
		r.Logs = p.logs.take()
		return r
	}
	note := func(r *Result, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		fmt.Fprintf(&p.logs, NotePrefix+"%s\n", msg)
		if r.Failure != nil {
			r.Failure.Message += "; " + msg
		}
	}
	var l *life
	for attempt := 0; ; attempt++ {
		if f := p.h.brokenFailure(); f != nil {
			return finish(Result{Failure: f})
		}
		var err error
		before := p.life
		if l, err = p.ensureLife(); err != nil {
			return finish(Result{Failure: fail(validate.FUNCINIT, "cannot start %s: %v", p.h.argv[0], err)})
		}
		l.setCurrent(inv)
		defer l.setCurrent(nil)
		l.offer()
		// Lambda gives initialisation its own limit (10 s); the function's
		// timeout starts when it takes the event. A warm process that
		// answered its last event but has not asked for another is still
		// in that event, as far as Lambda is concerned: it gets what is
		// left of a timeout, then this event goes to a new process.
		warm := l.servedCount() > 0
		limit := initTimeout
		if warm {
			limit = timeout
		}
		initTimer := time.NewTimer(limit)
		taken := false
		select {
		case l.next <- inv:
			taken = true
		case <-l.exited:
		case <-initTimer.C:
			l.kill()
			if warm && attempt == 0 {
				fmt.Fprintf(&p.logs, NotePrefix+"the process answered its last event but did not ask for another within %s; it was stopped, and this event goes to a new process\n", timeout)
				start = time.Now() // that wait was the last event's, not this one's
				continue
			}
			r := Result{Failure: fail(validate.FUNCINIT, "the function did not ask for an event within %s of starting, and was stopped", initTimeout)}
			if !l.askedOnce() {
				p.h.markBroken(r.Failure)
			}
			return finish(r)
		case <-ctx.Done():
			l.kill()
			return finish(Result{Failure: interrupted()})
		}
		initTimer.Stop()
		l.offered() // taken, or the process ended (the other cases end it)
		if taken {
			if l != before {
				// This event started the environment: its init is the time
				// from starting the process to the function's first poll.
				inv.init = time.Since(l.started)
			}
			break
		}
		if l.servedCount() > 0 && attempt == 0 {
			// It asked for this event, then ended before taking it: as
			// Lambda does, start a new environment for the event.
			fmt.Fprintf(&p.logs, NotePrefix+"the previous process ended between events (%s); starting a new one\n", exitText(l.err))
			continue
		}
		return finish(Result{Failure: p.h.startFailure(l)})
	}
	// The poll that took the event left its mark: clear it, so that what
	// follows waits for the next poll.
	select {
	case <-l.polled:
	default:
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var r Result
	select {
	case r = <-inv.done:
	case <-l.exited:
		select {
		case r = <-inv.done: // answered, then exited: the answer counts
		default:
			if p.h.lives.isClosed() {
				return finish(Result{Failure: interrupted()}) // stopped by Close, not crashed
			}
			msg := fmt.Sprintf("the function's process ended while handling the request (%s); the next event goes to a new process", exitText(l.err))
			if p.h.runtime != "" {
				// A managed runtime's exit, as Lambda reports it.
				msg = fmt.Sprintf("Runtime.ExitError: %s: the %s runtime ended while handling the request; the next event goes to a new process", runtimeExit(l.err), p.h.runtime)
			}
			if n := l.servedCount(); n > 1 {
				// As in Lambda, where an environment is frozen between
				// events, an exit scheduled by an earlier event (a
				// goroutine, a timer) shows up in a later one.
				earlier := "1 event"
				if n > 2 {
					earlier = fmt.Sprintf("%d events", n-1)
				}
				msg += fmt.Sprintf(". The process had taken %s before this one: an exit started by an earlier event's code lands here too", earlier)
			}
			return finish(Result{Failure: fail(validate.FUNCCRASH, "%s", msg)})
		}
	case <-timer.C:
		l.kill()
		return finish(Result{Failure: fail(validate.FUNCTIMEOUT, "Task timed out after %.2f seconds: the process was stopped and starts again for the next request", timeout.Seconds())})
	case <-ctx.Done():
		l.kill()
		return finish(Result{Failure: interrupted()})
	}
	// After an error report, the invocation is over when the function asks
	// for the next event (where Lambda stops its clock), not when it
	// reports: aws-lambda-go exits after reporting a panic, and that exit
	// belongs to this invocation. A good answer returns at once, since the
	// client is waiting for it (serve answers it only then); should the
	// process end before it asks again, the next event simply gets a new one.
	for r.Failure != nil && l.waiting.Load() == 0 {
		select {
		case <-l.polled:
			continue
		case <-l.exited:
			note(&r, "the process exited after answering (%s); the next event goes to a new process, as Lambda starts a new execution environment", exitText(l.err))
		case <-timer.C:
			l.kill()
			note(&r, "the process answered but did not ask for the next event within the timeout (%s); it was stopped, and the next event goes to a new process", timeout)
		case <-ctx.Done():
		}
		break
	}
	return finish(r)
}

// idle is a poll for the next event: with nothing to hand it and no event
// under way (a second poller may ask while one is), the environment is
// idle, and Lambda freezes it until the next event (offer thaws it). A
// process polling before startup is done with it (l.proc unset) is left
// running.
func (l *life) idle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked = true
	if l.proc != nil && l.offering == 0 && !l.frozen && (l.current == nil || l.current.answered.Load()) {
		l.proc.freeze()
		l.frozen = true
	}
}

// offer thaws the process for an invocation about to be offered to it;
// offered says the offer is over (taken or not).
func (l *life) offer() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.offering++
	if l.frozen {
		l.proc.thaw()
		l.frozen = false
	}
}

func (l *life) offered() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.offering--
}

func (l *life) setCurrent(inv *invocation) {
	l.mu.Lock()
	l.current = inv
	l.mu.Unlock()
}

func (l *life) askedOnce() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.asked
}

func (l *life) servedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.served
}

// startFailure explains a process that ended before taking an event.
func (h *runtimeHandler) startFailure(l *life) *Failure {
	l.mu.Lock()
	initErr, asked := l.initErr, l.asked
	l.mu.Unlock()
	switch {
	case initErr != "":
		return fail(validate.FUNCINIT, "the function reported an initialisation error: %s", initErr)
	case !asked && h.runtime != "":
		// The bootstrap is albcheck's and asks for events: the handler's
		// module ended the process as it loaded. Lambda reports a runtime
		// that exits during init as Runtime.ExitError.
		return fail(validate.FUNCINIT, "Runtime.ExitError: %s during init: the handler's module ended the %s runtime as it loaded, before it could ask for an event (an exit or a signal at import time)", runtimeExit(l.err), h.runtime)
	case !asked && l.err == nil: // exit status 0: Wait reports no error
		f := fail(validate.FUNCINIT, "%s exited (exit status 0) without asking for an event: it is not a Lambda function binary, which runs until it is stopped. For a command that reads the event on stdin and prints the response, use --exec; a Go function calls lambda.Start", h.argv[0])
		h.markBroken(f)
		return f
	}
	return fail(validate.FUNCINIT, "the function's process ended during initialisation (%s)", exitText(l.err))
}

// runtimeExit words a runtime's exit as Lambda's Runtime.ExitError does:
// without a reason for status 0, with the status otherwise.
func runtimeExit(err error) string {
	if err == nil {
		return "Runtime exited without providing a reason (exit status 0)"
	}
	return "Runtime exited with error: " + exitText(err)
}

func exitText(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return describeExit(ee)
	}
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// ensureLife returns the running process, starting one (and its Runtime
// API server) when there is none.
func (p *lambdaProc) ensureLife() (*life, error) {
	if l := p.life; l != nil {
		select {
		case <-l.exited:
		default:
			return l, nil
		}
	}
	h := p.h
	if h.lives.isClosed() {
		return nil, errors.New("the handler is closed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l := &life{p: p, id: newID()[:8], started: time.Now(), next: make(chan *invocation), polled: make(chan struct{}, 1), exited: make(chan struct{})}
	l.srv = &http.Server{Handler: l.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = l.srv.Serve(ln) }()

	cmd := exec.Command(h.argv[0], h.argv[1:]...)
	cmd.Dir = h.dir
	cmd.Env = append(append(lambdaEnv(h.argv[0], ln.Addr().String()), h.lambda...), h.env...)
	// Output goes through a pipe of our own, so that at the end of an
	// invocation we can tell whether some of it is still on its way.
	r, w, err := os.Pipe()
	if err != nil {
		_ = l.srv.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	proc, err := startOwned(cmd)
	w.Close()
	if err != nil {
		r.Close()
		_ = l.srv.Close()
		return nil, err
	}
	l.mu.Lock() // the process may already be asking for an event (idle)
	l.proc = proc
	l.mu.Unlock()
	out, err := newPipeLog(r, &p.logs)
	if err != nil { // cannot happen for a pipe; end the process all the same
		proc.kill()
		_ = cmd.Wait()
		r.Close()
		_ = l.srv.Close()
		return nil, err
	}
	l.out = out
	if !h.lives.add(l) {
		proc.kill() // Close came while it started; the exit below ends the rest
	}
	copied := make(chan struct{})
	go func() {
		out.copy()
		close(copied)
	}()
	go func() {
		err := cmd.Wait()
		proc.cleanup() // what it started ends with it, as its environment would
		proc.forget()
		select {
		case <-copied:
		case <-time.After(outputGrace):
			r.Close() // an escaped descendant holds the pipe: stop reading
			select {
			case <-copied:
			case <-time.After(outputGrace):
			}
		}
		r.Close()
		_ = l.srv.Close()
		l.err = err
		h.lives.remove(l)
		close(l.exited) // all output is in the logs before anyone hears of the exit
	}()
	p.life = l
	return l, nil
}

// settleLogs stores whatever the function wrote before it answered: it
// wrote it before sending its answer, so it is in the pipe by now.
func (l *life) settleLogs() {
	if l.out != nil {
		l.out.drain()
	}
}

// kill ends the process and all it started, and waits until it is gone.
func (l *life) kill() {
	select {
	case <-l.exited:
		return
	default:
	}
	l.mu.Lock()
	if l.frozen { // SIGKILL needs no thaw; a group member may get SIGTERM first
		l.proc.thaw()
		l.frozen = false
	}
	l.mu.Unlock()
	l.proc.kill()
	<-l.exited
}

// lambdaEnv is the environment Lambda gives a function.
func lambdaEnv(binary, api string) []string {
	name := filepath.Base(binary)
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + newID()[:32],
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT=" + filepath.Dir(binary),
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"_HANDLER=" + name,
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=/usr/local/bin:/usr/bin:/bin",
	}
}

// routes serves the Runtime API (version 2018-06-01) to one process.
func (l *life) routes() http.Handler {
	mux := http.NewServeMux()
	const base = "/2018-06-01/runtime"
	arn := "arn:aws:lambda:us-east-1:123456789012:function:" + l.p.h.name
	mux.HandleFunc("GET "+base+"/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		l.idle()
		l.waiting.Add(1)
		select {
		case l.polled <- struct{}{}:
		default:
		}
		var inv *invocation
		select {
		case inv = <-l.next:
			l.waiting.Add(-1)
		case <-r.Context().Done():
			l.waiting.Add(-1)
			return
		}
		l.mu.Lock()
		l.served++
		l.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(inv.timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", arn)
		hex := strings.ReplaceAll(inv.id, "-", "")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+hex[:24]+";Parent="+hex[:16]+";Sampled=0")
		h.Set("Content-Length", strconv.Itoa(len(inv.event))) // not chunked, however large
		_, _ = w.Write(inv.event)
	})
	mux.HandleFunc("POST "+base+"/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		inv := l.lookup(r.PathValue("id"))
		if inv == nil {
			l.refuse(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
		switch {
		case err != nil:
			inv.deliver(Result{Failure: fail(validate.FUNCCRASH, "reading the response: %v", err)})
		case len(body) > MaxPayload:
			inv.deliver(Result{Failure: fail(validate.FUNCERROR, "Function.ResponseSizeTooLarge: the response is over Lambda's limit of %d bytes", MaxPayload)})
			// Read the rest (within reason) before answering: a server
			// that answers mid-body closes the connection, and the
			// runtime client, still sending, failed with EPIPE and took
			// its environment with it, depending on the response's size.
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 256<<20))
			http.Error(w, `{"errorMessage":"Response payload size exceeded maximum allowed payload size","errorType":"RequestEntityTooLarge"}`, http.StatusRequestEntityTooLarge)
			return
		default:
			if !inv.deliver(Result{Payload: body}) {
				fmt.Fprintf(&l.p.logs, NotePrefix+"a second answer to event %s was dropped; the first one counts, as in Lambda\n", inv.id)
			}
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	mux.HandleFunc("POST "+base+"/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		inv := l.lookup(r.PathValue("id"))
		if inv == nil {
			l.refuse(w, r)
			return
		}
		if !inv.deliver(Result{Failure: fail(validate.FUNCERROR, "%s", functionError(r))}) {
			fmt.Fprintf(&l.p.logs, NotePrefix+"an error report after the answer to event %s was dropped; the first answer counts, as in Lambda\n", inv.id)
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	mux.HandleFunc("POST "+base+"/init/error", func(w http.ResponseWriter, r *http.Request) {
		msg := functionError(r)
		l.mu.Lock()
		l.initErr = msg
		l.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	return mux
}

// refuse answers a report about an event that is not under way (answered
// already, or never sent) as Lambda does, and tells the function's output.
func (l *life) refuse(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(&l.p.logs, NotePrefix+"the function reported on event %q, which is not under way (answered already?); refused, as Lambda does\n", r.PathValue("id"))
	http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
}

func (l *life) lookup(id string) *invocation {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current != nil && l.current.id == id {
		return l.current
	}
	return nil
}

// deliver hands the function's answer over; it reports false for a second
// answer to the same event, which is dropped: the first counts, as in Lambda.
func (inv *invocation) deliver(r Result) bool {
	select {
	case inv.done <- r:
		inv.answered.Store(true)
		return true
	default:
		return false
	}
}

// functionError reads an error report: {"errorMessage", "errorType"} and
// the Lambda-Runtime-Function-Error-Type header.
func functionError(r *http.Request) string {
	var e struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if json.Unmarshal(body, &e) != nil || (e.Message == "" && e.Type == "") {
		return fmt.Sprintf("%s %s", r.Header.Get("Lambda-Runtime-Function-Error-Type"), body)
	}
	if e.Type == "" {
		e.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	return e.Type + ": " + e.Message
}

// newID makes a request id in the UUID form Lambda uses. math/rand/v2 is
// enough (ids need to be unique, not secret) and, unlike crypto/rand, makes
// no system call on the invocation path.
func newID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
