package albtest_test

import (
	"context"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/albtest"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// go test -update records answers that differ from every expectation of
// the shipped fixtures; the same answers then pass, and recording them
// again changes no byte.
func TestReplayUpdateThenPasses(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../fixtures")))
	h := func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		resp := events.ALBTargetGroupResponse{StatusCode: 418, StatusDescription: "418 I'm a teapot", Headers: map[string]string{"Content-Type": "text/x-changed", "Location": "/moved/"}, Body: "changed <b>&</b>"}
		switch {
		case req.Path == "/logo.png" || req.Path == "/signup":
			resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte{0xff, 0, 0xfe}), true
		case strings.HasPrefix(req.Path, "/api/") || req.Path == "/upload" || req.Path == "/login":
			resp.Body = `{"query":"other","ok":false,"bytes":1}`
		}
		if req.HTTPMethod == "HEAD" {
			resp.Body = ""
		}
		if req.MultiValueHeaders != nil {
			resp.MultiValueHeaders = map[string][]string{"Content-Type": {resp.Headers["Content-Type"]}, "Location": {"/moved/"}}
			resp.Headers = nil
		}
		return resp, nil
	}
	t.Setenv(albtest.UpdateEnv, "1")
	albtest.Replay(t, dir, h)

	t.Setenv(albtest.UpdateEnv, "0")
	albtest.Replay(t, dir, h) // the recorded answers pass

	before := readTree(t, dir)
	t.Setenv(albtest.UpdateEnv, "1")
	albtest.Replay(t, dir, h)
	assert.Equal(t, before, readTree(t, dir), "recording the same answers again changes nothing")
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	}))
	return files
}
