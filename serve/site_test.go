package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// siteTemplate is the load balancer of the serve --infra tests: every
// condition type, each action, a single-mode and a multi-mode target group.
const siteTemplate = "../testdata/infra/site.yaml"

// echo is what echofn answers with.
type echo struct {
	Function       string `json:"function"`
	Mode           string `json:"mode"`
	Path           string `json:"path"`
	Proto          string `json:"proto"`
	Port           string `json:"port"`
	TargetGroupARN string `json:"targetGroupArn"`
}

// startSite serves every listener of siteTemplate on 127.0.0.1, SingleFunction
// and MultiFunction run by echofn and OrphanFunction given no handler, and
// returns each listener's URL by name.
func startSite(t *testing.T, seed uint64) (map[string]string, *syncBuffer) {
	t.Helper()
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	bin := build(t, "testdata/echofn")
	handlers := map[string]replay.Handler{}
	for _, name := range []string{"SingleFunction", "MultiFunction"} {
		handlers[name] = replay.RuntimeHandler([]string{bin}, []string{"ECHO_NAME=" + name}, 2)
	}
	site, err := serve.NewSite(p, serve.SiteOptions{
		Handlers: handlers,
		Seed:     seed,
		Missing:  func(fn *infra.Function) string { return "add --cmd " + fn.Name + "=BINARY" },
	})
	require.NoError(t, err)
	log := &syncBuffer{}
	urls := map[string]string{}
	var listeners []serve.Listener
	for _, r := range site.Listeners {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		listeners = append(listeners, serve.Listener{Router: r, Listener: ln})
		urls[r.Listener().Name] = "http://" + ln.Addr().String()
	}
	srv := serve.New(serve.Options{Targets: site.Targets, Log: log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.RunListeners(ctx, listeners) }()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			cancel()
			assert.NoError(t, <-done)
		})
	})
	return urls, log
}

// call sends a request with a real client, redirects not followed.
func call(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "host") {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Add(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func decodeEcho(t *testing.T, body string) echo {
	t.Helper()
	var e echo
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	return e
}

func TestSiteRoutesEachConditionType(t *testing.T) {
	urls, log := startSite(t, 0)
	http80 := urls["HTTPListener"]
	for _, tc := range []struct {
		name, method, target string
		headers              []string
		status               int
		body, rule           string
	}{
		{"path pattern, single target group", "GET", "/single/a", nil, 200, `"function":"SingleFunction"`, "SingleRule"},
		{"path pattern, multi target group", "GET", "/multi/a", nil, 200, `"function":"MultiFunction"`, "MultiRule"},
		{"path pattern is case-sensitive", "GET", "/SINGLE/a", nil, 404, "no route", "default"},
		{"host header with a wildcard, any case", "GET", "/x", []string{"Host", "Shop.EXAMPLE.com"}, 200, "host", "HostRule"},
		{"http header, value with a wildcard", "GET", "/x", []string{"x-release", "canary-7"}, 200, "header", "HeaderRule"},
		{"http request method", "DELETE", "/x", nil, 405, "method", "MethodRule"},
		{"query string", "GET", "/x?version=v2", nil, 200, `{"rule":"query"}`, "QueryRule"},
		{"source ip that does not match", "GET", "/remote", nil, 404, "no route", "default"},
		{"source ip and path", "GET", "/local", nil, 200, "local", "LocalRule"},
		{"priority, not the order written", "GET", "/single/b", nil, 200, `"function":"SingleFunction"`, "SingleRule"},
		{"default action", "GET", "/elsewhere", nil, 404, "no route", "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, tc.method, http80+tc.target, tc.headers...)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Contains(t, body, tc.body)
			assert.Contains(t, log.String(), fmt.Sprintf("%q %d", tc.method+" "+tc.target+" HTTP/1.1", tc.status))
			assert.Contains(t, log.String(), " rule="+tc.rule)
		})
	}
}

func TestSiteFixedResponse(t *testing.T) {
	urls, _ := startSite(t, 0)
	resp, body := call(t, "GET", urls["HTTPListener"]+"/x?version=v2")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, `{"rule":"query"}`, body)
	resp, body = call(t, "GET", urls["HTTPListener"]+"/nowhere")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no route", body)
}

func TestSiteRedirectPlaceholders(t *testing.T) {
	urls, log := startSite(t, 0)
	resp, body := call(t, "GET", urls["HTTPListener"]+"/old/page?a=1", "Host", "shop.test")
	assert.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	assert.Equal(t, "https://www.shop.test:443/new/old/page?a=1&moved=1", resp.Header.Get("Location"))
	assert.Empty(t, body)
	assert.Contains(t, log.String(), `"GET /old/page?a=1 HTTP/1.1" 301 - `)
	assert.Contains(t, log.String(), "rule=RedirectRule\n")
}

