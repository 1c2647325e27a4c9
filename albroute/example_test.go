package albroute_test

import (
	"fmt"
	"net/netip"

	"github.com/albcheck/albcheck/albroute"
	"github.com/albcheck/albcheck/infra"
)

func Example() {
	listener := &infra.Listener{
		Name: "HttpListener", Port: 80, Protocol: "HTTP",
		Rules: []*infra.Rule{
			{Name: "Orders", Priority: 10,
				Conditions: []infra.Condition{{Field: "path-pattern", Values: []string{"/orders/*"}}},
				Actions:    []infra.Action{{Type: "forward", Forward: []infra.WeightedTargetGroup{{TargetGroup: "OrdersTargetGroup", Weight: 1}}}}},
			{Name: "Legacy", Priority: 20,
				Conditions: []infra.Condition{{Field: "host-header", Values: []string{"old.example.com"}}},
				Actions: []infra.Action{{Type: "redirect", Redirect: &infra.Redirect{
					Protocol: "HTTPS", Port: "443", Host: "www.example.com", Path: "/legacy/#{path}", StatusCode: "HTTP_301"}}}},
		},
		DefaultActions: []infra.Action{{Type: "fixed-response", FixedResponse: &infra.FixedResponse{StatusCode: "404", ContentType: "text/plain", MessageBody: "no route"}}},
	}
	router := albroute.Compile(listener, albroute.Options{Seed: 1})
	for _, p := range router.Problems() {
		fmt.Println("cannot honour:", p) // serve logs these once at start
	}
	client := netip.MustParseAddr("203.0.113.7")
	for _, req := range []albroute.Request{
		{Method: "GET", Path: "/orders/42", Host: "api.example.com", ClientIP: client},
		{Method: "GET", Path: "/a/b", RawQuery: "x=1", Host: "OLD.example.com:80", ClientIP: client},
		{Method: "GET", Path: "/", Host: "api.example.com", ClientIP: client},
	} {
		fmt.Println(router.Route(req))
	}
	// Output:
	// rule Orders (priority 10): forward to OrdersTargetGroup
	// rule Legacy (priority 20): redirect 301 to https://www.example.com:443/legacy/a/b?x=1
	// default: fixed response 404
}
