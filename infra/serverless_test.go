package infra

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/albcheck/albcheck/validate"
)

func TestServerless(t *testing.T) {
	p, err := Load("testdata/serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != Serverless {
		t.Errorf("format %q, want serverless", p.Format)
	}
	goldenFile(t, "serverless", modelJSON(t, p))
}

func readServerlessTestdata(t *testing.T) *Project {
	t.Helper()
	data, err := os.ReadFile("testdata/serverless.yml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := readServerless("testdata/serverless.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The facts of the golden file that follow from the framework's behaviour,
// spelled out.
func TestServerlessFramework(t *testing.T) {
	p := readServerlessTestdata(t)
	functions := map[string]*Function{}
	for _, f := range p.Functions {
		functions[f.Name] = f
	}
	timeouts := map[string]int{
		"catalog":       12, // provider.timeout through ${self:custom.timeouts.${self:custom.stage}}, stage dev
		"cart":          29,
		"admin-reports": 12, // ${opt:adminTimeout} is unknown: the provider's timeout, and a finding
	}
	for name, want := range timeouts {
		if f := functions[name]; f == nil || f.TimeoutSeconds != want {
			t.Errorf("%s: %+v, want timeout %d", name, f, want)
		}
	}
	if f := functions["status"]; f == nil || f.FunctionName != "storefront-dev-status" {
		t.Errorf("status: %+v, want the name storefront-dev-status (${sls:stage} is dev)", f)
	}
	groups := map[string]*TargetGroup{}
	for _, tg := range p.TargetGroups {
		groups[tg.Name] = tg
	}
	cases := []struct {
		group   string
		mode    validate.Mode
		enabled bool
	}{
		{"CatalogAlbMultiValueTargetGroup6d0ecf831eec9f09", validate.ModeMulti, false},
		{"CartAlbTargetGroup6d0ecf831eec9f09", validate.ModeSingle, true},
		{"AdminDashreportsAlbTargetGroupInternalHttpsListener", validate.ModeSingle, true},
		{"StatusAlbTargetGroup6d0ecf831eec9f09", validate.ModeSingle, false},
		{"StatusAlbTargetGroupInternalHttpsListener", validate.ModeSingle, false},
	}
	for _, c := range cases {
		tg := groups[c.group]
		if tg == nil {
			t.Errorf("no target group %s", c.group)
			continue
		}
		if tg.Mode != c.mode || tg.HealthCheck.Enabled != c.enabled {
			t.Errorf("%s: mode %s, health check %v; want %s, %v", c.group, tg.Mode, tg.HealthCheck.Enabled, c.mode, c.enabled)
		}
		if len(tg.Targets) != 1 || !strings.HasSuffix(tg.Targets[0].DependsOn[0], "LambdaPermissionRegisterTarget") {
			t.Errorf("%s: targets %+v, want one waiting for the framework's permission", c.group, tg.Targets)
		}
	}
	if len(p.TargetGroups) != len(cases) {
		t.Errorf("%d target groups, want %d", len(p.TargetGroups), len(cases))
	}
	if len(p.Permissions) != 4 {
		t.Errorf("%d permissions, want one per function with alb events (4)", len(p.Permissions))
	}
	if len(p.Listeners) != 2 {
		t.Errorf("%d listeners, want the platform ARN and InternalHttpsListener", len(p.Listeners))
	}
	if len(p.Findings) != 1 || !strings.Contains(p.Findings[0].Message, "${opt:adminTimeout}") || p.Findings[0].Line == 0 {
		t.Errorf("findings %+v, want one about ${opt:adminTimeout} with its line", p.Findings)
	}
}

func TestServerlessVariables(t *testing.T) {
	doc := `service: s
custom:
  a: ${self:custom.b}
  b: ${self:custom.a}
  c: x-${opt:region}-${self:custom.d}
  d: ${env:D, 'dd'}
  e: ${self:custom.missing, "fallback"}
  f: ${param:listener}
  g: ${param:only-in-prod, 'none'}
params:
  prod:
    listener: arn-prod
    only-in-prod: yes
  default:
    listener: arn-default
provider:
  name: aws
functions: {}
`
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	s := &slsReader{name: "s.yml", root: root.Content[0], p: emptyProject()}
	cases := []struct{ in, want string }{
		{"${self:custom.c}", "x-${opt:region}-dd"},
		{"${self:custom.e}", "fallback"},
		{"${opt:stage, 'dev'}-${sls:stage}", "dev-dev"},
		// Stage parameters (Serverless v3): the stage's, then default's.
		{"${self:custom.f}", "arn-default"},
		{"${self:custom.g}", "none"},
		{"${self:custom.a}", "${self:custom.a}"}, // a loop stays as written
	}
	for _, c := range cases {
		got := s.str(&yaml.Node{Kind: yaml.ScalarNode, Value: c.in})
		if c.in == "${self:custom.a}" {
			// whatever the loop gives, it must end and keep a variable
			if !strings.Contains(got, "${self:custom.") {
				t.Errorf("%s = %q", c.in, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestServerlessErrors(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"yaml", "service: s\nprovider:\n  name: aws\n functions: [\n", "s.yml:3: not valid YAML: did not find expected key"},
		{"not a mapping", "- service\n", "s.yml: not a CloudFormation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("s.yml", []byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
	if _, err := readServerless("s.yml", []byte("a: [\n")); err == nil || !strings.HasPrefix(err.Error(), "s.yml:") {
		t.Errorf("readServerless error %v, want one naming s.yml and its line", err)
	}
}

func FuzzReadServerless(f *testing.F) {
	data, err := os.ReadFile("testdata/serverless.yml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("service: s\nfunctions:\n  f:\n    events:\n      - alb: {listenerArn: *a, conditions: 3}\n"))
	f.Add([]byte("a: &a ${self:b}\nb: *a\nservice: s\nfunctions: {f: {timeout: ${self:a}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readServerless("fuzz.yml", data)
		if err == nil && p == nil {
			t.Fatal("no project and no error")
		}
	})
}

// Merge keys share an alb event's settings between functions.
func TestServerlessMergeKeys(t *testing.T) {
	doc := `service: s
provider:
  name: aws
custom:
  alb: &alb
    listenerArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2
    multiValueHeaders: true
functions:
  a:
    handler: a.handler
    events:
      - alb:
          <<: *alb
          priority: 1
          conditions:
            path: /a
`
	p, err := readServerless("s.yml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.TargetGroups) != 1 || p.TargetGroups[0].Mode != validate.ModeMulti {
		t.Fatalf("target groups %+v, want one in multi mode", p.TargetGroups)
	}
	if len(p.Listeners) != 1 || !strings.HasSuffix(p.Listeners[0].Name, "/f2f7dc8efc522ab2") {
		t.Errorf("listeners %+v", p.Listeners)
	}
}

// The provider's environment and the function's are merged, the function's
// winning; variables the file resolves are read as the framework resolves
// them, and the other ones kept apart with one warning each. A function
// without name: is deployed as <service>-<stage>-<function>.
func TestServerlessEnvironment(t *testing.T) {
	const file = `service: shop
provider:
  name: aws
  stage: ${opt:stage, 'beta'}
  environment:
    LOG_LEVEL: info
    STAGE: ${sls:stage}
    REGION_NAME: ${self:custom.region}
    SECRET: ${ssm:/shop/secret}
    TABLE:
      Ref: OrdersTable
custom:
  region: eu-west-1
params:
  default:
    greeting: hello
functions:
  api:
    handler: bootstrap
    environment:
      LOG_LEVEL: debug
      SECRET: plain
      GREETING: ${param:greeting}
      LIMIT: 50
  worker:
    handler: bootstrap
    name: shop-worker
`
	p, err := Parse("serverless.yml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	api, worker := p.FunctionNamed("api"), p.FunctionNamed("worker")
	if api == nil || worker == nil {
		t.Fatalf("functions %+v", p.Functions)
	}
	wantAPI := map[string]string{"LOG_LEVEL": "debug", "STAGE": "beta", "REGION_NAME": "eu-west-1", "SECRET": "plain", "GREETING": "hello", "LIMIT": "50"}
	if !maps.Equal(api.Environment, wantAPI) {
		t.Errorf("api environment %v, want %v", api.Environment, wantAPI)
	}
	if want := map[string]string{"TABLE": `{"Ref":"OrdersTable"}`}; !maps.Equal(api.EnvironmentUnknown, want) {
		t.Errorf("api unknown %v, want %v", api.EnvironmentUnknown, want)
	}
	wantWorker := map[string]string{"LOG_LEVEL": "info", "STAGE": "beta", "REGION_NAME": "eu-west-1"}
	if !maps.Equal(worker.Environment, wantWorker) {
		t.Errorf("worker environment %v, want %v", worker.Environment, wantWorker)
	}
	if want := map[string]string{"SECRET": "${ssm:/shop/secret}", "TABLE": `{"Ref":"OrdersTable"}`}; !maps.Equal(worker.EnvironmentUnknown, want) {
		t.Errorf("worker unknown %v, want %v", worker.EnvironmentUnknown, want)
	}
	var warnings []string
	for _, f := range p.Findings {
		if f.Severity == validate.Warning {
			warnings = append(warnings, f.Pointer)
		}
	}
	// One warning per place, not one per function that inherits it.
	slices.Sort(warnings)
	if want := []string{"/provider/environment/SECRET", "/provider/environment/TABLE"}; !slices.Equal(warnings, want) {
		t.Errorf("warnings at %v, want %v", warnings, want)
	}
	if api.FunctionName != "shop-beta-api" || worker.FunctionName != "shop-worker" {
		t.Errorf("deployed names %q and %q, want shop-beta-api and shop-worker", api.FunctionName, worker.FunctionName)
	}
}
