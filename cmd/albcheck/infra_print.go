package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/internal/render"
)

// printModel writes the model for people: each load balancer with its
// listeners and their rules in priority order, then each target group
// with its mode, health check and functions. Names come from the files,
// so they are quoted when a terminal would not show them as themselves.
func printModel(w io.Writer, p *infra.Project) {
	v := p.View()
	q := render.Printable
	shown := map[*infra.Listener]bool{}
	for _, lb := range v.LoadBalancers {
		line := "load balancer " + q(lb.Name)
		if lb.Scheme != "" {
			line += " (" + q(lb.Scheme) + ")"
		}
		fmt.Fprintln(w, line)
		for _, l := range v.Listeners {
			if l.LoadBalancer == lb.Name {
				printListener(w, l)
				shown[l] = true
			}
		}
	}
	first := true
	for _, l := range v.Listeners {
		if shown[l] {
			continue
		}
		if first {
			fmt.Fprintln(w, "listeners of no load balancer in these files")
			first = false
		}
		printListener(w, l)
	}
	for _, tg := range v.TargetGroups {
		line := "target group " + q(tg.Name) + ": " + q(tg.TargetType)
		if tg.Mode != "" {
			line += ", " + string(tg.Mode) + " mode"
		}
		fmt.Fprintln(w, line)
		for _, f := range tg.Functions {
			fmt.Fprintln(w, "  function "+describeFunction(f))
			printEnvironment(w, f)
		}
		for _, t := range tg.Targets {
			if t.Function == "" {
				fmt.Fprintln(w, "  target "+q(t.ID))
			}
		}
		fmt.Fprintln(w, "  health check: "+describeHealthCheck(tg))
	}
	fmt.Fprintln(w)
}

// outside stands for what a listener defined outside the files has.
const outside = "defined outside these files"

func printListener(w io.Writer, l *infra.Listener) {
	if l.External {
		fmt.Fprintf(w, "  listener %s: %s\n", render.Printable(l.Name), outside)
	} else {
		fmt.Fprintf(w, "  listener %s: %s %d\n", render.Printable(l.Name), render.Printable(l.Protocol), l.Port)
	}
	for _, r := range l.Rules {
		var conds []string
		for _, c := range r.Conditions {
			conds = append(conds, describeCondition(c))
		}
		when := strings.Join(conds, " and ")
		if when == "" {
			when = "(no condition)"
		}
		fmt.Fprintf(w, "    rule %s, priority %d: %s → %s\n", render.Printable(r.Name), r.Priority, when, describeActions(r.Actions))
	}
	if l.External {
		fmt.Fprintf(w, "    default → (%s)\n", outside)
		return
	}
	fmt.Fprintf(w, "    default → %s\n", describeActions(l.DefaultActions))
}

func describeCondition(c infra.Condition) string {
	field := c.Field
	if c.HeaderName != "" {
		field += " " + c.HeaderName
	}
	vals := append([]string(nil), c.Values...)
	for _, kv := range c.Query {
		if kv.Key != "" {
			vals = append(vals, kv.Key+"="+kv.Value)
		} else {
			vals = append(vals, kv.Value)
		}
	}
	return render.Printable(field + " " + strings.Join(vals, " or "))
}

func describeActions(actions []infra.Action) string {
	if len(actions) == 0 {
		return "(none)"
	}
	var out []string
	for _, a := range actions {
		s := a.Type
		switch {
		case a.Type == "forward":
			var to []string
			for _, f := range a.Forward {
				t := f.TargetGroup
				if len(a.Forward) > 1 {
					t += " (weight " + strconv.Itoa(f.Weight) + ")"
				}
				to = append(to, t)
			}
			s += " " + strings.Join(to, ", ")
		case a.Redirect != nil:
			s += " " + strings.TrimPrefix(a.Redirect.StatusCode, "HTTP_")
			for _, part := range []struct{ k, v string }{{"protocol", a.Redirect.Protocol}, {"host", a.Redirect.Host}, {"port", a.Redirect.Port}, {"path", a.Redirect.Path}, {"query", a.Redirect.Query}} {
				if part.v != "" {
					s += " " + part.k + "=" + part.v
				}
			}
		case a.FixedResponse != nil:
			s += " " + a.FixedResponse.StatusCode
			if a.FixedResponse.ContentType != "" {
				s += " " + a.FixedResponse.ContentType
			}
		}
		out = append(out, s)
	}
	return render.Printable(strings.Join(out, ", then "))
}

// printEnvironment lists a function's environment variables by name only:
// their values are often secrets (API keys, database passwords), and this
// text lands in terminals, CI logs and pull-request comments. --format json
// is what a program reads, asked for on purpose, and holds the values.
func printEnvironment(w io.Writer, f *infra.Function) {
	if len(f.Environment) > 0 {
		fmt.Fprintln(w, render.Printable("    environment: "+strings.Join(sortedNames(f.Environment), ", ")+" (values in --format json)"))
	}
	if len(f.EnvironmentUnknown) > 0 {
		fmt.Fprintln(w, render.Printable("    environment known only at deployment: "+strings.Join(sortedNames(f.EnvironmentUnknown), ", ")))
	}
}

func describeFunction(f *infra.Function) string {
	s := f.Name
	if f.FunctionName != "" && f.FunctionName != f.Name {
		s += " (" + f.FunctionName + ")"
	}
	var parts []string
	if f.Runtime != "" {
		parts = append(parts, f.Runtime)
	}
	if f.Handler != "" {
		parts = append(parts, "handler "+f.Handler)
	}
	if f.TimeoutSeconds > 0 {
		parts = append(parts, fmt.Sprintf("timeout %ds", f.TimeoutSeconds))
	} else {
		parts = append(parts, "timeout 3s (Lambda's default)")
	}
	if f.Streaming {
		parts = append(parts, "response streaming")
	}
	return render.Printable(s + ": " + strings.Join(parts, ", "))
}

func describeHealthCheck(tg infra.TargetGroupView) string {
	hc := tg.HealthCheck
	if !hc.Enabled {
		return "off"
	}
	path := hc.Path
	if path == "" {
		path = "/"
	}
	s := "on, " + path
	if hc.IntervalSeconds > 0 {
		s += fmt.Sprintf(" every %ds", hc.IntervalSeconds)
	}
	if hc.TimeoutSeconds > 0 {
		s += fmt.Sprintf(", timeout %ds", hc.TimeoutSeconds)
	}
	if hc.Matcher != "" {
		s += ", expects " + hc.Matcher
	}
	return render.Printable(s)
}
