// Package serve is a local Application Load Balancer: an HTTP server that
// turns each request into the event a real ALB sends, invokes a function
// (through any replay.Handler), and answers the client as the ALB would,
// its own 502 and the reason included.
package serve

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/albroute"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
)

// Options configure a Server.
type Options struct {
	Handler replay.Handler
	Mode    fakeevent.Mode
	// Timeout is the function's timeout per invocation.
	Timeout time.Duration
	// Log receives one access-log line per request, the explanation of
	// every 502, and the findings about every answer passed on.
	Log io.Writer
	// JSONLog writes the access log as JSON lines.
	JSONLog bool
	// RecordDir, when set, receives every exchange as a fixture file.
	RecordDir     string
	RecordSecrets bool
	// TargetGroupARN names the target group in the events.
	TargetGroupARN string
	// Health, when its Path is set, runs the target group's health check.
	Health HealthCheck
	// Router, when set, routes every request through a listener's rules
	// (serve --infra): a forward goes to the target group's entry of
	// Targets, in that target group's mode, with its function's timeout;
	// fixed responses and redirects are answered by the server itself.
	Router *albroute.Router
	// Targets are the target groups Router forwards to, by name in the
	// model; RunListeners serves several listeners, each with its own
	// Router, with one set. With Targets set, Handler, Mode, Timeout,
	// TargetGroupARN and Health are unused: each Target has its own.
	Targets map[string]*Target
	// IdleTimeout is how long a client connection may stay silent: an idle
	// keep-alive connection, or a client that sends no header, is closed
	// after it; a client that stops sending its body for that long gets
	// 408; one that stops reading the answer is dropped. Zero means
	// alb.IdleTimeout, the ALB's default.
	IdleTimeout time.Duration
}

// Server is the local ALB.
type Server struct {
	o     Options
	logMu sync.Mutex
	rec   recorder
	// single is the one target of a server without a Router.
	single *Target
}

// New returns a server; serve it with http.Serve or Run.
func New(o Options) *Server {
	if o.Timeout <= 0 {
		o.Timeout = replay.DefaultTimeout
	}
	if o.Mode == "" {
		o.Mode = fakeevent.Single
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = alb.IdleTimeout
	}
	s := &Server{o: o}
	if o.Router == nil && o.Targets == nil {
		s.single = &Target{Handler: o.Handler, Mode: o.Mode, Timeout: o.Timeout, ARN: o.TargetGroupARN, Health: o.Health}
	}
	return s
}

// drainTimeout bounds the wait for in-flight requests once serving stops.
// It is half of the 10 s that docker stop and Kubernetes leave between
// SIGTERM and SIGKILL by default, so that the function processes are still
// stopped by albcheck, not orphaned by the kill.
const drainTimeout = 5 * time.Second

// Run serves on ln until ctx ends, then drains in-flight requests (up to
// drainTimeout) and stops the function processes.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	return s.RunListeners(ctx, []Listener{{Router: s.o.Router, Listener: ln}})
}

// RunListeners serves each listener until ctx ends, then drains in-flight
// requests (up to drainTimeout) and stops the function processes of every
// target. Health checks run once per target group, however many listeners
// forward to it.
func (s *Server) RunListeners(ctx context.Context, listeners []Listener) error {
	// The idle timeout bounds the wait for the next request on a kept-alive
	// connection and, as a whole, the header of each request (Go cannot
	// time a header per read; headers are small).
	var srvs []*http.Server
	errc := make(chan error, len(listeners))
	for _, l := range listeners {
		srv := &http.Server{Handler: s.handler(l.Router), ReadHeaderTimeout: s.o.IdleTimeout, IdleTimeout: s.o.IdleTimeout, Protocols: new(http.Protocols)}
		// HTTP/1.1, and HTTP/2 without TLS for clients that know to speak it
		// (curl --http2-prior-knowledge): what Go's server gives without a
		// certificate. A real ALB speaks HTTP/2 to clients over TLS only, but
		// invokes Lambda with the same event either way.
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
		srvs = append(srvs, srv)
		go func() { errc <- srv.Serve(l.Listener) }()
	}
	hctx, stopHealth := context.WithCancel(ctx)
	var health sync.WaitGroup
	for _, t := range s.targets() {
		if t.Health.Path != "" && t.Handler != nil {
			health.Go(func() { s.checkHealth(hctx, t) })
		}
	}
	stop := func() {
		stopHealth()
		health.Wait()
	}
	closeAll := func() {
		for _, srv := range srvs {
			_ = srv.Close()
		}
	}
	select {
	case err := <-errc:
		stop()
		closeAll()
		s.closeHandlers()
		return err
	case <-ctx.Done():
	}
	stop()
	shutdown, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	errs := make(chan error, len(srvs))
	for _, srv := range srvs {
		go func() { errs <- srv.Shutdown(shutdown) }()
	}
	var err error
	for range srvs {
		if e := <-errs; e != nil {
			err = e
		}
	}
	// Stopping the functions ends the invocations still under way: their
	// clients then get the ALB's 502, and a moment more lets it be written.
	s.closeHandlers()
	if errors.Is(err, context.DeadlineExceeded) {
		written, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for _, srv := range srvs {
			if srv.Shutdown(written) != nil {
				_ = srv.Close()
			}
		}
		return fmt.Errorf("stopped with requests still in flight: %w", err)
	}
	return nil
}

