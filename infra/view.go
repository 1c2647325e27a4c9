package infra

import (
	"cmp"
	"slices"

	"github.com/albcheck/albcheck/validate"
)

// View is the model as people and scripts read it (albcheck infra): each
// listener's rules in priority order, and each target group with the
// functions it routes to. Its JSON field names are a public contract, only
// ever added to.
type View struct {
	Format        Format            `json:"format"`
	LoadBalancers []*LoadBalancer   `json:"loadBalancers"`
	Listeners     []*Listener       `json:"listeners"`
	TargetGroups  []TargetGroupView `json:"targetGroups"`
	Functions     []*Function       `json:"functions"`
	Permissions   []*Permission     `json:"permissions"`
}

// TargetGroupView is a target group with its functions resolved.
type TargetGroupView struct {
	Name       string        `json:"name"`
	TargetType string        `json:"targetType"`
	Mode       validate.Mode `json:"mode,omitempty"` // Lambda target groups only
	// Functions are the model's functions registered with the group.
	Functions   []*Function `json:"functions"`
	Targets     []Target    `json:"targets"`
	HealthCheck HealthCheck `json:"healthCheck"`
	Source      Source      `json:"source"`
}

// View returns the project as albcheck infra prints it. Empty lists are
// empty, not nil, so that JSON has [] rather than null.
func (p *Project) View() View {
	v := View{
		Format:        p.Format,
		LoadBalancers: nonNil(p.LoadBalancers),
		Functions:     nonNil(p.Functions),
		Permissions:   nonNil(p.Permissions),
		Listeners:     []*Listener{},
		TargetGroups:  []TargetGroupView{},
	}
	functions := map[fileName]*Function{}
	for _, f := range p.Functions {
		functions[fileName{f.Source.File, f.Name}] = f
	}
	for _, l := range p.Listeners {
		c := *l
		c.Rules = slices.Clone(nonNil(l.Rules))
		slices.SortStableFunc(c.Rules, func(a, b *Rule) int { return cmp.Compare(a.Priority, b.Priority) })
		c.DefaultActions = nonNil(l.DefaultActions)
		v.Listeners = append(v.Listeners, &c)
	}
	for _, tg := range p.TargetGroups {
		tv := TargetGroupView{Name: tg.Name, TargetType: tg.TargetType, Targets: nonNil(tg.Targets), HealthCheck: tg.HealthCheck, Source: tg.Source, Functions: []*Function{}}
		if tg.IsLambda() {
			tv.Mode = modeOf(tg)
		}
		for _, t := range tg.Targets {
			if f := functions[fileName{tg.Source.File, t.Function}]; f != nil && !slices.Contains(tv.Functions, f) {
				tv.Functions = append(tv.Functions, f)
			}
		}
		v.TargetGroups = append(v.TargetGroups, tv)
	}
	return v
}

func nonNil[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
