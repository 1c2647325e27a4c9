package fuzz_test

import (
	"context"
	"fmt"

	"github.com/albcheck/albcheck/fuzz"
	"github.com/albcheck/albcheck/replay"
	"github.com/aws/aws-lambda-go/events"
)

// A handler that always answers with aws-lambda-go's type and only
// MultiValueHeaders set: fine in multi mode, a 502 in single mode, where the
// ALB reads "headers" and finds null. Run finds it once, with the smallest
// event that shows it: here, a health check.
func ExampleRun() {
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK",
			MultiValueHeaders: map[string][]string{"Content-Type": {"text/plain"}}}, nil
	})
	rep, err := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 200, Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, f := range rep.Findings {
		fmt.Println(f.Class, f.Request.Mode, f.Request.Target(), "health check:", f.Request.HealthCheck)
	}
	// Output:
	// RESP-004 single / health check: true
}