// access is one access-log entry, with the fields of an ALB access log that
// make sense locally.
type access struct {
	Time         string  `json:"time"`
	Client       string  `json:"client"`
	Request      string  `json:"request"`
	Status       int     `json:"elb_status_code"`
	TargetStatus string  `json:"target_status_code"`
	RequestMs    float64 `json:"request_processing_time_ms"`
	TargetMs     float64 `json:"target_processing_time_ms"`
	ResponseMs   float64 `json:"response_processing_time_ms"`
	Reason       string  `json:"error_reason,omitempty"`
	// Rule and TargetGroup name the listener rule that matched and the
	// target group that served the request, when routing (serve --infra);
	// Priority is the rule's (0 for the default actions), as the ALB's
	// matched_rule_priority.
	Rule        string `json:"rule,omitempty"`
	Priority    int    `json:"matched_rule_priority,omitempty"`
	TargetGroup string `json:"target_group,omitempty"`
	// Findings are the rule findings about the function's answer, whether
	// the client got it or the ALB's 502.
	Findings []string `json:"findings,omitempty"`
	// Environment is the id of the execution environment that served the
	// request; ColdStart says the request started it, which took InitMs, as
	// Lambda's REPORT line has Init Duration. WaitedMs is how long the
	// request waited for an environment, all of them busy at the limit.
	Environment string  `json:"environment,omitempty"`
	ColdStart   bool    `json:"cold_start,omitempty"`
	InitMs      float64 `json:"init_duration_ms,omitempty"`
	WaitedMs    float64 `json:"waited_for_environment_ms,omitempty"`
}

// ServeHTTP handles one client request as the ALB would, routed by
// Options.Router when set.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, s.o.Router)
}

