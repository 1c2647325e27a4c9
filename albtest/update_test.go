package albtest_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/albcheck/albcheck/albtest"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// longAgo is the modification time files are set to, so that a test can
// tell whether an update run wrote them again.
var longAgo = time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)

func age(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		require.NoError(t, os.Chtimes(p, longAgo, longAgo))
	}
}

func assertUntouched(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		assert.True(t, fi.ModTime().Equal(longAgo), "%s was written again (modified %s)", p, fi.ModTime())
	}
}

// ALBTEST_UPDATE=1 writes a Golden file from the body, only when it differs,
// and never from the ALB's own 502.
func TestGoldenUpdate(t *testing.T) {
	t.Setenv("ALBTEST_UPDATE", "1")
	golden := filepath.Join(t.TempDir(), "new", "order.golden")
	req := albtest.NewRequest(t, "GET", "/orders/42")
	assertPasses := func(resp events.ALBTargetGroupResponse) {
		t.Helper()
		r := record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, resp, albtest.Golden(golden)) })
		require.False(t, r.Failed(), "%v", r.errors)
	}

	assertPasses(goodResponse())
	b, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, goodResponse().Body, string(b))

	age(t, golden)
	assertPasses(goodResponse())
	assertUntouched(t, golden)

	changed := goodResponse()
	changed.Body = `{"id":43}`
	assertPasses(changed)
	b, err = os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, changed.Body, string(b))

	broken := changed
	broken.Headers = nil // single mode: the ALB answers 502
	r := record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, broken, albtest.Golden(golden)) })
	require.Len(t, r.errors, 1)
	assert.Contains(t, r.errors[0], "RESP-004 /headers")
	b, err = os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, changed.Body, string(b), "the ALB's 502 is not recorded")

	// A golden file that cannot be written fails with the reason.
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	r = record(t, func(tb testing.TB) {
		albtest.AssertResponse(tb, req, goodResponse(), albtest.Golden(filepath.Join(file, "x.golden")))
	})
	require.Len(t, r.errors, 1)
	assert.Contains(t, r.errors[0], "EXPECT-BODY body: update golden file: mkdir "+file)
}

// The variable's values: 1 and true update, 0 and empty only check, and
// anything else is an error rather than a guess.
func TestUpdateVariable(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/orders/42")
	for _, tc := range []struct {
		value   string
		written bool
		err     string
	}{
		{"1", true, ""},
		{"true", true, ""},
		{"0", false, "golden file order.golden"},
		{"", false, "golden file order.golden"},
		{"yes", false, `albtest: ALBTEST_UPDATE="yes": want 1 (rewrite from the answers) or 0 (only check)`},
	} {
		t.Run(tc.value, func(t *testing.T) {
			t.Setenv("ALBTEST_UPDATE", tc.value)
			golden := filepath.Join(t.TempDir(), "order.golden")
			r := record(t, func(tb testing.TB) { albtest.AssertResponse(tb, req, goodResponse(), albtest.Golden(golden)) })
			_, err := os.Stat(golden)
			assert.Equal(t, tc.written, err == nil, "golden file written")
			if tc.err == "" {
				assert.False(t, r.Failed(), "%v", r.errors)
				return
			}
			require.NotEmpty(t, r.errors)
			assert.Contains(t, r.errors[0], tc.err)
		})
	}
}

func helloHandler(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "text/plain"}, Body: "hi from " + req.Path}, nil
}

// An update run writes golden files and expectations from the answers, and
// the recorded cases pass in the same run; a second update run, with the
// same answers, writes nothing.
func TestReplayUpdate(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "hello.json")
	golden := filepath.Join(dir, "hello.golden")
	require.NoError(t, os.WriteFile(fixture, []byte(`{"name": "hello", "request": {"method": "GET", "target": "/hello"}, "expect": {"status": 201, "body": {"file": "hello.golden"}}}`), 0o644))
	t.Setenv("ALBTEST_UPDATE", "1")
	albtest.Replay(t, dir, helloHandler)
	b, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, "hi from /hello", string(b))
	b, err = os.ReadFile(fixture)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"status": 200`)

	age(t, fixture, golden)
	albtest.Replay(t, dir, helloHandler)
	assertUntouched(t, fixture, golden)

	t.Setenv("ALBTEST_UPDATE", "")
	albtest.Replay(t, dir, helloHandler) // passes as recorded
}

// TestReplayUpdateInner is an update run with an expectation that cannot be
// recorded (a duration); it runs only as the subprocess of
// TestReplayUpdateKeepsFailures.
func TestReplayUpdateInner(t *testing.T) {
	dir := os.Getenv("ALBTEST_INNER_DIR")
	if dir == "" {
		t.Skip("run by TestReplayUpdateKeepsFailures")
	}
	slow := func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		time.Sleep(20 * time.Millisecond)
		return helloHandler(ctx, req)
	}
	albtest.Replay(t, dir, slow)
}

// An update records what it can (the status, the body) and still reports
// what it cannot (a duration over its bound): the update does not hide it.
func TestReplayUpdateKeepsFailures(t *testing.T) {
	if os.Getenv("ALBTEST_INNER_DIR") != "" {
		return
	}
	dir := t.TempDir()
	fixture := filepath.Join(dir, "hello.json")
	require.NoError(t, os.WriteFile(fixture, []byte(`{"name": "hello", "request": {"method": "GET", "target": "/hello"}, "expect": {"status": 201, "body": {"contains": "goodbye"}, "maxDurationMs": 1}}`), 0o644))
	cmd := exec.Command(os.Args[0], "-test.run", "^TestReplayUpdateInner$", "-test.v")
	cmd.Env = append(os.Environ(), "ALBTEST_INNER_DIR="+dir, "ALBTEST_UPDATE=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the inner replay fails:\n%s", out)
	assert.Contains(t, string(out), "EXPECT-DURATION")
	assert.NotContains(t, string(out), "EXPECT-STATUS", "the status was recorded")
	assert.NotContains(t, string(out), "EXPECT-BODY", "the body was recorded")
	b, err := os.ReadFile(fixture)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"status": 200`)
}
