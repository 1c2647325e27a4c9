package replay

import (
	"context"
	"time"

	"github.com/albcheck/albcheck/validate"
)

// ThrottledHandler is a function whose reserved concurrency is 0: Lambda
// never runs it and throttles every invocation (setting reserved
// concurrency to 0 is AWS's documented way to stop a function from being
// invoked at all). It starts no process.
func ThrottledHandler() Handler { return throttledHandler{} }

type throttledHandler struct{}

func (throttledHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	return Result{Throttled: true, Failure: fail(validate.FUNCERROR, "%s: the function's reserved concurrency is 0, so it is never invoked", ThrottleMessage)}
}

// Concurrency is 1, not 0: callers run that many invocations at once, and
// one is enough to hand out throttles.
func (throttledHandler) Concurrency() int { return 1 }

func (throttledHandler) Close() error { return nil }
