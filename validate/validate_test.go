package validate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/albcheck/albcheck/alb"
)

var typedEvent = events.ALBTargetGroupRequest{
	HTTPMethod: "GET",
	Path:       "/orders",
	Headers: map[string]string{
		"host":              "orders-1.us-east-1.elb.amazonaws.com",
		"x-amzn-trace-id":   "Root=1-67a1b2c3-0123456789abcdef01234567",
		"x-forwarded-for":   "203.0.113.7",
		"x-forwarded-port":  "443",
		"x-forwarded-proto": "https",
	},
	RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{
		TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/0123456789abcdef",
	}},
}

// aws-lambda-go drops an empty query map, which a real ALB always sends:
// the typed convenience checks what json.Marshal sends, so it says so.
func TestRequestValueChecksTheMarshalledJSON(t *testing.T) {
	rep := validate.RequestValue(typedEvent)
	assert.True(t, rep.OK(), rep.String())
	assert.Equal(t, validate.ModeSingle, rep.Mode)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, validate.REQ014, rep.Findings[0].Rule)
	assert.Equal(t, "/queryStringParameters", rep.Findings[0].Pointer)

	strict := validate.RequestValue(typedEvent, validate.WithStrict(true))
	assert.False(t, strict.OK(), "warnings fail under strict")
}

// A typical Go handler's response passes in single mode although it sends
// "multiValueHeaders": null; the same response to a multi-mode request is a
// problem: the client would get none of its headers.
func TestResponseValueFollowsTheRequestMode(t *testing.T) {
	resp := events.ALBTargetGroupResponse{StatusCode: 201, StatusDescription: "201 Created", Headers: map[string]string{"Location": "/orders/7"}}
	rep := validate.ResponseValue(resp, validate.ForRequest(typedEvent))
	assert.True(t, rep.OK(), rep.String())
	assert.Empty(t, rep.Findings)

	multi := typedEvent
	multi.Headers = nil
	multi.MultiValueHeaders = map[string][]string{"host": {"example.com"}}
	rep = validate.ResponseValue(resp, validate.ForRequest(multi))
	assert.Equal(t, validate.ModeMulti, rep.Mode)
	assert.False(t, rep.OK())
	assert.True(t, rep.Has(validate.RESP006), rep.String())
	assert.True(t, rep.Has(validate.RESP004), "multiValueHeaders: null is the field multi mode reads: %s", rep)
}

