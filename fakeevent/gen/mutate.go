package gen

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/aws/aws-lambda-go/events"
)

// FromEvent recovers the client's request from an event (a fixture's, say),
// so that it can be mutated: the headers the ALB adds are dropped, the body
// is decoded, the query is rebuilt from the event's map (keys sorted, the
// values of a key in order). Header names come back lower-case, as the
// event has them.
func FromEvent(ev events.ALBTargetGroupRequest) *Request {
	r := &Request{Method: ev.HTTPMethod, Path: ev.Path, Mode: fakeevent.Single}
	if ev.MultiValueHeaders != nil || ev.MultiValueQueryStringParameters != nil {
		r.Mode = fakeevent.Multi
	}
	for _, k := range sortedKeys(ev.QueryStringParameters) {
		r.Query = append(r.Query, Param{Key: k, Value: ev.QueryStringParameters[k]})
	}
	for _, k := range sortedKeys(ev.MultiValueQueryStringParameters) {
		for _, v := range ev.MultiValueQueryStringParameters[k] {
			r.Query = append(r.Query, Param{Key: k, Value: v})
		}
	}
	addHeader := func(name, value string) {
		switch {
		case name == "host":
			r.Host = value
		case name == "x-forwarded-proto":
			r.Scheme = value
		case name == "user-agent" && alb.IsHealthCheckUserAgent(value) && len(ev.Headers)+len(ev.MultiValueHeaders) == 1:
			r.HealthCheck = true
		case alb.AddedHeaders[name], name == "content-length":
		default:
			r.Headers = append(r.Headers, Header{name, value})
		}
	}
	for _, k := range sortedKeys(ev.Headers) {
		addHeader(k, ev.Headers[k])
	}
	for _, k := range sortedKeys(ev.MultiValueHeaders) {
		for _, v := range ev.MultiValueHeaders[k] {
			addHeader(k, v)
		}
	}
	if ev.IsBase64Encoded {
		r.Body, _ = base64.StdEncoding.DecodeString(ev.Body)
	} else if ev.Body != "" {
		r.Body = []byte(ev.Body)
	}
	if r.Method == "" {
		r.Method = "GET"
	}
	if !strings.HasPrefix(r.Path, "/") {
		r.Path = "/" + r.Path
	}
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Mutate returns a copy of r with one to four changes drawn from the
// grammar: a header added, dropped, repeated or re-cased; a query parameter
// added or dropped; a path segment added or the path replaced; the body
// replaced by one of another kind; the method or the mode changed. r itself
// is not modified. A health check stays one.
func Mutate(src Source, r *Request) *Request {
	m := r.Clone()
	if m.HealthCheck {
		if src.IntN(2) == 0 {
			m.Mode = otherMode(m.Mode)
		} else {
			m.Path = genPath(src, 256)
		}
		return m
	}
	for range 1 + src.IntN(4) {
		switch src.IntN(10) {
		case 0:
			m.Headers = genHeaders(src, m.Headers, len(m.Body) > 0)
		case 1:
			if len(m.Headers) > 0 {
				i := src.IntN(len(m.Headers))
				m.Headers = slices.Delete(m.Headers, i, i+1)
			}
		case 2:
			if len(m.Headers) > 0 {
				h := m.Headers[src.IntN(len(m.Headers))]
				m.Headers = append(m.Headers, Header{caseStyle(src, h.Name), h.Value})
			}
		case 3:
			m.Query = append(m.Query, genQuery(src)...)
		case 4:
			if len(m.Query) > 0 {
				i := src.IntN(len(m.Query))
				m.Query = slices.Delete(m.Query, i, i+1)
			}
		case 5:
			m.Path = strings.TrimSuffix(m.Path, "/") + "/" + genSegment(src)
		case 6:
			m.Path = genPath(src, 1024)
		case 7:
			body, hs := genBody(src, "POST")
			m.Headers = slices.DeleteFunc(m.Headers, func(h Header) bool {
				n := strings.ToLower(h.Name)
				return n == "content-type" || n == "content-encoding" || n == "content-length"
			})
			m.Body, m.Headers = body, append(m.Headers, hs...)
		case 8:
			m.Method = genMethod(src)
		case 9:
			m.Mode = otherMode(m.Mode)
		}
	}
	m.fitLimits()
	return m
}

func otherMode(m fakeevent.Mode) fakeevent.Mode {
	if m == fakeevent.Multi {
		return fakeevent.Single
	}
	return fakeevent.Multi
}

// fitLimits brings a mutated request back within the ALB's limits on the
// request target and the headers: mutations add, and the ALB would answer
// an oversized request itself.
func (r *Request) fitLimits() {
	for len(r.Query) > 0 && len(r.Path)+1+len(r.RawQuery())+uriSlack(r.Query) > alb.MaxURI {
		r.Query = r.Query[:len(r.Query)-1]
	}
	if len(r.Path)+uriSlack(r.Query) > alb.MaxURI {
		r.Path = "/"
	}
	forwarded := 0
	r.Headers = slices.DeleteFunc(r.Headers, func(h Header) bool {
		if !strings.EqualFold(h.Name, "x-forwarded-for") {
			return false
		}
		n := strings.Count(h.Value, ",") + 1
		if forwarded+n >= alb.MaxForwardedFor { // the ALB appends one more
			return true
		}
		forwarded += n
		return false
	})
	total := 0
	for i, h := range r.Headers {
		total += len(h.Name) + len(h.Value) + 4
		if total > headerBudget {
			r.Headers = r.Headers[:i]
			break
		}
	}
	if len(r.Body) > alb.MaxRequestBody {
		r.Body = r.Body[:alb.MaxRequestBody]
	}
}
