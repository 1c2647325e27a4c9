package serve_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/serve"
)

// A project's load balancer from its template: each listener's rules
// route the request; the ALB answers fixed responses and redirects itself,
// and a forward to a function without a handler gets its 502.
func ExampleNewSite() {
	p, err := infra.Load("../testdata/infra/site.yaml")
	if err != nil {
		panic(err)
	}
	site, err := serve.NewSite(p, serve.SiteOptions{}) // no handlers: forwards get 502
	if err != nil {
		panic(err)
	}
	// One server per listener here; serve.Server.RunListeners serves them
	// all on their own ports.
	srv := serve.New(serve.Options{Targets: site.Targets, Router: site.Listeners[0]})
	for _, target := range []string{"/old/page?a=1", "/x?version=v2", "/single/x"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Host = "shop.test"
		srv.ServeHTTP(rec, req)
		fmt.Println(target, rec.Code, rec.Header().Get("Location"), rec.Body.Len())
	}
	// Output:
	// /old/page?a=1 301 https://www.shop.test:443/new/old/page?a=1&moved=1 0
	// /x?version=v2 200  16
	// /single/x 502  122
}
