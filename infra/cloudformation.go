package infra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/albcheck/albcheck/validate"
)

// The resource types the CloudFormation reader reads.
const (
	typeLoadBalancer       = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	typeListener           = "AWS::ElasticLoadBalancingV2::Listener"
	typeListenerRule       = "AWS::ElasticLoadBalancingV2::ListenerRule"
	typeTargetGroup        = "AWS::ElasticLoadBalancingV2::TargetGroup"
	typeFunction           = "AWS::Lambda::Function"
	typeServerlessFunction = "AWS::Serverless::Function"
	typeAlias              = "AWS::Lambda::Alias"
	typeVersion            = "AWS::Lambda::Version"
	typePermission         = "AWS::Lambda::Permission"
	typeURL                = "AWS::Lambda::Url"
)

// The health-check defaults of a target group whose target type is lambda,
// from the Elastic Load Balancing API Reference, CreateTargetGroup
// (HealthCheckEnabled, HealthCheckIntervalSeconds,
// HealthCheckTimeoutSeconds, HealthyThresholdCount, UnhealthyThresholdCount,
// Matcher, HealthCheckPath), which the ELB guide "Lambda functions as
// targets", section "Enable health checks", relies on: health checks are
// disabled by default for Lambda targets; the interval is 35 seconds, the
// timeout 30, 5 successes make the target healthy and, for lambda (unlike
// the 2 of HTTP target groups), 5 failures unhealthy; success is a 200; the
// path is /.
const (
	lambdaHealthInterval  = 35
	lambdaHealthTimeout   = 30
	lambdaHealthyCount    = 5
	lambdaUnhealthyCount  = 5
	lambdaHealthMatcher   = "200"
	defaultHealthPath     = "/"
	defaultLambdaTimeout  = 3  // seconds; AWS::Lambda::Function Timeout
	noReservedConcurrency = -1 // the model's "none set"
)

// multiValueAttribute is the target group attribute that turns on
// multi-value headers for a Lambda target group.
const multiValueAttribute = "lambda.multi_value_headers.enabled"

// cfnResource is one entry of a template's Resources.
type cfnResource struct {
	id    string
	typ   string
	key   *yaml.Node // the logical id as written, for positions
	node  *yaml.Node // the resource's mapping
	props cfnObj
	ptr   string
	deps  []string // resources it waits for directly
	skip  bool     // its Condition is false
}

// cfnReader reads one template.
type cfnReader struct {
	file       string
	params     map[string]*yaml.Node
	conditions *yaml.Node
	mappings   *yaml.Node
	globalFn   cfnObj
	resources  map[string]*cfnResource
	order      []*cfnResource
	// generated maps the logical ids SAM generates for a function
	// (FnAliaslive, FnRole) to the function.
	generated map[string]string
	// samQualifiers maps the names SAM gives a function's alias and
	// version (FnAliaslive, Fn.Alias, Fn.Version) to the qualifier.
	samQualifiers map[string]string
	conds         map[string]int
	active        map[*yaml.Node]bool
	steps         int
	bytes         int
	depth         int
	p             *Project
	reported      map[string]bool
	functions     map[string]*Function
}

