package infra

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file evaluates CloudFormation's intrinsic functions over yaml.Node
// trees. It is written by hand: the Go libraries that read CloudFormation
// (goformation among them) unmarshal into the full resource specification,
// lose the line and column of each value, and turn an unresolvable
// reference into an error for the whole file, where albcheck wants a
// finding that points at the value.

// valueKind says what a cfnValue holds.
type valueKind int

const (
	absentValue valueKind = iota // not written, or Ref AWS::NoValue
	scalarValue
	listValue
	mappingValue
)

// cfnValue is a value of a template after its intrinsic functions are
// evaluated. A part that is only known once the stack is deployed (a
// resource's Ref or attribute, a pseudo parameter, a parameter with no
// Default, an imported value) is written in the text as Fn::Sub would write
// it: ${Name}, ${Name.Attribute}, ${AWS::Region}.
type cfnValue struct {
	kind valueKind
	s    string
	list []cfnValue
	// node is the node the value was read from (the mapping, for a
	// mapping value); ptr is its JSON Pointer.
	node *yaml.Node
	ptr  string
	// refs are the resources (logical ids) the value is made from, in the
	// order met.
	refs []string
	// deploy is set when some of the value is known only at deployment.
	deploy bool
	// unknownLength marks the list Fn::GetAZs returns: its length depends on
	// the region, so Fn::Select on it gives a placeholder.
	unknownLength bool
}

// Limits on the work one template may cause. A template of a large CDK
// application has a few hundred thousand nodes and each is visited a few
// times; YAML aliases can make a small file ask for exponentially more (the
// "billion laughs"), and these bounds stop that with an error.
const (
	maxEvalSteps = 4_000_000
	maxEvalBytes = 32 << 20 // of strings made by Fn::Join and Fn::Sub
	maxEvalDepth = 1000
)

// errTooBig is panicked with inside the reader when a limit is passed, and
// recovered in readCloudFormation into an error.
type errTooBig struct{ what string }

func (r *cfnReader) step() {
	r.steps++
	if r.steps > maxEvalSteps {
		panic(errTooBig{fmt.Sprintf("more than %d steps to evaluate (are YAML aliases nested many levels deep?)", maxEvalSteps)})
	}
}

func (r *cfnReader) spend(n int) {
	r.bytes += n
	if r.bytes > maxEvalBytes {
		panic(errTooBig{fmt.Sprintf("more than %d bytes of strings made by Fn::Join and Fn::Sub", maxEvalBytes)})
	}
}

func (r *cfnReader) enter() {
	r.depth++
	if r.depth > maxEvalDepth {
		panic(errTooBig{fmt.Sprintf("values nested more than %d deep", maxEvalDepth)})
	}
}

func (r *cfnReader) leave() { r.depth-- }

// shortTags are the short forms of the intrinsic functions (YAML tags) and
// their long names.
var shortTags = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!GetAtt":       "Fn::GetAtt",
	"!Sub":          "Fn::Sub",
	"!Join":         "Fn::Join",
	"!If":           "Fn::If",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
	"!Transform":    "Fn::Transform",
}

// intrinsic returns the long name of the intrinsic function n calls, its
// argument and the argument's pointer, or "" when n is a plain value. A
// mapping with the single key "Condition" is a call only where a condition
// is expected, so withCondition says whether to recognise it.
func intrinsic(n *yaml.Node, ptr string, withCondition bool) (string, *yaml.Node, string) {
	if n == nil {
		return "", nil, ""
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name, ok := shortTags[n.Tag]
		if !ok {
			name = "Fn::" + strings.TrimPrefix(n.Tag, "!")
		}
		arg := *n
		arg.Tag = ""
		if n.Kind == yaml.ScalarNode {
			arg.Tag = "!!str"
		}
		return name, &arg, ptr
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		key := n.Content[0].Value
		if key == "Ref" || strings.HasPrefix(key, "Fn::") || (withCondition && key == "Condition") {
			return key, n.Content[1], ptr + "/" + escapePointer(key)
		}
	}
	return "", nil, ""
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

func escapePointer(token string) string { return pointerEscaper.Replace(token) }

func (r *cfnReader) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		r.step()
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return n
}

