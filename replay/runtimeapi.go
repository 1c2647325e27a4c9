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
	"time"

	"github.com/albcheck/albcheck/validate"
)

// RuntimeHandler runs an unmodified Lambda function binary (one that speaks
// the Lambda Runtime API, such as a Go program calling lambda.Start) in n
// warm processes. Each process gets its own Runtime API server on 127.0.0.1
// and the environment Lambda gives a function; an invocation that outlives
// its timeout kills the process, which restarts for the next one, as Lambda
// does.
func RuntimeHandler(argv []string, env []string, n int) Handler {
	h := &runtimeHandler{argv: argv, env: env, idle: make(chan *lambdaProc, max(n, 1))}
	for range max(n, 1) {
		h.idle <- &lambdaProc{h: h}
	}
	return h
}

type runtimeHandler struct {
	argv []string
	env  []string
	idle chan *lambdaProc

	mu     sync.Mutex
	procs  []*lambdaProc
	closed bool
}

func (h *runtimeHandler) Concurrency() int { return cap(h.idle) }

// initTimeout is Lambda's limit on a function's initialisation.
const initTimeout = 10 * time.Second

// lambdaProc is one function process and the Runtime API server it talks to.
type lambdaProc struct {
	h      *runtimeHandler
	srv    *http.Server
	addr   string
	next   chan *invocation
	logs   logBuffer
	cmd    *exec.Cmd
	out    *pipeLog // the function's stdout and stderr
	exited chan struct{}
	err    error // how the process ended, once exited is closed

	mu      sync.Mutex
	current *invocation
	initErr string
	served  int
}

// invocation is one event on its way through the Runtime API.
type invocation struct {
	id      string
	event   []byte
	timeout time.Duration // from when the function takes the event
	done    chan Result
}

func (h *runtimeHandler) Close() error {
	h.mu.Lock()
	h.closed = true
	procs := h.procs
	h.mu.Unlock()
	for _, p := range procs {
		p.kill()
		if p.srv != nil {
			_ = p.srv.Close()
		}
	}
	return nil
}

func (h *runtimeHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	var p *lambdaProc
	select {
	case p = <-h.idle:
	case <-ctx.Done():
		return Result{Failure: fail(validate.FUNCTIMEOUT, "interrupted")}
	}
	defer func() { h.idle <- p }()
	return p.invoke(ctx, event, timeout)
}

func (p *lambdaProc) invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	start := time.Now()
	if err := p.ensureStarted(); err != nil {
		return Result{Failure: fail(validate.FUNCINIT, "cannot start %s: %v", p.h.argv[0], err)}
	}
	inv := &invocation{id: newID(), event: event, timeout: timeout, done: make(chan Result, 1)}
	mark := p.logs.mark()
	p.mu.Lock()
	p.current = inv
	servedBefore := p.served
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.current = nil
		p.mu.Unlock()
	}()
	// Lambda gives initialisation its own limit (10 s); the function's
	// timeout starts when it takes the event.
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	finish := func(r Result) Result {
		r.Duration = time.Since(start)
		p.settleLogs()
		r.Logs = p.logs.since(mark)
		return r
	}
	select {
	case p.next <- inv:
	case <-p.exited:
		return finish(Result{Failure: p.startFailure(servedBefore)})
	case <-initTimer.C:
		p.kill()
		return finish(Result{Failure: fail(validate.FUNCINIT, "the function did not ask for an invocation within %s of starting", initTimeout)})
	case <-ctx.Done():
		p.kill()
		return finish(Result{Failure: fail(validate.FUNCTIMEOUT, "interrupted")})
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-inv.done:
		return finish(r)
	case <-p.exited:
		select {
		case r := <-inv.done: // answered, then exited: the answer counts
			return finish(r)
		default:
		}
		return finish(Result{Failure: fail(validate.FUNCCRASH, "the function's process ended while handling the request (%s)", exitText(p.err))})
	case <-timer.C:
		p.kill()
		return finish(Result{Failure: fail(validate.FUNCTIMEOUT, "Task timed out after %.2f seconds: the process was stopped and starts again for the next request", timeout.Seconds())})
	case <-ctx.Done():
		p.kill()
		return finish(Result{Failure: fail(validate.FUNCTIMEOUT, "interrupted")})
	}
}

