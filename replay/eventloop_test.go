package replay_test

import (
	"context"
	"testing"
	"time"

	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// context.callbackWaitsForEmptyEventLoop, as AWS's Node.js runtime reads
// it: true (the default) sends a callback's answer once the event loop is
// empty, so after the handler's pending timer; false sends it at once, and
// the pending work finishes in the next invocation's time.
func TestNodeCallbackWaitsForEmptyEventLoop(t *testing.T) {
	t.Parallel()
	h := managed(t, "nodejs", "app.waits", "testdata/nodefn")
	ctx := context.Background()

	wait := h.Invoke(ctx, eventAt(t, "/wait"), 5*time.Second)
	require.Nil(t, wait.Failure)
	assert.GreaterOrEqual(t, wait.Duration, 400*time.Millisecond, "the answer waited for the timer")
	assert.Contains(t, string(wait.Logs), "pending work done for /wait")

	nowait := h.Invoke(ctx, eventAt(t, "/nowait"), 5*time.Second)
	require.Nil(t, nowait.Failure)
	assert.Less(t, nowait.Duration, 350*time.Millisecond, "the answer went at callback time")
	assert.NotContains(t, string(nowait.Logs), "pending work done for /nowait")

	next := h.Invoke(ctx, eventAt(t, "/wait"), 5*time.Second)
	require.Nil(t, next.Failure)
	assert.Contains(t, string(next.Logs), "pending work done for /nowait", "the pending work went on after the answer")
	assert.Equal(t, wait.Environment, next.Environment, "the same process")
}

// A handler that never answers while the event loop empties: an async one
// fails as Lambda's runtime fails it (Runtime.NodeJsExit), a callback one
// answers null; the process lives on for the next event.
func TestNodeEmptyEventLoopWithoutAnswer(t *testing.T) {
	t.Parallel()
	async := managed(t, "nodejs", "app.neverSettles", "testdata/nodefn")
	for i := range 2 {
		r := async.Invoke(context.Background(), eventAt(t, "/"), 3*time.Second)
		require.NotNil(t, r.Failure, "event %d", i)
		assert.Equal(t, validate.FUNCERROR, r.Failure.Rule, r.Failure.Message)
		assert.Contains(t, r.Failure.Message, "Runtime.NodeJsExit")
	}
	forgets := managed(t, "nodejs", "app.forgets", "testdata/nodefn")
	r := forgets.Invoke(context.Background(), eventAt(t, "/"), 3*time.Second)
	require.Nil(t, r.Failure)
	assert.Equal(t, "null", string(r.Payload))
}

// A module that exits with status 0 as it loads is a runtime that ended
// during init, as Lambda reports it (Runtime.ExitError), not a binary that
// is no Lambda function.
func TestManagedRuntimeExitsAtImport(t *testing.T) {
	t.Parallel()
	for _, rt := range []string{"nodejs", "python"} {
		h := managed(t, rt, "quits.handler", "testdata/exitfn")
		r := h.Invoke(context.Background(), eventAt(t, "/"), 3*time.Second)
		require.NotNil(t, r.Failure, rt)
		assert.Equal(t, validate.FUNCINIT, r.Failure.Rule, rt)
		assert.Contains(t, r.Failure.Message, "Runtime.ExitError", rt)
		assert.Contains(t, r.Failure.Message, "Runtime exited without providing a reason", rt)
		assert.NotContains(t, r.Failure.Message, "--exec", rt)
	}
}