// eval evaluates the intrinsic functions in n. It returns false when a
// part could not be resolved; a finding then says why.
func (r *cfnReader) eval(n *yaml.Node, ptr string) (cfnValue, bool) {
	r.step()
	r.enter()
	defer r.leave()
	if n != nil && n.Kind == yaml.AliasNode {
		target := r.deref(n)
		if r.active[target] {
			r.finding(n, ptr, "the YAML alias *%s refers to a value that contains it", n.Value)
			return cfnValue{}, false
		}
		r.active[target] = true
		defer delete(r.active, target)
		n = target
	}
	if n == nil {
		return cfnValue{ptr: ptr}, true
	}
	if name, arg, argPtr := intrinsic(n, ptr, false); name != "" {
		v, ok := r.call(name, arg, argPtr, n, ptr)
		if v.node == nil { // a value made by the call, not one of its arguments
			v.node, v.ptr = n, ptr
		}
		return v, ok
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return cfnValue{node: n, ptr: ptr}, true
		}
		return cfnValue{kind: scalarValue, s: n.Value, node: n, ptr: ptr}, true
	case yaml.SequenceNode:
		out := cfnValue{kind: listValue, node: n, ptr: ptr}
		ok := true
		for i, c := range n.Content {
			v, good := r.eval(c, ptr+"/"+strconv.Itoa(i))
			ok = ok && good
			if v.kind == absentValue && good {
				continue // Ref AWS::NoValue drops the item
			}
			out.list = append(out.list, v)
			out.refs = append(out.refs, v.refs...)
			out.deploy = out.deploy || v.deploy
		}
		return out, ok
	case yaml.MappingNode:
		return cfnValue{kind: mappingValue, node: n, ptr: ptr}, true
	}
	return cfnValue{ptr: ptr}, true
}

// evalString evaluates n to one string; a list or mapping where a string
// is needed is a finding.
func (r *cfnReader) evalString(n *yaml.Node, ptr, what string) (cfnValue, bool) {
	v, ok := r.eval(n, ptr)
	if !ok {
		return v, false
	}
	if v.kind == listValue || v.kind == mappingValue {
		r.finding(n, ptr, "%s must be a string, not a %s", what, kindName(v.kind))
		return cfnValue{}, false
	}
	return v, true
}

func kindName(k valueKind) string {
	switch k {
	case listValue:
		return "list"
	case mappingValue:
		return "mapping"
	case absentValue:
		return "missing value"
	}
	return "string"
}

// args evaluates the list argument of an intrinsic into its items' nodes,
// checking their count.
func (r *cfnReader) args(name string, arg *yaml.Node, argPtr string, min, max int) ([]*yaml.Node, bool) {
	a := r.deref(arg)
	if a == nil || a.Kind != yaml.SequenceNode || len(a.Content) < min || len(a.Content) > max {
		want := fmt.Sprintf("%d", min)
		if max != min {
			want = fmt.Sprintf("%d to %d", min, max)
		}
		r.finding(arg, argPtr, "%s takes a list of %s arguments", name, want)
		return nil, false
	}
	return a.Content, true
}

// pseudo lists CloudFormation's pseudo parameters.
var pseudo = map[string]bool{
	"AWS::AccountId": true, "AWS::NotificationARNs": true, "AWS::NoValue": true,
	"AWS::Partition": true, "AWS::Region": true, "AWS::StackId": true,
	"AWS::StackName": true, "AWS::URLSuffix": true,
}

