package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/google/shlex"
	"github.com/spf13/pflag"
)

// handlerOptions choose the function albcheck invokes; replay and serve
// share them.
type handlerOptions struct {
	command   string
	cmdArgs   []string
	exec      string
	shell     bool
	invokeURL string
	function  string
	endpoint  string
	region    string
	parallel  int
	timeout   time.Duration
	env       []string
}

func addHandlerFlags(f *pflag.FlagSet, o *handlerOptions) {
	f.StringVar(&o.command, "cmd", "", "a Lambda function binary that speaks the Runtime API")
	f.StringVar(&o.exec, "exec", "", "a command run once per request: event on stdin, response on stdout")
	f.BoolVar(&o.shell, "shell", false, "run --exec through /bin/sh -c")
	f.StringVar(&o.invokeURL, "invoke-url", "", "the Lambda Invoke API endpoint (Runtime Interface Emulator, sam local start-lambda)")
	f.StringVar(&o.function, "function", "", "a deployed function's name or ARN, invoked with the default AWS credential chain")
	f.StringVar(&o.endpoint, "endpoint-url", "", "with --function: the Lambda API endpoint, as in the AWS CLI")
	f.StringVar(&o.region, "region", "", "with --function: the AWS region, as in the AWS CLI")
	f.IntVar(&o.parallel, "parallel", 1, "function processes (or --exec processes, or --function invocations) at once")
	f.DurationVar(&o.timeout, "timeout", replay.DefaultTimeout, "the function's timeout per invocation")
	f.StringArrayVarP(&o.env, "env", "e", nil, "KEY=VALUE for the function's environment")
}

// check reports a usage error unless exactly one handler is chosen.
func (o *handlerOptions) check() error {
	n := 0
	for _, h := range []string{o.command, o.exec, o.invokeURL, o.function} {
		if h != "" {
			n++
		}
	}
	if n != 1 {
		return usageError("give one handler: --cmd BINARY, --exec COMMAND, --invoke-url URL or --function NAME")
	}
	if len(o.cmdArgs) > 0 && o.command == "" {
		return usageError("arguments after -- go to --cmd")
	}
	if o.parallel < 1 {
		return usageError("--parallel must be at least 1")
	}
	// Lambda's own bounds on a function's timeout: 1 s to 900 s. A shorter
	// one is allowed here for tests of the function's own timing, but not
	// zero or less, which used to mean the default without a word.
	if o.timeout <= 0 {
		return usageError("--timeout %s: want a positive duration, such as 3s (Lambda's default)", o.timeout)
	}
	for _, kv := range o.env {
		if _, _, ok := strings.Cut(kv, "="); !ok {
			return usageError("--env %q: want KEY=VALUE", kv)
		}
	}
	return nil
}

// local reports whether the function runs as processes on this machine.
func (o *handlerOptions) local() bool { return o.command != "" || o.exec != "" }

func (o *handlerOptions) build(ctx context.Context) (replay.Handler, error) {
	env := append([]string(nil), o.env...)
	switch {
	case o.command != "":
		return replay.RuntimeHandler(append([]string{o.command}, o.cmdArgs...), env, o.parallel), nil
	case o.exec != "":
		argv := []string{"/bin/sh", "-c", o.exec}
		if !o.shell {
			var err error
			if argv, err = shlex.Split(o.exec); err != nil || len(argv) == 0 {
				return nil, usageError("--exec %q: %v", o.exec, err)
			}
		}
		return replay.ExecHandler(argv, append(os.Environ(), env...), o.parallel), nil
	case o.function != "":
		h, err := replay.FunctionHandler(ctx, o.function, o.region, o.endpoint, o.parallel)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("AWS configuration: %w", err)}
		}
		return h, nil
	}
	return replay.InvokeURLHandler(o.invokeURL), nil
}

// leaveCores gives albcheck's own goroutines the cores the function
// processes do not need, when they run on this machine: albcheck taking every
// core slows the functions down more than it speeds albcheck up (measured in
// BENCHMARKS.md for replay and serve). GOMAXPROCS set by the user wins. It
// returns a function that restores the setting.
func (o *handlerOptions) leaveCores() func() {
	if _, set := os.LookupEnv("GOMAXPROCS"); set || !o.local() {
		return func() {}
	}
	prev := runtime.GOMAXPROCS(max(1, runtime.NumCPU()-o.parallel))
	return func() { runtime.GOMAXPROCS(prev) }
}

// startHandler starts a handler's first process before any event, when it
// has processes: a function that cannot be run at all (a missing file, no
// permission, not an executable) is one usage error, not a failure for
// every fixture or request.
func startHandler(h replay.Handler, o handlerOptions) error {
	st, ok := h.(interface{ Start() error })
	if !ok {
		return nil
	}
	if err := st.Start(); err != nil {
		flag, what := "--cmd", o.command
		if o.exec != "" {
			flag, what = "--exec", o.exec
		}
		return usageError("%s %s cannot be run: %v", flag, what, err)
	}
	return nil
}
