package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Node.js or Python function of a template runs from its CodeUri with its
// Runtime and Handler, as --runtime would, when no flag names a handler for
// it (before: it had none, and every request routed to it got the 502).
func TestInfraRunsRuntimeFunctions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs node and python3")
	}
	for _, tt := range []struct{ interpreter, runtime, handler, code string }{
		{"node", "nodejs20.x", "index.handler", "examples/orders-node"},
		{"python3", "python3.11", "app.handler", "examples/orders-python"},
	} {
		t.Run(tt.runtime, func(t *testing.T) {
			if _, err := exec.LookPath(tt.interpreter); err != nil {
				t.Skipf("no %s", tt.interpreter)
			}
			code, err := filepath.Abs(filepath.Join("../..", tt.code))
			require.NoError(t, err)
			dir := t.TempDir()
			tmpl := samTemplate("Orders", fmt.Sprintf("{Runtime: %s, Handler: %s, CodeUri: %s}", tt.runtime, tt.handler, code))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644))
			exit, out, errOut := runCLI(t, "", "replay", "--infra", filepath.Join(dir, "template.yaml"), "../../fixtures")
			assert.Equal(t, 0, exit, "%s\n%s", out, errOut)
			assert.Contains(t, out, "25 passed, 0 failed")
		})
	}
}

// A function's reserved concurrency in the template is its limit under
// serve --infra: at most that many environments, and beyond them the
// throttle Lambda gives (before: the default cap of 16, waiting).
func TestInfraReservedConcurrency(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "orders")
	build := exec.Command("go", "build", "-o", bin, "../../examples/orders")
	require.NoError(t, build.Run())
	o := &handlerOptions{parallel: 1, timeout: time.Second, pool: replay.Pool{Max: 16}}
	fn := &infra.Function{Name: "Orders", ReservedConcurrency: 2}
	h, err := o.buildOne(context.Background(), "--cmd", bin, fn)
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, 2, h.Concurrency())

	fn.ReservedConcurrency = -1 // none reserved: the serve flags decide
	h2, err := o.buildOne(context.Background(), "--cmd", bin, fn)
	require.NoError(t, err)
	defer h2.Close()
	assert.Equal(t, 16, h2.Concurrency())
}

// serve's environment flags hold for --runtime as for --cmd (before: a
// --runtime handler kept --parallel processes whatever --max-concurrency and
// --throttle said).
func TestRuntimeUsesTheEnvironmentPool(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node")
	}
	o := &handlerOptions{runtime: "nodejs", handler: "index.handler", codeDir: "../../examples/orders-node", parallel: 1, pool: replay.Pool{Max: 3, Throttle: true}}
	h, err := o.build(context.Background())
	require.NoError(t, err)
	defer h.Close()
	assert.Equal(t, 3, h.Concurrency())
}

// writeFiles writes files (path relative to dir → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

// Handlers that answer which language they are and the path they got.
const (
	nodeEcho = `exports.handler = async (event) => ({statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify({lang: 'node', path: event.path})});
`
	pythonEcho = `import json


def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"lang": "python", "path": event["path"]})}
`
)

func needInterpreters(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs node and python3")
	}
	for _, in := range []string{"node", "python3"} {
		if _, err := exec.LookPath(in); err != nil {
			t.Skipf("no %s", in)
		}
	}
}

// The Node.js and Python functions of a serverless.yml run from the
// service's folder, with the runtime of the function or of the provider
// and handler paths relative to that folder (before: no handler, 502).
func TestServeInfraRuntimeServerless(t *testing.T) {
	needInterpreters(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"src/app.js":   nodeEcho,
		"pyapi/app.py": pythonEcho,
		"serverless.yml": `service: polyglot
provider:
  name: aws
  runtime: nodejs20.x
functions:
  api:
    handler: src/app.handler
    events:
      - alb: {listenerArn: {Ref: HttpListener}, priority: 1, conditions: {path: /api/*}}
  py:
    handler: pyapi/app.handler
    runtime: python3.11
    events:
      - alb: {listenerArn: {Ref: HttpListener}, priority: 2, conditions: {path: /py/*}}
resources:
  Resources:
    HttpListener:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/polyglot/0123456789abcdef
        Port: 80
        Protocol: HTTP
        DefaultActions: [{Type: fixed-response, FixedResponseConfig: {StatusCode: "404"}}]
`,
	})
	urls, errb := serveInfra(t, "--infra", filepath.Join(dir, "serverless.yml"), "--port", "HttpListener=0")
	assert.Contains(t, errb.String(), "--runtime nodejs20.x --handler src/app.handler --code-dir "+dir)
	status, e := getEcho(t, urls["HttpListener"]+"/api/x")
	assert.Equal(t, 200, status, errb.String())
	assert.Equal(t, map[string]string{"lang": "node", "path": "/api/x"}, e)
	status, e = getEcho(t, urls["HttpListener"]+"/py/y")
	assert.Equal(t, 200, status, errb.String())
	assert.Equal(t, map[string]string{"lang": "python", "path": "/py/y"}, e)
}

