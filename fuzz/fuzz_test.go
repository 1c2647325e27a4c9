package fuzz_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fuzz"
	"github.com/albcheck/albcheck/replay"
	"github.com/aws/aws-lambda-go/events"
)

// answer is a correct reply in the request's mode.
func answer(req events.ALBTargetGroupRequest) events.ALBTargetGroupResponse {
	r := events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: "ok"}
	if req.MultiValueHeaders != nil {
		r.MultiValueHeaders = map[string][]string{"Content-Type": {"text/plain"}}
	} else {
		r.Headers = map[string]string{"Content-Type": "text/plain"}
	}
	return r
}

// A handler that forgets the headers when a query value has a '+' (it
// "decodes" it to a space and fails): found, shrunk to the one parameter.
func TestRunFindsAndShrinks(t *testing.T) {
	t.Parallel()
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		for _, v := range req.QueryStringParameters {
			if strings.Contains(v, "+") {
				return events.ALBTargetGroupResponse{StatusCode: 400}, nil // "headers": null
			}
		}
		return answer(req), nil
	})
	rep, err := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 400, Seed: 1, Mode: fakeevent.Single})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Class != "RESP-004" {
		t.Fatalf("want one RESP-004 finding, got %+v", rep.Findings)
	}
	f := rep.Findings[0]
	if len(f.Request.Query) != 1 || !strings.Contains(f.Request.Query[0].Value, "+") || len(f.Request.Headers) != 0 || len(f.Request.Body) != 0 || f.Request.Path != "/" {
		t.Errorf("not shrunk to one query parameter: %s %s %+v", f.Request.Method, f.Request.Target(), f.Request.Headers)
	}
	if rep.Runs != 400 || f.Count == 0 || f.Run < 1 {
		t.Errorf("runs %d, count %d, first run %d", rep.Runs, f.Count, f.Run)
	}

	// The fixture reproduces it under replay.
	dir := t.TempDir()
	paths, err := fuzz.WriteFixtures(dir, rep.Findings)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := replay.Load(paths[0], "")
	if err != nil || len(cases) != 1 || len(cases[0].Problems) > 0 {
		t.Fatalf("load %s: %v %+v", paths[0], err, cases)
	}
	var failed bool
	replay.Run(context.Background(), func(yield func(*replay.Case) bool) { yield(cases[0]) }, replay.Options{Handler: h}, func(o *replay.Outcome) bool {
		failed = !o.OK(false)
		return true
	})
	if !failed {
		doc, _ := os.ReadFile(filepath.Join(dir, "resp-004.json"))
		t.Errorf("replay of the written fixture passes:\n%s", doc)
	}
}

// The same seed sends the same events, whatever the parallelism: the same
// findings at the same runs.
func TestRunIsReproducible(t *testing.T) {
	t.Parallel()
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		if req.IsBase64Encoded && len(req.Body) > 100 {
			panic("big binary body")
		}
		return answer(req), nil
	})
	a, err := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 300, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 300, Seed: 9})
	if len(a.Findings) != 1 || len(b.Findings) != 1 {
		t.Fatalf("want one finding each, got %d and %d", len(a.Findings), len(b.Findings))
	}
	if a.Findings[0].Run != b.Findings[0].Run || string(a.Findings[0].Event) != string(b.Findings[0].Event) {
		t.Errorf("two runs with seed 9 differ: run %d vs %d", a.Findings[0].Run, b.Findings[0].Run)
	}
}

// 5xx answers count only with FailOn5xx; a correct handler has no finding.
func TestFailOn5xx(t *testing.T) {
	t.Parallel()
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		r := answer(req)
		if _, err := url.PathUnescape(req.Path); err == nil && strings.Contains(req.Path, "%2F") {
			r.StatusCode, r.StatusDescription = 500, "500 Internal Server Error"
		}
		return r, nil
	})
	rep, _ := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 300, Seed: 2})
	if len(rep.Findings) != 0 {
		t.Fatalf("without FailOn5xx: %+v", rep.Findings[0])
	}
	rep, _ = fuzz.Run(context.Background(), fuzz.Options{Handler: h, Runs: 300, Seed: 2, FailOn5xx: true})
	if len(rep.Findings) != 1 || rep.Findings[0].Class != fuzz.Class5xx {
		t.Fatalf("with FailOn5xx: %+v", rep.Findings)
	}
	if got := rep.Findings[0].Request.Path; !strings.Contains(got, "%2F") || len(got) > 40 {
		t.Errorf("shrunk path %q", got)
	}

	// Its fixture expects a status below 500, so replay fails it too.
	paths, err := fuzz.WriteFixtures(t.TempDir(), rep.Findings)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := replay.Load(paths[0], "")
	if err != nil || len(cases) != 1 || len(cases[0].Problems) > 0 {
		t.Fatalf("load %s: %v %+v", paths[0], err, cases)
	}
	var rules []string
	replay.Run(context.Background(), func(yield func(*replay.Case) bool) { yield(cases[0]) }, replay.Options{Handler: h}, func(o *replay.Outcome) bool {
		for _, f := range o.Findings {
			rules = append(rules, string(f.Rule))
		}
		return true
	})
	if !slices.Contains(rules, "EXPECT-STATUS") {
		t.Errorf("replay of the 5xx fixture: findings %v, want EXPECT-STATUS", rules)
	}
}

// Duration bounds a run without Runs.
func TestDuration(t *testing.T) {
	t.Parallel()
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return answer(req), nil
	})
	start := time.Now()
	rep, _ := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Duration: 200 * time.Millisecond})
	if took := time.Since(start); took > 3*time.Second || rep.Runs == 0 {
		t.Errorf("%d runs in %s", rep.Runs, took)
	}
}

// --duration bounds shrinking too: what was found is shrunk for at most as
// long again. A handler that times out keeps shrinking at a timeout per
// successful try: a 200 ms run took several seconds (the user's, 38 s).
func TestDurationBoundsShrinking(t *testing.T) {
	t.Parallel()
	h := replay.GoHandler(func(ctx context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		<-ctx.Done() // never answers
		return answer(req), nil
	})
	start := time.Now()
	rep, err := fuzz.Run(context.Background(), fuzz.Options{Handler: h, Duration: 200 * time.Millisecond, Timeout: 400 * time.Millisecond, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no timeout found")
	}
	t.Logf("%d runs, %s shrinking", rep.Runs, rep.Shrinking)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a 200 ms run took %s (shrinking %s)", took, rep.Shrinking)
	}
}
