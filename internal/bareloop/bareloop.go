// Package bareloop is the yardstick of albcheck's speed: a Lambda Runtime
// API server that does nothing but hand a function one event at a time and
// take its answers. The replay benchmarks and bench/replaybench measure
// albcheck against it.
package bareloop

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync/atomic"
	"time"
)

// Loop is a function process behind a bare Runtime API server.
type Loop struct {
	next, done chan struct{}
	srv        *http.Server
	cmd        *exec.Cmd
	seq        atomic.Int64
}

// Start starts the server on 127.0.0.1 and the function binary against it.
func Start(bin string, event []byte) (*Loop, error) { return StartCommand([]string{bin}, event) }

// StartCommand is Start for a function that runs as a command with
// arguments, such as an interpreter and its script.
func StartCommand(argv []string, event []byte) (*Loop, error) {
	l := &Loop{next: make(chan struct{}), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-l.next:
		case <-r.Context().Done():
			return
		}
		// The headers Lambda sends, as albcheck does: aws-lambda-go works
		// on each (the trace id goes into the environment), and that work
		// is the function's, not albcheck's.
		id := strconv.FormatInt(l.seq.Add(1), 16)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:f")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-67a1b2c3-"+fmt.Sprintf("%024s", id)+";Parent="+fmt.Sprintf("%016s", id)+";Sampled=0")
		_, _ = w.Write(event)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		l.done <- struct{}{}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l.srv = &http.Server{Handler: mux}
	go func() { _ = l.srv.Serve(ln) }()
	l.cmd = exec.Command(argv[0], argv[1:]...)
	l.cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(), "AWS_LAMBDA_FUNCTION_NAME=f"}
	if err := l.cmd.Start(); err != nil {
		_ = l.srv.Close()
		return nil, err
	}
	return l, nil
}

// Invoke hands the function the event and waits for its answer.
func (l *Loop) Invoke() {
	l.next <- struct{}{}
	<-l.done
}

// Close ends the function and the server.
func (l *Loop) Close() {
	_ = l.cmd.Process.Kill()
	_ = l.cmd.Wait()
	_ = l.srv.Close()
}
