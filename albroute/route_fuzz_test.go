package albroute

import (
	"net/netip"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

// FuzzRoute routes arbitrary requests through a listener with every
// condition type and action: routing never panics and always decides.
func FuzzRoute(f *testing.F) {
	l := twentyRules()
	l.Rules = append(l.Rules,
		rule("redirect", 200, redirect(infra.Redirect{Protocol: "HTTPS", Port: "443", Path: "/#{host}/#{path}", Query: "#{query}&p=#{port}", StatusCode: "HTTP_301"}),
			cond("path-pattern", "/old/*")),
		rule("fixed", 201, fixed("418", "", "teapot"), query(infra.KeyValue{Value: `te\*a%20p?t`})),
		&infra.Rule{Name: "weighted", Priority: 202, Conditions: []infra.Condition{cond("http-request-method", "PATCH")},
			Actions: []infra.Action{{Type: "authenticate-oidc"}, {Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "a", Weight: 1}, {TargetGroup: "b", Weight: 2}}}}},
	)
	r := Compile(l, Options{Seed: 1})
	f.Add("GET", "/old/a%20b", "x=1&y", "example.com:80", "tenant-2", []byte{203, 0, 113, 7})
	f.Add("PATCH", "", "", "", "", []byte{})
	f.Add("POST", "/api/x", "%zz=%&&=", "[::1]:", "\x00\xff", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, method, path, rawQuery, host, headerValue string, ip []byte) {
		addr, _ := netip.AddrFromSlice(ip)
		req := Request{Method: method, Path: path, RawQuery: rawQuery, Host: host, ClientIP: addr,
			Headers: map[string][]string{"x-tenant": {headerValue}, "X-TENANT": {headerValue + "x"}, "User-Agent": {headerValue}}}
		d := r.Route(req)
		switch d.Kind {
		case Forward:
			if d.TargetGroup == "" {
				t.Errorf("forward without a target group: %+v", d)
			}
		case Redirect:
			if d.Status != 301 || d.Location == "" {
				t.Errorf("redirect: %+v", d)
			}
		case FixedResponse:
			if d.Status != 418 {
				t.Errorf("fixed response: %+v", d)
			}
		default:
			t.Errorf("unexpected decision %+v", d)
		}
		if d.Rule == "" {
			t.Errorf("no rule named: %+v", d)
		}
	})
}
