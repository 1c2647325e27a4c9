package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer is one client's result.
type answer struct {
	status int
	body   string
	err    error
}

// fire sends n requests at once, each held by sleepfn until release is
// called, and returns their answers as they come.
func fire(t *testing.T, base, query string, n int) <-chan answer {
	t.Helper()
	out := make(chan answer, n)
	for range n {
		go func() {
			resp, err := http.Get(base + "/?" + query)
			if err != nil {
				out <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			out <- answer{status: resp.StatusCode, body: string(b), err: err}
		}()
	}
	return out
}

// holding makes the file name sleepfn's ?hold= waits for, and a release
// that lets every held request answer.
func holding(t *testing.T) (query, hold string, release func()) {
	t.Helper()
	hold = filepath.Join(t.TempDir(), "release")
	return "hold=" + url.QueryEscape(hold), hold, func() { require.NoError(t, os.WriteFile(hold, nil, 0o644)) }
}

// waitHeld waits until n processes are holding a request at once: each
// writes hold.<pid> as it takes its request.
func waitHeld(t *testing.T, hold string, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		held, _ := filepath.Glob(hold + ".*")
		if len(held) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d processes held a request at once, want %d", len(held), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// entries reads a JSON access log.
func entries(t *testing.T, log string) []map[string]any {
	t.Helper()
	var es []map[string]any
	for line := range strings.Lines(log) {
		var e map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		es = append(es, e)
	}
	return es
}

func sleepfn(t *testing.T) (bin, marker string) {
	marker = "SLEEPFN_TEST=" + t.Name()
	return testproc.Build(t, "testdata/sleepfn"), marker
}

// Eight clients at once get eight environments: none waits for another's
// request, as behind Lambda, and each request started its own.
func TestEnvironmentsStartOnDemand(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 8})
	base, log := start(t, serve.Options{Handler: h, JSONLog: true})
	query, hold, release := holding(t)
	answers := fire(t, base, query, 8)
	waitHeld(t, hold, 8) // all eight at once, or this fails
	assert.Len(t, testproc.Leftovers(marker), 8)
	release()
	pids := map[string]bool{}
	for range 8 {
		a := <-answers
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
		pids[a.body] = true
	}
	assert.Len(t, pids, 8)
	envs, cold := map[any]bool{}, 0
	for _, e := range entries(t, log.String()) {
		envs[e["environment"]] = true
		if e["cold_start"] == true {
			cold++
			assert.Greater(t, e["init_duration_ms"], 0.0)
		}
		assert.Nil(t, e["waited_for_environment_ms"])
	}
	assert.Len(t, envs, 8)
	assert.Equal(t, 8, cold)
}

// At the cap, a request waits for a free environment, and the log says so.
func TestEnvironmentCapHolds(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 2})
	base, log := start(t, serve.Options{Handler: h, JSONLog: true})
	query, hold, release := holding(t)
	answers := fire(t, base, query, 5)
	waitHeld(t, hold, 2)
	assert.Len(t, testproc.Leftovers(marker), 2)
	release()
	pids := map[string]bool{}
	for range 5 {
		a := <-answers
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
		pids[a.body] = true
	}
	assert.Len(t, pids, 2)
	envs, waited := map[any]bool{}, 0
	for _, e := range entries(t, log.String()) {
		envs[e["environment"]] = true
		if w, ok := e["waited_for_environment_ms"].(float64); ok && w > 0 {
			waited++
		}
	}
	assert.Len(t, envs, 2)
	assert.Equal(t, 3, waited, "three of five requests waited for one of two environments")
}

// With Throttle, a request beyond the cap gets the ALB's answer to a
// throttled function at once.
func TestEnvironmentThrottle(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 1, Throttle: true})
	base, log := start(t, serve.Options{Handler: h})
	query, hold, release := holding(t)
	held := fire(t, base, query, 1)
	waitHeld(t, hold, 1)
	resp, _ := get(t, "GET", base+"/", nil)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
	release()
	a := <-held
	require.NoError(t, a.err)
	assert.Equal(t, http.StatusOK, a.status)
	assert.Contains(t, log.String(), `502 - 0.`)
	assert.Contains(t, log.String(), `"LambdaThrottling"`)
	assert.Contains(t, log.String(), "TooManyRequestsException")
}