func TestForRequestJSON(t *testing.T) {
	ev, err := json.Marshal(map[string]any{"httpMethod": "HEAD", "multiValueHeaders": map[string][]string{}})
	require.NoError(t, err)
	doc := []byte(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "multiValueHeaders": {}, "body": "x"}`)
	rep := validate.Response(doc, validate.ForRequestJSON(ev))
	assert.Equal(t, validate.ModeMulti, rep.Mode)
	assert.True(t, rep.Has(validate.RESP014), "body on a reply to HEAD: %s", rep)

	// WithMode wins over the request's mode, whatever the order.
	rep = validate.Response(doc, validate.WithMode(validate.ModeSingle), validate.ForRequestJSON(ev))
	assert.Equal(t, validate.ModeSingle, rep.Mode)

	// A request that is not JSON leaves the options alone.
	rep = validate.Response(doc, validate.ForRequestJSON([]byte("nope")))
	assert.Equal(t, validate.ModeMulti, rep.Mode)
	assert.False(t, rep.Has(validate.RESP014))
}

func TestFindingsAreSortedAndCarryTheirRule(t *testing.T) {
	doc := []byte(`{"statusCode": "200", "statusDescription": null, "isBase64Encoded": 1, "headers": {"B": 1, "A": false}, "body": null, "cookies": []}`)
	rep := validate.Response(doc, validate.WithMode(validate.ModeSingle))
	require.NotEmpty(t, rep.Findings)
	sorted := sort.SliceIsSorted(rep.Findings, func(i, j int) bool {
		a, b := rep.Findings[i], rep.Findings[j]
		return a.Pointer < b.Pointer || (a.Pointer == b.Pointer && a.Rule < b.Rule)
	})
	assert.True(t, sorted, rep.String())
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		rule, ok := validate.LookupRule(f.Rule)
		require.True(t, ok, "unknown rule %s", f.Rule)
		assert.Equal(t, rule.Severity, f.Severity)
		assert.Equal(t, rule.Outcome, f.ALBOutcome)
		assert.NotEmpty(t, f.Message)
		key := string(f.Rule) + f.Pointer
		assert.False(t, seen[key], "one mistake, one finding: %s twice", key)
		seen[key] = true
	}
	for _, want := range []string{"RESP-001/statusCode", "RESP-004/statusDescription", "RESP-004/isBase64Encoded", "RESP-004/body", "RESP-007/headers/A", "RESP-007/headers/B", "RESP-016/cookies"} {
		assert.True(t, seen[want], "missing %s in\n%s", want, rep)
	}
}

func TestDocumentDetectsKindAndSkipsOthers(t *testing.T) {
	for doc, want := range map[string]validate.Kind{
		`{"httpMethod": "GET"}`:                  validate.KindRequest,
		`{"statusCode": 200}`:                    validate.KindResponse,
		`{"body": "x", "headers": {}}`:           validate.KindResponse,
		`{"name": "x", "request": {}}`:           validate.KindFixture,
		`[{"name": "x", "event": {}}]`:           validate.KindFixture,
		`{"name": "my-app", "dependencies": {}}`: validate.KindUnknown,
	} {
		rep := validate.Document([]byte(doc))
		assert.Equal(t, want, rep.Kind, doc)
		if want == validate.KindUnknown {
			assert.True(t, rep.Skipped, doc)
			assert.NotEmpty(t, rep.SkipReason)
			assert.True(t, rep.OK(), "a skipped document does not fail")
		}
	}
	// An array or a scalar is never skipped: it fails (before: an array
	// was skipped, and a run of them passed).
	for _, doc := range []string{`[1, 2, 3]`, `[]`, `"x"`, `7`} {
		rep := validate.Document([]byte(doc))
		assert.False(t, rep.Skipped, doc)
		assert.True(t, rep.Has(validate.JSON006), doc)
	}
}

// The schemas are compiled once and shared; checking from many goroutines
// at once is safe and gives the same answers (run with -race).
func TestConcurrentUse(t *testing.T) {
	doc := []byte(`{"statusCode": 200, "headers": {"X": true}, "body": null}`)
	want := validate.Response(doc).String()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				if got := validate.Response(doc).String(); got != want {
					t.Errorf("got %s, want %s", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestParseKindAndMode(t *testing.T) {
	k, err := validate.ParseKind("event")
	require.NoError(t, err)
	assert.Equal(t, validate.KindRequest, k)
	k, err = validate.ParseKind("auto")
	require.NoError(t, err)
	assert.Equal(t, validate.Kind(""), k)
	_, err = validate.ParseKind("reply")
	assert.ErrorContains(t, err, `unknown kind "reply"`)
	m, err := validate.ParseMode("MULTI")
	require.NoError(t, err)
	assert.Equal(t, validate.ModeMulti, m)
	_, err = validate.ParseMode("both")
	assert.ErrorContains(t, err, `unknown mode "both"`)
}

func TestClientStatus(t *testing.T) {
	assert.Equal(t, 502, validate.Response([]byte(`{"statusCode": 200, "body": null}`)).ClientStatus())
	assert.Equal(t, 0, validate.Response([]byte(`{"statusCode": 200}`)).ClientStatus(), "warnings only: the reply is passed on")
	assert.Equal(t, 0, validate.Response([]byte(`{"statusCode": 200, "multiValueHeaders": {"X": ["1"]}}`), validate.WithMode(validate.ModeSingle)).ClientStatus(),
		"RESP-006: the ALB answers, without those headers")
	rep := validate.Request([]byte(`{"requestContext": {"elb": {"targetGroupArn": "x"}}, "httpMethod": "TRACE", "path": "/", "headers": {}, "body": "", "isBase64Encoded": false}`))
	assert.Equal(t, 405, rep.ClientStatus())
}

// JSON-001 for a string left open points at where the string starts, not
// at the line break or the end of the file where the decoder stopped.
func TestUnterminatedStringPointsAtItsStart(t *testing.T) {
	for doc, want := range map[string][2]int{
		"{\n  \"statusCode\": 200,\n  \"body\": \"hello\n}\n": {3, 11},
		`{"statusCode": 200, "body": "hello`:                  {1, 29},
	} {
		rep := validate.Document([]byte(doc), validate.WithPositions())
		require.True(t, rep.Has(validate.JSON001), doc)
		f := rep.Findings[0]
		assert.Contains(t, f.Message, "unterminated string", doc)
		assert.Equal(t, want, [2]int{f.Line, f.Column}, doc)
	}
	// An invalid escape is no unterminated string.
	rep := validate.Document([]byte(`{"body": "a\qb"}`))
	assert.NotContains(t, rep.String(), "unterminated")
}

