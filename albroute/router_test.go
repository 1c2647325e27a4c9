package albroute

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	// Written out of order: the lowest priority is evaluated first, whatever
	// the order in the file.
	l := httpListener(
		rule("catch-all", 50, forward("all-tg"), cond("path-pattern", "/*")),
		rule("api", 10, forward("api-tg"), cond("path-pattern", "/api/*")),
		rule("api-v2", 5, forward("v2-tg"), cond("path-pattern", "/api/v2/*")),
		rule("health", 1000, forward("health-tg"), cond("path-pattern", "/health")),
	)
	r := Compile(l, Options{})
	noProblems(t, r)
	cases := []struct {
		path, rule, tg string
		priority       int
	}{
		{"/api/v2/x", "api-v2", "v2-tg", 5},
		{"/api/v1/x", "api", "api-tg", 10},
		{"/other", "catch-all", "all-tg", 50},
		{"/health", "catch-all", "all-tg", 50}, // shadowed by the catch-all
	}
	for _, tc := range cases {
		d := r.Route(get(tc.path))
		if d.Rule != tc.rule || d.Priority != tc.priority || d.Kind != Forward || d.TargetGroup != tc.tg {
			t.Errorf("%s: %s, want rule %s (priority %d) forwarding to %s", tc.path, d, tc.rule, tc.priority, tc.tg)
		}
	}
}

func TestDefaultActions(t *testing.T) {
	t.Parallel()
	l := httpListener(rule("api", 1, forward("api-tg"), cond("path-pattern", "/api/*")))
	l.DefaultActions = []infra.Action{fixed("404", "application/json", `{"error":"not found"}`)}
	r := Compile(l, Options{})
	noProblems(t, r)
	d := r.Route(get("/nothing"))
	want := Decision{Rule: DefaultRule, Kind: FixedResponse, Status: 404, ContentType: "application/json", Body: `{"error":"not found"}`}
	if !decisionEqual(d, want) {
		t.Errorf("got %+v, want %+v", d, want)
	}
	if got := d.String(); got != "default: fixed response 404" {
		t.Errorf("String() = %q", got)
	}
}

func TestExternalListenerDefault(t *testing.T) {
	t.Parallel()
	l := &infra.Listener{Name: "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/y/z", External: true,
		Rules: []*infra.Rule{rule("api", 1, forward("api-tg"), cond("path-pattern", "/api/*"))}}
	r := Compile(l, Options{})
	if d := r.Route(get("/api/x")); d.Kind != Forward || d.TargetGroup != "api-tg" {
		t.Errorf("rule: %s", d)
	}
	d := r.Route(get("/other"))
	if d.Kind != CannotHonour || d.Rule != DefaultRule || !strings.Contains(d.Reason, "default actions are unknown") {
		t.Errorf("default of an external listener: %+v", d)
	}
	if ps := r.Problems(); len(ps) != 1 || ps[0].Rule != DefaultRule {
		t.Errorf("problems: %v", ps)
	}
}

func TestFixedResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		action infra.Action
		want   Decision
	}{
		{"json", fixed("503", "application/json", `{"down":true}`), Decision{Kind: FixedResponse, Status: 503, ContentType: "application/json", Body: `{"down":true}`}},
		{"default content type", fixed("200", "", "OK"), Decision{Kind: FixedResponse, Status: 200, ContentType: DefaultContentType, Body: "OK"}},
		{"no body", fixed("204", "text/plain", ""), Decision{Kind: FixedResponse, Status: 204, ContentType: "text/plain"}},
		{"3XX refused", fixed("301", "", ""), Decision{Kind: CannotHonour, Reason: `fixed-response status code "301" is not 2XX, 4XX or 5XX`}},
		{"not a number", fixed("20x", "", ""), Decision{Kind: CannotHonour, Reason: `fixed-response status code "20x" is not 2XX, 4XX or 5XX`}},
		{"content type refused", fixed("200", "image/png", ""), Decision{Kind: CannotHonour, Reason: `fixed-response content type "image/png" is not one the ALB accepts`}},
		{"body too long", fixed("200", "", strings.Repeat("x", 1025)), Decision{Kind: CannotHonour, Reason: "fixed-response body of 1025 characters: the ALB accepts at most 1024"}},
		{"no config", infra.Action{Type: "fixed-response"}, Decision{Kind: CannotHonour, Reason: "fixed-response action without its configuration"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Compile(httpListener(rule("r", 1, tc.action)), Options{})
			d := r.Route(get("/"))
			tc.want.Rule, tc.want.Priority = "r", 1
			if !decisionEqual(d, tc.want) {
				t.Errorf("got %+v, want %+v", d, tc.want)
			}
			if wantProblem := tc.want.Kind == CannotHonour; wantProblem != (len(r.Problems()) > 0) {
				t.Errorf("problems %v, want some: %v", r.Problems(), wantProblem)
			}
		})
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	oidc := infra.Action{Type: "authenticate-oidc", Order: 1}
	cognito := infra.Action{Type: "authenticate-cognito", Order: 2}
	fwd := forward("app-tg")
	fwd.Order = 3
	cases := []struct {
		name         string
		actions      []infra.Action
		want         Decision
		problemsWith []string
	}{
		{"authenticate passes through", []infra.Action{oidc, fwd},
			Decision{Kind: Forward, TargetGroup: "app-tg", NotEmulated: []string{"authenticate-oidc"}}, []string{"not emulated"}},
		{"by order, not as written", []infra.Action{fwd, cognito, oidc},
			Decision{Kind: Forward, TargetGroup: "app-tg", NotEmulated: []string{"authenticate-oidc", "authenticate-cognito"}}, []string{"not emulated"}},
		{"first terminal action by order", []infra.Action{withOrder(fixed("200", "", "b"), 2), withOrder(fixed("200", "", "a"), 1)},
			Decision{Kind: FixedResponse, Status: 200, ContentType: DefaultContentType, Body: "a"}, []string{"must be the last action"}},
		{"only authenticate", []infra.Action{oidc},
			Decision{Kind: CannotHonour, Reason: "only authenticate actions: a rule needs a forward, redirect or fixed-response action last"}, []string{"only authenticate"}},
		{"unknown action", []infra.Action{{Type: "jump"}},
			Decision{Kind: CannotHonour, Reason: `action type "jump" is not supported`}, []string{`"jump"`}},
		{"no actions", nil, Decision{Kind: CannotHonour, Reason: "no actions"}, []string{"no actions"}},
		{"forward without groups", []infra.Action{{Type: "forward"}},
			Decision{Kind: CannotHonour, Reason: "forward action without a target group"}, []string{"without a target group"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := httpListener(&infra.Rule{Name: "r", Priority: 3, Actions: tc.actions})
			r := Compile(l, Options{})
			d := r.Route(get("/"))
			tc.want.Rule, tc.want.Priority = "r", 3
			if !decisionEqual(d, tc.want) {
				t.Errorf("got %+v, want %+v", d, tc.want)
			}
			var text []string
			for _, p := range r.Problems() {
				text = append(text, p.String())
			}
			all := strings.Join(text, "\n")
			for _, s := range tc.problemsWith {
				if !strings.Contains(all, s) {
					t.Errorf("problems %q do not mention %q", all, s)
				}
			}
		})
	}
}

func withOrder(a infra.Action, order int) infra.Action { a.Order = order; return a }

