package infra

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/albcheck/albcheck/validate"
)

// Serverless Framework behaviour this reader follows, from
// lib/plugins/aws/package/compile/events/alb in serverless/serverless and
// its naming (lib/plugins/aws/lib/naming.js):
//   - one target group per function, load balancer and multiValueHeaders
//     setting, logical id {Function}Alb[MultiValue]TargetGroup{albId}, where
//     albId is the load balancer's id in a listener ARN or the name a
//     listenerArn {Ref: X} refers to;
//   - a listener rule per event, {Function}AlbListenerRule{priority};
//   - the invoke permission {Function}LambdaPermissionRegisterTarget, with no
//     SourceArn, that every one of the function's target groups DependsOn;
//   - health checks off unless the event has healthCheck (true, or an
//     object of settings); then the framework's defaults below fill the gaps.
const (
	slsDefaultTimeout = 6 // provider.timeout's default ("optional, in seconds, default is 6")
	slsGenerated      = "serverless"
	slsPrincipal      = "elasticloadbalancing.amazonaws.com"
)

// The health check the framework writes for healthCheck: true
// (healthCheckDefaults in targetGroups.js).
var slsHealthDefaults = HealthCheck{
	Enabled:            true,
	Path:               "/",
	IntervalSeconds:    35,
	TimeoutSeconds:     30,
	HealthyThreshold:   5,
	UnhealthyThreshold: 5,
	Matcher:            "200",
}

// slsListenerARN is the framework's pattern for a listener ARN given as a
// string; its first group is the load balancer's id.
var slsListenerARN = regexp.MustCompile(`^arn:aws[\w-]*:elasticloadbalancing:.+:listener/app/[\w-]+/([\w-]+)/([\w-]+)$`)

// slsMaxDepth bounds variable resolution (self references that refer to
// each other) and alias chains.
const slsMaxDepth = 16

type slsReader struct {
	name string
	root *yaml.Node
	p    *Project
	// warned holds the pointers of warnings made once for all functions
	// (the provider's environment).
	warned map[string]bool
}

// readServerless reads a serverless.yml: each function and the target
// groups, listener rules and invoke permission the framework makes from
// its alb events. Variables are resolved where the file alone says their
// value (${self:...}, defaults such as ${opt:stage, 'dev'}); other ones are
// kept as written. The resources: section (raw CloudFormation) is not read.
func readServerless(name string, data []byte) (*Project, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlFileError(name, err)
	}
	if err := expandMerges(name, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a Serverless configuration (the top is not a mapping)", name)
	}
	s := &slsReader{name: name, root: doc.Content[0], p: emptyProject()}
	s.read()
	return s.p, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlFileError puts the line of a YAML error where a compiler would.
func yamlFileError(name string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: not valid YAML: %s", name, m[1], msg[len(m[0]):])
	}
	return fmt.Errorf("%s: not valid YAML: %s", name, strings.TrimPrefix(msg, "yaml: "))
}

// slsPointer appends an RFC 6901 escaped key to a pointer.
func slsPointer(pointer, key string) string {
	return pointer + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

func slsDeref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < slsMaxDepth; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// slsGet returns the value of key in mapping n, or nil.
func slsGet(n *yaml.Node, key string) *yaml.Node {
	_, v := slsGetKV(n, key)
	return v
}

func slsGetKV(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = slsDeref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], slsDeref(n.Content[i+1])
		}
	}
	return nil, nil
}

// at follows a dotted path of keys from the root (a self reference).
func (s *slsReader) at(path string) *yaml.Node {
	n := s.root
	if path == "" {
		return n
	}
	for _, k := range strings.Split(path, ".") {
		if n = slsGet(n, k); n == nil {
			return nil
		}
	}
	return n
}

var slsVariable = regexp.MustCompile(`\$\{([^${}]*)\}`)

// value resolves the variables of a node. A string that is one variable
// becomes the node the variable names (a self reference to a mapping stays
// a mapping); variables inside a longer string are replaced by text. What
// cannot be resolved from the file is kept as written.
func (s *slsReader) value(n *yaml.Node) *yaml.Node {
	return s.valueDepth(n, 0)
}