// Thousands of duplicate keys give at most 20 findings and one that counts
// the rest: each finding's position costs a pass over the bytes before it,
// so an uncapped list (and a line count per key) made a file of 80,000
// repeated keys take minutes.
func TestDuplicateKeysAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"statusCode": 200, "headers": {`)
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`"a": "b"`)
	}
	b.WriteString("}}")
	rep := validate.Document([]byte(b.String()), validate.WithPositions())
	var dups []validate.Finding
	for _, f := range rep.Findings {
		if f.Rule == validate.JSON003 {
			dups = append(dups, f)
		}
	}
	// One key repeated 5,000 times is one finding that says so (before:
	// "and 4979 more duplicate keys", of 4,999, after findings that the
	// report folded into one).
	assert.Len(t, dups, 1)
	assert.Contains(t, rep.String(), `duplicate key "a" (5000 times in this object)`)

	// Thirty keys each repeated: twenty findings and one that counts the
	// other ten.
	b.Reset()
	b.WriteString(`{"statusCode": 200, "headers": {`)
	for i := range 30 {
		fmt.Fprintf(&b, `"k%d": "1", "k%d": "2", "k%d": "3",`, i, i, i)
	}
	b.WriteString(`"z": "1"}}`)
	rep = validate.Document([]byte(b.String()), validate.WithPositions())
	dups = dups[:0]
	for _, f := range rep.Findings {
		if f.Rule == validate.JSON003 {
			dups = append(dups, f)
		}
	}
	assert.Len(t, dups, 21)
	assert.Contains(t, rep.String(), "and 10 more keys repeated in their objects")
	assert.Contains(t, rep.String(), `(3 times in this object)`)
}

// One rule reports at most 100 findings on a document, then one that counts
// the rest (before: 80,000 bad items printed 80,000 lines and took 18 s,
// locating each).
func TestFindingsPerRuleAreCapped(t *testing.T) {
	items := strings.TrimSuffix(strings.Repeat("1, ", 300), ", ")
	doc := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "multiValueHeaders": {"x": [` + items + `]}}`
	rep := validate.Document([]byte(doc), validate.WithMode(validate.ModeMulti), validate.WithPositions())
	n := 0
	for _, f := range rep.Findings {
		if f.Rule == validate.RESP007 {
			n++
		}
	}
	assert.Equal(t, 101, n)
	assert.Contains(t, rep.String(), "and 200 more RESP-007 findings in this document")
	// The ones shown are the document's first hundred, in its order (before:
	// /0, /1, /10, /100, ... as text sorts them, and /2 to /9 never shown).
	var shown []string
	for _, f := range rep.Findings {
		if f.Rule == validate.RESP007 && f.Pointer != "" {
			shown = append(shown, f.Pointer)
		}
	}
	require.Len(t, shown, 100)
	for i, p := range shown {
		assert.Equal(t, fmt.Sprintf("/multiValueHeaders/x/%d", i), p)
	}
}

// RESP-008 measures the document, not the newline an editor or jq puts
// after it (before: a response of exactly 1 MB failed once saved).
func TestResponseSizeIgnoresSurroundingWhiteSpace(t *testing.T) {
	head := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"content-type": "text/plain"}, "body": "`
	tail := `"}`
	exact := head + strings.Repeat("a", alb.MaxResponseJSON-len(head)-len(tail)) + tail
	require.Len(t, exact, alb.MaxResponseJSON)
	assert.False(t, validate.Response([]byte(exact+"\n")).Has(validate.RESP008), "a trailing newline")
	assert.False(t, validate.Response([]byte("\n  "+exact+"\r\n")).Has(validate.RESP008), "white space around it")
	over := head + strings.Repeat("a", alb.MaxResponseJSON-len(head)-len(tail)+1) + tail
	assert.True(t, validate.Response([]byte(over)).Has(validate.RESP008), "one byte over")
}

// A bare ALB event is a fixture (replay sends it as it is): --kind fixture
// checks it as the event (before: FIX-001 "a case needs event or request").
func TestBareEventAsFixture(t *testing.T) {
	doc, err := os.ReadFile("../fixtures/bare-event-get-order.json")
	require.NoError(t, err)
	rep := validate.Document(doc, validate.WithKind(validate.KindFixture))
	assert.Equal(t, validate.KindRequest, rep.Kind)
	assert.True(t, rep.OK(), rep.String())
	assert.False(t, rep.Has(validate.FIX001), rep.String())
}

// A raw line break inside a string that closes later is named as such
// (before: "unterminated string", for a string with its closing quote).
func TestRawNewlineInString(t *testing.T) {
	rep := validate.Document([]byte("{\"statusCode\": 200, \"body\": \"line one\nline two\"}"), validate.WithPositions())
	require.True(t, rep.Has(validate.JSON001), rep.String())
	assert.Contains(t, rep.String(), `a raw control character ('\n') inside a string`)
	assert.Equal(t, 1, rep.Findings[0].Line)
	rep = validate.Document([]byte("{\"statusCode\": 200, \"body\": \"never closed}\n"), validate.WithPositions())
	assert.Contains(t, rep.String(), "unterminated string")
}

// Fixture messages say what is wrong in the fixture's own words (before: the
// schema's "Does not match format 'http-method'" and "Must be less than or
// equal to 599", and "got an array" for a list of codes).
func TestFixtureMessages(t *testing.T) {
	doc := `[{"name":"t","request":{"method":"TRACE","target":"/"},"expect":{"status":[200,"2xx",999]}}]`
	rep := validate.Document([]byte(doc), validate.WithKind(validate.KindFixture))
	out := rep.String()
	assert.Contains(t, out, "/0/request/method: method TRACE never reaches a function: the ALB answers 405 itself")
	assert.Contains(t, out, "/0/expect/status/1: each code of a status list is a number, got a string (2xx)")
	assert.Contains(t, out, "/0/expect/status/2: status 999 is not between 100 and 599")
	assert.NotContains(t, out, "got an array")
}
