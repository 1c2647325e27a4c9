// Command doubledecode hides a classic bug: it decodes query values (which
// the ALB passes still URL-encoded), checks them for control characters,
// then decodes them a second time before echoing them in a header. A value
// sent as %250A passes the check as "%0A" and ends as a newline in a header
// value: the ALB answers 502 (RESP-009).
package main

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() { lambda.Start(handle) }

func handle(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	query := map[string]string{}
	for k, v := range req.QueryStringParameters {
		query[k] = v
	}
	for k, vs := range req.MultiValueQueryStringParameters {
		query[k] = vs[len(vs)-1]
	}
	headers := map[string]string{"Content-Type": "text/plain"}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		once, err := url.QueryUnescape(query[k])
		if err != nil || strings.ContainsAny(once, "\r\n\x00") {
			return reply(req, 400, map[string]string{"Content-Type": "text/plain"}, "bad query"), nil
		}
		twice, err := url.QueryUnescape(once) // the bug: decoded again after the check
		if err != nil {
			twice = once
		}
		headers["X-Query-"+strconv.Itoa(i)] = twice
	}
	return reply(req, 200, headers, "ok"), nil
}

func reply(req events.ALBTargetGroupRequest, status int, headers map[string]string, body string) events.ALBTargetGroupResponse {
	r := events.ALBTargetGroupResponse{StatusCode: status, StatusDescription: strconv.Itoa(status) + " OK", Body: body}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{}
		for k, v := range headers {
			r.MultiValueHeaders[k] = []string{v}
		}
	} else {
		r.Headers = headers
	}
	return r
}
