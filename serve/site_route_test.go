package serve_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tellShape answers with the mode and the forwarded protocol and port of
// the event it got.
func tellShape(name string) replay.Handler {
	return replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		resp := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK"}
		if req.MultiValueHeaders != nil {
			resp.MultiValueHeaders = map[string][]string{}
			resp.Body = name + " multi " + req.MultiValueHeaders["x-forwarded-proto"][0] + " " + req.MultiValueHeaders["x-forwarded-port"][0]
		} else {
			resp.Headers = map[string]string{}
			resp.Body = name + " single " + req.Headers["x-forwarded-proto"] + " " + req.Headers["x-forwarded-port"]
		}
		return resp, nil
	})
}

// Replay cases are routed as the site routes requests: by the listener
// they name, to the target group's function in its mode, or to the load
// balancer's own answers; a case routed away from its function fails.
func TestSiteRouteCase(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{
		"SingleFunction": tellShape("SingleFunction"),
		"MultiFunction":  tellShape("MultiFunction"),
	}})
	require.NoError(t, err)
	dir := t.TempDir()
	fixture := `[
  {"name": "https listener", "listener": 443, "function": "SingleFunction", "request": {"method": "GET", "target": "/x"}, "expect": {"body": {"equals": "SingleFunction single https 443"}}},
  {"name": "multi", "listener": 80, "function": "multi-echo", "mode": "single", "request": {"method": "GET", "target": "/multi/x"}, "expect": {"body": {"equals": "MultiFunction multi http 80"}}},
  {"name": "redirect", "listener": 80, "request": {"method": "GET", "target": "/old/a?b=1", "headers": {"Host": "shop.test"}}, "expect": {"status": 301, "headers": {"location": "https://www.shop.test:443/new/old/a?b=1&moved=1"}}},
  {"name": "fixed", "listener": 80, "request": {"method": "GET", "target": "/nowhere"}, "expect": {"status": 404, "headers": {"content-type": "text/plain"}, "body": {"equals": "no route"}}},
  {"name": "elsewhere", "listener": 80, "function": "SingleFunction", "request": {"method": "GET", "target": "/multi/x"}},
  {"name": "no handler", "listener": 80, "request": {"method": "GET", "target": "/orphan"}},
  {"name": "which listener", "request": {"method": "GET", "target": "/"}}
]`
	file := filepath.Join(dir, "cases.json")
	require.NoError(t, os.WriteFile(file, []byte(fixture), 0o644))
	cases, err := replay.LoadWith(file, replay.LoadOptions{})
	require.NoError(t, err)
	var outcomes []*replay.Outcome
	replay.Run(context.Background(), func(yield func(*replay.Case) bool) {
		for _, c := range cases {
			if !yield(c) {
				return
			}
		}
	}, replay.Options{Route: site.RouteCase, Concurrency: 2}, func(o *replay.Outcome) bool {
		outcomes = append(outcomes, o)
		return true
	})
	require.Len(t, outcomes, 7)
	for _, o := range outcomes[:4] {
		assert.True(t, o.OK(false), "%s: %v", o.Case.Name, o.Findings)
	}
	first := func(o *replay.Outcome) validate.Finding {
		require.NotEmpty(t, o.Findings, o.Case.Name)
		return o.Findings[0]
	}
	f := first(outcomes[4])
	assert.Equal(t, validate.EXPECTFUNCTION, f.Rule)
	assert.Equal(t, "/4/function", f.Pointer)
	assert.Equal(t, "routed by rule MultiRule of listener HTTPListener to target group MultiTargetGroup (function MultiFunction), not to function SingleFunction", f.Message)
	f = first(outcomes[5])
	assert.Equal(t, validate.FUNCINIT, f.Rule)
	assert.Contains(t, f.Message, "the ALB answers 502: rule OrphanRule forwards to target group OrphanTargetGroup")
	f = first(outcomes[6])
	assert.Equal(t, validate.FIX001, f.Rule)
	assert.Equal(t, `--infra: the files have listeners on ports 80, 443: say which the case goes to with "listener"`, f.Message)
}

