package fakeevent_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertClean fails unless the event's JSON passes validate with no finding
// at all, warnings included: the package's promise.
func assertClean(t *testing.T, doc []byte) {
	t.Helper()
	rep := validate.Request(doc, validate.WithStrict(true))
	assert.Empty(t, rep.Findings, "%s\n%s", rep, doc)
}

func TestBuilderJSONPost(t *testing.T) {
	ev, doc, err := fakeevent.New("POST", "/orders?src=app").JSON(map[string]any{"item": "book", "qty": 2}).Seed(1).Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Equal(t, "POST", ev.HTTPMethod)
	assert.Equal(t, "/orders", ev.Path)
	assert.Equal(t, map[string]string{"src": "app"}, ev.QueryStringParameters)
	assert.Equal(t, `{"item":"book","qty":2}`, ev.Body)
	assert.False(t, ev.IsBase64Encoded, "application/json travels as text")
	assert.Equal(t, "application/json", ev.Headers["content-type"])
	assert.Equal(t, "23", ev.Headers["content-length"])
	assert.Equal(t, fakeevent.DefaultUserAgent, ev.Headers["user-agent"])
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`, ev.Headers["x-amzn-trace-id"])
	assert.Regexp(t, `^lambda-target-\d{10}\.us-east-1\.elb\.amazonaws\.com$`, ev.Headers["host"])
	assert.Regexp(t, `^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup/lambda-target/[0-9a-f]{16}$`, ev.RequestContext.ELB.TargetGroupArn)
	assert.Equal(t, "443", ev.Headers["x-forwarded-port"])
	assert.Equal(t, "https", ev.Headers["x-forwarded-proto"])
}

// A form post reaches the function base64-encoded: the classic bug realistic
// events should expose.
func TestBuilderFormPostIsBase64(t *testing.T) {
	ev, doc, err := fakeevent.New("POST", "/signup").Form(url.Values{"email": {"a@example.com"}, "plan": {"pro"}}).Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.True(t, ev.IsBase64Encoded)
	body, err := base64.StdEncoding.DecodeString(ev.Body)
	require.NoError(t, err)
	assert.Equal(t, "email=a%40example.com&plan=pro", string(body))
}

func TestBuilderBinaryFileAndBodies(t *testing.T) {
	dir := t.TempDir()
	png := filepath.Join(dir, "logo.png")
	data := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 255}, 100)...)
	require.NoError(t, os.WriteFile(png, data, 0o644))
	ev, doc, err := fakeevent.New("PUT", "/logo").File(png).Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Equal(t, "image/png", ev.Headers["content-type"])
	assert.Equal(t, base64.StdEncoding.EncodeToString(data), ev.Body)

	// A text body without a content type is binary to the ALB.
	ev, doc, err = fakeevent.New("POST", "/x").Body("hello").Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.True(t, ev.IsBase64Encoded)

	// Content-Encoding forces base64 even for JSON.
	ev, doc, err = fakeevent.New("POST", "/x").Header("Content-Encoding", "gzip").JSON([]int{1}).Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.True(t, ev.IsBase64Encoded)

	_, _, err = fakeevent.New("POST", "/x").File(filepath.Join(dir, "missing.bin")).Build()
	assert.ErrorContains(t, err, "read body file")
}

func TestBuilderMultiModeKeepsEveryValueInOrder(t *testing.T) {
	ev, doc, err := fakeevent.New("GET", "/users?id=1&tag=a&tag=b&id=2").MultiValue().
		Header("Accept", "text/html").Header("Accept", "application/json").
		Cookie("session", "abc").Cookie("theme", "dark").Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Nil(t, ev.Headers)
	assert.Nil(t, ev.QueryStringParameters)
	assert.Equal(t, map[string][]string{"id": {"1", "2"}, "tag": {"a", "b"}}, ev.MultiValueQueryStringParameters)
	assert.Equal(t, []string{"text/html", "application/json"}, ev.MultiValueHeaders["accept"])
	assert.Equal(t, []string{"session=abc; theme=dark"}, ev.MultiValueHeaders["cookie"])

	// Single mode: the last value wins.
	ev, doc, err = fakeevent.New("GET", "/users?id=1&tag=a&tag=b&id=2").Header("Accept", "text/html").Header("Accept", "application/json").Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Equal(t, map[string]string{"id": "2", "tag": "b"}, ev.QueryStringParameters)
	assert.Equal(t, "application/json", ev.Headers["accept"])
}

func TestQueryIsLeftAsSent(t *testing.T) {
	ev, doc, err := fakeevent.New("GET", "/a%20b/%2F?q=a%2Bb&plus=a+b&empty=&flag&k%5B0%5D=v").Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Equal(t, "/a%20b/%2F", ev.Path)
	assert.Equal(t, map[string]string{"q": "a%2Bb", "plus": "a+b", "empty": "", "flag": "", "k%5B0%5D": "v"}, ev.QueryStringParameters)
}

// With no query string the mode's query map is present and empty, as in real
// events; aws-lambda-go's own encoding would drop it.
func TestEmptyQueryMapIsWritten(t *testing.T) {
	ev, doc, err := fakeevent.New("GET", "/").Seed(3).Build()
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"queryStringParameters":{}`)
	plain, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.NotContains(t, string(plain), "queryStringParameters", "aws-lambda-go drops it: why Marshal exists")

	_, doc, err = fakeevent.New("GET", "/").MultiValue().Build()
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"multiValueQueryStringParameters":{}`)
	assert.NotContains(t, string(doc), `"headers"`)
}

func TestSeedIsDeterministic(t *testing.T) {
	build := func(seed uint64) []byte {
		_, doc, err := fakeevent.New("POST", "/orders").JSON(map[string]int{"n": 1}).Seed(seed).Build()
		require.NoError(t, err)
		return doc
	}
	assert.Equal(t, string(build(42)), string(build(42)), "same seed, same bytes")
	assert.NotEqual(t, string(build(42)), string(build(43)))

	a, err := fakeevent.New("GET", "/").Event()
	require.NoError(t, err)
	b, err := fakeevent.New("GET", "/").Event()
	require.NoError(t, err)
	assert.NotEqual(t, a.Headers["x-amzn-trace-id"], b.Headers["x-amzn-trace-id"], "no seed: fresh ids")
}

func TestBuilderSettings(t *testing.T) {
	ev, doc, err := fakeevent.New("GET", "/").Host("API.Example.COM").ClientIP("198.51.100.7").Scheme("http").Port(8080).
		TargetGroup("eu-west-1", "210987654321", "orders", "0123456789abcdef").Header("User-Agent", "curl/8.5.0").Build()
	require.NoError(t, err)
	assertClean(t, doc)
	assert.Equal(t, "api.example.com", ev.Headers["host"], "the ALB lower-cases the host")
	assert.Equal(t, "198.51.100.7", ev.Headers["x-forwarded-for"])
	assert.Equal(t, "http", ev.Headers["x-forwarded-proto"])
	assert.Equal(t, "8080", ev.Headers["x-forwarded-port"])
	assert.Equal(t, "curl/8.5.0", ev.Headers["user-agent"])
	assert.Equal(t, "arn:aws:elasticloadbalancing:eu-west-1:210987654321:targetgroup/orders/0123456789abcdef", ev.RequestContext.ELB.TargetGroupArn)

	ev, _, err = fakeevent.New("GET", "http://Shop.Example.com:8080/cart?x=%41").Build()
	require.NoError(t, err)
	assert.Equal(t, "shop.example.com:8080", ev.Headers["host"])
	assert.Equal(t, "8080", ev.Headers["x-forwarded-port"])
	assert.Equal(t, "http", ev.Headers["x-forwarded-proto"])
	assert.Equal(t, "/cart", ev.Path)
	assert.Equal(t, "%41", ev.QueryStringParameters["x"])

	_, _, err = fakeevent.New("GET", "users").Build()
	assert.ErrorContains(t, err, "neither a path")
}

func TestHealthCheck(t *testing.T) {
	ev, err := fakeevent.HealthCheck("/health", fakeevent.WithTargetGroupARN("arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/tg/0123456789abcdef"))
	require.NoError(t, err)
	doc := fakeevent.Marshal(ev)
	assertClean(t, doc)
	assert.JSONEq(t, `{
		"requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/tg/0123456789abcdef"}},
		"httpMethod": "GET", "path": "/health", "queryStringParameters": {},
		"headers": {"user-agent": "ELB-HealthChecker/2.0"}, "body": "", "isBase64Encoded": false}`, string(doc))

	ev, err = fakeevent.HealthCheck("/health", fakeevent.WithMultiValue())
	require.NoError(t, err)
	assertClean(t, fakeevent.Marshal(ev))
	assert.Equal(t, []string{"ELB-HealthChecker/2.0"}, ev.MultiValueHeaders["user-agent"])

	_, err = fakeevent.HealthCheck("health")
	assert.Error(t, err)
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	ev, _, err := fakeevent.New("POST", "/x?a=%22").Header("X-Weird", "tab\there \"quoted\" back\\slash <b>&amp; é ☕").
		Header("Content-Type", "text/plain").Body("line1\nline2\u0001\u2028").Build()
	require.NoError(t, err)
	var ours, theirs any
	require.NoError(t, json.Unmarshal(fakeevent.Marshal(ev), &ours))
	std, err := json.Marshal(ev)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(std, &theirs))
	assert.Equal(t, theirs, ours, "same values as encoding/json (which only drops the empty maps)")
	assert.Contains(t, string(fakeevent.Marshal(ev)), "<b>&amp;", "no HTML escaping, as the ALB")
}

// A URL whose host does not parse is an error, not an event with that host:
// no client could have sent it.
func TestBuilderRefusesAMalformedHost(t *testing.T) {
	for _, target := range []string{"http://[::1", "http://[::1/x", "https://exa mple.com/", "http://a%zz/"} {
		_, _, err := fakeevent.New("GET", target).Build()
		assert.Error(t, err, target)
	}
	_, doc, err := fakeevent.New("GET", "http://[::1]:8080/x?a=1").Seed(1).Build()
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"host":"[::1]:8080"`)
}

// A target is sent as a client sends it: without its fragment, and with a
// space or control character percent-encoded, so the event passes REQ-016
// (before: "/a b" and "b#frag" reached the event as written).
func TestBuilderEncodesWhatAClientCannotSend(t *testing.T) {
	ev, doc, err := fakeevent.New("GET", "/a b?q=x y&c=\x01#frag").Seed(1).Build()
	require.NoError(t, err)
	assert.Equal(t, "/a%20b", ev.Path)
	assert.Equal(t, map[string]string{"q": "x%20y", "c": "%01"}, ev.QueryStringParameters)
	rep := validate.Request(doc, validate.WithStrict(true))
	assert.True(t, rep.OK(), "%s", rep)
}
