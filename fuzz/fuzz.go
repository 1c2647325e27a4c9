// Package fuzz runs generated ALB events (package fakeevent/gen) through a
// function, the way albcheck replay runs fixtures, and reports each distinct
// way the function fails once, with the smallest event that shows it: a
// response the ALB would answer 502 (by rule id), a function error, crash
// or timeout, and optionally a 5xx answer. Each finding can be written as a
// fixture file that albcheck replay reproduces.
package fuzz

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fakeevent/gen"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
)

// DefaultRuns is how many events a run sends when neither Runs nor
// Duration is set.
const DefaultRuns = 1000

// Class5xx is the failure class of a 5xx answer (Options.FailOn5xx).
const Class5xx = "5xx"

// Options configure a run; the zero value (with a Handler) is useful.
type Options struct {
	Handler replay.Handler
	// Runs is how many events to send; Duration bounds the run's time.
	// With neither, DefaultRuns. With both, whichever ends first.
	Runs     int
	Duration time.Duration
	// Seed makes the run reproducible: the same seed, the same events.
	Seed uint64
	// Timeout bounds each invocation (replay.DefaultTimeout when zero).
	Timeout time.Duration
	// Mode is the target group's mode; "" sends both.
	Mode fakeevent.Mode
	// FailOn5xx counts an answer with a 5xx status as a failure.
	FailOn5xx bool
	// Seeds are requests to mutate (from fixtures, FromCases): every
	// other run mutates one of them instead of generating from scratch.
	Seeds []*gen.Request
	// ShrinkRuns bounds the invocations spent shrinking one finding
	// (default 300), ShrinkTime the time (default 30 s). With Duration
	// and no ShrinkTime, shrinking every finding together takes at most
	// Duration again: a run asked to last 4 s once took 38, shrinking a
	// timeout at 3 s a try.
	ShrinkRuns int
	ShrinkTime time.Duration
	// Progress, when set, is called after each run with whether it failed
	// (from one goroutine at a time).
	Progress func(failed bool)
}

// Finding is one distinct failure: its class and the smallest request
// found that shows it.
type Finding struct {
	// Class is the rule id of the failure (RESP-004, FUNC-ERROR,
	// FUNC-TIMEOUT …) or Class5xx.
	Class string
	// Run is the first run (counted from 1) that failed this way, and
	// Count how many runs did.
	Run, Count int
	// Request is the shrunk request; Event its event as the ALB writes it.
	Request *gen.Request
	Event   []byte
	// Outcome is the function's answer to Event, checked.
	Outcome *replay.Outcome
	// Shrunk is the size of the first failing request, in bytes, before
	// shrinking; Request.Size() is its size after.
	Shrunk int
}

// Report is what a run found.
type Report struct {
	// Runs is how many events were sent (shrinking not counted); Failed
	// how many of them failed.
	Runs, Failed int
	// Findings has one entry per failure class, in the order first found.
	Findings []*Finding
	// Elapsed is the whole run's time; Shrinking the part of it spent
	// shrinking.
	Elapsed, Shrinking time.Duration
}

// Run sends generated events to o.Handler until o.Runs or o.Duration, then
// shrinks each failure class's smallest event. A cancelled ctx ends the run
// early; what was found so far is shrunk and reported unless ctx is done.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Handler == nil {
		return nil, errors.New("fuzz: no handler")
	}
	if o.Timeout <= 0 {
		o.Timeout = replay.DefaultTimeout
	}
	runs := o.Runs
	if runs <= 0 && o.Duration <= 0 {
		runs = DefaultRuns
	}
	start := time.Now()
	var deadline time.Time
	if o.Duration > 0 {
		deadline = start.Add(o.Duration)
	}

	var (
		mu     sync.Mutex
		best   = map[string]*Finding{}
		order  []string
		failed int
		done   int
		next   atomic.Int64
	)
	workers := max(1, o.Handler.Concurrency())
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if (runs > 0 && i >= runs) || (!deadline.IsZero() && time.Now().After(deadline)) {
					return
				}
				r := o.request(i)
				out, class := o.try(ctx, r)
				if ctx.Err() != nil {
					return // cancelled under way: no result
				}
				mu.Lock()
				done++
				if class != "" {
					failed++
					f := best[class]
					if f == nil {
						f = &Finding{Class: class, Run: i + 1, Request: r, Outcome: out}
						best[class] = f
						order = append(order, class)
					} else if r.Size() < f.Request.Size() || (r.Size() == f.Request.Size() && i+1 < f.Run) {
						f.Request, f.Outcome = r, out
					}
					f.Run = min(f.Run, i+1)
					f.Count++
				}
				if o.Progress != nil {
					o.Progress(class != "")
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	rep := &Report{Runs: done, Failed: failed}
	// First found first; under parallelism, by the run that found it.
	slices.SortStableFunc(order, func(a, b string) int { return best[a].Run - best[b].Run })
	shrinkStart := time.Now()
	var shrinkDeadline time.Time // zero: each finding gets ShrinkTime
	if o.Duration > 0 && o.ShrinkTime <= 0 {
		shrinkDeadline = shrinkStart.Add(o.Duration)
	}
	for _, class := range order {
		f := best[class]
		f.Shrunk = f.Request.Size()
		if ctx.Err() == nil {
			o.shrink(ctx, f, shrinkDeadline)
		}
		f.Event, _ = f.Request.JSON()
		rep.Findings = append(rep.Findings, f)
	}
	rep.Elapsed, rep.Shrinking = time.Since(start), time.Since(shrinkStart)
	return rep, nil
}

