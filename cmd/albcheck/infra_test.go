package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infraProject is a small project built in Go, as a reader would give it:
// one function, wired but registered before its permission exists.
func infraProject() *infra.Project {
	at := func(pointer string, line int) infra.Source {
		return infra.Source{File: "template.yaml", Pointer: pointer, Line: line, Column: 3}
	}
	return &infra.Project{
		Format:        infra.CloudFormation,
		LoadBalancers: []*infra.LoadBalancer{{Name: "ALB", Scheme: "internet-facing", Source: at("/Resources/ALB", 4)}},
		Listeners: []*infra.Listener{{
			Name: "HTTP", LoadBalancer: "ALB", Port: 80, Protocol: "HTTP", Source: at("/Resources/HTTP", 10),
			Rules: []*infra.Rule{
				{Name: "Search", Priority: 20, Source: at("/Resources/Search", 30),
					Conditions: []infra.Condition{{Field: "path-pattern", Values: []string{"/api/search"}}, {Field: "http-request-method", Values: []string{"GET"}}},
					Actions:    []infra.Action{{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "OrdersTG", Weight: 1}}}}},
				{Name: "Old", Priority: 10, Source: at("/Resources/Old", 20),
					Conditions: []infra.Condition{{Field: "path-pattern", Values: []string{"/old-*"}}},
					Actions:    []infra.Action{{Type: "redirect", Redirect: &infra.Redirect{Path: "/api/orders", StatusCode: "HTTP_301"}}}},
			},
			DefaultActions: []infra.Action{{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "OrdersTG", Weight: 1}}}},
		}},
		TargetGroups: []*infra.TargetGroup{{
			Name: "OrdersTG", TargetType: "lambda", Mode: validate.ModeMulti, Source: at("/Resources/OrdersTG", 40),
			Targets:     []infra.Target{{Function: "Orders", Source: at("/Resources/OrdersTG/Properties/Targets/0", 47)}},
			HealthCheck: infra.HealthCheck{Enabled: true, Path: "/", IntervalSeconds: 35, TimeoutSeconds: 30, Matcher: "200", Source: at("/Resources/OrdersTG/Properties", 41)},
		}},
		Functions:   []*infra.Function{{Name: "Orders", FunctionName: "orders-api", Runtime: "provided.al2023", Handler: "bootstrap", TimeoutSeconds: 10, ReservedConcurrency: -1, Source: at("/Resources/Orders", 50)}},
		Permissions: []*infra.Permission{{Name: "OrdersPermission", Function: "Orders", Action: "lambda:InvokeFunction", Principal: "elasticloadbalancing.amazonaws.com", Source: at("/Resources/OrdersPermission", 60)}},
	}
}

func reportCLI(t *testing.T, p *infra.Project, o *infraOptions) (stdout string, err error) {
	t.Helper()
	infra.Check(p)
	var out bytes.Buffer
	if o.paths == nil {
		o.paths = []string{"template.yaml"}
	}
	err = reportInfra(p, o, &streams{out: &out, err: &out})
	return out.String(), err
}

func TestInfraText(t *testing.T) {
	out, err := reportCLI(t, infraProject(), &infraOptions{format: "text"})
	assert.ErrorIs(t, err, errFindings)
	want := `load balancer ALB (internet-facing)
  listener HTTP: HTTP 80
    rule Old, priority 10: path-pattern /old-* → redirect 301 path=/api/orders
    rule Search, priority 20: path-pattern /api/search and http-request-method GET → forward OrdersTG
    default → forward OrdersTG
target group OrdersTG: lambda, multi mode
  function Orders (orders-api): provided.al2023, handler bootstrap, timeout 10s
  health check: on, / every 35s, timeout 30s, expects 200

template.yaml:47:3: INFRA-004 error /Resources/OrdersTG/Properties/Targets/0: target group OrdersTG registers function Orders without waiting for permission OrdersPermission: add DependsOn/depends_on OrdersPermission to the registration
0 passed, 1 failed
`
	assert.Equal(t, want, out)
}

