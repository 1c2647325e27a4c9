package infra

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/albcheck/albcheck/validate"
)

// elbPrincipal is the service principal the load balancer invokes a
// function as ("Lambda functions as targets", ELB user guide).
const elbPrincipal = "elasticloadbalancing.amazonaws.com"

// Lambda's default timeout, and the health check defaults of a lambda
// target group (CreateTargetGroup, ELB API reference).
const (
	defaultFunctionTimeout    = 3
	defaultLambdaHealthTimout = 30
	defaultLambdaHealthEvery  = 35
	defaultHealthCheckPath    = "/"
)

// Check appends the findings of the INFRA rules about how the project's
// load balancers and functions are wired to p.Findings, and sorts them by
// file, line and rule. Readers' findings (INFRA-REF) stay.
func Check(p *Project) {
	c := newChecker(p)
	for _, tg := range p.TargetGroups {
		c.targetGroup(tg)
	}
	for _, l := range p.Listeners {
		c.listener(l)
	}
	slices.SortStableFunc(p.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Pointer, b.Pointer), cmp.Compare(a.Rule, b.Rule))
	})
}

type checker struct {
	p         *Project
	functions map[fileName]*Function
}

// fileName names an element of one file: names are logical ids, resource
// addresses or function names, each a file's own, and two templates of a
// project may both have an ApiFunction.
type fileName struct{ file, name string }

func newChecker(p *Project) *checker {
	c := &checker{p: p, functions: map[fileName]*Function{}}
	for _, f := range p.Functions {
		c.functions[fileName{f.Source.File, f.Name}] = f
	}
	return c
}

// function is the function a target of the target group names.
func (c *checker) function(tg *TargetGroup, t Target) *Function {
	return c.functions[fileName{tg.Source.File, t.Function}]
}

func (c *checker) add(id validate.RuleID, at Source, format string, args ...any) {
	c.p.Findings = append(c.p.Findings, NewFinding(id, at, fmt.Sprintf(format, args...)))
}

// IsLambda reports whether the target group's targets are Lambda functions.
func (tg *TargetGroup) IsLambda() bool { return strings.EqualFold(tg.TargetType, "lambda") }

func (c *checker) targetGroup(tg *TargetGroup) {
	c.healthCheckTiming(tg)
	if !tg.IsLambda() {
		return
	}
	if len(tg.Targets) > 1 {
		c.add(INFRA002, orSource(tg.Targets[1].Source, tg.Source), "target group %s has %d targets: a target group of type lambda holds one function", tg.Name, len(tg.Targets))
	}
	for _, t := range tg.Targets {
		if t.Function == "" && !isLambdaARN(t.ID) && !c.unresolved(t.Source) {
			c.add(INFRA002, orSource(t.Source, tg.Source), "target group %s is of type lambda but its target %q is not a Lambda function", tg.Name, t.ID)
			continue
		}
		if fn := c.function(tg, t); fn != nil {
			c.permission(tg, t, fn)
			if fn.Streaming {
				c.add(INFRA010, fn.Source, "function %s is configured for response streaming, but it sits behind target group %s: the ALB invokes it without streaming", fn.Name, tg.Name)
			}
		}
	}
	routes := c.routesTo(tg)
	if len(routes) == 0 {
		c.add(INFRA003, tg.Source, "no listener rule or default action forwards to target group %s", tg.Name)
	}
	c.healthCheck(tg, routes)
}

// unresolved reports whether a reader could not resolve a value inside the
// element at src (an INFRA-REF error): what it holds is a reference as
// written, not a value to judge.
func (c *checker) unresolved(src Source) bool {
	if src.Pointer == "" {
		return false
	}
	return slices.ContainsFunc(c.p.Findings, func(f Finding) bool {
		return f.Rule == RuleRef && f.Severity == validate.Error && f.File == src.File &&
			(f.Pointer == src.Pointer || strings.HasPrefix(f.Pointer, src.Pointer+"/"))
	})
}

// isLambdaARN tells a function ARN written as a target id (a function
// outside the file) from an instance id or IP address.
func isLambdaARN(id string) bool {
	return strings.HasPrefix(id, "arn:") && strings.Contains(id, ":lambda:")
}

