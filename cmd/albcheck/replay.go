package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/albcheck/albcheck/validate"
	"github.com/spf13/cobra"
)

type replayOptions struct {
	handlerOptions
	// oneFunctionFlags are the flags given that routing through the whole
	// ALB of --infra takes from the files instead.
	oneFunctionFlags []string
	paths            []string
	mode             string
	format           string
	strict           bool
	quiet            bool
	failFast         bool
	run              string
	shard            string
	update           bool
	color            string
	maxSize          int64
	infra            []string
	ports            []string
}

func newReplayCmd(s *streams) *cobra.Command {
	o := &replayOptions{}
	cmd := &cobra.Command{
		Use:   "replay --cmd BINARY|--exec COMMAND|--invoke-url URL|--function NAME|--runtime RUNTIME --handler FILE.EXPORT [FIXTURE|DIR|GLOB]... [-- ARGS...]",
		Short: "Send fixtures through a real function and check its answers",
		Long: `Send each fixture's request event to a function and check the answer: against the
JSON Schemas and the ALB's rules (what would the client get?), and against the
fixture's expectations (status, headers, body, duration). A bare ALB event file
is a fixture too: only the ALB's rules are checked.

A failing case prints "file:line:col: [case name] RULE severity pointer:
message" lines, errors first: an expectation is located in the fixture, a
finding about the function's answer at the case (its pointer is in the
answer). Then what the client gets, the answer itself when it is not JSON,
and what the function printed.

Handlers:
  --cmd BINARY      an unmodified Lambda function binary (Runtime API), kept warm;
                    arguments after -- go to it; --parallel N runs N processes
  --exec COMMAND    one process per fixture: the event on stdin, the response on
                    stdout; run without a shell unless --shell
  --invoke-url URL  the Lambda Invoke API, as served by the Runtime Interface
                    Emulator or sam local start-lambda (one invocation at a time)
  --function NAME   a deployed function, through the AWS SDK and the default
                    credential chain (--region, --endpoint-url); --parallel N
                    invokes it N at a time
  --runtime RUNTIME --handler FILE.EXPORT [--code-dir DIR]
                    a Node.js or Python handler by name (nodejs, nodejs18.x to
                    nodejs22.x, python, python3.9 to python3.13), run by node or
                    python3 from PATH with albcheck's own runtime client, kept
                    warm as --cmd is

Files a fixture names (bodyFile, golden files) are relative to the fixture file
and are read and written only inside the fixture root: the directory given on
the command line, or a fixture file's own folder. Only regular files are read,
each up to --max-size bytes.

--update records the answers into the expectations that failed (status, header
values or null for absent, body json, equals or golden file), replacing only
those values, so that the same answers then pass; it writes nothing when every
expectation holds.

--infra FILE takes each case's mode from the project's infrastructure code (see
albcheck infra), unless --mode: the mode of the target group named by the case's
"targetGroup", or of the one its "function" sits behind, else of the deployed
--function's, else of the only Lambda target group. It replaces the mode the case
says, as --mode does; a name that matches nothing fails the case.

With --infra and handlers given as NAME=VALUE (see albcheck serve --help), each
case's request goes through the listener's rules (the case's "listener" port when
the files have several): to the function of the target group it is forwarded to,
in that group's mode and with the function's own timeout, or to the ALB's own
fixed response or redirect, checked like any answer. A case that names a
"function" fails (EXPECT-FUNCTION) when its request is routed elsewhere. When the
files hold a single listener, a case without "listener" goes to it even when the
files give it no port (a Serverless alb event's listenerArn). --port LISTENER=PORT
(LISTENER a listener's name, such as that ARN, or its port) gives a listener the
port cases name it by, and the function is told that port.

Each function runs with the environment variables its file gives it (SAM Globals
and the function's Environment, Serverless provider and function environment,
Terraform environment blocks), then AWS_LAMBDA_FUNCTION_NAME (its deployed name),
then -e NAME=VALUE, which wins over both. A variable known only at deployment (a
resource's Ref, ${ssm:...}) is not set, and a warning names it.

Exit status: 0 when every fixture passes, 1 when any fails, 2 for usage errors
or when no fixture could be read; 130 (SIGINT) or 143 (SIGTERM) when a signal
stopped the run, after printing the results finished before it.`,
		Example: `  go build -o bin/orders ./examples/orders && albcheck replay --cmd bin/orders fixtures/
  albcheck replay --exec 'python3 handler.py' --run 'orders' fixtures/
  albcheck replay --invoke-url http://127.0.0.1:9000 fixtures/
  albcheck replay --cmd bin/orders --update fixtures/      # record answers into expectations and golden files
  albcheck replay --cmd bin/orders --shard 2/4 --format junit fixtures/ > shard2.xml
  albcheck replay --cmd bin/orders --infra examples/orders/template.yaml fixtures/   # each case in its target group's mode
  albcheck replay --infra examples/orders/template.yaml --cmd OrdersFunction=bin/orders testdata/infra/orders/   # routed`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				o.paths, o.cmdArgs = args[:dash], args[dash:]
			} else {
				o.paths = args
			}
			for _, name := range []string{"mode", "timeout"} {
				if cmd.Flags().Changed(name) {
					o.oneFunctionFlags = append(o.oneFunctionFlags, name)
				}
			}
			return runReplay(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	addHandlerFlags(f, &o.handlerOptions)
	f.StringVar(&o.mode, "mode", "", "target-group mode for every fixture: single or multi (default: each fixture's)")
	f.StringArrayVar(&o.infra, "infra", nil, infraFlagHelp)
	f.StringArrayVar(&o.ports, "port", nil, "with --infra routing: LISTENER=PORT, the port cases' \"listener\" names a listener (by name or port) by")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(render.Formats, ", "))
	f.BoolVar(&o.strict, "strict", false, "warnings fail too")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print failing fixtures only")
	f.BoolVar(&o.failFast, "fail-fast", false, "stop at the first failing fixture")
	f.StringVar(&o.run, "run", "", "only fixtures whose name matches this regular expression")
	f.StringVar(&o.shard, "shard", "", "K/N: run the K-th of N deterministic slices of the suite")
	f.BoolVar(&o.update, "update", false, "record the answers into the expectations and golden files that failed")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	f.Int64Var(&o.maxSize, "max-size", inputs.DefaultMaxSize, "refuse fixture and golden files larger than this many bytes")
	return cmd
}

