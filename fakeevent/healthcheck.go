package fakeevent

import (
	"fmt"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/aws/aws-lambda-go/events"
)

// HealthCheck returns the event of an ALB health check on path: GET, the
// query map {}, one header (user-agent: ELB-HealthChecker/2.0: no host, no
// trace id, no x-forwarded-*), an empty body [S1]. Of the options, the mode,
// the seed and the target group matter. A query in path ("/health?deep=1")
// fills the query map, left encoded as usual.
func HealthCheck(path string, opts ...Option) (events.ALBTargetGroupRequest, error) {
	var ev events.ALBTargetGroupRequest
	if !strings.HasPrefix(path, "/") {
		return ev, fmt.Errorf("health-check path %q does not start with /", path)
	}
	c, _ := newConfig(opts)
	path, rawQuery, _ := strings.Cut(path, "?")
	ev.HTTPMethod = "GET"
	ev.Path = path
	ev.RequestContext.ELB.TargetGroupArn = c.targetGroupARN()
	if c.mode == Multi {
		ev.MultiValueHeaders = map[string][]string{"user-agent": {alb.HealthCheckUserAgent}}
		ev.MultiValueQueryStringParameters = map[string][]string{}
		for k, v := range splitQuery(rawQuery) {
			ev.MultiValueQueryStringParameters[k] = append(ev.MultiValueQueryStringParameters[k], v)
		}
	} else {
		ev.Headers = map[string]string{"user-agent": alb.HealthCheckUserAgent}
		ev.QueryStringParameters = map[string]string{}
		for k, v := range splitQuery(rawQuery) {
			ev.QueryStringParameters[k] = v
		}
	}
	return ev, nil
}
