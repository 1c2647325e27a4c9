package replay

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// Routed is where a load balancer's rules send a case's request (replay
// --infra with handlers by function name): to a function, or to an answer
// of the load balancer's own.
type Routed struct {
	// Handler invokes the function the request is forwarded to, with its
	// own Timeout, in the target group's Mode, with TargetGroupARN in the
	// event. Nil when the load balancer answers itself (Answer) or the
	// request cannot be served (Failure).
	Handler        Handler
	Timeout        time.Duration
	Mode           fakeevent.Mode
	TargetGroupARN string
	// Protocol ("http" or "https") and Port are the listener's: the event
	// of a short request says them in x-forwarded-proto and
	// x-forwarded-port, as the ALB sets them. Empty and 0 leave it as
	// built.
	Protocol string
	Port     int
	// Function is the name of the function the request reaches, in the
	// infrastructure files; empty when it reaches none.
	Function string
	// Answer is the load balancer's own answer (a fixed response, a
	// redirect) as a response document, checked as a function's would be.
	Answer []byte
	// Failure is set when the request cannot be served: the ALB's 502 for
	// a function without a handler, a rule that cannot be honoured.
	Failure *Failure
	// Problem, when set, is what is wrong with the case itself for routing
	// (a listener that does not exist, a function name that matches
	// nothing): the case fails without being run.
	Problem *validate.Finding
	// Mismatch, when set, says that the request is not routed to the
	// function the case names: an EXPECT-FUNCTION finding.
	Mismatch string
}

// route applies a Routed to its case: the event in the target group's
// mode, with its ARN.
func (c *Case) route(rt Routed) {
	if rt.Mode != "" {
		c.forceMode(rt.Mode)
	}
	changed := false
	if rt.TargetGroupARN != "" && c.Event.RequestContext.ELB.TargetGroupArn != rt.TargetGroupARN {
		c.Event.RequestContext.ELB.TargetGroupArn = rt.TargetGroupARN
		changed = true
	}
	// A full event is sent as written; a short request's event is albcheck's
	// own, built before the listener was known.
	if c.spec != nil && c.spec.Request != nil {
		if rt.Protocol != "" {
			changed = setHeader(&c.Event, "x-forwarded-proto", rt.Protocol) || changed
		}
		if rt.Port > 0 {
			changed = setHeader(&c.Event, "x-forwarded-port", strconv.Itoa(rt.Port)) || changed
		}
	}
	if changed {
		c.EventJSON = fakeevent.Marshal(c.Event)
	}
}

// setHeader sets a header the ALB adds, in the event's mode; it reports
// whether the event changed.
func setHeader(ev *events.ALBTargetGroupRequest, name, value string) bool {
	if ev.MultiValueHeaders != nil {
		if vs := ev.MultiValueHeaders[name]; len(vs) == 1 && vs[0] == value {
			return false
		}
		ev.MultiValueHeaders[name] = []string{value}
		return true
	}
	if ev.Headers == nil {
		ev.Headers = map[string]string{}
	}
	if ev.Headers[name] == value {
		return false
	}
	ev.Headers[name] = value
	return true
}

// invokeRouted runs a case through its route.
func invokeRouted(ctx context.Context, c *Case, rt Routed, timeout time.Duration) Result {
	switch {
	case rt.Handler != nil:
		if rt.Timeout > 0 {
			timeout = rt.Timeout
		}
		return rt.Handler.Invoke(ctx, c.EventJSON, timeout)
	case rt.Answer != nil:
		return Result{Payload: rt.Answer}
	case rt.Failure != nil:
		return Result{Failure: rt.Failure}
	}
	return Result{Failure: fail(validate.FUNCERROR, "the request reaches no function")}
}

// Pointer is the JSON Pointer of a field of the case in its fixture file
// (p is the field's pointer within the case, such as "/listener").
func (c *Case) Pointer(p string) string { return c.pointer(p) }

// Sent is the case's request as the client sent it, for routing: the event
// with every value of a repeated header and query key (multi mode), and
// the query string as written in the request's target. For a full event,
// which says only what the ALB passed on, it is the event as written and
// an empty query with ok false.
func (c *Case) Sent() (ev events.ALBTargetGroupRequest, rawQuery string, ok bool) {
	if c.remake == nil || c.spec == nil || c.spec.Request == nil {
		return c.Event, "", false
	}
	multi, err := c.remake(fakeevent.Multi)
	if err != nil {
		return c.Event, "", false
	}
	target, _, _ := strings.Cut(c.spec.Request.Target, "#")
	_, rawQuery, _ = strings.Cut(target, "?")
	return multi, rawQuery, true
}