// handler serves the requests of one listener.
func (s *Server) handler(router *albroute.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, router) })
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, router *albroute.Router) {
	start := time.Now()
	entry := access{Time: start.UTC().Format(time.RFC3339Nano), Client: r.RemoteAddr, Request: r.Method + " " + r.RequestURI + " " + r.Proto, TargetStatus: "-"}
	defer func() { s.log(entry) }()

	// A write deadline left from an earlier request on this connection must
	// not cut this one's interim writes (100 Continue).
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	// The body as the client sent it, kept for --record.
	body, err := readBody(w, r, alb.MaxRequestBody+1, s.o.IdleTimeout)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The ALB's answer to a client that stops sending [S4].
		entry.Status = http.StatusRequestTimeout
		s.explain("%s: no data from the client for %s (the idle timeout): the client gets 408", entry.Request, s.o.IdleTimeout)
		w.Header().Set("Connection", "close")
		s.albError(w, http.StatusRequestTimeout)
		return
	}
	if err != nil {
		entry.Status, entry.Reason = http.StatusBadRequest, "ClientBodyReadError"
		s.albError(w, http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	target := s.single
	if router == nil && target == nil {
		// Targets without a Router to choose among them.
		entry.Status, entry.Reason = http.StatusBadGateway, "NoRouter"
		s.explain("%s: the client gets 502: the listener has no rules to route by (serve.Listener.Router is nil)", entry.Request)
		s.albError(w, http.StatusBadGateway)
		return
	}
	if router != nil {
		d := router.Route(requestOf(r))
		entry.Rule, entry.Priority, entry.TargetGroup = d.Rule, d.Priority, d.TargetGroup
		if d.Kind != albroute.Forward {
			s.answer(w, r, body, router, d, &entry)
			return
		}
		target = s.o.Targets[d.TargetGroup]
		if target == nil || target.Handler == nil {
			entry.Status, entry.Reason = http.StatusBadGateway, "LambdaUnhandled"
			missing := "no function registered with it in the model"
			if target != nil {
				missing = target.Missing
			}
			s.explain("%s: the client gets 502: %s forwards to target group %s: %s", entry.Request, ruleName(d), d.TargetGroup, missing)
			s.albError(w, http.StatusBadGateway)
			return
		}
	}
	opts := []fakeevent.Option{fakeevent.WithMode(target.Mode)}
	switch {
	case router != nil:
		// The listener's protocol and port as the client of the real ALB
		// sees them: an HTTPS listener on 443 served as plain HTTP on 8443
		// still says https and 443 (x-forwarded-proto, x-forwarded-port).
		l := router.Listener()
		opts = append(opts, fakeevent.WithScheme(strings.ToLower(cmp.Or(l.Protocol, "HTTP"))))
		if l.Port > 0 {
			opts = append(opts, fakeevent.WithPort(l.Port))
		}
	case r.TLS != nil:
		opts = append(opts, fakeevent.WithScheme("https"))
	default:
		opts = append(opts, fakeevent.WithScheme("http"))
	}
	if router == nil {
		if _, port, err := net.SplitHostPort(localAddr(r)); err == nil {
			p, _ := strconv.Atoi(port)
			opts = append(opts, fakeevent.WithPort(p))
		}
	}
	if target.ARN != "" {
		opts = append(opts, fakeevent.WithTargetGroupARN(target.ARN))
	}
	ev, err := fakeevent.FromHTTPRequest(r, opts...)
	var refused *fakeevent.RefusedError
	if errors.As(err, &refused) {
		entry.Status, entry.Reason = refused.Status, refused.Reason
		s.explain("%s: refused before invoking the function: %s", entry.Request, refused.Reason)
		s.albError(w, refused.Status)
		return
	}
	if err != nil {
		entry.Status, entry.Reason = http.StatusBadRequest, err.Error()
		s.albError(w, http.StatusBadRequest)
		return
	}
	doc := fakeevent.Marshal(ev)
	t0 := time.Now()
	entry.RequestMs = ms(t0.Sub(start))
	// A client that goes away does not cancel the invocation: the ALB has
	// invoked Lambda synchronously, and the function runs to its answer or
	// its timeout. Ending it here would stop a healthy environment, and the
	// next request would pay a cold start that production never shows.
	// Stopping serve still ends it (closeHandlers).
	res := target.Handler.Invoke(context.WithoutCancel(r.Context()), doc, target.Timeout)
	entry.TargetMs = ms(time.Since(t0))
	entry.Environment, entry.ColdStart = res.Environment, res.InitDuration > 0
	entry.InitMs, entry.WaitedMs = ms(res.InitDuration), ms(res.Waited)
	if res.Waited > 0 {
		s.explain("%s: waited %.3f s for a free environment: every one was busy at the concurrency limit (--max-concurrency; --throttle refuses instead, as Lambda does)", entry.Request, res.Waited.Seconds())
	}
	t1 := time.Now()
	defer func() { entry.ResponseMs = ms(time.Since(t1)) }()

	if res.Failure == nil {
		// The function's output is shown with failures only, but what
		// albcheck noted about its processes (a process replaced after it
		// exited or stalled, a second answer refused) explains a slow or
		// odd request even when it passes.
		for line := range strings.Lines(string(res.Logs)) {
			if note, ok := strings.CutPrefix(line, replay.NotePrefix); ok {
				s.explain("%s: %s", entry.Request, strings.TrimRight(note, "\n"))
			}
		}
	}
	if res.Throttled {
		// Lambda refused the invocation at the function's concurrency
		// limit; the ALB answers 502 with LambdaThrottling in its access
		// log (the ELB guide's access-log error reasons).
		entry.Status, entry.Reason = http.StatusBadGateway, "LambdaThrottling"
		s.explain("%s: the client gets 502 (%s): %s", entry.Request, entry.Reason, res.Failure.Message)
		s.albError(w, http.StatusBadGateway)
		return
	}
	if res.Failure != nil {
		entry.Status, entry.Reason = http.StatusBadGateway, reasonOf(res.Failure.Rule)
		s.explain("%s: the client gets 502 (%s): %s %s%s", entry.Request, entry.Reason, res.Failure.Rule, res.Failure.Message, logsText(res.Logs))
		s.albError(w, http.StatusBadGateway)
		s.record(r, body, ev, target, router, http.StatusBadGateway, nil, nil)
		return
	}
	resp, rep := fakeevent.ClientResponse(ev, res.Payload)
	entry.TargetStatus = strconv.Itoa(resp.StatusCode)
	entry.Findings = findingLines(rep)
	switch {
	case rep.ClientStatus() != 0:
		// The client got the ALB's 502; the log shows what the function said.
		var status struct {
			StatusCode json.Number `json:"statusCode"`
		}
		entry.TargetStatus = "-"
		if json.Unmarshal(res.Payload, &status) == nil && status.StatusCode != "" {
			entry.TargetStatus = status.StatusCode.String()
		}
		entry.Reason = "LambdaInvalidResponse"
		if rep.Has(validate.RESP008) {
			entry.Reason = "LambdaResponseTooLarge"
		}
		s.explain("%s: the client gets 502 (%s):\n%s\n  the function answered: %s%s", entry.Request, entry.Reason, indent(entry.Findings), preview(res.Payload), logsText(res.Logs))
	case !alb.IsFinalStatus(resp.StatusCode):
		// An interim status cannot end the exchange: written as is, Go's
		// server would send it as an informational line and then an empty
		// 200 (or, for 101, leave the client waiting on a switched
		// connection). The client gets the ALB's 502 instead.
		entry.Status, entry.Reason = http.StatusBadGateway, "LambdaInvalidResponse"
		why := fmt.Sprintf("    /statusCode: %d is an informational (1xx) status, not a final answer; albcheck gives the ALB's 502 for a response it cannot use", resp.StatusCode)
		if len(entry.Findings) > 0 {
			why += "\n" + indent(entry.Findings)
		}
		s.explain("%s: the client gets 502 (%s):\n%s\n  the function answered: %s%s", entry.Request, entry.Reason, why, preview(res.Payload), logsText(res.Logs))
		s.albError(w, http.StatusBadGateway)
		s.record(r, body, ev, target, router, http.StatusBadGateway, nil, nil)
		return
	case len(entry.Findings) > 0:
		// Passed on, but something the function meant may be lost on the
		// way (RESP-006 headers) or is likely a bug (the warnings).
		s.explain("%s: the client gets %d, but:\n%s", entry.Request, resp.StatusCode, indent(entry.Findings))
	}
	entry.Status = resp.StatusCode
	payload, _ := io.ReadAll(resp.Body)
	startWrite(w, s.o.IdleTimeout)
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method != http.MethodHead {
		if _, err := w.Write(payload); err != nil {
			// Most often a client that stopped reading for the idle timeout.
			s.explain("%s: the answer did not reach the client: %v", entry.Request, err)
		}
	}
	s.record(r, body, ev, target, router, resp.StatusCode, payload, nil)
}

// albError writes the ALB's own error page for a status.
func (s *Server) albError(w http.ResponseWriter, status int) {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	if status == 463 {
		text = "463"
	}
	page := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text + "</h1></center>\r\n</body>\r\n</html>\r\n"
	startWrite(w, s.o.IdleTimeout)
	w.Header().Set("Server", "awselb/2.0")
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, page)
}

