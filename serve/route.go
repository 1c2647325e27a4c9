package serve

import (
	"bytes"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/albcheck/albcheck/albroute"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/aws/aws-lambda-go/events"
)

// Target is a target group a listener forwards to, with the function
// registered with it (serve --infra).
type Target struct {
	// Name is the target group's name in the model.
	Name string
	// Function is the name in the model of the function that serves the
	// target group, recorded in the fixtures of --record.
	Function string
	// Handler invokes the function. Nil when no handler was given: a
	// request forwarded here gets the ALB's 502 and Missing in the log.
	Handler replay.Handler
	Missing string
	// Mode is the target group's mode, Timeout the function's own, ARN the
	// target group's ARN in the events.
	Mode    fakeevent.Mode
	Timeout time.Duration
	ARN     string
	// Health, when its Path is set, is the target group's health check.
	Health HealthCheck
}

// Listener is one listener served locally: its rules (nil for a server
// without routing) and where it accepts connections.
type Listener struct {
	Router   *albroute.Router
	Listener net.Listener
}

// targets are the server's targets, each once, in name order.
func (s *Server) targets() []*Target {
	if s.single != nil {
		return []*Target{s.single}
	}
	var out []*Target
	for _, name := range sortedKeys(s.o.Targets) {
		if t := s.o.Targets[name]; t != nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// closeHandlers stops every function, each once even when it serves
// several target groups.
func (s *Server) closeHandlers() {
	var closed []replay.Handler
	for _, t := range s.targets() {
		if t.Handler == nil || slices.Contains(closed, t.Handler) {
			continue
		}
		closed = append(closed, t.Handler)
		t.Handler.Close()
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// requestOf is what the ALB routes on: the path and query as received,
// still encoded, and the client's own address.
func requestOf(r *http.Request) albroute.Request {
	path, query, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(path, "/") {
		// An absolute-form target (GET http://host/path): the path is what
		// the URL parsed.
		path, query = r.URL.EscapedPath(), r.URL.RawQuery
	}
	req := albroute.Request{Method: r.Method, Path: path, RawQuery: query, Headers: r.Header, Host: r.Host}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		req.ClientIP = ap.Addr()
	}
	return req
}

// answer writes what the load balancer itself answers: a fixed response,
// a redirect, or a 502 for a rule the emulator cannot honour.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, body []byte, router *albroute.Router, d albroute.Decision, entry *access) {
	if len(d.NotEmulated) > 0 {
		s.explain("%s: %s: %v not emulated, passed through", entry.Request, ruleName(d), d.NotEmulated)
	}
	startWrite(w, s.o.IdleTimeout)
	switch d.Kind {
	case albroute.FixedResponse:
		entry.Status = d.Status
		w.Header().Set("Server", "awselb/2.0")
		w.Header().Set("Content-Type", d.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(d.Body)))
		w.WriteHeader(d.Status)
		payload := []byte(d.Body)
		if r.Method != http.MethodHead {
			_, _ = w.Write(payload)
		} else {
			payload = []byte{}
		}
		var headers map[string]string
		if d.ContentType != "" {
			headers = map[string]string{"content-type": d.ContentType}
		}
		s.record(r, body, requestBody(body), nil, router, d.Status, payload, headers)
	case albroute.Redirect:
		entry.Status = d.Status
		w.Header().Set("Server", "awselb/2.0")
		w.Header().Set("Location", d.Location)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(d.Status)
		s.record(r, body, requestBody(body), nil, router, d.Status, nil, map[string]string{"location": d.Location})
	default:
		entry.Status, entry.Reason = http.StatusBadGateway, "CannotHonour"
		s.explain("%s: the client gets 502: %s", entry.Request, d)
		s.albError(w, http.StatusBadGateway)
	}
}

// requestBody is the event of a request the load balancer answers itself,
// as far as --record reads it: whether its body goes to the fixture in
// base64.
func requestBody(body []byte) events.ALBTargetGroupRequest {
	return events.ALBTargetGroupRequest{IsBase64Encoded: !utf8.Valid(body) || bytes.Contains(body, []byte{0})}
}

// ruleName names a decision's rule for the log.
func ruleName(d albroute.Decision) string {
	if d.Rule == albroute.DefaultRule {
		return "the default action"
	}
	return "rule " + d.Rule
}
