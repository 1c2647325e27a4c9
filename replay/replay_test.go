package replay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenFn builds testdata/brokenfn once for the whole test run.
func brokenFn(t *testing.T) string { return testproc.Build(t, "testdata/brokenfn") }

// eventAt is the JSON of a GET event for path.
func eventAt(t *testing.T, path string) []byte {
	t.Helper()
	ev, err := fakeevent.New("GET", path).Seed(1).Event()
	require.NoError(t, err)
	return fakeevent.Marshal(ev)
}

func event(t *testing.T, mode fakeevent.Mode) *replay.Case {
	t.Helper()
	ev, err := fakeevent.New("GET", "/orders").Mode(mode).Seed(1).Event()
	require.NoError(t, err)
	return &replay.Case{File: "x.json", Name: "x", Mode: mode, Event: ev, EventJSON: fakeevent.Marshal(ev)}
}

// Each common mistake, through an unmodified Lambda binary over the Runtime
// API, gives exactly the finding that explains it.
func TestBrokenFunctions(t *testing.T) {
	bin := brokenFn(t)
	tests := []struct {
		broken  string
		rule    validate.RuleID
		pointer string
		message string
	}{
		{"status-string", validate.RESP001, "/statusCode", "statusCode must be an integer, got a string (200)"},
		{"multi-headers", validate.RESP006, "/multiValueHeaders", `the only header field is "multiValueHeaders"`},
		{"base64-flag", validate.RESP005, "/body", "isBase64Encoded is true but body is not strict base64"},
		{"big-body", validate.RESP008, "", "over the ALB's limit of 1048576"},
		{"panic", validate.FUNCERROR, "", "assignment to entry in nil map"},
		{"error", validate.FUNCERROR, "", "order service unavailable"},
		{"crash", validate.FUNCCRASH, "", "exit status 2"},
		{"init-exit", validate.FUNCINIT, "", "ended during initialisation (exit status 3)"},
		{"hang", validate.FUNCTIMEOUT, "", "Task timed out after 0.50 seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.broken, func(t *testing.T) {
			t.Parallel()
			h := replay.RuntimeHandler([]string{bin}, []string{"BROKEN=" + tt.broken}, 1)
			defer h.Close()
			c := event(t, fakeevent.Single)
			timeout := 10 * time.Second // generous: tests run in parallel on a small machine
			if tt.broken == "hang" {
				timeout = 500 * time.Millisecond
			}
			res := h.Invoke(context.Background(), c.EventJSON, timeout)
			o := replay.Check(c, res)
			assert.False(t, o.OK(false))
			var found *validate.Finding
			for i, f := range o.Findings {
				if f.Rule == tt.rule && f.Pointer == tt.pointer {
					found = &o.Findings[i]
				}
			}
			require.NotNil(t, found, "want %s at %q, got %v", tt.rule, tt.pointer, o.Findings)
			assert.Contains(t, found.Message, tt.message)
			if tt.broken == "init-exit" {
				assert.Contains(t, string(res.Logs), "cannot connect to the database", "the function's output is kept")
			}
		})
	}
}

// Printing to stdout is only logging for a Runtime API function, but it
// breaks a process whose stdout is the answer (--exec).
func TestPrintingToStdout(t *testing.T) {
	bin := brokenFn(t)
	c := event(t, fakeevent.Single)

	h := replay.RuntimeHandler([]string{bin}, []string{"BROKEN=stdout"}, 1)
	defer h.Close()
	res := h.Invoke(context.Background(), c.EventJSON, 2*time.Second)
	o := replay.Check(c, res)
	assert.True(t, o.OK(false), "%v", o.Findings)
	assert.Contains(t, string(res.Logs), "DEBUG: handling /orders")

	ex := replay.ExecHandler([]string{bin}, []string{"BROKEN=exec-garbage"}, 1)
	o = replay.Check(c, ex.Invoke(context.Background(), c.EventJSON, 2*time.Second))
	require.NotEmpty(t, o.Findings)
	assert.Equal(t, validate.JSON001, o.Findings[0].Rule)
	assert.Equal(t, 502, o.Response.StatusCode, "the client gets the ALB's 502")

	ex = replay.ExecHandler([]string{bin}, []string{"BROKEN=exec-ok"}, 1)
	o = replay.Check(c, ex.Invoke(context.Background(), c.EventJSON, 2*time.Second))
	assert.True(t, o.OK(true), "%v", o.Findings)
}

// A process stays warm between invocations, and one killed by a timeout is
// started again for the next request.
func TestWarmAndRestartAfterTimeout(t *testing.T) {
	bin := brokenFn(t)
	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	defer h.Close()
	c := event(t, fakeevent.Single)
	for range 20 {
		o := replay.Check(c, h.Invoke(context.Background(), c.EventJSON, 2*time.Second))
		require.True(t, o.OK(false), "%v", o.Findings)
	}

	hang := replay.RuntimeHandler([]string{bin}, []string{"BROKEN=hang"}, 1)
	defer hang.Close()
	for range 2 {
		res := hang.Invoke(context.Background(), c.EventJSON, 200*time.Millisecond)
		require.NotNil(t, res.Failure)
		assert.Equal(t, validate.FUNCTIMEOUT, res.Failure.Rule, "each invocation times out on a fresh process")
	}
}

func TestGoHandler(t *testing.T) {
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		if req.Path == "/panic" {
			panic("boom")
		}
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"X-Path": req.Path}, Body: "hi"}, nil
	})
	c := event(t, fakeevent.Single)
	o := replay.Check(c, h.Invoke(context.Background(), c.EventJSON, time.Second))
	assert.True(t, o.OK(true), "%v", o.Findings)
	assert.Equal(t, "/orders", o.Response.Header.Get("X-Path"))

	ev, err := fakeevent.New("GET", "/panic").Event()
	require.NoError(t, err)
	res := h.Invoke(context.Background(), fakeevent.Marshal(ev), time.Second)
	require.NotNil(t, res.Failure)
	assert.Equal(t, validate.FUNCERROR, res.Failure.Rule)
	assert.True(t, strings.HasPrefix(res.Failure.Message, "panic: boom"))
}
