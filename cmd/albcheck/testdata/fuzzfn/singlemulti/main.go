// Command singlemulti hides a classic bug: to refresh several cookies it
// answers with multiValueHeaders (one Set-Cookie each), whatever the target
// group's mode. With multi-value headers off, the ALB reads only "headers",
// which is null: 502 (RESP-006).
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
	var names []string
	for _, part := range strings.Split(cookie, ";") {
		if name, _, ok := strings.Cut(strings.TrimSpace(part), "="); ok && name != "" {
			names = append(names, name)
		}
	}
	r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "ok"}
	if len(names) > 1 {
		// The bug: multiValueHeaders is the only way to send several
		// Set-Cookie, so it is used without looking at the mode.
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
		for _, n := range names {
			r.MultiValueHeaders["Set-Cookie"] = append(r.MultiValueHeaders["Set-Cookie"], n+"=refreshed; Path=/; Secure")
		}
		return r, nil
	}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
	} else {
		r.Headers = map[string]string{"Content-Type": "text/plain"}
	}
	return r, nil
}