func (s *slsReader) valueDepth(n *yaml.Node, depth int) *yaml.Node {
	n = slsDeref(n)
	if n == nil || n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "${") || depth > slsMaxDepth {
		return n
	}
	text := n.Value
	var kept []string
	for range slsMaxDepth {
		loc := slsVariable.FindStringSubmatchIndex(text)
		if loc == nil {
			break
		}
		whole := loc[0] == 0 && loc[1] == len(text)
		resolved := s.variable(text[loc[2]:loc[3]], depth)
		switch {
		case resolved != nil && whole:
			return resolved
		case resolved != nil && resolved.Kind == yaml.ScalarNode:
			text = text[:loc[0]] + resolved.Value + text[loc[1]:]
		default:
			// Kept as written: a placeholder stops the loop from meeting it
			// again, and is put back below.
			kept = append(kept, text[loc[0]:loc[1]])
			text = text[:loc[0]] + "\x00" + strconv.Itoa(len(kept)-1) + "\x00" + text[loc[1]:]
		}
	}
	for i, k := range kept {
		text = strings.Replace(text, "\x00"+strconv.Itoa(i)+"\x00", k, 1)
	}
	out := *n
	out.Value = text
	out.Tag = "!!str"
	return &out
}

// variable resolves the inside of ${...}: sources tried in order, the
// first that the file resolves wins (Serverless's fallback syntax).
func (s *slsReader) variable(inside string, depth int) *yaml.Node {
	for _, alt := range slsAlternatives(inside) {
		alt = strings.TrimSpace(alt)
		switch {
		case len(alt) >= 2 && (alt[0] == '\'' || alt[0] == '"') && alt[len(alt)-1] == alt[0]:
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: alt[1 : len(alt)-1]}
		case strings.HasPrefix(alt, "self:"):
			if n := s.at(strings.TrimPrefix(alt, "self:")); n != nil {
				return s.valueDepth(n, depth+1)
			}
		case alt == "sls:stage":
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.stage(depth)}
		case strings.HasPrefix(alt, "param:"):
			// Stage parameters (Serverless Framework v3 and later): the
			// stage's own, then those under default.
			name := strings.TrimPrefix(alt, "param:")
			for _, stage := range []string{s.stage(depth), "default"} {
				if n := slsGet(slsGet(s.at("params"), stage), name); n != nil {
					return s.valueDepth(n, depth+1)
				}
			}
		case alt != "" && strings.Trim(alt, "0123456789.-") == "":
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: alt}
		}
	}
	return nil
}

// deployedName is the name the framework deploys a function under when it
// sets no name: <service>-<stage>-<function> (naming.js getLambdaName), so
// that the process is told what Lambda would tell it. It is "" when the
// service's name is not in the file alone.
func (s *slsReader) deployedName(fn string) string {
	service := slsGet(s.root, "service")
	if n := slsDeref(service); n != nil && n.Kind == yaml.MappingNode {
		service = slsGet(n, "name") // the framework's older form, service: {name: ...}
	}
	name := s.str(service)
	if name == "" || strings.Contains(name, "${") {
		return ""
	}
	return name + "-" + s.stage(0) + "-" + fn
}

// environment reads a provider's or a function's environment mapping into
// f, but for the names shadow (the function's own, which win) gives. A
// value the file alone does not give (a variable of another source such as
// ${ssm:...}, a CloudFormation Ref) is recorded apart with a warning rather
// than passed to the code as written; the provider's is warned about once,
// not once per function.
func (s *slsReader) environment(f *Function, env *yaml.Node, pointer string, shadow *yaml.Node) {
	n := s.value(env)
	if n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		s.warnOnce(pointer, env, fmt.Sprintf("environment is %s, not a mapping albcheck can read from the file alone: the functions run without it", s.text(env)))
		return
	}
	own := s.value(shadow)
	for i := 0; i+1 < len(n.Content); i += 2 {
		name := n.Content[i].Value
		if own != nil && slsGet(own, name) != nil {
			continue
		}
		ptr := slsPointer(pointer, name)
		v := s.value(n.Content[i+1])
		// A short-form CloudFormation function (!Ref, !GetAtt,
		// !ImportValue) is a tagged scalar: its text is not the value.
		cfnTag := v != nil && strings.HasPrefix(v.Tag, "!") && !strings.HasPrefix(v.Tag, "!!")
		if v != nil && v.Kind == yaml.ScalarNode && !cfnTag && !strings.Contains(v.Value, "${") {
			f.setEnv(name, v.Value, false)
			continue
		}
		written := s.text(n.Content[i+1])
		if cfnTag {
			written = v.Tag + " " + v.Value
		}
		// Named, not shown: the value may hold a secret, and warnings end
		// up in CI logs.
		s.warnOnce(ptr, n.Content[i], fmt.Sprintf("the environment variable %s is known only at deployment: albcheck runs the function without it (give it with -e %s=VALUE)", name, name))
		f.setEnv(name, written, true)
	}
}

