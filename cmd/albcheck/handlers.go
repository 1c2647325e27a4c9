package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/albcheck/albcheck/awslambda"
	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"
	"github.com/google/shlex"
	"github.com/spf13/pflag"
)

// handlerOptions choose the function albcheck invokes; replay and serve
// share them.
type handlerOptions struct {
	// fromFile names the function of an infrastructure file whose Runtime
	// and Handler these are, for errors to point at; empty for flags.
	fromFile string
	// commands, execs and invokeURLs are the flags as given: one plain
	// value, or NAME=VALUE forms under --infra (named).
	commands   []string
	execs      []string
	invokeURLs []string
	named      []namedHandler
	command    string
	cmdArgs    []string
	exec       string
	shell      bool
	invokeURL  string
	function   string
	endpoint   string
	region     string
	parallel   int
	timeout    time.Duration
	env        []string
	// pool, when its Max is set, starts --cmd environments on demand
	// (serve); otherwise --parallel processes serve.
	pool replay.Pool
	// runtime, handler and codeDir run a Node.js or Python handler by name.
	runtime string
	handler string
	codeDir string
	// warn receives warnings about the handler (an interpreter's version);
	// nothing is written when it is nil.
	warn io.Writer
}

func addHandlerFlags(f *pflag.FlagSet, o *handlerOptions) {
	f.StringArrayVar(&o.commands, "cmd", nil, "a Lambda function binary that speaks the Runtime API; with --infra, NAME=BINARY for each function")
	f.StringArrayVar(&o.execs, "exec", nil, "a command run once per request: event on stdin, response on stdout; with --infra, NAME=COMMAND")
	f.BoolVar(&o.shell, "shell", false, "run --exec through /bin/sh -c")
	f.StringArrayVar(&o.invokeURLs, "invoke-url", nil, "the Lambda Invoke API endpoint (Runtime Interface Emulator, sam local start-lambda); with --infra, NAME=URL")
	f.StringVar(&o.function, "function", "", "a deployed function's name or ARN, invoked with the default AWS credential chain")
	f.StringVar(&o.endpoint, "endpoint-url", "", "with --function: the Lambda API endpoint, as in the AWS CLI")
	f.StringVar(&o.region, "region", "", "with --function: the AWS region, as in the AWS CLI")
	f.IntVar(&o.parallel, "parallel", 1, "function processes (or --exec processes, or --function invocations) at once")
	f.DurationVar(&o.timeout, "timeout", replay.DefaultTimeout, "the function's timeout per invocation")
	f.StringArrayVarP(&o.env, "env", "e", nil, "KEY=VALUE for the function's environment; with --infra, wins over the files' environment variables")
	f.StringVar(&o.runtime, "runtime", "", "run --handler with node or python3 from PATH: nodejs, nodejs18.x to nodejs22.x, python, python3.9 to python3.13")
	f.StringVar(&o.handler, "handler", "", "with --runtime: the function's handler, FILE.EXPORT as in Lambda (index.handler)")
	f.StringVar(&o.codeDir, "code-dir", "", "with --runtime: the directory of the function's code, LAMBDA_TASK_ROOT (default the current directory)")
}

// namedHandler is a NAME=VALUE form of --cmd, --exec or --invoke-url: the
// handler of the function NAME of the infrastructure files.
type namedHandler struct {
	name, flag, value string
}

// takeFlags reads the handler flags: with infra, values of the NAME=VALUE
// form name the handler of each function (serve and replay route through
// the files' listeners); otherwise each flag is given once. A NAME holds
// no slash or blank, so that a path or a command with an argument is never
// taken for one.
func (o *handlerOptions) takeFlags(infra bool) error {
	var plain int
	for _, fl := range []struct {
		flag   string
		values []string
		one    *string
	}{{"--cmd", o.commands, &o.command}, {"--exec", o.execs, &o.exec}, {"--invoke-url", o.invokeURLs, &o.invokeURL}} {
		for _, v := range fl.values {
			name, value, ok := strings.Cut(v, "=")
			if infra && ok && name != "" && !strings.ContainsAny(name, "/ \t") {
				o.named = append(o.named, namedHandler{name: name, flag: fl.flag, value: value})
				continue
			}
			plain++
			if *fl.one != "" {
				if infra {
					return usageError("%s given twice: with --infra, give each function its handler as %s NAME=VALUE", fl.flag, fl.flag)
				}
				return usageError("%s given twice: one handler serves, unless --infra names each function's (%s NAME=VALUE)", fl.flag, fl.flag)
			}
			*fl.one = v
		}
	}
	if len(o.named) > 0 && (plain > 0 || o.function != "" || o.runtime != "") {
		return usageError("give every handler as NAME=VALUE with --infra, or a single handler without names")
	}
	return nil
}

