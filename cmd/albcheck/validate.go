package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/validate"
	"github.com/spf13/cobra"
)

type validateOptions struct {
	paths    []string
	kind     string
	mode     string
	format   string
	strict   bool
	quiet    bool
	failFast bool
	maxSize  int64
	workers  int
	color    string
	engine   string
	infra    []string
}

const defaultMaxSize = inputs.DefaultMaxSize

func newValidateCmd(s *streams) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate [PATH|DIR|GLOB|-]...",
		Short: "Check ALB request events, response documents and fixture files",
		Long: `Check each document against the JSON Schemas and the rules of the ALB contract.
Directories are walked for *.json files; - reads standard input. Only regular
files are read (feed a pipe to -). Each document's kind (request event, response
document, fixture file) is detected from its keys,
or set with --kind; its mode (multi-value headers off or on) likewise, or --mode.

Exit status: 0 when every input passes, 1 when any fails, 2 for usage errors or
when no input could be read, 130 (SIGINT) or 143 (SIGTERM) when a signal
stopped the run, after printing the results finished before it. Warnings fail
only with --strict.

--infra FILE takes the mode from the project's infrastructure code (see albcheck
infra): the mode of its only Lambda target group. Documents do not say which
function they are for, so with several Lambda target groups give --mode.`,
		Example: `  albcheck validate testdata/
  albcheck validate --strict --format github 'events/*.json'
  my-handler < event.json | albcheck validate --kind response --mode multi -
  albcheck validate --format junit fixtures/ > albcheck-junit.xml
  albcheck validate --infra examples/orders/template.yaml examples/documents/valid/get-order-event.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runValidate(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kind, "kind", "auto", "document kind: auto, request, response or fixture")
	f.StringVar(&o.mode, "mode", "auto", "target-group mode: auto, single or multi")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(render.Formats, ", "))
	f.BoolVar(&o.strict, "strict", false, "warnings fail too")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "print failing documents only")
	f.BoolVar(&o.failFast, "fail-fast", false, "stop at the first failing document")
	f.Int64Var(&o.maxSize, "max-size", defaultMaxSize, "refuse documents larger than this many bytes")
	f.IntVarP(&o.workers, "workers", "j", runtime.GOMAXPROCS(0), "documents checked in parallel")
	f.StringVar(&o.color, "color", "auto", "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
	f.StringArrayVar(&o.infra, "infra", nil, infraFlagHelp)
	f.StringVar(&o.engine, "engine", "fast", "fast: a single Go pass decides clean documents, the rest go through the reference engine; reference: always gojsonschema and the rules (same findings, slower)")
	for name, values := range map[string][]string{
		"kind":   {"auto", "request", "response", "fixture"},
		"mode":   {"auto", "single", "multi"},
		"format": render.Formats,
		"color":  {"auto", "always", "never"},
		"engine": {"fast", "reference"},
	} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	return cmd
}

func runValidate(ctx context.Context, o *validateOptions, s *streams) error {
	if o.workers < 1 {
		return usageError("--workers must be at least 1, got %d", o.workers)
	}
	kind, err := validate.ParseKind(o.kind)
	if err != nil {
		return usageError("%v", err)
	}
	mode, err := validate.ParseMode(o.mode)
	if err != nil {
		return usageError("%v", err)
	}
	if len(o.infra) > 0 && mode == validate.ModeAuto {
		m, err := loadInfraModes(o.infra)
		if err != nil {
			return err
		}
		if mode, err = m.only(""); err != nil {
			return err
		}
	}
	engine, err := validate.ParseEngine(o.engine)
	if err != nil {
		return usageError("%v", err)
	}
	color := false
	switch o.color {
	case "auto":
		color = s.outTTY && !s.noColor
	case "always":
		color = true
	case "never":
	default:
		return usageError("unknown --color %q (want auto, always or never)", o.color)
	}
	out := bufio.NewWriter(s.out)
	defer out.Flush()
	r, err := render.New(o.format, out, render.Options{Color: color, Quiet: o.quiet})
	if err != nil {
		return usageError("%v", err)
	}
	if len(o.paths) == 0 {
		return usageError("nothing to check: give files, directories, globs, or - for standard input")
	}
	if o.maxSize <= 0 {
		return usageError("--max-size must be positive")
	}
	seq, err := inputs.Expand(o.paths)
	if err != nil {
		return usageError("%v", err)
	}

	// Positions are found for the reports that are shown: a quiet run
	// prints no passing document.
	quietFormat := o.quiet && (o.format == "text" || o.format == "github")
	// Each document is read into a buffer of its own that nothing changes:
	// it may be decoded in place.
	opts := []validate.Option{validate.WithMode(mode), validate.WithStrict(o.strict), validate.WithEngine(engine), validate.WithInPlace()}
	if kind != "" {
		opts = append(opts, validate.WithKind(kind))
	}
	read := func(in inputs.Input) ([]byte, *render.Result) {
		doc, err := inputs.Read(in, s.in, o.maxSize)
		if err == nil {
			return doc, nil
		}
		f := readFinding(err)
		f.Line, f.Column = 1, 1 // the file as a whole
		return nil, &render.Result{Path: in.Path, Kind: validate.KindUnknown, Findings: []validate.Finding{f}}
	}
	// A document takes up to some 40 times its size in memory while it is
	// checked (its decoded value): four 16 MB documents at once, one per
	// worker, took 2.5 GB. Documents over a megabyte are checked one at a
	// time, so the peak is one large document's however many workers run.
	var large sync.Mutex
	var budget *gcBudget
	check := func(in inputs.Input, doc []byte) render.Result {
		if len(doc) > largeDocument {
			large.Lock()
			defer large.Unlock()
		}
		if budget != nil && len(doc) > budgetSlack {
			defer budget.hold()()
		}
		opts := opts
		if rel, err := filepath.Rel(in.Root, in.Path); in.Path != inputs.Stdin && err == nil {
			// The files a fixture names, looked up as replay would.
			opts = append(opts[:len(opts):len(opts)], validate.WithFixtureFile(in.Root, rel))
		}
		rep := validate.Document(doc, opts...)
		if rep.Skipped && in.Path == inputs.Stdin && kind == "" {
			// What comes through a pipe is a handler's answer
			// (my-handler < event.json | albcheck validate -): an object
			// of no known kind is a response the ALB cannot use, not a
			// file to pass over.
			rep = validate.Document(doc, append(opts[:len(opts):len(opts)], validate.WithKind(validate.KindResponse))...)
		}
		if !quietFormat || !(rep.OK() || rep.Skipped) {
			validate.LocateFindings(doc, rep.Findings)
		}
		return render.Result{Path: in.Path, Kind: rep.Kind, Mode: rep.Mode, OK: rep.OK(), Skipped: rep.Skipped, SkipReason: rep.SkipReason, Findings: rep.Findings}
	}

	// The collector works to a memory budget rather than to GOGC's ratio
	// (see gcBudget). GOGC or GOMEMLIMIT set by the user wins.
	_, gogc := os.LookupEnv("GOGC")
	_, gomemlimit := os.LookupEnv("GOMEMLIMIT")
	if !gogc && !gomemlimit {
		budget = newGCBudget()
		defer budget.restore()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := checkAll(ctx, seq, max(o.workers, 1), read, check)

	var sum render.Summary
	unreadable := 0
	prog := newProgress(s, o.format == "text" || o.format == "github")
	total := 0
	for res := range results {
		if res.unreadable {
			unreadable++
			f := res.r.Findings[0]
			fmt.Fprintf(s.err, "albcheck: %s: %s %s: %s\n", render.Printable(res.r.Path), f.Rule, f.Severity, render.Printable(f.Message))
		}
		total++
		sum.Count(res.r)
		prog.step()
		if err := r.Result(res.r); err != nil {
			return err
		}
		if o.failFast && !res.r.OK && !res.r.Skipped {
			sum.Stopped = "--fail-fast"
			cancel()
			break
		}
	}
	prog.done()
	// Interrupted or not, what was checked is printed with its summary;
	// run turns a signal into its exit status.
	if se := interruption(ctx); se != nil {
		sum.Interrupted = signalName(se.sig)
	}
	if err := r.Finish(sum); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	switch {
	case interruption(ctx) != nil:
		return nil
	case total == 0:
		return usageError("no *.json files under %s", strings.Join(o.paths, ", "))
	case unreadable == total:
		return &exitError{code: exitUsage, err: errors.New("no input could be read")}
	case sum.Failed > 0:
		return errFindings
	}
	return nil
}

// readFinding is the finding for an input that could not be read: JSON-005
// when it is over --max-size, JSON-007 otherwise.
func readFinding(err error) validate.Finding {
	var tl *inputs.TooLargeError
	if errors.As(err, &tl) {
		tl.Flag = "--max-size"
		return validate.NewFinding(validate.JSON005, "", "not read: "+err.Error())
	}
	return validate.NewFinding(validate.JSON007, "", "cannot read: "+err.Error())
}

// largeDocument is the size past which validate checks documents one at a
// time.
const largeDocument = 1 << 20

// aheadLimit bounds how many results may wait for an earlier one.
const aheadLimit = 256

type checked struct {
	r          render.Result
	unreadable bool
}

// checkAll reads and checks inputs and delivers the results in input order.
// Reading and checking are separate stages, each with `workers` goroutines:
// while a reader waits in a system call, checkers keep the processors busy.
// At most aheadLimit results wait ahead of the one being delivered, so
// memory stays flat however many inputs there are, and one slow document
// does not leave the other workers idle.
func checkAll(ctx context.Context, list iter.Seq[inputs.Input], workers int,
	read func(inputs.Input) ([]byte, *render.Result), check func(inputs.Input, []byte) render.Result) <-chan checked {
	type slot struct {
		in   inputs.Input
		doc  []byte
		done chan checked
	}
	window := make(chan *slot, aheadLimit+2*workers)
	toRead := make(chan *slot, workers)
	toCheck := make(chan *slot, workers)
	out := make(chan checked)
	var readers sync.WaitGroup
	for range workers {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for sl := range toRead {
				doc, failed := read(sl.in)
				if failed != nil {
					sl.done <- checked{*failed, true}
					continue
				}
				sl.doc = doc
				toCheck <- sl
			}
		}()
		go func() {
			for sl := range toCheck {
				r := check(sl.in, sl.doc)
				sl.doc = nil
				sl.done <- checked{r, false}
			}
		}()
	}
	go func() {
		readers.Wait()
		close(toCheck)
	}()
	go func() {
		defer close(toRead)
		defer close(window)
		for in := range list {
			sl := &slot{in: in, done: make(chan checked, 1)}
			select {
			case window <- sl:
			case <-ctx.Done():
				return
			}
			select {
			case toRead <- sl:
			case <-ctx.Done():
				sl.done <- checked{} // in the window: the collector waits for it
				return
			}
		}
	}()
	go func() {
		defer close(out)
		for sl := range window {
			if ctx.Err() != nil {
				return // a select with both ready picks either: stop first
			}
			var c checked
			select {
			case c = <-sl.done:
			case <-ctx.Done():
				// A reader may be blocked for good (standard input left
				// open): stop without waiting for it.
				return
			}
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// gcBudget sets the collector's pace for a validate run. Left to GOGC, the
// heap may grow to a multiple of what is live, and what is live is mostly
// the binary's own tables (the AWS SDK's among them): a run over 10,000
// small files collected 25 times and spent a tenth of its time on it, and
// a lower GOGC, to stay under 25 MB, spent more. Instead, while the
// documents are small, the collector runs when the Go runtime's memory
// reaches a fixed budget (a soft limit, debug.SetMemoryLimit) with GOGC
// high, so that they make few collections and the peak stays where it was
// (BENCHMARKS.md). A document over budgetSlack takes up to some 40 times
// its size while it is checked, which no fixed budget suits (the collector
// would run without pause, or the heap grow to GOGC's 400%): while one is
// checked, the pace is GOGC's at largeGOGC, as it was before.
type gcBudget struct {
	mu         sync.Mutex
	large      int // documents over budgetSlack being checked
	oldPercent int
	oldLimit   int64
}

const (
	gcBase      = 13 << 20 // measured: see BENCHMARKS.md, "Two corpora"
	smallGOGC   = 400
	largeGOGC   = 75
	budgetSlack = 16 << 10
)

func newGCBudget() *gcBudget {
	b := &gcBudget{}
	b.oldLimit = debug.SetMemoryLimit(gcBase)
	b.oldPercent = debug.SetGCPercent(smallGOGC)
	return b
}

// hold sets the pace for a large document until the returned function is
// called.
func (b *gcBudget) hold() (release func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.large++; b.large == 1 {
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(largeGOGC)
	}
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.large--; b.large == 0 {
			debug.SetGCPercent(smallGOGC)
			debug.SetMemoryLimit(gcBase)
		}
	}
}

func (b *gcBudget) restore() {
	debug.SetGCPercent(b.oldPercent)
	debug.SetMemoryLimit(b.oldLimit)
}
