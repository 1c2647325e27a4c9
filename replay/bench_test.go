package replay_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/bareloop"
	"github.com/albcheck/albcheck/replay"
	"github.com/aws/aws-lambda-go/events"
)

// exampleBinary builds examples/orders for the benchmarks.
func exampleBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "orders")
	if out, err := exec.Command("go", "build", "-o", bin, "../examples/orders").CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	return bin
}

// BenchmarkRuntimeInvoke is one invocation of a warm aws-lambda-go process
// over albcheck's Runtime API server, without checks.
func BenchmarkRuntimeInvoke(b *testing.B) {
	bin := exampleBinary(b)
	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	defer h.Close()
	ev, err := fakeevent.New("GET", "/api/search?q=x").Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	doc := fakeevent.Marshal(ev)
	invokeLoop(b, h, doc)
}

// BenchmarkCheck is the checking of one answer: the ALB's rules and the
// client's response.
func BenchmarkCheck(b *testing.B) {
	ev, err := fakeevent.New("GET", "/api/search?q=x").Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	c := &replay.Case{File: "x.json", Name: "x", Mode: fakeevent.Single, Event: ev, EventJSON: fakeevent.Marshal(ev)}
	res := replay.Result{Payload: []byte(`{"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"application/json"},"body":"{\"query\":\"x\",\"results\":[\"x (book)\",\"x (pen)\"]}","isBase64Encoded":false}`)}
	b.ReportAllocs()
	for b.Loop() {
		if o := replay.Check(c, res); !o.OK(true) {
			b.Fatal(o.Findings)
		}
	}
}

// BenchmarkLoad reads one bare-event fixture file.
func BenchmarkLoad(b *testing.B) {
	ev, err := fakeevent.New("GET", "/api/search?q=x").Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "e.json")
	if err := os.WriteFile(file, fakeevent.Marshal(ev), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if cs, err := replay.Load(file, ""); err != nil || len(cs) != 1 {
			b.Fatal(err)
		}
	}
}

func benchEvent(b *testing.B) []byte {
	b.Helper()
	ev, err := fakeevent.New("GET", "/api/search?q=x").Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	return fakeevent.Marshal(ev)
}

// BenchmarkExecInvoke is one --exec invocation: a process started per event.
func BenchmarkExecInvoke(b *testing.B) {
	bin := brokenFnB(b)
	h := replay.ExecHandler([]string{bin}, []string{"BROKEN=exec-ok"}, 1)
	doc := benchEvent(b)
	invokeLoop(b, h, doc)
}

