package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveOne runs albcheck serve with args on a free port until the test
// ends and returns its URL, as the banner prints it.
func serveOne(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	errb := &lockedBuffer{}
	s := &streams{in: strings.NewReader(""), out: io.Discard, err: errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), s) }()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, exitOK, <-done, errb.String())
	})
	banner := regexp.MustCompile(`on (http://\S+); Ctrl-C stops it`)
	var base string
	require.Eventually(t, func() bool {
		if m := banner.FindStringSubmatch(errb.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	}, 20*time.Second, 5*time.Millisecond, "no banner:\n%s", errb)
	return base, errb
}

// --max-concurrency 1 --throttle: a second request while the only
// environment is busy gets the ALB's 502 at once, LambdaThrottling in the
// log; the JSON log names the environment.
func TestServeThrottle(t *testing.T) {
	bin := testproc.Build(t, "../../serve/testdata/sleepfn")
	base, errb := serveOne(t, "--cmd", bin, "--max-concurrency", "1", "--throttle", "--log-format", "json")
	hold := filepath.Join(t.TempDir(), "release")
	held := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/?hold=" + url.QueryEscape(hold))
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob(hold + ".*")
		return len(m) == 1
	}, 15*time.Second, 5*time.Millisecond)
	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	require.NoError(t, os.WriteFile(hold, nil, 0o644))
	assert.Equal(t, http.StatusOK, <-held)
	log := errb.String()
	assert.Contains(t, log, `"elb_status_code":502`)
	assert.Contains(t, log, `"error_reason":"LambdaThrottling"`)
	assert.Regexp(t, `"environment":"[0-9a-f]{8}"`, log)
	// serve starts the warm environments before it listens, so the first
	// request finds it warm.
	assert.NotContains(t, log, `"cold_start"`)
}

func TestServeConcurrencyUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"zero", []string{"--max-concurrency", "0"}, "--max-concurrency must be at least 1"},
		{"below parallel", []string{"--max-concurrency", "2", "--parallel", "4"}, "--max-concurrency 2 is below --parallel 4"},
		{"negative idle", []string{"--idle-environment-timeout", "-1s"}, "--idle-environment-timeout must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", append([]string{"serve", "--cmd", "fn", "--listen", "127.0.0.1:0"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
	_, out, _ := runCLI(t, "", "serve", "--help")
	assert.Regexp(t, `--max-concurrency int\s+with --cmd or --runtime: .*\(default 16\)`, out)
	assert.Regexp(t, `--idle-environment-timeout duration\s+.*\(default 5m0s\)`, out)
	assert.Contains(t, out, "--throttle")
	// Only local runtimes are pooled: each environment flag says so, and
	// serve's --parallel is the environments kept warm.
	for _, flag := range []string{"--max-concurrency int", "--idle-environment-timeout duration", "--throttle  ", "--parallel int"} {
		assert.Regexp(t, regexp.QuoteMeta(flag)+`.*not for --exec \(a process per request\) or --invoke-url and --function \(remote\)`, out)
	}
	assert.Regexp(t, `--parallel int\s+with --cmd or --runtime: environments started with serve and kept warm`, out)
	assert.Contains(t, out, "Health checks are one more request to the same environments.")
}
