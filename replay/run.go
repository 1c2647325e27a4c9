package replay

import (
	"context"
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

// Run invokes every case (as many at once as the handler allows) and hands
// each outcome to emit in case order. When emit returns false the run stops:
// cases not yet started are not invoked.
func Run(ctx context.Context, cases []*Case, o Options, emit func(*Outcome) bool) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make([]chan *Outcome, len(cases))
	for i := range slots {
		slots[i] = make(chan *Outcome, 1)
	}
	// Invoking and checking are separate stages: a function process gets its
	// next event while the previous answer is being checked.
	type answered struct {
		i   int
		res Result
	}
	jobs := make(chan int)
	toCheck := make(chan answered, 64)
	var invokers, checkers sync.WaitGroup
	for range max(1, min(o.Handler.Concurrency(), len(cases))) {
		invokers.Go(func() {
			for i := range jobs {
				c := cases[i]
				if len(c.Problems) > 0 {
					toCheck <- answered{i: i}
					continue
				}
				toCheck <- answered{i, o.Handler.Invoke(ctx, c.EventJSON, timeout)}
			}
		})
	}
	for range 2 {
		checkers.Go(func() {
			for a := range toCheck {
				slots[a.i] <- Check(cases[a.i], a.res)
			}
		})
	}
	go func() {
		invokers.Wait()
		close(toCheck)
	}()
	go func() {
		defer close(jobs)
		for i := range cases {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := range cases {
		var out *Outcome
		select {
		case out = <-slots[i]:
		case <-ctx.Done():
		}
		if out == nil || !emit(out) {
			break
		}
	}
	cancel()
	invokers.Wait()
	checkers.Wait()
}
