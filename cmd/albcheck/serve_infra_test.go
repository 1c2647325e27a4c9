package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoFunction answers with the shape of the event it got (serve's tests).
func echoFunction(t *testing.T) string { return testproc.Build(t, "../../serve/testdata/echofn") }

// lockedBuffer is stderr that the test reads while serve writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveInfra runs albcheck serve with args until the test ends and returns
// the URL of each listener, by name, as the banner prints them.
func serveInfra(t *testing.T, args ...string) (map[string]string, *lockedBuffer) {
	t.Helper()
	errb := &lockedBuffer{}
	s := &streams{in: strings.NewReader(""), out: io.Discard, err: errb}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), s) }()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, exitOK, <-done, errb.String())
		assert.Contains(t, errb.String(), "albcheck serve: stopped")
	})
	listener := regexp.MustCompile(`(?m)^  listener (\S+) \(.*\) on (http://\S+)$`)
	urls := map[string]string{}
	ended := false
	require.Eventually(t, func() bool {
		select {
		case code := <-done:
			done <- code
			ended = true
			return true
		default:
		}
		return strings.Contains(errb.String(), "target group ")
	}, 20*time.Second, 5*time.Millisecond)
	require.False(t, ended, "serve ended early:\n%s", errb.String())
	for _, m := range listener.FindAllStringSubmatch(errb.String(), -1) {
		urls[m[1]] = m[2]
	}
	return urls, errb
}

func getEcho(t *testing.T, url string) (int, map[string]string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e map[string]string
	_ = json.Unmarshal(body, &e)
	return resp.StatusCode, e
}

// serve --infra with handlers by name: every listener on its own port
// (mapped by name and by port), each function in its target group's mode,
// and a function without a handler answered by the ALB's 502 with the flag
// to add.
func TestServeInfraByName(t *testing.T) {
	bin := echoFunction(t)
	urls, errb := serveInfra(t, "--infra", "../../testdata/infra/site.yaml",
		"--cmd", "SingleFunction="+bin, "--cmd", "multi-echo="+bin, // by logical id and by FunctionName
		"--port", "HTTPListener=0", "--port", "443=0", "--seed", "3")
	require.Contains(t, urls, "HTTPListener")
	require.Contains(t, urls, "HTTPSListener")
	assert.Contains(t, errb.String(), "  listener HTTPSListener (HTTPS 443) on http://127.0.0.1:")
	assert.Contains(t, errb.String(), "  target group MultiTargetGroup (multi mode): MultiFunction (--cmd "+bin+"), timeout 5s, health check /ping every 35s\n")
	assert.Contains(t, errb.String(), "  target group OrphanTargetGroup (single mode): OrphanFunction: no handler, requests get 502 (add --cmd OrphanFunction=BINARY)\n")

	status, e := getEcho(t, urls["HTTPListener"]+"/single/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "single", e["mode"])
	status, e = getEcho(t, urls["HTTPListener"]+"/multi/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "multi", e["mode"])
	status, e = getEcho(t, urls["HTTPSListener"]+"/y")
	assert.Equal(t, 200, status)
	assert.Equal(t, "https", e["proto"])
	assert.Equal(t, "443", e["port"])
	status, _ = getEcho(t, urls["HTTPListener"]+"/orphan")
	assert.Equal(t, http.StatusBadGateway, status)
	assert.Contains(t, errb.String(), "function OrphanFunction has no handler: add --cmd OrphanFunction=BINARY")
	assert.Contains(t, errb.String(), `"GET /orphan HTTP/1.1" 502 - `)
}

func TestServeInfraUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown function", []string{"--cmd", "Nope=/bin/true"}, "--cmd Nope=...: no function named Nope in the --infra files (functions: SingleFunction, MultiFunction, OrphanFunction)"},
		{"named and plain", []string{"--cmd", "SingleFunction=/bin/true", "--exec", "cat"}, "give every handler as NAME=VALUE with --infra"},
		{"unknown listener", []string{"--cmd", "SingleFunction=/bin/true", "--port", "8081=0"}, "--port 8081=...: no listener of the files has that name or port"},
		{"bad port", []string{"--cmd", "SingleFunction=/bin/true", "--port", "HTTPListener"}, `--port "HTTPListener": want LISTENER=PORT`},
		// Flags of the one-function server that the whole ALB takes from
		// the files instead: refused rather than silently ignored.
		{"listen", []string{"--cmd", "SingleFunction=/bin/true", "--listen", "127.0.0.1:9999"}, "--listen does not apply to the whole ALB of --infra: each listener is served on its own port; map one with --port LISTENER=PORT"},
		{"mode", []string{"--cmd", "SingleFunction=/bin/true", "--mode", "multi"}, "--mode does not apply to the whole ALB of --infra: each target group's mode is in the files"},
		{"timeout", []string{"--cmd", "SingleFunction=/bin/true", "--timeout", "1s"}, "--timeout does not apply to the whole ALB of --infra: each function's Timeout is in the files"},
		{"health check", []string{"--cmd", "SingleFunction=/bin/true", "--health-check-path", "/x"}, "--health-check-path does not apply to the whole ALB of --infra: each target group's health check is in the files"},
		{"target group", []string{"--cmd", "SingleFunction=/bin/true", "--target-group", "arn:x"}, "--target-group does not apply to the whole ALB of --infra: each target group's ARN is in the files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", append([]string{"serve", "--infra", "../../testdata/infra/site.yaml"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
	// Without names, two handlers are one too many, as before.
	code, _, errOut := runCLI(t, "", "serve", "--cmd", "a", "--cmd", "b")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--cmd given twice")
}

// writeZip writes a zip of the given entries (name → mode, content).
func writeZip(t *testing.T, path string, entries []zipEntry) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

type zipEntry struct {
	name string
	mode os.FileMode
	data []byte
}

const zippedService = `service: zipped
provider:
  name: aws
  runtime: provided.al2023
functions:
  api:
    handler: bootstrap
    package:
      artifact: dist/api.zip
    events:
      - alb:
          listenerArn:
            Ref: HttpListener
          priority: 1
          conditions:
            path: /api/*
resources:
  Resources:
    HttpListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/zipped/0123456789abcdef
        Port: 80
        Protocol: HTTP
        DefaultActions:
          - Type: fixed-response
            FixedResponseConfig:
              StatusCode: "404"
`

// A function given no handler runs from the bootstrap in its Serverless
// artifact; only that entry is extracted, whatever else the zip holds.
func TestServeInfraBootstrapFromZip(t *testing.T) {
	bin, err := os.ReadFile(echoFunction(t))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "dist"), 0o755))
	writeZip(t, filepath.Join(dir, "dist", "api.zip"), []zipEntry{
		{"../escaped", 0o755, []byte("#!/bin/sh\n")},
		{"bootstrap", 0o755, bin},
	})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "serverless.yml"), []byte(zippedService), 0o644))
	// The listener is another stack's: its port is unknown, so --port
	// names it.
	urls, errb := serveInfra(t, "--infra", filepath.Join(dir, "serverless.yml"), "--port", "HttpListener=0")
	assert.Regexp(t, `target group \S+ \(single mode\): api \(\S+/bootstrap\), timeout`, errb.String())
	status, e := getEcho(t, urls["HttpListener"]+"/api/x")
	assert.Equal(t, 200, status, errb.String())
	assert.Equal(t, "/api/x", e["path"])
	assert.NoFileExists(t, filepath.Join(os.TempDir(), "escaped"))
}

