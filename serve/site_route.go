package serve

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/albroute"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// RouteCase routes a replay case as the site routes a client's request
// (replay --infra): through the listener the case names by port (or the
// only one), to the target group's function, or to the load balancer's own
// fixed response or redirect. It is replay.Options.Route.
func (s *Site) RouteCase(c *replay.Case) replay.Routed {
	router, problem := s.listenerFor(c)
	if problem != nil {
		return replay.Routed{Problem: problem}
	}
	var want string
	if c.Function != "" && s.project != nil {
		fn := s.project.FunctionNamed(c.Function)
		if fn == nil {
			f := validate.NewFinding(validate.FIX001, c.Pointer("/function"), fmt.Sprintf("--infra: no function named %q in the files", c.Function))
			return replay.Routed{Problem: &f}
		}
		want = fn.Name
	}
	d := router.Route(caseRequest(c))
	var rt replay.Routed
	where := ""
	switch d.Kind {
	case albroute.Forward:
		t := s.Targets[d.TargetGroup]
		where = "target group " + d.TargetGroup
		switch {
		case t == nil:
			rt.Failure = &replay.Failure{Rule: validate.FUNCINIT, Message: fmt.Sprintf("the ALB answers 502: %s forwards to %s, which has no Lambda function", ruleName(d), where)}
		case t.Handler == nil:
			rt.Function = t.Function
			rt.Failure = &replay.Failure{Rule: validate.FUNCINIT, Message: fmt.Sprintf("the ALB answers 502: %s forwards to %s: %s", ruleName(d), where, t.Missing)}
		default:
			rt = replay.Routed{Handler: t.Handler, Timeout: t.Timeout, Mode: t.Mode, TargetGroupARN: t.ARN, Function: t.Function}
			if port := s.port(router); port > 0 {
				rt.Protocol, rt.Port = strings.ToLower(cmp.Or(router.Listener().Protocol, "HTTP")), port
			}
		}
		if rt.Function != "" {
			where += " (function " + rt.Function + ")"
		}
	case albroute.FixedResponse:
		where = fmt.Sprintf("a fixed response %d", d.Status)
		body := d.Body
		if c.Event.HTTPMethod == http.MethodHead {
			body = "" // the load balancer sends no body to HEAD
		}
		rt.Answer = answerDocument(c.Mode, d.Status, map[string]string{"content-type": d.ContentType}, body)
	case albroute.Redirect:
		where = fmt.Sprintf("a redirect %d to %s", d.Status, d.Location)
		rt.Answer = answerDocument(c.Mode, d.Status, map[string]string{"location": d.Location}, "")
	default:
		where = "an action the emulator cannot honour"
		rt.Failure = &replay.Failure{Rule: validate.FUNCERROR, Message: "the request cannot be served: " + d.String()}
	}
	if want != "" && rt.Function != want {
		rt.Mismatch = fmt.Sprintf("routed by %s of listener %s to %s, not to function %s", ruleName(d), router.Listener().Name, where, want)
	}
	return rt
}

// port is the port a case names a listener by: the one SiteOptions.Ports
// gives it, else the files' (0 when they give none).
func (s *Site) port(r *albroute.Router) int {
	l := r.Listener()
	if p, ok := s.ports[l.Name]; ok {
		return p
	}
	return l.Port
}

// listenerFor is the router of the listener a case goes to.
func (s *Site) listenerFor(c *replay.Case) (*albroute.Router, *validate.Finding) {
	var served []*albroute.Router
	var ports, names []string
	for _, r := range s.Listeners {
		if p := s.port(r); p > 0 {
			served = append(served, r)
			ports = append(ports, strconv.Itoa(p))
			names = append(names, strconv.Itoa(p))
		} else {
			// Without a port a listener cannot be named by one: the list
			// says which name to map with --port.
			names = append(names, r.Listener().Name+" (no port: map it with --port LISTENER=PORT)")
		}
	}
	if c.Listener != 0 {
		for _, r := range served {
			if s.port(r) == c.Listener {
				return r, nil
			}
		}
		f := validate.NewFinding(validate.FIX001, c.Pointer("/listener"), fmt.Sprintf("--infra: no listener on port %d (listeners: %s)", c.Listener, strings.Join(names, ", ")))
		return nil, &f
	}
	// The only listener of the files needs no name, port or not: a
	// Serverless service attaches its rules to one listener made elsewhere.
	if len(s.Listeners) == 1 {
		return s.Listeners[0], nil
	}
	if len(served) == 1 {
		return served[0], nil
	}
	msg := "--infra: no listener in the files"
	if len(s.Listeners) > 0 {
		msg = fmt.Sprintf("--infra: no listener with a port in the files (listeners: %s)", strings.Join(names, ", "))
	}
	if len(served) > 1 {
		msg = fmt.Sprintf("--infra: the files have listeners on ports %s: say which the case goes to with \"listener\"", strings.Join(ports, ", "))
	}
	f := validate.NewFinding(validate.FIX001, c.Pointer(""), msg)
	return nil, &f
}

// caseRequest is what the ALB routes on, read back from a case's request
// as sent (a short request: every header value, the query as written) or
// from its event: the query as the event carries it (as received, still
// encoded), and the client's address as the last x-forwarded-for entry,
// which the ALB appends.
func caseRequest(c *replay.Case) albroute.Request {
	ev, rawQuery, sent := c.Sent()
	req := albroute.Request{Method: ev.HTTPMethod, Path: ev.Path, Headers: map[string][]string{}}
	for k, v := range ev.Headers {
		req.Headers[k] = []string{v}
	}
	for k, vs := range ev.MultiValueHeaders {
		req.Headers[k] = vs
	}
	var query []string
	for _, k := range sortedKeys(ev.QueryStringParameters) {
		query = append(query, k+"="+ev.QueryStringParameters[k])
	}
	for _, k := range sortedKeys(ev.MultiValueQueryStringParameters) {
		for _, v := range ev.MultiValueQueryStringParameters[k] {
			query = append(query, k+"="+v)
		}
	}
	req.RawQuery = strings.Join(query, "&")
	if sent {
		req.RawQuery = rawQuery
	}
	for name, vs := range req.Headers {
		if strings.EqualFold(name, "x-forwarded-for") && len(vs) > 0 {
			list := strings.Split(vs[len(vs)-1], ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(list[len(list)-1])); err == nil {
				req.ClientIP = ip
			}
		}
		if strings.EqualFold(name, "host") && len(vs) > 0 {
			req.Host = vs[len(vs)-1]
		}
	}
	return req
}

// answerDocument is the load balancer's own answer written as a function's
// response document in the case's mode, so that replay checks it as it
// checks any answer.
func answerDocument(mode fakeevent.Mode, status int, headers map[string]string, body string) []byte {
	resp := events.ALBTargetGroupResponse{StatusCode: status, StatusDescription: strconv.Itoa(status) + " " + http.StatusText(status), Body: body}
	names := sortedKeys(headers)
	if mode == fakeevent.Multi {
		resp.MultiValueHeaders = map[string][]string{}
		for _, k := range names {
			resp.MultiValueHeaders[k] = []string{headers[k]}
		}
	} else {
		resp.Headers = map[string]string{}
		for _, k := range names {
			resp.Headers[k] = headers[k]
		}
	}
	b, _ := json.Marshal(resp)
	return b
}
