package replay_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// managed starts a handler of a managed runtime on the interpreter found on
// PATH, from a code dir under testdata/.
func managed(t *testing.T, runtime, handler, codeDir string) replay.Handler {
	t.Helper()
	rt, err := replay.ParseRuntime(runtime)
	require.NoError(t, err)
	in, err := rt.FindInterpreter(context.Background())
	if err != nil {
		t.Skipf("no interpreter: %v", err)
	}
	h, err := replay.ManagedRuntimeHandler(rt, in, handler, codeDir, nil, 1)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// Node.js and Python handlers run by name with albcheck's own bootstraps:
// their answers, their errors as Lambda reports them (the error type in
// FUNC-ERROR), timeouts that stop the process (and a new one for the next
// event), and modules that fail as they load (FUNC-INIT).
func TestManagedRuntimes(t *testing.T) {
	for _, tc := range []struct {
		name, runtime, handler, dir string
		rule                        validate.RuleID // empty: a valid answer
		contains                    []string        // in the failure's message, or the body
		logs                        string
	}{
		{name: "node async", runtime: "nodejs", handler: "app.handler", dir: "testdata/nodefn",
			contains: []string{`"style":"async"`, `"functionName":"nodefn"`, `"arn":"arn:aws:lambda:us-east-1:123456789012:function:nodefn"`}, logs: "\tINFO\thandling /orders\n"},
		{name: "node callback", runtime: "nodejs20.x", handler: "app.callback", dir: "testdata/nodefn",
			contains: []string{`"style":"callback"`}},
		{name: "node ES module", runtime: "nodejs", handler: "esm.handler", dir: "testdata/nodefn",
			contains: []string{`esm nodefn`}},
		{name: "node ES module by package type", runtime: "nodejs", handler: "esmpkg/index.handler", dir: "testdata/nodefn",
			contains: []string{`type module 36`}},
		{name: "node context.succeed", runtime: "nodejs", handler: "app.succeed", dir: "testdata/nodefn",
			contains: []string{`"style":"succeed"`}},
		{name: "node context.fail", runtime: "nodejs", handler: "app.fail", dir: "testdata/nodefn",
			rule: validate.FUNCERROR, contains: []string{"Error: failed through the context"}},
		{name: "node dependency missing", runtime: "nodejs", handler: "needsdep.handler", dir: "testdata/nodefn",
			rule: validate.FUNCINIT, contains: []string{"Runtime.ImportModuleError: Error: Cannot find module 'left-pad-that-is-not-there'"}},
		{name: "node throws", runtime: "nodejs", handler: "app.throws", dir: "testdata/nodefn",
			rule: validate.FUNCERROR, contains: []string{"OrderNotFound: no order 42"}},
		{name: "node callback error", runtime: "nodejs", handler: "app.callbackError", dir: "testdata/nodefn",
			rule: validate.FUNCERROR, contains: []string{"TypeError: bad callback"}},
		{name: "node uncaught exception", runtime: "nodejs", handler: "app.uncaught", dir: "testdata/nodefn",
			rule: validate.FUNCERROR, contains: []string{"SyntaxError: thrown from a timer", "the process exited after answering"}},
		{name: "node unhandled rejection", runtime: "nodejs", handler: "app.unhandled", dir: "testdata/nodefn",
			rule: validate.FUNCERROR, contains: []string{"Runtime.UnhandledPromiseRejection: TypeError: nobody waits for me"}},
		{name: "node crashes", runtime: "nodejs", handler: "app.crashes", dir: "testdata/nodefn",
			rule: validate.FUNCCRASH, contains: []string{"Runtime.ExitError: Runtime exited with error: exit status 3"}},
		{name: "node hangs", runtime: "nodejs", handler: "app.hangs", dir: "testdata/nodefn",
			rule: validate.FUNCTIMEOUT},
		{name: "node import fails", runtime: "nodejs", handler: "broken.handler", dir: "testdata/nodefn",
			rule: validate.FUNCINIT, contains: []string{"RangeError: the configuration is missing"}},
		{name: "node handler missing", runtime: "nodejs", handler: "app.nothing", dir: "testdata/nodefn",
			rule: validate.FUNCINIT, contains: []string{"Runtime.HandlerNotFound"}},
		{name: "node module missing", runtime: "nodejs", handler: "nowhere.handler", dir: "testdata/nodefn",
			rule: validate.FUNCINIT, contains: []string{"Runtime.ImportModuleError"}},
		{name: "node logs in order", runtime: "nodejs", handler: "app.loudThenError", dir: "testdata/nodefn",
			contains: []string{`"style":"loud then error"`}, logs: "\tERROR\tCE-MARK\n"},
		{name: "node default export", runtime: "nodejs", handler: "esmdefault.handler", dir: "testdata/nodefn",
			rule: validate.FUNCINIT, contains: []string{"Runtime.HandlerNotFound: esmdefault.handler is undefined or not exported"}},
		{name: "python decimal", runtime: "python3.12", handler: "app.decimal_answer", dir: "testdata/pyfn",
			contains: []string{"decimal answer"}},
		{name: "python bytes", runtime: "python", handler: "app.bytes_answer", dir: "testdata/pyfn",
			contains: []string{"bytes answer"}},
		{name: "python", runtime: "python", handler: "app.handler", dir: "testdata/pyfn",
			contains: []string{`"functionName": "pyfn"`, `"helper": "helper"`, `"arn": "arn:aws:lambda:us-east-1:123456789012:function:pyfn"`}, logs: "handling /orders\n[INFO]\t"},
		{name: "python throws", runtime: "python3.11", handler: "app.throws", dir: "testdata/pyfn",
			rule: validate.FUNCERROR, contains: []string{"OrderNotFound: no order 42"},
			logs: "[ERROR] OrderNotFound: no order 42\nTraceback (most recent call last):\n  File "},
		{name: "python crashes", runtime: "python", handler: "app.crashes", dir: "testdata/pyfn",
			rule: validate.FUNCCRASH, contains: []string{"Runtime.ExitError: Runtime exited with error: exit status 3"}},
		{name: "python hangs", runtime: "python", handler: "app.hangs", dir: "testdata/pyfn",
			rule: validate.FUNCTIMEOUT},
		{name: "python import fails", runtime: "python", handler: "broken.handler", dir: "testdata/pyfn",
			rule: validate.FUNCINIT, contains: []string{"RuntimeError: the configuration is missing"}},
		{name: "python module missing", runtime: "python", handler: "nowhere.handler", dir: "testdata/pyfn",
			rule: validate.FUNCINIT, contains: []string{"Runtime.ImportModuleError: Unable to import module 'nowhere'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := managed(t, tc.runtime, tc.handler, tc.dir)
			ctx := context.Background()
			timeout := 3 * time.Second
			if tc.rule == validate.FUNCTIMEOUT {
				timeout = 300 * time.Millisecond
			}
			// Twice: the second event goes to the warm process, or to a
			// new one after a timeout.
			for i := range 2 {
				r := h.Invoke(ctx, eventAt(t, "/orders"), timeout)
				if tc.rule == "" {
					require.Nil(t, r.Failure, "event %d: %s", i, string(r.Logs))
					rep := validate.Response(r.Payload, validate.WithMode(validate.ModeSingle))
					assert.Empty(t, rep.Findings, "event %d: %s", i, r.Payload)
					var resp struct{ Body string }
					require.NoError(t, json.Unmarshal(r.Payload, &resp))
					for _, s := range tc.contains {
						assert.Contains(t, resp.Body, s)
					}
					// What the handler saw of its context.
					var seen struct {
						RequestID string  `json:"requestId"`
						Remaining float64 `json:"remaining"`
					}
					if json.Unmarshal([]byte(resp.Body), &seen) == nil && seen.RequestID != "" {
						assert.Len(t, seen.RequestID, 36, "the request id, a UUID")
						assert.Greater(t, seen.Remaining, 0.0, "getRemainingTimeInMillis")
						assert.LessOrEqual(t, seen.Remaining, 3000.0, "getRemainingTimeInMillis")
					}
					if tc.logs != "" {
						assert.Contains(t, string(r.Logs), tc.logs)
					}
					continue
				}
				require.NotNil(t, r.Failure, "event %d: %s", i, r.Payload)
				assert.Equal(t, tc.rule, r.Failure.Rule, "event %d: %s", i, r.Failure.Message)
				if tc.logs != "" {
					assert.Contains(t, string(r.Logs), tc.logs)
				}
				if i == 0 || tc.rule != validate.FUNCINIT {
					for _, s := range tc.contains {
						assert.Contains(t, r.Failure.Message, s, "event %d", i)
					}
				}
			}
		})
	}
}

func TestParseRuntime(t *testing.T) {
	for name, want := range map[string]replay.Runtime{
		"nodejs":     {Name: "nodejs", Language: "nodejs"},
		"nodejs18.x": {Name: "nodejs18.x", Language: "nodejs", Major: 18},
		"nodejs22.x": {Name: "nodejs22.x", Language: "nodejs", Major: 22},
		"python":     {Name: "python", Language: "python"},
		"python3.9":  {Name: "python3.9", Language: "python", Major: 3, Minor: 9},
		"python3.13": {Name: "python3.13", Language: "python", Major: 3, Minor: 13},
	} {
		got, err := replay.ParseRuntime(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"nodejs16.x", "nodejs23.x", "python2.7", "python3.8", "python3.14", "java21", "node"} {
		_, err := replay.ParseRuntime(bad)
		assert.Error(t, err, bad)
	}
}

func TestVersionWarning(t *testing.T) {
	node20 := replay.Interpreter{Path: "/usr/bin/node", Version: "20.11.1"}
	py311 := replay.Interpreter{Path: "/usr/bin/python3", Version: "3.11.2"}
	for _, tc := range []struct {
		runtime string
		in      replay.Interpreter
		warn    bool
	}{
		{"nodejs", node20, false},
		{"nodejs20.x", node20, false},
		{"nodejs22.x", node20, true},
		{"python", py311, false},
		{"python3.11", py311, false},
		{"python3.12", py311, true},
	} {
		rt, err := replay.ParseRuntime(tc.runtime)
		require.NoError(t, err)
		w := rt.VersionWarning(tc.in)
		if tc.warn {
			assert.Contains(t, w, tc.in.Version, tc.runtime)
		} else {
			assert.Empty(t, w, tc.runtime)
		}
	}
}

// --env names the function, as Lambda's configuration does: its name is in
// the environment, the context and the invoked ARN.
func TestManagedRuntimeFunctionName(t *testing.T) {
	rt, err := replay.ParseRuntime("python")
	require.NoError(t, err)
	in, err := rt.FindInterpreter(context.Background())
	if err != nil {
		t.Skipf("no interpreter: %v", err)
	}
	h, err := replay.ManagedRuntimeHandler(rt, in, "app.handler", "testdata/pyfn", []string{"AWS_LAMBDA_FUNCTION_NAME=orders"}, 1)
	require.NoError(t, err)
	defer h.Close()
	r := h.Invoke(context.Background(), eventAt(t, "/orders"), 3*time.Second)
	require.Nil(t, r.Failure)
	assert.Contains(t, string(r.Payload), `\"functionName\": \"orders\"`)
	assert.Contains(t, string(r.Payload), `function:orders\"`)
}

// A timer a handler leaves behind fires in the next event, as in Lambda,
// where the environment is frozen between events: here the promise it
// rejects ends the process during the second event, whatever the pause
// between the two (before: the process died during the pause, and the
// second event passed in a new one, or failed, as timing had it).
func TestNodeWorkLeftBehindRunsInTheNextEvent(t *testing.T) {
	h := managed(t, "nodejs", "app.rejectsLater", "testdata/nodefn")
	r := h.Invoke(context.Background(), eventAt(t, "/first"), 3*time.Second)
	require.Nil(t, r.Failure, string(r.Logs))
	time.Sleep(200 * time.Millisecond)
	r = h.Invoke(context.Background(), eventAt(t, "/second"), 3*time.Second)
	require.NotNil(t, r.Failure, "the timer of the first event fired in the second: %s", r.Payload)
	assert.Contains(t, r.Failure.Message+string(r.Logs), "rejected after the answer")
}

// An answer far over Lambda's limit is Function.ResponseSizeTooLarge, and
// the environment lives on for the next event (before: the Runtime API
// answered mid-body and closed the connection, and the bootstrap died of
// EPIPE or BrokenPipeError, its traceback in the user's logs).
func TestHugeAnswerKeepsTheEnvironment(t *testing.T) {
	for _, tc := range []struct{ runtime, dir string }{{"nodejs", "testdata/nodefn"}, {"python", "testdata/pyfn"}} {
		t.Run(tc.runtime, func(t *testing.T) {
			h := managed(t, tc.runtime, "app.huge", tc.dir)
			for i := range 2 {
				r := h.Invoke(context.Background(), eventAt(t, "/huge"), 10*time.Second)
				require.NotNil(t, r.Failure, "event %d", i)
				assert.Contains(t, r.Failure.Message, "Function.ResponseSizeTooLarge", "event %d", i)
				assert.NotRegexp(t, "EPIPE|BrokenPipe|albcheck bootstrap", string(r.Logs), "event %d", i)
				if i == 1 {
					assert.Zero(t, r.InitDuration, "the second event started a new environment: %s", r.Logs)
				}
			}
		})
	}
}