// runCases routes the cases of one fixture file through the site.
func runCases(t *testing.T, site *serve.Site, fixture string) []*replay.Outcome {
	t.Helper()
	file := filepath.Join(t.TempDir(), "cases.json")
	require.NoError(t, os.WriteFile(file, []byte(fixture), 0o644))
	cases, err := replay.LoadWith(file, replay.LoadOptions{})
	require.NoError(t, err)
	var outcomes []*replay.Outcome
	replay.Run(context.Background(), func(yield func(*replay.Case) bool) {
		for _, c := range cases {
			if !yield(c) {
				return
			}
		}
	}, replay.Options{Route: site.RouteCase, Concurrency: 1}, func(o *replay.Outcome) bool {
		outcomes = append(outcomes, o)
		return true
	})
	return outcomes
}

// A short request routed to a multi-mode target group gets the event the
// ALB sends there: every value of a repeated query key and header, not
// only the last one that a single-mode event keeps.
func TestSiteRouteCaseMultiKeepsRepeatedValues(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{
		"MultiFunction": replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
			body := strings.Join(req.MultiValueQueryStringParameters["a"], ",") + " " + strings.Join(req.MultiValueHeaders["x-tag"], ",")
			return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", MultiValueHeaders: map[string][]string{}, Body: body}, nil
		}),
	}})
	require.NoError(t, err)
	outcomes := runCases(t, site, `[
  {"name": "repeated", "listener": 80, "request": {"method": "GET", "target": "/multi/x?a=1&a=2", "headers": {"X-Tag": ["p", "q"]}}, "expect": {"body": {"equals": "1,2 p,q"}}}
]`)
	require.Len(t, outcomes, 1)
	assert.True(t, outcomes[0].OK(false), "%v", outcomes[0].Findings)
}

// A case is routed on its request as the client sent it, as serve routes
// it: a redirect keeps the query in its order, and a query-string
// condition matches any value of a repeated key, not only the last one
// that a single-mode event keeps.
func TestSiteRouteCaseQueryAsSent(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{}})
	require.NoError(t, err)
	outcomes := runCases(t, site, `[
  {"name": "order", "listener": 80, "request": {"method": "GET", "target": "/old/a?z=1&b=2", "headers": {"Host": "shop.test"}}, "expect": {"status": 301, "headers": {"location": "https://www.shop.test:443/new/old/a?z=1&b=2&moved=1"}}},
  {"name": "repeated key", "listener": 80, "request": {"method": "GET", "target": "/x?version=v2&version=v1"}, "expect": {"status": 200, "body": {"equals": "{\"rule\":\"query\"}"}}}
]`)
	require.Len(t, outcomes, 2)
	for _, o := range outcomes {
		assert.True(t, o.OK(false), "%s: %v", o.Case.Name, o.Findings)
	}
}

// A HEAD request answered by the load balancer's own fixed response is no
// function's reply: it has no body, and nothing to warn about (RESP-014 on
// it failed the case under --strict).
func TestSiteRouteCaseHeadFixedResponse(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{}})
	require.NoError(t, err)
	outcomes := runCases(t, site, `[
  {"name": "head", "listener": 80, "request": {"method": "HEAD", "target": "/nowhere"}, "expect": {"status": 404, "headers": {"content-type": "text/plain"}, "body": {"equals": ""}}}
]`)
	require.Len(t, outcomes, 1)
	assert.True(t, outcomes[0].OK(true), "%v", outcomes[0].Findings)
	assert.Empty(t, outcomes[0].Findings)
}