// Environments beyond the warm ones stop once idle; the warm one stays
// until the server stops, and then nothing is left.
func TestIdleEnvironmentsStop(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 4, IdleTimeout: 100 * time.Millisecond})
	base, log, stop := startStop(t, serve.Options{Handler: h})
	query, hold, release := holding(t)
	answers := fire(t, base, query, 3)
	waitHeld(t, hold, 3)
	release()
	for range 3 {
		a := <-answers
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
	}
	assert.Equal(t, 3, strings.Count(log.String(), " cold_start init="))
	deadline := time.Now().Add(10 * time.Second)
	for len(testproc.Leftovers(marker)) > 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	assert.Len(t, testproc.Leftovers(marker), 1, "the warm environment stays, the two others stop")
	stop()
	assert.Empty(t, testproc.Leftovers(marker))
}

// A crash in one environment fails its own request only: the requests in
// the other environments are answered by the processes that took them.
func TestEnvironmentCrashStaysInItsEnvironment(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 4})
	base, log := start(t, serve.Options{Handler: h})
	query, hold, release := holding(t)
	answers := fire(t, base, query, 3)
	waitHeld(t, hold, 3)
	resp, _ := get(t, "GET", base+"/?crash=1", nil)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	release()
	held, _ := filepath.Glob(hold + ".*")
	pids := map[string]bool{}
	for _, f := range held {
		pids[strings.TrimPrefix(filepath.Ext(f), ".")] = true
	}
	for range 3 {
		a := <-answers
		require.NoError(t, a.err)
		assert.Equal(t, http.StatusOK, a.status)
		assert.True(t, pids[a.body], "answered by %s, which did not take a held request", a.body)
	}
	assert.Equal(t, 1, strings.Count(log.String(), `"LambdaUnhandled"`), log.String())
}

// A health check is one more request to the pool, as the ALB's are to
// Lambda: while the only warm environment is busy, it starts a second one
// rather than jumping the queue or taking a side channel.
func TestHealthCheckGoesThroughThePool(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 2})
	require.NoError(t, h.(interface{ Start() error }).Start())
	query, hold, release := holding(t)
	ev, err := fakeevent.New("GET", "/?"+query).Event()
	require.NoError(t, err)
	// The request holds the warm environment before serve starts, so the
	// health check's first run finds it busy.
	held := make(chan replay.Result, 1)
	go func() { held <- h.Invoke(t.Context(), fakeevent.Marshal(ev), 10*time.Second) }()
	waitHeld(t, hold, 1)
	_, log := start(t, serve.Options{Handler: h, Health: serve.HealthCheck{Path: "/health", Interval: time.Hour}})
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(log.String(), "health check /health: healthy") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	assert.Contains(t, log.String(), "health check /health: healthy")
	assert.Len(t, testproc.Leftovers(marker), 2, "the health check started its own environment")
	release()
	r := <-held
	assert.Nil(t, r.Failure)
}

// A client that hangs up mid-request leaves the environment alone, as the
// ALB leaves a Lambda invocation it started: the function answers into the
// void, and the next request finds the same process warm.
func TestClientHangUpKeepsTheEnvironment(t *testing.T) {
	bin, marker := sleepfn(t)
	h := replay.PoolRuntimeHandler([]string{bin}, []string{marker}, replay.Pool{Warm: 1, Max: 1})
	require.NoError(t, h.(interface{ Start() error }).Start())
	base, log := start(t, serve.Options{Handler: h, JSONLog: true})
	query, hold, release := holding(t)
	ctx, hangUp := context.WithCancel(t.Context())
	gone := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/?"+query, nil)
		_, err := http.DefaultClient.Do(req)
		gone <- err
	}()
	waitHeld(t, hold, 1)
	held, _ := filepath.Glob(hold + ".*")
	require.Len(t, held, 1)
	hangUp()
	require.Error(t, <-gone)
	release()
	resp, body := get(t, "GET", base+"/", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, strings.TrimPrefix(filepath.Ext(held[0]), "."), string(body), "answered by the process that took the hung-up request")
	assert.NotContains(t, log.String(), `"cold_start"`)
}