func runReplay(ctx context.Context, o *replayOptions, s *streams) error {
	if err := o.handlerOptions.takeFlags(len(o.infra) > 0); err != nil {
		return err
	}
	byName := len(o.named) > 0 || (len(o.infra) > 0 && o.handlerOptions.none())
	if err := o.handlerOptions.check(); err != nil && !byName {
		return err
	} else if err := o.handlerOptions.checkCommon(); err != nil {
		return err
	}
	if byName && len(o.oneFunctionFlags) > 0 {
		return usageError("--%s does not apply to replay through the whole ALB of --infra: %s", o.oneFunctionFlags[0], fromTheFiles[o.oneFunctionFlags[0]])
	}
	if len(o.ports) > 0 && !byName {
		return usageError("--port maps the listeners of --infra files, for replay through the whole ALB (handlers given as NAME=VALUE, or none)")
	}
	if len(o.paths) == 0 {
		return usageError("give fixture files or directories (see albcheck replay --help)")
	}
	if o.maxSize <= 0 {
		return usageError("--max-size must be positive")
	}
	var mode fakeevent.Mode
	switch o.mode {
	case "":
	case "single", "multi":
		mode = fakeevent.Mode(o.mode)
	default:
		return usageError("unknown mode %q (want single or multi)", o.mode)
	}
	var modeOf func(function, targetGroup string) (fakeevent.Mode, error)
	var routed *builtSite
	if byName {
		// Each case goes where the listener's rules send it, in that target
		// group's mode: --mode and the case's own give way.
		p, err := loadProject(o.infra...)
		if err != nil {
			return usageError("--infra: %v", err)
		}
		ports, err := listenerPorts(o.ports, p.Listeners)
		if err != nil {
			return err
		}
		o.handlerOptions.warn = s.err
		if routed, err = buildSite(ctx, &o.handlerOptions, p, serve.SiteOptions{Ports: ports}); err != nil {
			return err
		}
		defer routed.cleanup()
		defer routed.closeHandlers()
	} else if len(o.infra) > 0 && mode == "" {
		m, err := loadInfraModes(o.infra)
		if err != nil {
			return err
		}
		modeOf = m.modeOf(o.function)
	}
	var runRe *regexp.Regexp
	if o.run != "" {
		var err error
		if runRe, err = regexp.Compile(o.run); err != nil {
			return usageError("--run: %v", err)
		}
	}
	shardK, shardN := 0, 1
	if o.shard != "" {
		k, n, ok := strings.Cut(o.shard, "/")
		a, err1 := strconv.Atoi(k)
		b, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || b < 1 || a < 1 || a > b {
			return usageError("--shard %q: want K/N with 1 <= K <= N", o.shard)
		}
		shardK, shardN = a-1, b
	}
	color := o.color == "always" || (o.color == "auto" && s.outTTY && !s.noColor)
	out := bufio.NewWriter(s.out)
	defer out.Flush()
	r, err := render.New(o.format, out, render.Options{Color: color, Quiet: o.quiet})
	if err != nil {
		return usageError("%v", err)
	}

	seq, err := inputs.Expand(o.paths)
	if err != nil {
		return usageError("%v", err)
	}
	// Fixtures are read as the run goes: memory stays flat however large the
	// suite. A file that cannot be read is a failing case, not the end.
	index, total, unreadable := 0, 0, 0
	var sum render.Summary
	cases := func(yield func(*replay.Case) bool) {
		for in := range seq {
			loaded, err := []*replay.Case(nil), in.Err
			if err == nil {
				loaded, err = replay.LoadWith(in.Path, replay.LoadOptions{Mode: mode, ModeOf: modeOf, Root: in.Root, MaxSize: o.maxSize})
			}
			if err != nil {
				unreadable++
				loaded = []*replay.Case{{File: in.Path, Name: in.Path, Problems: []validate.Finding{readFinding(err)}}}
			}
			for _, c := range loaded {
				if runRe != nil && !runRe.MatchString(c.Name) {
					continue
				}
				index++
				if (index-1)%shardN != shardK {
					continue
				}
				total++
				if !yield(c) {
					return
				}
			}
		}
	}

	runOpts := replay.Options{Timeout: o.timeout}
	if routed != nil {
		runOpts.Route, runOpts.Concurrency = routed.site.RouteCase, o.parallel
	} else {
		o.handlerOptions.warn = s.err
		h, err := o.handlerOptions.build(ctx)
		if err != nil {
			return err
		}
		defer h.Close()
		if err := startHandler(h, o.handlerOptions); err != nil {
			return err
		}
		runOpts.Handler = h
	}

	defer o.handlerOptions.leaveCores()()
	// As in validate: a small live heap, so collect less often (GOGC wins).
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(200))
	}
	var outcomes []*replay.Outcome
	prog := newProgress(s, o.format == "text" || o.format == "github")
	if prog.enabled {
		// On a terminal, a first pass counts the cases for "N/TOTAL done":
		// reading fixtures is cheap next to running them.
		n := 0
		for range cases {
			n++
		}
		index, total, unreadable = 0, 0, 0
		prog.withTotal(n)
	}
	locator := fixtureLocator{maxSize: o.maxSize} // one at a time: results come in order
	replay.Run(ctx, cases, runOpts, func(oc *replay.Outcome) bool {
		ok := oc.OK(o.strict)
		res := replayResult(oc, ok, &locator)
		sum.Count(res)
		prog.stepResult(ok)
		if o.update {
			outcomes = append(outcomes, oc)
		}
		_ = r.Result(res)
		return ok || !o.failFast
	})
	prog.done()
	se := interruption(ctx)
	interrupted := se != nil
	if interrupted {
		sum.Interrupted = signalName(se.sig)
	}
	if total == 0 && !interrupted {
		return usageError("no fixtures to run in %s (or none match --run/--shard)", strings.Join(o.paths, ", "))
	}
	// Interrupted or not, what ran is printed with its summary; run turns a
	// signal into its exit status.
	if err := r.Finish(sum); err != nil {
		return err
	}
	// The fixtures that finished are recorded, interrupted run or not: each
	// outcome is whole, and what was not run is left as it was.
	if o.update {
		written, err := replay.Update(outcomes)
		for _, f := range written {
			fmt.Fprintf(s.err, "updated %s\n", render.Printable(f))
		}
		if err != nil && !interrupted {
			return &exitError{code: exitUsage, err: err}
		}
		if err != nil {
			fmt.Fprintln(s.err, "albcheck:", render.Printable(err.Error()))
		}
	}
	if interrupted {
		return nil
	}
	if unreadable == total {
		return &exitError{code: exitUsage, err: errors.New("no fixture could be read")}
	}
	if sum.Failed > 0 {
		return errFindings
	}
	return nil
}