// none reports whether no handler flag is given at all: under --infra, the
// functions' own bootstraps then serve (serve and replay --infra).
func (o *handlerOptions) none() bool {
	return len(o.commands)+len(o.execs)+len(o.invokeURLs) == 0 && o.function == "" && o.runtime == ""
}

// check reports a usage error unless exactly one handler is chosen (or,
// under --infra, handlers by function name).
func (o *handlerOptions) check() error {
	if len(o.named) > 0 {
		if len(o.cmdArgs) > 0 {
			return usageError("arguments after -- go to a single --cmd, not to handlers by name")
		}
		return o.checkCommon()
	}
	n := 0
	for _, h := range []string{o.command, o.exec, o.invokeURL, o.function, o.runtime} {
		if h != "" {
			n++
		}
	}
	if n != 1 {
		return usageError("give one handler: --cmd BINARY, --exec COMMAND, --invoke-url URL, --function NAME or --runtime RUNTIME --handler FILE.EXPORT")
	}
	if (o.runtime == "") != (o.handler == "") {
		return usageError("--runtime and --handler go together: --runtime nodejs --handler index.handler")
	}
	if o.codeDir != "" && o.runtime == "" {
		return usageError("--code-dir goes with --runtime and --handler")
	}
	if len(o.cmdArgs) > 0 && o.command == "" {
		return usageError("arguments after -- go to --cmd")
	}
	return o.checkCommon()
}

// checkCommon checks the options every kind of handler shares.
func (o *handlerOptions) checkCommon() error {
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
func (o *handlerOptions) local() bool {
	for _, nh := range o.named {
		if nh.flag != "--invoke-url" {
			return true
		}
	}
	return o.command != "" || o.exec != "" || o.runtime != ""
}

func (o *handlerOptions) build(ctx context.Context) (replay.Handler, error) {
	env := append([]string(nil), o.env...)
	switch {
	case o.command != "":
		argv := append([]string{o.command}, o.cmdArgs...)
		return replay.PoolRuntimeHandler(argv, env, o.environments()), nil
	case o.exec != "":
		argv := []string{"/bin/sh", "-c", o.exec}
		if !o.shell {
			var err error
			if argv, err = shlex.Split(o.exec); err != nil || len(argv) == 0 {
				return nil, usageError("--exec %q: %v", o.exec, err)
			}
		}
		return replay.ExecHandler(argv, append(os.Environ(), env...), o.parallel), nil
	case o.runtime != "":
		return o.buildRuntime(ctx, env)
	case o.function != "":
		h, err := awslambda.FunctionHandler(ctx, o.function, o.region, o.endpoint, o.parallel)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("AWS configuration: %w", err)}
		}
		return h, nil
	}
	return replay.InvokeURLHandler(o.invokeURL), nil
}

// environments is the pool of a handler that runs processes (--cmd,
// --runtime): serve's on-demand pool when set, with --parallel kept warm;
// otherwise --parallel processes, as replay and fuzz run them.
func (o *handlerOptions) environments() replay.Pool {
	if o.pool.Max > 0 {
		p := o.pool
		p.Warm = o.parallel
		return p
	}
	return replay.Pool{Warm: o.parallel, Max: o.parallel}
}

// buildRuntime builds the handler of --runtime: the runtime's interpreter
// from PATH with albcheck's bootstrap, warning when the interpreter's version
// is not the runtime's.
func (o *handlerOptions) buildRuntime(ctx context.Context, env []string) (replay.Handler, error) {
	runtimeWord, handlerWord := "--runtime", "--handler"
	if o.fromFile != "" { // the file's Runtime and Handler: say where they are
		runtimeWord, handlerWord = o.fromFile+": Runtime", o.fromFile+": Handler"
	}
	rt, err := replay.ParseRuntime(o.runtime)
	if err != nil {
		return nil, usageError("%s: %v", runtimeWord, err)
	}
	in, err := rt.FindInterpreter(ctx)
	if err != nil {
		return nil, usageError("%s %s: %v", runtimeWord, o.runtime, err)
	}
	if w := rt.VersionWarning(in); w != "" && o.warn != nil {
		fmt.Fprintf(o.warn, "albcheck: warning: %s\n", w)
	}
	h, err := replay.ManagedRuntimePool(rt, in, o.handler, cmp.Or(o.codeDir, "."), env, o.environments())
	if err != nil {
		return nil, usageError("%s %s: %v", handlerWord, o.handler, err)
	}
	return h, nil
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

// startHandler starts a handler's warm processes before any event, when it
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
		if o.runtime != "" {
			flag, what = "--runtime", o.runtime+" --handler "+o.handler
		}
		return usageError("%s %s cannot be run: %v", flag, what, err)
	}
	return nil
}

