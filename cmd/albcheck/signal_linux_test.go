package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rudeFn builds replay's misbehaving test function once.
func rudeFn(t *testing.T) string { return testproc.Build(t, "../../replay/testdata/rudefn") }

// albcheckCommand returns a command that runs this test binary as albcheck,
// with main's signal handling (TestMain dispatches on the name).
func albcheckCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	link := filepath.Join(t.TempDir(), "albcheck")
	require.NoError(t, os.Symlink(self, link))
	return exec.Command(link, args...)
}

// A signal in the middle of a replay: the fixtures finished before it are
// printed, with the summary, in the format asked for; the one under way is
// cancelled; the function and what it started are gone; the status is 143
// for SIGTERM and 130 for SIGINT. Before, SIGTERM killed albcheck with no
// output at all, and SIGINT gave JSON and JUnit zero bytes.
func TestReplayStopsOnASignal(t *testing.T) {
	bin := rudeFn(t)
	for _, tt := range []struct {
		sig    syscall.Signal
		format string
		code   int
		check  func(t *testing.T, out string)
	}{
		{syscall.SIGTERM, "json", 143, func(t *testing.T, out string) {
			var doc struct {
				Results []struct {
					Name string
					OK   bool
				}
				Summary struct{ Passed, Failed int }
			}
			require.NoError(t, json.Unmarshal([]byte(out), &doc), "valid JSON:\n%s", out)
			require.Len(t, doc.Results, 2, out)
			assert.Equal(t, "a-ok", doc.Results[0].Name)
			assert.Equal(t, "b-spawn", doc.Results[1].Name)
			assert.Equal(t, 2, doc.Summary.Passed)
			assert.Equal(t, 0, doc.Summary.Failed)
		}},
		{syscall.SIGINT, "text", 130, func(t *testing.T, out string) {
			assert.Contains(t, out, "2 passed, 0 failed")
		}},
		{syscall.SIGTERM, "junit", 143, func(t *testing.T, out string) {
			assert.Contains(t, out, `tests="2"`)
			assert.Contains(t, out, "</testsuites>")
		}},
	} {
		t.Run(tt.sig.String()+"/"+tt.format, func(t *testing.T) {
			dir := t.TempDir()
			for name, target := range map[string]string{"a-ok": "/ok", "b-spawn": "/spawn-detached", "c-hang": "/hang", "d-ok": "/ok"} {
				fixture := fmt.Sprintf(`{"name": %q, "request": {"method": "GET", "target": %q}, "expect": {"status": 200}}`, name, target)
				require.NoError(t, os.WriteFile(filepath.Join(dir, name+".json"), []byte(fixture), 0o644))
			}
			marker := filepath.Join(t.TempDir(), "hanging")
			require.NoError(t, syscall.Mkfifo(marker, 0o600))
			tag := fmt.Sprintf("RUDE_TAG=%s-%d", t.Name(), time.Now().UnixNano())
			cmd := albcheckCommand(t, "replay", "--format", tt.format, "--timeout", "60s", "-e", tag, "-e", "RUDE_MARKER="+marker, "--cmd", bin, dir)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			require.NoError(t, cmd.Start())
			// The function opens the pipe for writing when it starts to hang:
			// opening it for reading returns then.
			opened := make(chan error, 1)
			go func() {
				f, err := os.Open(marker)
				if err == nil {
					f.Close()
				}
				opened <- err
			}()
			select {
			case err := <-opened:
				require.NoError(t, err)
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				os.Remove(marker) // nobody will open it now
				t.Fatalf("the function never reached the hanging fixture; stderr:\n%s\nstdout:\n%s", errb.String(), out.String())
			}
			require.NoError(t, cmd.Process.Signal(tt.sig))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("albcheck did not stop on %s; stderr:\n%s", tt.sig, errb.String())
			}
			assert.Equal(t, tt.code, cmd.ProcessState.ExitCode(), errb.String())
			tt.check(t, out.String())
			assert.Contains(t, errb.String(), "interrupted by "+map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[tt.sig])
			assert.Empty(t, testproc.Leftovers(tag), "processes left")
		})
	}
}

// A --cmd that cannot be run is one usage error before any fixture, for
// replay and serve alike (before: a FUNC-INIT line per fixture and exit 1;
// serve started anyway).
func TestCmdThatCannotRun(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "handler.py")
	require.NoError(t, os.WriteFile(notExec, []byte("print('hi')\n"), 0o644))
	for _, args := range [][]string{
		{"replay", "--cmd", filepath.Join(dir, "no-such-binary"), "../../fixtures"},
		{"replay", "--cmd", notExec, "../../fixtures"},
		{"serve", "--listen", "127.0.0.1:0", "--cmd", filepath.Join(dir, "no-such-binary")},
		{"replay", "--exec", "no-such-command-anywhere --flag", "../../fixtures"},
	} {
		code, out, errOut := runWithin(t, args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Empty(t, out, "%v: nothing on stdout", args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "%v: one line on stderr:\n%s", args, errOut)
		assert.Contains(t, errOut, "cannot be run")
	}
}

// replay on a folder that does not exist is a usage error, as in validate.
func TestReplayMissingFolder(t *testing.T) {
	code, _, errOut := runWithin(t, "replay", "--exec", "true", filepath.Join(t.TempDir(), "nope"))
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "no fixture could be read")
}
