package infra

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
)

func src(pointer string, line int) Source {
	return Source{File: "template.yaml", Pointer: pointer, Line: line, Column: 3}
}

// wired is a project with one function wired correctly: no findings.
func wired() *Project {
	return &Project{
		Format:        CloudFormation,
		LoadBalancers: []*LoadBalancer{{Name: "ALB", Scheme: "internet-facing", Source: src("/Resources/ALB", 2)}},
		Listeners: []*Listener{{
			Name: "HTTP", LoadBalancer: "ALB", Port: 80, Protocol: "HTTP", Source: src("/Resources/HTTP", 10),
			Rules: []*Rule{{
				Name: "APIRule", Priority: 10, Source: src("/Resources/APIRule", 20),
				Conditions: []Condition{{Field: "path-pattern", Values: []string{"/api/*"}, Source: src("/Resources/APIRule/Properties/Conditions/0", 23)}},
				Actions:    []Action{{Type: "forward", Forward: []WeightedTargetGroup{{TargetGroup: "APITG", Weight: 1}}}},
			}},
			DefaultActions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "404"}}},
		}},
		TargetGroups: []*TargetGroup{{
			Name: "APITG", TargetType: "lambda", Mode: validate.ModeSingle, Source: src("/Resources/APITG", 30),
			Targets:     []Target{{Function: "APIFunction", DependsOn: []string{"APIPermission"}, Source: src("/Resources/APITG/Properties/Targets/0", 34)}},
			HealthCheck: HealthCheck{Enabled: true, Path: "/api/health", IntervalSeconds: 35, TimeoutSeconds: 30, Source: src("/Resources/APITG/Properties", 31)},
		}},
		Functions:   []*Function{{Name: "APIFunction", Runtime: "provided.al2023", TimeoutSeconds: 10, ReservedConcurrency: -1, Source: src("/Resources/APIFunction", 40)}},
		Permissions: []*Permission{{Name: "APIPermission", Function: "APIFunction", Action: "lambda:InvokeFunction", Principal: elbPrincipal, Source: src("/Resources/APIPermission", 50)}},
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	other := &TargetGroup{Name: "OtherTG", TargetType: "instance", Source: src("/Resources/OtherTG", 60)}
	tg := func(p *Project) *TargetGroup { return p.TargetGroups[0] }
	rule := func(p *Project) *Rule { return p.Listeners[0].Rules[0] }
	fn := func(p *Project) *Function { return p.Functions[0] }
	cases := []struct {
		name   string
		change func(p *Project)
		want   []string // "RULE pointer"
	}{
		{"wired", func(p *Project) {}, nil},

		{"no permission", func(p *Project) { p.Permissions = nil }, []string{"INFRA-001 /Resources/APITG/Properties/Targets/0"}},
		{"permission for another principal", func(p *Project) { p.Permissions[0].Principal = "apigateway.amazonaws.com" }, []string{"INFRA-001 /Resources/APITG/Properties/Targets/0"}},
		{"permission for another action", func(p *Project) { p.Permissions[0].Action = "lambda:GetFunction" }, []string{"INFRA-001 /Resources/APITG/Properties/Targets/0"}},
		{"permission limited to another target group", func(p *Project) { p.Permissions[0].SourceTargetGroup = "OtherTG" }, []string{"INFRA-001 /Resources/APITG/Properties/Targets/0"}},
		{"permission lambda:*", func(p *Project) { p.Permissions[0].Action = "lambda:*" }, nil},
		{"permission limited to this target group", func(p *Project) { p.Permissions[0].SourceTargetGroup = "APITG" }, nil},
		{"target on an alias, grant on the function", func(p *Project) { tg(p).Targets[0].Qualifier = "live" }, []string{"INFRA-001 /Resources/APITG/Properties/Targets/0"}},
		{"target and grant on one alias", func(p *Project) { tg(p).Targets[0].Qualifier = "live"; p.Permissions[0].Qualifier = "live" }, nil},
		{"permission by deployed function name", func(p *Project) {
			fn(p).FunctionName = "orders-api"
			p.Permissions[0].Function = "orders-api"
		}, nil},

		{"two targets", func(p *Project) {
			tg(p).Targets = append(tg(p).Targets, Target{Function: "APIFunction", DependsOn: []string{"APIPermission"}, Source: src("/Resources/APITG/Properties/Targets/1", 36)})
		}, []string{"INFRA-002 /Resources/APITG/Properties/Targets/1"}},
		{"an instance in a lambda target group", func(p *Project) {
			tg(p).Targets[0] = Target{ID: "i-0abc", Source: src("/Resources/APITG/Properties/Targets/0", 34)}
		},
			[]string{"INFRA-002 /Resources/APITG/Properties/Targets/0"}},
		{"a function outside the file", func(p *Project) {
			tg(p).Targets[0] = Target{ID: "arn:aws:lambda:eu-west-1:123456789012:function:orders", Source: src("/Resources/APITG/Properties/Targets/0", 34)}
		}, nil},

		{"nothing forwards", func(p *Project) { rule(p).Actions[0].Forward[0].TargetGroup = "OtherTG" }, []string{"INFRA-003 /Resources/APITG"}},
		{"weight 0", func(p *Project) {
			rule(p).Actions[0].Forward = []WeightedTargetGroup{{TargetGroup: "APITG", Weight: 0}, {TargetGroup: "OtherTG", Weight: 1}}
		}, []string{"INFRA-003 /Resources/APITG"}},
		{"default action forwards", func(p *Project) {
			p.Listeners[0].Rules = nil
			p.Listeners[0].DefaultActions = []Action{{Type: "forward", Forward: []WeightedTargetGroup{{TargetGroup: "APITG", Weight: 1}}}}
		}, nil},

		{"registered before the permission", func(p *Project) { tg(p).Targets[0].DependsOn = nil }, []string{"INFRA-004 /Resources/APITG/Properties/Targets/0"}},
		{"registered after another resource", func(p *Project) { tg(p).Targets[0].DependsOn = []string{"APIFunction"} }, []string{"INFRA-004 /Resources/APITG/Properties/Targets/0"}},
		{"a permission naming the target group in CloudFormation", func(p *Project) {
			tg(p).Targets[0].DependsOn = nil
			p.Permissions[0].SourceTargetGroup = "APITG"
		}, []string{"INFRA-004 /Resources/APITG/Properties/Targets/0"}},
		{"serverless orders it", func(p *Project) { p.Format = Serverless; tg(p).Targets[0].DependsOn = nil }, nil},

		{"function outlives the health check", func(p *Project) { fn(p).TimeoutSeconds = 60 }, []string{"INFRA-005 /Resources/APITG/Properties"}},
		{"function default timeout", func(p *Project) {
			fn(p).TimeoutSeconds = 0
			tg(p).HealthCheck.TimeoutSeconds = 2
			tg(p).HealthCheck.IntervalSeconds = 5
		},
			[]string{"INFRA-005 /Resources/APITG/Properties"}},
		{"health check waits as long as the function", func(p *Project) {
			fn(p).TimeoutSeconds = 60
			tg(p).HealthCheck.TimeoutSeconds, tg(p).HealthCheck.IntervalSeconds = 60, 90
		}, nil},

		{"interval equals timeout", func(p *Project) { tg(p).HealthCheck.IntervalSeconds = 30 }, []string{"INFRA-006 /Resources/APITG/Properties"}},
		{"lambda default interval under a long timeout", func(p *Project) {
			tg(p).HealthCheck.IntervalSeconds = 0
			tg(p).HealthCheck.TimeoutSeconds = 40
		}, []string{"INFRA-006 /Resources/APITG/Properties"}},
		{"instance target group", func(p *Project) {
			o := *other
			o.HealthCheck = HealthCheck{Enabled: true, IntervalSeconds: 5, TimeoutSeconds: 6}
			p.TargetGroups = append(p.TargetGroups, &o)
		}, []string{"INFRA-006 /Resources/OtherTG"}},

		{"health check path outside the rules", func(p *Project) { tg(p).HealthCheck.Path = "/health" }, []string{"INFRA-007 /Resources/APITG/Properties"}},
		{"health check default path", func(p *Project) { tg(p).HealthCheck.Path = "" }, []string{"INFRA-007 /Resources/APITG/Properties"}},
		{"path patterns are case-sensitive", func(p *Project) { tg(p).HealthCheck.Path = "/API/health" }, []string{"INFRA-007 /Resources/APITG/Properties"}},
		{"a query is not part of the path", func(p *Project) { tg(p).HealthCheck.Path = "/api/health?deep=1" }, nil},
		{"an earlier rule takes the path", func(p *Project) {
			p.Listeners[0].Rules = append(p.Listeners[0].Rules, &Rule{Name: "Health", Priority: 5,
				Conditions: []Condition{{Field: "path-pattern", Values: []string{"/api/heal?h"}}},
				Actions:    []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200"}}}})
		}, []string{"INFRA-007 /Resources/APITG/Properties"}},
		{"an earlier rule with a host condition may not", func(p *Project) {
			p.Listeners[0].Rules = append(p.Listeners[0].Rules, &Rule{Name: "Admin", Priority: 5,
				Conditions: []Condition{{Field: "host-header", Values: []string{"admin.example.com"}}, {Field: "path-pattern", Values: []string{"/api/*"}}},
				Actions:    []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "403"}}}})
		}, nil},
		{"a listener of another stack may forward anything", func(p *Project) {
			tg(p).HealthCheck.Path = "/health"
			p.Listeners[0].External = true
			p.Listeners[0].DefaultActions = nil
		}, nil},
		{"the default action takes what the rules leave", func(p *Project) {
			tg(p).HealthCheck.Path = "/health"
			p.Listeners[0].DefaultActions = []Action{{Type: "forward", Forward: []WeightedTargetGroup{{TargetGroup: "APITG", Weight: 1}}}}
		}, nil},

		{"two rules with one priority", func(p *Project) {
			p.Listeners[0].Rules = append(p.Listeners[0].Rules, &Rule{Name: "Other", Priority: 10, Source: src("/Resources/Other", 70),
				Conditions: []Condition{{Field: "path-pattern", Values: []string{"/other"}}},
				Actions:    []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200"}}}})
		}, []string{"INFRA-008 /Resources/Other"}},
		{"same priority on another listener", func(p *Project) {
			p.Listeners = append(p.Listeners, &Listener{Name: "HTTPS", Port: 443, Protocol: "HTTPS", Rules: []*Rule{{Name: "Other", Priority: 10,
				Actions: []Action{{Type: "fixed-response", FixedResponse: &FixedResponse{StatusCode: "200"}}}}}})
		}, nil},

		{"four values in a condition", func(p *Project) { rule(p).Conditions[0].Values = []string{"/api/*", "/a", "/b", "/c"} },
			[]string{"INFRA-009 /Resources/APIRule/Properties/Conditions/0"}},
		{"six values in a rule", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/a", "/b"}
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "http-header", HeaderName: "x-env", Values: []string{"a", "b", "c"}, Source: src("/Resources/APIRule/Properties/Conditions/1", 25)})
		}, []string{"INFRA-009 /Resources/APIRule"}},
		{"five values in a rule", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/a", "/b"}
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "http-request-method", Values: []string{"GET", "HEAD"}})
		}, nil},
		{"six wildcards in a rule", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/v?/*/*"}
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "host-header", Values: []string{"*.example.*"}})
		}, []string{"INFRA-009 /Resources/APIRule"}},
		{"five wildcards", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/v?/*/*"}
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "host-header", Values: []string{"*.example.com"}})
		}, nil},
		{"a value over 128 characters", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/api/" + strings.Repeat("a", 124)}
		},
			[]string{"INFRA-009 /Resources/APIRule/Properties/Conditions/0"}},
		{"a query key over 128 characters", func(p *Project) {
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "query-string", Query: []KeyValue{{Key: strings.Repeat("k", 129), Value: "v"}}, Source: src("/Resources/APIRule/Properties/Conditions/1", 25)})
		}, []string{"INFRA-009 /Resources/APIRule/Properties/Conditions/1"}},
		{"a default redirect to itself", func(p *Project) {
			p.Listeners[0].DefaultActions = []Action{{Type: "redirect", Redirect: &Redirect{Query: "#{query}&x=1", StatusCode: "HTTP_302"}, Source: src("/Resources/HTTP/Properties/DefaultActions/0", 12)}}
		}, []string{"INFRA-012 /Resources/HTTP/Properties/DefaultActions/0"}},
		{"a redirect from HTTPS to HTTP", func(p *Project) {
			p.Listeners[0].Protocol, p.Listeners[0].Port = "HTTPS", 443
			p.Listeners[0].DefaultActions = []Action{{Type: "redirect", Redirect: &Redirect{Protocol: "HTTP", Port: "80", StatusCode: "HTTP_301"}, Source: src("/Resources/HTTP/Properties/DefaultActions/0", 12)}}
		}, []string{"INFRA-012 /Resources/HTTP/Properties/DefaultActions/0"}},
		{"a redirect to HTTPS", func(p *Project) {
			p.Listeners[0].DefaultActions = []Action{{Type: "redirect", Redirect: &Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}, Source: src("/Resources/HTTP/Properties/DefaultActions/0", 12)}}
		}, nil},
		{"128 characters", func(p *Project) {
			rule(p).Conditions[0].Values = []string{"/api/*", "/api/" + strings.Repeat("a", 123)}
		}, nil},
		{"two path conditions", func(p *Project) {
			rule(p).Conditions = append(rule(p).Conditions, Condition{Field: "path-pattern", Values: []string{"/api/health"}})
		}, []string{"INFRA-009 /Resources/APIRule"}},

		{"streaming function", func(p *Project) { fn(p).Streaming = true }, []string{"INFRA-010 /Resources/APIFunction"}},

		{"health check settings, checks off", func(p *Project) {
			tg(p).HealthCheck = HealthCheck{Path: "/api/health", Source: src("/Resources/APITG/Properties", 31)}
		},
			[]string{"INFRA-011 /Resources/APITG/Properties"}},
		{"health checks off", func(p *Project) { tg(p).HealthCheck = HealthCheck{} }, nil},
		{"health checks off, defaults filled in", func(p *Project) {
			tg(p).HealthCheck = HealthCheck{Path: "/", IntervalSeconds: 35, TimeoutSeconds: 30, HealthyThreshold: 5, UnhealthyThreshold: 5, Matcher: "200"}
		}, nil},

		{"reader findings stay", func(p *Project) {
			p.Findings = append(p.Findings, NewFinding(RuleRef, src("/Resources/APITG/Properties/Targets/0/Id", 35), "!GetAtt Missing.Arn: no resource Missing"))
		}, []string{"INFRA-REF /Resources/APITG/Properties/Targets/0/Id"}},
		{"a target the reader could not resolve is not judged", func(p *Project) {
			// A Terraform reference to a function that is not in the plan:
			// INFRA-REF says so; it is no instance id for INFRA-002.
			tg(p).Targets[0] = Target{ID: "aws_lambda_function.gone.arn", Source: src("/Resources/APITG/Properties/Targets/0", 34)}
			p.Findings = append(p.Findings, NewFinding(RuleRef, src("/Resources/APITG/Properties/Targets/0/Id", 35), "refers to aws_lambda_function.gone.arn, which is not in the plan"))
		}, []string{"INFRA-REF /Resources/APITG/Properties/Targets/0/Id"}},
	}
	covered := map[validate.RuleID]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := wired()
			tc.change(p)
			Check(p)
			var got []string
			for _, f := range p.Findings {
				got = append(got, string(f.Rule)+" "+f.Pointer)
				if f.File != "template.yaml" || f.Line == 0 {
					t.Errorf("%s: file %q line %d: want the element's source", f.Rule, f.File, f.Line)
				}
				if f.Message == "" || f.Severity == "" {
					t.Errorf("%s: no message or severity: %+v", f.Rule, f)
				}
			}
			if !slices.Equal(tc.want, got) {
				t.Errorf("findings:\n got %q\nwant %q\nmessages:\n%s", got, tc.want, messages(p.Findings))
			}
		})
		for _, w := range tc.want {
			id, _, _ := strings.Cut(w, " ")
			covered[validate.RuleID(id)] = true
		}
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no failing case", r.ID)
		}
	}
}

