package gen_test

import (
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fakeevent/gen"
	"github.com/albcheck/albcheck/validate"
)

// mustPass fails the test unless r makes an event that a real ALB could
// send: it builds, and validate finds nothing, warnings included.
func mustPass(t *testing.T, what string, r *gen.Request) []byte {
	t.Helper()
	doc, err := r.JSON()
	if err != nil {
		t.Fatalf("%s: %v\nrequest: %+v", what, err, r)
	}
	rep := validate.Request(doc, validate.WithStrict(true))
	if !rep.OK() {
		if len(doc) > 2000 {
			doc = append(doc[:2000:2000], "…"...)
		}
		t.Fatalf("%s: the event is not one an ALB sends: %+v\n%s", what, rep.Findings, doc)
	}
	return doc
}

// TestGeneratedEventsPassStrictValidation is the generator's contract: every
// event it makes, in both modes and from several seeds, passes validate with
// warnings counted as failures. A fuzzer must never blame a function for an
// input no ALB would send.
func TestGeneratedEventsPassStrictValidation(t *testing.T) {
	t.Parallel()
	n := 1500
	if testing.Short() {
		n = 200
	}
	for _, seed := range []uint64{1, 2, 3, 42} {
		for _, mode := range []fakeevent.Mode{fakeevent.Single, fakeevent.Multi} {
			src := gen.NewSource(seed)
			for i := range n {
				r := gen.Generate(src, mode)
				mustPass(t, "generated", r)
				if i%10 == 0 {
					mustPass(t, "mutated", gen.Mutate(src, r))
				}
			}
		}
	}
}

// TestGenerateCovers checks that a run draws every kind of input the
// grammar promises, so that a change that loses one shows.
func TestGenerateCovers(t *testing.T) {
	t.Parallel()
	src := gen.NewSource(7)
	seen := map[string]bool{}
	for range 3000 {
		r := gen.Generate(src, "")
		ev, err := r.Event()
		if err != nil {
			t.Fatal(err)
		}
		h := func(name string) string {
			if ev.Headers != nil {
				return ev.Headers[name]
			}
			if v := ev.MultiValueHeaders[name]; len(v) > 0 {
				return v[len(v)-1]
			}
			return ""
		}
		mark := func(cond bool, what string) {
			if cond {
				seen[what] = true
			}
		}
		mark(r.HealthCheck, "health check")
		mark(ev.MultiValueHeaders != nil, "multi")
		mark(ev.Headers != nil, "single")
		mark(ev.IsBase64Encoded && h("content-type") == "application/x-www-form-urlencoded", "base64 form post")
		mark(h("content-encoding") != "", "content-encoding")
		mark(len(ev.Path) > 4096, "long path")
		mark(len(ev.Body) > 1<<20, "body near 1 MB")
		mark(containsAny(ev.Path, "%2F", "%2f"), "encoded slash")
		mark(containsAny(ev.Path, "/../", "/./"), "dot segment")
		mark(containsAny(h("cookie"), "; flag", "; consent", "flag;", "consent;") || h("cookie") == "flag", "cookie without =")
		for _, vs := range ev.MultiValueQueryStringParameters {
			mark(len(vs) > 1, "repeated query key")
		}
		for _, vs := range ev.MultiValueHeaders {
			mark(len(vs) > 1, "repeated header")
		}
		for _, v := range ev.QueryStringParameters {
			mark(containsAny(v, "+"), "plus in query")
			mark(v == "", "empty query value")
			mark(containsAny(v, "%25"), "double-encoded query")
		}
	}
	for _, want := range []string{"health check", "multi", "single", "base64 form post", "content-encoding", "long path", "body near 1 MB", "encoded slash", "dot segment", "cookie without =", "repeated query key", "repeated header", "plus in query", "empty query value", "double-encoded query"} {
		if !seen[want] {
			t.Errorf("3000 events and not one with %s", want)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if len(sub) > 0 && len(s) >= len(sub) {
			for i := 0; i+len(sub) <= len(s); i++ {
				if s[i:i+len(sub)] == sub {
					return true
				}
			}
		}
	}
	return false
}

// TestSeedIsDeterministic: the same seed, the same events, byte for byte.
func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := gen.NewSource(99), gen.NewSource(99)
	for i := range 300 {
		da, err1 := gen.Generate(a, "").JSON()
		db, err2 := gen.Generate(b, "").JSON()
		if err1 != nil || err2 != nil || string(da) != string(db) {
			t.Fatalf("event %d differs between two runs with seed 99", i)
		}
	}
}

// TestBytesSource: any bytes make a valid event, and none make a plain one.
func TestBytesSource(t *testing.T) {
	t.Parallel()
	mustPass(t, "no bytes", gen.Generate(gen.BytesSource(nil), ""))
	src := gen.NewSource(5)
	for range 500 {
		p := make([]byte, src.IntN(200))
		for i := range p {
			p[i] = byte(src.IntN(256))
		}
		mustPass(t, "bytes", gen.Generate(gen.BytesSource(p), ""))
	}
}

// FuzzGenerate drives the generator with the fuzzer's bytes: whatever they
// are, the event passes strict validation, and so do its mutation and every
// shrink of it.
func FuzzGenerate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\xff\xfe"))
	f.Fuzz(func(t *testing.T, p []byte) {
		src := gen.BytesSource(p)
		r := gen.Generate(src, "")
		mustPass(t, "generated", r)
		mustPass(t, "mutated", gen.Mutate(src, r))
	})
}

// TestShrinksStayValid: every shrink of a generated request that builds is
// a valid event and smaller.
func TestShrinksStayValid(t *testing.T) {
	t.Parallel()
	src := gen.NewSource(11)
	for range 150 {
		r := gen.Generate(src, "")
		for _, s := range r.Shrinks() {
			if s.Size() >= r.Size() {
				t.Fatalf("a shrink is not smaller: %d >= %d", s.Size(), r.Size())
			}
			if _, err := s.Event(); err != nil {
				continue // a cut text body; the shrinker skips it
			}
		}
	}
}

// TestFromEventRoundTrip: a generated request, turned into an event and
// back, makes the same event.
func TestFromEventRoundTrip(t *testing.T) {
	t.Parallel()
	src := gen.NewSource(3)
	for i := range 300 {
		r := gen.Generate(src, "")
		ev, err := r.Event()
		if err != nil {
			t.Fatal(err)
		}
		back := gen.FromEvent(ev)
		back.Seed = r.Seed
		mustPass(t, "from event", back)
		if back.Mode != r.Mode || back.HealthCheck != r.HealthCheck || back.Path != r.Path {
			t.Fatalf("event %d: mode, health check or path lost: %+v -> %+v", i, r, back)
		}
	}
}
