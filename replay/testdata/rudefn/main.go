// Command rudefn is a Lambda function that misbehaves in the ways real ones
// do, chosen per event by its path or for the whole process by RUDE_INIT;
// replay's process-lifetime tests run it. Every process it starts carries
// RUDE_TAG from its environment, so that a test can look for leftovers.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "escapee" {
		// Started with an empty environment, in a session of its own, by a
		// parent that is gone by now: no mark, no group, no parent left to
		// trace it by. It says it is ready, lets go of its stdout, sleeps.
		fmt.Println("ready")
		os.Stdout.Close()
		time.Sleep(time.Hour)
		return
	}
	switch os.Getenv("RUDE_CHILD") {
	case "escape-middle":
		escape()
		return
	case "sleep": // a descendant that outlives its parent
		time.Sleep(time.Hour)
		return
	case "orphan-poller":
		orphanPoller()
		return
	}
	switch os.Getenv("RUDE_INIT") {
	case "never-poll": // hangs in its initialisation
		time.Sleep(time.Hour)
		return
	case "exit-0": // a script, say: ends without ever asking for an event
		fmt.Println("done")
		return
	case "double-poll":
		rawLoops(2)
		return
	case "raw":
		rawLoops(1)
		return
	case "orphan-poller":
		// Leaves a process behind, in a session of its own, that asks the
		// Runtime API for events once this one is dead.
		self, err := os.Executable()
		if err != nil {
			panic(err)
		}
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "RUDE_CHILD=orphan-poller")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			panic(err)
		}
	case "exec-background":
		// --exec style: answers on stdout, leaves a child in a session of
		// its own that keeps stdout open.
		_, _ = io.ReadAll(os.Stdin)
		spawn(true)
		fmt.Println(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}, "body": "ok"}`)
		return
	case "exec-hang":
		_, _ = io.ReadAll(os.Stdin)
		spawn(true)
		spawn(false)
		marker()
		time.Sleep(time.Hour)
		return
	}
	lambda.Start(handle)
}

var ok = events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "text/plain"}, Body: "ok"}

// ticks counts the ticks of a goroutine the first /ticker event starts: it
// runs while the process runs, and stops while it is frozen.
var (
	ticks     atomic.Int64
	startTick sync.Once
)

func handle(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	switch req.Path {
	case "/ticker":
		startTick.Do(func() {
			go func() {
				for range time.Tick(10 * time.Millisecond) {
					ticks.Add(1)
				}
			}()
		})
		r := ok
		r.Body = fmt.Sprint(ticks.Load())
		return r, nil
	case "/panic":
		fmt.Println("about to panic")
		var m map[string]int
		m["boom"]++
	case "/hang":
		marker()
		time.Sleep(time.Hour)
	case "/spawn-detached":
		spawn(true)
	case "/spawn-group":
		spawn(false)
	case "/escape":
		// A daemon's double fork: the middle process starts the escapee
		// and exits, and says the escapee's pid, which is the answer.
		self, err := os.Executable()
		if err != nil {
			return ok, err
		}
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), "RUDE_CHILD=escape-middle")
		out, err := cmd.Output()
		if err != nil {
			return ok, err
		}
		r := ok
		r.Body = string(bytes.TrimSpace(out))
		return r, nil
	}
	return ok, nil
}

// escape starts the escapee with an empty environment in a new session,
// waits until it runs, prints its pid and exits without waiting for it.
func escape() {
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(self, "escapee")
	cmd.Env = []string{}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	if _, err := io.ReadAll(out); err != nil { // until it closed its stdout
		panic(err)
	}
	fmt.Println(cmd.Process.Pid)
}

// marker creates RUDE_MARKER, when set, so that a test knows the function
// has reached this point.
func marker() {
	if name := os.Getenv("RUDE_MARKER"); name != "" {
		_ = os.WriteFile(name, nil, 0o644)
	}
}

// spawn starts a copy of itself that sleeps for an hour with stdout and
// stderr inherited: in a session of its own (detached) or in the group.
func spawn(detached bool) {
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "RUDE_CHILD=sleep")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: detached}
	if err := cmd.Start(); err != nil {
		panic(err)
	}
}

// rawLoops speaks the Runtime API by hand with n loops asking for events at
// once. With two, as a runtime with a prefetch would, one of them is always
// waiting when the process is killed. Path /stall answers and then never
// asks for another event; /twice answers twice.
func rawLoops(n int) {
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	loop := func() {
		for {
			resp, err := http.Get(api + "next")
			if err != nil {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
			var req events.ALBTargetGroupRequest
			_ = json.Unmarshal(body, &req)
			if req.Path == "/hang" {
				marker()
				time.Sleep(time.Hour)
			}
			out, _ := json.Marshal(ok)
			answers := 1
			if req.Path == "/twice" {
				answers = 2
			}
			for range answers {
				r, err := http.Post(api+id+"/response", "application/json", bytes.NewReader(out))
				if err == nil {
					r.Body.Close()
				}
			}
			if req.Path == "/stall" {
				time.Sleep(time.Hour)
			}
		}
	}
	for range n - 1 {
		go loop()
	}
	loop()
}

// orphanPoller waits for its parent to die, then keeps asking the parent's
// Runtime API for events and never answers them: a /next pending from a
// process that should be gone.
func orphanPoller() {
	parent := os.Getppid()
	for os.Getppid() == parent {
		time.Sleep(5 * time.Millisecond)
	}
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/next"
	for {
		resp, err := http.Get(api)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		resp.Body.Close()
	}
}