// Each target group gets its own event shape, its own target group ARN and
// its function's answer in its mode; the log names rule and target group.
func TestSiteModePerTargetGroup(t *testing.T) {
	urls, log := startSite(t, 0)
	_, body := call(t, "GET", urls["HTTPListener"]+"/single/x")
	single := decodeEcho(t, body)
	_, body = call(t, "GET", urls["HTTPListener"]+"/multi/x")
	multi := decodeEcho(t, body)
	assert.Equal(t, echo{Function: "SingleFunction", Mode: "single", Path: "/single/x", Proto: "http", Port: "80", TargetGroupARN: serve.TargetGroupARN("SingleTargetGroup")}, single)
	assert.Equal(t, echo{Function: "MultiFunction", Mode: "multi", Path: "/multi/x", Proto: "http", Port: "80", TargetGroupARN: serve.TargetGroupARN("MultiTargetGroup")}, multi)
	assert.Contains(t, log.String(), "rule=SingleRule target_group=SingleTargetGroup\n")
	assert.Contains(t, log.String(), "rule=MultiRule target_group=MultiTargetGroup\n")
}

// An HTTPS listener is served as plain HTTP, and the function is told
// https and 443, as behind the real listener.
func TestSiteHTTPSListener(t *testing.T) {
	urls, _ := startSite(t, 0)
	_, body := call(t, "GET", urls["HTTPSListener"]+"/anything")
	e := decodeEcho(t, body)
	assert.Equal(t, "https", e.Proto)
	assert.Equal(t, "443", e.Port)
	assert.Equal(t, "SingleFunction", e.Function)
}

// A weighted forward spreads requests over its target groups, the same way
// for the same seed.
func TestSiteWeightedForwardWithSeed(t *testing.T) {
	run := func(seed uint64) []string {
		urls, _ := startSite(t, seed)
		var got []string
		for range 16 {
			_, body := call(t, "GET", urls["HTTPListener"]+"/weighted")
			got = append(got, decodeEcho(t, body).Function)
		}
		return got
	}
	first := run(7)
	assert.Contains(t, first, "SingleFunction")
	assert.Contains(t, first, "MultiFunction")
	assert.Equal(t, first, run(7))
}

// A hung function is cut at its own timeout from the model (1 s for
// SingleFunction), not replay's 3 s default.
func TestSiteFunctionTimeout(t *testing.T) {
	urls, log := startSite(t, 0)
	start := time.Now()
	resp, _ := call(t, "GET", urls["HTTPListener"]+"/single/hang")
	took := time.Since(start)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.GreaterOrEqual(t, took, time.Second)
	assert.Less(t, took, 2500*time.Millisecond)
	// A cold start's fields (cold_start init=...) may sit between the reason
	// and the routing.
	assert.Regexp(t, `"LambdaTimeout"( cold_start init=[0-9.]+)? rule=SingleRule target_group=SingleTargetGroup`, log.String())
}

// Health checks run per target group with its path, mode and matcher:
// MultiTargetGroup expects 418 at /ping and gets 200.
func TestSiteHealthChecksPerTargetGroup(t *testing.T) {
	_, log := startSite(t, 0)
	require.Eventually(t, func() bool {
		s := log.String()
		return strings.Contains(s, "health check SingleTargetGroup /health: healthy\n") &&
			strings.Contains(s, "health check MultiTargetGroup /ping: unhealthy (status 200, matcher [418])\n")
	}, 10*time.Second, 10*time.Millisecond, log.String())
}

// A target group whose function has no handler answers the ALB's 502, and
// the log says what to add.
func TestSiteFunctionWithoutHandler(t *testing.T) {
	urls, log := startSite(t, 0)
	resp, _ := call(t, "GET", urls["HTTPListener"]+"/orphan")
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
	assert.Contains(t, log.String(), "rule OrphanRule forwards to target group OrphanTargetGroup: add --cmd OrphanFunction=BINARY")
}

func TestSiteJSONLogNamesRuleAndTargetGroup(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{
		"SingleFunction": replay.GoHandler(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
			return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{}, Body: "ok"}, nil
		}),
	}})
	require.NoError(t, err)
	log := &syncBuffer{}
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0], Log: log, JSONLog: true})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/single/x", nil))
	assert.Equal(t, 200, rec.Code, log.String())
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(log.String())), &entry), log.String())
	assert.Equal(t, "SingleRule", entry["rule"])
	assert.Equal(t, float64(10), entry["matched_rule_priority"])
	assert.Equal(t, "SingleTargetGroup", entry["target_group"])
}

