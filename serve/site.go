package serve

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/albcheck/albcheck/albroute"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/replay"
)

// SiteOptions say how a project's load balancer is served locally.
type SiteOptions struct {
	// Handlers are the functions' handlers by their names in the model.
	Handlers map[string]replay.Handler
	// Missing says, for a function without a handler, what to add (the
	// flag); it is logged with every request forwarded to it.
	Missing func(fn *infra.Function) string
	// Seed seeds the weighted forwards (serve --seed).
	Seed uint64
	// Ports are the ports replay's cases name listeners by, by listener
	// name (replay --port LISTENER=PORT): a listener of another stack (a
	// Serverless listenerArn) has none in the files, and a case can then
	// say which one it goes to. The function is told that port, as the ALB
	// tells it the listener's.
	Ports map[string]int
}

// Site is a project's load balancer as served locally: the target groups
// its listeners forward to, and each listener's router.
type Site struct {
	Targets   map[string]*Target
	Listeners []*albroute.Router
	project   *infra.Project
	ports     map[string]int
}

// NewSite compiles every listener of a project and makes a Target of each
// Lambda target group: its mode, the timeout of the function registered
// with it, its health check when enabled, and the handler of that function.
func NewSite(p *infra.Project, o SiteOptions) (*Site, error) {
	s := &Site{Targets: map[string]*Target{}, project: p, ports: o.Ports}
	functions := map[string]*infra.Function{}
	for _, f := range p.Functions {
		functions[f.Name] = f
	}
	for _, tg := range p.TargetGroups {
		if !tg.IsLambda() {
			continue
		}
		t := &Target{Name: tg.Name, Mode: fakeevent.Single, Timeout: replay.DefaultTimeout, ARN: TargetGroupARN(tg.Name)}
		if tg.Mode == "multi" {
			t.Mode = fakeevent.Multi
		}
		var fn *infra.Function
		for _, tgt := range tg.Targets {
			if fn = functions[tgt.Function]; fn != nil {
				break
			}
		}
		if fn == nil {
			t.Missing = "no function of the files is registered with it"
		} else {
			t.Function = fn.Name
			if fn.TimeoutSeconds > 0 {
				t.Timeout = time.Duration(fn.TimeoutSeconds) * time.Second
			}
			t.Handler = o.Handlers[fn.Name]
			if t.Handler == nil {
				t.Missing = "function " + fn.Name + " has no handler"
				if o.Missing != nil {
					t.Missing = o.Missing(fn)
				}
			}
		}
		if hc := tg.HealthCheck; hc.Enabled {
			t.Health = HealthCheck{Path: hc.Path, Interval: time.Duration(hc.IntervalSeconds) * time.Second}
			if t.Health.Path == "" {
				t.Health.Path = "/" // the ALB's default health check path
			}
			if hc.Matcher != "" {
				codes, err := ParseCodes(hc.Matcher)
				if err != nil {
					return nil, fmt.Errorf("target group %s: health check matcher: %w", tg.Name, err)
				}
				t.Health.Codes = codes
			}
		}
		s.Targets[tg.Name] = t
	}
	for _, l := range p.Listeners {
		s.Listeners = append(s.Listeners, albroute.Compile(l, albroute.Options{Seed: o.Seed}))
	}
	return s, nil
}

// TargetGroupARN is the ARN a target group of the model gets in the events:
// the ALB's form, with the name made valid (at most 32 letters, digits and
// hyphens) and an id derived from it, so that it is the same on every run.
func TargetGroupARN(name string) string {
	short := []byte(name)
	for i, c := range short {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			short[i] = '-'
		}
	}
	if len(short) > 32 {
		short = short[len(short)-32:]
	}
	id := fnv.New64a()
	id.Write([]byte(name))
	return fmt.Sprintf("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/%s/%016x", strings.Trim(string(short), "-"), id.Sum64())
}

// ParseCodes reads a health check matcher: "200", "200,202" or "200-299".
func ParseCodes(spec string) ([]int, error) {
	var codes []int
	for part := range strings.SplitSeq(spec, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 100 || a > 599 {
			return nil, fmt.Errorf("%q is not a status code", lo)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b > 599 {
				return nil, fmt.Errorf("%q is not a range of status codes", part)
			}
		}
		for c := a; c <= b; c++ {
			codes = append(codes, c)
		}
	}
	return codes, nil
}
