package albroute

import (
	"net/netip"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

// TestConditions routes one request through a listener whose only rule
// holds the conditions: "hit" when they match, the default otherwise.
func TestConditions(t *testing.T) {
	t.Parallel()
	withHeaders := func(r Request, h map[string][]string) Request { r.Headers = h; return r }
	withHost := func(r Request, host string) Request { r.Host = host; return r }
	withMethod := func(r Request, m string) Request { r.Method = m; return r }
	from := func(r Request, ip string) Request {
		r.ClientIP = netip.Addr{}
		if ip != "" {
			r.ClientIP = netip.MustParseAddr(ip)
		}
		return r
	}
	kv := func(k, v string) infra.KeyValue { return infra.KeyValue{Key: k, Value: v} }

	cases := []struct {
		name  string
		conds []infra.Condition
		req   Request
		want  bool
	}{
		// path-pattern: case-sensitive, on the path only, as received.
		{"path wildcard", []infra.Condition{cond("path-pattern", "/img/*")}, get("/img/a.png"), true},
		{"path other", []infra.Condition{cond("path-pattern", "/img/*")}, get("/js/a.js"), false},
		{"path case-sensitive", []infra.Condition{cond("path-pattern", "/img/*")}, get("/IMG/a.png"), false},
		{"path question", []infra.Condition{cond("path-pattern", "/v?/users")}, get("/v2/users"), true},
		{"path question needs one", []infra.Condition{cond("path-pattern", "/v?/users")}, get("/v/users"), false},
		{"path any of the values", []infra.Condition{cond("path-pattern", "/a", "/b", "/c")}, get("/b"), true},
		{"path not the query", []infra.Condition{cond("path-pattern", "/search*x=1")}, get("/search?x=1"), false},
		{"path ignores query", []infra.Condition{cond("path-pattern", "/search")}, get("/search?x=1"), true},
		{"path compared encoded", []infra.Condition{cond("path-pattern", "/caf%C3%A9")}, get("/caf%C3%A9"), true},
		{"path not decoded", []infra.Condition{cond("path-pattern", "/a b")}, get("/a%20b"), false},
		{"path escape case matters", []infra.Condition{cond("path-pattern", "/caf%C3%A9")}, get("/caf%c3%a9"), false},

		// host-header: case-insensitive, wildcards, the name without the port.
		{"host wildcard", []infra.Condition{cond("host-header", "*.example.com")}, withHost(get("/"), "api.example.com"), true},
		{"host wildcard needs a label", []infra.Condition{cond("host-header", "*.example.com")}, withHost(get("/"), "example.com"), false},
		{"host case-insensitive", []infra.Condition{cond("host-header", "API.example.com")}, withHost(get("/"), "api.EXAMPLE.com"), true},
		{"host without port", []infra.Condition{cond("host-header", "api.example.com")}, withHost(get("/"), "api.example.com:8080"), true},
		{"host question", []infra.Condition{cond("host-header", "api-?.example.com")}, withHost(get("/"), "api-2.example.com"), true},
		{"host other", []infra.Condition{cond("host-header", "api.example.com")}, withHost(get("/"), "www.example.com"), false},
		{"host from headers", []infra.Condition{cond("host-header", "api.example.com")}, withHeaders(withHost(get("/"), ""), map[string][]string{"HOST": {"api.example.com:80"}}), true},
		{"host missing", []infra.Condition{cond("host-header", "*")}, withHost(get("/"), ""), true},
		{"host missing, pattern needs a dot", []infra.Condition{cond("host-header", "*.*")}, withHost(get("/"), ""), false},
		{"host ipv6 literal with port", []infra.Condition{cond("host-header", "[::1]")}, withHost(get("/"), "[::1]:8080"), true},

		// http-header: name and value case-insensitive, wildcards in the value, any of several headers.
		{"header wildcard", []infra.Condition{header("User-Agent", "*Chrome*", "*Safari*")}, withHeaders(get("/"), map[string][]string{"user-agent": {"Mozilla/5.0 Safari/605"}}), true},
		{"header value case-insensitive", []infra.Condition{header("X-Env", "STAGING")}, withHeaders(get("/"), map[string][]string{"x-env": {"staging"}}), true},
		{"header name case-insensitive", []infra.Condition{header("x-env", "staging")}, withHeaders(get("/"), map[string][]string{"X-ENV": {"staging"}}), true},
		{"header is whole value", []infra.Condition{header("X-Env", "stag")}, withHeaders(get("/"), map[string][]string{"X-Env": {"staging"}}), false},
		{"header second occurrence", []infra.Condition{header("X-Env", "prod")}, withHeaders(get("/"), map[string][]string{"X-Env": {"staging", "prod"}}), true},
		{"header missing", []infra.Condition{header("X-Env", "*")}, get("/"), false},
		{"header other name", []infra.Condition{header("X-Env", "*")}, withHeaders(get("/"), map[string][]string{"X-Envy": {"a"}}), false},
		{"header xff for client ip", []infra.Condition{header("X-Forwarded-For", "192.0.2.*")}, withHeaders(get("/"), map[string][]string{"X-Forwarded-For": {"192.0.2.4"}}), true},

		// http-request-method: exact and case-sensitive, no wildcards.
		{"method", []infra.Condition{cond("http-request-method", "POST", "PUT")}, withMethod(get("/"), "PUT"), true},
		{"method case-sensitive", []infra.Condition{cond("http-request-method", "POST")}, withMethod(get("/"), "post"), false},
		{"method no wildcard", []infra.Condition{cond("http-request-method", "P*")}, withMethod(get("/"), "POST"), false},
		{"method custom", []infra.Condition{cond("http-request-method", "CUSTOM-METHOD")}, withMethod(get("/"), "CUSTOM-METHOD"), true},

		// query-string: key/value pairs, key optional, case-insensitive, wildcards, escapes, decoded.
		{"query pair", []infra.Condition{query(kv("version", "v1"))}, get("/?version=v1"), true},
		{"query pair among others", []infra.Condition{query(kv("version", "v1"))}, get("/?a=1&version=v1&b"), true},
		{"query pair case-insensitive", []infra.Condition{query(kv("version", "v1"))}, get("/?VERSION=V1"), true},
		{"query other value", []infra.Condition{query(kv("version", "v1"))}, get("/?version=v2"), false},
		{"query value under other key", []infra.Condition{query(kv("version", "v1"))}, get("/?other=v1"), false},
		{"query any key", []infra.Condition{query(kv("", "example"))}, get("/?x=example"), true},
		{"query any key, not the key", []infra.Condition{query(kv("", "example"))}, get("/?example=1"), false},
		{"query any of the pairs", []infra.Condition{query(kv("version", "v1"), kv("", "example"))}, get("/?q=example"), true},
		{"query wildcard value", []infra.Condition{query(kv("version", "v*"))}, get("/?version=v22"), true},
		{"query wildcard key", []infra.Condition{query(kv("ver?ion", "1"))}, get("/?version=1"), true},
		{"query value is whole", []infra.Condition{query(kv("version", "v1"))}, get("/?version=v10"), false},
		{"query decoded request", []infra.Condition{query(kv("q", "a b"))}, get("/?q=a%20b"), true},
		{"query encoded condition", []infra.Condition{query(kv("q", "a%20b"))}, get("/?q=a%20b"), true},
		{"query encoded condition, decoded request", []infra.Condition{query(kv("q", "a%26b"))}, get("/?q=a%26b"), true},
		{"query encoded ampersand is not a separator", []infra.Condition{query(kv("q", "a"))}, get("/?q=a%26b"), false},
		{"query plus is not a space", []infra.Condition{query(kv("q", "a b"))}, get("/?q=a+b"), false},
		{"query escaped star literal", []infra.Condition{query(kv("q", `\*`))}, get("/?q=%2A"), true},
		{"query escaped star not wildcard", []infra.Condition{query(kv("q", `\*`))}, get("/?q=x"), false},
		{"query star wildcard", []infra.Condition{query(kv("q", `*`))}, get("/?q=x"), true},
		{"query key without value", []infra.Condition{query(kv("debug", ""))}, get("/?debug"), true},
		{"query empty", []infra.Condition{query(kv("", "*"))}, get("/"), false},

		// source-ip: CIDR, IPv4 and IPv6, the connection's address.
		{"ipv4 in", []infra.Condition{cond("source-ip", "192.0.2.0/24", "198.51.100.10/32")}, from(get("/"), "198.51.100.10"), true},
		{"ipv4 out", []infra.Condition{cond("source-ip", "192.0.2.0/24")}, from(get("/"), "192.0.3.1"), false},
		{"ipv4 mapped", []infra.Condition{cond("source-ip", "192.0.2.0/24")}, from(get("/"), "::ffff:192.0.2.9"), true},
		{"ipv6 in", []infra.Condition{cond("source-ip", "2001:db8::/32")}, from(get("/"), "2001:db8:1::5"), true},
		{"ipv6 out", []infra.Condition{cond("source-ip", "2001:db8::/32")}, from(get("/"), "2001:db9::1"), false},
		{"ipv6 client, ipv4 block", []infra.Condition{cond("source-ip", "0.0.0.0/0")}, from(get("/"), "2001:db8::1"), false},
		{"host bits in the block", []infra.Condition{cond("source-ip", "192.0.2.77/24")}, from(get("/"), "192.0.2.1"), true},
		{"no client address", []infra.Condition{cond("source-ip", "0.0.0.0/0")}, from(get("/"), ""), false},
		{"not x-forwarded-for", []infra.Condition{cond("source-ip", "192.0.2.0/24")}, withHeaders(from(get("/"), "203.0.113.1"), map[string][]string{"X-Forwarded-For": {"192.0.2.4"}}), false},

		// all conditions of a rule must match.
		{"all match", []infra.Condition{cond("path-pattern", "/api/*"), cond("http-request-method", "GET"), header("X-Env", "prod")},
			withHeaders(get("/api/x"), map[string][]string{"X-Env": {"prod"}}), true},
		{"one fails", []infra.Condition{cond("path-pattern", "/api/*"), cond("http-request-method", "POST")}, get("/api/x"), false},
		{"two header conditions both", []infra.Condition{header("X-A", "1"), header("X-B", "2")},
			withHeaders(get("/"), map[string][]string{"X-A": {"1"}}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Compile(httpListener(rule("hit", 1, forward("hit-tg"), tc.conds...)), Options{})
			noProblems(t, r)
			d := r.Route(tc.req)
			if got := d.Rule == "hit"; got != tc.want {
				t.Errorf("matched = %v (decision %s), want %v", got, d, tc.want)
			}
			want := "default-tg"
			if tc.want {
				want = "hit-tg"
			}
			if d.Kind != Forward || d.TargetGroup != want {
				t.Errorf("decision %s, want forward to %s", d, want)
			}
		})
	}
}

func TestStripPort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"example.com":      "example.com",
		"example.com:8080": "example.com",
		"example.com:":     "example.com",
		"[::1]:443":        "[::1]",
		"[::1]":            "[::1]",
		"a:b":              "a:b",
		"":                 "",
	} {
		if got := stripPort(in); got != want {
			t.Errorf("stripPort(%q) = %q, want %q", in, got, want)
		}
	}
}
