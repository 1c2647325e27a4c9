package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// build compiles a function once per test run.
func build(t *testing.T, pkg string) string { return testproc.Build(t, pkg) }

// syncBuffer is a log that tests read while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a local ALB on 127.0.0.1 in front of h and stops it, checking
// that it stopped cleanly, when the test ends.
func start(t *testing.T, o serve.Options) (string, *syncBuffer) {
	t.Helper()
	url, log, _ := startStop(t, o)
	return url, log
}

// startStop is start with a stop function for tests that need the server
// gone before they end.
func startStop(t *testing.T, o serve.Options) (string, *syncBuffer, func()) {
	t.Helper()
	log := &syncBuffer{}
	o.Log = log
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve.New(o).Run(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			assert.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), log, stop
}

func get(t *testing.T, method, url string, body io.Reader, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func TestServeExampleFunction(t *testing.T) {
	bin := build(t, "../examples/orders")
	for _, mode := range []fakeevent.Mode{fakeevent.Single, fakeevent.Multi} {
		t.Run(string(mode), func(t *testing.T) {
			h := replay.RuntimeHandler([]string{bin}, nil, 1)
			url, log := start(t, serve.Options{Handler: h, Mode: mode})

			resp, body := get(t, "GET", url+"/api/search?q=caf%C3%A9", nil)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.JSONEq(t, `{"query": "café", "results": ["café (book)", "café (pen)"]}`, string(body))

			resp, body = get(t, "POST", url+"/api/orders", strings.NewReader(`{"item":"book","qty":2}`), "Content-Type", "application/json")
			assert.Equal(t, 201, resp.StatusCode)
			assert.Equal(t, "/api/orders/42", resp.Header.Get("Location"))
			assert.JSONEq(t, `{"id": 42, "item": "book", "qty": 2}`, string(body))

			// A form post reaches the function base64-encoded and decoded back.
			resp, body = get(t, "POST", url+"/signup", strings.NewReader("email=ada%40example.com"), "Content-Type", "application/x-www-form-urlencoded")
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "<p>Welcome, ada@example.com</p>\n", string(body))

			// A binary download: the client gets the bytes, not base64.
			resp, body = get(t, "GET", url+"/logo.png", nil)
			assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
			assert.Equal(t, "\x89PNG\r\n\x1a\n", string(body[:8]))
			assert.Equal(t, fmt.Sprint(len(body)), resp.Header.Get("Content-Length"))

			resp, body = get(t, "HEAD", url+"/", nil)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Empty(t, body)

			if mode == fakeevent.Multi {
				resp, _ = get(t, "POST", url+"/login", strings.NewReader("{}"), "Content-Type", "application/json")
				assert.Equal(t, []string{"session=s3cr3t; Path=/; Secure; HttpOnly", "theme=dark; Path=/"}, resp.Header.Values("Set-Cookie"))
			}

			resp, _ = get(t, "GET", url+"/nope", nil)
			assert.Equal(t, 404, resp.StatusCode)
			assert.Contains(t, log.String(), `"GET /nope HTTP/1.1" 404 404`)
		})
	}
}

// A broken function: the client gets the ALB's 502, and the log says why.
func TestServeExplains502(t *testing.T) {
	bin := build(t, "../replay/testdata/brokenfn")
	h := replay.RuntimeHandler([]string{bin}, []string{"BROKEN=status-string"}, 1)
	url, log := start(t, serve.Options{Handler: h})
	resp, body := get(t, "GET", url+"/", nil)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
	assert.Contains(t, string(body), "502 Bad Gateway")
	out := log.String()
	assert.Contains(t, out, `"GET / HTTP/1.1" 502 200 `)
	assert.Contains(t, out, "the client gets 502 (LambdaInvalidResponse):")
	assert.Contains(t, out, "RESP-001 error /statusCode: statusCode must be an integer, got a string (200)")
	assert.Contains(t, out, `the function answered: {"body":"ok"`)

	hang := replay.RuntimeHandler([]string{bin}, []string{"BROKEN=hang"}, 1)
	url, log = start(t, serve.Options{Handler: hang, Timeout: 300 * time.Millisecond})
	resp, _ = get(t, "GET", url+"/", nil)
	assert.Equal(t, 502, resp.StatusCode)
	assert.Contains(t, log.String(), "FUNC-TIMEOUT")
	assert.Contains(t, log.String(), `"LambdaTimeout"`)
}

