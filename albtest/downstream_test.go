package albtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDownstreamModule proves the public API works from another module: a
// throwaway module, with a replace directive pointing at this checkout,
// imports albtest and runs go test on a small handler, which passes; a
// broken variant of the handler fails with albtest's message.
func TestDownstreamModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("go.mod", "module example.com/shop\n\ngo 1.26\n\nrequire github.com/albcheck/albcheck v0.0.0\n\nreplace github.com/albcheck/albcheck => "+repo+"\n")
	write("handler.go", `package shop

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/events"
)

func Handle(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if os.Getenv("BREAK_IT") != "" {
		return events.ALBTargetGroupResponse{StatusCode: 200, MultiValueHeaders: map[string][]string{"X": {"1"}}}, nil
	}
	return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK",
		Headers: map[string]string{"Content-Type": "text/plain"}, Body: "hello " + req.Path}, nil
}
`)
	write("handler_test.go", `package shop

import (
	"context"
	"testing"

	"github.com/albcheck/albcheck/albtest"
)

func TestHello(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/world")
	resp, _ := Handle(context.Background(), req)
	albtest.AssertResponse(t, req, resp, albtest.Status(200), albtest.BodyIs("hello /world"))
}
`)
	goCmd := func(env []string, args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(append(os.Environ(), "GOFLAGS=-mod=mod"), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := goCmd(nil, "mod", "tidy")
	require.NoError(t, err, out)
	out, err = goCmd(nil, "test", "./...")
	require.NoError(t, err, out)
	require.Contains(t, out, "ok  \texample.com/shop")

	out, err = goCmd([]string{"BREAK_IT=1"}, "test", "-count=1", "./...")
	require.Error(t, err, out)
	require.True(t, strings.Contains(out, "RESP-006 /multiValueHeaders") && strings.Contains(out, "FAIL\texample.com/shop"), out)
}
