package gen

import (
	"slices"
	"strings"
)

// Shrinks returns smaller variants of r, the most promising first: no body,
// half the body, each header dropped, each query parameter dropped, the path
// cut to "/", its last segment dropped, the path halved, each query value
// and header value halved. A shrinker tries them in order and keeps the
// first that still fails the same way, then asks again, until none does.
func (r *Request) Shrinks() []*Request {
	var out []*Request
	with := func(f func(c *Request)) {
		c := r.Clone()
		f(c)
		if c.size() < r.size() {
			out = append(out, c)
		}
	}
	if len(r.Body) > 0 {
		with(func(c *Request) {
			c.Body = nil
			c.Headers = slices.DeleteFunc(c.Headers, func(h Header) bool {
				return strings.EqualFold(h.Name, "content-length")
			})
		})
		for _, keep := range []int{2, 4, 16} {
			if cut := len(r.Body) / keep; cut > 0 {
				with(func(c *Request) { c.Body = c.Body[:len(c.Body)-cut]; c.dropContentLength() })
			}
		}
	}
	for i := range r.Headers {
		with(func(c *Request) { c.Headers = slices.Delete(c.Headers, i, i+1) })
	}
	for i := range r.Query {
		with(func(c *Request) { c.Query = slices.Delete(c.Query, i, i+1) })
	}
	if r.Path != "/" {
		with(func(c *Request) { c.Path = "/" })
		if i := strings.LastIndexByte(strings.TrimSuffix(r.Path, "/"), '/'); i > 0 {
			with(func(c *Request) { c.Path = r.Path[:i] })
		}
		// Halve, then cut less and less: a bug that needs a long path
		// (a hang past some length, say) still loses most of the rest.
		for _, keep := range []int{2, 4, 8, 16, 32, 64} {
			if cut := len(r.Path) / keep; cut > 0 && keep == 2 {
				with(func(c *Request) { c.Path = trimEscape(r.Path[:cut]) })
			} else if cut > 1 {
				with(func(c *Request) { c.Path = trimEscape(r.Path[:len(r.Path)-cut]) })
			}
		}
		with(func(c *Request) { c.Path = trimEscape(r.Path[:len(r.Path)-1]) })
	}
	for i, p := range r.Query {
		if len(p.Value) > 0 {
			with(func(c *Request) { c.Query[i].Value = cutEscape(p.Value[:len(p.Value)/2]) })
		}
	}
	for i, h := range r.Headers {
		if len(h.Value) > 1 && !strings.EqualFold(h.Name, "content-length") {
			with(func(c *Request) {
				c.Headers[i].Value = strings.TrimSpace(strings.ToValidUTF8(h.Value[:len(h.Value)/2], ""))
			})
		}
	}
	return out
}

// dropContentLength removes the client's Content-Length, which no longer
// matches a shortened body (the ALB computes its own).
func (r *Request) dropContentLength() {
	r.Headers = slices.DeleteFunc(r.Headers, func(h Header) bool {
		return strings.EqualFold(h.Name, "content-length")
	})
}