func (r *cfnReader) call(name string, arg *yaml.Node, argPtr string, n *yaml.Node, ptr string) (cfnValue, bool) {
	switch name {
	case "Ref":
		v, ok := r.evalString(arg, argPtr, "the argument of Ref")
		if !ok {
			return v, false
		}
		return r.ref(v.s, n, ptr)

	case "Fn::GetAtt":
		id, attr, ok := r.getAttArgs(arg, argPtr)
		if !ok {
			return cfnValue{}, false
		}
		res := r.resourceID(id)
		if res == "" {
			r.finding(n, ptr, "Fn::GetAtt names %s, which is not a resource of the template", id)
			return cfnValue{}, false
		}
		return cfnValue{kind: scalarValue, s: "${" + id + "." + attr + "}", refs: []string{res}, deploy: true}, true

	case "Fn::Sub":
		return r.sub(arg, argPtr, n, ptr)

	case "Fn::Join":
		a, ok := r.args(name, arg, argPtr, 2, 2)
		if !ok {
			return cfnValue{}, false
		}
		delim, ok := r.evalString(a[0], argPtr+"/0", "the delimiter of Fn::Join")
		if !ok {
			return cfnValue{}, false
		}
		list, ok := r.eval(a[1], argPtr+"/1")
		if !ok {
			return cfnValue{}, false
		}
		if list.kind != listValue || list.unknownLength {
			r.finding(a[1], argPtr+"/1", "Fn::Join joins a list, not a %s", kindName(list.kind))
			return cfnValue{}, false
		}
		out := cfnValue{kind: scalarValue, refs: list.refs, deploy: list.deploy}
		parts := make([]string, 0, len(list.list))
		for _, item := range list.list {
			if item.kind != scalarValue {
				r.finding(item.node, item.ptr, "Fn::Join joins strings, not a %s", kindName(item.kind))
				return cfnValue{}, false
			}
			parts = append(parts, item.s)
		}
		out.s = strings.Join(parts, delim.s)
		r.spend(len(out.s))
		return out, true

	case "Fn::Select":
		a, ok := r.args(name, arg, argPtr, 2, 2)
		if !ok {
			return cfnValue{}, false
		}
		idx, ok := r.evalString(a[0], argPtr+"/0", "the index of Fn::Select")
		if !ok {
			return cfnValue{}, false
		}
		i, err := strconv.Atoi(strings.TrimSpace(idx.s))
		if err != nil || i < 0 {
			r.finding(a[0], argPtr+"/0", "the index of Fn::Select is %q, not a number from 0", idx.s)
			return cfnValue{}, false
		}
		list, ok := r.eval(a[1], argPtr+"/1")
		if !ok {
			return cfnValue{}, false
		}
		if list.unknownLength {
			return cfnValue{kind: scalarValue, s: fmt.Sprintf("${Fn::GetAZs.%d}", i), deploy: true}, true
		}
		if list.kind != listValue {
			r.finding(a[1], argPtr+"/1", "Fn::Select selects from a list, not a %s", kindName(list.kind))
			return cfnValue{}, false
		}
		if i >= len(list.list) {
			r.finding(n, ptr, "Fn::Select index %d is past the end of a list of %d", i, len(list.list))
			return cfnValue{}, false
		}
		return list.list[i], true

	case "Fn::Split":
		a, ok := r.args(name, arg, argPtr, 2, 2)
		if !ok {
			return cfnValue{}, false
		}
		delim, ok := r.evalString(a[0], argPtr+"/0", "the delimiter of Fn::Split")
		if !ok {
			return cfnValue{}, false
		}
		src, ok := r.evalString(a[1], argPtr+"/1", "the string Fn::Split splits")
		if !ok {
			return cfnValue{}, false
		}
		if delim.s == "" {
			r.finding(a[0], argPtr+"/0", "the delimiter of Fn::Split is empty")
			return cfnValue{}, false
		}
		out := cfnValue{kind: listValue, refs: src.refs, deploy: src.deploy}
		for _, part := range strings.Split(src.s, delim.s) {
			out.list = append(out.list, cfnValue{kind: scalarValue, s: part, refs: src.refs, deploy: src.deploy, node: n, ptr: ptr})
		}
		return out, true

	case "Fn::FindInMap":
		a, ok := r.args(name, arg, argPtr, 3, 4)
		if !ok {
			return cfnValue{}, false
		}
		var keys [3]string
		for i := range keys {
			k, ok := r.evalString(a[i], argPtr+"/"+strconv.Itoa(i), "a key of Fn::FindInMap")
			if !ok {
				return cfnValue{}, false
			}
			if k.deploy {
				r.finding(a[i], argPtr+"/"+strconv.Itoa(i), "Fn::FindInMap key %s is known only at deployment", k.s)
				return cfnValue{}, false
			}
			keys[i] = k.s
		}
		m := r.mapGet(r.mappings, keys[0])
		if m == nil {
			r.finding(n, ptr, "Fn::FindInMap names the mapping %s, which is not in Mappings", keys[0])
			return cfnValue{}, false
		}
		top := r.mapGet(m, keys[1])
		val := r.mapGet(top, keys[2])
		if val == nil {
			if len(a) == 4 { // AWS::LanguageExtensions' DefaultValue
				return r.eval(r.mapGet(r.deref(a[3]), "DefaultValue"), argPtr+"/3/DefaultValue")
			}
			r.finding(n, ptr, "Fn::FindInMap: the mapping %s has no %s/%s", keys[0], keys[1], keys[2])
			return cfnValue{}, false
		}
		return r.eval(val, "/Mappings/"+escapePointer(keys[0])+"/"+escapePointer(keys[1])+"/"+escapePointer(keys[2]))

	case "Fn::GetAZs":
		return cfnValue{kind: listValue, unknownLength: true, deploy: true}, true

	case "Fn::ImportValue":
		v, ok := r.evalString(arg, argPtr, "the name Fn::ImportValue imports")
		if !ok {
			return v, false
		}
		// The value is another stack's export, known only at deployment.
		return cfnValue{kind: scalarValue, s: "${Fn::ImportValue:" + v.s + "}", refs: v.refs, deploy: true}, true

	case "Fn::Base64":
		// The model keeps the text before encoding: that is what a reader
		// of the template compares, and what the function receives decoded.
		return r.evalString(arg, argPtr, "the argument of Fn::Base64")

	case "Fn::If":
		a, ok := r.args(name, arg, argPtr, 3, 3)
		if !ok {
			return cfnValue{}, false
		}
		cond, ok := r.evalString(a[0], argPtr+"/0", "the condition of Fn::If")
		if !ok {
			return cfnValue{}, false
		}
		val, decided := r.condition(cond.s, a[0], argPtr+"/0")
		if !decided {
			// Taking the first branch keeps the model whole; a warning says
			// the model is one of the template's possible deployments (see
			// the comment on RuleRef).
			r.warning(n, ptr, "Fn::If: the condition %s cannot be decided before deployment (it depends on a pseudo parameter, a parameter with no Default or a resource); albcheck reads the first branch", cond.s)
			val = true
		}
		if val {
			return r.eval(a[1], argPtr+"/1")
		}
		return r.eval(a[2], argPtr+"/2")
	}
	r.finding(n, ptr, "%s cannot be evaluated before deployment by albcheck", name)
	return cfnValue{}, false
}