// request is the request of run i: generated, or every other run a
// mutation of a seed. It depends on the seed and i only, so a run is
// reproducible whatever the parallelism.
func (o *Options) request(i int) *gen.Request {
	src := gen.NewSource(mix(o.Seed, uint64(i)))
	if len(o.Seeds) > 0 && i%2 == 1 {
		r := gen.Mutate(src, o.Seeds[src.IntN(len(o.Seeds))])
		if o.Mode != "" {
			r.Mode = o.Mode
		}
		return r
	}
	return gen.Generate(src, o.Mode)
}

// mix spreads a seed and a run number over 64 bits (SplitMix64).
func mix(seed, i uint64) uint64 {
	z := seed*0x9e3779b97f4a7c15 + i + 1
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// try sends r and returns the checked outcome and its failure class ("" for
// none). A request that makes no valid event (which the generator never
// makes, but a shrink can) has the class "" and a nil outcome.
func (o *Options) try(ctx context.Context, r *gen.Request) (*replay.Outcome, string) {
	return Try(ctx, o.Handler, r, o.Timeout, o.FailOn5xx)
}

// Try sends one request's event to h and returns the checked outcome and
// its failure class: the rule of its first error finding (a FUNC-* failure
// or a response rule the ALB answers 502 for), else Class5xx for a 5xx
// answer when failOn5xx, else "". A request that makes no event (a
// *fakeevent.RefusedError) has a nil outcome and the class "".
func Try(ctx context.Context, h replay.Handler, r *gen.Request, timeout time.Duration, failOn5xx bool) (*replay.Outcome, string) {
	ev, err := r.Event()
	if err != nil {
		return nil, ""
	}
	doc := fakeevent.Marshal(ev)
	c := &replay.Case{Name: "fuzz", Mode: r.Mode, Event: ev, EventJSON: doc}
	out := replay.Check(c, h.Invoke(ctx, doc, timeout))
	for _, f := range out.Findings {
		if f.Severity == validate.Error {
			return out, string(f.Rule)
		}
	}
	if failOn5xx && out.Response != nil && out.Response.StatusCode >= 500 {
		return out, Class5xx
	}
	return out, ""
}

// FromBytes is the request a native fuzzer's input stands for: the first
// byte chooses between a generated request (the rest drives the generator,
// gen.BytesSource), a seed as it is, and a mutated seed (the second byte
// picks the seed). mode "" lets the bytes choose the mode too.
func FromBytes(data []byte, mode fakeevent.Mode, seeds []*gen.Request) *gen.Request {
	var r *gen.Request
	if len(data) >= 2 && len(seeds) > 0 && data[0]%4 != 0 {
		seed := seeds[int(data[1])%len(seeds)]
		if data[0]%4 == 1 {
			r = seed.Clone()
		} else {
			r = gen.Mutate(gen.BytesSource(data[2:]), seed)
		}
		if mode != "" {
			r.Mode = mode
		}
		return r
	}
	if len(data) > 0 {
		data = data[1:]
	}
	return gen.Generate(gen.BytesSource(data), mode)
}

// shrink makes f's request as small as it can while it fails with the
// same class: it tries the request's shrinks in order, keeps the first that
// still fails so, and starts again from it, within the budgets. A shrink
// that is not an event a real ALB sends is skipped, never tried.
func (o *Options) shrink(ctx context.Context, f *Finding, deadline time.Time) {
	budget := o.ShrinkRuns
	if budget <= 0 {
		budget = 300
	}
	if deadline.IsZero() {
		limit := o.ShrinkTime
		if limit <= 0 {
			limit = 30 * time.Second
		}
		deadline = time.Now().Add(limit)
	}
	// One try that would run past the deadline (a timeout's, say) is not
	// started: it is bounded by the invocation timeout.
	tryCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	ctx = tryCtx
	for budget > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		improved := false
		for _, c := range f.Request.Shrinks() {
			if budget <= 0 || !time.Now().Before(deadline) || ctx.Err() != nil {
				break
			}
			if !realistic(c) {
				continue
			}
			budget--
			out, class := o.try(ctx, c)
			if ctx.Err() != nil {
				return // cut short by the deadline: its outcome says nothing
			}
			if class == f.Class {
				f.Request, f.Outcome = c, out
				improved = true
				break
			}
		}
		if !improved {
			return
		}
	}
}

// realistic reports whether a request makes an event a real ALB sends:
// one that passes validate with warnings counted.
func realistic(r *gen.Request) bool {
	doc, err := r.JSON()
	return err == nil && validate.Request(doc, validate.WithStrict(true)).OK()
}

// Message is the first error finding's message, or the status for Class5xx.
func (f *Finding) Message() string {
	for _, fd := range f.Outcome.Findings {
		if fd.Severity == validate.Error {
			return fd.Message
		}
	}
	if f.Outcome.Response != nil {
		return fmt.Sprintf("the function answered %d", f.Outcome.Response.StatusCode)
	}
	return ""
}
