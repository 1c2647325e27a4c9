// Command formpost hides a classic bug: it reads a form post's body as
// text, but the ALB sends form posts base64-encoded. The base64 text does
// not look like field names, so the function takes the "bad form" path,
// which forgets the headers: "headers": null, a 502 (RESP-004).
package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handle) }

func handle(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	ct := req.Headers["content-type"]
	if v := req.MultiValueHeaders["content-type"]; len(v) > 0 {
		ct = v[len(v)-1]
	}
	if strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(req.Body) // the bug: req.IsBase64Encoded is not looked at
		if err != nil || !plainNames(form) {
			return events.ALBTargetGroupResponse{StatusCode: 400, StatusDescription: "400 Bad Request", Body: "bad form"}, nil
		}
	}
	return reply(req, 200, "ok"), nil
}

// plainNames reports whether every field name is lower-case letters and _.
func plainNames(form url.Values) bool {
	for k := range form {
		for _, c := range k {
			if (c < 'a' || c > 'z') && c != '_' {
				return false
			}
		}
	}
	return true
}

func reply(req events.ALBTargetGroupRequest, status int, body string) events.ALBTargetGroupResponse {
	r := events.ALBTargetGroupResponse{StatusCode: status, StatusDescription: "200 OK", Body: body}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
	} else {
		r.Headers = map[string]string{"Content-Type": "text/plain"}
	}
	return r
}
