package replay

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/albcheck/albcheck/validate"
)

// DefaultTimeout is Lambda's default function timeout.
const DefaultTimeout = 3 * time.Second

// Options configure a run.
type Options struct {
	Handler Handler
	// Timeout bounds each invocation (DefaultTimeout when zero).
	Timeout time.Duration
	// Route, when set, routes each case through a load balancer's rules
	// (replay --infra with handlers by function name): the case goes to the
	// handler, mode and timeout it returns, or gets the load balancer's own
	// answer; Handler may then be nil.
	Route func(*Case) Routed
	// Concurrency is how many cases run at once when Handler is nil
	// (default 1).
	Concurrency int
}

// aheadLimit bounds how many outcomes may wait for an earlier one, so that
// memory does not grow with the number of cases.
const aheadLimit = 256

// Run invokes every case (as many at once as the handler allows) and hands
// each outcome to emit in case order. Cases are read from the sequence as
// the run goes, so a suite of any size runs in bounded memory. When emit
// returns false or ctx is cancelled the run stops: cases not yet started are
// not invoked, and those cancelled under way have no outcome.
func Run(ctx context.Context, cases iter.Seq[*Case], o Options, emit func(*Outcome) bool) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type slot struct {
		c        *Case
		res      Result
		mismatch string
		done     chan *Outcome
	}
	workers := max(1, o.Concurrency)
	if o.Handler != nil {
		workers = max(1, o.Handler.Concurrency())
	}
	window := make(chan *slot, aheadLimit+2*workers)
	jobs := make(chan *slot, workers)
	// Invoking and checking are separate stages: a function process gets its
	// next event while the previous answer is being checked.
	toCheck := make(chan *slot, 64)
	var invokers, checkers sync.WaitGroup
	for range workers {
		invokers.Go(func() {
			for sl := range jobs {
				if len(sl.c.Problems) == 0 && o.Route != nil {
					rt := o.Route(sl.c)
					if rt.Problem != nil {
						sl.c.Problems = append(sl.c.Problems, *rt.Problem)
					} else {
						sl.c.route(rt)
						sl.mismatch = rt.Mismatch
					}
					if len(sl.c.Problems) == 0 {
						sl.res = invokeRouted(ctx, sl.c, rt, timeout)
					}
				} else if len(sl.c.Problems) == 0 {
					sl.res = o.Handler.Invoke(ctx, sl.c.EventJSON, timeout)
				}
				if len(sl.c.Problems) == 0 {
					if ctx.Err() != nil && sl.res.Failure != nil {
						// Cancelled by the stop, not failed: no result.
						sl.done <- nil
						continue
					}
				}
				toCheck <- sl
			}
		})
	}
	for range 1 {
		checkers.Go(func() {
			for sl := range toCheck {
				out := Check(sl.c, sl.res)
				if sl.mismatch != "" {
					// Where the request went is checked before what came back.
					out.Findings = append([]validate.Finding{validate.NewFinding(validate.EXPECTFUNCTION, sl.c.pointer("/function"), sl.mismatch)}, out.Findings...)
				}
				sl.done <- out
			}
		})
	}
	go func() {
		invokers.Wait()
		close(toCheck)
	}()
	go func() {
		defer close(window)
		defer close(jobs)
		for c := range cases {
			sl := &slot{c: c, done: make(chan *Outcome, 1)}
			select {
			case window <- sl:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- sl:
			case <-ctx.Done():
				sl.done <- nil // in the window: the loop below waits for it
				return
			}
		}
	}()
	stopped := false
	for sl := range window {
		out := <-sl.done
		if stopped || out == nil {
			continue // draining what was under way, or not run
		}
		if !emit(out) {
			stopped = true
			cancel()
		}
	}
	invokers.Wait()
	checkers.Wait()
}