// After sam build, the function's bootstrap under .aws-sam/build serves.
func TestServeInfraSAMBuild(t *testing.T) {
	bin, err := os.ReadFile(echoFunction(t))
	require.NoError(t, err)
	dir := t.TempDir()
	template, err := os.ReadFile("../../testdata/infra/site.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "template.yaml"), template, 0o644))
	built := filepath.Join(dir, ".aws-sam", "build", "MultiFunction")
	require.NoError(t, os.MkdirAll(built, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(built, "bootstrap"), bin, 0o755))
	urls, errb := serveInfra(t, "--infra", filepath.Join(dir, "template.yaml"), "--port", "80=0", "--port", "443=0")
	assert.Contains(t, errb.String(), "MultiFunction ("+filepath.Join(built, "bootstrap")+")")
	status, e := getEcho(t, urls["HTTPListener"]+"/multi/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "multi", e["mode"])
	status, _ = getEcho(t, urls["HTTPListener"]+"/single/x")
	assert.Equal(t, http.StatusBadGateway, status)
	assert.Contains(t, errb.String(), "function SingleFunction has no handler: add --cmd SingleFunction=BINARY")
}

// Each function runs under its own name, as Lambda tells it in
// AWS_LAMBDA_FUNCTION_NAME: the deployed FunctionName, else the logical
// id; not the binary's file name, which after sam build is "bootstrap" for
// every function. --env still wins.
func TestServeInfraFunctionName(t *testing.T) {
	bin := echoFunction(t)
	dir := t.TempDir()
	template, err := os.ReadFile("../../testdata/infra/site.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "template.yaml"), template, 0o644))
	built := filepath.Join(dir, ".aws-sam", "build", "MultiFunction")
	require.NoError(t, os.MkdirAll(built, 0o755))
	b, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(built, "bootstrap"), b, 0o755))
	urls, _ := serveInfra(t, "--infra", filepath.Join(dir, "template.yaml"), "--cmd", "SingleFunction="+bin, "--port", "80=0", "--port", "443=0")
	_, e := getEcho(t, urls["HTTPListener"]+"/multi/x")
	assert.Equal(t, "multi-echo", e["lambdaName"])
	_, e = getEcho(t, urls["HTTPListener"]+"/single/x")
	assert.Equal(t, "SingleFunction", e["lambdaName"])

	urls, _ = serveInfra(t, "--infra", filepath.Join(dir, "template.yaml"), "--cmd", "SingleFunction="+bin, "-e", "AWS_LAMBDA_FUNCTION_NAME=mine", "--port", "80=0", "--port", "443=0")
	_, e = getEcho(t, urls["HTTPListener"]+"/single/x")
	assert.Equal(t, "mine", e["lambdaName"])
}

// replay --infra with handlers by name: the suite through the example's
// template asserts routing, the fixed response and the redirect.
func TestReplayInfraRoutingSuite(t *testing.T) {
	bin := exampleFunction(t)
	code, out, errOut := runCLI(t, "", "replay", "--infra", "../../examples/orders/template.yaml", "--cmd", "OrdersFunction="+bin, "../../testdata/infra/orders")
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "5 passed, 0 failed")
}

