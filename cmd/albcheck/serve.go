package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	handlerOptions
	mode           string
	listen         string
	logFormat      string
	record         string
	recordSecrets  bool
	healthPath     string
	healthInterval time.Duration
	healthCodes    string
	targetGroup    string
	idleTimeout    time.Duration
	infra          []string
	modeSet        bool
	// oneFunctionFlags are the flags given that only the server of one
	// function reads: the whole ALB of --infra takes them from the files.
	oneFunctionFlags []string
	ports            []string
	seed             uint64
	// maxConcurrency, idleEnvironmentTimeout and throttle shape the --cmd
	// function's environments (replay.Pool); maxSet says the flag was given.
	maxConcurrency         int
	maxSet                 bool
	idleEnvironmentTimeout time.Duration
	throttle               bool
}

func newServeCmd(s *streams) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve --cmd BINARY|--exec COMMAND|--invoke-url URL|--function NAME|--runtime RUNTIME --handler FILE.EXPORT [-- ARGS...]",
		Short: "Run a local ALB in front of a function",
		Long: `Serve HTTP on 127.0.0.1 (or --listen) as an Application Load Balancer would in
front of the function: HTTP/1.1, and HTTP/2 for clients that speak it without TLS
(curl --http2-prior-knowledge). Each request becomes the event a real ALB sends, and the client
gets what the ALB would send back: the function's reply (base64 decoded, hop-by-hop
headers dropped, Content-Length computed, application/octet-stream when it sets no
Content-Type), or the ALB's own status (502, also for a 1xx status; 413, 400, 405, 463
before invoking). The terminal shows one access-log line per request, why each 502
happened, with the rule ids and the function's answer, and the findings about every
answer passed on (lost headers, warnings).

As Lambda scales a function, a --cmd or --runtime function runs in execution
environments (processes, one request at a time each) started on demand: a request
that finds every environment busy starts a new one, up to --max-concurrency (16),
and one idle for --idle-environment-timeout (5m) is stopped. --parallel N of them
start with serve and are never stopped for being idle, like provisioned
concurrency. Health checks are one more request to the same environments.
--exec runs a process per request, and --invoke-url and --function are remote
targets that scale on their own side: the environment flags do not apply to them.
Beyond the limit a request waits for a free environment, and the access log
says how long (waited=); with --throttle it is refused as Lambda throttles it,
and the client gets the ALB's 502 (LambdaThrottling). The access log marks the
request that started an environment (cold_start init=SECONDS); the JSON log
also names the environment.

As behind a real ALB, a connection silent for --idle-timeout (60s, the ALB's default)
is closed, and a client that stops sending its body for that long gets 408.

--record DIR saves every exchange as a fixture for albcheck replay (authorization and
cookie values redacted unless --record-secrets). Numbering continues after the files
already in DIR; nothing there is replaced or written through a link. Ctrl-C drains
in-flight requests and stops the function's processes.

--infra FILE takes the mode from the project's infrastructure code (see albcheck
infra), unless --mode: the mode of the target group the deployed --function sits
behind, else of the only Lambda target group.

With --infra and handlers given as NAME=VALUE (--cmd NAME=BINARY, --exec
NAME=COMMAND, --invoke-url NAME=URL; NAME is a function's logical id, Terraform
address or Serverless name, or its FunctionName), or no handler at all, serve is
the project's whole ALB: every listener on 127.0.0.1, port P at P+8000 below 1024
(80 on 8080, 443 on 8443) unless --port LISTENER=PORT maps it, each request routed
by the listener's rules as the ALB routes it. A forward goes to the target group's
function in that target group's mode, with the function's own timeout and the
target group's health check; fixed responses and redirects are answered by the
ALB itself; an HTTPS listener is served as plain HTTP and tells the function https
and 443. A function given no handler runs from .aws-sam/build/<LogicalId>/bootstrap
(after sam build) or from the bootstrap in its zip (Terraform filename, Serverless
artifact); otherwise requests routed to it get 502. What the rules hold that cannot
be emulated is printed at start; each access-log line names the rule and target
group. --seed N makes weighted forwards repeatable; --record names the function
that served each exchange. Each function gets the environment variables its file
gives it, then AWS_LAMBDA_FUNCTION_NAME, then -e NAME=VALUE, which wins over both;
one known only at deployment (a resource's Ref, ${ssm:...}) is not set, and a
warning names it.`,
		Example: `  go build -o bin/orders ./examples/orders && albcheck serve --cmd bin/orders
  curl -i 'http://127.0.0.1:8080/api/search?q=go'
  curl -i --http2-prior-knowledge 'http://127.0.0.1:8080/api/search?q=go'
  albcheck serve --cmd bin/orders --mode multi --record fixtures/recorded
  albcheck serve --cmd bin/orders --health-check-path /health --health-check-interval 10s
  albcheck serve --cmd bin/orders --infra examples/orders/template.yaml
  albcheck serve --infra examples/orders/template.yaml --cmd OrdersFunction=bin/orders   # the whole ALB on :8080`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				if dash > 0 {
					return usageError("serve takes no arguments before --")
				}
				o.cmdArgs = args
			} else if len(args) > 0 {
				return usageError("serve takes no arguments (function arguments go after --)")
			}
			o.modeSet = cmd.Flags().Changed("mode")
			o.maxSet = cmd.Flags().Changed("max-concurrency")
			for _, name := range []string{"listen", "mode", "timeout", "health-check-path", "health-check-interval", "health-check-codes", "target-group"} {
				if cmd.Flags().Changed(name) {
					o.oneFunctionFlags = append(o.oneFunctionFlags, name)
				}
			}
			return runServe(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	addHandlerFlags(f, &o.handlerOptions)
	f.StringVar(&o.mode, "mode", "single", "target-group mode: single or multi (multi-value headers on)")
	f.StringArrayVar(&o.infra, "infra", nil, infraFlagHelp)
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&o.logFormat, "log-format", "text", "access log: text or json")
	f.StringVar(&o.record, "record", "", "save every exchange as a fixture file in this directory")
	f.BoolVar(&o.recordSecrets, "record-secrets", false, "keep authorization and cookie values in recorded fixtures")
	f.StringVar(&o.healthPath, "health-check-path", "", "send the ALB's health check to this path")
	f.DurationVar(&o.healthInterval, "health-check-interval", 30*time.Second, "time between health checks")
	f.StringVar(&o.healthCodes, "health-check-codes", "200", "success codes of the health check: 200, 200,202 or 200-299")
	f.StringVar(&o.targetGroup, "target-group", "", "the target group's ARN in the events")
	f.StringArrayVar(&o.ports, "port", nil, "with --infra NAME=... handlers: LISTENER=PORT serves a listener (by name or port) on this local port")
	f.Uint64Var(&o.seed, "seed", 0, "with --infra NAME=... handlers: seed of the weighted forwards")
	f.DurationVar(&o.idleTimeout, "idle-timeout", alb.IdleTimeout, "close a client connection silent this long; 408 for a body stalled this long")
	f.IntVar(&o.maxConcurrency, "max-concurrency", defaultMaxConcurrency, "with --cmd or --runtime: the most function environments (processes) at once; a request that finds all busy starts one up to this"+notPooled)
	f.DurationVar(&o.idleEnvironmentTimeout, "idle-environment-timeout", defaultIdleEnvironmentTimeout, "with --cmd or --runtime: stop an environment beyond --parallel idle this long (0: never)"+notPooled)
	f.BoolVar(&o.throttle, "throttle", false, "with --cmd or --runtime: refuse a request that finds --max-concurrency environments busy, as Lambda throttles (the ALB's 502, LambdaThrottling), instead of waiting"+notPooled)
	// serve reads --parallel as the environments kept warm; replay and fuzz
	// keep the shared meaning of processes at once.
	f.Lookup("parallel").Usage = "with --cmd or --runtime: environments started with serve and kept warm, like provisioned concurrency" + notPooled
	return cmd
}