func (r *cfnReader) getAttArgs(arg *yaml.Node, argPtr string) (id, attr string, ok bool) {
	a := r.deref(arg)
	if a != nil && a.Kind == yaml.ScalarNode {
		id, attr, found := strings.Cut(a.Value, ".")
		if !found || id == "" || attr == "" {
			r.finding(arg, argPtr, "Fn::GetAtt %q is not of the form Resource.Attribute", a.Value)
			return "", "", false
		}
		return id, attr, true
	}
	items, ok := r.args("Fn::GetAtt", arg, argPtr, 2, 2)
	if !ok {
		return "", "", false
	}
	idv, ok := r.evalString(items[0], argPtr+"/0", "the resource of Fn::GetAtt")
	if !ok {
		return "", "", false
	}
	attrv, ok := r.evalString(items[1], argPtr+"/1", "the attribute of Fn::GetAtt")
	if !ok {
		return "", "", false
	}
	return idv.s, attrv.s, true
}

// ref evaluates Ref name.
func (r *cfnReader) ref(name string, n *yaml.Node, ptr string) (cfnValue, bool) {
	if pseudo[name] {
		if name == "AWS::NoValue" {
			return cfnValue{}, true
		}
		return cfnValue{kind: scalarValue, s: "${" + name + "}", deploy: true}, true
	}
	if p, ok := r.params[name]; ok {
		return r.param(name, p)
	}
	if res := r.resourceID(name); res != "" {
		return cfnValue{kind: scalarValue, s: "${" + name + "}", refs: []string{res}, deploy: true}, true
	}
	r.finding(n, ptr, "Ref names %s, which is neither a parameter nor a resource of the template", name)
	return cfnValue{}, false
}

