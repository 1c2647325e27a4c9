// Command echofn is a Lambda function that answers with the shape of the
// event it received (its mode, path, forwarded protocol and port, target
// group), named by ECHO_NAME, so that serve --infra's tests see which
// function each request reached and how. /hang never answers; /health and
// /ping answer 200.
package main

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// Echo is the body echofn answers with.
type Echo struct {
	Function       string `json:"function"`
	Mode           string `json:"mode"`
	Method         string `json:"method"`
	Path           string `json:"path"`
	Proto          string `json:"proto"`
	Port           string `json:"port"`
	TargetGroupARN string `json:"targetGroupArn"`
	// LambdaName is the function's name as Lambda tells it, in
	// AWS_LAMBDA_FUNCTION_NAME.
	LambdaName string `json:"lambdaName"`
}

func main() { lambda.Start(handle) }

func handle(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	multi := req.MultiValueHeaders != nil
	header := func(name string) string {
		if multi {
			if vs := req.MultiValueHeaders[name]; len(vs) > 0 {
				return vs[len(vs)-1]
			}
			return ""
		}
		return req.Headers[name]
	}
	resp := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK"}
	body := "ok"
	switch req.Path {
	case "/hang", "/single/hang", "/multi/hang":
		<-ctx.Done()
		time.Sleep(time.Hour)
	case "/health", "/ping":
	default:
		e := Echo{Function: os.Getenv("ECHO_NAME"), Mode: "single", Method: req.HTTPMethod, Path: req.Path, Proto: header("x-forwarded-proto"), Port: header("x-forwarded-port"), TargetGroupARN: req.RequestContext.ELB.TargetGroupArn, LambdaName: os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}
		if multi {
			e.Mode = "multi"
		}
		b, _ := json.Marshal(e)
		body = string(b)
	}
	if multi {
		resp.MultiValueHeaders = map[string][]string{"Content-Type": {"application/json"}}
	} else {
		resp.Headers = map[string]string{"Content-Type": "application/json"}
	}
	resp.Body = body
	return resp, nil
}
