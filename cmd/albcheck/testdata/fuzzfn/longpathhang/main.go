// Command longpathhang hides a classic bug: a path longer than its router
// expects sends it into a loop that never ends (here, a sleep). The ALB
// answers 502 when the function times out.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handle) }

func handle(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if len(req.Path) > 2048 {
		time.Sleep(time.Hour) // the bug: the router backtracks forever
	}
	r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "ok"}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
	} else {
		r.Headers = map[string]string{"Content-Type": "text/plain"}
	}
	return r, nil
}