// param is the value of a parameter: its Default, split for list types. A
// parameter with no Default, or one whose value is read from SSM, is known
// only at deployment.
func (r *cfnReader) param(name string, p *yaml.Node) (cfnValue, bool) {
	ptr := "/Parameters/" + escapePointer(name)
	typ, _ := r.scalarAt(p, "Type")
	def := r.mapGet(p, "Default")
	if def == nil || strings.HasPrefix(typ, "AWS::SSM::Parameter::Value") {
		return cfnValue{kind: scalarValue, s: "${" + name + "}", deploy: true}, true
	}
	v, ok := r.eval(def, ptr+"/Default")
	if !ok {
		return v, false
	}
	if v.kind == scalarValue && (typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<")) {
		out := cfnValue{kind: listValue, node: v.node, ptr: v.ptr}
		for _, part := range strings.Split(v.s, ",") {
			out.list = append(out.list, cfnValue{kind: scalarValue, s: strings.TrimSpace(part), node: v.node, ptr: v.ptr})
		}
		return out, true
	}
	return v, true
}

// resourceID returns the logical id of the resource a Ref or Fn::GetAtt
// names, or "". SAM's references to what it generates for a function
// (Fn.Alias, Fn.Version, FnAliaslive, FnRole) name the function.
func (r *cfnReader) resourceID(name string) string {
	if _, ok := r.resources[name]; ok {
		return name
	}
	if fn, ok := r.generated[name]; ok {
		return fn
	}
	if base, suffix, ok := strings.Cut(name, "."); ok && (suffix == "Alias" || suffix == "Version") {
		if res, ok := r.resources[base]; ok && res.typ == typeServerlessFunction {
			return base
		}
	}
	return ""
}

// sub evaluates Fn::Sub: "${Name}" is Ref Name, "${Name.Attr}" is
// Fn::GetAtt, a variable of the second argument's map is its value, and
// "${!Literal}" is the literal "${Literal}".
func (r *cfnReader) sub(arg *yaml.Node, argPtr string, n *yaml.Node, ptr string) (cfnValue, bool) {
	a := r.deref(arg)
	tmplNode, tmplPtr := arg, argPtr
	var vars *yaml.Node
	varsPtr := ""
	if a != nil && a.Kind == yaml.SequenceNode {
		items, ok := r.args("Fn::Sub", arg, argPtr, 2, 2)
		if !ok {
			return cfnValue{}, false
		}
		tmplNode, tmplPtr = items[0], argPtr+"/0"
		vars, varsPtr = r.deref(items[1]), argPtr+"/1"
		if vars == nil || vars.Kind != yaml.MappingNode {
			r.finding(items[1], varsPtr, "the variables of Fn::Sub must be a mapping")
			return cfnValue{}, false
		}
	}
	tmpl := r.deref(tmplNode)
	if tmpl == nil || tmpl.Kind != yaml.ScalarNode {
		r.finding(tmplNode, tmplPtr, "Fn::Sub substitutes into a string")
		return cfnValue{}, false
	}
	var b strings.Builder
	out := cfnValue{kind: scalarValue}
	for _, part := range subParts(tmpl.Value) {
		r.step()
		if part.name == "" {
			b.WriteString(part.literal)
			r.spend(len(part.literal))
			continue
		}
		var v cfnValue
		var ok bool
		if vn := r.mapGet(vars, part.name); vn != nil {
			v, ok = r.evalString(vn, varsPtr+"/"+escapePointer(part.name), "a variable of Fn::Sub")
		} else if id, attr, dotted := strings.Cut(part.name, "."); dotted && !pseudo[part.name] {
			res := r.resourceID(id)
			if res == "" {
				r.finding(n, ptr, "Fn::GetAtt names %s, which is not a resource of the template", id)
				return cfnValue{}, false
			}
			v, ok = cfnValue{kind: scalarValue, s: "${" + id + "." + attr + "}", refs: []string{res}, deploy: true}, true
		} else {
			v, ok = r.ref(part.name, n, ptr)
		}
		if !ok {
			return cfnValue{}, false
		}
		if v.kind == listValue || v.kind == mappingValue {
			r.finding(n, ptr, "Fn::Sub: ${%s} is a %s, not a string", part.name, kindName(v.kind))
			return cfnValue{}, false
		}
		b.WriteString(v.s)
		r.spend(len(v.s))
		out.refs = append(out.refs, v.refs...)
		out.deploy = out.deploy || v.deploy
	}
	out.s = b.String()
	return out, true
}

