package fakeevent_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/albcheck/albcheck/fakeevent"
)

// A JSON POST: the body travels as text, with the headers the ALB adds.
func ExampleNew_jsonPost() {
	ev, _, err := fakeevent.New("POST", "/orders?source=app").
		JSON(map[string]any{"item": "book", "qty": 2}).
		ClientIP("198.51.100.7").
		Seed(1).
		Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.HTTPMethod, ev.Path, ev.QueryStringParameters)
	fmt.Println(ev.Body, ev.IsBase64Encoded)
	fmt.Println(ev.Headers["content-type"], ev.Headers["content-length"], ev.Headers["x-forwarded-for"], ev.Headers["x-forwarded-proto"])
	// Output:
	// POST /orders map[source:app]
	// {"item":"book","qty":2} false
	// application/json 23 198.51.100.7 https
}

// A form post arrives base64-encoded: handlers that forget to decode it
// break on real traffic.
func ExampleBuilder_Form() {
	ev, _, err := fakeevent.New("POST", "/signup").Form(url.Values{"email": {"ada@example.com"}}).Seed(1).Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.Body, ev.IsBase64Encoded)
	// Output:
	// ZW1haWw9YWRhJTQwZXhhbXBsZS5jb20= true
}

// A binary upload.
func ExampleBuilder_BodyBytes() {
	png := []byte("\x89PNG\r\n\x1a\n")
	ev, _, err := fakeevent.New("PUT", "/avatar").Header("Content-Type", "image/png").BodyBytes(png).Seed(1).Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.Body, ev.IsBase64Encoded, ev.Headers["content-length"])
	// Output:
	// iVBORw0KGgo= true 8
}

// Cookies and repeated query keys in multi mode: every value, in order.
func ExampleBuilder_MultiValue() {
	ev, _, err := fakeevent.New("GET", "/search?tag=go&tag=aws").MultiValue().
		Cookie("session", "abc123").Cookie("theme", "dark").
		Seed(1).Build()
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.MultiValueQueryStringParameters["tag"])
	fmt.Println(ev.MultiValueHeaders["cookie"])
	// Output:
	// [go aws]
	// [session=abc123; theme=dark]
}

// The health-check event, exactly as the ALB sends it.
func ExampleHealthCheck() {
	ev, err := fakeevent.HealthCheck("/health", fakeevent.WithTargetGroupARN("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef"))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(fakeevent.Marshal(ev)))
	// Output:
	// {"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef"}},"httpMethod":"GET","path":"/health","queryStringParameters":{},"headers":{"user-agent":"ELB-HealthChecker/2.0"},"body":"","isBase64Encoded":false}
}

// Converting an httptest request: the query stays encoded, the header
// names are lower-cased, the last value of a repeated key wins.
func ExampleFromHTTPRequest() {
	r := httptest.NewRequest("GET", "/items?q=a%2Bb&page=1&page=2", nil)
	r.Header.Set("Accept-Language", "en-GB")
	ev, err := fakeevent.FromHTTPRequest(r, fakeevent.WithSeed(1))
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.QueryStringParameters)
	fmt.Println(ev.Headers["accept-language"], ev.Headers["x-forwarded-for"])
	// Output:
	// map[page:2 q:a%2Bb]
	// en-GB 192.0.2.1
}

// The way back: the *http.Request an http.Handler sees for an event.
func ExampleToHTTPRequest() {
	ev, _, err := fakeevent.New("POST", "/echo").Header("Content-Type", "text/plain").Body("hi").Build()
	if err != nil {
		panic(err)
	}
	r, err := fakeevent.ToHTTPRequest(ev)
	if err != nil {
		panic(err)
	}
	b, _ := io.ReadAll(r.Body)
	fmt.Println(r.Method, r.URL.Path, strings.ToUpper(string(b)))
	// Output:
	// POST /echo HI
}

// What the client gets for a response document: here the ALB's own 502.
func ExampleClientResponse() {
	req, _ := fakeevent.New("GET", "/").Event()
	resp, rep := fakeevent.ClientResponse(req, []byte(`{"statusCode": 200, "body": null}`))
	fmt.Println(resp.Status)
	for _, f := range rep.Findings {
		if f.Severity == "error" {
			fmt.Println(f)
		}
	}
	// Output:
	// 502 Bad Gateway
	// RESP-004 error /body: body must be a string when present, got null (absent and null are not the same)
}
