package albroute

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/albcheck/albcheck/infra"
)

// rulesPage is where rule evaluation is described.
const rulesPage = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html"

// Options configure a Router. The zero value is useful: weighted forwards
// draw from a generator seeded with 0.
type Options struct {
	// Seed seeds the generator of weighted forwards, so that a run can be
	// replayed (serve --seed).
	Seed uint64
	// Rand, when set, is used instead of a generator made from Seed. The
	// Router serialises its use.
	Rand *rand.Rand
}

// Router routes requests through one listener. It is safe for concurrent
// use.
type Router struct {
	listener *infra.Listener
	rules    []compiledRule
	// headerNames are the names the http-header conditions look at, in
	// lower case, each once; a condition's slot indexes it.
	headerNames []string
	def         *plan
	problems    []Problem

	mu  sync.Mutex
	rnd *rand.Rand
}

type compiledRule struct {
	name       string
	priority   int
	conditions []condition
	plan       *plan
}

// Compile prepares a listener's rules for routing and records what cannot
// be honoured in Problems.
func Compile(l *infra.Listener, opts Options) *Router {
	r := &Router{listener: l, rnd: opts.Rand}
	if r.rnd == nil {
		r.rnd = rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	}
	rules := slices.Clone(l.Rules)
	// "Rules are evaluated in priority order, from the lowest value to the
	// highest value. The default rule is evaluated last" (rulesPage).
	// Stable: two rules with one priority (which the ALB refuses, INFRA-008)
	// keep the order written.
	slices.SortStableFunc(rules, func(a, b *infra.Rule) int { return cmp.Compare(a.Priority, b.Priority) })
	for _, rule := range rules {
		cr := compiledRule{name: rule.Name, priority: rule.Priority}
		if len(rule.Conditions) == 0 {
			// "Each rule consists of a priority, one or more actions, and one
			// or more conditions" (rulesPage): only the default rule has none.
			r.problems = append(r.problems, Problem{Rule: rule.Name, Source: rule.Source,
				Message: "rule without conditions: the ALB requires at least one; emulated as matching every request"})
		}
		for _, c := range rule.Conditions {
			cc := compileCondition(c, rule.Name, &r.problems)
			if cc.kind == condHeader {
				name := strings.ToLower(cc.header)
				cc.slot = slices.Index(r.headerNames, name)
				if cc.slot < 0 {
					cc.slot = len(r.headerNames)
					r.headerNames = append(r.headerNames, name)
				}
			}
			cr.conditions = append(cr.conditions, cc)
		}
		// All conditions must hold, so their order is free: the cheap ones
		// first, to fail fast.
		slices.SortStableFunc(cr.conditions, func(a, b condition) int { return cmp.Compare(a.kind.cost(), b.kind.cost()) })
		cr.plan = compilePlan(rule.Actions, rule.Name, l.Protocol, &r.problems, rule.Source)
		r.rules = append(r.rules, cr)
	}
	if l.External && len(l.DefaultActions) == 0 {
		reason := fmt.Sprintf("listener %s is defined outside the files: its default actions are unknown", l.Name)
		r.problems = append(r.problems, Problem{Rule: DefaultRule, Source: l.Source, Message: reason + "; a request no rule matches cannot be honoured"})
		r.def = &plan{kind: CannotHonour, reason: reason}
	} else {
		r.def = compilePlan(l.DefaultActions, DefaultRule, l.Protocol, &r.problems, l.Source)
	}
	return r
}

// Problems lists what in the listener's rules cannot be honoured, or what
// the ALB would refuse, in rule order, each once.
func (r *Router) Problems() []Problem { return slices.Clone(r.problems) }

// Listener is the listener the Router was compiled from.
func (r *Router) Listener() *infra.Listener { return r.listener }

// Route decides what the load balancer does with a request: the first
// rule, by priority, all of whose conditions match ("When the conditions
// for a rule are met, then its actions are performed", rulesPage), or the
// default actions.
func (r *Router) Route(req Request) Decision {
	rq := request{Request: req, headerNames: r.headerNames}
	rq.client = req.ClientIP.Unmap()
	for i := range r.rules {
		rule := &r.rules[i]
		if rule.matches(&rq) {
			return r.decide(rule.plan, rule.name, rule.priority, &rq)
		}
	}
	return r.decide(r.def, DefaultRule, 0, &rq)
}

// Route compiles l with default Options and routes one request: for a
// single decision; a server compiles once and calls Router.Route.
func Route(l *infra.Listener, req Request) Decision {
	return Compile(l, Options{}).Route(req)
}

func (cr *compiledRule) matches(r *request) bool {
	// All conditions must match; a rule without conditions (a problem)
	// matches every request.
	for i := range cr.conditions {
		if !cr.conditions[i].matches(r) {
			return false
		}
	}
	return true
}

func (r *Router) decide(p *plan, rule string, priority int, rq *request) Decision {
	d := Decision{Rule: rule, Priority: priority, Kind: p.kind, NotEmulated: p.notEmulated}
	switch p.kind {
	case Forward:
		d.TargetGroup = r.pick(p)
	case FixedResponse:
		d.Status, d.ContentType, d.Body = p.status, p.contentType, p.body
	case Redirect:
		protocol := cmp.Or(rq.Protocol, r.listener.Protocol)
		port := cmp.Or(rq.Port, r.listener.Port)
		d.Status = p.status
		d.Location = p.redirect.location(rq, lowerProtocol(protocol), port)
	default:
		d.Reason = p.reason
	}
	return d
}

// pick chooses a target group of a forward in proportion to the weights
// ("weighted target groups", actionsPage).
func (r *Router) pick(p *plan) string {
	if len(p.groups) == 1 {
		return p.groups[0]
	}
	r.mu.Lock()
	n := r.rnd.IntN(p.total)
	r.mu.Unlock()
	i, _ := slices.BinarySearch(p.cumul, n+1)
	return p.groups[i]
}