// warnOnce records a warning at pointer unless one is recorded there
// already.
func (s *slsReader) warnOnce(pointer string, n *yaml.Node, message string) {
	if s.warned[pointer] {
		return
	}
	if s.warned == nil {
		s.warned = map[string]bool{}
	}
	s.warned[pointer] = true
	s.finding(validate.Warning, pointer, n, message)
}

// stage is the stage of a deployment with no --stage option.
func (s *slsReader) stage(depth int) string {
	if n := s.valueDepth(s.at("provider.stage"), depth+1); n != nil && n.Kind == yaml.ScalarNode && !strings.Contains(n.Value, "${") {
		return n.Value
	}
	return "dev"
}

// slsAlternatives splits a variable's sources at the commas outside
// quotes.
func slsAlternatives(s string) []string {
	var out []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '\'' || c == '"':
			quote = c
		case c == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func (s *slsReader) str(n *yaml.Node) string {
	n = s.value(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// strList reads a string or a list of strings.
func (s *slsReader) strList(n *yaml.Node) []string {
	n = s.value(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	if n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			if v := s.value(c); v != nil && v.Kind == yaml.ScalarNode {
				out = append(out, v.Value)
			}
		}
	}
	return out
}

// integer reads an integer; ok is false when n is absent, and a value that
// is not an integer (a variable the file cannot resolve) is a finding.
func (s *slsReader) integer(n *yaml.Node, pointer string) (value int, ok bool) {
	v := s.value(n)
	if v == nil {
		return 0, false
	}
	if v.Kind == yaml.ScalarNode {
		if i, err := strconv.Atoi(v.Value); err == nil {
			return i, true
		}
	}
	s.finding(validate.Warning, pointer, n, fmt.Sprintf("%s is not a number albcheck can read from the file alone; it goes on as if it were not set", s.text(n)))
	return 0, false
}

func (s *slsReader) boolean(n *yaml.Node) bool {
	v := s.value(n)
	return v != nil && v.Kind == yaml.ScalarNode && (v.Value == "true" || v.Value == "True" || v.Value == "TRUE")
}

// text renders a node as compact JSON-like text for names and messages.
func (s *slsReader) text(n *yaml.Node) string {
	n = slsDeref(n)
	if n == nil {
		return ""
	}
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func (s *slsReader) source(pointer string, n *yaml.Node) Source {
	src := Source{File: s.name, Pointer: pointer}
	if n != nil {
		src.Line, src.Column = n.Line, n.Column
	}
	return src
}

func (s *slsReader) finding(severity validate.Severity, pointer string, n *yaml.Node, message string) {
	src := s.source(pointer, n)
	s.p.Findings = append(s.p.Findings, Finding{
		Finding: validate.Finding{Rule: "INFRA-REF", Severity: severity, Pointer: pointer, Message: message, Line: src.Line, Column: src.Column},
		File:    s.name,
	})
}

// slsNormalize is the framework's getNormalizedFunctionName: dashes and
// underscores spelled out, the first letter upper case.
func slsNormalize(name string) string {
	name = strings.ReplaceAll(strings.ReplaceAll(name, "-", "Dash"), "_", "Underscore")
	if name == "" {
		return name
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// slsAlphaNumeric is the framework's normalizeNameToAlphaNumericOnly,
// applied to a listener it cannot parse so that names stay ids.
func slsAlphaNumeric(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return slsNormalize(b.String())
}

func (s *slsReader) read() {
	provider := slsGet(s.root, "provider")
	functions := slsGet(s.root, "functions")
	if functions == nil || functions.Kind != yaml.MappingNode {
		return
	}
	providerTimeout, ok := s.integer(slsGet(provider, "timeout"), "/provider/timeout")
	if !ok {
		providerTimeout = slsDefaultTimeout
	}
	authorizers := slsGet(slsGet(provider, "alb"), "authorizers")
	listeners := map[string]*Listener{}
	groups := map[string]*TargetGroup{}
	for i := 0; i+1 < len(functions.Content); i += 2 {
		key, fn := functions.Content[i], slsDeref(functions.Content[i+1])
		fnName := key.Value
		pointer := slsPointer("/functions", fnName)
		f := &Function{
			Name:                fnName,
			FunctionName:        s.str(slsGet(fn, "name")),
			Runtime:             firstSet(s.str(slsGet(fn, "runtime")), s.str(slsGet(provider, "runtime"))),
			Handler:             s.str(slsGet(fn, "handler")),
			TimeoutSeconds:      providerTimeout,
			Code:                firstSet(s.str(slsGet(slsGet(fn, "package"), "artifact")), s.str(slsGet(slsGet(s.root, "package"), "artifact")), s.str(slsGet(fn, "image"))),
			ReservedConcurrency: reservedConcurrencyNone,
			Streaming:           s.str(slsGet(slsGet(fn, "url"), "invokeMode")) == "RESPONSE_STREAM",
			Source:              s.source(pointer, key),
		}
		if s.str(slsGet(fn, "image")) == "" {
			// The service's folder holds the code serverless packages:
			// handler: src/handler.main is src/handler.js there.
			f.CodeDir = "."
		}
		if t, ok := s.integer(slsGet(fn, "timeout"), pointer+"/timeout"); ok {
			f.TimeoutSeconds = t
		}
		if c, ok := s.integer(slsGet(fn, "reservedConcurrency"), pointer+"/reservedConcurrency"); ok {
			f.ReservedConcurrency = c
		}
		if f.FunctionName == "" {
			f.FunctionName = s.deployedName(fnName)
		}
		// The function's environment wins over the provider's for a name
		// both give (the framework merges them into the function's).
		own := slsGet(fn, "environment")
		s.environment(f, slsGet(provider, "environment"), "/provider/environment", own)
		s.environment(f, own, pointer+"/environment", nil)
		s.p.Functions = append(s.p.Functions, f)
		permission := slsNormalize(fnName) + "LambdaPermissionRegisterTarget"
		hasALB := false
		events := slsGet(fn, "events")
		if events == nil || events.Kind != yaml.SequenceNode {
			continue
		}
		for j, ev := range events.Content {
			evKey, alb := slsGetKV(ev, "alb")
			if alb == nil || alb.Kind != yaml.MappingNode {
				continue
			}
			hasALB = true
			ep := pointer + "/events/" + strconv.Itoa(j) + "/alb"
			listener, albID := s.listener(slsGet(alb, "listenerArn"), ep+"/listenerArn", evKey)
			l := listeners[listener]
			if l == nil {
				_, arnNode := slsGetKV(alb, "listenerArn")
				// The framework attaches rules to a listener made elsewhere
				// (an ARN, or a Ref to the resources: section, not read).
				l = &Listener{Name: listener, External: true, Rules: []*Rule{}, DefaultActions: []Action{}, Source: s.source(ep+"/listenerArn", slsFirstNode(arnNode, evKey))}
				listeners[listener] = l
				s.p.Listeners = append(s.p.Listeners, l)
			}
			multi := s.boolean(slsGet(alb, "multiValueHeaders"))
			mv := ""
			if multi {
				mv = "MultiValue"
			}
			tgName := slsNormalize(fnName) + "Alb" + mv + "TargetGroup" + albID
			tg := groups[tgName]
			if tg == nil {
				tg = &TargetGroup{
					Name:       tgName,
					TargetType: "lambda",
					Mode:       validate.ModeSingle,
					Targets: []Target{{
						Function:  fnName,
						DependsOn: []string{permission},
						Source:    slsGenerate(s.source(ep, evKey)),
					}},
					Source: slsGenerate(s.source(ep, evKey)),
				}
				if multi {
					tg.Mode = validate.ModeMulti
				}
				groups[tgName] = tg
				s.p.TargetGroups = append(s.p.TargetGroups, tg)
			}
			// A later event of the same function and load balancer writes
			// the same target group again: its health check wins.
			tg.HealthCheck = s.healthCheck(alb, ep, evKey)
			priority, _ := s.integer(slsGet(alb, "priority"), ep+"/priority")
			rule := &Rule{
				Name:       slsNormalize(fnName) + "AlbListenerRule" + strconv.Itoa(priority),
				Priority:   priority,
				Conditions: s.conditions(slsGet(alb, "conditions"), ep+"/conditions"),
				Source:     slsGenerate(s.source(ep, evKey)),
			}
			order := 1
			for _, a := range s.strList(slsGet(alb, "authorizer")) {
				typ := s.str(slsGet(slsGet(authorizers, a), "type"))
				if typ == "" {
					continue
				}
				rule.Actions = append(rule.Actions, Action{Type: "authenticate-" + typ, Order: order, Source: slsGenerate(s.source(ep+"/authorizer", evKey))})
				order++
			}
			rule.Actions = append(rule.Actions, Action{
				Type:    "forward",
				Order:   order,
				Forward: []WeightedTargetGroup{{TargetGroup: tgName, Weight: 1}},
				Source:  slsGenerate(s.source(ep, evKey)),
			})
			l.Rules = append(l.Rules, rule)
		}
		if hasALB {
			s.p.Permissions = append(s.p.Permissions, &Permission{
				Name:      permission,
				Function:  fnName,
				Action:    "lambda:InvokeFunction",
				Principal: slsPrincipal,
				Source:    slsGenerate(s.source(pointer, key)),
			})
		}
	}
	for _, l := range s.p.Listeners {
		sort.SliceStable(l.Rules, func(i, j int) bool { return l.Rules[i].Priority < l.Rules[j].Priority })
	}
}

func slsFirstNode(nodes ...*yaml.Node) *yaml.Node {
	for _, n := range nodes {
		if n != nil {
			return n
		}
	}
	return nil
}

func slsGenerate(src Source) Source {
	src.Generated = slsGenerated
	return src
}

// listener names the listener of an alb event, as the framework does: the
// ARN, or the logical id of {Ref: X}; albID is the id the framework puts in
// the target group's logical id.
func (s *slsReader) listener(n *yaml.Node, pointer string, event *yaml.Node) (name, albID string) {
	v := s.value(n)
	if v == nil {
		s.finding(validate.Error, pointer, event, "the alb event has no listenerArn")
		return "(no listenerArn)", ""
	}
	if ref := slsGet(v, "Ref"); ref != nil {
		name = s.str(ref)
		return name, name
	}
	name = s.text(v)
	if v.Kind == yaml.ScalarNode {
		if m := slsListenerARN.FindStringSubmatch(name); m != nil {
			return name, m[1]
		}
	}
	return name, slsAlphaNumeric(name)
}

func (s *slsReader) healthCheck(alb *yaml.Node, pointer string, event *yaml.Node) HealthCheck {
	n := s.value(slsGet(alb, "healthCheck"))
	hp := pointer + "/healthCheck"
	switch {
	case n == nil:
		return HealthCheck{Source: slsGenerate(s.source(pointer, event))}
	case n.Kind == yaml.ScalarNode:
		if !s.boolean(n) {
			return HealthCheck{Source: s.source(hp, n)}
		}
		h := slsHealthDefaults
		h.Source = s.source(hp, n)
		return h
	}
	h := slsHealthDefaults
	h.Source = s.source(hp, n)
	if p := s.str(slsGet(n, "path")); p != "" {
		h.Path = p
	}
	for _, f := range []struct {
		key string
		to  *int
	}{
		{"intervalSeconds", &h.IntervalSeconds},
		{"timeoutSeconds", &h.TimeoutSeconds},
		{"healthyThresholdCount", &h.HealthyThreshold},
		{"unhealthyThresholdCount", &h.UnhealthyThreshold},
	} {
		if v, ok := s.integer(slsGet(n, f.key), hp+"/"+f.key); ok {
			*f.to = v
		}
	}
	if m := s.str(slsGet(slsGet(n, "matcher"), "httpCode")); m != "" {
		h.Matcher = m
	}
	return h
}

func (s *slsReader) conditions(n *yaml.Node, pointer string) []Condition {
	out := []Condition{}
	n = s.value(n)
	for _, c := range []struct{ key, field string }{
		{"path", "path-pattern"},
		{"host", "host-header"},
		{"header", "http-header"},
		{"method", "http-request-method"},
		{"query", "query-string"},
		{"ip", "source-ip"},
	} {
		k, v := slsGetKV(n, c.key)
		if v == nil {
			continue
		}
		cond := Condition{Field: c.field, Source: s.source(pointer+"/"+c.key, k)}
		switch c.key {
		case "header":
			cond.HeaderName = s.str(slsGet(v, "name"))
			cond.Values = s.strList(slsGet(v, "values"))
		case "query":
			if q := s.value(v); q != nil && q.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(q.Content); i += 2 {
					cond.Query = append(cond.Query, KeyValue{Key: q.Content[i].Value, Value: s.str(q.Content[i+1])})
				}
			}
		default:
			cond.Values = s.strList(v)
		}
		out = append(out, cond)
	}
	return out
}
