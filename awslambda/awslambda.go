// Package awslambda invokes a deployed Lambda function through the Lambda
// API with the AWS SDK, as albcheck replay --function does. It is its own
// package so that the SDK is linked only by what uses it (the albcheck
// command), not by every user of replay, albtest or validate: importing
// albtest once pulled 102 SDK packages into a user's test binary.
package awslambda

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// FunctionHandler invokes a deployed function through the Lambda API with
// the default credential chain (environment, shared files, SSO, instance
// roles). region and endpoint, when set, override the configuration, as
// --region and --endpoint-url do in the AWS CLI. Up to concurrency
// invocations run at once.
func FunctionHandler(ctx context.Context, name, region, endpoint string, concurrency int) (replay.Handler, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	client := lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	})
	return &functionHandler{client: client, name: name, concurrency: max(concurrency, 1)}, nil
}

type functionHandler struct {
	client      *lambda.Client
	name        string
	concurrency int
}

func (h *functionHandler) Concurrency() int { return h.concurrency }
func (h *functionHandler) Close() error     { return nil }

func (h *functionHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) replay.Result {
	start := time.Now()
	// The function's own timeout applies on AWS; this bounds the call.
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(h.name),
		Payload:        event,
		InvocationType: types.InvocationTypeRequestResponse,
		LogType:        types.LogTypeTail,
	})
	r := replay.Result{Duration: time.Since(start)}
	if err != nil {
		var api smithy.APIError
		switch {
		case ctx.Err() != nil:
			r.Failure = replay.Fail(validate.FUNCTIMEOUT, "no answer from %s within %s", h.name, timeout)
		case errors.As(err, &api):
			// Throttling and the like: the ALB answers 502 (LambdaThrottling).
			r.Failure = replay.Fail(validate.FUNCERROR, "the Lambda API refused the invocation: %s: %s", api.ErrorCode(), api.ErrorMessage())
		default:
			r.Failure = replay.Fail(validate.FUNCINIT, "cannot invoke %s: %v", h.name, err)
		}
		return r
	}
	if out.LogResult != nil {
		r.Logs, _ = base64.StdEncoding.DecodeString(*out.LogResult)
	}
	resp := &http.Response{StatusCode: int(out.StatusCode), Header: http.Header{}}
	if out.FunctionError != nil {
		resp.Header.Set("X-Amz-Function-Error", *out.FunctionError)
	}
	if r.Failure = replay.InterpretInvoke(resp, out.Payload); r.Failure == nil {
		r.Payload = out.Payload
	}
	return r
}
