package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
				Summary struct {
					Passed, Failed int
					Interrupted    string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(out), &doc), "valid JSON:\n%s", out)
			assert.Equal(t, "SIGTERM", doc.Summary.Interrupted, "a partial report says so")
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
			assert.Contains(t, out, `tests="3" failures="0" errors="1"`, "the two results and the interruption as an error")
			assert.Contains(t, out, `<error message="interrupted by SIGTERM`)
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

// --update interrupted by a signal records the fixtures that finished and
// leaves the others as they were (before: nothing was recorded).
func TestUpdateInterrupted(t *testing.T) {
	bin := rudeFn(t)
	dir := t.TempDir()
	fixtures := map[string]string{
		"a-ok":   `{"name": "a-ok", "request": {"method": "GET", "target": "/ok"}, "expect": {"status": 201}}`,
		"b-hang": `{"name": "b-hang", "request": {"method": "GET", "target": "/hang"}, "expect": {"status": 201}}`,
		"c-ok":   `{"name": "c-ok", "request": {"method": "GET", "target": "/ok"}, "expect": {"status": 201}}`,
	}
	for name, doc := range fixtures {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".json"), []byte(doc), 0o644))
	}
	marker := filepath.Join(t.TempDir(), "hanging")
	require.NoError(t, syscall.Mkfifo(marker, 0o600))
	cmd := albcheckCommand(t, "replay", "--update", "--timeout", "60s", "-e", "RUDE_MARKER="+marker, "--cmd", bin, dir)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	f, err := os.Open(marker)
	require.NoError(t, err)
	f.Close()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	_ = cmd.Wait()
	assert.Equal(t, 143, cmd.ProcessState.ExitCode(), errb.String())
	for name, status := range map[string]string{"a-ok": `"status": 200`, "b-hang": `"status": 201`, "c-ok": `"status": 201`} {
		b, err := os.ReadFile(filepath.Join(dir, name+".json"))
		require.NoError(t, err)
		assert.Contains(t, string(b), status, name)
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

// A second signal exits at once, yet the function's processes and what they
// started (in their group or in a session of their own) still end with
// albcheck. Before, serve left them running, re-parented to init.
func TestSecondSignalLeavesNothing(t *testing.T) {
	bin := rudeFn(t)
	marker := filepath.Join(t.TempDir(), "hanging")
	require.NoError(t, syscall.Mkfifo(marker, 0o600))
	tag := fmt.Sprintf("RUDE_TAG=%s-%d", t.Name(), time.Now().UnixNano())
	cmd := albcheckCommand(t, "serve", "--listen", "127.0.0.1:0", "--timeout", "60s", "-e", tag, "-e", "RUDE_MARKER="+marker, "--cmd", bin)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()
	buf := make([]byte, 4096)
	n, err := stderr.Read(buf) // the first line names the address
	require.NoError(t, err)
	url := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(string(buf[:n]))
	require.NotEmpty(t, url, "%s", buf[:n])
	for _, path := range []string{"/spawn-group", "/spawn-detached"} {
		resp, err := http.Get(url + path)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, path)
	}
	go func() {
		if resp, err := http.Get(url + "/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	f, err := os.Open(marker) // returns once the function hangs
	require.NoError(t, err)
	f.Close()
	require.NotEmpty(t, testproc.Leftovers(tag), "the function and its children run")
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	// Two signals sent at once are one pending signal: wait until the first
	// has closed the listener (the drain has begun), then send the second.
	addr := strings.TrimPrefix(url, "http://")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		require.True(t, time.Now().Before(deadline), "serve still listens after SIGTERM")
	}
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 143, ee.ExitCode())
	assert.Less(t, time.Since(start), 2*time.Second, "the second signal exits at once, not after the drain")
	// SIGKILL is sent before albcheck exits, but a process takes a moment
	// to be torn down.
	assert.Eventually(t, func() bool { return len(testproc.Leftovers(tag)) == 0 }, 2*time.Second, 10*time.Millisecond, "processes left")
}
