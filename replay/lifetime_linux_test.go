package replay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rudeFn builds testdata/rudefn once for the whole test run.
func rudeFn(t *testing.T) string { return testproc.Build(t, "testdata/rudefn") }

// tagged returns an environment tag unique to the test and a function that
// lists the live processes carrying it.
func tagged(t *testing.T) (string, func() []string) {
	t.Helper()
	tag := fmt.Sprintf("RUDE_TAG=%s-%d", t.Name(), time.Now().UnixNano())
	return tag, func() []string { return testproc.Leftovers(tag) }
}

// A panic in an aws-lambda-go function is reported as an error and then the
// process exits: the exit belongs to the invocation that panicked, and the
// next event goes to a new process (before: FUNC-CRASH "ended between
// requests" for the next, innocent event).
func TestPanicFailsOnlyItsOwnInvocation(t *testing.T) {
	h := replay.RuntimeHandler([]string{rudeFn(t)}, nil, 1)
	defer h.Close()
	ctx := context.Background()
	r := h.Invoke(ctx, eventAt(t, "/panic"), 10*time.Second)
	require.NotNil(t, r.Failure)
	assert.Equal(t, validate.FUNCERROR, r.Failure.Rule)
	assert.Contains(t, r.Failure.Message, "assignment to entry in nil map")
	assert.Contains(t, r.Failure.Message, "the process exited after answering")
	assert.Contains(t, string(r.Logs), "about to panic")
	assert.Contains(t, string(r.Logs), "the next event goes to a new process")
	for i := range 3 {
		r := h.Invoke(ctx, eventAt(t, "/ok"), 10*time.Second)
		assert.Nil(t, r.Failure, "event %d after the panic", i)
		assert.NotContains(t, string(r.Logs), "about to panic", "the panic's output belongs to its own invocation")
	}
}

// A process killed at its timeout may leave a /next pending, from a second
// poll or from a descendant that survived it: that request must not take the
// next event. Before, the Runtime API's queue outlived the process, and about
// half of the events after a timeout went to the dead process's poller and
// timed out in turn (4 to 7 runs in 20 with a function that polls twice).
func TestKilledProcessTakesNoEvent(t *testing.T) {
	for _, init := range []string{"double-poll", "orphan-poller"} {
		t.Run(init, func(t *testing.T) {
			tag, left := tagged(t)
			h := replay.RuntimeHandler([]string{rudeFn(t)}, []string{"RUDE_INIT=" + init, tag}, 1)
			defer func() {
				h.Close()
				assert.Empty(t, left())
			}()
			ctx := context.Background()
			for i := range 8 {
				r := h.Invoke(ctx, eventAt(t, "/hang"), 200*time.Millisecond)
				require.NotNil(t, r.Failure)
				require.Equal(t, validate.FUNCTIMEOUT, r.Failure.Rule)
				r = h.Invoke(ctx, eventAt(t, "/ok"), 2*time.Second)
				require.Nil(t, r.Failure, "round %d: the event after a timeout", i)
			}
		})
	}
}

// A function that starts a process in a session of its own, holding its
// stdout open, neither hangs the run nor outlives it; one in its group ends
// with it too.
func TestDescendantsEndWithTheFunction(t *testing.T) {
	tag, left := tagged(t)
	h := replay.RuntimeHandler([]string{rudeFn(t)}, []string{tag}, 1)
	ctx := context.Background()
	for _, path := range []string{"/spawn-detached", "/spawn-group", "/ok"} {
		r := h.Invoke(ctx, eventAt(t, path), 10*time.Second)
		require.Nil(t, r.Failure, path)
	}
	done := make(chan struct{})
	go func() { h.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return: waiting for a descendant's end of file")
	}
	assert.Empty(t, left(), "processes left after Close")
}

