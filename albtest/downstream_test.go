package albtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// downstream is a throwaway module, with a replace directive pointing at
// this checkout, in which go runs as a user of albtest would run it.
type downstream struct {
	t   *testing.T
	dir string
}

func newDownstream(t *testing.T, files map[string]string) *downstream {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	repo, err := filepath.Abs("..")
	require.NoError(t, err)
	d := &downstream{t: t, dir: t.TempDir()}
	files["go.mod"] = "module example.com/shop\n\ngo 1.26\n\nrequire github.com/albcheck/albcheck v0.0.0\n\nreplace github.com/albcheck/albcheck => " + repo + "\n"
	for name, content := range files {
		p := filepath.Join(d.dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	out, err := d.goCmd(nil, "mod", "tidy")
	require.NoError(t, err, out)
	return d
}

// goCmd runs go in the module. The caller's ALBTEST_UPDATE is dropped, so
// that only env decides whether the run updates.
func (d *downstream) goCmd(env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = d.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALBTEST_UPDATE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "GOFLAGS=-mod=mod"), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (d *downstream) path(name string) string { return filepath.Join(d.dir, filepath.FromSlash(name)) }

func (d *downstream) read(name string) string {
	d.t.Helper()
	b, err := os.ReadFile(d.path(name))
	require.NoError(d.t, err)
	return string(b)
}

const shopHandler = `package shop

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
`

// TestDownstreamModule proves the public API works from another module: a
// small handler's test passes; a broken variant of the handler fails with
// albtest's message.
func TestDownstreamModule(t *testing.T) {
	d := newDownstream(t, map[string]string{
		"handler.go": shopHandler,
		"handler_test.go": `package shop

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
`,
	})
	out, err := d.goCmd(nil, "test", "./...")
	require.NoError(t, err, out)
	require.Contains(t, out, "ok  \texample.com/shop")

	out, err = d.goCmd([]string{"BREAK_IT=1"}, "test", "-count=1", "./...")
	require.Error(t, err, out)
	require.True(t, strings.Contains(out, "RESP-006 /multiValueHeaders") && strings.Contains(out, "FAIL\texample.com/shop"), out)
}

// updateTest is a user's test with a golden file and a fixture; extra is
// what the package declares besides (its own -update flag, or nothing).
func updateTest(pkg, extra string) string {
	return `package ` + pkg + `

import (
	"context"
	"testing"

	"example.com/shop"
	"github.com/albcheck/albcheck/albtest"
)
` + extra + `

func TestHello(t *testing.T) {
	req := albtest.NewRequest(t, "GET", "/world")
	resp, _ := shop.Handle(context.Background(), req)
	albtest.AssertResponse(t, req, resp, albtest.Status(200), albtest.Golden("testdata/hello.golden"))
}

func TestFixtures(t *testing.T) { albtest.Replay(t, "testdata/fixtures", shop.Handle) }
`
}

const staleFixture = `{"name": "hello", "request": {"method": "GET", "target": "/fixture"}, "expect": {"status": 201, "body": {"file": "fixture.golden"}}}`

// A test package that defines its own -update flag imports albtest without
// panicking (flag redefined), and go test -update updates its golden files
// and fixtures through that flag; a package without the flag updates with
// ALBTEST_UPDATE=1. Either way the update run passes, the next check-only
// run passes, and an update run with unchanged answers writes nothing.
func TestDownstreamUpdate(t *testing.T) {
	d := newDownstream(t, map[string]string{
		"handler.go":                              shopHandler,
		"withflag/handler_test.go":                updateTest("withflag", "import \"flag\"\n\nvar update = flag.Bool(\"update\", false, \"rewrite golden files\")\n"),
		"withflag/testdata/fixtures/hello.json":   staleFixture,
		"noflag/handler_test.go":                  updateTest("noflag", ""),
		"noflag/testdata/fixtures/hello.json":     staleFixture,
		"noflag/testdata/fixtures/fixture.golden": "stale",
	})
	written := []string{"testdata/hello.golden", "testdata/fixtures/hello.json", "testdata/fixtures/fixture.golden"}
	for _, tc := range []struct {
		pkg        string
		flags, env []string // what turns updating on
	}{
		{"withflag", []string{"-update"}, nil},
		{"noflag", nil, []string{"ALBTEST_UPDATE=1"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			run := func(update bool) (string, error) {
				args := []string{"test", "-count=1", "./" + tc.pkg}
				if !update {
					return d.goCmd(nil, args...)
				}
				return d.goCmd(tc.env, append(args, tc.flags...)...)
			}
			out, err := run(false)
			require.Error(t, err, "stale expectations fail before the update:\n%s", out)
			assert.NotContains(t, out, "panic")
			assert.Contains(t, out, "EXPECT-STATUS status: status 200, want 201")

			out, err = run(true)
			require.NoError(t, err, "the update run passes:\n%s", out)
			assert.Equal(t, "hello /world", d.read(tc.pkg+"/testdata/hello.golden"))
			assert.Equal(t, "hello /fixture", d.read(tc.pkg+"/testdata/fixtures/fixture.golden"))
			assert.Contains(t, d.read(tc.pkg+"/testdata/fixtures/hello.json"), `"status": 200`)

			out, err = run(false)
			require.NoError(t, err, "the recorded answers pass:\n%s", out)

			var paths []string
			for _, p := range written {
				paths = append(paths, d.path(tc.pkg+"/"+p))
			}
			age(t, paths...)
			out, err = run(true)
			require.NoError(t, err, out)
			assertUntouched(t, paths...)
		})
	}
	// Without its own flag, a package refuses -update as go test always
	// does; ALBTEST_UPDATE is the way for it.
	out, err := d.goCmd(nil, "test", "-count=1", "./noflag", "-update")
	require.Error(t, err, out)
	assert.Contains(t, out, "flag provided but not defined: -update")
}
