package albtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fakeevent/gen"
	"github.com/albcheck/albcheck/fuzz"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// FuzzOption configures Fuzz.
type FuzzOption func(*fuzzConfig)

type fuzzConfig struct {
	mode      fakeevent.Mode
	timeout   time.Duration
	failOn5xx bool
	seedDirs  []string
}

// FuzzMode fuzzes in one target-group mode only (default: both).
func FuzzMode(m fakeevent.Mode) FuzzOption { return func(c *fuzzConfig) { c.mode = m } }

// FuzzTimeout bounds each call of the handler (default 1 s): a handler
// still running then fails the input with FUNC-TIMEOUT instead of blocking
// go test. Its goroutine cannot be stopped, only abandoned.
func FuzzTimeout(d time.Duration) FuzzOption { return func(c *fuzzConfig) { c.timeout = d } }

// FuzzFailOn5xx fails an input that the handler answers with a 5xx status.
func FuzzFailOn5xx() FuzzOption { return func(c *fuzzConfig) { c.failOn5xx = true } }

// FuzzSeeds adds the requests of the fixtures under dir (albcheck's fixture
// files and bare events) to the seed corpus: each as it is, and mutated.
func FuzzSeeds(dir string) FuzzOption {
	return func(c *fuzzConfig) { c.seedDirs = append(c.seedDirs, dir) }
}

// Fuzz is a fuzz target for Go's native fuzzing. It turns the fuzzer's
// bytes into realistic ALB events (package fakeevent/gen, so that coverage
// guidance steers the generator; every event is one a real ALB sends),
// calls the handler in-process and fails on a panic, an error, a timeout
// or a response a real ALB would answer with 502, with the rule id and the
// event in the message:
//
//	func FuzzHandler(f *testing.F) {
//		albtest.Fuzz(f, handler, albtest.FuzzSeeds("testdata/fixtures"))
//	}
//
// go test runs the seed corpus; go test -fuzz FuzzHandler -fuzztime 30s
// explores.
func Fuzz[R any](f *testing.F, h func(context.Context, events.ALBTargetGroupRequest) (R, error), opts ...FuzzOption) {
	f.Helper()
	c := fuzzConfig{timeout: time.Second}
	for _, o := range opts {
		o(&c)
	}
	var seeds []*gen.Request
	for _, dir := range c.seedDirs {
		seq, err := inputs.Expand([]string{dir})
		if err != nil {
			f.Fatalf("albtest: fixtures in %s: %v", dir, err)
		}
		for in := range seq {
			cases, err := replay.LoadWith(in.Path, replay.LoadOptions{Root: in.Root})
			if err != nil {
				f.Fatalf("albtest: %s: %v", in.Path, err)
			}
			seeds = append(seeds, fuzz.SeedsFrom(cases)...)
		}
	}
	// The seed corpus: plain events, a few generated ones, and each fixture
	// as it is (first byte 1) and mutated (2).
	// Inputs long enough for every choice of the grammar: the fuzzer grows
	// short ones slowly, and a generator that runs out of bytes makes plain
	// GET requests.
	f.Add([]byte{})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 32 {
		p := make([]byte, 512)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		p[0] = 0 // generated, not a seed
		f.Add(p)
	}
	for i := range seeds {
		f.Add([]byte{1, byte(i)})
		f.Add([]byte{2, byte(i), byte(i), 1, 2, 3})
	}
	handler := goHandler[R]{h}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := fuzz.FromBytes(data, c.mode, seeds)
		out, class := fuzz.Try(context.Background(), handler, r, c.timeout, c.failOn5xx)
		if out == nil || class == "" {
			return
		}
		ev, _ := r.JSON()
		t.Errorf("albtest.Fuzz: %s\nthe event (mode %s):\n%s", describeFailure(out, class), r.Mode, preview(ev))
	})
}

// describeFailure says how an outcome failed: its error findings, or the
// 5xx status.
func describeFailure(out *replay.Outcome, class string) string {
	var b strings.Builder
	for _, f := range out.Findings {
		if f.Severity == validate.Error {
			fmt.Fprintf(&b, "%s %s %s: %s\n", f.Rule, f.Severity, pointerOrRoot(f.Pointer), f.Message)
		}
	}
	if class == fuzz.Class5xx && out.Response != nil {
		fmt.Fprintf(&b, "the handler answered %d\n", out.Response.StatusCode)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func pointerOrRoot(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// preview is the event for a failure message, cut when it is huge.
func preview(doc []byte) string {
	const limit = 8 << 10
	if len(doc) > limit {
		return string(doc[:limit]) + fmt.Sprintf("… (%d bytes in all)", len(doc))
	}
	return string(doc)
}
