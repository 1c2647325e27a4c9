package validate_test

import (
	"fmt"

	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// A response document checked for a target group with multi-value headers
// off: the ALB would answer 502.
func ExampleResponse() {
	doc := []byte(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false,
		"headers": {"Content-Type": "text/plain", "X-Cache-Hit": true}, "body": null}`)
	rep := validate.Response(doc, validate.WithMode(validate.ModeSingle))
	fmt.Println("ok:", rep.OK())
	for _, f := range rep.Findings {
		fmt.Println(f.Rule, f.Pointer, "→", f.ALBOutcome)
	}
	// Output:
	// ok: false
	// RESP-004 /body → the ALB answers 502 (LambdaInvalidResponse) instead of the function's reply
	// RESP-007 /headers/X-Cache-Hit → the ALB answers 502 (LambdaInvalidResponse) instead of the function's reply
}

// A request event as albcheck reports it, with positions for an editor.
func ExampleRequest() {
	doc := []byte(`{
  "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/0123456789abcdef"}},
  "httpMethod": "TRACE",
  "path": "/orders",
  "queryStringParameters": {},
  "headers": {"user-agent": "ELB-HealthChecker/2.0"},
  "body": "",
  "isBase64Encoded": false
}`)
	rep := validate.Request(doc, validate.WithPositions())
	for _, f := range rep.Findings {
		fmt.Printf("%d:%d %s\n", f.Line, f.Column, f)
	}
	// Output:
	// 3:17 REQ-010 error /httpMethod: TRACE never reaches a Lambda target: the ALB answers 405
}

// A Go handler's typed response, checked as json.Marshal sends it, as the
// answer to a typed request: the mode and the method come from the request.
func ExampleResponseValue() {
	req := events.ALBTargetGroupRequest{HTTPMethod: "HEAD", Path: "/", Headers: map[string]string{"host": "example.com"}}
	resp := events.ALBTargetGroupResponse{
		StatusCode:        200,
		StatusDescription: "200 OK",
		Headers:           map[string]string{"Content-Type": "text/plain"},
		Body:              "hello",
	}
	rep := validate.ResponseValue(resp, validate.ForRequest(req))
	fmt.Println(rep)
	// Output:
	// RESP-014 warning /body: a reply to HEAD has no body: the ALB drops it
}