// A short request's clientIp is the address source-ip conditions see.
func TestSiteRouteCaseClientIP(t *testing.T) {
	p, err := infra.Load(siteTemplate)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{}})
	require.NoError(t, err)
	outcomes := runCases(t, site, `[
  {"name": "internal", "listener": 80, "request": {"method": "GET", "target": "/remote", "clientIp": "10.1.2.3"}, "expect": {"status": 200, "body": {"equals": "remote"}}},
  {"name": "elsewhere", "listener": 80, "request": {"method": "GET", "target": "/remote"}, "expect": {"status": 404}}
]`)
	require.Len(t, outcomes, 2)
	for _, o := range outcomes {
		assert.True(t, o.OK(true), "%s: %v", o.Case.Name, o.Findings)
	}
}

// slsService is the usual Serverless ALB setup: the function's alb event
// attaches a rule to a listener made elsewhere, known by its ARN only.
const slsService = `service: shop
provider:
  name: aws
  runtime: provided.al2023
functions:
  api:
    handler: bootstrap
    events:
      - alb:
          listenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2
          priority: 1
          conditions:
            path: /api
`

const slsListener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"

// A Serverless service's only listener has no port in the files: a case
// naming no listener goes to it all the same, and one naming a port is
// told which listeners there are, by name when they have no port, unless
// Ports gives that listener the port the case names.
func TestSiteRouteCaseListenerWithoutPort(t *testing.T) {
	file := filepath.Join(t.TempDir(), "serverless.yml")
	require.NoError(t, os.WriteFile(file, []byte(slsService), 0o644))
	p, err := infra.Load(file)
	require.NoError(t, err)
	handlers := map[string]replay.Handler{"api": tellShape("api")}
	fixture := `[
  {"name": "only listener", "request": {"method": "GET", "target": "/api"}, "expect": {"status": 200}},
  {"name": "by port", "listener": 80, "request": {"method": "GET", "target": "/api"}, "expect": {"body": {"equals": "api single http 80"}}}
]`
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: handlers})
	require.NoError(t, err)
	out := runCases(t, site, fixture)
	require.Len(t, out, 2)
	assert.True(t, out[0].OK(false), "%v", out[0].Findings)
	require.NotEmpty(t, out[1].Findings)
	assert.Equal(t, validate.FIX001, out[1].Findings[0].Rule)
	assert.Equal(t, "--infra: no listener on port 80 (listeners: "+slsListener+" (no port: map it with --port LISTENER=PORT))", out[1].Findings[0].Message)

	site, err = serve.NewSite(p, serve.SiteOptions{Handlers: handlers, Ports: map[string]int{slsListener: 80}})
	require.NoError(t, err)
	for _, o := range runCases(t, site, fixture) {
		assert.True(t, o.OK(false), "%s: %v", o.Case.Name, o.Findings)
	}
}

// Several listeners without a port: a case must name one, and the message
// says which there are and how to give them a port.
func TestSiteRouteCaseListenersWithoutPort(t *testing.T) {
	second := strings.Replace(slsListener, "f2f7dc8efc522ab2", "0123456789abcdef", 1)
	service := slsService + `  admin:
    handler: bootstrap
    events:
      - alb:
          listenerArn: ` + second + `
          priority: 2
          conditions:
            path: /admin
`
	file := filepath.Join(t.TempDir(), "serverless.yml")
	require.NoError(t, os.WriteFile(file, []byte(service), 0o644))
	p, err := infra.Load(file)
	require.NoError(t, err)
	site, err := serve.NewSite(p, serve.SiteOptions{Handlers: map[string]replay.Handler{"api": tellShape("api")}})
	require.NoError(t, err)
	out := runCases(t, site, `{"name": "which", "request": {"method": "GET", "target": "/api"}}`)
	require.Len(t, out, 1)
	require.NotEmpty(t, out[0].Findings)
	const how = " (no port: map it with --port LISTENER=PORT)"
	assert.Equal(t, "--infra: no listener with a port in the files (listeners: "+slsListener+how+", "+second+how+")", out[0].Findings[0].Message)
}