func TestProblems(t *testing.T) {
	t.Parallel()
	at := infra.Source{File: "template.yaml", Line: 12}
	l := httpListener(
		&infra.Rule{Name: "odd", Priority: 1, Source: at, Actions: []infra.Action{forward("x")},
			Conditions: []infra.Condition{{Field: "path-regex", Values: []string{"^/a$"}, Source: at}}},
		&infra.Rule{Name: "empty", Priority: 2, Actions: []infra.Action{forward("x")},
			Conditions: []infra.Condition{{Field: "path-pattern"}}},
		&infra.Rule{Name: "bad-cidr", Priority: 3, Actions: []infra.Action{forward("cidr-tg")},
			Conditions: []infra.Condition{cond("source-ip", "not-a-cidr", "203.0.113.0/24")}},
		&infra.Rule{Name: "no-name", Priority: 4, Actions: []infra.Action{forward("x")},
			Conditions: []infra.Condition{{Field: "http-header", Values: []string{"a"}}}},
	)
	r := Compile(l, Options{})
	var got []string
	for _, p := range r.Problems() {
		got = append(got, p.String())
	}
	want := []string{
		`template.yaml:12: odd: unknown condition field "path-regex": the rule never matches`,
		`empty: path-pattern condition without values: the rule never matches`,
		`bad-cidr: source-ip value "not-a-cidr" is not a CIDR block: it never matches`,
		`no-name: http-header condition without a header name: the rule never matches`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The rules that cannot match fall through; the valid CIDR still works.
	if d := r.Route(get("/a")); d.Rule != "bad-cidr" || d.TargetGroup != "cidr-tg" {
		t.Errorf("got %s, want the bad-cidr rule by its valid block", d)
	}
}

func TestWeightedForward(t *testing.T) {
	t.Parallel()
	weighted := infra.Action{Type: "forward", Forward: []infra.WeightedTargetGroup{
		{TargetGroup: "blue", Weight: 1}, {TargetGroup: "green", Weight: 3}, {TargetGroup: "off", Weight: 0},
	}}
	l := httpListener(rule("canary", 1, weighted))
	draw := func(r *Router, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = r.Route(get("/")).TargetGroup
		}
		return out
	}

	t.Run("deterministic with a seed", func(t *testing.T) {
		t.Parallel()
		a, b := draw(Compile(l, Options{Seed: 42}), 200), draw(Compile(l, Options{Seed: 42}), 200)
		if !slices.Equal(a, b) {
			t.Error("two routers with seed 42 drew differently")
		}
		if c := draw(Compile(l, Options{Seed: 43}), 200); slices.Equal(a, c) {
			t.Error("seeds 42 and 43 drew the same 200 groups")
		}
		d := draw(Compile(l, Options{Rand: rand.New(rand.NewPCG(1, 2))}), 200)
		e := draw(Compile(l, Options{Rand: rand.New(rand.NewPCG(1, 2))}), 200)
		if !slices.Equal(d, e) {
			t.Error("two routers with the same Rand source drew differently")
		}
	})

	t.Run("weights respected", func(t *testing.T) {
		t.Parallel()
		const n = 40000
		count := map[string]int{}
		for _, tg := range draw(Compile(l, Options{Seed: 7}), n) {
			count[tg]++
		}
		if count["off"] != 0 {
			t.Errorf("weight 0 chosen %d times", count["off"])
		}
		// Binomial with p = 1/4: the standard deviation is about 87; allow 5.
		want := n / 4.0
		sd := math.Sqrt(n * 0.25 * 0.75)
		if got := float64(count["blue"]); math.Abs(got-want) > 5*sd {
			t.Errorf("blue chosen %v times of %d, want %v ± %v", got, n, want, 5*sd)
		}
		if count["blue"]+count["green"] != n {
			t.Errorf("counts %v do not add up to %d", count, n)
		}
	})

	t.Run("single group", func(t *testing.T) {
		t.Parallel()
		one := infra.Action{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "only", Weight: 0}}}
		r := Compile(httpListener(rule("one", 1, one)), Options{})
		noProblems(t, r)
		if d := r.Route(get("/")); d.TargetGroup != "only" {
			t.Errorf("got %s", d)
		}
	})

	t.Run("all weights zero", func(t *testing.T) {
		t.Parallel()
		zero := infra.Action{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "a"}, {TargetGroup: "b"}}}
		r := Compile(httpListener(rule("zero", 1, zero)), Options{})
		if d := r.Route(get("/")); d.Kind != CannotHonour {
			t.Errorf("got %s, want cannot honour", d)
		}
		if len(r.Problems()) != 1 {
			t.Errorf("problems: %v", r.Problems())
		}
	})
}

func decisionEqual(a, b Decision) bool {
	return a.Rule == b.Rule && a.Priority == b.Priority && a.Kind == b.Kind && a.TargetGroup == b.TargetGroup &&
		a.Status == b.Status && a.ContentType == b.ContentType && a.Body == b.Body && a.Location == b.Location &&
		a.Reason == b.Reason && slices.Equal(a.NotEmulated, b.NotEmulated)
}

// TestConcurrentRoute routes from several goroutines through one Router
// (run with -race): serve calls Route from every connection.
func TestConcurrentRoute(t *testing.T) {
	t.Parallel()
	l := twentyRules()
	l.Rules = append(l.Rules, rule("weighted", 500, infra.Action{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "a", Weight: 1}, {TargetGroup: "b", Weight: 1}}}))
	r := Compile(l, Options{Seed: 3})
	done := make(chan map[string]int)
	for range 4 {
		go func() {
			count := map[string]int{}
			for i := range 500 {
				req := get("/x?version=v99")
				req.Headers = map[string][]string{"X-Tenant": {"tenant-2"}}
				if i%2 == 0 {
					req.Path = "/api/orders/1"
					req.Host = "shop.example.com"
				}
				count[r.Route(req).TargetGroup]++
			}
			done <- count
		}()
	}
	total := map[string]int{}
	for range 4 {
		for k, v := range <-done {
			total[k] += v
		}
	}
	if total["orders-tg"] != 1000 || total["a"]+total["b"] != 1000 || total["a"] == 0 || total["b"] == 0 {
		t.Errorf("counts %v", total)
	}
}

func TestRuleWithoutConditions(t *testing.T) {
	t.Parallel()
	r := Compile(httpListener(&infra.Rule{Name: "bare", Priority: 1, Actions: []infra.Action{forward("x")}}), Options{})
	if d := r.Route(get("/anything")); d.Rule != "bare" {
		t.Errorf("got %s, want the bare rule", d)
	}
	if ps := r.Problems(); len(ps) != 1 || !strings.Contains(ps[0].Message, "without conditions") {
		t.Errorf("problems: %v", ps)
	}
}
