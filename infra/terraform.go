package infra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/albcheck/albcheck/validate"
)

// The resource types the Terraform reader reads; each aws_lb_* type has an
// aws_alb_* alias of the same schema.
var (
	tfLoadBalancer = []string{"aws_lb", "aws_alb"}
	tfListener     = []string{"aws_lb_listener", "aws_alb_listener"}
	tfRule         = []string{"aws_lb_listener_rule", "aws_alb_listener_rule"}
	tfTargetGroup  = []string{"aws_lb_target_group", "aws_alb_target_group"}
	tfAttachment   = []string{"aws_lb_target_group_attachment", "aws_alb_target_group_attachment"}
	tfFunction     = []string{"aws_lambda_function"}
	tfAlias        = []string{"aws_lambda_alias"}
	tfPermission   = []string{"aws_lambda_permission"}
	tfFunctionURL  = []string{"aws_lambda_function_url"}
)

// Defaults of the AWS provider's aws_lb_target_group health_check block
// (website/docs/r/lb_target_group.html.markdown in
// hashicorp/terraform-provider-aws): enabled true, interval 30, thresholds
// 3, and for lambda target groups timeout 30 and matcher 200. They apply
// when the block is written; with no block, the provider leaves the
// target group to AWS, which turns health checks off for lambda targets
// (CreateTargetGroup: "If the target type is lambda, health checks are
// disabled by default").
const (
	tfHealthInterval  = 30
	tfHealthThreshold = 3
	tfHealthTimeout   = 30
	tfHealthMatcher   = "200"
	tfHealthPath      = "/"
)

// Lambda's defaults, which the AWS provider also uses (timeout 3,
// reserved_concurrent_executions -1 for "no reservation").
const (
	lambdaTimeoutDefault    = 3
	reservedConcurrencyNone = -1
)

// tfResource is one resource instance of planned_values.
type tfResource struct {
	addr    string // module.api.aws_lb.this, aws_lb_target_group.api["a"]
	typ     string
	key     string // the instance key as written in the address, brackets included
	module  string // the module instance address, "" for the root module
	values  map[string]any
	pointer string
	cfg     *tfjson.ConfigResource
}

type tfReader struct {
	name    string
	config  *tfjson.Config
	loc     *validate.Locator
	res     []*tfResource
	byAddr  map[string]*tfResource
	byCfg   map[string][]*tfResource // module instance + "|" + type.name
	modules []string                 // module instance addresses seen
	p       *Project
	seen    map[string]bool // findings already made (pointer + reference)
	// archives maps an archive_file data source's output_path to its
	// source_dir: the folder a function's filename zip is made from.
	archives map[string]string
	// unknown is the after_unknown of each resource change by address: what
	// the plan knows only after apply, absent from planned_values.
	unknown map[string]any
}

// readTerraform reads the JSON of a Terraform plan (terraform show -json
// PLAN), through hashicorp/terraform-json's types: HashiCorp's own
// description of the format, which also checks format_version, at the cost
// of ten packages (go-cty among them). Resources come from planned_values;
// the ARNs that connect them are unknown until apply, so connections follow
// the references of the plan's configuration section.
func readTerraform(name string, data []byte) (*Project, error) {
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, tfJSONError(name, data, err)
	}
	var plan tfjson.Plan
	if err := json.Unmarshal(data, &plan); err != nil {
		return nil, tfJSONError(name, data, err)
	}
	t := &tfReader{
		name:   name,
		config: plan.Config,
		loc:    validate.NewLocator(data),
		byAddr: map[string]*tfResource{},
		byCfg:  map[string][]*tfResource{},
		p:      emptyProject(),
		seen:   map[string]bool{},
	}
	if plan.PlannedValues != nil && plan.PlannedValues.RootModule != nil {
		t.collect(plan.PlannedValues.RootModule, "/planned_values/root_module")
	}
	// Data sources read during the plan are in its prior state.
	t.archives = map[string]string{}
	for _, st := range []*tfjson.State{plan.PriorState, {Values: plan.PlannedValues}} {
		if st != nil && st.Values != nil && st.Values.RootModule != nil {
			tfArchives(st.Values.RootModule, t.archives)
		}
	}
	t.unknown = map[string]any{}
	for _, rc := range plan.ResourceChanges {
		if rc != nil && rc.Change != nil {
			t.unknown[rc.Address] = rc.Change.AfterUnknown
		}
	}
	t.build()
	return t.p, nil
}

