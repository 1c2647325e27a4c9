package fakeevent

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/albcheck/albcheck/alb"
	"github.com/aws/aws-lambda-go/events"
)

// RefusedError is a request a real ALB answers itself, without invoking the
// function: Status is what the client gets.
type RefusedError struct {
	Status int
	// Reason says why, in the words of the ALB's documentation or access-log
	// error reason.
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("a real ALB answers %d %s without invoking the function: %s", e.Status, http.StatusText(e.Status), e.Reason)
}

// header is one request header line as the client sent it.
type header struct{ name, value string }

// input is a client's request, as the ALB receives it.
type input struct {
	method   string
	path     string // as sent, percent-encoding kept
	rawQuery string
	host     string
	scheme   string
	port     int
	remoteIP string
	headers  []header
	body     []byte
}

// FromHTTPRequest returns the event a real ALB makes from a client's request.
// It reads r.Body. Requests a real ALB answers itself (a body over 1 MB,
// TRACE, a WebSocket upgrade, oversized headers or URI, more than 30
// addresses in X-Forwarded-For) give a *RefusedError.
//
// The listener's scheme and port come from WithScheme and WithPort, else from
// r.URL and r.Host, else https and 443; the client's address from
// WithClientIP, else r.RemoteAddr, else a generated public address.
func FromHTTPRequest(r *http.Request, opts ...Option) (events.ALBTargetGroupRequest, error) {
	c, g := newConfig(opts)
	in := input{method: r.Method, host: r.Host, scheme: r.URL.Scheme}
	if in.host == "" {
		in.host = r.URL.Host
	}
	if r.TLS != nil && in.scheme == "" {
		in.scheme = "https"
	}
	in.path, in.rawQuery = requestTarget(r)
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		in.remoteIP = ip
	}
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.Header[name] {
			in.headers = append(in.headers, header{name, v})
		}
	}
	if r.ContentLength > alb.MaxRequestBody {
		return events.ALBTargetGroupRequest{}, tooLarge(r.ContentLength)
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(io.LimitReader(r.Body, alb.MaxRequestBody+1))
		if err != nil {
			return events.ALBTargetGroupRequest{}, fmt.Errorf("read request body: %w", err)
		}
		in.body = body
	}
	return makeEvent(in, c, g)
}

