package infra

import (
	"fmt"
	"slices"
	"strings"

	"github.com/albcheck/albcheck/validate"
)

// ModeFor returns the mode of the Lambda target group a request for name
// goes through: name is a target group's name or a function's (its name in
// the model or its deployed FunctionName). An empty name stands for the
// project's only Lambda target group. The error says which names exist
// when name matches none, or more than one target group in different
// modes.
func (p *Project) ModeFor(name string) (validate.Mode, error) {
	var groups []*TargetGroup
	for _, tg := range p.TargetGroups {
		if tg.IsLambda() {
			groups = append(groups, tg)
		}
	}
	if len(groups) == 0 {
		return "", fmt.Errorf("no target group of type lambda in %s", p.files())
	}
	if name == "" {
		if len(groups) == 1 {
			return modeOf(groups[0]), nil
		}
		return "", fmt.Errorf("%d Lambda target groups (%s): say which one (a function or target group name)", len(groups), names(groups))
	}
	for _, tg := range groups {
		if tg.Name == name {
			return modeOf(tg), nil
		}
	}
	var fn *Function
	for _, f := range p.Functions {
		if f.Name == name || (f.FunctionName != "" && f.FunctionName == name) {
			fn = f
			break
		}
	}
	if fn == nil {
		return "", fmt.Errorf("no target group or function named %q: target groups %s; functions %s", name, names(groups), p.functionNames())
	}
	var behind []*TargetGroup
	for _, tg := range groups {
		if slices.ContainsFunc(tg.Targets, func(t Target) bool { return t.Function == fn.Name }) {
			behind = append(behind, tg)
		}
	}
	switch {
	case len(behind) == 0:
		return "", fmt.Errorf("function %s is registered with no Lambda target group (target groups %s)", fn.Name, names(groups))
	case len(behind) > 1:
		for _, tg := range behind[1:] {
			if modeOf(tg) != modeOf(behind[0]) {
				return "", fmt.Errorf("function %s sits behind target groups in different modes (%s): name the target group", fn.Name, names(behind))
			}
		}
	}
	return modeOf(behind[0]), nil
}

// modeOf is the target group's mode; multi-value headers are off unless
// enabled.
func modeOf(tg *TargetGroup) validate.Mode {
	if tg.Mode == validate.ModeMulti {
		return validate.ModeMulti
	}
	return validate.ModeSingle
}

func names(groups []*TargetGroup) string {
	var out []string
	for _, tg := range groups {
		out = append(out, fmt.Sprintf("%s (%s)", tg.Name, modeOf(tg)))
	}
	return strings.Join(out, ", ")
}

func (p *Project) functionNames() string {
	var out []string
	for _, f := range p.Functions {
		out = append(out, f.Name)
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, ", ")
}

// files names the files the project was read from.
func (p *Project) files() string {
	var out []string
	for _, s := range p.sources() {
		if !slices.Contains(out, s.File) {
			out = append(out, s.File)
		}
	}
	if len(out) == 0 {
		return "the project"
	}
	return strings.Join(out, ", ")
}

func (p *Project) sources() []Source {
	var out []Source
	for _, lb := range p.LoadBalancers {
		out = append(out, lb.Source)
	}
	for _, tg := range p.TargetGroups {
		out = append(out, tg.Source)
	}
	return out
}
