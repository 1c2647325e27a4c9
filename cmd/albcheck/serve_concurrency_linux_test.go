package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
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