// tfArchives records the source_dir of each archive_file data source of m
// and its child modules by its output_path.
func tfArchives(m *tfjson.StateModule, archives map[string]string) {
	for _, r := range m.Resources {
		if r == nil || r.Mode != tfjson.DataResourceMode || r.Type != "archive_file" {
			continue
		}
		if out, dir := tfStr(r.AttributeValues, "output_path"), tfStr(r.AttributeValues, "source_dir"); out != "" && dir != "" {
			archives[out] = dir
		}
	}
	for _, c := range m.ChildModules {
		if c != nil {
			tfArchives(c, archives)
		}
	}
}

// jsonError names the file, line and column of a JSON decoding error.
func tfJSONError(name string, data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the byte that is wrong.
		line, col := offsetPosition(data, int(syntax.Offset)-1)
		return fmt.Errorf("%s:%d:%d: not valid JSON: %v", name, line, col, err)
	case errors.As(err, &typ):
		line, col := offsetPosition(data, int(typ.Offset))
		return fmt.Errorf("%s:%d:%d: not a Terraform plan: %v", name, line, col, err)
	}
	return fmt.Errorf("%s: not a Terraform plan: %w", name, err)
}

// offsetPosition returns the 1-based line and column (in characters) of byte
// offset off.
func offsetPosition(data []byte, off int) (int, int) {
	off = max(0, min(off, len(data)))
	before := data[:off]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, len([]rune(string(before[start:]))) + 1
}

func emptyProject() *Project {
	return &Project{
		LoadBalancers: []*LoadBalancer{},
		Listeners:     []*Listener{},
		TargetGroups:  []*TargetGroup{},
		Functions:     []*Function{},
		Permissions:   []*Permission{},
	}
}

func (t *tfReader) collect(m *tfjson.StateModule, pointer string) {
	if m.Address != "" && !slices.Contains(t.modules, m.Address) {
		t.modules = append(t.modules, m.Address)
	}
	for i, r := range m.Resources {
		if r == nil || r.Mode != tfjson.ManagedResourceMode {
			continue
		}
		res := &tfResource{
			addr:    r.Address,
			typ:     r.Type,
			module:  m.Address,
			values:  r.AttributeValues,
			pointer: pointer + "/resources/" + strconv.Itoa(i),
		}
		toks := tfSplitAddr(r.Address)
		if len(toks) > 0 {
			_, res.key = tfSplitKey(toks[len(toks)-1])
		}
		if cm := t.configModule(m.Address); cm != nil {
			for _, c := range cm.Resources {
				if c != nil && c.Mode == tfjson.ManagedResourceMode && c.Type == r.Type && c.Name == r.Name {
					res.cfg = c
				}
			}
		}
		t.res = append(t.res, res)
		t.byAddr[res.addr] = res
		k := m.Address + "|" + r.Type + "." + r.Name
		t.byCfg[k] = append(t.byCfg[k], res)
	}
	for i, c := range m.ChildModules {
		if c != nil {
			t.collect(c, pointer+"/child_modules/"+strconv.Itoa(i))
		}
	}
}

// splitAddr splits a Terraform address or reference at its dots, keeping
// instance keys (["a.b"], [0]) with the name they follow.
func tfSplitAddr(s string) []string {
	var toks []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '.' && depth == 0:
			toks = append(toks, s[start:i])
			start = i + 1
		}
	}
	return append(toks, s[start:])
}

// splitKey splits `name["key"]` into the name and the key with brackets.
func tfSplitKey(tok string) (name, key string) {
	if i := strings.IndexByte(tok, '['); i >= 0 {
		return tok[:i], tok[i:]
	}
	return tok, ""
}

// moduleCalls returns the module call names of a module instance address
// (module.a["x"].module.b → a, b).
func tfModuleCalls(module string) []string {
	if module == "" {
		return nil
	}
	toks := tfSplitAddr(module)
	var calls []string
	for i := 1; i < len(toks); i += 2 {
		name, _ := tfSplitKey(toks[i])
		calls = append(calls, name)
	}
	return calls
}

// parentModule splits a module instance address into its parent's and the
// name of its own call.
func tfParentModule(module string) (parent, call string) {
	toks := tfSplitAddr(module)
	if len(toks) < 2 {
		return "", ""
	}
	call, _ = tfSplitKey(toks[len(toks)-1])
	return strings.Join(toks[:len(toks)-2], "."), call
}

