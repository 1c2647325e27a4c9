package albroute

import (
	"strings"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

func redirect(rd infra.Redirect) infra.Action {
	return infra.Action{Type: "redirect", Redirect: &rd}
}

func TestRedirect(t *testing.T) {
	t.Parallel()
	// The request: http://Example.com:8080/a/b%20c?x=1&y=2 on an HTTP
	// listener on port 80 (the Host header's port is not the listener's).
	req := get("/a/b%20c?x=1&y=2")
	req.Host = "Example.com:8080"
	cases := []struct {
		name     string
		listener string // protocol, HTTP unless set
		rd       infra.Redirect
		req      *Request
		status   int
		location string
		problem  string
	}{
		// actionsPage: "redirects an HTTP request to an HTTPS request on port
		// 443, with the same host name, path, and query string".
		{name: "guide: http to https", rd: infra.Redirect{Protocol: "HTTPS", Port: "443", Host: "#{host}", Path: "/#{path}", Query: "#{query}", StatusCode: "HTTP_301"},
			status: 301, location: "https://Example.com:443/a/b%20c?x=1&y=2"},
		// Empty components keep their values: the same, written the short way.
		{name: "defaults keep the request's", rd: infra.Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"},
			status: 301, location: "https://Example.com:443/a/b%20c?x=1&y=2"},
		// Console example: "https://#{host}:40443/#{path}?#{query}".
		{name: "guide: https port 40443", rd: infra.Redirect{Protocol: "HTTPS", Port: "40443", StatusCode: "HTTP_301"},
			status: 301, location: "https://Example.com:40443/a/b%20c?x=1&y=2"},
		// Console example: "#{protocol}://#{host}:#{port}/new/#{path}?#{query}".
		{name: "guide: new path", rd: infra.Redirect{Path: "/new/#{path}", StatusCode: "HTTP_301"},
			status: 301, location: "http://Example.com:80/new/a/b%20c?x=1&y=2"},
		// API examples: "example.#{host}", "#{query}&value=xyz".
		{name: "api: host prefix", rd: infra.Redirect{Host: "example.#{host}", StatusCode: "HTTP_302"},
			status: 302, location: "http://example.Example.com:80/a/b%20c?x=1&y=2"},
		{name: "api: query appended", rd: infra.Redirect{Path: "/x", Query: "#{query}&value=xyz", StatusCode: "HTTP_302"},
			status: 302, location: "http://Example.com:80/x?x=1&y=2&value=xyz"},
		{name: "query set replaces the request's", rd: infra.Redirect{Path: "/x", Query: "lang=en", StatusCode: "HTTP_302"},
			status: 302, location: "http://Example.com:80/x?lang=en"},
		{name: "no query, no question mark", rd: infra.Redirect{Host: "other.example", StatusCode: "HTTP_301"}, req: ptr(get("/p")),
			status: 301, location: "http://other.example:80/p"},
		{name: "query from placeholders only, empty", rd: infra.Redirect{Path: "/x", Query: "#{query}", StatusCode: "HTTP_301"}, req: ptr(get("/p")),
			status: 301, location: "http://example.com:80/x"},
		{name: "root path", rd: infra.Redirect{Host: "new.example", StatusCode: "HTTP_301"}, req: ptr(get("/")),
			status: 301, location: "http://new.example:80/"},
		{name: "path keywords", rd: infra.Redirect{Path: "/#{host}/#{port}/#{path}", StatusCode: "HTTP_301"},
			status: 301, location: "http://Example.com:80/Example.com/80/a/b%20c?x=1&y=2"},
		{name: "query keywords", rd: infra.Redirect{Path: "/login", Query: "from=#{protocol}://#{host}:#{port}/#{path}&#{query}", StatusCode: "HTTP_302"},
			status: 302, location: "http://Example.com:80/login?from=http://Example.com:80/a/b%20c&x=1&y=2"},
		{name: "fixed port", rd: infra.Redirect{Port: "8081", StatusCode: "HTTP_301"},
			status: 301, location: "http://Example.com:8081/a/b%20c?x=1&y=2"},
		{name: "request port overrides listener", rd: infra.Redirect{Host: "h", StatusCode: "HTTP_301"}, req: &Request{Path: "/", Host: "h", Protocol: "HTTPS", Port: 443},
			status: 301, location: "https://h:443/"},
		{name: "https listener keeps https", listener: "HTTPS", rd: infra.Redirect{Host: "www.#{host}", StatusCode: "HTTP_301"}, req: ptr(get("/")),
			status: 301, location: "https://www.example.com:80/"},

		// What the ALB refuses.
		{name: "https to http", listener: "HTTPS", rd: infra.Redirect{Protocol: "HTTP", StatusCode: "HTTP_301"}, problem: "from an HTTPS listener to HTTP"},
		{name: "status 307", rd: infra.Redirect{Protocol: "HTTPS", StatusCode: "HTTP_307"}, problem: `"HTTP_307" is not HTTP_301 or HTTP_302`},
		{name: "relative path", rd: infra.Redirect{Path: "new", StatusCode: "HTTP_301"}, problem: "does not start with /"},
		{name: "port out of range", rd: infra.Redirect{Port: "70000", StatusCode: "HTTP_301"}, problem: "is not 1 to 65535"},
		{name: "protocol", rd: infra.Redirect{Protocol: "FTP", StatusCode: "HTTP_301"}, problem: `"FTP" is not HTTP, HTTPS or #{protocol}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := httpListener(rule("r", 1, redirect(tc.rd)))
			if tc.listener != "" {
				l.Protocol = tc.listener
			}
			r := Compile(l, Options{})
			rq := req
			if tc.req != nil {
				rq = *tc.req
			}
			d := r.Route(rq)
			if tc.problem != "" {
				if d.Kind != CannotHonour || !strings.Contains(d.Reason, tc.problem) {
					t.Errorf("got %+v, want cannot honour: %s", d, tc.problem)
				}
				if len(r.Problems()) != 1 {
					t.Errorf("problems: %v", r.Problems())
				}
				return
			}
			noProblems(t, r)
			if d.Kind != Redirect || d.Status != tc.status || d.Location != tc.location {
				t.Errorf("got %s, want redirect %d to %s", d, tc.status, tc.location)
			}
		})
	}
}

func TestRedirectKeywordOutOfPlace(t *testing.T) {
	t.Parallel()
	// #{path} may not be used in the hostname: the ALB leaves it, and so
	// does the emulator, with a problem at start.
	r := Compile(httpListener(rule("r", 1, redirect(infra.Redirect{Host: "#{path}.example", Query: "?a=1", StatusCode: "HTTP_301"}))), Options{})
	d := r.Route(get("/p"))
	if want := "http://#{path}.example:80/p??a=1"; d.Location != want {
		t.Errorf("Location %q, want %q", d.Location, want)
	}
	ps := r.Problems()
	if len(ps) != 2 || !strings.Contains(ps[0].Message, "adds one itself") || !strings.Contains(ps[1].Message, "uses #{path}") {
		t.Errorf("problems: %v", ps)
	}
}

func TestRedirectLoop(t *testing.T) {
	t.Parallel()
	r := Compile(httpListener(rule("loop", 1, redirect(infra.Redirect{Query: "a=1", StatusCode: "HTTP_302"}))), Options{})
	if ps := r.Problems(); len(ps) != 1 || !strings.Contains(ps[0].Message, "loop") {
		t.Errorf("problems: %v", ps)
	}
	if d := r.Route(get("/p")); d.Location != "http://example.com:80/p?a=1" {
		t.Errorf("got %s", d)
	}
}

func ptr[T any](v T) *T { return &v }
