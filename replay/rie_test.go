//go:build unix

package replay_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rieBinary finds the Runtime Interface Emulator (.ci/run installs it); the
// tests that need it are skipped without it, except in CI.
func rieBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ALBCHECK_RIE"); p != "" {
		return p
	}
	p, err := exec.LookPath("aws-lambda-rie")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("aws-lambda-rie is not installed: .ci/run installs it")
		}
		t.Skip("aws-lambda-rie not installed (go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d)")
	}
	return p
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// startRIE runs the emulator on 127.0.0.1 in front of the broken function and
// returns its Invoke URL once it accepts connections.
func startRIE(t *testing.T, broken string, timeoutSeconds int) string {
	t.Helper()
	rie, bin := rieBinary(t), brokenFn(t)
	addr := "127.0.0.1:" + freePort(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr, "--runtime-api-address", "127.0.0.1:"+freePort(t), bin)
	cmd.Env = append(os.Environ(), "BROKEN="+broken, "AWS_LAMBDA_FUNCTION_TIMEOUT="+strconv.Itoa(timeoutSeconds), "LOG_LEVEL=error")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		require.True(t, time.Now().Before(deadline), "the emulator did not start listening on %s", addr)
		time.Sleep(20 * time.Millisecond) // polling a port that is not open yet: nothing to wait on
	}
	return "http://" + addr
}

// What the emulator answers for each kind of function failure becomes the
// same finding as through the Runtime API.
func TestInvokeURLAgainstTheEmulator(t *testing.T) {
	tests := []struct {
		broken  string
		timeout int
		rule    validate.RuleID
		message string
	}{
		{"", 3, "", ""},
		{"error", 3, validate.FUNCERROR, "order service unavailable"},
		{"panic", 3, validate.FUNCERROR, "assignment to entry in nil map"},
		{"crash", 3, validate.FUNCCRASH, "Runtime.ExitError"},
		{"hang", 1, validate.FUNCTIMEOUT, "Task timed out after 1.00 seconds"},
		{"huge-body", 3, validate.FUNCERROR, "ResponseSizeTooLarge"},
		{"status-string", 3, validate.RESP001, "statusCode must be an integer"},
	}
	c := event(t, fakeevent.Single)
	for _, tt := range tests {
		t.Run("broken="+tt.broken, func(t *testing.T) {
			h := replay.InvokeURLHandler(startRIE(t, tt.broken, tt.timeout))
			defer h.Close()
			o := replay.Check(c, h.Invoke(context.Background(), c.EventJSON, time.Duration(tt.timeout)*time.Second))
			if tt.rule == "" {
				assert.True(t, o.OK(true), "%v", o.Findings)
				return
			}
			require.NotEmpty(t, o.Findings)
			var rules []validate.RuleID
			for _, f := range o.Findings {
				rules = append(rules, f.Rule)
				if f.Rule == tt.rule {
					assert.Contains(t, f.Message, tt.message)
				}
			}
			assert.Contains(t, rules, tt.rule)
		})
	}
}