// buildNamed builds and starts the handler of each function named by a
// NAME=VALUE flag, by the function's name in the model. A name that is no
// function of the files is a usage error that lists them. stop closes every
// handler built.
func (o *handlerOptions) buildNamed(ctx context.Context, p *infra.Project) (map[string]replay.Handler, error) {
	handlers := map[string]replay.Handler{}
	closeAll := func() {
		for _, h := range handlers {
			h.Close()
		}
	}
	for _, nh := range o.named {
		fn := p.FunctionNamed(nh.name)
		if fn == nil {
			closeAll()
			var names []string
			for _, f := range p.Functions {
				names = append(names, f.Name)
			}
			return nil, usageError("%s %s=...: no function named %s in the --infra files (functions: %s)", nh.flag, nh.name, nh.name, strings.Join(names, ", "))
		}
		if _, dup := handlers[fn.Name]; dup {
			closeAll()
			return nil, usageError("%s %s=...: function %s already has a handler", nh.flag, nh.name, fn.Name)
		}
		h, err := o.buildOne(ctx, nh.flag, nh.value, fn)
		if err != nil {
			closeAll()
			return nil, err
		}
		handlers[fn.Name] = h
	}
	return handlers, nil
}

// buildOne builds and starts the handler one flag value stands for: that
// of function fn, whose name the process is told, as Lambda tells it, with
// the environment variables its file gives it. --env wins over both: it is
// last, and a process's environment keeps the last value of a name.
func (o *handlerOptions) buildOne(ctx context.Context, flag, value string, fn *infra.Function) (replay.Handler, error) {
	one := *o
	one.named, one.command, one.exec, one.invokeURL, one.function = nil, "", "", "", ""
	name := cmp.Or(fn.FunctionName, fn.Name)
	one.env = functionEnv(fn)
	one.env = append(one.env, "AWS_LAMBDA_FUNCTION_NAME="+name, "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+name)
	one.env = append(one.env, o.env...)
	if fn.ReservedConcurrency == 0 && o.pool.Max > 0 {
		// Reserved concurrency 0 stops a function: Lambda throttles every
		// invocation, so nothing is started. (Terraform's -1 and an absent
		// setting are unreserved, -1 in the model.)
		return replay.ThrottledHandler(), nil
	}
	o.warnUnknownEnv(fn)
	if fn.ReservedConcurrency > 0 && o.pool.Max > 0 { // serve: replay runs fixtures, it does not throttle them
		// Reserved concurrency is the function's limit: beyond it Lambda
		// throttles, and the ALB answers 502 (LambdaThrottling).
		one.pool = replay.Pool{Max: fn.ReservedConcurrency, IdleTimeout: o.pool.IdleTimeout, Throttle: true}
		one.parallel = min(max(o.parallel, 1), fn.ReservedConcurrency)
	}
	switch flag {
	case "--cmd":
		one.command = value
	case "--runtime":
		one.runtime, one.handler, one.codeDir = fn.Runtime, fn.Handler, value
		one.fromFile = fmt.Sprintf("function %s (%s)", fn.Name, sourceAt(fn.Source))
	case "--exec":
		one.exec = value
	default:
		one.invokeURL = value
	}
	h, err := one.build(ctx)
	if err != nil {
		return nil, err
	}
	if err := startHandler(h, one); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// sourceAt is where an element of an infrastructure file is, as FILE:LINE
// when the reader knows the line.
func sourceAt(src infra.Source) string {
	if src.Line > 0 {
		return fmt.Sprintf("%s:%d", src.File, src.Line)
	}
	return src.File
}

// functionEnv is the environment variables the files give fn, as NAME=VALUE
// in name order (so that a process sees the same environment every run).
func functionEnv(fn *infra.Function) []string {
	env := make([]string, 0, len(fn.Environment))
	for _, k := range sortedNames(fn.Environment) {
		env = append(env, k+"="+fn.Environment[k])
	}
	return env
}

// warnUnknownEnv says which of fn's environment variables the function runs
// without, because their value is known only at deployment, unless --env
// gives them: code that reads one would otherwise fail with no word of why.
func (o *handlerOptions) warnUnknownEnv(fn *infra.Function) {
	if o.warn == nil {
		return
	}
	given := map[string]bool{}
	for _, kv := range o.env {
		k, _, _ := strings.Cut(kv, "=")
		given[k] = true
	}
	for _, k := range sortedNames(fn.EnvironmentUnknown) {
		if !given[k] {
			// Named, not shown: the value may hold a secret.
			fmt.Fprintf(o.warn, "albcheck: warning: function %s: environment variable %s is known only at deployment: not set (give it with -e %s=VALUE)\n", fn.Name, k, k)
		}
	}
}