// The same after a timeout: the hung process and what it started are gone
// before the next event.
func TestTimeoutEndsDescendants(t *testing.T) {
	tag, left := tagged(t)
	h := replay.RuntimeHandler([]string{rudeFn(t)}, []string{tag}, 1)
	defer h.Close()
	ctx := context.Background()
	require.Nil(t, h.Invoke(ctx, eventAt(t, "/spawn-detached"), 10*time.Second).Failure)
	// The detached child holds the pipe; a panic ends the process.
	r := h.Invoke(ctx, eventAt(t, "/panic"), 10*time.Second)
	require.NotNil(t, r.Failure)
	assert.Empty(t, left(), "processes left once the function's process ended")
	require.Nil(t, h.Invoke(ctx, eventAt(t, "/ok"), 10*time.Second).Failure)
}

// --exec: an answer counts when the process exits, even if a child it left
// keeps stdout open; the child is ended; a hang is stopped at the timeout,
// not when the last descendant lets go of the pipe (before: FUNC-TIMEOUT for
// an answer, and 21 s for a 3 s timeout).
func TestExecAnswerCountsAndLeavesNothing(t *testing.T) {
	bin := rudeFn(t)
	tag, left := tagged(t)
	env := append(os.Environ(), tag, "RUDE_INIT=exec-background")
	h := replay.ExecHandler([]string{bin}, env, 1)
	defer h.Close()
	start := time.Now()
	r := h.Invoke(context.Background(), eventAt(t, "/ok"), 3*time.Second)
	require.Nil(t, r.Failure)
	assert.Contains(t, string(r.Payload), `"statusCode": 200`)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Empty(t, left())

	env = append(os.Environ(), tag, "RUDE_INIT=exec-hang")
	h = replay.ExecHandler([]string{bin}, env, 1)
	start = time.Now()
	r = h.Invoke(context.Background(), eventAt(t, "/ok"), 500*time.Millisecond)
	require.NotNil(t, r.Failure)
	assert.Equal(t, validate.FUNCTIMEOUT, r.Failure.Rule)
	assert.Less(t, time.Since(start), 2*time.Second, "the timeout holds")
	assert.Empty(t, left())
}

// A binary that is no Lambda runtime: one that ends without asking for an
// event is told so and pointed at --exec; one that never asks fails once,
// and the events after it fail at once instead of 10 s each.
func TestNotALambdaRuntime(t *testing.T) {
	bin := rudeFn(t)
	ctx := context.Background()
	h := replay.RuntimeHandler([]string{bin}, []string{"RUDE_INIT=exit-0"}, 1)
	r := h.Invoke(ctx, eventAt(t, "/ok"), time.Second)
	require.NotNil(t, r.Failure)
	assert.Equal(t, validate.FUNCINIT, r.Failure.Rule)
	assert.Contains(t, r.Failure.Message, "not a Lambda function binary")
	assert.Contains(t, r.Failure.Message, "--exec")
	h.Close()

	defer replay.SetInitTimeout(300 * time.Millisecond)()
	tag, left := tagged(t)
	h = replay.RuntimeHandler([]string{bin}, []string{"RUDE_INIT=never-poll", tag}, 1)
	defer h.Close()
	r = h.Invoke(ctx, eventAt(t, "/ok"), time.Second)
	require.NotNil(t, r.Failure)
	assert.Contains(t, r.Failure.Message, "did not ask for an event")
	start := time.Now()
	for range 5 {
		r = h.Invoke(ctx, eventAt(t, "/ok"), time.Second)
		require.NotNil(t, r.Failure)
		assert.Equal(t, validate.FUNCINIT, r.Failure.Rule)
	}
	assert.Less(t, time.Since(start), 250*time.Millisecond, "later events fail at once")
	assert.Empty(t, left())
}

// A second answer to one event is dropped, as in Lambda, and the output of
// that event says so (before: silently).
func TestSecondAnswerIsTold(t *testing.T) {
	h := replay.RuntimeHandler([]string{rudeFn(t)}, []string{"RUDE_INIT=raw"}, 1)
	defer h.Close()
	r := h.Invoke(context.Background(), eventAt(t, "/twice"), 10*time.Second)
	require.Nil(t, r.Failure)
	logs := string(r.Logs)
	// The second answer lands after the first has returned: the output
	// shown with the next event tells it (the function asks for that event
	// only once its second answer was refused).
	r = h.Invoke(context.Background(), eventAt(t, "/ok"), 10*time.Second)
	require.Nil(t, r.Failure)
	logs += string(r.Logs)
	assert.Regexp(t, "a second answer to event|not under way", logs)
}

