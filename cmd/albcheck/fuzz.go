package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fakeevent/gen"
	"github.com/albcheck/albcheck/fuzz"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/spf13/cobra"
)

type fuzzOptions struct {
	handlerOptions
	paths     []string
	runs      int
	duration  time.Duration
	seed      uint64
	mode      string
	out       string
	format    string
	failOn5xx bool
	color     string
	infra     []string
}

func newFuzzCmd(s *streams) *cobra.Command {
	o := &fuzzOptions{}
	cmd := &cobra.Command{
		Use:   "fuzz --cmd BINARY|--exec COMMAND|--invoke-url URL|--function NAME|--runtime RUNTIME --handler FILE.EXPORT [SEED-FIXTURE|DIR]... [-- ARGS...]",
		Short: "Send generated ALB events to a function and report the inputs that break it",
		Long: `Send generated request events to a function, the way albcheck replay sends fixtures
(the same handlers, warm processes), and check each answer against the ALB's rules.
The events are the ones a real ALB sends, made on purpose to break functions: form
posts and other bodies base64-encoded, query strings still URL-encoded (with '+',
repeated keys, empty values, double-encoded characters), paths with %2F, unicode
and dot segments up to the ALB's length limit, cookies without '=', repeated and
large headers, bodies near 1 MB, health checks, and both target-group modes. Every
event passes albcheck validate --strict: a finding is never about an input no ALB
would send.

A failure is a response the ALB would answer 502 (by rule id, such as RESP-004),
a function error (FUNC-ERROR), a crash (FUNC-CRASH) or a timeout (FUNC-TIMEOUT),
and with --fail-on-5xx a 5xx answer. Each kind is reported once, with the smallest
event that shows it: the first failing event is shrunk (headers dropped, path,
query and body shortened) while it fails the same way. With --out each is written
as a fixture file (RULE.json, such as resp-004.json) that albcheck replay
reproduces.

--infra FILE takes the mode from the project's infrastructure code, as in replay:
the target group of the deployed --function, else the only Lambda target group.

Fixtures given as arguments seed the run: every other event is a mutation of one
of their requests. The run is reproducible with --seed: the same seed, the same
events, whatever --parallel.

Exit status: 0 when nothing was found, 1 when something was, 2 for usage errors.`,
		Example: `  go build -o bin/orders ./examples/orders && albcheck fuzz --cmd bin/orders --runs 500
  albcheck fuzz --cmd bin/orders --duration 30s --seed 7 --out fuzz-findings/ fixtures/
  albcheck fuzz --cmd bin/orders --mode single --runs 200 --fail-on-5xx --format json
  albcheck fuzz --cmd bin/orders --infra examples/orders/template.yaml --runs 200   # in the target group's mode
  albcheck replay --cmd bin/orders fuzz-findings/     # reproduce what fuzz wrote (if it wrote anything)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash >= 0 {
				o.paths, o.cmdArgs = args[:dash], args[dash:]
			} else {
				o.paths = args
			}
			return runFuzz(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	addHandlerFlags(f, &o.handlerOptions)
	f.IntVar(&o.runs, "runs", 0, fmt.Sprintf("events to send (default %d unless --duration)", fuzz.DefaultRuns))
	f.DurationVar(&o.duration, "duration", 0, "stop sending events after this long (with --runs, whichever comes first); shrinking what was found then takes at most as long again")
	f.Uint64Var(&o.seed, "seed", 1, "seed of the generated events: the same seed, the same events")
	f.StringVar(&o.mode, "mode", "", "target-group mode: single, multi or both (default both, or the --infra target group's)")
	f.StringArrayVar(&o.infra, "infra", nil, infraFlagHelp)
	f.StringVar(&o.out, "out", "", "write each failure as a fixture file into this folder")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	f.BoolVar(&o.failOn5xx, "fail-on-5xx", false, "count an answer with a 5xx status as a failure")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	return cmd
}

func runFuzz(ctx context.Context, o *fuzzOptions, s *streams) error {
	if err := o.handlerOptions.takeFlags(false); err != nil {
		return err
	}
	if err := o.handlerOptions.check(); err != nil {
		return err
	}
	if o.runs < 0 || o.duration < 0 {
		return usageError("--runs and --duration must not be negative")
	}
	var mode fakeevent.Mode
	switch o.mode {
	case "both":
	case "":
		if len(o.infra) > 0 {
			m, err := loadInfraModes(o.infra)
			if err != nil {
				return err
			}
			only, err := m.only(o.function)
			if err != nil {
				return err
			}
			mode = fakeevent.Mode(only)
		}
	case "single", "multi":
		mode = fakeevent.Mode(o.mode)
	default:
		return usageError("unknown mode %q (want single, multi or both)", o.mode)
	}
	if o.format != "text" && o.format != "json" {
		return usageError("unknown format %q (want text or json)", o.format)
	}
	var seeds []*gen.Request
	if len(o.paths) > 0 {
		seq, err := inputs.Expand(o.paths)
		if err != nil {
			return usageError("%v", err)
		}
		for in := range seq {
			if in.Err != nil {
				return usageError("%v", in.Err)
			}
			cases, err := replay.LoadWith(in.Path, replay.LoadOptions{Mode: mode, Root: in.Root})
			if err != nil {
				return usageError("%v", err)
			}
			seeds = append(seeds, fuzz.SeedsFrom(cases)...)
		}
		if len(seeds) == 0 {
			return usageError("no usable seed fixture in %s", strings.Join(o.paths, ", "))
		}
	}

	o.handlerOptions.warn = s.err
	h, err := o.handlerOptions.build(ctx)
	if err != nil {
		return err
	}
	defer h.Close()
	if err := startHandler(h, o.handlerOptions); err != nil {
		return err
	}
	defer o.handlerOptions.leaveCores()()

	prog := newProgress(s, o.format == "text").withTotal(o.runs)
	rep, err := fuzz.Run(ctx, fuzz.Options{
		Handler: h, Runs: o.runs, Duration: o.duration, Seed: o.seed, Timeout: o.timeout,
		Mode: mode, FailOn5xx: o.failOn5xx, Seeds: seeds,
		Progress: func(failed bool) { prog.stepResult(!failed) },
	})
	prog.done()
	if err != nil {
		return err
	}
	var paths []string
	if o.out != "" && len(rep.Findings) > 0 {
		if paths, err = fuzz.WriteFixtures(o.out, rep.Findings); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}

	out := bufio.NewWriter(s.out)
	defer out.Flush()
	color := o.color == "always" || (o.color == "auto" && s.outTTY && !s.noColor)
	r, err := render.New(o.format, out, render.Options{Color: color})
	if err != nil {
		return usageError("%v", err)
	}
	for i, f := range rep.Findings {
		res := render.Result{
			Path: "(not written: see --out)", Name: f.Class, Kind: validate.KindFixture,
			Mode: validate.Mode(f.Request.Mode), Findings: errorFindings(f.Outcome.Findings),
			Logs: string(f.Outcome.Result.Logs), Client: clientGets(f.Outcome),
		}
		if i < len(paths) {
			res.Path = paths[i]
		}
		if f.Class == fuzz.Class5xx {
			res.Findings = []validate.Finding{{Rule: "STATUS-5XX", Severity: validate.Error, Message: f.Message()}}
		}
		if o.format == "text" {
			res.Name = fmt.Sprintf("%s: first at run %d of %d, %d failing runs; shrunk from %d to %d bytes: %s", f.Class, f.Run, rep.Runs, f.Count, f.Shrunk, f.Request.Size(), shortTarget(f.Request))
		}
		if err := r.Result(res); err != nil {
			return err
		}
	}
	if o.format == "text" && len(rep.Findings) > 0 && o.out == "" {
		fmt.Fprintln(out, "(give --out DIR to write each failure as a fixture that albcheck replay reproduces)")
	}
	sum := render.Summary{Failed: len(rep.Findings), Runs: max(rep.Runs, 1)}
	if se := interruption(ctx); se != nil {
		sum.Interrupted = signalName(se.sig)
	}
	if err := r.Finish(sum); err != nil {
		return err
	}
	if o.format == "text" && rep.Elapsed > 0 {
		running := rep.Elapsed - rep.Shrinking
		fmt.Fprintf(s.err, "%d runs in %s (%.0f runs/s), shrinking %s, seed %d\n", rep.Runs, running.Round(time.Millisecond), float64(rep.Runs)/running.Seconds(), rep.Shrinking.Round(time.Millisecond), o.seed)
	}
	if interruption(ctx) != nil {
		return nil
	}
	if len(rep.Findings) > 0 {
		return errFindings
	}
	return nil
}

func errorFindings(fs []validate.Finding) []validate.Finding {
	var out []validate.Finding
	for _, f := range fs {
		if f.Severity == validate.Error {
			out = append(out, f)
		}
	}
	return out
}

// shortTarget is the request's method and target for a summary line, the
// target cut when long.
func shortTarget(r *gen.Request) string {
	method := r.Method
	if r.HealthCheck {
		method = "GET"
	}
	t := r.Target()
	if len(t) > 80 {
		t = t[:80] + "… (" + strconv.Itoa(len(t)) + " bytes)"
	}
	if r.HealthCheck {
		t += " (health check)"
	}
	return method + " " + render.Printable(t)
}