// The Node.js and Python functions of a Terraform plan run too: one from
// its filename zip, unpacked; one from the source_dir of the archive_file
// data source whose output_path is its filename (before: no handler, 502).
func TestServeInfraRuntimeTerraform(t *testing.T) {
	needInterpreters(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"src/api/app.py": pythonEcho})
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "build"), 0o755))
	writeZip(t, filepath.Join(dir, "build", "daily.zip"), []zipEntry{{"index.js", 0o644, []byte(nodeEcho)}})

	raw, err := os.ReadFile("../../infra/testdata/terraform-plan.json")
	require.NoError(t, err)
	var plan map[string]any
	require.NoError(t, json.Unmarshal(raw, &plan))
	root := plan["planned_values"].(map[string]any)["root_module"].(map[string]any)
	zipped := func(resources any, addr, filename string) {
		for _, r := range resources.([]any) {
			r := r.(map[string]any)
			if r["address"] == addr {
				v := r["values"].(map[string]any)
				delete(v, "s3_bucket")
				delete(v, "s3_key")
				v["filename"] = filename
				return
			}
		}
		t.Fatalf("no %s in the plan", addr)
	}
	zipped(root["resources"], `aws_lambda_function.reports["daily"]`, "build/daily.zip")
	zipped(root["child_modules"].([]any)[0].(map[string]any)["resources"], "module.api.aws_lambda_function.this", "build/api.zip")
	plan["prior_state"] = map[string]any{"format_version": "1.0", "values": map[string]any{"root_module": map[string]any{"resources": []any{
		map[string]any{"address": "data.archive_file.api", "mode": "data", "type": "archive_file", "name": "api",
			"values": map[string]any{"output_path": "build/api.zip", "source_dir": "src/api"}},
	}}}}
	edited, err := json.Marshal(plan)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "plan.json"), edited, 0o644))

	urls, errb := serveInfra(t, "--infra", filepath.Join(dir, "plan.json"), "--port", "80=0", "--port", "443=0")
	https := urls["aws_lb_listener.https"]
	require.NotEmpty(t, https, errb.String())
	status, e := getEcho(t, https+"/reports/daily")
	assert.Equal(t, 200, status, errb.String())
	assert.Equal(t, map[string]string{"lang": "node", "path": "/reports/daily"}, e)

	req, err := http.NewRequest("GET", https+"/v1/items", nil)
	require.NoError(t, err)
	req.Host = "api.shop.example.com"
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 200, resp.StatusCode, "%s\n%s", body, errb.String())
	assert.JSONEq(t, `{"lang": "python", "path": "/v1/items"}`, string(body))
}

// A template's Handler without a dot is a usage error that names the
// function and where it is (before: replay and serve panicked while they
// closed what they had built).
func TestInfraMalformedHandler(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "src"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "src", "app.js"), []byte("exports.handler = async () => ({statusCode: 200})\n"), 0o644))
	tmpl := samTemplate("Fn", "{Runtime: nodejs20.x, Handler: lib/app, CodeUri: src}")
	path := filepath.Join(dir, "template.yaml")
	require.NoError(t, os.WriteFile(path, []byte(tmpl), 0o644))
	for _, args := range [][]string{
		{"replay", "--infra", path, "../../fixtures"},
		{"serve", "--infra", path, "--port", "80=0"},
	} {
		exit, _, errOut := runCLI(t, "", args...)
		assert.Equal(t, 2, exit, "%v: %s", args, errOut)
		assert.Contains(t, errOut, "function Fn ("+path+":3): Handler lib/app", args)
		assert.NotContains(t, errOut, "panic", args)
	}
}

// samTemplate is a template whose one function, name, is behind an ALB
// listener on port 80, with the given properties.
func samTemplate(name, props string) string {
	return strings.NewReplacer("FN", name, "PROPS", props).Replace(`Transform: AWS::Serverless-2016-10-31
Resources:
  FN:
    Type: AWS::Serverless::Function
    Properties: PROPS
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt FN.Arn, Action: lambda:InvokeFunction, Principal: elasticloadbalancing.amazonaws.com}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: Permission
    Properties: {TargetType: lambda, Targets: [{Id: !GetAtt FN.Arn}]}
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [a, b]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref LB, Port: 80, Protocol: HTTP, DefaultActions: [{Type: forward, TargetGroupArn: !Ref Group}]}
`)
}

// A Node.js or Python function that albcheck cannot run says why: its
// runtime is not one albcheck runs, or its code is not where the template
// says (before: "no bootstrap executable found", about Go binaries). And an
// interpreter of another version than the template's Runtime is warned
// about under --infra as under --runtime (before: only --runtime warned).
func TestInfraRuntimeReasons(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "src"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "src", "app.py"), []byte("def handler(e, c):\n    return {'statusCode': 200}\n"), 0o644))
	other := "python3.13"
	if out, err := exec.Command("python3", "--version").Output(); err == nil && strings.Contains(string(out), " 3.13.") {
		other = "python3.12"
	}
	for _, tc := range []struct{ props, want string }{
		{"{Runtime: nodejs16.x, Handler: app.handler, CodeUri: src}", `function Fn has no handler: Runtime nodejs16.x: unknown runtime "nodejs16.x"`},
		{"{Runtime: python3.12, Handler: app.handler, CodeUri: nowhere}", "function Fn has no handler: its python3.12 code is not there (" + filepath.Join(dir, "nowhere") + ")"},
		{"{Runtime: " + other + ", Handler: app.handler, CodeUri: src}", "albcheck: warning: runtime " + other + " runs with python3 "},
	} {
		path := filepath.Join(dir, "template.yaml")
		require.NoError(t, os.WriteFile(path, []byte(samTemplate("Fn", tc.props)), 0o644))
		_, out, errOut := runCLI(t, "", "replay", "--infra", path, "../../fixtures/health-check.json")
		assert.Contains(t, out+errOut, tc.want, tc.props)
	}
}