// reasonOf names a function failure as an ALB access log does.
func reasonOf(rule validate.RuleID) string {
	if rule == validate.FUNCTIMEOUT {
		return "LambdaTimeout"
	}
	return "LambdaUnhandled"
}

func (s *Server) log(e access) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	if s.o.JSONLog {
		b, _ := json.Marshal(e)
		fmt.Fprintf(s.o.Log, "%s\n", b)
		return
	}
	reason := e.Reason
	if reason == "" {
		reason = "-"
	}
	routed := ""
	if e.Rule != "" {
		// The ALB's access log has matched_rule_priority and
		// target_group_arn; locally the names say more.
		routed = fmt.Sprintf(" rule=%s", e.Rule)
		if e.TargetGroup != "" {
			routed += " target_group=" + e.TargetGroup
		}
	}
	env := ""
	if e.ColdStart {
		// Lambda's REPORT line has Init Duration for a cold start.
		env += fmt.Sprintf(" cold_start init=%.3f", e.InitMs/1000)
	}
	if e.WaitedMs > 0 {
		env += fmt.Sprintf(" waited=%.3f", e.WaitedMs/1000)
	}
	fmt.Fprintf(s.o.Log, "%s %s %q %d %s %.3f %.3f %.3f %q%s%s\n", e.Time, e.Client, e.Request, e.Status, e.TargetStatus, e.RequestMs, e.TargetMs, e.ResponseMs, reason, env, routed)
}

func (s *Server) explain(format string, args ...any) {
	if s.o.JSONLog {
		return // the JSON log carries error_reason; explanations are for people
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.o.Log, "  "+format+"\n", args...)
}

func localAddr(r *http.Request) string {
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return a.String()
	}
	return ""
}

// findingLines are a report's findings, one line each.
func findingLines(rep validate.Report) []string {
	var lines []string
	for _, f := range rep.Findings {
		lines = append(lines, f.String())
	}
	return lines
}

func indent(lines []string) string {
	return "    " + strings.Join(lines, "\n    ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func preview(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func logsText(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return "\n  function output:\n    " + strings.ReplaceAll(strings.TrimRight(string(b), "\n"), "\n", "\n    ")
}
