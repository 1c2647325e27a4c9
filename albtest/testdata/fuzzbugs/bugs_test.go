// Package fuzzbugs holds fuzz targets over handlers that each hide one
// classic ALB bug, and one over a correct handler. albtest's tests run them
// with go test -fuzz and a bounded -fuzztime: each bug must be found, the
// correct handler must pass.
package fuzzbugs

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/albtest"
	"github.com/aws/aws-lambda-go/events"
)

func header(req events.ALBTargetGroupRequest, name string) string {
	if v := req.MultiValueHeaders[name]; len(v) > 0 {
		return strings.Join(v, "; ")
	}
	return req.Headers[name]
}

func reply(req events.ALBTargetGroupRequest, headers map[string]string) events.ALBTargetGroupResponse {
	r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "ok"}
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

// formPost reads a form post as text: the ALB sends it base64-encoded, and
// the "bad form" answer forgets its headers ("headers": null, RESP-004).
func formPost(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if strings.HasPrefix(strings.ToLower(header(req, "content-type")), "application/x-www-form-urlencoded") {
		form, err := url.ParseQuery(req.Body)
		for k := range form {
			if strings.ToLower(k) != k {
				err = strconv.ErrSyntax
			}
		}
		if err != nil {
			return events.ALBTargetGroupResponse{StatusCode: 400, StatusDescription: "400 Bad Request"}, nil
		}
	}
	return reply(req, map[string]string{"Content-Type": "text/plain"}), nil
}

// doubleDecode checks query values decoded once and echoes them decoded
// twice: %250A ends as a newline in a header (RESP-009).
func doubleDecode(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	query := map[string]string{}
	for k, v := range req.QueryStringParameters {
		query[k] = v
	}
	for k, vs := range req.MultiValueQueryStringParameters {
		query[k] = vs[len(vs)-1]
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	headers := map[string]string{"Content-Type": "text/plain"}
	for i, k := range keys {
		once, err := url.QueryUnescape(query[k])
		if err != nil || strings.ContainsAny(once, "\r\n\x00") {
			return reply(req, headers), nil
		}
		if twice, err := url.QueryUnescape(once); err == nil {
			once = twice
		}
		headers["X-Query-"+strconv.Itoa(i)] = once
	}
	return reply(req, headers), nil
}

// cookiePanic takes the part after "=" of every cookie: a bare flag
// panics.
func cookiePanic(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	cookies := map[string]string{}
	if c := header(req, "cookie"); c != "" {
		for _, part := range strings.Split(c, ";") {
			kv := strings.SplitN(strings.TrimSpace(part), "=", 2)
			cookies[kv[0]] = kv[1]
		}
	}
	return reply(req, map[string]string{"Content-Type": "text/plain"}), nil
}

// longPathHang never returns for a path over 2048 bytes.
func longPathHang(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	if len(req.Path) > 2048 {
		time.Sleep(time.Hour)
	}
	return reply(req, map[string]string{"Content-Type": "text/plain"}), nil
}

// singleMulti answers several cookies with multiValueHeaders whatever the
// mode: in single mode the headers are lost (RESP-006).
func singleMulti(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	n := 0
	for _, part := range strings.Split(header(req, "cookie"), ";") {
		if strings.Contains(part, "=") {
			n++
		}
	}
	if n > 1 {
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", MultiValueHeaders: map[string][]string{"Set-Cookie": {"a=1", "b=2"}}}, nil
	}
	return reply(req, map[string]string{"Content-Type": "text/plain"}), nil
}

// correct decodes what the ALB encodes and answers in the request's mode.
func correct(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return reply(req, map[string]string{"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}), nil
}

func FuzzFormPost(f *testing.F)     { albtest.Fuzz(f, formPost) }
func FuzzDoubleDecode(f *testing.F) { albtest.Fuzz(f, doubleDecode) }
func FuzzCookiePanic(f *testing.F)  { albtest.Fuzz(f, cookiePanic) }
func FuzzLongPathHang(f *testing.F) {
	albtest.Fuzz(f, longPathHang, albtest.FuzzTimeout(200*time.Millisecond))
}
func FuzzSingleMulti(f *testing.F) { albtest.Fuzz(f, singleMulti) }
func FuzzCorrect(f *testing.F)     { albtest.Fuzz(f, correct, albtest.FuzzSeeds("../../../fixtures")) }
