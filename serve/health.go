package serve

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
)

// HealthCheck is the target group's health check.
type HealthCheck struct {
	Path     string
	Interval time.Duration
	// Codes are the success codes (the ALB's matcher); default 200.
	Codes []int
}

// checkHealth sends the ALB's health-check event every interval and logs
// healthy or unhealthy when the state changes (and the first result).
func (s *Server) checkHealth(ctx context.Context, t *Target) {
	hc := t.Health
	if hc.Interval <= 0 {
		hc.Interval = 35 * time.Second // the ALB's default for Lambda targets
	}
	if len(hc.Codes) == 0 {
		hc.Codes = []int{200}
	}
	state := ""
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for {
		ev, err := fakeevent.HealthCheck(hc.Path, fakeevent.WithMode(t.Mode), fakeevent.WithTargetGroupARN(t.ARN))
		if err != nil {
			s.explain("health check: %v", err)
			return
		}
		res := t.Handler.Invoke(ctx, fakeevent.Marshal(ev), t.Timeout)
		now, why := "healthy", ""
		switch {
		case res.Failure != nil:
			now, why = "unhealthy", fmt.Sprintf("%s: %s", res.Failure.Rule, res.Failure.Message)
		default:
			resp, _ := fakeevent.ClientResponse(ev, res.Payload)
			if !slices.Contains(hc.Codes, resp.StatusCode) {
				now, why = "unhealthy", fmt.Sprintf("status %d, matcher %v", resp.StatusCode, hc.Codes)
			}
		}
		if ctx.Err() != nil {
			return
		}
		if now != state {
			state = now
			s.logMu.Lock()
			what := hc.Path
			if t.Name != "" {
				what = t.Name + " " + hc.Path
			}
			if why != "" {
				fmt.Fprintf(s.o.Log, "health check %s: %s (%s)\n", what, now, why)
			} else {
				fmt.Fprintf(s.o.Log, "health check %s: %s\n", what, now)
			}
			s.logMu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
