package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
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

// exampleFunction builds examples/orders, the function the README replays.
func exampleFunction(t *testing.T) string { return testproc.Build(t, "../../examples/orders") }

// The README's first command: the shipped fixtures through the example
// function, over the Runtime API, all passing.
func TestReplayShippedFixtures(t *testing.T) {
	bin := exampleFunction(t)
	code, out, errOut := runCLI(t, "", "replay", "--cmd", bin, "../../fixtures")
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "25 passed, 0 failed")
	assert.NotContains(t, out, "warning", "the example passes without warnings too")

	code, out, _ = runCLI(t, "", "replay", "--cmd", bin, "--parallel", "2", "--format", "json", "--run", "^signup", "../../fixtures")
	assert.Equal(t, exitOK, code)
	var doc struct {
		Results []struct {
			Path string `json:"path"`
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"results"`
		Summary struct{ Passed, Failed int } `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, 3, doc.Summary.Passed)
	for _, r := range doc.Results {
		assert.True(t, strings.HasPrefix(r.Name, "signup"), r.Name)
	}

	// Shards split the suite without overlap.
	total := 0
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		_, out, _ = runCLI(t, "", "replay", "--cmd", bin, "--shard", shard, "--format", "json", "../../fixtures")
		require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
		total += doc.Summary.Passed
	}
	assert.Equal(t, 25, total)
}

// A wrong expectation fails with its own rule id and a diff; --update records
// the answer; the fixture then passes.
func TestReplayExpectationsAndUpdate(t *testing.T) {
	bin := exampleFunction(t)
	dir := t.TempDir()
	fixture := filepath.Join(dir, "order.json")
	require.NoError(t, os.WriteFile(fixture, []byte(`{
  "name": "create an order",
  "request": {"method": "POST", "target": "/api/orders", "headers": {"Content-Type": "application/json"}, "body": "{\"item\":\"book\",\"qty\":2}"},
  "expect": {"status": 200, "headers": {"location": "/somewhere"}, "body": {"json": {"id": 7, "item": "book", "qty": 2}}}
}
`), 0o644))
	code, out, _ := runCLI(t, "", "replay", "--cmd", bin, fixture)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "EXPECT-STATUS error /expect/status: status 201, want 200")
	assert.Contains(t, out, `EXPECT-HEADER error /expect/headers/location: location is "/api/orders/42", want "/somewhere"`)
	assert.Contains(t, out, "EXPECT-BODY error /expect/body: the JSON body does not equal the expected value:")
	assert.Contains(t, out, `-  "id": 7,`)
	assert.Contains(t, out, `+  "id": 42,`)

	code, _, errOut := runCLI(t, "", "replay", "--cmd", bin, "--update", fixture)
	assert.Equal(t, exitFindings, code, "the run that records still reports")
	assert.Contains(t, errOut, "updated "+fixture)
	code, out, _ = runCLI(t, "", "replay", "--cmd", bin, fixture)
	assert.Equal(t, exitOK, code, out)
	b, err := os.ReadFile(fixture)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"status": 201`)
}

func TestReplayUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "", "replay", "../../fixtures")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "give one handler")
	code, _, errOut = runCLI(t, "", "replay", "--exec", "x", "--invoke-url", "http://127.0.0.1:1", "../../fixtures")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "give one handler")
	code, _, errOut = runCLI(t, "", "replay", "--exec", "cat", "--shard", "4/3", "../../fixtures")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--shard")
	code, _, errOut = runCLI(t, "", "replay", "--exec", "cat", "--run", "(", "../../fixtures")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--run")
}

// --exec runs without a shell: metacharacters are arguments, not syntax.
func TestReplayExecWithoutShell(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "f.json")
	require.NoError(t, os.WriteFile(fixture, []byte(`{"name": "x", "request": {"method": "GET", "target": "/"}}`), 0o644))
	marker := filepath.Join(dir, "pwned")
	code, out, _ := runCLI(t, "", "replay", "--exec", "echo hi; touch "+marker, fixture)
	assert.Equal(t, exitFindings, code, "echo prints its arguments: not a response document")
	assert.Contains(t, out, "JSON-001")
	assert.NoFileExists(t, marker, "no shell ran the command")
}

// albcheck serve end to end: listen, answer, record, stop on Ctrl-C (the
// context), and the recording replays green with albcheck replay.
func TestServeRecordAndReplay(t *testing.T) {
	bin := exampleFunction(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuf
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--cmd", bin, "--listen", addr, "--mode", "multi", "--record", dir}, &streams{in: strings.NewReader(""), out: io.Discard, err: &stderr})
	}()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond)
	resp, err := http.Post("http://"+addr+"/api/orders", "application/json", strings.NewReader(`{"item":"book","qty":1}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 201, resp.StatusCode)
	resp, err = http.Get("http://" + addr + "/api/search?q=go")
	require.NoError(t, err)
	resp.Body.Close()
	cancel()
	assert.Equal(t, exitOK, <-done)
	assert.Contains(t, stderr.String(), `"POST /api/orders HTTP/1.1" 201 201`)
	assert.Contains(t, stderr.String(), "albcheck serve: stopped")

	code, out, errOut := runCLI(t, "", "replay", "--cmd", bin, dir)
	assert.Equal(t, exitOK, code, "%s%s", out, errOut)
	assert.Contains(t, out, "2 passed, 0 failed")
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