func (t *tfReader) configModule(module string) *tfjson.ConfigModule {
	if t.config == nil {
		return nil
	}
	m := t.config.RootModule
	for _, call := range tfModuleCalls(module) {
		if m == nil {
			return nil
		}
		c := m.ModuleCalls[call]
		if c == nil {
			return nil
		}
		m = c.Module
	}
	return m
}

// refs returns the references of an expression and of the blocks nested
// in it.
func tfRefs(e *tfjson.Expression) []string {
	if e == nil || e.ExpressionData == nil {
		return nil
	}
	out := slices.Clone(e.References)
	for _, b := range e.NestedBlocks {
		for _, k := range tfSortedKeys(b) {
			out = append(out, tfRefs(b[k])...)
		}
	}
	return out
}

func tfSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mostSpecific drops the references that another one of the list extends:
// Terraform lists aws_lb.x.arn and aws_lb.x, module.m.out and module.m.
func tfMostSpecific(list []string) []string {
	var out []string
	for _, r := range list {
		extended := false
		for _, o := range list {
			if o != r && (strings.HasPrefix(o, r+".") || strings.HasPrefix(o, r+"[")) {
				extended = true
				break
			}
		}
		if !extended && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// tfMaxRefDepth bounds how far a reference is followed through module
// variables and outputs, so a plan whose modules refer to each other in a
// loop ends.
const tfMaxRefDepth = 32

// resolve returns the resource instances a list of references (of one
// expression, written in module instance module by the resource self)
// names, and the references that name nothing in the plan.
func (t *tfReader) resolve(list []string, module, selfKey string, depth int) (found, missing []string) {
	if depth > tfMaxRefDepth {
		return nil, nil
	}
	iterated := slices.ContainsFunc(list, func(r string) bool {
		return strings.HasPrefix(r, "each.") || r == "count.index"
	})
	for _, ref := range tfMostSpecific(list) {
		f, m := t.resolveOne(ref, module, selfKey, iterated, depth)
		found = append(found, f...)
		missing = append(missing, m...)
	}
	return tfDedupe(found), missing
}

func (t *tfReader) resolveOne(ref, module, selfKey string, iterated bool, depth int) (found, missing []string) {
	toks := tfSplitAddr(ref)
	head, _ := tfSplitKey(toks[0])
	switch head {
	case "var":
		if module == "" || len(toks) < 2 {
			return nil, nil // a root variable: a value from outside the plan
		}
		parent, call := tfParentModule(module)
		pm := t.configModule(parent)
		if pm == nil || pm.ModuleCalls[call] == nil {
			return nil, nil
		}
		name, _ := tfSplitKey(toks[1])
		// The module call's each.key or count.index is this module
		// instance's key.
		mt := tfSplitAddr(module)
		_, key := tfSplitKey(mt[len(mt)-1])
		f, _ := t.resolve(tfRefs(pm.ModuleCalls[call].Expressions[name]), parent, key, depth+1)
		return f, nil
	case "module":
		if len(toks) < 2 {
			return nil, nil
		}
		call, key := tfSplitKey(toks[1])
		children := t.childModules(module, call, key)
		if len(toks) < 3 {
			return t.inModules(children), nil
		}
		output, _ := tfSplitKey(toks[2])
		for _, child := range children {
			cm := t.configModule(child)
			if cm == nil || cm.Outputs[output] == nil {
				continue
			}
			f, _ := t.resolve(tfRefs(cm.Outputs[output].Expression), child, "", depth+1)
			found = append(found, f...)
		}
		if len(children) == 0 {
			return nil, []string{ref}
		}
		return found, nil
	case "data", "local", "each", "count", "path", "terraform", "self", "ephemeral", "action":
		return nil, nil
	}
	if len(toks) < 2 {
		return nil, nil
	}
	name, key := tfSplitKey(toks[1])
	cands := t.byCfg[module+"|"+head+"."+name]
	switch {
	case key != "":
		cands = slices.DeleteFunc(slices.Clone(cands), func(r *tfResource) bool { return r.key != key })
	case iterated && selfKey != "" && len(cands) > 1:
		if same := slices.DeleteFunc(slices.Clone(cands), func(r *tfResource) bool { return r.key != selfKey }); len(same) == 1 {
			cands = same
		}
	}
	if len(cands) == 0 {
		return nil, []string{ref}
	}
	for _, c := range cands {
		found = append(found, c.addr)
	}
	return found, nil
}

// childModules lists the instances of module call `call` (with key, if
// given) of module instance module.
func (t *tfReader) childModules(module, call, key string) []string {
	var out []string
	for _, m := range t.modules {
		parent, c := tfParentModule(m)
		if parent != module || c != call {
			continue
		}
		if _, k := tfSplitKey(tfSplitAddr(m)[len(tfSplitAddr(m))-1]); key != "" && k != key {
			continue
		}
		out = append(out, m)
	}
	return out
}

// inModules lists the resources in the given modules and their children.
func (t *tfReader) inModules(modules []string) []string {
	var out []string
	for _, r := range t.res {
		for _, m := range modules {
			if r.module == m || strings.HasPrefix(r.module, m+".") {
				out = append(out, r.addr)
				break
			}
		}
	}
	return out
}

func tfDedupe(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// dependencies returns what a resource waits for: its explicit depends_on,
// everything its expressions refer to, and the depends_on of the module
// calls it sits in.
func (t *tfReader) dependencies(r *tfResource) []string {
	var found []string
	if r.cfg != nil {
		var list []string
		for _, k := range tfSortedKeys(r.cfg.Expressions) {
			list = append(list, tfRefs(r.cfg.Expressions[k])...)
		}
		list = append(list, tfRefs(r.cfg.CountExpression)...)
		list = append(list, tfRefs(r.cfg.ForEachExpression)...)
		found, _ = t.resolve(list, r.module, r.key, 0)
		for _, d := range r.cfg.DependsOn {
			f, _ := t.resolveOne(d, r.module, r.key, false, 0)
			found = append(found, f...)
		}
	}
	// A module call's depends_on holds back every resource of the module
	// and of its children (Terraform 0.13 and later): the way
	// terraform-aws-modules/alb users order a registration after the
	// permission made outside the module.
	for m := r.module; m != ""; {
		parent, call := tfParentModule(m)
		if pm := t.configModule(parent); pm != nil && pm.ModuleCalls[call] != nil {
			for _, d := range pm.ModuleCalls[call].DependsOn {
				f, _ := t.resolveOne(d, parent, "", false, 0)
				found = append(found, f...)
			}
		}
		m = parent
	}
	return tfDedupe(found)
}

// closure returns every resource r waits for, directly or not, sorted.
func (t *tfReader) closure(r *tfResource) []string {
	seen := map[string]bool{r.addr: true}
	stack := []*tfResource{r}
	var out []string
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range t.dependencies(cur) {
			if seen[d] {
				continue
			}
			seen[d] = true
			out = append(out, d)
			if next := t.byAddr[d]; next != nil {
				stack = append(stack, next)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (t *tfReader) source(pointer string) Source {
	line, col := t.loc.Locate(pointer)
	return Source{File: t.name, Pointer: pointer, Line: line, Column: col}
}

func (t *tfReader) finding(severity validate.Severity, pointer, message string) {
	if t.seen[pointer+"\x00"+message] {
		return
	}
	t.seen[pointer+"\x00"+message] = true
	line, col := t.loc.Locate(pointer)
	t.p.Findings = append(t.p.Findings, Finding{
		Finding: validate.Finding{Rule: "INFRA-REF", Severity: severity, Pointer: pointer, Message: message, Line: line, Column: col},
		File:    t.name,
	})
}

// link tells which resource of the given types the attribute written at
// pointer names: through the expression's references, or for a value
// known at plan time, by ARN or function name. It returns the resource's
// address, or "" and the value as written.
func (t *tfReader) link(r *tfResource, pointer string, value any, expr *tfjson.Expression, types []string) (addr, raw string) {
	list := tfRefs(expr)
	if len(list) > 0 {
		found, missing := t.resolve(list, r.module, r.key, 0)
		for _, m := range missing {
			t.finding(validate.Error, pointer, fmt.Sprintf("%s refers to %s, which is not in the plan (a resource with count or for_each of zero, or a plan made with -target?)", r.addr, m))
		}
		var match []string
		for _, f := range found {
			if slices.Contains(types, t.byAddr[f].typ) {
				match = append(match, f)
			}
		}
		switch {
		case len(match) == 1:
			return match[0], ""
		case len(match) > 1:
			t.finding(validate.Warning, pointer, fmt.Sprintf("%s refers to %d instances (%s); albcheck cannot tell which one this instance uses", r.addr, len(match), strings.Join(match, ", ")))
		}
		return "", strings.Join(tfMostSpecific(list), " ")
	}
	s, _ := value.(string)
	if s == "" {
		return "", ""
	}
	for _, c := range t.res {
		if !slices.Contains(types, c.typ) {
			continue
		}
		if arn, _ := c.values["arn"].(string); arn == s {
			return c.addr, ""
		}
		if fn, _ := c.values["function_name"].(string); fn == s && slices.Contains(tfFunction, c.typ) {
			return c.addr, ""
		}
	}
	return "", s
}

func (t *tfReader) expr(r *tfResource, attr string) *tfjson.Expression {
	if r.cfg == nil {
		return nil
	}
	return r.cfg.Expressions[attr]
}

// nested returns the i-th block of a nested block expression, or nil.
func tfNested(e *tfjson.Expression, i int) map[string]*tfjson.Expression {
	if e == nil || e.ExpressionData == nil || i >= len(e.NestedBlocks) {
		return nil
	}
	return e.NestedBlocks[i]
}

func tfStr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func tfNum(m map[string]any, k string, def int) int {
	if f, ok := m[k].(float64); ok {
		return int(f)
	}
	return def
}

func tfBool(m map[string]any, k string) (value, ok bool) {
	value, ok = m[k].(bool)
	return value, ok
}

func tfBlocks(m map[string]any, k string) []map[string]any {
	list, _ := m[k].([]any)
	var out []map[string]any
	for _, b := range list {
		if bm, ok := b.(map[string]any); ok {
			out = append(out, bm)
		} else {
			out = append(out, nil)
		}
	}
	return out
}

func tfStrings(m map[string]any, k string) []string {
	list, _ := m[k].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// environment reads the variables of a function's environment block. A
// variable whose value is known only after apply (another resource's
// attribute) is absent from planned_values and marked in the change's
// after_unknown; it is recorded apart with a warning, so that albcheck
// does not run the function as if it were unset in silence.
func (t *tfReader) environment(f *Function, r *tfResource) {
	// Where the block is written: a variable known only after apply is not
	// in planned_values to point at.
	pointer := r.pointer + "/values/environment"
	for _, env := range tfBlocks(r.values, "environment") {
		vars, _ := env["variables"].(map[string]any)
		for _, name := range tfSortedKeys(vars) {
			switch v := vars[name].(type) {
			case string:
				f.setEnv(name, v, false)
			case bool, float64:
				// Terraform's map(string) holds these as strings; a plan
				// written by hand may not.
				f.setEnv(name, fmt.Sprint(v), false)
			}
		}
	}
	unknownEnv := tfBlocks(asMap(t.unknown[r.addr]), "environment")
	for _, env := range unknownEnv {
		if env == nil {
			continue
		}
		switch u := env["variables"].(type) {
		case bool:
			if u {
				t.finding(validate.Warning, pointer, fmt.Sprintf("the environment variables of %s are known only after apply: albcheck runs the function without them (give them with -e NAME=VALUE)", f.Name))
			}
		case map[string]any:
			for _, name := range tfSortedKeys(u) {
				if known, _ := u[name].(bool); known {
					f.setEnv(name, "(known after apply)", true)
					t.finding(validate.Warning, pointer, fmt.Sprintf("the environment variable %s is known only after apply: albcheck runs the function without it (give it with -e %s=VALUE)", name, name))
				}
			}
		}
	}
}

// asMap is v as a JSON object, or nil.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func (t *tfReader) of(types []string) []*tfResource {
	var out []*tfResource
	for _, r := range t.res {
		if slices.Contains(types, r.typ) {
			out = append(out, r)
		}
	}
	return out
}

func (t *tfReader) build() {
	for _, r := range t.of(tfFunction) {
		f := &Function{
			Name:                r.addr,
			FunctionName:        tfStr(r.values, "function_name"),
			Runtime:             tfStr(r.values, "runtime"),
			Handler:             tfStr(r.values, "handler"),
			TimeoutSeconds:      tfNum(r.values, "timeout", lambdaTimeoutDefault),
			Code:                firstSet(tfStr(r.values, "filename"), tfStr(r.values, "s3_key"), tfStr(r.values, "image_uri")),
			CodeDir:             t.archives[tfStr(r.values, "filename")],
			ReservedConcurrency: tfNum(r.values, "reserved_concurrent_executions", reservedConcurrencyNone),
			Source:              t.source(r.pointer),
		}
		t.environment(f, r)
		t.p.Functions = append(t.p.Functions, f)
	}
	// Response streaming is configured on a function URL (invoke_mode
	// RESPONSE_STREAM); the function answers an ALB the same way.
	for _, r := range t.of(tfFunctionURL) {
		if tfStr(r.values, "invoke_mode") != "RESPONSE_STREAM" {
			continue
		}
		if fn, _, _ := t.function(r, "function_name"); fn != "" {
			for _, f := range t.p.Functions {
				if f.Name == fn {
					f.Streaming = true
				}
			}
		}
	}
	groups := map[string]*TargetGroup{}
	for _, r := range t.of(tfTargetGroup) {
		tg := &TargetGroup{
			Name:       r.addr,
			TargetType: firstSet(tfStr(r.values, "target_type"), "instance"),
			Mode:       validate.ModeSingle,
			Targets:    []Target{},
			Source:     t.source(r.pointer),
		}
		if multi, _ := tfBool(r.values, "lambda_multi_value_headers_enabled"); multi {
			tg.Mode = validate.ModeMulti
		}
		tg.HealthCheck = t.healthCheck(r, tg.TargetType)
		groups[r.addr] = tg
		t.p.TargetGroups = append(t.p.TargetGroups, tg)
	}
	balancers := map[string]bool{}
	for _, r := range t.of(tfLoadBalancer) {
		if typ := tfStr(r.values, "load_balancer_type"); typ != "" && typ != "application" {
			continue
		}
		lb := &LoadBalancer{Name: r.addr, Scheme: "internet-facing", Source: t.source(r.pointer)}
		if internal, _ := tfBool(r.values, "internal"); internal {
			lb.Scheme = "internal"
		}
		balancers[r.addr] = true
		t.p.LoadBalancers = append(t.p.LoadBalancers, lb)
	}
	listeners := map[string]*Listener{}
	for _, r := range t.of(tfListener) {
		lbAddr, lbRaw := t.link(r, r.pointer+"/values/load_balancer_arn", r.values["load_balancer_arn"], t.expr(r, "load_balancer_arn"), tfLoadBalancer)
		if lbAddr != "" && !balancers[lbAddr] {
			continue // a network or gateway load balancer's listener
		}
		l := &Listener{
			Name:           r.addr,
			LoadBalancer:   firstSet(lbAddr, lbRaw),
			Port:           tfNum(r.values, "port", 0),
			Protocol:       tfStr(r.values, "protocol"),
			Rules:          []*Rule{},
			DefaultActions: t.actions(r, "default_action"),
			Source:         t.source(r.pointer),
		}
		listeners[r.addr] = l
		t.p.Listeners = append(t.p.Listeners, l)
	}
	for _, r := range t.of(tfRule) {
		lAddr, lRaw := t.link(r, r.pointer+"/values/listener_arn", r.values["listener_arn"], t.expr(r, "listener_arn"), tfListener)
		l := listeners[lAddr]
		if l == nil && lAddr != "" {
			continue // a rule of a listener this reader left out
		}
		if l == nil {
			// A listener outside the plan (an ARN or a data source): the
			// rules still say what the functions receive.
			key := firstSet(lRaw, "(unknown listener)")
			if l = listeners[key]; l == nil {
				l = &Listener{Name: key, Rules: []*Rule{}, DefaultActions: []Action{}, Source: t.source(r.pointer + "/values/listener_arn")}
				listeners[key] = l
				t.p.Listeners = append(t.p.Listeners, l)
			}
		}
		l.Rules = append(l.Rules, &Rule{
			Name:       r.addr,
			Priority:   tfNum(r.values, "priority", 0),
			Conditions: t.conditions(r),
			Actions:    t.actions(r, "action"),
			Source:     t.source(r.pointer),
		})
	}
	for _, l := range t.p.Listeners {
		sort.SliceStable(l.Rules, func(i, j int) bool { return l.Rules[i].Priority < l.Rules[j].Priority })
	}
	for _, r := range t.of(tfAttachment) {
		tgAddr, _ := t.link(r, r.pointer+"/values/target_group_arn", r.values["target_group_arn"], t.expr(r, "target_group_arn"), tfTargetGroup)
		tg := groups[tgAddr]
		if tg == nil {
			continue // a target group outside the plan: nothing to check it against
		}
		target := Target{DependsOn: t.closure(r), Source: t.source(r.pointer)}
		fn, raw, qualifier := t.function(r, "target_id")
		if fn != "" {
			target.Function, target.Qualifier = fn, qualifier
		} else {
			target.ID = raw
		}
		tg.Targets = append(tg.Targets, target)
	}
	for _, r := range t.of(tfPermission) {
		fn, raw, qualifier := t.function(r, "function_name")
		qualifier = firstSet(t.permissionQualifier(r), qualifier)
		tgAddr, tgRaw := t.link(r, r.pointer+"/values/source_arn", r.values["source_arn"], t.expr(r, "source_arn"), tfTargetGroup)
		t.p.Permissions = append(t.p.Permissions, &Permission{
			Name:              r.addr,
			Function:          firstSet(fn, raw),
			Qualifier:         qualifier,
			Action:            tfStr(r.values, "action"),
			Principal:         tfStr(r.values, "principal"),
			SourceTargetGroup: tgAddr,
			SourceArn:         tgRaw,
			Source:            t.source(r.pointer),
		})
	}
}

// function links an attribute naming a function (by name, ARN or alias)
// to the function of the model.
//
// qualifier is the alias's name when the attribute names an alias: the
// load balancer invokes that alias, and a grant must be on it.
func (t *tfReader) function(r *tfResource, attr string) (addr, raw, qualifier string) {
	types := append(slices.Clone(tfFunction), tfAlias...)
	addr, raw = t.link(r, r.pointer+"/values/"+attr, r.values[attr], t.expr(r, attr), types)
	if a := t.byAddr[addr]; a != nil && slices.Contains(tfAlias, a.typ) {
		// An alias's ARN invokes the alias's function.
		addr, raw = t.link(a, a.pointer+"/values/function_name", a.values["function_name"], t.expr(a, "function_name"), tfFunction)
		return addr, raw, tfStr(a.values, "name")
	}
	return addr, raw, ""
}

// permissionQualifier is the alias or version an aws_lambda_permission's
// grant is on: its qualifier, as planned or through the alias it names.
func (t *tfReader) permissionQualifier(r *tfResource) string {
	if q := tfStr(r.values, "qualifier"); q != "" {
		return q
	}
	found, _ := t.resolve(tfRefs(t.expr(r, "qualifier")), r.module, r.key, 0)
	for _, f := range found {
		if a := t.byAddr[f]; a != nil && slices.Contains(tfAlias, a.typ) {
			return tfStr(a.values, "name")
		}
	}
	return ""
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func (t *tfReader) healthCheck(r *tfResource, targetType string) HealthCheck {
	list := tfBlocks(r.values, "health_check")
	pointer := r.pointer + "/values/health_check/0"
	written := tfNested(t.expr(r, "health_check"), 0) != nil
	if len(list) == 0 || list[0] == nil {
		if !written {
			// No block: AWS's defaults, off for lambda targets.
			return HealthCheck{Enabled: targetType != "lambda", Source: t.source(r.pointer)}
		}
		list = []map[string]any{{}}
	}
	h := list[0]
	enabled, ok := tfBool(h, "enabled")
	if !ok {
		enabled = true
	}
	timeout, matcher := 0, ""
	if targetType == "lambda" {
		timeout, matcher = tfHealthTimeout, tfHealthMatcher
	}
	hc := HealthCheck{
		Enabled:            enabled,
		Path:               firstSet(tfStr(h, "path"), tfHealthPath),
		IntervalSeconds:    tfNum(h, "interval", tfHealthInterval),
		TimeoutSeconds:     tfNum(h, "timeout", timeout),
		HealthyThreshold:   tfNum(h, "healthy_threshold", tfHealthThreshold),
		UnhealthyThreshold: tfNum(h, "unhealthy_threshold", tfHealthThreshold),
		Matcher:            firstSet(tfStr(h, "matcher"), matcher),
		Source:             t.source(pointer),
	}
	if !enabled {
		// health_check { enabled = false } plans the provider's defaults
		// for the rest: no one chose them, and no check uses them. Keep
		// only the values someone wrote differently.
		hc.Path = tfUnlessDefault(hc.Path, tfHealthPath)
		hc.IntervalSeconds = tfUnlessDefault(hc.IntervalSeconds, tfHealthInterval)
		hc.TimeoutSeconds = tfUnlessDefault(hc.TimeoutSeconds, timeout)
		hc.HealthyThreshold = tfUnlessDefault(hc.HealthyThreshold, tfHealthThreshold)
		hc.UnhealthyThreshold = tfUnlessDefault(hc.UnhealthyThreshold, tfHealthThreshold)
		hc.Matcher = tfUnlessDefault(hc.Matcher, matcher)
	}
	return hc
}

// tfUnlessDefault is v, or the zero value when v is the provider's default.
func tfUnlessDefault[T comparable](v, def T) T {
	var zero T
	if v == def {
		return zero
	}
	return v
}

// The values a redirect keeps from the request; the provider writes them
// out in the plan, the model leaves them empty.
var tfRedirectDefaults = map[string]string{"protocol": "#{protocol}", "host": "#{host}", "port": "#{port}", "path": "/#{path}", "query": "#{query}"}

func tfRedirectField(m map[string]any, k string) string {
	if v := tfStr(m, k); v != tfRedirectDefaults[k] {
		return v
	}
	return ""
}

func (t *tfReader) actions(r *tfResource, attr string) []Action {
	out := []Action{}
	cfg := t.expr(r, attr)
	for i, a := range tfBlocks(r.values, attr) {
		pointer := r.pointer + "/values/" + attr + "/" + strconv.Itoa(i)
		act := Action{Type: tfStr(a, "type"), Order: tfNum(a, "order", 0), Source: t.source(pointer)}
		cb := tfNested(cfg, i)
		switch act.Type {
		case "forward":
			if fw := tfBlocks(a, "forward"); len(fw) > 0 && fw[0] != nil && len(tfBlocks(fw[0], "target_group")) > 0 {
				var fcfg *tfjson.Expression
				if b := tfNested(cb["forward"], 0); b != nil {
					fcfg = b["target_group"]
				}
				for j, g := range tfBlocks(fw[0], "target_group") {
					var gexpr *tfjson.Expression
					if b := tfNested(fcfg, j); b != nil {
						gexpr = b["arn"]
					}
					gp := pointer + "/forward/0/target_group/" + strconv.Itoa(j) + "/arn"
					addr, raw := t.link(r, gp, g["arn"], gexpr, tfTargetGroup)
					act.Forward = append(act.Forward, WeightedTargetGroup{TargetGroup: firstSet(addr, raw), Weight: tfNum(g, "weight", 1)})
				}
			} else {
				addr, raw := t.link(r, pointer+"/target_group_arn", a["target_group_arn"], cb["target_group_arn"], tfTargetGroup)
				act.Forward = []WeightedTargetGroup{{TargetGroup: firstSet(addr, raw), Weight: 1}}
			}
		case "redirect":
			if rd := tfBlocks(a, "redirect"); len(rd) > 0 && rd[0] != nil {
				act.Redirect = &Redirect{
					Protocol:   tfRedirectField(rd[0], "protocol"),
					Host:       tfRedirectField(rd[0], "host"),
					Port:       tfRedirectField(rd[0], "port"),
					Path:       tfRedirectField(rd[0], "path"),
					Query:      tfRedirectField(rd[0], "query"),
					StatusCode: tfStr(rd[0], "status_code"),
				}
			}
		case "fixed-response":
			if fr := tfBlocks(a, "fixed_response"); len(fr) > 0 && fr[0] != nil {
				act.FixedResponse = &FixedResponse{
					StatusCode:  tfStr(fr[0], "status_code"),
					ContentType: tfStr(fr[0], "content_type"),
					MessageBody: tfStr(fr[0], "message_body"),
				}
			}
		}
		out = append(out, act)
	}
	return out
}

// tfConditions maps the provider's condition blocks to the ALB's field
// names.
var tfConditions = []struct{ block, field string }{
	{"host_header", "host-header"},
	{"http_header", "http-header"},
	{"http_request_method", "http-request-method"},
	{"path_pattern", "path-pattern"},
	{"query_string", "query-string"},
	{"source_ip", "source-ip"},
}

func (t *tfReader) conditions(r *tfResource) []Condition {
	out := []Condition{}
	for i, c := range tfBlocks(r.values, "condition") {
		for _, kind := range tfConditions {
			list := tfBlocks(c, kind.block)
			if len(list) == 0 {
				continue
			}
			pointer := r.pointer + "/values/condition/" + strconv.Itoa(i) + "/" + kind.block
			cond := Condition{Field: kind.field, Source: t.source(pointer)}
			if kind.block == "query_string" {
				// query_string repeats, one block per key/value pair.
				for _, q := range list {
					cond.Query = append(cond.Query, KeyValue{Key: tfStr(q, "key"), Value: tfStr(q, "value")})
				}
			} else if list[0] != nil {
				cond.HeaderName = tfStr(list[0], "http_header_name")
				cond.Values = tfStrings(list[0], "values")
			}
			out = append(out, cond)
		}
	}
	return out
}