// What a real ALB refuses never reaches the function.
func TestServeRefusals(t *testing.T) {
	h := replay.GoHandler(nil) // never called
	url, _ := start(t, serve.Options{Handler: h})
	resp, _ := get(t, "TRACE", url+"/", nil)
	assert.Equal(t, 405, resp.StatusCode)
	resp, _ = get(t, "POST", url+"/up", bytes.NewReader(make([]byte, 1<<20+1)), "Content-Type", "application/octet-stream")
	assert.Equal(t, 413, resp.StatusCode)
	resp, _ = get(t, "GET", url+"/", nil, "X-Forwarded-For", strings.TrimSuffix(strings.Repeat("198.51.100.1, ", 30), ", "))
	assert.Equal(t, 463, resp.StatusCode)
}

// 50 clients at once for a while: every answer matches its own request,
// nothing is lost, and nothing is left running afterwards.
func TestServeConcurrency(t *testing.T) {
	bin := build(t, "../examples/orders")
	before := runtime.NumGoroutine()
	func() {
		h := replay.RuntimeHandler([]string{bin}, nil, 2)
		url, _, stop := startStop(t, serve.Options{Handler: h})
		defer stop()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 50}}
		defer client.CloseIdleConnections()
		var wg sync.WaitGroup
		deadline := time.Now().Add(2 * time.Second)
		var mu sync.Mutex
		total := 0
		for c := range 50 {
			wg.Go(func() {
				for i := 0; time.Now().Before(deadline) && i < 200; i++ {
					q := fmt.Sprintf("c%d-r%d", c, i)
					resp, err := client.Get(url + "/api/search?q=" + q)
					if !assert.NoError(t, err) {
						return
					}
					var got struct{ Query string }
					err = json.NewDecoder(resp.Body).Decode(&got)
					resp.Body.Close()
					if !assert.NoError(t, err) || !assert.Equal(t, q, got.Query, "a mixed-up answer") {
						return
					}
					mu.Lock()
					total++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		t.Logf("%d requests from 50 clients", total)
		assert.Greater(t, total, 500)
		assert.Len(t, children(t), 2, "two warm function processes while serving")
	}()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+5 }, 5*time.Second, 20*time.Millisecond, "goroutines left behind")
	assert.Empty(t, children(t), "function processes left running")
}

// children lists this process's child processes (Linux: /proc).
func children(t *testing.T) []string {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []string
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == fmt.Sprint(os.Getpid()) && fields[0] != "Z" {
			out = append(out, f)
		}
	}
	return out
}

// --record saves exchanges as fixtures that albcheck replay passes.
func TestRecordThenReplay(t *testing.T) {
	bin := build(t, "../examples/orders")
	dir := t.TempDir()
	func() {
		h := replay.RuntimeHandler([]string{bin}, nil, 1)
		log := &syncBuffer{}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- serve.New(serve.Options{Handler: h, Log: log, RecordDir: dir}).Run(ctx, ln) }()
		url := "http://" + ln.Addr().String()
		get(t, "GET", url+"/api/search?q=a%2Bb", nil, "Authorization", "Bearer secret-token")
		get(t, "POST", url+"/api/orders", strings.NewReader(`{"item":"pen","qty":1}`), "Content-Type", "application/json")
		get(t, "GET", url+"/logo.png", nil)
		get(t, "GET", url+"/nope", nil)
		cancel()
		require.NoError(t, <-done)
	}()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 4)
	first, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Contains(t, string(first), `"Authorization": "REDACTED"`)
	assert.NotContains(t, string(first), "secret-token")

	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	defer h.Close()
	for _, f := range files {
		cases, err := replay.Load(f, "")
		require.NoError(t, err)
		for _, c := range cases {
			o := replay.Check(c, h.Invoke(context.Background(), c.EventJSON, 3*time.Second))
			assert.True(t, o.OK(false), "%s: %v", f, o.Findings)
		}
	}
}

