package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --parallel 3 keeps three environments warm from launch, as provisioned
// concurrency does: the three processes exist before any request, and three
// requests at once find them warm (no cold start).
func TestServeParallelPrewarms(t *testing.T) {
	bin := testproc.Build(t, "../../serve/testdata/sleepfn")
	marker := "SLEEPFN_TEST=" + t.Name()
	base, errb := serveOne(t, "--cmd", bin, "--env", marker, "--parallel", "3", "--log-format", "json")
	assert.Len(t, testproc.Leftovers(marker), 3, "environments before any request")

	hold := filepath.Join(t.TempDir(), "release")
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(base + "/?hold=" + url.QueryEscape(hold))
			if assert.NoError(t, err) {
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
		}()
	}
	require.Eventually(t, func() bool {
		m, _ := filepath.Glob(hold + ".*")
		return len(m) == 3
	}, 15*time.Second, 5*time.Millisecond)
	require.NoError(t, os.WriteFile(hold, nil, 0o644))
	wg.Wait()
	assert.Len(t, testproc.Leftovers(marker), 3)
	assert.NotContains(t, errb.String(), `"cold_start"`)
}

// Reserved concurrency 0 stops a function: under serve --infra every request
// gets the ALB's answer to a throttled Lambda, and no process is started,
// whether the function has a handler by name or would run from its build.
// (Before, 0 counted as no reservation: the function ran and answered 200.)
func TestServeInfraReservedConcurrencyZero(t *testing.T) {
	bin := echoFunction(t)
	marker := "ECHOFN_TEST=" + t.Name()
	template, err := os.ReadFile("../../testdata/infra/site.yaml")
	require.NoError(t, err)
	// SingleFunction is the first function with Timeout: 1.
	zero := strings.Replace(string(template), "      Timeout: 1\n", "      Timeout: 1\n      ReservedConcurrentExecutions: 0\n", 1)
	require.NotEqual(t, string(template), zero)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(zero), 0o644))
	urls, errb := serveInfra(t, "--infra", filepath.Join(dir, "template.yaml"), "--cmd", "SingleFunction="+bin, "--cmd", "MultiFunction="+bin,
		"-e", marker, "--port", "80=0", "--port", "443=0")
	assert.Contains(t, errb.String(), "reserved concurrency 0: every request is throttled")
	status, _ := getEcho(t, urls["HTTPListener"]+"/single/x")
	assert.Equal(t, http.StatusBadGateway, status)
	assert.Contains(t, errb.String(), `"GET /single/x HTTP/1.1" 502 - `)
	assert.Contains(t, errb.String(), "LambdaThrottling")
	assert.Contains(t, errb.String(), "reserved concurrency is 0")
	status, _ = getEcho(t, urls["HTTPListener"]+"/multi/x") // the other function runs
	assert.Equal(t, http.StatusOK, status)
	procs := testproc.Leftovers(marker)
	assert.NotEmpty(t, procs, "MultiFunction runs")
	for _, stat := range procs {
		pid, _, _ := strings.Cut(stat, " ")
		env, _ := os.ReadFile("/proc/" + pid + "/environ")
		assert.NotContains(t, string(env), "AWS_LAMBDA_FUNCTION_NAME=SingleFunction\x00", "a process of SingleFunction was started")
	}
}
