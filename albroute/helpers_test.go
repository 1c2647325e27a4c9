package albroute

import (
	"net/netip"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

// forward is a forward action to one target group.
func forward(tg string) infra.Action {
	return infra.Action{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: tg, Weight: 1}}}
}

func fixed(status, contentType, body string) infra.Action {
	return infra.Action{Type: "fixed-response", FixedResponse: &infra.FixedResponse{StatusCode: status, ContentType: contentType, MessageBody: body}}
}

// rule is a rule with the conditions, or one matching every request.
func rule(name string, priority int, action infra.Action, conds ...infra.Condition) *infra.Rule {
	if len(conds) == 0 {
		conds = []infra.Condition{cond("path-pattern", "*")}
	}
	return &infra.Rule{Name: name, Priority: priority, Conditions: conds, Actions: []infra.Action{action}}
}

// httpListener is an HTTP listener on port 80 whose default action
// forwards to "default-tg".
func httpListener(rules ...*infra.Rule) *infra.Listener {
	return &infra.Listener{Name: "Listener", Port: 80, Protocol: "HTTP", Rules: rules, DefaultActions: []infra.Action{forward("default-tg")}}
}

func cond(field string, values ...string) infra.Condition {
	return infra.Condition{Field: field, Values: values}
}

func header(name string, values ...string) infra.Condition {
	return infra.Condition{Field: "http-header", HeaderName: name, Values: values}
}

func query(pairs ...infra.KeyValue) infra.Condition {
	return infra.Condition{Field: "query-string", Query: pairs}
}

// get is a GET of path (with an optional ?query) from 203.0.113.7 to
// example.com.
func get(target string) Request {
	path, q := target, ""
	for i := range len(target) {
		if target[i] == '?' {
			path, q = target[:i], target[i+1:]
			break
		}
	}
	return Request{Method: "GET", Path: path, RawQuery: q, Host: "example.com", ClientIP: netip.MustParseAddr("203.0.113.7")}
}

// noProblems fails the test when compiling the listener reported any.
func noProblems(t *testing.T, r *Router) {
	t.Helper()
	for _, p := range r.Problems() {
		t.Errorf("unexpected problem: %s", p)
	}
}