// subPart is a literal run of an Fn::Sub string, or a ${name} in it.
type subPart struct{ literal, name string }

// subParts splits an Fn::Sub string. "${!x}" is the literal "${x}"; a "${"
// with no closing brace is literal text.
func subParts(s string) []subPart {
	var parts []subPart
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		inner := s[i+2 : i+j]
		if strings.HasPrefix(inner, "!") {
			parts = append(parts, subPart{literal: s[:i] + "${" + inner[1:] + "}"})
		} else {
			parts = append(parts, subPart{literal: s[:i]}, subPart{name: strings.TrimSpace(inner)})
		}
		s = s[i+j+1:]
	}
	return append(parts, subPart{literal: s})
}

// Condition states, memoised per condition name.
const (
	condUnknown = iota
	condBusy
	condTrue
	condFalse
	condUndecided
)

// condition evaluates a named condition from the Conditions section, from
// parameter defaults. decided is false when it depends on something known
// only at deployment.
func (r *cfnReader) condition(name string, n *yaml.Node, ptr string) (val, decided bool) {
	switch r.conds[name] {
	case condTrue:
		return true, true
	case condFalse:
		return false, true
	case condUndecided, condBusy:
		return false, false
	}
	node := r.mapGet(r.conditions, name)
	if node == nil {
		r.finding(n, ptr, "the condition %s is not in Conditions", name)
		r.conds[name] = condUndecided
		return false, false
	}
	r.conds[name] = condBusy
	val, decided = r.condExpr(node, "/Conditions/"+escapePointer(name))
	switch {
	case !decided:
		r.conds[name] = condUndecided
	case val:
		r.conds[name] = condTrue
	default:
		r.conds[name] = condFalse
	}
	return val, decided
}

func (r *cfnReader) condExpr(n *yaml.Node, ptr string) (val, decided bool) {
	r.step()
	r.enter()
	defer r.leave()
	n = r.deref(n)
	name, arg, argPtr := intrinsic(n, ptr, true)
	switch name {
	case "Condition":
		c, ok := r.evalString(arg, argPtr, "the argument of Condition")
		if !ok {
			return false, false
		}
		return r.condition(c.s, n, ptr)
	case "Fn::Equals":
		a, ok := r.args(name, arg, argPtr, 2, 2)
		if !ok {
			return false, false
		}
		x, okx := r.eval(a[0], argPtr+"/0")
		y, oky := r.eval(a[1], argPtr+"/1")
		if !okx || !oky || x.deploy || y.deploy {
			return false, false
		}
		return flatten(x) == flatten(y), true
	case "Fn::Not":
		a, ok := r.args(name, arg, argPtr, 1, 1)
		if !ok {
			return false, false
		}
		v, d := r.condExpr(a[0], argPtr+"/0")
		return !v, d
	case "Fn::And", "Fn::Or":
		a, ok := r.args(name, arg, argPtr, 1, 10)
		if !ok {
			return false, false
		}
		and := name == "Fn::And"
		decided = true
		for i, c := range a {
			v, d := r.condExpr(c, argPtr+"/"+strconv.Itoa(i))
			switch {
			case d && v != and: // a false in And, a true in Or settles it
				return v, true
			case !d:
				decided = false
			}
		}
		return and, decided
	}
	r.finding(n, ptr, "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition")
	return false, false
}