// A case that names a function its request does not reach fails with
// EXPECT-FUNCTION; a listener or function that does not exist, with FIX-001.
func TestReplayInfraRoutedElsewhere(t *testing.T) {
	bin := exampleFunction(t)
	dir := t.TempDir()
	fixture := `[
  {"name": "robots", "function": "OrdersFunction", "request": {"method": "GET", "target": "/robots.txt"}},
  {"name": "no such listener", "listener": 443, "request": {"method": "GET", "target": "/"}},
  {"name": "no such function", "function": "Nope", "request": {"method": "GET", "target": "/"}},
  {"name": "redirect", "request": {"method": "GET", "target": "/shop", "headers": {"Host": "a.test"}}, "expect": {"status": 301}}
]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), []byte(fixture), 0o644))
	code, out, _ := runCLI(t, "", "replay", "--infra", "../../examples/orders/template.yaml", "--cmd", "OrdersFunction="+bin, "--format", "json", dir)
	assert.Equal(t, exitFindings, code)
	var doc struct {
		Results []struct {
			Name     string
			Findings []struct{ Rule, Pointer, Message string }
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Results, 4)
	want := []struct{ rule, pointer, message string }{
		{"EXPECT-FUNCTION", "/0/function", "routed by rule RobotsRule of listener HTTPListener to a fixed response 200, not to function OrdersFunction"},
		{"FIX-001", "/1/listener", "--infra: no listener on port 443 (listeners: 80)"},
		{"FIX-001", "/2/function", `--infra: no function named "Nope" in the files`},
		{"EXPECT-STATUS", "/3/expect/status", "status 302, want 301"},
	}
	for i, w := range want {
		require.NotEmpty(t, doc.Results[i].Findings, doc.Results[i].Name)
		f := doc.Results[i].Findings[0]
		assert.Equal(t, w.rule, f.Rule, doc.Results[i].Name)
		assert.Equal(t, w.pointer, f.Pointer, doc.Results[i].Name)
		assert.Equal(t, w.message, f.Message, doc.Results[i].Name)
	}
}

// replay --infra with handlers by name routes each case to its target
// group's mode and its function's timeout: --mode and --timeout are
// refused rather than silently ignored.
func TestReplayInfraRefusesModeAndTimeout(t *testing.T) {
	for _, tc := range []struct{ flag, value, want string }{
		{"--mode", "multi", "--mode does not apply to replay through the whole ALB of --infra: each target group's mode is in the files"},
		{"--timeout", "1s", "--timeout does not apply to replay through the whole ALB of --infra: each function's Timeout is in the files"},
	} {
		code, _, errOut := runCLI(t, "", "replay", "--infra", "../../examples/orders/template.yaml", "--cmd", "OrdersFunction=/bin/true", tc.flag, tc.value, "../../testdata/infra/orders")
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, tc.want)
	}
}

// The usual Serverless ALB setup: the alb event names a listener made
// elsewhere by its ARN, so the files give it no port. replay --infra sends
// a case naming no listener to the only one, and --port (as serve's) gives
// it the port a case names (before: every case failed with FIX-001 "no
// listener with a port in the files", and replay had no --port).
func TestReplayInfraServerlessListenerArn(t *testing.T) {
	bin := echoFunction(t)
	dir := t.TempDir()
	const arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"
	writeFiles(t, dir, map[string]string{
		"serverless.yml": `service: shop
provider: {name: aws, runtime: provided.al2023}
functions:
  api:
    handler: bootstrap
    events:
      - alb: {listenerArn: ` + arn + `, priority: 1, conditions: {path: /api/*}}
`,
		"cases/any.json":  `{"name": "any listener", "request": {"method": "GET", "target": "/api/x"}, "expect": {"status": 200}}`,
		"cases/port.json": `{"name": "port 80", "listener": 80, "request": {"method": "GET", "target": "/api/x"}, "expect": {"status": 200, "body": {"contains": "\"proto\":\"http\",\"port\":\"80\""}}}`,
	})
	sls := filepath.Join(dir, "serverless.yml")
	code, out, errOut := runCLI(t, "", "replay", "--infra", sls, "--cmd", "api="+bin, filepath.Join(dir, "cases", "any.json"))
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)

	code, out, _ = runCLI(t, "", "replay", "--infra", sls, "--cmd", "api="+bin, filepath.Join(dir, "cases", "port.json"))
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "--infra: no listener on port 80 (listeners: "+arn+" (no port: map it with --port LISTENER=PORT))")

	code, out, errOut = runCLI(t, "", "replay", "--infra", sls, "--cmd", "api="+bin, "--port", arn+"=80", filepath.Join(dir, "cases"))
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "2 passed, 0 failed")

	code, _, errOut = runCLI(t, "", "replay", "--infra", sls, "--cmd", "api="+bin, "--port", "HttpListener=80", filepath.Join(dir, "cases"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--port HttpListener=...: no listener of the files has that name or port")
}

// envTemplate gives its function ECHO_NAME (which echofn answers with)
// through SAM's Globals and an intrinsic, and TABLE only at deployment.
const envTemplate = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: test}
Globals:
  Function:
    Environment:
      Variables:
        ECHO_NAME: !Sub "${Stage}-echo"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      Environment:
        Variables:
          TABLE: !Ref Table
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt EchoFunction.Arn, Action: lambda:InvokeFunction, Principal: elasticloadbalancing.amazonaws.com}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: Permission
    Properties: {TargetType: lambda, Targets: [{Id: !GetAtt EchoFunction.Arn}]}
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [a, b]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref LB, Port: 80, Protocol: HTTP, DefaultActions: [{Type: forward, TargetGroupArn: !Ref Group}]}
`

// The environment variables of the template reach the function's process
// under serve --infra and replay --infra, -e winning over them; a variable
// known only at deployment is named in a warning, not passed as "${Table}"
// (before: the function got none of them).
func TestInfraFunctionEnvironment(t *testing.T) {
	bin := echoFunction(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"template.yaml":   envTemplate,
		"cases/file.json": `{"name": "from the file", "request": {"method": "GET", "target": "/x"}, "expect": {"body": {"contains": "\"function\":\"test-echo\""}}}`,
		"cases/flag.json": `{"name": "from -e", "request": {"method": "GET", "target": "/x"}, "expect": {"body": {"contains": "\"function\":\"cli\""}}}`,
	})
	tmpl := filepath.Join(dir, "template.yaml")
	code, out, errOut := runCLI(t, "", "replay", "--infra", tmpl, "--cmd", "EchoFunction="+bin, filepath.Join(dir, "cases", "file.json"))
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, errOut, "function EchoFunction: environment variable TABLE is known only at deployment: not set (give it with -e TABLE=VALUE)")

	code, out, errOut = runCLI(t, "", "replay", "--infra", tmpl, "--cmd", "EchoFunction="+bin, "-e", "ECHO_NAME=cli", "-e", "TABLE=orders", filepath.Join(dir, "cases", "flag.json"))
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.NotContains(t, errOut, "TABLE is")

	urls, _ := serveInfra(t, "--infra", tmpl, "--cmd", "EchoFunction="+bin, "--port", "80=0")
	status, e := getEcho(t, urls["Listener"]+"/x")
	assert.Equal(t, 200, status)
	assert.Equal(t, "test-echo", e["function"])
}

// A Serverless function is told the name the framework deploys it under,
// <service>-<stage>-<function>, when it sets no name (before: its key in
// the file).
func TestReplayInfraServerlessFunctionName(t *testing.T) {
	bin := echoFunction(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"serverless.yml": `service: shop
provider:
  name: aws
  runtime: provided.al2023
  environment: {ECHO_NAME: "${sls:stage}-from-provider"}
functions:
  api:
    handler: bootstrap
    events:
      - alb: {listenerArn: {Ref: HttpListener}, priority: 1, conditions: {path: /api/*}}
`,
		"case.json": `[
  {"name": "deployed name", "request": {"method": "GET", "target": "/api/x"}, "expect": {"body": {"contains": "\"lambdaName\":\"shop-dev-api\""}}},
  {"name": "provider environment", "request": {"method": "GET", "target": "/api/x"}, "expect": {"body": {"contains": "\"function\":\"dev-from-provider\""}}}
]`,
	})
	code, out, errOut := runCLI(t, "", "replay", "--infra", filepath.Join(dir, "serverless.yml"), "--cmd", "api="+bin, filepath.Join(dir, "case.json"))
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	assert.Contains(t, out, "2 passed, 0 failed")
}