func TestInfraPassesAndStrict(t *testing.T) {
	p := infraProject()
	p.TargetGroups[0].Targets[0].DependsOn = []string{"OrdersPermission"}
	out, err := reportCLI(t, p, &infraOptions{format: "text"})
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(out, "\n1 passed, 0 failed\n"), out)

	// A warning (the function outlives the health check) fails only --strict.
	p = infraProject()
	p.TargetGroups[0].Targets[0].DependsOn = []string{"OrdersPermission"}
	p.Functions[0].TimeoutSeconds = 60
	out, err = reportCLI(t, p, &infraOptions{format: "text"})
	require.NoError(t, err)
	assert.Contains(t, out, "template.yaml:41:3: INFRA-005 warning")
	p = infraProject()
	p.TargetGroups[0].Targets[0].DependsOn = []string{"OrdersPermission"}
	p.Functions[0].TimeoutSeconds = 60
	_, err = reportCLI(t, p, &infraOptions{format: "text", strict: true})
	assert.ErrorIs(t, err, errFindings)
}

func TestInfraJSON(t *testing.T) {
	out, err := reportCLI(t, infraProject(), &infraOptions{format: "json"})
	assert.ErrorIs(t, err, errFindings)
	var doc struct {
		Model struct {
			TargetGroups []struct {
				Name      string `json:"name"`
				Mode      string `json:"mode"`
				Functions []struct {
					Name, Runtime  string
					TimeoutSeconds int
				}
				HealthCheck struct {
					Enabled bool   `json:"enabled"`
					Path    string `json:"path"`
				} `json:"healthCheck"`
			} `json:"targetGroups"`
			Listeners []struct {
				Port     int    `json:"port"`
				Protocol string `json:"protocol"`
				Rules    []struct {
					Name     string
					Priority int
				}
				DefaultActions []json.RawMessage `json:"defaultActions"`
			} `json:"listeners"`
		} `json:"model"`
		Results []struct {
			Path     string `json:"path"`
			Kind     string `json:"kind"`
			OK       bool   `json:"ok"`
			Findings []struct {
				Rule, Severity, Pointer, Message string
				Line, Column                     int
			} `json:"findings"`
		} `json:"results"`
		Summary struct{ Passed, Failed int } `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Model.TargetGroups, 1)
	tg := doc.Model.TargetGroups[0]
	assert.Equal(t, "OrdersTG", tg.Name)
	assert.Equal(t, "multi", tg.Mode)
	require.Len(t, tg.Functions, 1)
	assert.Equal(t, "Orders", tg.Functions[0].Name)
	assert.Equal(t, 10, tg.Functions[0].TimeoutSeconds)
	assert.True(t, tg.HealthCheck.Enabled)
	require.Len(t, doc.Model.Listeners, 1)
	l := doc.Model.Listeners[0]
	assert.Equal(t, 80, l.Port)
	assert.Equal(t, "HTTP", l.Protocol)
	require.Len(t, l.Rules, 2)
	assert.Equal(t, 10, l.Rules[0].Priority, "rules in priority order")
	assert.Len(t, l.DefaultActions, 1)
	require.Len(t, doc.Results, 1)
	r := doc.Results[0]
	assert.Equal(t, "template.yaml", r.Path)
	assert.Equal(t, "infra", r.Kind)
	assert.False(t, r.OK)
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "INFRA-004", r.Findings[0].Rule)
	assert.Equal(t, "error", r.Findings[0].Severity)
	assert.Equal(t, "/Resources/OrdersTG/Properties/Targets/0", r.Findings[0].Pointer)
	assert.Equal(t, 47, r.Findings[0].Line)
	assert.Equal(t, 3, r.Findings[0].Column)
	assert.Equal(t, 1, doc.Summary.Failed)
}

func TestInfraGithubAndJUnit(t *testing.T) {
	out, err := reportCLI(t, infraProject(), &infraOptions{format: "github"})
	assert.ErrorIs(t, err, errFindings)
	assert.True(t, strings.HasPrefix(out, "::error file=template.yaml,line=47,col=3,title=INFRA-004::/Resources/OrdersTG/Properties/Targets/0: target group OrdersTG"), out)
	assert.NotContains(t, out, "load balancer ALB", "the model is for people: only the text format prints it")

	out, err = reportCLI(t, infraProject(), &infraOptions{format: "junit"})
	assert.ErrorIs(t, err, errFindings)
	assert.Contains(t, out, `<testcase name="template.yaml" classname="albcheck.infra">`)
	assert.Contains(t, out, "template.yaml:47:3: INFRA-004 error")
}

func TestInfraUsageAndReadErrors(t *testing.T) {
	dir := t.TempDir()
	notInfra := filepath.Join(dir, "notes.yaml")
	require.NoError(t, os.WriteFile(notInfra, []byte("title: notes\n"), 0o644))
	broken := filepath.Join(dir, "broken.yaml")
	require.NoError(t, os.WriteFile(broken, []byte("Resources: [\n"), 0o644))
	state := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(state, []byte(`{"format_version": "1.0", "values": {}}`), 0o644))
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no file", []string{"infra"}, "give the infrastructure files to read"},
		{"unknown format", []string{"infra", "--format", "yaml", notInfra}, `unknown format "yaml"`},
		{"missing file", []string{"infra", filepath.Join(dir, "missing.yaml")}, "missing.yaml"},
		{"not infrastructure", []string{"infra", notInfra}, "notes.yaml: not a CloudFormation or SAM template"},
		{"unparseable YAML", []string{"infra", broken}, "broken.yaml"},
		{"Terraform state", []string{"infra", state}, "state.json: this is Terraform state"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", tc.args...)
			assert.Equal(t, exitUsage, code, stdout+stderr)
			assert.Contains(t, stderr, tc.stderr)
			assert.Empty(t, stdout)
		})
	}
}

func TestInfraLoadErrorIsUsage(t *testing.T) {
	err := runInfra(t.Context(), &infraOptions{format: "text", paths: []string{filepath.Join(t.TempDir(), "none.yaml")}}, &streams{out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	var ee *exitError
	require.True(t, errors.As(err, &ee), "%v", err)
	assert.Equal(t, exitUsage, ee.code)
}

// A function's environment shows in the text by name only (values are
// often secrets, and text lands in CI logs), and in full in the JSON
// (before: in neither).
func TestInfraEnvironment(t *testing.T) {
	withEnv := func() *infra.Project {
		p := infraProject()
		p.Functions[0].Environment = map[string]string{"LOG_LEVEL": "debug", "API_KEY": "s3cr3t"}
		p.Functions[0].EnvironmentUnknown = map[string]string{"TABLE": "${Table}"}
		return p
	}
	out, _ := reportCLI(t, withEnv(), &infraOptions{format: "text"})
	assert.Contains(t, out, "  function Orders (orders-api): provided.al2023, handler bootstrap, timeout 10s\n"+
		"    environment: API_KEY, LOG_LEVEL (values in --format json)\n"+
		"    environment known only at deployment: TABLE\n")
	assert.NotContains(t, out, "s3cr3t")

	out, _ = reportCLI(t, withEnv(), &infraOptions{format: "json"})
	var doc struct {
		Model struct {
			Functions []struct {
				Environment        map[string]string `json:"environment"`
				EnvironmentUnknown map[string]string `json:"environmentUnknown"`
			} `json:"functions"`
		} `json:"model"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Model.Functions, 1)
	assert.Equal(t, map[string]string{"LOG_LEVEL": "debug", "API_KEY": "s3cr3t"}, doc.Model.Functions[0].Environment)
	assert.Equal(t, map[string]string{"TABLE": "${Table}"}, doc.Model.Functions[0].EnvironmentUnknown)
}
