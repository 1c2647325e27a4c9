// Command cookiepanic hides a classic bug: it splits each cookie at "=" and
// takes the second half, which a cookie sent without "=" (a bare flag) does
// not have: the function panics, and the ALB answers 502.
package main

import (
	"context"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handle) }

func handle(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	cookie := req.Headers["cookie"]
	if v := req.MultiValueHeaders["cookie"]; len(v) > 0 {
		cookie = strings.Join(v, "; ")
	}
	cookies := map[string]string{}
	if cookie != "" {
		for _, part := range strings.Split(cookie, ";") {
			kv := strings.SplitN(strings.TrimSpace(part), "=", 2)
			cookies[kv[0]] = kv[1] // the bug: "flag" has no "="
		}
	}
	r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "hello " + cookies["session"]}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
	} else {
		r.Headers = map[string]string{"Content-Type": "text/plain"}
	}
	return r, nil
}