func messages(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

func TestRulesTable(t *testing.T) {
	t.Parallel()
	seen := map[validate.RuleID]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.AppliesTo != KindInfra || r.Summary == "" || r.Outcome == "" || (r.Severity != validate.Error && r.Severity != validate.Warning) {
			t.Errorf("rule %s is incomplete: %+v", r.ID, r)
		}
		if !strings.HasPrefix(string(r.ID), "INFRA-") {
			t.Errorf("rule %s is not an INFRA rule", r.ID)
		}
		if _, clash := validate.LookupRule(r.ID); clash {
			t.Errorf("rule %s is also a validate rule", r.ID)
		}
	}
}

func TestMatchPath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, path string
		want          bool
	}{
		{"/api/*", "/api/", true},
		{"/api/*", "/api/users/1", true},
		{"/api/*", "/api", false},
		{"/api*", "/api", true},
		{"*", "/", true},
		{"/", "/", true},
		{"/", "/x", false},
		{"/v?/x", "/v1/x", true},
		{"/v?/x", "/v/x", false},
		{"/v?/x", "/v12/x", false},
		{"/API/*", "/api/x", false},
		{"*/health", "/a/b/health", true},
		{"/a*b*c", "/aXbYbZc", true},
		{"/a*b*c", "/aXbYbZ", false},
		{"**", "", true},
		{"*", "*0", true}, // a * in the path is no reason to stop the wildcard
		{"/a*", "/a*b", true},
	}
	for _, tc := range cases {
		if got := MatchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// FuzzMatchPath compares MatchPath with the same pattern as a regular
// expression.
func FuzzMatchPath(f *testing.F) {
	f.Add("/api/*", "/api/x")
	f.Add("/v?/*x", "/v1/yx")
	f.Add("*a*a*a*", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")
	f.Fuzz(func(t *testing.T, pattern, path string) {
		var re strings.Builder
		re.WriteString(`^`)
		for _, r := range pattern {
			switch r {
			case '*':
				re.WriteString(`(?s:.*)`)
			case '?':
				re.WriteString(`(?s:.)`)
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString(`$`)
		rx, err := regexp.Compile(re.String())
		if err != nil {
			t.Skip()
		}
		// MatchPath works on bytes, as the ALB compares ASCII paths.
		if !isASCII(pattern) || !isASCII(path) {
			t.Skip()
		}
		if got, want := MatchPath(pattern, path), rx.MatchString(path); got != want {
			t.Errorf("MatchPath(%q, %q) = %v, regexp says %v", pattern, path, got, want)
		}
	})
}

func isASCII(s string) bool {
	return !slices.ContainsFunc([]byte(s), func(b byte) bool { return b >= 0x80 })
}

// Files of several formats checked together: each file's rules are those
// of its own format, whatever the order of the files.
func TestCheckMixedFormats(t *testing.T) {
	sls := "../testdata/rules/INFRA-004/pass-serverless.yml"
	cfn := "../testdata/rules/INFRA-004/fail-no-depends-on.yaml"
	for _, files := range [][]string{{cfn, sls}, {sls, cfn}} {
		p, err := Load(files...)
		if err != nil {
			t.Fatal(err)
		}
		Check(p)
		var got []string
		for _, f := range p.Findings {
			got = append(got, string(f.Rule)+" "+f.File)
		}
		if want := []string{"INFRA-004 " + cfn}; !slices.Equal(got, want) {
			t.Errorf("%s: findings %q, want %q", strings.Join(files, " "), got, want)
		}
	}
}

// Names are a file's own: two templates with the same logical ids do not
// lend each other their permissions or listeners.
func TestCheckNamesPerFile(t *testing.T) {
	good, bare := wired(), wired()
	for _, p := range []*Project{bare} {
		p.Permissions = nil
		p.Listeners = nil
		p.LoadBalancers = nil
		p.TargetGroups[0].Targets[0].DependsOn = nil
	}
	setFile := func(p *Project, file string) {
		for _, s := range []*Source{&p.TargetGroups[0].Source, &p.TargetGroups[0].Targets[0].Source, &p.TargetGroups[0].HealthCheck.Source, &p.Functions[0].Source} {
			s.File = file
		}
		for _, l := range p.Listeners {
			l.Source.File = file
			for _, r := range l.Rules {
				r.Source.File = file
			}
		}
		for _, perm := range p.Permissions {
			perm.Source.File = file
		}
		for _, lb := range p.LoadBalancers {
			lb.Source.File = file
		}
	}
	setFile(good, "a/template.yaml")
	setFile(bare, "b/template.yaml")
	p := &Project{Format: CloudFormation}
	p.merge(good)
	p.merge(bare)
	Check(p)
	var got []string
	for _, f := range p.Findings {
		got = append(got, string(f.Rule)+" "+f.File)
	}
	want := []string{"INFRA-003 b/template.yaml", "INFRA-001 b/template.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("findings %q, want %q\n%s", got, want, messages(p.Findings))
	}
}

// The model's view links each target group to its own file's function.
func TestViewNamesPerFile(t *testing.T) {
	a, b := wired(), wired()
	a.Functions[0].Runtime = "python3.12"
	for _, s := range []*Source{&b.TargetGroups[0].Source, &b.Functions[0].Source} {
		s.File = "b/template.yaml"
	}
	p := &Project{Format: CloudFormation}
	p.merge(a)
	p.merge(b)
	v := p.View()
	for i, want := range []string{"python3.12", "provided.al2023"} {
		fns := v.TargetGroups[i].Functions
		if len(fns) != 1 || fns[0].Runtime != want {
			t.Errorf("target group %d of %s: functions %+v, want the %s one", i, v.TargetGroups[i].Source.File, fns, want)
		}
	}
}