// A process that answers and then never asks for another event is still in
// that event for Lambda: the next event waits at most a timeout, then gets
// a new process (before: 10 s, then FUNC-INIT for the innocent event).
func TestAnswerThenStall(t *testing.T) {
	tag, left := tagged(t)
	h := replay.RuntimeHandler([]string{rudeFn(t)}, []string{"RUDE_INIT=raw", tag}, 1)
	ctx := context.Background()
	r := h.Invoke(ctx, eventAt(t, "/stall"), 1500*time.Millisecond)
	require.Nil(t, r.Failure)
	start := time.Now()
	r = h.Invoke(ctx, eventAt(t, "/ok"), 1500*time.Millisecond)
	require.Nil(t, r.Failure)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Less(t, r.Duration, time.Second, "the wait for the stalled process is not this event's duration")
	assert.Contains(t, string(r.Logs), "did not ask for another")
	h.Close()
	assert.Empty(t, left())
}

// Close ends --exec processes under way, and what they started: their
// invocations end as interrupted (before: Close did nothing, and serve's
// stop left them running).
func TestExecCloseEndsWhatRuns(t *testing.T) {
	tag, left := tagged(t)
	marker := filepath.Join(t.TempDir(), "hanging")
	require.NoError(t, syscall.Mkfifo(marker, 0o600))
	env := append(os.Environ(), tag, "RUDE_INIT=exec-hang", "RUDE_MARKER="+marker)
	h := replay.ExecHandler([]string{rudeFn(t)}, env, 1)
	done := make(chan replay.Result, 1)
	go func() { done <- h.Invoke(context.Background(), eventAt(t, "/ok"), time.Minute) }()
	f, err := os.Open(marker) // the process and its children are up
	require.NoError(t, err)
	f.Close()
	require.NoError(t, h.Close())
	select {
	case r := <-done:
		require.NotNil(t, r.Failure)
		assert.Equal(t, "interrupted", r.Failure.Message)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end the invocation under way")
	}
	assert.Empty(t, left())
}

// Between events the environment is frozen, as Lambda freezes it: a
// goroutine the function left running makes no progress until the next
// event. (Before, it ran on: 30 ticks of 10 ms in a 300 ms pause.)
func TestEnvironmentFrozenBetweenEvents(t *testing.T) {
	h := replay.RuntimeHandler([]string{rudeFn(t)}, nil, 1)
	defer h.Close()
	ticks := func() int {
		r := h.Invoke(context.Background(), eventAt(t, "/ticker"), 5*time.Second)
		require.Nil(t, r.Failure, string(r.Logs))
		var resp struct{ Body string }
		require.NoError(t, json.Unmarshal(r.Payload, &resp))
		n, err := strconv.Atoi(resp.Body)
		require.NoError(t, err)
		return n
	}
	ticks()
	time.Sleep(100 * time.Millisecond) // the ticker starts, the process asks for the next event
	before := ticks()
	time.Sleep(300 * time.Millisecond)
	after := ticks()
	assert.Less(t, after-before, 10, "the function's goroutine ticked %d times while the environment waited for an event", after-before)
}

// zombieChildren counts this process's children that are zombies.
func zombieChildren(t *testing.T) int {
	t.Helper()
	n := 0
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if f := strings.Fields(string(b[i+1:])); len(f) > 1 && f[0] == "Z" && f[1] == self {
			n++
		}
	}
	return n
}

// The children a function started in its process group die with its
// environment and are reaped: re-parented to albcheck, the subreaper, they
// stayed zombies for as long as it ran (serve piled up a dozen per stopped
// environment).
func TestEndedEnvironmentLeavesNoZombies(t *testing.T) {
	before := zombieChildren(t)
	for range 3 {
		h := replay.RuntimeHandler([]string{rudeFn(t)}, nil, 1)
		for range 2 {
			r := h.Invoke(context.Background(), eventAt(t, "/spawn-group"), 10*time.Second)
			require.Nil(t, r.Failure, string(r.Logs))
		}
		require.NoError(t, h.Close())
	}
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, before, zombieChildren(t), "zombie children of the test process")
}