// BenchmarkExecBare is the same process started by hand, for comparison.
func BenchmarkExecBare(b *testing.B) {
	bin := brokenFnB(b)
	doc := benchEvent(b)
	for b.Loop() {
		cmd := exec.Command(bin)
		cmd.Env = []string{"BROKEN=exec-ok"}
		cmd.Stdin = bytes.NewReader(doc)
		if _, err := cmd.Output(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoHandlerInvoke is one in-process invocation of a Go handler.
func BenchmarkGoHandlerInvoke(b *testing.B) {
	h := replay.GoHandler(func(_ context.Context, req events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Headers: map[string]string{"Content-Type": "text/plain"}, Body: req.Path}, nil
	})
	doc := benchEvent(b)
	b.ReportAllocs()
	invokeLoop(b, h, doc)
}

func brokenFnB(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "brokenfn")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/brokenfn").CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	return bin
}

// BenchmarkBareRuntimeAPI is the yardstick for BenchmarkRuntimeInvoke: the
// same function binary and event over a Runtime API server that does
// nothing but hand out the event and take the answer. Compare the two with
// -cpu 1, the processor count replay leaves itself beside one function.
func BenchmarkBareRuntimeAPI(b *testing.B) {
	invoke := bareRuntimeAPI(b, exampleBinary(b), benchEvent(b))
	for b.Loop() {
		invoke()
	}
}

// bareRuntimeAPI starts the function behind the bare loop and returns a
// function that invokes it once.
func bareRuntimeAPI(b *testing.B, bin string, doc []byte) func() {
	l, err := bareloop.Start(bin, doc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(l.Close)
	return l.Invoke
}

// BenchmarkOverhead measures albcheck against the bare loop in one go, in
// alternating blocks of 100 invocations, so that the machine's slow and fast
// spells touch both sides alike; separate benchmarks differ by more than
// the overhead from one run to the next. It reports each side per
// invocation and their ratios: invoke (albcheck's Runtime API, no checks)
// and run (replay.Run: fixture files read and checked, answers checked),
// each over bare. Run it with -cpu 1, as replay runs beside one function:
//
//	go test ./replay -run '^$' -bench Overhead -cpu 1 -benchtime 6000x
func BenchmarkOverhead(b *testing.B) {
	bin := exampleBinary(b)
	doc := benchEvent(b)
	bare := bareRuntimeAPI(b, bin, doc)
	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	defer h.Close()
	file := filepath.Join(b.TempDir(), "e.json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		b.Fatal(err)
	}
	invoke := func() {
		if r := h.Invoke(context.Background(), doc, 3*time.Second); r.Failure != nil {
			b.Fatal(r.Failure.Message)
		}
	}
	bare()
	invoke()
	const block = 100
	var tBare, tInvoke, tRun time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		t0 := time.Now()
		for range n {
			bare()
		}
		t1 := time.Now()
		for range n {
			invoke()
		}
		t2 := time.Now()
		runFixture(b, h, file, n)
		tRun += time.Since(t2)
		tBare += t1.Sub(t0)
		tInvoke += t2.Sub(t1)
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(per(tBare), "bare-ns/op")
	b.ReportMetric(per(tInvoke), "invoke-ns/op")
	b.ReportMetric(per(tRun), "run-ns/op")
	b.ReportMetric(per(tInvoke)/per(tBare), "invoke/bare")
	b.ReportMetric(per(tRun)/per(tBare), "run/bare")
}

// BenchmarkRunRuntime is a whole run per b.N cases: each fixture file read
// and checked, invoked over albcheck's Runtime API, its answer checked and
// handed on in order. Beside BenchmarkRuntimeInvoke (with -cpu 1) it shows
// what the pipeline around an invocation costs.
func BenchmarkRunRuntime(b *testing.B) {
	bin := exampleBinary(b)
	h := replay.RuntimeHandler([]string{bin}, nil, 1)
	defer h.Close()
	file := filepath.Join(b.TempDir(), "e.json")
	if err := os.WriteFile(file, benchEvent(b), 0o644); err != nil {
		b.Fatal(err)
	}
	// Start the process before timing, as BenchmarkRuntimeInvoke's first
	// invocation does outside its steady state.
	if r := h.Invoke(context.Background(), benchEvent(b), 3*time.Second); r.Failure != nil {
		b.Fatal(r.Failure.Message)
	}
	b.ResetTimer()
	runFixture(b, h, file, b.N)
}

// runFixture runs n cases of one fixture file through replay.Run: each read
// and checked, invoked, its answer checked. Anything short of n passing
// outcomes ends the benchmark.
func runFixture(b *testing.B, h replay.Handler, file string, n int) {
	cases := func(yield func(*replay.Case) bool) {
		for range n {
			cs, err := replay.Load(file, "")
			if err != nil {
				b.Fatal(err)
			}
			if !yield(cs[0]) {
				return
			}
		}
	}
	passed := 0
	replay.Run(context.Background(), cases, replay.Options{Handler: h}, func(o *replay.Outcome) bool {
		if !o.OK(true) {
			b.Fatal(o.Findings)
		}
		passed++
		return true
	})
	if passed != n {
		b.Fatalf("%d outcomes for %d cases", passed, n)
	}
}

// standInInvokeAPI answers every invocation at once with a small valid
// response document, as an Invoke API would: what remains of an invocation
// is the handler's own cost, and the HTTP round trip.
func standInInvokeAPI(b *testing.B) *httptest.Server {
	answer := []byte(`{"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"text/plain"},"body":"hi","isBase64Encoded":false}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkInvokeURL is one --invoke-url invocation against a stand-in
// Invoke API; BenchmarkInvokeAPIBare is a plain POST of the same event to
// it, for comparison.
func BenchmarkInvokeURL(b *testing.B) {
	srv := standInInvokeAPI(b)
	h := replay.InvokeURLHandler(srv.URL)
	doc := benchEvent(b)
	b.ReportAllocs()
	invokeLoop(b, h, doc)
}

func BenchmarkInvokeAPIBare(b *testing.B) {
	srv := standInInvokeAPI(b)
	doc := benchEvent(b)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(srv.URL+replay.InvokePath, "application/json", bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func invokeLoop(b *testing.B, h replay.Handler, doc []byte) {
	for b.Loop() {
		if r := h.Invoke(context.Background(), doc, 3*time.Second); r.Failure != nil {
			b.Fatal(r.Failure.Message)
		}
	}
}
