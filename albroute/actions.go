package albroute

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/albcheck/albcheck/infra"
)

// The pages the action behaviours come from.
const (
	actionsPage       = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html"
	fixedResponsePage = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_FixedResponseActionConfig.html"
)

// DefaultContentType is the content type of a fixed response that sets
// none. The API leaves ContentType optional and does not say what the ALB
// sends without it (the CDK documents it as "Automatically determined"):
// plain text is the emulator's choice.
const DefaultContentType = "text/plain; charset=utf-8"

// plan is what a rule's (or the default) actions do, compiled once.
type plan struct {
	kind        Kind
	notEmulated []string

	// forward: the target groups with a weight above 0 and the running sum
	// of their weights.
	groups []string
	cumul  []int
	total  int

	// fixed-response and redirect
	status      int
	contentType string
	body        string
	redirect    *redirectTemplate

	reason string // CannotHonour
}

// compilePlan compiles a rule's actions. "The action with the lowest order
// value is performed first. Each rule must include exactly one of the
// following actions: forward, redirect, or fixed-response, and it must be
// the last action to be performed" (actionsPage). Authenticate actions are
// passed through: the request goes on to the next action, and the decision
// says that authentication was not emulated.
func compilePlan(actions []infra.Action, rule string, listenerProtocol string, problems *[]Problem, at infra.Source) *plan {
	problem := func(src infra.Source, format string, args ...any) {
		*problems = append(*problems, Problem{Rule: rule, Source: orSource(src, at), Message: fmt.Sprintf(format, args...)})
	}
	cannot := func(src infra.Source, format string, args ...any) *plan {
		reason := fmt.Sprintf(format, args...)
		problem(src, "%s", reason)
		return &plan{kind: CannotHonour, reason: reason}
	}
	if len(actions) == 0 {
		return cannot(at, "no actions")
	}
	ordered := slices.Clone(actions)
	// Stable, so that actions without an Order keep the order written.
	slices.SortStableFunc(ordered, func(a, b infra.Action) int { return cmp.Compare(a.Order, b.Order) })
	var skipped []string
	for i, a := range ordered {
		var p *plan
		switch a.Type {
		case "authenticate-oidc", "authenticate-cognito":
			if !slices.Contains(skipped, a.Type) {
				skipped = append(skipped, a.Type)
			}
			continue
		case "forward":
			p = compileForward(a, cannot)
		case "fixed-response":
			p = compileFixed(a, cannot)
		case "redirect":
			p = compileRedirect(a, listenerProtocol, cannot, problem)
		default:
			p = cannot(a.Source, "action type %q is not supported", a.Type)
		}
		if rest := len(ordered) - i - 1; rest > 0 && p.kind != CannotHonour {
			problem(ordered[i+1].Source, "%d action(s) after the %s action: it must be the last action, the ALB refuses the rule; the rest is ignored", rest, a.Type)
		}
		if len(skipped) > 0 {
			problem(at, "%v: authentication is not emulated, requests pass through to the %s action", skipped, a.Type)
		}
		p.notEmulated = skipped
		return p
	}
	return cannot(at, "only authenticate actions: a rule needs a forward, redirect or fixed-response action last")
}

// compileForward compiles a forward to one target group or weighted among
// several ("Forward actions" and "weighted target groups", actionsPage).
// Stickiness is not emulated: each request is drawn anew.
func compileForward(a infra.Action, cannot func(infra.Source, string, ...any) *plan) *plan {
	if len(a.Forward) == 0 {
		return cannot(a.Source, "forward action without a target group")
	}
	p := &plan{kind: Forward}
	if len(a.Forward) == 1 {
		// A forward to a single target group sends it everything, whatever
		// weight a template gives it (as infra's forwardsTo reads it).
		p.groups, p.cumul, p.total = []string{a.Forward[0].TargetGroup}, []int{1}, 1
		return p
	}
	for _, w := range a.Forward {
		if w.Weight < 0 {
			return cannot(a.Source, "target group %s has a negative weight %d", w.TargetGroup, w.Weight)
		}
		if w.Weight == 0 {
			continue // a weight of 0 sends the group nothing
		}
		p.total += w.Weight
		p.groups = append(p.groups, w.TargetGroup)
		p.cumul = append(p.cumul, p.total)
	}
	if p.total == 0 {
		return cannot(a.Source, "every target group of the forward has weight 0")
	}
	return p
}

// compileFixed compiles a fixed response: "a 2XX, 4XX, or 5XX response
// code and an optional message" (actionsPage); the status code matches
// ^(2|4|5)\d\d$, ContentType is one of text/plain, text/css, text/html,
// application/javascript, application/json, and MessageBody is at most
// 1024 characters (fixedResponsePage).
func compileFixed(a infra.Action, cannot func(infra.Source, string, ...any) *plan) *plan {
	fr := a.FixedResponse
	if fr == nil {
		return cannot(a.Source, "fixed-response action without its configuration")
	}
	code, err := strconv.Atoi(fr.StatusCode)
	if err != nil || len(fr.StatusCode) != 3 || (code/100 != 2 && code/100 != 4 && code/100 != 5) {
		return cannot(a.Source, "fixed-response status code %q is not 2XX, 4XX or 5XX", fr.StatusCode)
	}
	ct := fr.ContentType
	switch ct {
	case "":
		ct = DefaultContentType
	case "text/plain", "text/css", "text/html", "application/javascript", "application/json":
	default:
		return cannot(a.Source, "fixed-response content type %q is not one the ALB accepts", fr.ContentType)
	}
	if len(fr.MessageBody) > maxFixedBody {
		return cannot(a.Source, "fixed-response body of %d characters: the ALB accepts at most %d", len(fr.MessageBody), maxFixedBody)
	}
	return &plan{kind: FixedResponse, status: code, contentType: ct, body: fr.MessageBody}
}

// maxFixedBody is the longest MessageBody (fixedResponsePage).
const maxFixedBody = 1024

// orSource is a's source, or b when a has none.
func orSource(a, b infra.Source) infra.Source {
	if a.Pointer == "" && a.Line == 0 && a.File == "" {
		return b
	}
	return a
}