// notPooled ends the help of the environment flags: only the handlers that
// run a Lambda runtime on this machine have environments to pool.
const notPooled = "; not for --exec (a process per request) or --invoke-url and --function (remote)"

// fromTheFiles says where the whole ALB of --infra takes what each flag of
// the one-function server sets.
var fromTheFiles = map[string]string{
	"listen":                "each listener is served on its own port; map one with --port LISTENER=PORT",
	"mode":                  "each target group's mode is in the files",
	"timeout":               "each function's Timeout is in the files",
	"health-check-path":     "each target group's health check is in the files",
	"health-check-interval": "each target group's health check is in the files",
	"health-check-codes":    "each target group's health check is in the files",
	"target-group":          "each target group's ARN is in the files",
}

// defaultMaxConcurrency caps the environments of a local function: enough
// for a page's parallel requests or a small load test, where Lambda's own
// default (1,000 per account and region) would only exhaust the machine.
const defaultMaxConcurrency = 16

// defaultIdleEnvironmentTimeout is how long an environment beyond
// --parallel may stay idle. Lambda does not document when it reclaims one;
// minutes is what is commonly observed.
const defaultIdleEnvironmentTimeout = 5 * time.Minute

func runServe(ctx context.Context, o *serveOptions, s *streams) error {
	if err := o.handlerOptions.takeFlags(len(o.infra) > 0); err != nil {
		return err
	}
	if err := o.takePool(); err != nil {
		return err
	}
	routed := len(o.named) > 0 || (len(o.infra) > 0 && o.handlerOptions.none())
	if err := o.handlerOptions.check(); err != nil && !routed {
		return err
	} else if err := o.handlerOptions.checkCommon(); err != nil {
		return err
	}
	if routed {
		if len(o.oneFunctionFlags) > 0 {
			return usageError("--%s does not apply to the whole ALB of --infra: %s", o.oneFunctionFlags[0], fromTheFiles[o.oneFunctionFlags[0]])
		}
		if o.logFormat != "text" && o.logFormat != "json" {
			return usageError("unknown --log-format %q (want text or json)", o.logFormat)
		}
		if o.idleTimeout <= 0 {
			return usageError("--idle-timeout must be positive, got %s", o.idleTimeout)
		}
		return runServeInfra(ctx, o, s)
	}
	if len(o.ports) > 0 {
		return usageError("--port maps the listeners of --infra files, for handlers given as NAME=VALUE")
	}
	if o.mode != "single" && o.mode != "multi" {
		return usageError("unknown mode %q (want single or multi)", o.mode)
	}
	if len(o.infra) > 0 && !o.modeSet {
		m, err := loadInfraModes(o.infra)
		if err != nil {
			return err
		}
		mode, err := m.only(o.function)
		if err != nil {
			return err
		}
		o.mode = string(mode)
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return usageError("unknown --log-format %q (want text or json)", o.logFormat)
	}
	if o.idleTimeout <= 0 {
		return usageError("--idle-timeout must be positive, got %s", o.idleTimeout)
	}
	codes, err := parseCodes(o.healthCodes)
	if err != nil {
		return usageError("--health-check-codes: %v", err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("listen on %s: %w", o.listen, err)}
	}
	o.handlerOptions.warn = s.err
	h, err := o.handlerOptions.build(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	if err := startHandler(h, o.handlerOptions); err != nil {
		ln.Close()
		h.Close()
		return err
	}
	defer o.handlerOptions.leaveCores()()
	srv := serve.New(serve.Options{
		Handler:        h,
		Mode:           fakeevent.Mode(o.mode),
		Timeout:        o.timeout,
		Log:            s.err,
		JSONLog:        o.logFormat == "json",
		RecordDir:      o.record,
		RecordSecrets:  o.recordSecrets,
		TargetGroupARN: o.targetGroup,
		Health:         serve.HealthCheck{Path: o.healthPath, Interval: o.healthInterval, Codes: codes},
		IdleTimeout:    o.idleTimeout,
	})
	fmt.Fprintf(s.err, "albcheck serve: a local ALB (%s mode) on http://%s; Ctrl-C stops it\n", o.mode, ln.Addr())
	if err := srv.Run(ctx, ln); err != nil {
		return &exitError{code: exitFindings, err: err}
	}
	fmt.Fprintln(s.err, "albcheck serve: stopped")
	return nil
}

// takePool checks the environment flags and sets the pool of the --cmd
// handlers. --parallel above the default --max-concurrency raises it, so
// that what worked before the flag existed still does.
func (o *serveOptions) takePool() error {
	switch {
	case o.maxConcurrency < 1:
		return usageError("--max-concurrency must be at least 1, got %d", o.maxConcurrency)
	case o.maxSet && o.maxConcurrency < o.parallel:
		return usageError("--max-concurrency %d is below --parallel %d: the environments kept warm count towards the limit", o.maxConcurrency, o.parallel)
	case o.idleEnvironmentTimeout < 0:
		return usageError("--idle-environment-timeout must not be negative, got %s", o.idleEnvironmentTimeout)
	}
	o.pool = replay.Pool{Max: max(o.maxConcurrency, o.parallel), IdleTimeout: o.idleEnvironmentTimeout, Throttle: o.throttle}
	return nil
}

// parseCodes reads a matcher: "200", "200,202" or "200-299".
func parseCodes(spec string) ([]int, error) { return serve.ParseCodes(spec) }