// --record under routing names the function that served each exchange and
// its listener, so that replay --infra checks the request still goes there.
func TestSiteRecordNamesTheFunction(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{
		"MultiFunction": replay.GoHandler(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
			return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", MultiValueHeaders: map[string][]string{}, Body: "ok"}, nil
		}),
	}})
	require.NoError(t, err)
	dir := t.TempDir()
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0], RecordDir: dir})
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/multi/x", nil))
	require.Equal(t, 200, rec.Code)
	b, err := os.ReadFile(filepath.Join(dir, "0001-get.json"))
	require.NoError(t, err)
	var fixture struct {
		Function string `json:"function"`
		Mode     string `json:"mode"`
		Listener int    `json:"listener"`
	}
	require.NoError(t, json.Unmarshal(b, &fixture), string(b))
	assert.Equal(t, "MultiFunction", fixture.Function)
	assert.Equal(t, "multi", fixture.Mode)
	assert.Equal(t, 80, fixture.Listener)
}

// --record keeps the request's Host: net/http takes it out of the header
// map, and without it a recorded exchange that a host-header rule routed
// replays to another rule, and a function that reads the host answers
// differently.
func TestSiteRecordKeepsTheHost(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{
		"MultiFunction": replay.GoHandler(func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
			return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", MultiValueHeaders: map[string][]string{}, Body: "ok"}, nil
		}),
	}})
	require.NoError(t, err)
	dir := t.TempDir()
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0], RecordDir: dir})
	req := httptest.NewRequest("GET", "/multi/x", nil)
	req.Host = "shop.example.com"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code)
	b, err := os.ReadFile(filepath.Join(dir, "0001-get.json"))
	require.NoError(t, err)
	var fixture struct {
		Request struct {
			Headers map[string]any `json:"headers"`
		} `json:"request"`
	}
	require.NoError(t, json.Unmarshal(b, &fixture), string(b))
	assert.Equal(t, "shop.example.com", fixture.Request.Headers["Host"], string(b))
}

// --record under routing saves the exchanges the load balancer answers
// itself too (a redirect, a fixed response): "every exchange becomes a
// fixture", and replay --infra asserts them, so the recording replays
// green through the same rules.
func TestSiteRecordLoadBalancerAnswers(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{}})
	require.NoError(t, err)
	dir := t.TempDir()
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0], RecordDir: dir})
	for _, target := range []string{"/old/a?z=1&b=2", "/nowhere", "/x?version=v2"} {
		req := httptest.NewRequest("GET", target, nil)
		req.Host = "shop.test"
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
	}
	require.Equal(t, []string{"0001-get.json", "0002-get.json", "0003-get.json"}, recorded(t, dir))
	b, err := os.ReadFile(filepath.Join(dir, "0001-get.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"location": "https://www.shop.test:443/new/old/a?z=1\u0026b=2\u0026moved=1"`)
	for _, name := range recorded(t, dir) {
		cases, err := replay.LoadWith(filepath.Join(dir, name), replay.LoadOptions{})
		require.NoError(t, err)
		replay.Run(context.Background(), func(yield func(*replay.Case) bool) {
			for _, c := range cases {
				if !yield(c) {
					return
				}
			}
		}, replay.Options{Route: site.RouteCase}, func(o *replay.Outcome) bool {
			assert.True(t, o.OK(true), "%s: %v", name, o.Findings)
			return true
		})
	}
}

// --record keeps the client's address (clientIp), so that an exchange a
// source-ip condition routed replays through the same rule.
func TestSiteRecordClientIP(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{}})
	require.NoError(t, err)
	dir := t.TempDir()
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0], RecordDir: dir})
	req := httptest.NewRequest("GET", "/local", nil)
	req.RemoteAddr = "127.0.0.1:50000"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, 200, rec.Code)
	cases, err := replay.LoadWith(filepath.Join(dir, "0001-get.json"), replay.LoadOptions{})
	require.NoError(t, err)
	replay.Run(context.Background(), func(yield func(*replay.Case) bool) {
		for _, c := range cases {
			if !yield(c) {
				return
			}
		}
	}, replay.Options{Route: site.RouteCase}, func(o *replay.Outcome) bool {
		assert.True(t, o.OK(true), "%v", o.Findings)
		return true
	})
}
