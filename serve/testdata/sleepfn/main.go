// Command sleepfn is a Lambda function that takes its time, for the tests of
// serve's execution environments: ?ms=N sleeps N milliseconds; ?hold=PATH (percent-encoded)
// writes PATH.<pid> and then waits until PATH exists, so that a test knows
// which processes are handling a request at the same time and when they may
// answer; ?crash=1 exits at once. It answers with its process id.
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handle) }

func handle(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if req.QueryStringParameters["crash"] != "" {
		os.Exit(3)
	}
	if ms, err := strconv.Atoi(req.QueryStringParameters["ms"]); err == nil {
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	// The ALB passes the query as the client sent it, percent-encoded.
	if hold, _ := url.QueryUnescape(req.QueryStringParameters["hold"]); hold != "" {
		if err := os.WriteFile(fmt.Sprintf("%s.%d", hold, os.Getpid()), nil, 0o644); err != nil {
			return events.ALBTargetGroupResponse{}, err
		}
		for {
			if _, err := os.Stat(hold); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return events.ALBTargetGroupResponse{}, ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "text/plain"}, Body: strconv.Itoa(os.Getpid())}, nil
}