// permission checks the grant that lets the load balancer invoke the
// target's function (INFRA-001) and that the registration waits for it
// (INFRA-004).
func (c *checker) permission(tg *TargetGroup, t Target, fn *Function) {
	var ok, elsewhere, otherQualifier []*Permission
	for _, perm := range c.p.Permissions {
		if !perm.grants(fn) {
			continue
		}
		if perm.Qualifier != t.Qualifier {
			// A grant on one alias or version does not cover another.
			otherQualifier = append(otherQualifier, perm)
			continue
		}
		if perm.SourceTargetGroup != "" && perm.SourceTargetGroup != tg.Name {
			elsewhere = append(elsewhere, perm)
			continue
		}
		ok = append(ok, perm)
	}
	at := orSource(t.Source, tg.Source)
	if len(ok) == 0 {
		if len(otherQualifier) > 0 {
			c.add(INFRA001, at, "target group %s registers %s, but permission %s grants the load balancer %s only", tg.Name, qualified(fn.Name, t.Qualifier), otherQualifier[0].Name, qualified(fn.Name, otherQualifier[0].Qualifier))
			return
		}
		if len(elsewhere) > 0 {
			c.add(INFRA001, at, "function %s is registered with target group %s, but its permission %s lets only target group %s invoke it (SourceArn)", fn.Name, tg.Name, elsewhere[0].Name, elsewhere[0].SourceTargetGroup)
			return
		}
		c.add(INFRA001, at, "function %s is registered with target group %s, but no permission grants lambda:InvokeFunction to %s", fn.Name, tg.Name, elbPrincipal)
		return
	}
	if c.p.formatOf(tg.Source) == Serverless {
		return // the framework creates the permission before the registration
	}
	for _, perm := range ok {
		if slices.Contains(t.DependsOn, perm.Name) {
			return
		}
	}
	hint := ""
	if c.p.formatOf(tg.Source) == CloudFormation && ok[0].SourceTargetGroup == tg.Name {
		// Targets are a property of the target group in CloudFormation: a
		// permission that names the group must come after it.
		hint = " (and leave out its SourceArn: a permission naming the target group cannot be created before it)"
	}
	c.add(INFRA004, at, "target group %s registers function %s without waiting for permission %s: add DependsOn/depends_on %s to the registration%s", tg.Name, fn.Name, ok[0].Name, ok[0].Name, hint)
}

// qualified names a function with its alias or version, if any.
func qualified(name, qualifier string) string {
	if qualifier == "" {
		return "function " + name + " (unqualified)"
	}
	return "function " + name + ":" + qualifier
}

// grants reports whether the permission lets the load balancer invoke the
// function.
func (perm *Permission) grants(fn *Function) bool {
	// By name in the model, in the function's own file; by the deployed
	// function's name, in any file.
	byName := perm.Function == fn.Name && perm.Source.File == fn.Source.File
	if !byName && (fn.FunctionName == "" || perm.Function != fn.FunctionName) {
		return false
	}
	if !strings.EqualFold(perm.Principal, elbPrincipal) {
		return false
	}
	// IAM action names are case-insensitive.
	return strings.EqualFold(perm.Action, "lambda:InvokeFunction") || strings.EqualFold(perm.Action, "lambda:*")
}

// route is a listener that forwards to a target group.
type route struct{ l *Listener }

// routesTo lists the listeners that forward to the target group, in a rule
// or a default action.
func (c *checker) routesTo(tg *TargetGroup) []route {
	name := tg.Name
	var out []route
	for _, l := range c.p.Listeners {
		if l.Source.File != tg.Source.File {
			continue // its actions name its own file's target groups
		}
		found := forwardsTo(l.DefaultActions, name)
		for _, r := range l.Rules {
			found = found || forwardsTo(r.Actions, name)
		}
		if found {
			out = append(out, route{l})
		}
	}
	return out
}

// forwardsTo reports whether the actions forward requests to the target
// group: a weight of 0 in a weighted forward sends it nothing.
func forwardsTo(actions []Action, name string) bool {
	for _, a := range actions {
		if a.Type != "forward" {
			continue
		}
		for _, w := range a.Forward {
			if w.TargetGroup == name && (w.Weight > 0 || len(a.Forward) == 1) {
				return true
			}
		}
	}
	return false
}

// healthCheckTiming checks the interval against the timeout (INFRA-006),
// for any target group whose values are known.
func (c *checker) healthCheckTiming(tg *TargetGroup) {
	hc := tg.HealthCheck
	interval, timeout := hc.IntervalSeconds, hc.TimeoutSeconds
	if tg.IsLambda() {
		interval = cmp.Or(interval, defaultLambdaHealthEvery)
		timeout = cmp.Or(timeout, defaultLambdaHealthTimout)
	}
	if interval == 0 || timeout == 0 || (hc.IntervalSeconds == 0 && hc.TimeoutSeconds == 0) {
		return
	}
	if interval <= timeout {
		c.add(INFRA006, orSource(hc.Source, tg.Source), "target group %s checks health every %ds with a timeout of %ds: the interval must be longer than the timeout", tg.Name, interval, timeout)
	}
}

