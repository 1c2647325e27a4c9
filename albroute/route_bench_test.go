package albroute

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/albcheck/albcheck/infra"
)

// twentyRules is a listener of 20 rules mixing every condition type, none
// of which matches the benchmark's request before the last.
func twentyRules() *infra.Listener {
	var rules []*infra.Rule
	for i := range 19 {
		var c []infra.Condition
		switch i % 5 {
		case 0:
			c = []infra.Condition{cond("path-pattern", fmt.Sprintf("/svc%d/*", i), fmt.Sprintf("/v?/svc%d", i))}
		case 1:
			c = []infra.Condition{cond("host-header", fmt.Sprintf("svc%d.*.example.com", i)), cond("path-pattern", "/api/*")}
		case 2:
			c = []infra.Condition{header("X-Tenant", fmt.Sprintf("tenant-%d*", i)), cond("http-request-method", "POST", "PUT")}
		case 3:
			c = []infra.Condition{query(infra.KeyValue{Key: "version", Value: fmt.Sprintf("v%d", i)}), cond("path-pattern", "/api/*")}
		case 4:
			c = []infra.Condition{cond("source-ip", "10.0.0.0/8", "2001:db8::/32"), cond("path-pattern", "/admin/*")}
		}
		rules = append(rules, rule(fmt.Sprintf("rule%d", i), i+1, forward(fmt.Sprintf("tg%d", i)), c...))
	}
	rules = append(rules, rule("orders", 100, forward("orders-tg"),
		cond("path-pattern", "/api/orders/*"), cond("host-header", "*.example.com")))
	return httpListener(rules...)
}

// BenchmarkRoute routes a request through 20 rules to the last one.
func BenchmarkRoute(b *testing.B) {
	r := Compile(twentyRules(), Options{})
	if ps := r.Problems(); len(ps) > 0 {
		b.Fatal(ps)
	}
	req := Request{
		Method: "GET", Path: "/api/orders/123", RawQuery: "expand=items&page=2", Host: "shop.example.com",
		Headers:  map[string][]string{"User-Agent": {"curl/8"}, "Accept": {"*/*"}, "X-Tenant": {"acme"}, "X-Request-Id": {"abc"}},
		ClientIP: netip.MustParseAddr("203.0.113.7"),
	}
	if d := r.Route(req); d.Rule != "orders" {
		b.Fatalf("routed to %s", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Route(req)
	}
}

// BenchmarkRouteRedirect measures the Location a redirect builds.
func BenchmarkRouteRedirect(b *testing.B) {
	r := Compile(httpListener(rule("https", 1, redirect(infra.Redirect{Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301"}))), Options{})
	req := get("/a/b?c=d")
	b.ReportAllocs()
	for b.Loop() {
		r.Route(req)
	}
}
