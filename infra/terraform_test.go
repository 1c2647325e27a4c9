package infra

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
)

// modelJSON is what a golden file holds: the model, and the findings met
// while reading and those of Check.
func modelJSON(t *testing.T, p *Project) []byte {
	t.Helper()
	Check(p)
	out, err := json.MarshalIndent(goldenOf(p), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestTerraformPlan(t *testing.T) {
	p, err := Load("testdata/terraform-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != Terraform {
		t.Errorf("format %q, want terraform", p.Format)
	}
	goldenFile(t, "terraform-plan", modelJSON(t, p))
}

func readPlan(t *testing.T) (string, []byte) {
	t.Helper()
	data, err := os.ReadFile("testdata/terraform-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	return "testdata/terraform-plan.json", data
}

func targetGroup(p *Project, name string) *TargetGroup {
	for _, tg := range p.TargetGroups {
		if tg.Name == name {
			return tg
		}
	}
	return nil
}

// The facts the golden file holds that the wiring rules depend on, spelled
// out so that a wrong golden file cannot hide them.
func TestTerraformWiring(t *testing.T) {
	name, data := readPlan(t)
	p, err := readTerraform(name, data)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, group, function, permission string
		waits                             bool
	}{
		{"explicit depends_on", "aws_lb_target_group.orders", "aws_lambda_function.orders", "aws_lambda_permission.orders_alb", true},
		{"depends_on in a module", "module.api.aws_lb_target_group.this", "module.api.aws_lambda_function.this", "module.api.aws_lambda_permission.this", true},
		{"for_each without depends_on", `aws_lb_target_group.reports["daily"]`, `aws_lambda_function.reports["daily"]`, `aws_lambda_permission.reports["daily"]`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := targetGroup(p, c.group)
			if tg == nil || len(tg.Targets) != 1 {
				t.Fatalf("target group %s: %+v, want one target", c.group, tg)
			}
			target := tg.Targets[0]
			if target.Function != c.function {
				t.Errorf("target %q, want %q", target.Function, c.function)
			}
			if got := slices.Contains(target.DependsOn, c.permission); got != c.waits {
				t.Errorf("waits for %s: %v, want %v (depends on %v)", c.permission, got, c.waits, target.DependsOn)
			}
			if !slices.Contains(target.DependsOn, c.group) {
				t.Errorf("the registration does not wait for its own target group: %v", target.DependsOn)
			}
		})
	}
	var perm *Permission
	for _, q := range p.Permissions {
		if q.Name == `aws_lambda_permission.reports["weekly"]` {
			perm = q
		}
	}
	if perm == nil || perm.Function != `aws_lambda_function.reports["weekly"]` || perm.SourceTargetGroup != `aws_lb_target_group.reports["weekly"]` {
		t.Errorf("for_each permission: %+v, want the weekly function and target group (each.key)", perm)
	}
}

func TestTerraformModuleReferences(t *testing.T) {
	name, data := readPlan(t)
	p, err := readTerraform(name, data)
	if err != nil {
		t.Fatal(err)
	}
	var https *Listener
	for _, l := range p.Listeners {
		if l.Name == "aws_lb_listener.https" {
			https = l
		}
	}
	if https == nil {
		t.Fatal("no aws_lb_listener.https")
	}
	if https.LoadBalancer != "aws_lb.public" {
		t.Errorf("listener's load balancer %q, want aws_lb.public", https.LoadBalancer)
	}
	rules := map[string]*Rule{}
	var priorities []int
	for _, r := range https.Rules {
		rules[r.Name] = r
		priorities = append(priorities, r.Priority)
	}
	if !slices.IsSorted(priorities) {
		t.Errorf("rules not in priority order: %v", priorities)
	}
	// var.listener_arn inside module.api is the root's aws_lb_listener.https.
	if rules["module.api.aws_lb_listener_rule.this"] == nil {
		t.Errorf("the module's rule is not on aws_lb_listener.https: %v", priorities)
	}
	// module.api.target_group_arn is the module's output, its target group.
	canary := rules["aws_lb_listener_rule.api_canary"]
	if canary == nil {
		t.Fatal("no aws_lb_listener_rule.api_canary")
	}
	want := []WeightedTargetGroup{{"module.api.aws_lb_target_group.this", 90}, {"aws_lb_target_group.orders", 10}}
	if got := canary.Actions[0].Forward; !slices.Equal(got, want) {
		t.Errorf("canary forwards to %v, want %v", got, want)
	}
	if rules[`aws_lb_listener_rule.maintenance[0]`] == nil {
		t.Error("the count instance aws_lb_listener_rule.maintenance[0] is missing")
	}
}

func TestTerraformUnknownReference(t *testing.T) {
	name, data := readPlan(t)
	p, err := readTerraform(name, data)
	if err != nil {
		t.Fatal(err)
	}
	// The plan's warnings (an environment variable known after apply) are
	// another test's.
	var errs []Finding
	for _, f := range p.Findings {
		if f.Severity == validate.Error {
			errs = append(errs, f)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("findings %+v, want one error for aws_lb_target_group.legacy", p.Findings)
	}
	f := errs[0]
	if f.Rule != "INFRA-REF" || f.Severity != validate.Error || f.File != name || !strings.Contains(f.Message, "aws_lb_target_group.legacy[0]") {
		t.Errorf("finding %+v", f)
	}
	if !strings.HasPrefix(f.Pointer, "/planned_values/root_module/resources/") || !strings.HasSuffix(f.Pointer, "/target_group_arn") {
		t.Errorf("pointer %q, want the rule's action in planned_values", f.Pointer)
	}
	// The line is the action's target_group_arn in the file.
	lines := strings.Split(string(data), "\n")
	if f.Line < 1 || f.Line > len(lines) || !strings.Contains(lines[f.Line-1], `"target_group_arn"`) {
		t.Errorf("line %d is not a target_group_arn line", f.Line)
	}
}

func TestTerraformErrors(t *testing.T) {
	cases := []struct {
		name, doc, want string
	}{
		{"syntax", "{\"format_version\": \"1.2\",\n  \"planned_values\": {,}}", "plan.json:2:22: not valid JSON"},
		{"wrong type", "{\"format_version\": \"1.2\",\n \"planned_values\": {\"root_module\": {\"resources\": 7}}}", "plan.json:2:"},
		{"format version", `{"format_version": "9.0", "planned_values": {}}`, "plan.json: not a Terraform plan: unsupported plan format version"},
		{"state", `{"format_version": "1.0", "values": {"root_module": {}}}`, "plan.json: this is Terraform state"},
		// The state file itself, as terraform writes it (terraform.tfstate).
		{"state file", "{\n  \"version\": 4,\n  \"terraform_version\": \"1.9.5\",\n  \"serial\": 3,\n  \"lineage\": \"4c2d\",\n  \"outputs\": {},\n  \"resources\": []\n}\n",
			"plan.json: this is a Terraform state file, not a plan: run terraform plan -out=PLAN and terraform show -json PLAN"},
		// terraform plan -json: a stream of UI messages, one per line.
		{"plan -json", `{"@level":"info","@message":"Terraform 1.9.5","@module":"terraform.ui","terraform":"1.9.5","type":"version","ui":"1.2"}
{"@level":"info","@message":"Plan: 1 to add, 0 to change, 0 to destroy.","@module":"terraform.ui","type":"change_summary"}
`, "plan.json: this is the output of terraform plan -json (its messages), not a plan: run terraform plan -out=PLAN and terraform show -json PLAN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("plan.json", []byte(c.doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestTerraformAddresses(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"aws_lb.x", []string{"aws_lb", "x"}},
		{`module.a["x.y"].aws_lb_target_group.t[0].arn`, []string{"module", `a["x.y"]`, "aws_lb_target_group", "t[0]", "arn"}},
		{`aws_lb.x["a]b"]`, []string{"aws_lb", `x["a]b"]`}},
	}
	for _, c := range cases {
		if got := tfSplitAddr(c.in); !slices.Equal(got, c.want) {
			t.Errorf("tfSplitAddr(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if parent, call := tfParentModule(`module.a["k"].module.b`); parent != `module.a["k"]` || call != "b" {
		t.Errorf("tfParentModule: %q %q", parent, call)
	}
}

func FuzzReadTerraform(f *testing.F) {
	data, err := os.ReadFile("testdata/terraform-plan.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"format_version":"1.0","planned_values":{"root_module":{"resources":[{"address":"aws_lb_listener.x","mode":"managed","type":"aws_lb_listener","name":"x","values":{"default_action":[null,{"forward":[{"target_group":[null]}]}]}}]}},"configuration":{"root_module":{"resources":[{"address":"aws_lb_listener.x","mode":"managed","type":"aws_lb_listener","name":"x","expressions":{"default_action":[{"target_group_arn":null}]}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := readTerraform("fuzz.json", data)
		if err == nil && p == nil {
			t.Fatal("no project and no error")
		}
	})
}

// minimalPlan is a plan holding one lambda target group with the given
// planned values and configuration expressions.
func minimalPlan(values, expressions string) []byte {
	return []byte(`{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_lb_target_group.t", "mode": "managed", "type": "aws_lb_target_group", "name": "t", "values": ` + values + `}]}},
 "configuration": {"root_module": {"resources": [
  {"address": "aws_lb_target_group.t", "mode": "managed", "type": "aws_lb_target_group", "name": "t", "expressions": ` + expressions + `}]}}}`)
}

func TestTerraformHealthCheckDefaults(t *testing.T) {
	cases := []struct {
		name, values, expressions string
		want                      HealthCheck
	}{
		{"no block: AWS leaves lambda health checks off",
			`{"target_type": "lambda"}`, `{"target_type": {"constant_value": "lambda"}}`,
			HealthCheck{}},
		{"no block, instance targets: always on",
			`{"target_type": "instance"}`, `{}`,
			HealthCheck{Enabled: true}},
		{"a block whose values are unknown: the provider's defaults",
			`{"target_type": "lambda"}`, `{"health_check": [{"path": {"references": ["var.path"]}}]}`,
			HealthCheck{Enabled: true, Path: "/", IntervalSeconds: 30, TimeoutSeconds: 30, HealthyThreshold: 3, UnhealthyThreshold: 3, Matcher: "200"}},
		// Off, the provider's defaults are no one's choice: only the
		// values that differ from them stay (INFRA-011 is about those).
		{"a block turned off",
			`{"target_type": "lambda", "health_check": [{"enabled": false, "interval": 40, "path": "/hc"}]}`, `{"health_check": [{"enabled": {"constant_value": false}}]}`,
			HealthCheck{Path: "/hc", IntervalSeconds: 40}},
		{"a block turned off, the provider's defaults planned",
			`{"target_type": "lambda", "health_check": [{"enabled": false, "interval": 30, "timeout": 30, "healthy_threshold": 3, "unhealthy_threshold": 3, "matcher": "200", "path": "/"}]}`,
			`{"health_check": [{"enabled": {"constant_value": false}}]}`,
			HealthCheck{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := readTerraform("plan.json", minimalPlan(c.values, c.expressions))
			if err != nil {
				t.Fatal(err)
			}
			got := p.TargetGroups[0].HealthCheck
			got.Source = Source{}
			if got != c.want {
				t.Errorf("health check %+v, want %+v", got, c.want)
			}
		})
	}
}

// References a plan makes to what is outside it, or to several instances.
func TestTerraformOutsideReferences(t *testing.T) {
	plan := []byte(`{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
  {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f", "values": {"function_name": "fn-f", "timeout": 5}},
  {"address": "aws_lb_target_group.t[0]", "mode": "managed", "type": "aws_lb_target_group", "name": "t", "index": 0, "values": {"target_type": "lambda", "arn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/t0/1"}},
  {"address": "aws_lb_target_group.t[1]", "mode": "managed", "type": "aws_lb_target_group", "name": "t", "index": 1, "values": {"target_type": "lambda"}},
  {"address": "aws_lb_listener_rule.shared", "mode": "managed", "type": "aws_lb_listener_rule", "name": "shared", "values": {"priority": 7, "action": [{"type": "forward"}]}},
  {"address": "aws_lb_listener_rule.literal", "mode": "managed", "type": "aws_lb_listener_rule", "name": "literal", "values": {"priority": 8, "listener_arn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/a/1/2", "action": [{"type": "forward", "target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/t0/1"}]}},
  {"address": "aws_lambda_permission.p", "mode": "managed", "type": "aws_lambda_permission", "name": "p", "values": {"function_name": "fn-f", "principal": "elasticloadbalancing.amazonaws.com", "action": "lambda:InvokeFunction"}}]}},
 "configuration": {"root_module": {"resources": [
  {"address": "aws_lb_listener_rule.shared", "mode": "managed", "type": "aws_lb_listener_rule", "name": "shared", "expressions": {
    "listener_arn": {"references": ["data.aws_lb_listener.shared.arn", "data.aws_lb_listener.shared"]},
    "action": [{"target_group_arn": {"references": ["aws_lb_target_group.t"]}}]}},
  {"address": "aws_lambda_permission.p", "mode": "managed", "type": "aws_lambda_permission", "name": "p", "expressions": {
    "source_arn": {"references": ["var.target_group_arn"]}}}]}}}`)
	p, err := readTerraform("plan.json", plan)
	if err != nil {
		t.Fatal(err)
	}
	listeners := map[string]*Listener{}
	for _, l := range p.Listeners {
		listeners[l.Name] = l
	}
	shared := listeners["data.aws_lb_listener.shared.arn"]
	if shared == nil || len(shared.Rules) != 1 || shared.Rules[0].Actions[0].Forward[0].TargetGroup != "aws_lb_target_group.t" {
		t.Errorf("the rule of a data source's listener: %+v", shared)
	}
	literal := listeners["arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/a/1/2"]
	if literal == nil || literal.Rules[0].Actions[0].Forward[0].TargetGroup != "aws_lb_target_group.t[0]" {
		t.Errorf("a listener ARN and a known target group ARN: %+v", literal)
	}
	if perm := p.Permissions[0]; perm.Function != "aws_lambda_function.f" || perm.SourceArn != "var.target_group_arn" {
		t.Errorf("permission %+v, want the function by its name and the source as written", perm)
	}
	// A data source or a variable is outside the plan by design; naming
	// two instances where one is meant is worth a warning.
	if len(p.Findings) != 1 || p.Findings[0].Severity != validate.Warning || !strings.Contains(p.Findings[0].Message, "2 instances") {
		t.Errorf("findings %+v, want one warning about aws_lb_target_group.t's 2 instances", p.Findings)
	}
}

// A module called with for_each gets each instance's own target group
// through a variable set from each.key.
func TestTerraformModuleForEach(t *testing.T) {
	res := func(addr, typ, name, index, values string) string {
		return `{"address": "` + strings.ReplaceAll(addr, `"`, `\"`) + `", "mode": "managed", "type": "` + typ + `", "name": "` + name + `"` + index + `, "values": ` + values + `}`
	}
	plan := []byte(`{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
   ` + res(`aws_lb_target_group.t["a"]`, "aws_lb_target_group", "t", `, "index": "a"`, `{"target_type": "lambda"}`) + `,
   ` + res(`aws_lb_target_group.t["b"]`, "aws_lb_target_group", "t", `, "index": "b"`, `{"target_type": "lambda"}`) + `,
   ` + res(`aws_lambda_function.f`, "aws_lambda_function", "f", ``, `{"function_name": "f"}`) + `],
  "child_modules": [
   {"address": "module.svc[\"a\"]", "resources": [` + res(`module.svc["a"].aws_lb_target_group_attachment.this`, "aws_lb_target_group_attachment", "this", ``, `{}`) + `]},
   {"address": "module.svc[\"b\"]", "resources": [` + res(`module.svc["b"].aws_lb_target_group_attachment.this`, "aws_lb_target_group_attachment", "this", ``, `{}`) + `]}]}},
 "configuration": {"root_module": {
   "resources": [{"address": "aws_lb_target_group.t", "mode": "managed", "type": "aws_lb_target_group", "name": "t", "expressions": {}, "for_each_expression": {"references": ["var.names"]}}],
   "module_calls": {"svc": {"source": "./svc", "for_each_expression": {"references": ["var.names"]},
     "expressions": {"target_group_arn": {"references": ["aws_lb_target_group.t", "each.key"]}, "function_arn": {"references": ["aws_lambda_function.f.arn", "aws_lambda_function.f"]}},
     "module": {"resources": [{"address": "aws_lb_target_group_attachment.this", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "this",
       "expressions": {"target_group_arn": {"references": ["var.target_group_arn"]}, "target_id": {"references": ["var.function_arn"]}}}]}}}}}}`)
	p, err := readTerraform("plan.json", plan)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		`aws_lb_target_group.t["a"]`: "/planned_values/root_module/child_modules/0/resources/0",
		`aws_lb_target_group.t["b"]`: "/planned_values/root_module/child_modules/1/resources/0",
	}
	for _, tg := range p.TargetGroups {
		if len(tg.Targets) != 1 || tg.Targets[0].Function != "aws_lambda_function.f" || tg.Targets[0].Source.Pointer != want[tg.Name] {
			t.Errorf("%s: targets %+v, want the attachment at %s", tg.Name, tg.Targets, want[tg.Name])
		}
	}
	if len(p.Findings) != 0 {
		t.Errorf("findings %+v", p.Findings)
	}
}

// A module call's depends_on holds every resource of the module back until
// what it names exists: an attachment in a module that depends_on the
// permission waits for it (the terraform-aws-modules/alb way).
func TestTerraformModuleDependsOn(t *testing.T) {
	plan := []byte(`{"format_version": "1.2",
 "planned_values": {"root_module": {
  "resources": [
   {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api", "values": {"function_name": "api", "timeout": 3}},
   {"address": "aws_lambda_permission.alb", "mode": "managed", "type": "aws_lambda_permission", "name": "alb",
    "values": {"action": "lambda:InvokeFunction", "function_name": "api", "principal": "elasticloadbalancing.amazonaws.com"}}],
  "child_modules": [{"address": "module.alb", "child_modules": [{"address": "module.alb.module.tg", "resources": [
   {"address": "module.alb.module.tg.aws_lb_target_group.this", "mode": "managed", "type": "aws_lb_target_group", "name": "this", "values": {"target_type": "lambda"}},
   {"address": "module.alb.module.tg.aws_lb_target_group_attachment.this", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "this", "values": {}}]}]}]}},
 "configuration": {"root_module": {
  "resources": [
   {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api", "expressions": {"function_name": {"constant_value": "api"}}},
   {"address": "aws_lambda_permission.alb", "mode": "managed", "type": "aws_lambda_permission", "name": "alb",
    "expressions": {"function_name": {"references": ["aws_lambda_function.api.function_name", "aws_lambda_function.api"]}}}],
  "module_calls": {"alb": {"source": "./alb", "depends_on": ["aws_lambda_permission.alb"],
   "expressions": {"function_arn": {"references": ["aws_lambda_function.api.arn", "aws_lambda_function.api"]}},
   "module": {"module_calls": {"tg": {"source": "./tg", "expressions": {"function_arn": {"references": ["var.function_arn"]}},
    "module": {"resources": [
     {"address": "aws_lb_target_group.this", "mode": "managed", "type": "aws_lb_target_group", "name": "this", "expressions": {"target_type": {"constant_value": "lambda"}}},
     {"address": "aws_lb_target_group_attachment.this", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "this",
      "expressions": {"target_group_arn": {"references": ["aws_lb_target_group.this.arn", "aws_lb_target_group.this"]}, "target_id": {"references": ["var.function_arn"]}}}]}}}}}}}}}`)
	p, err := readTerraform("plan.json", plan)
	if err != nil {
		t.Fatal(err)
	}
	tg := targetGroup(p, "module.alb.module.tg.aws_lb_target_group.this")
	if tg == nil || len(tg.Targets) != 1 {
		t.Fatalf("target groups %+v", p.TargetGroups)
	}
	if got := tg.Targets[0].DependsOn; !slices.Contains(got, "aws_lambda_permission.alb") {
		t.Errorf("the attachment depends on %q, want aws_lambda_permission.alb (module.alb's depends_on)", got)
	}
	Check(p)
	for _, f := range p.Findings {
		if f.Rule == INFRA004 {
			t.Errorf("finding %s %s: %s", f.Rule, f.Pointer, f.Message)
		}
	}
}

// A target on an alias needs a grant on that alias (qualifier): a grant on
// the unqualified function does not let the load balancer invoke it.
func TestTerraformAliasQualifier(t *testing.T) {
	plan := func(permQualifier string) []byte {
		qualifierValue, qualifierExpr := "", ""
		if permQualifier != "" {
			qualifierValue = `, "qualifier": "live"`
			qualifierExpr = `, "qualifier": {"references": ["aws_lambda_alias.live.name", "aws_lambda_alias.live"]}`
		}
		return []byte(`{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
  {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api", "values": {"function_name": "api", "timeout": 3}},
  {"address": "aws_lambda_alias.live", "mode": "managed", "type": "aws_lambda_alias", "name": "live", "values": {"name": "live", "function_name": "api"}},
  {"address": "aws_lambda_permission.alb", "mode": "managed", "type": "aws_lambda_permission", "name": "alb",
   "values": {"action": "lambda:InvokeFunction", "function_name": "api", "principal": "elasticloadbalancing.amazonaws.com"` + qualifierValue + `}},
  {"address": "aws_lb_target_group.api", "mode": "managed", "type": "aws_lb_target_group", "name": "api", "values": {"target_type": "lambda"}},
  {"address": "aws_lb_target_group_attachment.api", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "api", "values": {}}]}},
 "configuration": {"root_module": {"resources": [
  {"address": "aws_lambda_function.api", "mode": "managed", "type": "aws_lambda_function", "name": "api", "expressions": {}},
  {"address": "aws_lambda_alias.live", "mode": "managed", "type": "aws_lambda_alias", "name": "live",
   "expressions": {"name": {"constant_value": "live"}, "function_name": {"references": ["aws_lambda_function.api.function_name", "aws_lambda_function.api"]}}},
  {"address": "aws_lambda_permission.alb", "mode": "managed", "type": "aws_lambda_permission", "name": "alb",
   "expressions": {"function_name": {"references": ["aws_lambda_function.api.function_name", "aws_lambda_function.api"]}` + qualifierExpr + `}},
  {"address": "aws_lb_target_group.api", "mode": "managed", "type": "aws_lb_target_group", "name": "api", "expressions": {}},
  {"address": "aws_lb_target_group_attachment.api", "mode": "managed", "type": "aws_lb_target_group_attachment", "name": "api",
   "depends_on": ["aws_lambda_permission.alb"],
   "expressions": {"target_group_arn": {"references": ["aws_lb_target_group.api.arn", "aws_lb_target_group.api"]}, "target_id": {"references": ["aws_lambda_alias.live.arn", "aws_lambda_alias.live"]}}}]}}}`)
	}
	for _, c := range []struct {
		name, qualifier string
		want            bool
	}{{"grant on the function", "", true}, {"grant on the alias", "live", false}} {
		t.Run(c.name, func(t *testing.T) {
			p, err := readTerraform("plan.json", plan(c.qualifier))
			if err != nil {
				t.Fatal(err)
			}
			if tg := targetGroup(p, "aws_lb_target_group.api"); tg == nil || len(tg.Targets) != 1 || tg.Targets[0].Qualifier != "live" {
				t.Fatalf("target group %+v, want one target on alias live", tg)
			}
			Check(p)
			got := slices.ContainsFunc(p.Findings, func(f Finding) bool { return f.Rule == INFRA001 })
			if got != c.want {
				t.Errorf("INFRA-001: %v, want %v; findings %+v", got, c.want, p.Findings)
			}
		})
	}
}

// A function whose filename is the output_path of an archive_file data
// source (read during the plan, so in its prior state) has that source_dir
// as its code folder.
func TestTerraformArchiveSourceDir(t *testing.T) {
	plan := []byte(`{"format_version": "1.2",
 "planned_values": {"root_module": {"resources": [
  {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function", "name": "f",
   "values": {"runtime": "nodejs20.x", "handler": "index.handler", "filename": "build/f.zip"}},
  {"address": "aws_lambda_function.g", "mode": "managed", "type": "aws_lambda_function", "name": "g",
   "values": {"runtime": "nodejs20.x", "handler": "index.handler", "filename": "build/g.zip"}}]}},
 "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
  {"address": "data.archive_file.f", "mode": "data", "type": "archive_file", "name": "f",
   "values": {"output_path": "build/f.zip", "source_dir": "src/f"}}]}}}}`)
	p, err := readTerraform("plan.json", plan)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Functions[0].CodeDir; got != "src/f" {
		t.Errorf("CodeDir of f = %q, want src/f", got)
	}
	if got := p.Functions[1].CodeDir; got != "" {
		t.Errorf("CodeDir of g = %q, want none: no archive_file makes its zip", got)
	}
}

// A function's environment block is read from planned_values; a variable
// known only after apply (in the change's after_unknown) is kept apart with
// a warning, not passed as empty.
func TestTerraformEnvironment(t *testing.T) {
	name, data := readPlan(t)
	p, err := readTerraform(name, data)
	if err != nil {
		t.Fatal(err)
	}
	fn := p.FunctionNamed("aws_lambda_function.orders")
	if fn == nil {
		t.Fatal("no aws_lambda_function.orders")
	}
	if want := map[string]string{"LOG_LEVEL": "info", "ORDERS_LIMIT": "50"}; !maps.Equal(fn.Environment, want) {
		t.Errorf("environment %v, want %v", fn.Environment, want)
	}
	if _, ok := fn.EnvironmentUnknown["TABLE_NAME"]; !ok || len(fn.EnvironmentUnknown) != 1 {
		t.Errorf("unknown %v, want TABLE_NAME only", fn.EnvironmentUnknown)
	}
	found := false
	for _, f := range p.Findings {
		found = found || (f.Severity == validate.Warning && strings.Contains(f.Message, "TABLE_NAME is known only after apply") && f.Line > 0)
	}
	if !found {
		t.Errorf("no located warning about TABLE_NAME in %+v", p.Findings)
	}
	if other := p.FunctionNamed(`aws_lambda_function.reports["daily"]`); other == nil || len(other.Environment)+len(other.EnvironmentUnknown) != 0 {
		t.Errorf("reports[daily] has no environment block: %+v", other)
	}
}
