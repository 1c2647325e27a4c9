package albtest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/albcheck/albcheck/albtest"
	"github.com/aws/aws-lambda-go/events"
)

// handler is a small ALB handler, as a function would define it.
func handler(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return events.ALBTargetGroupResponse{
		StatusCode:        200,
		StatusDescription: "200 OK",
		Headers:           map[string]string{"Content-Type": "application/json"},
		Body:              fmt.Sprintf(`{"path":%q}`, req.Path),
	}, nil
}

// A handler's contract test in three lines: a realistic event, the call, and
// the check of the ALB's rules plus what the test expects.
func ExampleAssertResponse() {
	t := &testing.T{} // in a test, the *testing.T you are given
	req := albtest.NewRequest(t, "GET", "/orders/42?expand=items")
	resp, _ := handler(context.Background(), req)
	ok := albtest.AssertResponse(t, req, resp, albtest.Status(200), albtest.JSONEq(`{"path": "/orders/42"}`))
	fmt.Println(ok)
	// Output: true
}

// NewRequest makes the event a real ALB sends: here a form post, which
// arrives base64-encoded, in a target group with multi-value headers on.
func ExampleNewRequest() {
	t := &testing.T{}
	req := albtest.NewRequest(t, "POST", "/signup?ref=mail&ref=ad", albtest.WithBody("email=ada%40example.com"),
		albtest.WithHeader("Content-Type", "application/x-www-form-urlencoded"), albtest.WithMultiValue())
	fmt.Println(req.IsBase64Encoded, req.MultiValueQueryStringParameters["ref"])
	// Output: true [mail ad]
}

// Replay runs fixture files as subtests:
//
//	func TestFixtures(t *testing.T) { albtest.Replay(t, "testdata/fixtures", handler) }
//
// go test -run 'TestFixtures/create_an_order' runs one (spaces become _);
// ALBTEST_UPDATE=1 go test rewrites the golden files and expectations that
// fail from the answers.
func ExampleReplay() {
	var t *testing.T // in a test, the *testing.T you are given
	if t != nil {
		albtest.Replay(t, "testdata/fixtures", handler)
	}
}

// ReplayHTTP runs the same fixtures through an http.Handler, the way Lambda
// adapters for net/http serve it.
func ExampleReplayHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	var t *testing.T // in a test, the *testing.T you are given
	if t != nil {
		albtest.ReplayHTTP(t, "testdata/fixtures", mux)
	}
}

// RequireResponse stops the test at the first broken response, like
// testify's require.
func ExampleRequireResponse() {
	t := &testing.T{} // in a test, the *testing.T you are given
	req := albtest.NewRequest(t, "HEAD", "/orders/42")
	resp, _ := handler(context.Background(), req)
	resp.Body = "" // a reply to HEAD carries no body
	albtest.RequireResponse(t, req, resp, albtest.StatusClass("2xx"))
	fmt.Println("still running")
	// Output: still running
}