// healthCheck checks a Lambda target group's health check against its
// function (INFRA-005, INFRA-011) and its listeners' rules (INFRA-007).
func (c *checker) healthCheck(tg *TargetGroup, routes []route) {
	hc := tg.HealthCheck
	at := orSource(hc.Source, tg.Source)
	if !hc.Enabled {
		if hasHealthSettings(hc) {
			c.add(INFRA011, at, "target group %s sets health check settings but health checks are off: a lambda target group checks health only when enabled (HealthCheckEnabled, health_check.enabled, healthCheck)", tg.Name)
		}
		return
	}
	timeout := cmp.Or(hc.TimeoutSeconds, defaultLambdaHealthTimout)
	for _, t := range tg.Targets {
		fn := c.function(tg, t)
		if fn == nil {
			continue
		}
		if ft := cmp.Or(fn.TimeoutSeconds, defaultFunctionTimeout); timeout < ft {
			c.add(INFRA005, at, "target group %s fails a health check after %ds, but function %s may run for %ds", tg.Name, timeout, fn.Name, ft)
		}
	}
	if len(routes) == 0 {
		return // INFRA-003 says it
	}
	path := cmp.Or(hc.Path, defaultHealthCheckPath)
	for _, r := range routes {
		if routesPath(r.l, path, tg) {
			return
		}
	}
	c.add(INFRA007, at, "target group %s checks health at %s, a path its listeners route elsewhere: the function likely has no answer for it (health checks reach the function directly, but it only ever gets the paths routed to it)", tg.Name, path)
}

// Defaults of a lambda target group's health check besides those above
// (CreateTargetGroup): a reader may fill them in.
const (
	defaultLambdaThreshold = 5
	defaultMatcher         = "200"
)

// hasHealthSettings reports whether a health check sets anything but the
// defaults, which a reader may or may not have filled in: only a value
// someone chose says they expected checks to run.
func hasHealthSettings(hc HealthCheck) bool {
	set := func(v, def int) bool { return v != 0 && v != def }
	return (hc.Path != "" && hc.Path != defaultHealthCheckPath) || (hc.Matcher != "" && hc.Matcher != defaultMatcher) ||
		set(hc.IntervalSeconds, defaultLambdaHealthEvery) || set(hc.TimeoutSeconds, defaultLambdaHealthTimout) ||
		set(hc.HealthyThreshold, defaultLambdaThreshold) || set(hc.UnhealthyThreshold, defaultLambdaThreshold)
}

// routesPath reports whether the listener may route a request for path to
// the target group. Only path conditions can be decided: a health check
// request is made by the load balancer itself, with no client host,
// headers, query or source address, so a rule with other conditions is
// taken to match when it forwards to the target group and not to catch
// the request when it forwards elsewhere. That errs towards no finding.
func routesPath(l *Listener, path string, tg *TargetGroup) bool {
	group := tg.Name
	path, _, _ = strings.Cut(path, "?") // compared to the path only
	rules := slices.Clone(l.Rules)
	slices.SortStableFunc(rules, func(a, b *Rule) int { return cmp.Compare(a.Priority, b.Priority) })
	for _, r := range rules {
		onlyPath, matches := true, true
		for _, cond := range r.Conditions {
			if cond.Field != "path-pattern" {
				onlyPath = false
				continue
			}
			if !slices.ContainsFunc(cond.Values, func(p string) bool { return MatchPath(p, path) }) {
				matches = false
			}
		}
		if !matches {
			continue
		}
		if forwardsTo(r.Actions, group) {
			return true
		}
		if onlyPath {
			return false // this rule takes the request elsewhere
		}
	}
	// A listener defined elsewhere has default actions the files do not
	// show: they may forward to the group, unless a tool generates the
	// group (Serverless), so that nothing written elsewhere names it.
	return (l.External && tg.Source.Generated == "") || forwardsTo(l.DefaultActions, group)
}