// curl, where the machine has it, sees the same answers as net/http.
func TestServeWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on this machine")
	}
	bin := build(t, "../examples/orders")
	url, _ := start(t, serve.Options{Handler: replay.RuntimeHandler([]string{bin}, nil, 1)})
	out, err := exec.Command(curl, "-s", "-i", "-X", "POST", "-H", "Content-Type: application/json", "-d", `{"item":"book","qty":2}`, url+"/api/orders").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "HTTP/1.1 201 Created")
	assert.Contains(t, string(out), "Location: /api/orders/42")
	assert.Contains(t, string(out), `{"id":42,"item":"book","qty":2}`)

	features, err := exec.Command(curl, "-V").Output()
	require.NoError(t, err)
	if !strings.Contains(string(features), "HTTP2") {
		t.Log("this curl has no HTTP/2")
		return
	}
	out, err = exec.Command(curl, "-s", "-i", "--http2-prior-knowledge", url+"/api/search?q=x").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "HTTP/2 200")
	assert.Contains(t, string(out), `{"query":"x","results":["x (book)","x (pen)"]}`)
}

// The health check reports healthy, then unhealthy when the function stops
// answering with a success code.
func TestHealthCheck(t *testing.T) {
	var mu sync.Mutex
	status := 200
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, "ELB-HealthChecker/2.0", req.Headers["user-agent"])
		return events.ALBTargetGroupResponse{StatusCode: status, StatusDescription: fmt.Sprintf("%d X", status), Headers: map[string]string{}}, nil
	})
	_, log := start(t, serve.Options{Handler: h, Health: serve.HealthCheck{Path: "/health", Interval: 20 * time.Millisecond}})
	require.Eventually(t, func() bool { return strings.Contains(log.String(), "health check /health: healthy") }, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	status = 503
	mu.Unlock()
	require.Eventually(t, func() bool {
		return strings.Contains(log.String(), "health check /health: unhealthy (status 503, matcher [200])")
	}, 5*time.Second, 10*time.Millisecond)
}

// HTTP/2 without TLS (prior knowledge): the function gets the same event as
// over HTTP/1.1, host header included, and the client the same answer.
func TestServeHTTP2(t *testing.T) {
	var mu sync.Mutex
	var seen events.ALBTargetGroupRequest
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = req
		return events.ALBTargetGroupResponse{StatusCode: 201, StatusDescription: "201 Created", Headers: map[string]string{"Location": "/api/orders/42"}, Body: req.Body}, nil
	})
	url, log := start(t, serve.Options{Handler: h})
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()

	resp, err := client.Post(url+"/api/orders?x=1", "application/json", strings.NewReader(`{"item":"book"}`))
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, 2, resp.ProtoMajor)
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "/api/orders/42", resp.Header.Get("Location"))
	assert.Equal(t, `{"item":"book"}`, string(body))

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "POST", seen.HTTPMethod)
	assert.Equal(t, "/api/orders", seen.Path)
	assert.Equal(t, map[string]string{"x": "1"}, seen.QueryStringParameters)
	assert.Equal(t, strings.TrimPrefix(url, "http://"), seen.Headers["host"])
	assert.Equal(t, "application/json", seen.Headers["content-type"])
	assert.Contains(t, log.String(), `"POST /api/orders?x=1 HTTP/2.0" 201 201`)
}

// A request after one whose function panicked (aws-lambda-go reports the
// panic, then exits) gets a new process and its normal answer; before, it
// got a false 502 for "the process ended between requests".
func TestServeAfterAPanic(t *testing.T) {
	bin := build(t, "../replay/testdata/rudefn")
	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	url, log := start(t, serve.Options{Handler: h, Timeout: 10 * time.Second})
	resp, _ := get(t, "GET", url+"/panic", nil)
	assert.Equal(t, 502, resp.StatusCode)
	for range 3 {
		resp, body := get(t, "GET", url+"/ok", nil)
		assert.Equal(t, 200, resp.StatusCode, "%s\n%s", body, log.String())
	}
	assert.Contains(t, log.String(), "the process exited after answering")
}

// A request that passes but waited for a stalled process to be replaced
// says why in the log (before: a slow request and no word).
func TestServeLogsProcessNotes(t *testing.T) {
	bin := build(t, "../replay/testdata/rudefn")
	h := replay.RuntimeHandler([]string{bin}, []string{"RUDE_INIT=raw"}, 1)
	url, log := start(t, serve.Options{Handler: h, Timeout: 500 * time.Millisecond})
	for _, path := range []string{"/stall", "/ok"} {
		resp, _ := get(t, "GET", url+path, nil)
		assert.Equal(t, 200, resp.StatusCode, path)
	}
	assert.Contains(t, log.String(), "GET /ok HTTP/1.1: the process answered its last event but did not ask for another")
}
