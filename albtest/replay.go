package albtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// Timeout bounds each fixture's invocation in Replay and ReplayHTTP.
var Timeout = replay.DefaultTimeout

// Replay runs every fixture under dir (albcheck's fixture files, and bare ALB
// events) through a handler in-process, each as a subtest named after the
// case (go test -run 'TestX/case-name' picks one). The handler has
// aws-lambda-go's signature, with events.ALBTargetGroupResponse or any other
// response type that encodes to the response document. Each answer is
// checked against the ALB's rules and the fixture's expectations. An update
// run (UpdateEnv) rewrites the golden files and expectations that fail from
// the answers, as albcheck replay --update does.
func Replay[R any](t *testing.T, dir string, h func(context.Context, events.ALBTargetGroupRequest) (R, error)) {
	t.Helper()
	run(t, dir, goHandler[R]{h})
}

// goHandler runs a handler with any response type, encoding the response as
// aws-lambda-go does (json.Marshal).
type goHandler[R any] struct {
	h func(context.Context, events.ALBTargetGroupRequest) (R, error)
}

func (goHandler[R]) Concurrency() int { return 1 }
func (goHandler[R]) Close() error     { return nil }

func (g goHandler[R]) Invoke(ctx context.Context, event []byte, timeout time.Duration) replay.Result {
	var doc []byte
	inner := replay.GoHandler(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		resp, err := g.h(ctx, req)
		if err == nil {
			doc, err = json.Marshal(resp)
		}
		return events.ALBTargetGroupResponse{}, err
	})
	res := inner.Invoke(ctx, event, timeout)
	if res.Failure == nil {
		res.Payload = doc
	}
	return res
}

// ReplayHTTP is Replay for an http.Handler: each event becomes the
// *http.Request the handler sees (fakeevent.ToHTTPRequest) and its answer
// the response document an adapter returns (fakeevent.ResponseDocument).
func ReplayHTTP(t *testing.T, dir string, h http.Handler) {
	t.Helper()
	run(t, dir, httpHandler{h})
}

type httpHandler struct{ h http.Handler }

func (httpHandler) Concurrency() int { return 1 }
func (httpHandler) Close() error     { return nil }

func (hh httpHandler) Invoke(ctx context.Context, event []byte, _ time.Duration) replay.Result {
	start := time.Now()
	var ev events.ALBTargetGroupRequest
	if err := json.Unmarshal(event, &ev); err != nil {
		return replay.Result{Failure: &replay.Failure{Rule: validate.FUNCERROR, Message: err.Error()}}
	}
	r, err := fakeevent.ToHTTPRequest(ev)
	if err != nil {
		return replay.Result{Failure: &replay.Failure{Rule: validate.FUNCERROR, Message: err.Error()}}
	}
	rec := httptest.NewRecorder()
	hh.h.ServeHTTP(rec, r.WithContext(ctx))
	res := rec.Result()
	mode := fakeevent.Single
	if ev.MultiValueHeaders != nil || ev.MultiValueQueryStringParameters != nil {
		mode = fakeevent.Multi
	}
	return replay.Result{Payload: fakeevent.ResponseDocument(res.StatusCode, res.Header, rec.Body.Bytes(), mode), Duration: time.Since(start)}
}

func run(t *testing.T, dir string, h replay.Handler) {
	t.Helper()
	seq, err := inputs.Expand([]string{dir})
	if err != nil {
		t.Fatalf("albtest: fixtures in %s: %v", dir, err)
	}
	n := 0
	for in := range seq {
		root := in.Root
		cases, err := replay.LoadWith(in.Path, replay.LoadOptions{Root: root})
		if err != nil {
			t.Errorf("albtest: %s: %v", in.Path, err)
			continue
		}
		for _, c := range cases {
			n++
			t.Run(c.Name, func(t *testing.T) {
				t.Helper()
				var res replay.Result
				if len(c.Problems) == 0 {
					res = h.Invoke(context.Background(), c.EventJSON, Timeout)
				}
				o := replay.Check(c, res)
				if o2, err := record(o, root); err != nil {
					t.Errorf("albtest: %v", err)
				} else {
					o = o2
				}
				if !o.OK(false) {
					status := http.StatusBadGateway // a failed invocation: the ALB's own 502
					if o.Response != nil {
						status = o.Response.StatusCode
					}
					msg := describe(validate.Mode(c.Mode), o.Findings, status)
					if len(o.Result.Logs) > 0 {
						msg += "\n  function output:\n    " + string(bytes.ReplaceAll(bytes.TrimRight(o.Result.Logs, "\n"), []byte("\n"), []byte("\n    ")))
					}
					t.Errorf("%s: %s", c.File, msg)
				}
			})
		}
	}
	if n == 0 {
		t.Errorf("albtest: no fixtures in %s", dir)
	}
}

// record rewrites the case's fixture (inside root) and golden files from the answer when
// this is an update run (UpdateEnv) and an expectation failed, then judges
// the answer again against the fixture as it now is on disk. A case whose
// expectations all hold has nothing to record, and an update run that
// changes no answer changes no file; a case the ALB answered itself (its own
// 502) has no expectation checked, so none recorded. After the update, what
// was recorded passes, and what cannot be recorded (a pattern, a subset, a
// duration) still fails instead of being dropped from the report.
func record(o *replay.Outcome, root string) (*replay.Outcome, error) {
	on, err := updating()
	if err != nil || !on || !slices.ContainsFunc(o.Findings, isExpectFinding) {
		return o, err
	}
	if _, err := replay.Update([]*replay.Outcome{o}); err != nil {
		return o, fmt.Errorf("update %s: %w", o.Case.File, err)
	}
	cases, err := replay.LoadWith(o.Case.File, replay.LoadOptions{Root: root})
	if err != nil {
		return o, fmt.Errorf("reload %s after the update: %w", o.Case.File, err)
	}
	for _, c := range cases {
		if c.Index == o.Case.Index && c.Name == o.Case.Name {
			return replay.Check(c, o.Result), nil
		}
	}
	return o, fmt.Errorf("reload %s after the update: case %d (%q) is gone", o.Case.File, o.Case.Index, o.Case.Name)
}

func isExpectFinding(f validate.Finding) bool {
	return strings.HasPrefix(string(f.Rule), "EXPECT-")
}

func readAll(r *http.Response) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}
