package gen

import (
	"slices"
	"strings"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/aws/aws-lambda-go/events"
)

// Request is a client's request as it reaches the ALB, before the ALB turns
// it into an event: the path and query still encoded as sent, the headers
// in the client's order and casing, the body as bytes.
type Request struct {
	// Mode is the target group's mode.
	Mode fakeevent.Mode
	// HealthCheck makes the event an ALB health check on Path and Query;
	// Method, Host, Headers and Body are then not used.
	HealthCheck bool
	Method      string
	// Path is the path as sent, percent-encoding kept; it starts with /.
	Path  string
	Query []Param
	// Host is the Host header ("" for the load balancer's DNS name); Scheme
	// the listener's protocol ("" for https).
	Host, Scheme string
	Headers      []Header
	Body         []byte
	// Seed makes the ids the ALB adds (trace id, client address, target
	// group) reproducible.
	Seed uint64
}

// Param is one query parameter as sent: Key and Value still encoded.
// NoEquals is a key sent without "=" ("?debug"); its value is "".
type Param struct {
	Key, Value string
	NoEquals   bool
}

// Header is one header line as the client sent it.
type Header struct {
	Name, Value string
}

// RawQuery is the query string as sent, without the "?".
func (r *Request) RawQuery() string {
	var b strings.Builder
	for i, p := range r.Query {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.Key)
		if !p.NoEquals {
			b.WriteByte('=')
			b.WriteString(p.Value)
		}
	}
	return b.String()
}

// Target is the request target: the path and, when there is one, the query.
func (r *Request) Target() string {
	if len(r.Query) == 0 {
		return r.Path
	}
	return r.Path + "?" + r.RawQuery()
}

// Clone returns a copy that shares nothing mutable with r (the body's bytes
// are shared: nothing here writes into them).
func (r *Request) Clone() *Request {
	c := *r
	c.Query = slices.Clone(r.Query)
	c.Headers = slices.Clone(r.Headers)
	return &c
}

// Event returns the event a real ALB sends for the request, made by
// package fakeevent. An error is a request the ALB answers itself (a
// *fakeevent.RefusedError); the generator makes none.
func (r *Request) Event() (events.ALBTargetGroupRequest, error) {
	mode := r.Mode
	if mode == "" {
		mode = fakeevent.Single
	}
	if r.HealthCheck {
		return fakeevent.HealthCheck(r.Target(), fakeevent.WithMode(mode), fakeevent.WithSeed(r.Seed))
	}
	b := fakeevent.New(r.Method, r.Target()).Mode(mode).Seed(r.Seed)
	if r.Host != "" {
		b.Host(r.Host)
	}
	if r.Scheme != "" {
		b.Scheme(r.Scheme)
	}
	for _, h := range r.Headers {
		b.Header(h.Name, h.Value)
	}
	if len(r.Body) > 0 {
		b.BodyBytes(r.Body)
	}
	return b.Event()
}

// JSON returns the event as a real ALB writes it (fakeevent.Marshal).
func (r *Request) JSON() ([]byte, error) {
	ev, err := r.Event()
	if err != nil {
		return nil, err
	}
	return fakeevent.Marshal(ev), nil
}

// header returns the last value of a header (any case) and whether it is
// there.
func (r *Request) header(name string) (string, bool) {
	for i := len(r.Headers) - 1; i >= 0; i-- {
		if strings.EqualFold(r.Headers[i].Name, name) {
			return r.Headers[i].Value, true
		}
	}
	return "", false
}

// size is how large the request is, to tell the smaller of two.
func (r *Request) size() int {
	n := len(r.Method) + len(r.Target()) + len(r.Host) + len(r.Body)
	for _, h := range r.Headers {
		n += len(h.Name) + len(h.Value) + 4
	}
	return n
}

// Size is the request's size in bytes, as a client would send it (request
// line, headers and body, roughly): the measure shrinking reduces.
func (r *Request) Size() int { return r.size() }
