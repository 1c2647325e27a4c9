// Package albtest tests Lambda handlers that sit behind an Application Load
// Balancer the way net/http/httptest tests http.Handlers: make a realistic
// request event, call the handler, and assert that the response is one the
// ALB can use and that it says what the test expects.
//
//	func TestCreateOrder(t *testing.T) {
//		req := albtest.NewRequest(t, "POST", "/orders", albtest.WithJSON(order))
//		resp, err := handler(context.Background(), req)
//		require.NoError(t, err)
//		albtest.AssertResponse(t, req, resp, albtest.Status(201), albtest.JSONEq(`{"id": 42}`))
//	}
//
// Fixture files (albcheck's replay format) run as subtests with Replay and
// ReplayHTTP. ALBTEST_UPDATE=1 go test (see UpdateEnv) records the
// handlers' answers into golden files and fixtures. Every helper calls
// t.Helper and is safe under t.Parallel.
package albtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// RequestOption shapes a request made by NewRequest.
type RequestOption func(*fakeevent.Builder)

// WithHeader adds a request header (twice for two values).
func WithHeader(name, value string) RequestOption {
	return func(b *fakeevent.Builder) { b.Header(name, value) }
}

// WithCookie adds a cookie.
func WithCookie(name, value string) RequestOption {
	return func(b *fakeevent.Builder) { b.Cookie(name, value) }
}

// WithBody sets a text body (set a Content-Type, or the ALB treats it as
// binary and base64-encodes it).
func WithBody(s string) RequestOption { return func(b *fakeevent.Builder) { b.Body(s) } }

// WithBytes sets a binary body.
func WithBytes(p []byte) RequestOption { return func(b *fakeevent.Builder) { b.BodyBytes(p) } }

// WithJSON sets a JSON body and content type.
func WithJSON(v any) RequestOption { return func(b *fakeevent.Builder) { b.JSON(v) } }

// WithForm sets a form body: it reaches the handler base64-encoded.
func WithForm(v url.Values) RequestOption { return func(b *fakeevent.Builder) { b.Form(v) } }

// WithMultiValue makes the target group's mode multi (multi-value headers
// on): the event carries multiValueHeaders and multiValueQueryStringParameters.
func WithMultiValue() RequestOption { return func(b *fakeevent.Builder) { b.MultiValue() } }

// WithSeed makes the event's generated values (ids, client address)
// reproducible; without it each event gets fresh ones.
func WithSeed(seed uint64) RequestOption { return func(b *fakeevent.Builder) { b.Seed(seed) } }

// NewRequest returns the event a real ALB sends for a request, failing the
// test (FailNow) when a real ALB would refuse the request or the event would
// be invalid.
func NewRequest(t testing.TB, method, target string, opts ...RequestOption) events.ALBTargetGroupRequest {
	t.Helper()
	b := fakeevent.New(method, target)
	for _, o := range opts {
		o(b)
	}
	ev, doc, err := b.Build()
	if err != nil {
		t.Fatalf("albtest.NewRequest(%q, %q): %v", method, target, err)
		return ev
	}
	if rep := validate.Request(doc); !rep.OK() {
		t.Fatalf("albtest.NewRequest(%q, %q) made an invalid event:\n%s", method, target, indent(rep.String()))
	}
	return ev
}

// Expectation is something the client's response must show. Every
// expectation passed to AssertResponse is checked and reported on its own:
// two of a kind (two BodyContains, a JSONEq beside a BodyContains, two
// Status) must all hold.
type Expectation func(*expectation)

// expectation is one option's check, in replay's fixture form so that
// albtest and albcheck replay judge a response the same way.
type expectation struct {
	e      replay.Expect
	golden string // a file path, relative to the test's directory
	// invalid is set when the option itself cannot be checked (a bad
	// regular expression, no status code): it fails with this finding.
	invalid *validate.Finding
}

func (x *expectation) fail(rule validate.RuleID, pointer, format string, args ...any) {
	f := validate.NewFinding(rule, pointer, fmt.Sprintf(format, args...))
	x.invalid = &f
}

// Status expects one of these status codes.
func Status(codes ...int) Expectation {
	return func(x *expectation) {
		switch len(codes) {
		case 0:
			x.fail(validate.EXPECTSTATUS, "/expect/status", "albtest.Status() names no status code")
		case 1:
			x.e.Status = json.RawMessage(strconv.Itoa(codes[0]))
		default:
			x.e.Status, _ = json.Marshal(codes)
		}
	}
}

// StatusClass expects a status of a class such as "2xx".
func StatusClass(class string) Expectation {
	return func(x *expectation) {
		if len(class) != 3 || class[0] < '1' || class[0] > '5' || strings.ToLower(class[1:]) != "xx" {
			x.fail(validate.EXPECTSTATUS, "/expect/status", "albtest.StatusClass(%q): want a class from 1xx to 5xx", class)
			return
		}
		x.e.Status, _ = json.Marshal(class)
	}
}

// HeaderIs expects a header (any case) with exactly this value.
func HeaderIs(name, value string) Expectation {
	return func(x *expectation) { x.header(name, &value) }
}

// HeaderMatches expects a header whose value matches a regular expression.
func HeaderMatches(name, pattern string) Expectation {
	v := "/" + pattern + "/"
	return func(x *expectation) {
		if _, err := regexp.Compile(pattern); err != nil {
			x.fail(validate.EXPECTHEADER, "/expect/headers/"+name, "albtest.HeaderMatches(%q, %q): %v", name, pattern, err)
			return
		}
		x.header(name, &v)
	}
}

// NoHeader expects a header to be absent.
func NoHeader(name string) Expectation { return func(x *expectation) { x.header(name, nil) } }