// flatten is a value's text for Fn::Equals.
func flatten(v cfnValue) string {
	if v.kind != listValue {
		return v.s
	}
	parts := make([]string, len(v.list))
	for i, item := range v.list {
		parts[i] = flatten(item)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// refsIn walks n for the resources it references (Ref, Fn::GetAtt and the
// names in Fn::Sub strings) without evaluating anything, as CloudFormation
// does to order resources; add is called with each resource's logical id.
// A name that is neither a resource, a parameter nor a pseudo parameter is
// a finding.
func (r *cfnReader) refsIn(n *yaml.Node, ptr string, add func(string)) {
	r.step()
	r.enter()
	defer r.leave()
	if n != nil && n.Kind == yaml.AliasNode {
		target := r.deref(n)
		if r.active[target] {
			r.finding(n, ptr, "the YAML alias *%s refers to a value that contains it", n.Value)
			return
		}
		r.active[target] = true
		defer delete(r.active, target)
		n = target
	}
	if n == nil {
		return
	}
	name, arg, argPtr := intrinsic(n, ptr, false)
	a := r.deref(arg)
	switch name {
	case "Ref":
		if a != nil && a.Kind == yaml.ScalarNode {
			r.refName(a.Value, false, n, ptr, add)
			return
		}
	case "Fn::GetAtt":
		if a != nil && a.Kind == yaml.ScalarNode {
			id, _, _ := strings.Cut(a.Value, ".")
			r.refName(id, true, n, ptr, add)
			return
		}
		if a != nil && a.Kind == yaml.SequenceNode && len(a.Content) > 0 {
			if first := r.deref(a.Content[0]); first != nil && first.Kind == yaml.ScalarNode {
				r.refName(first.Value, true, n, ptr, add)
			}
			for i, c := range a.Content[1:] {
				r.refsIn(c, argPtr+"/"+strconv.Itoa(i+1), add)
			}
			return
		}
	case "Fn::Sub":
		tmpl, vars := a, (*yaml.Node)(nil)
		if a != nil && a.Kind == yaml.SequenceNode && len(a.Content) == 2 {
			tmpl, vars = r.deref(a.Content[0]), r.deref(a.Content[1])
			r.refsIn(a.Content[1], argPtr+"/1", add)
		}
		if tmpl != nil && tmpl.Kind == yaml.ScalarNode {
			for _, part := range subParts(tmpl.Value) {
				r.step()
				if part.name == "" || r.mapGet(vars, part.name) != nil {
					continue
				}
				id, _, dotted := strings.Cut(part.name, ".")
				if dotted && !pseudo[part.name] {
					r.refName(id, true, n, ptr, add)
				} else {
					r.refName(part.name, false, n, ptr, add)
				}
			}
			return
		}
	}
	if name != "" {
		r.refsIn(arg, argPtr, add)
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			r.refsIn(c, ptr+"/"+strconv.Itoa(i), add)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			r.refsIn(n.Content[i+1], ptr+"/"+escapePointer(r.deref(n.Content[i]).Value), add)
		}
	}
}

func (r *cfnReader) refName(name string, attr bool, n *yaml.Node, ptr string, add func(string)) {
	if !attr && (pseudo[name] || r.params[name] != nil) {
		return
	}
	if res := r.resourceID(name); res != "" {
		add(res)
		return
	}
	if attr {
		r.finding(n, ptr, "Fn::GetAtt names %s, which is not a resource of the template", name)
		return
	}
	r.finding(n, ptr, "Ref names %s, which is neither a parameter nor a resource of the template", name)
}

// mapGet returns the value of key in the mapping m, or nil.
func (r *cfnReader) mapGet(m *yaml.Node, key string) *yaml.Node {
	_, v := r.mapEntry(m, key)
	return v
}

// mapEntry returns the key node and value node of key in the mapping m.
func (r *cfnReader) mapEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	m = r.deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		r.step()
		if k := r.deref(m.Content[i]); k != nil && k.Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// scalarAt returns the plain scalar at key in m, without evaluating.
func (r *cfnReader) scalarAt(m *yaml.Node, key string) (string, bool) {
	v := r.deref(r.mapGet(m, key))
	if v == nil || v.Kind != yaml.ScalarNode || (strings.HasPrefix(v.Tag, "!") && !strings.HasPrefix(v.Tag, "!!")) {
		return "", false
	}
	return v.Value, true
}
