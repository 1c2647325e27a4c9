package replay

import (
	"context"
	"iter"
	"sync"
	"time"
)

// DefaultTimeout is Lambda's default function timeout.
const DefaultTimeout = 3 * time.Second

// Options configure a run.
type Options struct {
	Handler Handler
	// Timeout bounds each invocation (DefaultTimeout when zero).
	Timeout time.Duration
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
		c    *Case
		res  Result
		done chan *Outcome
	}
	workers := max(1, o.Handler.Concurrency())
	window := make(chan *slot, aheadLimit+2*workers)
	jobs := make(chan *slot, workers)
	// Invoking and checking are separate stages: a function process gets its
	// next event while the previous answer is being checked.
	toCheck := make(chan *slot, 64)
	var invokers, checkers sync.WaitGroup
	for range workers {
		invokers.Go(func() {
			for sl := range jobs {
				if len(sl.c.Problems) == 0 {
					sl.res = o.Handler.Invoke(ctx, sl.c.EventJSON, timeout)
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
				sl.done <- Check(sl.c, sl.res)
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