func (x *expectation) header(name string, v *string) {
	if x.e.Headers == nil {
		x.e.Headers = map[string]*string{}
	}
	x.e.Headers[name] = v
}

// BodyIs expects the decoded body to equal s.
func BodyIs(s string) Expectation { return func(x *expectation) { x.body().Equals = &s } }

// BodyContains expects the decoded body to contain s.
func BodyContains(s string) Expectation { return func(x *expectation) { x.body().Contains = &s } }

// BodyMatches expects the decoded body to match a regular expression.
func BodyMatches(pattern string) Expectation {
	return func(x *expectation) {
		if _, err := regexp.Compile(pattern); err != nil {
			x.fail(validate.EXPECTBODY, "/expect/body", "albtest.BodyMatches(%q): %v", pattern, err)
			return
		}
		x.body().Matches = &pattern
	}
}

// JSONEq expects the body to be JSON equal to want, ignoring key order and
// spacing (testify's JSONEq).
func JSONEq(want string) Expectation {
	return func(x *expectation) { x.body().JSON = json.RawMessage(want) }
}

// JSONSubset expects the body to be JSON holding at least want's keys, at
// any depth.
func JSONSubset(want string) Expectation {
	return func(x *expectation) {
		b := x.body()
		b.JSON, b.Subset = json.RawMessage(want), true
	}
}

// Golden expects the decoded body to equal a file (relative to the test's
// directory). An update run (see UpdateEnv) writes the file from the body
// when it differs.
func Golden(path string) Expectation {
	return func(x *expectation) {
		if path == "" {
			x.fail(validate.EXPECTBODY, "/expect/body", "albtest.Golden(\"\") names no file")
			return
		}
		x.golden = path
		x.body().File = filepath.Base(path)
	}
}

func (x *expectation) body() *replay.BodyExpect {
	if x.e.Body == nil {
		x.e.Body = &replay.BodyExpect{}
	}
	return x.e.Body
}

// AssertResponse checks the JSON that json.Marshal(resp) sends against the
// schema and every ALB rule for req's mode, then the expectations against
// what the client would get. resp is an events.ALBTargetGroupResponse or any
// type that encodes to a response document. Each problem is reported with
// its rule id, its JSON Pointer and what the ALB would do, or as the
// expectation and the actual value with a diff. It reports whether
// everything held.
func AssertResponse[R any](t testing.TB, req events.ALBTargetGroupRequest, resp R, expect ...Expectation) bool {
	t.Helper()
	doc, err := json.Marshal(resp)
	if err != nil {
		t.Errorf("albtest: the response does not encode as JSON: %v", err)
		return false
	}
	return assertDocument(t, req, doc, expect)
}

// RequireResponse is AssertResponse that stops the test (FailNow) on a
// problem.
func RequireResponse[R any](t testing.TB, req events.ALBTargetGroupRequest, resp R, expect ...Expectation) {
	t.Helper()
	if !AssertResponse(t, req, resp, expect...) {
		t.FailNow()
	}
}

func assertDocument(t testing.TB, req events.ALBTargetGroupRequest, doc []byte, expect []Expectation) bool {
	t.Helper()
	client, rep := fakeevent.ClientResponse(req, doc)
	body := readAll(client)
	findings := rep.Findings
	failed := false // also by a misuse that is not a finding
	// Each expectation fills an Expect of its own and is checked on its
	// own: folded into one, a second option of a kind would overwrite the
	// first, and replay's body check looks at one body field only.
	for i, opt := range expect {
		if opt == nil {
			t.Errorf("albtest: expectation %d of %d is nil", i+1, len(expect))
			failed = true
			continue
		}
		var x expectation
		opt(&x)
		if x.invalid != nil {
			findings = append(findings, *x.invalid)
			continue
		}
		// When the client gets the ALB's own status, the reply's content
		// never arrives: there is nothing to compare, and nothing to record.
		if rep.ClientStatus() != 0 {
			continue
		}
		if x.golden != "" {
			update, err := updating()
			if err != nil {
				t.Errorf("albtest: %v", err)
				failed = true
			}
			if update {
				if err := writeGolden(x.golden, body); err != nil {
					findings = append(findings, validate.NewFinding(validate.EXPECTBODY, "/expect/body", fmt.Sprintf("update golden file: %v", err)))
					continue
				}
			}
		}
		findings = append(findings, replay.CheckExpect(&x.e, client, body, 0, filepath.Dir(x.golden), "")...)
	}
	if slices.ContainsFunc(findings, func(f validate.Finding) bool { return f.Severity == validate.Error }) {
		failed = true
		t.Errorf("%s", describe(rep.Mode, findings, client.StatusCode))
	}
	return !failed
}

// writeGolden writes body to path unless the file already holds exactly
// that, so that an update with unchanged answers leaves the tree (and its
// timestamps) alone.
func writeGolden(path string, body []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, body) {
		return nil
	}
	// Both errors are *fs.PathError, which name the path.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, body, 0o644)
}

// describe is the failure message: one entry per problem, the product of
// this package, so it is tested like output.
func describe(mode validate.Mode, findings []validate.Finding, status int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "albtest: the response fails (%s mode; the client would get %d):", mode, status)
	for _, f := range findings {
		if f.Severity != validate.Error {
			continue
		}
		fmt.Fprintf(&b, "\n  %s %s", f.Rule, pointer(f.Pointer))
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(f.Message, "\n", "\n      "))
		if r, _ := validate.LookupRule(f.Rule); r.Status != 0 {
			fmt.Fprintf(&b, "\n      → the client would get %d: %s", r.Status, f.ALBOutcome)
		}
	}
	return b.String()
}

func pointer(p string) string {
	switch {
	case p == "":
		return "(root)"
	case strings.HasPrefix(p, "/expect"):
		return strings.TrimPrefix(p, "/expect/")
	}
	return p
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