// requestTarget returns the path and query as the client sent them.
func requestTarget(r *http.Request) (path, rawQuery string) {
	if uri := r.RequestURI; strings.HasPrefix(uri, "/") {
		path, rawQuery, _ = strings.Cut(uri, "?")
		return path, rawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

func tooLarge(n int64) error {
	return &RefusedError{Status: http.StatusRequestEntityTooLarge, Reason: fmt.Sprintf("LambdaRequestTooLarge: a body of %d bytes is over the limit of %d", n, alb.MaxRequestBody)}
}

// makeEvent applies what the ALB does to a request: the one place where the
// builder and FromHTTPRequest meet the ALB's rules.
func makeEvent(in input, c *config, g *generator) (events.ALBTargetGroupRequest, error) {
	var ev events.ALBTargetGroupRequest
	switch {
	case in.method == http.MethodTrace:
		return ev, &RefusedError{Status: http.StatusMethodNotAllowed, Reason: "TRACE is not allowed"}
	case !alb.IsToken(in.method):
		return ev, &RefusedError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("%q is not an HTTP method", in.method)}
	case !strings.HasPrefix(in.path, "/"):
		return ev, &RefusedError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("the path %q does not start with /", in.path)}
	case !validEscapes(in.path):
		return ev, &RefusedError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("the path %q has a malformed percent-encoding", in.path)}
	case len(in.path)+len(in.rawQuery)+1 > alb.MaxURI:
		return ev, &RefusedError{Status: http.StatusRequestURITooLong, Reason: fmt.Sprintf("the URI is %d bytes, over %d", len(in.path)+len(in.rawQuery)+1, alb.MaxURI)}
	case len(in.body) > alb.MaxRequestBody:
		return ev, tooLarge(int64(len(in.body)))
	}

	// The headers as the function gets them: names lower-cased, in the
	// order received; the ALB's own headers replace the client's.
	var (
		hs      = make([]header, 0, len(in.headers)+6)
		total   int
		forward []string
		trace   string
	)
	for _, h := range in.headers {
		line := len(h.name) + 2 + len(h.value)
		if line > alb.MaxHeaderLine {
			return ev, &RefusedError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("the header %s is %d bytes, over %d", h.name, line, alb.MaxHeaderLine)}
		}
		total += line + 2
		if !utf8.ValidString(h.value) {
			return ev, &RefusedError{Status: http.StatusBadGateway, Reason: "LambdaBadRequest: the header " + h.name + " is not valid UTF-8"}
		}
		name := lowerName(h.name)
		switch {
		case name == "upgrade" && strings.Contains(strings.ToLower(h.value), "websocket"):
			return ev, &RefusedError{Status: http.StatusBadRequest, Reason: "WebSocket upgrades are not passed to Lambda targets"}
		case name == "host":
			if in.host == "" {
				in.host = h.value
			}
		case name == "x-forwarded-for":
			forward = append(forward, h.value)
		case name == "x-amzn-trace-id":
			trace = h.value
		case alb.AddedHeaders[name] || alb.RemovedRequestHeaders[name]:
		default:
			hs = append(hs, header{name, h.value})
		}
	}
	if total > alb.MaxRequestHeaders {
		return ev, &RefusedError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("the headers are %d bytes together, over %d", total, alb.MaxRequestHeaders)}
	}

	clientIP := c.clientIP
	if in.remoteIP != "" && !c.clientIPExplicit {
		clientIP = in.remoteIP
	}
	xff := clientIP
	if len(forward) > 0 {
		xff = strings.Join(forward, ", ") + ", " + clientIP
	}
	if n := strings.Count(xff, ",") + 1; n > alb.MaxForwardedFor {
		return ev, &RefusedError{Status: 463, Reason: fmt.Sprintf("X-Forwarded-For holds %d addresses, over %d", n, alb.MaxForwardedFor)}
	}
	scheme := c.scheme
	if scheme == "" {
		scheme = strings.ToLower(in.scheme)
	}
	if scheme != "http" {
		scheme = "https"
	}
	host := strings.ToLower(in.host)
	if host == "" {
		host = c.defaultHost()
	}
	port := c.port
	if port == 0 {
		port = in.port
	}
	if _, p, err := net.SplitHostPort(host); err == nil && port == 0 {
		port, _ = strconv.Atoi(p)
	}
	if port == 0 {
		port = 443
		if scheme == "http" {
			port = 80
		}
	}
	newTrace := g.traceID(c.now)
	if root := traceRoot(trace); root != "" {
		// A valid incoming trace is kept; the ALB adds its own segment.
		newTrace = "Self=" + strings.TrimPrefix(newTrace, "Root=") + ";" + trace
	}

	// The body: as is for the text types, base64 for everything else.
	ct, enc, hasLength := "", false, false
	for _, h := range hs {
		switch h.name {
		case "content-type":
			ct = h.value // the last one counts
		case "content-encoding":
			enc = true
		case "content-length":
			hasLength = true
		}
	}
	if len(in.body) > 0 && !hasLength {
		// The ALB reads the whole body and passes its length on.
		hs = append(hs, header{"content-length", strconv.Itoa(len(in.body))})
	}
	hs = append(hs,
		header{"host", host},
		header{"x-amzn-trace-id", newTrace},
		header{"x-forwarded-for", xff},
		header{"x-forwarded-port", strconv.Itoa(port)},
		header{"x-forwarded-proto", scheme})

	if len(in.body) > 0 {
		if alb.RequestBodyIsBase64(ct, enc) {
			ev.Body = encodeBase64(in.body)
			ev.IsBase64Encoded = true
		} else {
			if !utf8.Valid(in.body) {
				return ev, &RefusedError{Status: http.StatusBadGateway, Reason: "LambdaBadRequest: a " + ct + " body that is not valid UTF-8"}
			}
			ev.Body = string(in.body)
		}
	}

	ev.HTTPMethod = in.method
	ev.Path = in.path
	ev.RequestContext.ELB.TargetGroupArn = c.targetGroupARN()
	if c.mode == Multi {
		ev.MultiValueHeaders = make(map[string][]string, len(hs))
		for _, h := range hs {
			ev.MultiValueHeaders[h.name] = append(ev.MultiValueHeaders[h.name], h.value)
		}
		ev.MultiValueQueryStringParameters = map[string][]string{}
		for k, v := range splitQuery(in.rawQuery) {
			ev.MultiValueQueryStringParameters[k] = append(ev.MultiValueQueryStringParameters[k], v)
		}
	} else {
		ev.Headers = make(map[string]string, len(hs))
		for _, h := range hs {
			ev.Headers[h.name] = h.value // the last value wins [S1]
		}
		ev.QueryStringParameters = map[string]string{}
		for k, v := range splitQuery(in.rawQuery) {
			ev.QueryStringParameters[k] = v
		}
	}
	return ev, nil
}

// splitQuery yields the key and value of each query parameter as sent:
// nothing is decoded, "+" stays "+", a key without "=" has the value "".
func splitQuery(raw string) func(yield func(string, string) bool) {
	return func(yield func(string, string) bool) {
		for part := range strings.SplitSeq(raw, "&") {
			if part == "" {
				continue
			}
			k, v, _ := strings.Cut(part, "=")
			if !yield(k, v) {
				return
			}
		}
	}
}

// traceRoot returns an X-Amzn-Trace-Id value's Root field when it is valid.
func traceRoot(v string) string {
	for field := range strings.SplitSeq(v, ";") {
		if r, ok := strings.CutPrefix(field, "Root=1-"); ok && len(r) == 33 && r[8] == '-' {
			return field
		}
	}
	return ""
}

// validEscapes reports whether every % in s starts a two-hex-digit escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// commonNames maps the canonical form of common header names to their lower
// case, so that building an event does not allocate for them.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Cache-Control",
		"Connection", "Content-Encoding", "Content-Length", "Content-Type", "Cookie", "Host", "If-Modified-Since",
		"If-None-Match", "Origin", "Pragma", "Referer", "User-Agent", "X-Amzn-Trace-Id", "X-Forwarded-For",
		"X-Forwarded-Port", "X-Forwarded-Proto", "X-Request-Id", "Upgrade", "Expect", "Transfer-Encoding"} {
		m[n] = strings.ToLower(n)
	}
	return m
}()

func lowerName(name string) string {
	if l, ok := commonNames[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// encodeBase64 is base64.StdEncoding.EncodeToString without its second copy:
// the encoder writes straight into the string's own memory.
func encodeBase64(p []byte) string {
	var sb strings.Builder
	sb.Grow(base64.StdEncoding.EncodedLen(len(p)))
	enc := base64.NewEncoder(base64.StdEncoding, &sb)
	_, _ = enc.Write(p) // a strings.Builder does not fail
	_ = enc.Close()
	return sb.String()
}