// startFailure explains a process that ended before taking an invocation.
func (p *lambdaProc) startFailure(servedBefore int) *Failure {
	p.mu.Lock()
	initErr := p.initErr
	p.mu.Unlock()
	if initErr != "" {
		return fail(validate.FUNCINIT, "the function reported an initialisation error: %s", initErr)
	}
	if servedBefore == 0 {
		return fail(validate.FUNCINIT, "the function's process ended during initialisation (%s)", exitText(p.err))
	}
	return fail(validate.FUNCCRASH, "the function's process ended between requests (%s)", exitText(p.err))
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

// ensureStarted starts the Runtime API server once and the process whenever
// it is not running.
func (p *lambdaProc) ensureStarted() error {
	if p.srv == nil {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		p.addr = ln.Addr().String()
		p.next = make(chan *invocation)
		p.srv = &http.Server{Handler: p.routes(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = p.srv.Serve(ln) }()
	}
	if p.cmd != nil {
		select {
		case <-p.exited:
		default:
			return nil // running
		}
	}
	p.h.mu.Lock()
	if p.h.closed {
		p.h.mu.Unlock()
		return errors.New("the handler is closed")
	}
	if p.cmd == nil {
		p.h.procs = append(p.h.procs, p)
	}
	p.h.mu.Unlock()

	cmd := exec.Command(p.h.argv[0], p.h.argv[1:]...)
	cmd.Env = append(lambdaEnv(p.h.argv[0], p.addr), p.h.env...)
	// Output goes through a pipe of our own, so that at the end of an
	// invocation we can tell whether some of it is still on its way.
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = procAttr()
	p.mu.Lock()
	p.initErr, p.served = "", 0
	p.mu.Unlock()
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return err
	}
	w.Close()
	out, err := newPipeLog(r, &p.logs)
	if err != nil {
		r.Close()
		return err
	}
	copied := make(chan struct{})
	go func() {
		out.copy()
		r.Close()
		close(copied)
	}()
	exited := make(chan struct{})
	p.cmd, p.exited, p.out = cmd, exited, out
	go func() {
		err := cmd.Wait()
		<-copied // all output is in p.logs before anyone hears of the exit
		p.err = err
		close(exited)
	}()
	return nil
}

// settleLogs stores whatever the function wrote before it answered: it
// wrote it before sending its answer, so it is in the pipe by now.
func (p *lambdaProc) settleLogs() {
	if p.out != nil {
		p.out.drain()
	}
}

func (p *lambdaProc) kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	killGroup(p.cmd.Process)
	<-p.exited
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
func (p *lambdaProc) routes() http.Handler {
	mux := http.NewServeMux()
	const base = "/2018-06-01/runtime"
	mux.HandleFunc("GET "+base+"/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		var inv *invocation
		select {
		case inv = <-p.next:
		case <-r.Context().Done():
			return
		}
		p.mu.Lock()
		p.served++
		p.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(inv.timeout).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:"+filepath.Base(p.h.argv[0]))
		hex := strings.ReplaceAll(inv.id, "-", "")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+hex[:24]+";Parent="+hex[:16]+";Sampled=0")
		_, _ = w.Write(inv.event)
	})
	mux.HandleFunc("POST "+base+"/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		inv := p.lookup(r.PathValue("id"))
		if inv == nil {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
		switch {
		case err != nil:
			inv.deliver(Result{Failure: fail(validate.FUNCCRASH, "reading the response: %v", err)})
		case len(body) > MaxPayload:
			inv.deliver(Result{Failure: fail(validate.FUNCERROR, "Function.ResponseSizeTooLarge: the response is over Lambda's limit of %d bytes", MaxPayload)})
			http.Error(w, `{"errorMessage":"Response payload size exceeded maximum allowed payload size","errorType":"RequestEntityTooLarge"}`, http.StatusRequestEntityTooLarge)
			return
		default:
			inv.deliver(Result{Payload: body})
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	mux.HandleFunc("POST "+base+"/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		inv := p.lookup(r.PathValue("id"))
		if inv == nil {
			http.Error(w, `{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		inv.deliver(Result{Failure: fail(validate.FUNCERROR, "%s", functionError(r))})
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	mux.HandleFunc("POST "+base+"/init/error", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.initErr = functionError(r)
		p.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	})
	return mux
}

func (p *lambdaProc) lookup(id string) *invocation {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.current != nil && p.current.id == id {
		return p.current
	}
	return nil
}

func (inv *invocation) deliver(r Result) {
	select {
	case inv.done <- r:
	default: // answered twice: the first answer counts, as in Lambda
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