// readCloudFormation reads a CloudFormation or SAM template, YAML or JSON
// (JSON is YAML, and the CDK's cdk.out/*.template.json is a template), into
// the model. yaml.v3's Node keeps the short-form intrinsics (!Ref, !GetAtt,
// ...) as tags, and the line and column of every value for the findings.
// YAML aliases are kept as references by the parser; the reader follows
// them within its work limits, so a "billion laughs" file is an error, not
// a hang.
func readCloudFormation(name string, data []byte) (p *Project, err error) {
	if err := checkJSON(name, data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml.v3 names the line of the block the error is in, which for
		// some errors is where the block starts.
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := expandMerges(name, &doc); err != nil {
		return nil, err
	}
	r := &cfnReader{
		file:          name,
		params:        map[string]*yaml.Node{},
		resources:     map[string]*cfnResource{},
		generated:     map[string]string{},
		samQualifiers: map[string]string{},
		conds:         map[string]int{},
		active:        map[*yaml.Node]bool{},
		reported:      map[string]bool{},
		functions:     map[string]*Function{},
		p:             &Project{Format: CloudFormation, LoadBalancers: []*LoadBalancer{}, Listeners: []*Listener{}, TargetGroups: []*TargetGroup{}, Functions: []*Function{}, Permissions: []*Permission{}},
	}
	defer func() {
		switch v := recover().(type) {
		case nil:
		case errTooBig:
			p, err = nil, fmt.Errorf("%s: too much to read: %s", name, v.what)
		default:
			// A bug of the reader; it must not take the caller down.
			p, err = nil, fmt.Errorf("%s: internal error reading the template: %v", name, v)
		}
	}()
	if err := r.read(&doc); err != nil {
		return nil, err
	}
	return r.p, nil
}

// checkJSON checks a template that starts as JSON does (the CDK's) with
// encoding/json, whose errors give the exact line and column: the YAML
// parser would read some broken JSON as YAML, and names the line of the
// enclosing block rather than of the error.
func checkJSON(name string, data []byte) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil
	}
	var raw json.RawMessage
	err := json.Unmarshal(trimmed, &raw)
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		return nil
	}
	offset := len(data) - len(trimmed) + int(syntax.Offset)
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := offset - bytes.LastIndexByte(data[:offset], '\n')
	return fmt.Errorf("%s:%d:%d: not valid JSON: %v", name, line, col, syntax)
}