// MatchPath reports whether an ALB path pattern matches a path: the
// comparison is case-sensitive, * matches any run of characters (none
// included) and ? exactly one ("Condition types for listener rules").
func MatchPath(pattern, path string) bool {
	// Iterative wildcard matching with one backtrack point: linear in
	// practice, and never exponential.
	p, s := 0, 0
	star, mark := -1, 0
	for s < len(path) {
		switch {
		// A * in the pattern is a wildcard even where the path holds a
		// literal *: test it first.
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, s
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == path[s]):
			p++
			s++
		case star >= 0:
			p = star + 1
			mark++
			s = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// The limits of a rule's conditions ("Condition types for listener rules";
// "Quotas for your Application Load Balancers").
const (
	maxValuesPerCondition = 3
	maxValuesPerRule      = 5
	maxWildcardsPerRule   = 5
	maxValueLength        = 128
)

// onePerRule are the condition fields a rule may hold once.
var onePerRule = []string{"host-header", "http-request-method", "path-pattern", "source-ip"}

// wildcardFields are the fields whose values may hold wildcards.
var wildcardFields = []string{"host-header", "http-header", "path-pattern", "query-string"}

func (c *checker) listener(l *Listener) {
	seen := map[int]*Rule{}
	for _, r := range l.Rules {
		if first := seen[r.Priority]; first != nil && r.Priority > 0 {
			c.add(INFRA008, r.Source, "rules %s and %s of listener %s both have priority %d", first.Name, r.Name, l.Name, r.Priority)
		} else if first == nil {
			seen[r.Priority] = r
		}
		c.conditions(r)
		c.redirects(l, "rule "+r.Name, r.Actions)
	}
	c.redirects(l, "the default action of listener "+l.Name, l.DefaultActions)
}

// redirects checks the redirect actions of a rule (or of a listener's
// default) against what the ELB API accepts (INFRA-012).
func (c *checker) redirects(l *Listener, of string, actions []Action) {
	for _, a := range actions {
		rd := a.Redirect
		if a.Type != "redirect" || rd == nil {
			continue
		}
		keep := func(v, keyword string) bool { return v == "" || strings.EqualFold(v, keyword) }
		switch {
		case strings.EqualFold(rd.Protocol, "HTTP") && strings.EqualFold(l.Protocol, "HTTPS"):
			c.add(INFRA012, a.Source, "%s redirects from an HTTPS listener to HTTP: the ALB cannot redirect HTTPS to HTTP", of)
		case keep(rd.Protocol, "#{protocol}") && keep(rd.Host, "#{host}") && keep(rd.Port, "#{port}") && keep(rd.Path, "/#{path}"):
			c.add(INFRA012, a.Source, "%s redirects to the same protocol, host, port and path: a redirect loop, which the ALB refuses (change at least one of them)", of)
		}
	}
}

func (c *checker) conditions(r *Rule) {
	count := map[string]int{}
	values, wildcards := 0, 0
	for _, cond := range r.Conditions {
		count[cond.Field]++
		vals := slices.Clone(cond.Values)
		for _, kv := range cond.Query {
			vals = append(vals, kv.Value)
			if kv.Key != "" {
				vals = append(vals, kv.Key) // a key is matched, and counted, like a value
			}
		}
		n := len(cond.Values) + len(cond.Query)
		values += n
		at := orSource(cond.Source, r.Source)
		if n > maxValuesPerCondition {
			c.add(INFRA009, at, "rule %s has a %s condition with %d values: at most %d per condition", r.Name, cond.Field, n, maxValuesPerCondition)
		}
		for _, v := range vals {
			if len(v) > maxValueLength {
				c.add(INFRA009, at, "rule %s has a %s value of %d characters: at most %d", r.Name, cond.Field, len(v), maxValueLength)
			}
			if slices.Contains(wildcardFields, cond.Field) {
				wildcards += strings.Count(v, "*") + strings.Count(v, "?")
			}
		}
	}
	for _, field := range onePerRule {
		if count[field] > 1 {
			c.add(INFRA009, r.Source, "rule %s has %d %s conditions: at most one per rule", r.Name, count[field], field)
		}
	}
	if values > maxValuesPerRule {
		c.add(INFRA009, r.Source, "rule %s has %d condition values: at most %d per rule", r.Name, values, maxValuesPerRule)
	}
	if wildcards > maxWildcardsPerRule {
		c.add(INFRA009, r.Source, "rule %s has %d wildcards in its conditions: at most %d per rule", r.Name, wildcards, maxWildcardsPerRule)
	}
}

// orSource is a's source, or b when a has none.
func orSource(a, b Source) Source {
	if a.Pointer == "" && a.Line == 0 {
		return b
	}
	return a
}
