package replay_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A function whose descendant double-forks, calls setsid and empties its
// environment (no group, no mark, no parent left to find it by) does not
// outlive the function: albcheck, its subreaper, finds it among its own
// children as an orphan it never started, ends it and reaps it, both when
// the process exits by itself and when the handler closes.
//
// A child the test itself starts in a process group of its own (as a user's
// test might start a database beside albtest) is no orphan of a function's,
// and lives on.
func TestEscapedDescendantEnds(t *testing.T) {
	defer replay.SetOwnAll(true)() // as the albcheck command runs
	for _, end := range []string{"close", "exit"} {
		t.Run(end, func(t *testing.T) {
			helper := exec.Command("sleep", "60")
			helper.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			require.NoError(t, helper.Start())
			t.Cleanup(func() { _ = helper.Process.Kill(); _ = helper.Wait() })

			h := replay.RuntimeHandler([]string{rudeFn(t)}, nil, 1)
			defer h.Close()
			r := h.Invoke(context.Background(), eventAt(t, "/escape"), 10*time.Second)
			require.Nil(t, r.Failure, string(r.Logs))
			var resp struct{ Body string }
			require.NoError(t, json.Unmarshal(r.Payload, &resp))
			pid, err := strconv.Atoi(resp.Body)
			require.NoError(t, err, "the escapee's pid: %q", resp.Body)
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
			require.NoError(t, syscall.Kill(pid, 0), "the escapee runs")

			if end == "exit" {
				// The function exits after answering: its environment ends.
				r := h.Invoke(context.Background(), eventAt(t, "/panic"), 10*time.Second)
				require.NotNil(t, r.Failure)
				assert.Contains(t, string(r.Logs), "the next event goes to a new process")
			} else {
				require.NoError(t, h.Close())
			}
			err = syscall.Kill(pid, 0)
			assert.True(t, errors.Is(err, syscall.ESRCH), "the escapee %d is still there (%v)", pid, err)
			assert.NoError(t, helper.Process.Signal(syscall.Signal(0)), "the test's own helper was ended")
		})
	}
}

// In a test process of the user's (albtest: OwnAllDescendants not called),
// a daemon the test itself started, double-forked into a session of its
// own and re-parented to the test process, is the user's: the end of a
// function's environment leaves it alone. (It was ended, before.)
func TestUsersDaemonLivesOn(t *testing.T) {
	defer replay.SetOwnAll(false)()
	fn := rudeFn(t)
	h := replay.RuntimeHandler([]string{fn}, nil, 1)
	defer h.Close()
	r := h.Invoke(context.Background(), eventAt(t, "/"), 10*time.Second)
	require.Nil(t, r.Failure, string(r.Logs))

	// The user's daemon: the same double fork, started by the test.
	starter := exec.Command(fn)
	starter.Env = append(os.Environ(), "RUDE_CHILD=escape-middle")
	out, err := starter.Output()
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	require.NoError(t, err, "the daemon's pid: %q", out)
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		_, _ = syscall.Wait4(pid, &ws, 0, nil)
	})

	require.NoError(t, h.Close())
	assert.NoError(t, syscall.Kill(pid, 0), "the test's own daemon %d was ended with the function", pid)
}