func (r *cfnReader) read(doc *yaml.Node) error {
	top := r.deref(doc)
	if top == nil || top.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: the template is not a mapping", r.file)
	}
	if params := r.deref(r.mapGet(top, "Parameters")); params != nil && params.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(params.Content); i += 2 {
			r.params[r.deref(params.Content[i]).Value] = params.Content[i+1]
		}
	}
	r.conditions = r.mapGet(top, "Conditions")
	r.mappings = r.mapGet(top, "Mappings")
	r.globalFn = r.object(r.mapGet(r.mapGet(top, "Globals"), "Function"), "/Globals/Function")

	rk, resources := r.mapEntry(top, "Resources")
	resources = r.deref(resources)
	if resources == nil || resources.Kind != yaml.MappingNode {
		line := 0
		if rk != nil {
			line = rk.Line
		}
		return fmt.Errorf("%s:%d: Resources must be a mapping of logical ids to resources", r.file, line)
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		key, node := r.deref(resources.Content[i]), r.deref(resources.Content[i+1])
		ptr := "/Resources/" + escapePointer(key.Value)
		if node == nil || node.Kind != yaml.MappingNode {
			r.finding(key, ptr, "the resource %s is not a mapping", key.Value)
			continue
		}
		typ, _ := r.scalarAt(node, "Type")
		res := &cfnResource{id: key.Value, typ: typ, key: key, node: node, ptr: ptr,
			props: r.object(r.mapGet(node, "Properties"), ptr+"/Properties")}
		r.resources[res.id] = res
		r.order = append(r.order, res)
	}
	// SAM generates an alias resource FnAlias<name> for AutoPublishAlias, and
	// a role FnRole when Role is not given; templates reference both.
	for _, res := range r.order {
		if res.typ != typeServerlessFunction {
			continue
		}
		if alias, ok := r.scalarAt(res.props.node, "AutoPublishAlias"); ok {
			r.generated[res.id+"Alias"+alias] = res.id
			r.samQualifiers[res.id+"Alias"+alias] = alias
			r.generated[res.id+".Alias"] = res.id
			r.samQualifiers[res.id+".Alias"] = alias
		}
		r.generated[res.id+".Version"] = res.id
		r.samQualifiers[res.id+".Version"] = "${" + res.id + ".Version}"
		if r.mapGet(res.props.node, "Role") == nil {
			r.generated[res.id+"Role"] = res.id
		}
	}
	for _, res := range r.order {
		if k, c := r.mapEntry(res.node, "Condition"); c != nil {
			cond, ok := r.evalString(c, res.ptr+"/Condition", "the Condition of a resource")
			if ok {
				if val, decided := r.condition(cond.s, k, res.ptr+"/Condition"); decided && !val {
					res.skip = true
				}
			}
		}
		r.dependencies(res)
	}
	// Outputs are not in the model, but a reference there to a resource
	// that does not exist fails the deployment just the same.
	r.refsIn(r.mapGet(top, "Outputs"), "/Outputs", func(string) {})

	for _, typ := range []string{typeFunction, typeServerlessFunction} {
		r.each(typ, r.readFunction)
	}
	r.each(typeURL, r.readURL)
	r.each(typeLoadBalancer, r.readLoadBalancer)
	r.each(typeTargetGroup, r.readTargetGroup)
	listeners := map[string]*Listener{}
	r.each(typeListener, func(res *cfnResource) {
		l := r.readListener(res)
		listeners[res.id] = l
		r.p.Listeners = append(r.p.Listeners, l)
	})
	r.each(typeListenerRule, func(res *cfnResource) { r.readRule(res, listeners) })
	for _, l := range r.p.Listeners {
		sort.SliceStable(l.Rules, func(i, j int) bool { return l.Rules[i].Priority < l.Rules[j].Priority })
	}
	r.each(typePermission, r.readPermission)
	sort.SliceStable(r.p.Findings, func(i, j int) bool {
		a, b := r.p.Findings[i], r.p.Findings[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return nil
}

// each calls read for the resources of a type, in the template's order.
// SAM's functions are read with Lambda's.
func (r *cfnReader) each(typ string, read func(*cfnResource)) {
	for _, res := range r.order {
		if res.typ == typ && !res.skip {
			read(res)
		}
	}
}

// dependencies records what a resource waits for: its DependsOn and the
// resources its properties reference.
func (r *cfnReader) dependencies(res *cfnResource) {
	seen := map[string]bool{}
	add := func(id string) {
		if id != res.id && !seen[id] {
			seen[id] = true
			res.deps = append(res.deps, id)
		}
	}
	if dn := r.deref(r.mapGet(res.node, "DependsOn")); dn != nil {
		ptr := res.ptr + "/DependsOn"
		items := []*yaml.Node{dn}
		if dn.Kind == yaml.SequenceNode {
			items = dn.Content
		}
		for i, item := range items {
			item = r.deref(item)
			itemPtr := ptr
			if dn.Kind == yaml.SequenceNode {
				itemPtr = ptr + "/" + strconv.Itoa(i)
			}
			if item == nil || item.Kind != yaml.ScalarNode {
				r.finding(item, itemPtr, "DependsOn lists logical ids")
				continue
			}
			if _, ok := r.resources[item.Value]; !ok {
				r.finding(item, itemPtr, "DependsOn names %s, which is not a resource of the template", item.Value)
				continue
			}
			add(item.Value)
		}
	}
	r.refsIn(res.props.node, res.props.ptr, add)
}

// closure is every resource id waits for, directly or not, sorted.
func (r *cfnReader) closure(id string) []string {
	seen := map[string]bool{id: true}
	stack := []string{id}
	var out []string
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		res := r.resources[cur]
		if res == nil {
			continue
		}
		for _, d := range res.deps {
			r.step()
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
				stack = append(stack, d)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (r *cfnReader) readFunction(res *cfnResource) {
	o := res.props
	f := &Function{Name: res.id, TimeoutSeconds: defaultLambdaTimeout, ReservedConcurrency: noReservedConcurrency, Source: r.resourceSource(res)}
	// SAM's Globals.Function gives defaults to AWS::Serverless::Function
	// only; a property of the function wins.
	pick := func(key string) cfnObj {
		if res.typ == typeServerlessFunction && !o.has(key) && r.globalFn.has(key) {
			return r.globalFn
		}
		return o
	}
	f.FunctionName = o.str("FunctionName")
	f.Runtime = pick("Runtime").str("Runtime")
	f.Handler = pick("Handler").str("Handler")
	f.TimeoutSeconds = pick("Timeout").num("Timeout", defaultLambdaTimeout)
	f.ReservedConcurrency = pick("ReservedConcurrentExecutions").num("ReservedConcurrentExecutions", noReservedConcurrency)
	if res.typ == typeServerlessFunction {
		switch {
		case pick("CodeUri").has("CodeUri"):
			f.Code = r.codeLocation(pick("CodeUri"), "CodeUri", "Bucket", "Key")
		case o.has("InlineCode"):
			f.Code = "inline"
		case o.has("ImageUri"):
			f.Code = o.str("ImageUri")
		}
		url := pick("FunctionUrlConfig").obj("FunctionUrlConfig")
		f.Streaming = url.str("InvokeMode") == "RESPONSE_STREAM"
	} else {
		code := o.obj("Code")
		switch {
		case code.has("ZipFile"):
			f.Code = "inline"
		case code.has("ImageUri"):
			f.Code = code.str("ImageUri")
		case code.has("S3Bucket") || code.has("S3Key"):
			f.Code = r.codeLocation(o, "Code", "S3Bucket", "S3Key")
		}
	}
	// SAM merges Globals.Function.Environment.Variables into a function's
	// own, the function's value winning for a name both give.
	own := o.obj("Environment").obj("Variables")
	if res.typ == typeServerlessFunction {
		r.environment(f, r.globalFn.obj("Environment").obj("Variables"), own)
	}
	r.environment(f, own, cfnObj{})
	r.functions[res.id] = f
	r.p.Functions = append(r.p.Functions, f)
}

// environment reads Environment.Variables (a function's, or SAM's
// Globals.Function's) into f, but for the names shadow (the function's own,
// which win) gives: their Globals value is not used, so it gets no
// warning. A value known only at deployment is recorded apart with a
// warning: passing "${Table}" to the code would look like a value and fail
// far from its cause.
func (r *cfnReader) environment(f *Function, vars, shadow cfnObj) {
	if vars.node == nil {
		return
	}
	for i := 0; i+1 < len(vars.node.Content); i += 2 {
		name := r.deref(vars.node.Content[i]).Value
		if shadow.has(name) {
			continue
		}
		ptr := vars.ptr + "/" + escapePointer(name)
		n := r.mapGet(vars.node, name)
		v, ok := r.eval(n, ptr)
		switch {
		case !ok: // a finding says why
			f.setEnv(name, "(not resolved)", true)
		case v.kind == absentValue:
			// Ref AWS::NoValue: the variable is not set, not even from
			// the Globals.
			delete(f.Environment, name)
			delete(f.EnvironmentUnknown, name)
		case v.kind != scalarValue:
			r.finding(n, ptr, "the environment variable %s must be a string, not a %s", name, kindName(v.kind))
		case v.deploy:
			// Named, not shown: the value may hold a secret (a NoEcho
			// parameter's default), and warnings end up in CI logs.
			r.warning(n, ptr, "the environment variable %s is known only at deployment: albcheck runs the function without it (give it with -e %s=VALUE)", name, name)
			f.setEnv(name, v.s, true)
		default:
			f.setEnv(name, v.s, false)
		}
	}
}

// codeLocation is a code location as written: a path, or s3://bucket/key.
func (r *cfnReader) codeLocation(o cfnObj, key, bucketKey, keyKey string) string {
	v, ok := o.value(key)
	if !ok {
		return ""
	}
	if v.kind == mappingValue {
		loc := r.object(v.node, v.ptr)
		return "s3://" + loc.str(bucketKey) + "/" + loc.str(keyKey)
	}
	return v.s
}

func (r *cfnReader) readURL(res *cfnResource) {
	if res.props.str("InvokeMode") != "RESPONSE_STREAM" {
		return
	}
	v, ok := res.props.value("TargetFunctionArn")
	if !ok {
		return
	}
	if fn, _ := r.functionOf(v); r.functions[fn] != nil {
		f := r.functions[fn]
		f.Streaming = true
	}
}

func (r *cfnReader) readLoadBalancer(res *cfnResource) {
	if t := res.props.str("Type"); t != "" && t != "application" {
		return // a network or gateway load balancer routes to no Lambda function
	}
	scheme := res.props.str("Scheme")
	if scheme == "" {
		scheme = "internet-facing" // the ELB API's default for CreateLoadBalancer
	}
	r.p.LoadBalancers = append(r.p.LoadBalancers, &LoadBalancer{Name: res.id, Scheme: scheme, Source: r.resourceSource(res)})
}

func (r *cfnReader) readTargetGroup(res *cfnResource) {
	o := res.props
	tg := &TargetGroup{Name: res.id, TargetType: o.str("TargetType"), Mode: validate.ModeSingle, Targets: []Target{}, Source: r.resourceSource(res)}
	if tg.TargetType == "" {
		tg.TargetType = "instance" // the ELB API's default
	}
	lambda := tg.TargetType == "lambda"
	for _, attr := range o.list("TargetGroupAttributes") {
		a := r.object(attr.node, attr.ptr)
		if a.str("Key") == multiValueAttribute && strings.EqualFold(a.str("Value"), "true") {
			tg.Mode = validate.ModeMulti
		}
	}
	deps := r.closure(res.id)
	for _, item := range o.list("Targets") {
		t := r.object(item.node, item.ptr)
		id, ok := t.value("Id")
		if !ok {
			continue
		}
		target := Target{DependsOn: deps, Source: r.sourceOf(item.node, item.ptr)}
		if fn, q := r.functionOf(id); lambda && fn != "" {
			target.Function, target.Qualifier = fn, q
		} else {
			target.ID = id.s
		}
		tg.Targets = append(tg.Targets, target)
	}
	tg.HealthCheck = r.healthCheck(res, lambda)
	r.p.TargetGroups = append(r.p.TargetGroups, tg)
}

func (r *cfnReader) healthCheck(res *cfnResource, lambda bool) HealthCheck {
	o := res.props
	hc := HealthCheck{Enabled: !lambda, Source: r.resourceSource(res)}
	if lambda {
		hc.Path, hc.IntervalSeconds, hc.TimeoutSeconds = defaultHealthPath, lambdaHealthInterval, lambdaHealthTimeout
		hc.HealthyThreshold, hc.UnhealthyThreshold, hc.Matcher = lambdaHealthyCount, lambdaUnhealthyCount, lambdaHealthMatcher
	}
	for _, key := range []string{"HealthCheckEnabled", "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount", "Matcher"} {
		if o.has(key) {
			hc.Source = o.source(key)
			break
		}
	}
	if v, set := o.boolean("HealthCheckEnabled"); set {
		hc.Enabled = v
	}
	if o.has("HealthCheckPath") {
		hc.Path = o.str("HealthCheckPath")
	}
	hc.IntervalSeconds = o.num("HealthCheckIntervalSeconds", hc.IntervalSeconds)
	hc.TimeoutSeconds = o.num("HealthCheckTimeoutSeconds", hc.TimeoutSeconds)
	hc.HealthyThreshold = o.num("HealthyThresholdCount", hc.HealthyThreshold)
	hc.UnhealthyThreshold = o.num("UnhealthyThresholdCount", hc.UnhealthyThreshold)
	if m := o.obj("Matcher"); m.has("HttpCode") {
		hc.Matcher = m.str("HttpCode")
	}
	return hc
}

func (r *cfnReader) readListener(res *cfnResource) *Listener {
	o := res.props
	l := &Listener{Name: res.id, Port: o.num("Port", 0), Protocol: o.str("Protocol"), Rules: []*Rule{}, Source: r.resourceSource(res)}
	if v, ok := o.value("LoadBalancerArn"); ok {
		if lb := r.refOfType(v, typeLoadBalancer); lb != "" {
			l.LoadBalancer = lb
		} else {
			l.LoadBalancer = v.s
		}
	}
	l.DefaultActions = r.actions(o, "DefaultActions")
	return l
}

func (r *cfnReader) readRule(res *cfnResource, listeners map[string]*Listener) {
	o := res.props
	rule := &Rule{Name: res.id, Priority: o.num("Priority", 0), Conditions: []Condition{}, Source: r.resourceSource(res)}
	for _, item := range o.list("Conditions") {
		rule.Conditions = append(rule.Conditions, r.condition1(item))
	}
	rule.Actions = r.actions(o, "Actions")
	v, ok := o.value("ListenerArn")
	if !ok || v.kind != scalarValue {
		return
	}
	l := listeners[r.refOfType(v, typeListener)]
	if l == nil {
		// A listener of another stack, or one written as an ARN: its rules
		// are known, the rest is not.
		key := "external:" + v.s
		if l = listeners[key]; l == nil {
			l = &Listener{Name: v.s, External: true, Rules: []*Rule{}, DefaultActions: []Action{}, Source: o.source("ListenerArn")}
			listeners[key] = l
			r.p.Listeners = append(r.p.Listeners, l)
		}
	}
	l.Rules = append(l.Rules, rule)
}

// conditionConfigs maps a condition's field to its *Config property.
var conditionConfigs = []struct{ field, config string }{
	{"path-pattern", "PathPatternConfig"},
	{"host-header", "HostHeaderConfig"},
	{"http-header", "HttpHeaderConfig"},
	{"http-request-method", "HttpRequestMethodConfig"},
	{"query-string", "QueryStringConfig"},
	{"source-ip", "SourceIpConfig"},
}

func (r *cfnReader) condition1(item cfnValue) Condition {
	o := r.object(item.node, item.ptr)
	c := Condition{Field: o.str("Field"), Source: r.sourceOf(item.node, item.ptr)}
	c.Values = o.strs("Values")
	for _, cc := range conditionConfigs {
		if !o.has(cc.config) || (c.Field != "" && c.Field != cc.field) {
			continue
		}
		if c.Field == "" {
			c.Field = cc.field
		}
		cfg := o.obj(cc.config)
		switch cc.field {
		case "query-string":
			for _, kv := range cfg.list("Values") {
				p := r.object(kv.node, kv.ptr)
				c.Query = append(c.Query, KeyValue{Key: p.str("Key"), Value: p.str("Value")})
			}
		case "http-header":
			c.HeaderName = cfg.str("HttpHeaderName")
			c.Values = append(c.Values, cfg.strs("Values")...)
		default:
			c.Values = append(c.Values, cfg.strs("Values")...)
		}
	}
	return c
}

func (r *cfnReader) actions(o cfnObj, key string) []Action {
	out := []Action{}
	for _, item := range o.list(key) {
		a := r.object(item.node, item.ptr)
		act := Action{Type: a.str("Type"), Order: a.num("Order", 0), Source: r.sourceOf(item.node, item.ptr)}
		switch act.Type {
		case "forward":
			if fc := a.obj("ForwardConfig"); fc.has("TargetGroups") {
				for _, tg := range fc.list("TargetGroups") {
					t := r.object(tg.node, tg.ptr)
					v, _ := t.value("TargetGroupArn")
					// ForwardConfig's Weight is optional; a target group
					// with none counts as weight 1, as a single one does.
					act.Forward = append(act.Forward, WeightedTargetGroup{TargetGroup: r.targetGroupName(v), Weight: t.num("Weight", 1)})
				}
			} else if v, ok := a.value("TargetGroupArn"); ok {
				act.Forward = []WeightedTargetGroup{{TargetGroup: r.targetGroupName(v), Weight: 1}}
			}
		case "redirect":
			rc := a.obj("RedirectConfig")
			act.Redirect = &Redirect{Protocol: rc.str("Protocol"), Host: rc.str("Host"), Port: rc.str("Port"), Path: rc.str("Path"), Query: rc.str("Query"), StatusCode: rc.str("StatusCode")}
		case "fixed-response":
			fr := a.obj("FixedResponseConfig")
			act.FixedResponse = &FixedResponse{StatusCode: fr.str("StatusCode"), ContentType: fr.str("ContentType"), MessageBody: fr.str("MessageBody")}
		}
		out = append(out, act)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

func (r *cfnReader) targetGroupName(v cfnValue) string {
	if tg := r.refOfType(v, typeTargetGroup); tg != "" {
		return tg
	}
	return v.s
}

func (r *cfnReader) readPermission(res *cfnResource) {
	o := res.props
	perm := &Permission{Name: res.id, Action: o.str("Action"), Principal: o.str("Principal"), Source: r.resourceSource(res)}
	if v, ok := o.value("FunctionName"); ok {
		if fn, q := r.functionOf(v); fn != "" {
			perm.Function, perm.Qualifier = fn, q
		} else {
			perm.Function = v.s
		}
	}
	if v, ok := o.value("SourceArn"); ok && v.kind == scalarValue {
		if tg := r.refOfType(v, typeTargetGroup); tg != "" {
			perm.SourceTargetGroup = tg
		} else {
			perm.SourceArn = v.s
		}
	}
	r.p.Permissions = append(r.p.Permissions, perm)
}

// refOfType returns the first resource of type typ that v is made from.
func (r *cfnReader) refOfType(v cfnValue, typ string) string {
	for _, id := range v.refs {
		if res := r.resources[id]; res != nil && res.typ == typ && !res.skip {
			return id
		}
	}
	return ""
}

// functionOf returns the function of the model a value names, and the
// alias or version it names: by Ref or Fn::GetAtt (also through an alias or
// version of the template, or SAM's Fn.Alias and FnAlias<name>), or by a
// function name or ARN (function:NAME:QUALIFIER) whose name is a
// function's FunctionName.
func (r *cfnReader) functionOf(v cfnValue) (fn, qualifier string) {
	if v.kind != scalarValue {
		return "", ""
	}
	name := v.s
	if _, after, ok := strings.Cut(v.s, ":function:"); ok {
		parts := splitOutsidePlaceholders(after, ':')
		name = parts[0]
		if len(parts) > 1 {
			qualifier = parts[1]
		}
	}
	for _, id := range v.refs {
		if f, q := r.functionResource(id, 0); f != "" {
			if qualifier == "" {
				qualifier = q
			}
			for _, part := range subParts(v.s) {
				if q, ok := r.samQualifiers[part.name]; ok && qualifier == "" && r.generated[part.name] == f {
					qualifier = q
				}
			}
			return f, qualifier
		}
	}
	if name == "" {
		return "", ""
	}
	for _, res := range r.order {
		if f := r.functions[res.id]; f != nil && f.FunctionName != "" && f.FunctionName == name {
			return f.Name, qualifier
		}
	}
	return "", ""
}

// splitOutsidePlaceholders splits s at sep, except inside ${...}.
func splitOutsidePlaceholders(s string, sep byte) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// functionResource follows a resource to the function it is or belongs to,
// with the alias or version it names.
func (r *cfnReader) functionResource(id string, hops int) (fn, qualifier string) {
	res := r.resources[id]
	if res == nil {
		if f := r.generated[id]; f != "" {
			return f, ""
		}
		return "", ""
	}
	if res.skip || hops > 8 {
		return "", ""
	}
	switch res.typ {
	case typeFunction, typeServerlessFunction:
		return id, ""
	case typeAlias, typeVersion:
		v, ok := res.props.value("FunctionName")
		if !ok {
			return "", ""
		}
		q := res.props.str("Name")
		if res.typ == typeVersion {
			q = "${" + id + ".Version}"
		}
		for _, ref := range v.refs {
			if f, _ := r.functionResource(ref, hops+1); f != "" {
				return f, q
			}
		}
	}
	return "", ""
}

// finding records an INFRA-REF error at n, once per place and message.
func (r *cfnReader) finding(n *yaml.Node, ptr, format string, args ...any) {
	r.report(validate.Error, n, ptr, format, args...)
}

// warning records an INFRA-REF warning at n.
func (r *cfnReader) warning(n *yaml.Node, ptr, format string, args ...any) {
	r.report(validate.Warning, n, ptr, format, args...)
}

func (r *cfnReader) report(sev validate.Severity, n *yaml.Node, ptr, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	key := ptr + "\x00" + msg
	if r.reported[key] {
		return
	}
	r.reported[key] = true
	f := validate.Finding{Rule: RuleRef, Severity: sev, Pointer: ptr, Message: msg}
	if n != nil {
		f.Line, f.Column = n.Line, n.Column
	}
	r.p.Findings = append(r.p.Findings, Finding{Finding: f, File: r.file})
}

func (r *cfnReader) sourceOf(n *yaml.Node, ptr string) Source {
	s := Source{File: r.file, Pointer: ptr}
	if n != nil {
		s.Line, s.Column = n.Line, n.Column
	}
	return s
}

// resourceSource is where a resource's logical id is written.
func (r *cfnReader) resourceSource(res *cfnResource) Source {
	return r.sourceOf(res.key, res.ptr)
}

// cfnObj is a mapping of a template (a resource's properties, a property
// whose value is a mapping) with typed accessors that evaluate intrinsics
// and record findings. A zero cfnObj is an empty mapping.
type cfnObj struct {
	r    *cfnReader
	node *yaml.Node
	ptr  string
}

// object evaluates n to a mapping; a value of another kind is a finding and
// an empty mapping.
func (r *cfnReader) object(n *yaml.Node, ptr string) cfnObj {
	if n == nil {
		return cfnObj{r: r, ptr: ptr}
	}
	v, ok := r.eval(n, ptr)
	if !ok || v.kind == absentValue {
		return cfnObj{r: r, ptr: ptr}
	}
	if v.kind != mappingValue {
		r.finding(n, ptr, "must be a mapping, not a %s", kindName(v.kind))
		return cfnObj{r: r, ptr: ptr}
	}
	return cfnObj{r: r, node: r.deref(v.node), ptr: v.ptr}
}

func (o cfnObj) has(key string) bool { return o.node != nil && o.r.mapGet(o.node, key) != nil }

func (o cfnObj) source(key string) Source {
	k, _ := o.r.mapEntry(o.node, key)
	return o.r.sourceOf(k, o.ptr+"/"+escapePointer(key))
}

// value evaluates the member key; false when it is absent or could not be
// evaluated.
func (o cfnObj) value(key string) (cfnValue, bool) {
	if o.node == nil {
		return cfnValue{}, false
	}
	n := o.r.mapGet(o.node, key)
	if n == nil {
		return cfnValue{}, false
	}
	v, ok := o.r.eval(n, o.ptr+"/"+escapePointer(key))
	return v, ok && v.kind != absentValue
}

func (o cfnObj) str(key string) string {
	v, ok := o.value(key)
	if !ok {
		return ""
	}
	if v.kind != scalarValue {
		o.r.finding(v.node, v.ptr, "%s must be a string, not a %s", key, kindName(v.kind))
		return ""
	}
	return v.s
}

// num is an integer member, def when absent. A value known only at
// deployment is a finding: the model needs the number.
func (o cfnObj) num(key string, def int) int {
	v, ok := o.value(key)
	if !ok {
		return def
	}
	if v.kind != scalarValue {
		o.r.finding(v.node, v.ptr, "%s must be a number, not a %s", key, kindName(v.kind))
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.s))
	if err != nil {
		if v.deploy {
			o.r.finding(v.node, v.ptr, "%s is %s, known only at deployment; albcheck needs its value (give the parameter a Default)", key, v.s)
		} else {
			o.r.finding(v.node, v.ptr, "%s is %q, not a whole number", key, v.s)
		}
		return def
	}
	return n
}

func (o cfnObj) boolean(key string) (val, set bool) {
	s := o.str(key)
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	case "":
		return false, false
	}
	o.r.finding(o.r.mapGet(o.node, key), o.ptr+"/"+escapePointer(key), "%s is %q, not true or false", key, s)
	return false, false
}

func (o cfnObj) obj(key string) cfnObj {
	if o.node == nil {
		return cfnObj{r: o.r, ptr: o.ptr + "/" + escapePointer(key)}
	}
	return o.r.object(o.r.mapGet(o.node, key), o.ptr+"/"+escapePointer(key))
}

// list is a list member's items; absent is empty.
func (o cfnObj) list(key string) []cfnValue {
	v, ok := o.value(key)
	if !ok {
		return nil
	}
	if v.kind != listValue || v.unknownLength {
		o.r.finding(v.node, v.ptr, "%s must be a list, not a %s", key, kindName(v.kind))
		return nil
	}
	return v.list
}

func (o cfnObj) strs(key string) []string {
	var out []string
	for _, item := range o.list(key) {
		if item.kind != scalarValue {
			o.r.finding(item.node, item.ptr, "%s lists strings, not a %s", key, kindName(item.kind))
			continue
		}
		out = append(out, item.s)
	}
	return out
}
