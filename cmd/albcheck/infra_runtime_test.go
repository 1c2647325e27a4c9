package main

import (
	"context"
	"fmt"
	"time"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
			tmpl := fmt.Sprintf(`Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Runtime: %s, Handler: %s, CodeUri: %s}
  Permission:
    Type: AWS::Lambda::Permission
    Properties: {FunctionName: !GetAtt Orders.Arn, Action: lambda:InvokeFunction, Principal: elasticloadbalancing.amazonaws.com}
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: Permission
    Properties: {TargetType: lambda, Targets: [{Id: !GetAtt Orders.Arn}]}
  LB:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [a, b]}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: {LoadBalancerArn: !Ref LB, Port: 80, Protocol: HTTP, DefaultActions: [{Type: forward, TargetGroupArn: !Ref Group}]}
`, tt.runtime, tt.handler, code)
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
