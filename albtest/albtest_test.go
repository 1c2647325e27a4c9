package albtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/albcheck/albcheck/albtest"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records failures instead of failing, so
// that the helpers' messages can be asserted: they are the product.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	failed bool
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.failed = true
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); r.FailNow() }
func (r *recorder) Fail()                             { r.mu.Lock(); r.failed = true; r.mu.Unlock() }
func (r *recorder) FailNow()                          { r.Fail(); runtime.Goexit() }
func (r *recorder) Failed() bool                      { r.mu.Lock(); defer r.mu.Unlock(); return r.failed }

// record runs f with a recorder in its own goroutine (FailNow ends it).
func record(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func goodResponse() events.ALBTargetGroupResponse {
	return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"id":42,"tags":["a"]}`}
}

func TestAssertResponsePasses(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/orders/42")
	r := record(t, func(tb testing.TB) {
		ok := albtest.AssertResponse(tb, req, goodResponse(), albtest.Status(200), albtest.HeaderIs("content-type", "application/json"),
			albtest.NoHeader("Location"), albtest.JSONEq(`{"tags": ["a"], "id": 42}`))
		assert.True(t, ok)
	})
	assert.False(t, r.Failed(), "%v", r.errors)
}

// A broken response fails with the rule id, the pointer and what the ALB
// would do.
func TestAssertResponseExplainsA502(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/orders/42")
	resp := goodResponse()
	resp.Headers = nil
	resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
	r := record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, resp, albtest.Status(200)) })
	require.True(t, r.Failed())
	require.Len(t, r.errors, 1)
	assert.Equal(t, `albtest: the response fails (single mode; the client would get 502):
  RESP-004 /headers: "headers" must be an object, got null: this is the field a single-mode target group reads
      → the client would get 502: the ALB answers 502 (LambdaInvalidResponse) instead of the function's reply
  RESP-006 /multiValueHeaders: the only header field is "multiValueHeaders", which a single-mode target group ignores: the client gets none of these headers (use "headers")`, r.errors[0])
}

// Expectation mismatches show the expectation and the actual value, as a
// diff for bodies.
func TestAssertResponseExpectations(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/orders/42", albtest.WithMultiValue())
	resp := events.ALBTargetGroupResponse{StatusCode: 404, StatusDescription: "404 Not Found", MultiValueHeaders: map[string][]string{"Content-Type": {"text/plain"}, "X-Trace": {"abc"}}, Body: "line one\nline two\n"}
	r := record(t, func(tb testing.TB) {
		albtest.AssertResponse(tb, req, resp, albtest.Status(200, 201), albtest.HeaderMatches("Content-Type", "^application/json"), albtest.NoHeader("X-Trace"), albtest.BodyIs("line one\nline 2\n"))
	})
	require.Len(t, r.errors, 1)
	msg := r.errors[0]
	assert.Contains(t, msg, "albtest: the response fails (multi mode; the client would get 404):")
	assert.Contains(t, msg, "EXPECT-STATUS status: status 404, want [200 201]")
	assert.Contains(t, msg, `EXPECT-HEADER headers/Content-Type: Content-Type is "text/plain", want a match for /^application/json/`)
	assert.Contains(t, msg, `EXPECT-HEADER headers/X-Trace: X-Trace is "abc", want it absent`)
	assert.Contains(t, msg, "EXPECT-BODY body: the body differs:")
	assert.Contains(t, msg, "-line 2\n")
	assert.Contains(t, msg, "+line two\n")
	assert.NotContains(t, msg, "RESP-", "the response itself is fine")
}

func TestRequireResponseStops(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/")
	reached := false
	r := record(t, func(tb testing.TB) {
		albtest.RequireResponse(tb, req, events.ALBTargetGroupResponse{StatusCode: 200, Body: "x"}, albtest.Status(500))
		reached = true
	})
	assert.True(t, r.Failed())
	assert.False(t, reached, "RequireResponse stops the test")
}

func TestNewRequestRefusals(t *testing.T) {
	r := record(t, func(tb testing.TB) { albtest.NewRequest(tb, "TRACE", "/") })
	require.Len(t, r.errors, 1)
	assert.Contains(t, r.errors[0], `albtest.NewRequest("TRACE", "/"): a real ALB answers 405 Method Not Allowed`)
	r = record(t, func(tb testing.TB) { albtest.NewRequest(tb, "GET", "no-slash") })
	assert.Contains(t, r.errors[0], "neither a path")
}

func TestGolden(t *testing.T) {
	t.Setenv("ALBTEST_UPDATE", "") // a check-only run, whatever the caller's environment
	dir := t.TempDir()
	golden := filepath.Join(dir, "order.golden")
	req := albtest.NewRequest(t, "GET", "/orders/42")
	r := record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, goodResponse(), albtest.Golden(golden)) })
	require.Len(t, r.errors, 1)
	assert.Contains(t, r.errors[0], "golden file order.golden")
	require.NoError(t, os.WriteFile(golden, []byte(`{"id":42,"tags":["a"]}`), 0o644))
	r = record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, goodResponse(), albtest.Golden(golden)) })
	assert.False(t, r.Failed(), "%v", r.errors)
}

// Replay and ReplayHTTP run fixtures as subtests; a failing case names its
// file and says why.
func TestReplayHTTP(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), []byte(`[
  {"name": "hello", "request": {"method": "GET", "target": "/hello?name=ada"}, "expect": {"status": 200, "body": {"equals": "hello ada"}}},
  {"name": "image", "mode": "multi", "request": {"method": "GET", "target": "/img"}, "expect": {"status": 200, "headers": {"content-type": "image/png"}}}
]`), 0o644))
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello %s", r.URL.Query().Get("name"))
	})
	mux.HandleFunc("/img", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G'})
	})
	albtest.ReplayHTTP(t, dir, mux)
}

// TestReplayReportsFailures is the failing replay itself; it runs only as
// the subprocess of TestReplayReportsFailuresSubprocess, which reads its
// output (an inner *testing.T cannot be made by hand).
func TestReplayReportsFailures(t *testing.T) {
	if os.Getenv("ALBTEST_INNER") == "" {
		t.Skip("run by TestReplayReportsFailuresSubprocess")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "one.json"), []byte(`{"name": "order", "request": {"method": "GET", "target": "/orders/1"}, "expect": {"status": 200}}`), 0o644))
	handler := func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{}, errors.New("database down")
	}
	albtest.Replay(t, dir, handler)
}

// The replay's failure message, as go test prints it, from a subprocess.
func TestReplayReportsFailuresSubprocess(t *testing.T) {
	if os.Getenv("ALBTEST_INNER") != "" {
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestReplayReportsFailures$", "-test.v")
	cmd.Env = append(os.Environ(), "ALBTEST_INNER=1", "ALBTEST_UPDATE=")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the inner replay fails:\n%s", out)
	s := string(out)
	assert.Contains(t, s, "--- FAIL: TestReplayReportsFailures/order")
	assert.Contains(t, s, "one.json: albtest: the response fails (single mode; the client would get 502):")
	assert.Contains(t, s, "FUNC-ERROR (root): the handler returned an error: database down")
	assert.Contains(t, s, "→ the client would get 502: the ALB answers 502 (LambdaUnhandled)")
	assert.True(t, strings.Count(s, "--- FAIL") >= 2)
}
