package fakeevent_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromHTTPRequest(t *testing.T) {
	r := httptest.NewRequest("PUT", "http://Shop.Example.com/items/a%2Fb?tag=x&tag=y&q=a+b", strings.NewReader(`{"n":1}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	r.Header.Add("X-Custom", "one")
	r.Header.Add("X-Custom", "two")
	r.Header.Set("X-Forwarded-For", "192.0.2.10, 198.51.100.2")
	r.Header.Set("Expect", "100-continue")
	r.Header.Set("X-Forwarded-Port", "9999") // the ALB's own value replaces it
	ev, err := fakeevent.FromHTTPRequest(r, fakeevent.WithSeed(1))
	require.NoError(t, err)
	assertClean(t, fakeevent.Marshal(ev))
	assert.Equal(t, "PUT", ev.HTTPMethod)
	assert.Equal(t, "/items/a%2Fb", ev.Path, "percent-encoding kept")
	assert.Equal(t, map[string]string{"tag": "y", "q": "a+b"}, ev.QueryStringParameters)
	assert.Equal(t, "shop.example.com", ev.Headers["host"])
	assert.Equal(t, "two", ev.Headers["x-custom"])
	assert.Equal(t, "192.0.2.10, 198.51.100.2, 192.0.2.1", ev.Headers["x-forwarded-for"], "appended: httptest's client is 192.0.2.1")
	assert.Equal(t, "80", ev.Headers["x-forwarded-port"])
	assert.Equal(t, "http", ev.Headers["x-forwarded-proto"])
	assert.Equal(t, "7", ev.Headers["content-length"])
	assert.NotContains(t, ev.Headers, "expect", "the ALB answers 100-continue itself")
	assert.Equal(t, `{"n":1}`, ev.Body)
	assert.False(t, ev.IsBase64Encoded)

	// Multi mode keeps repeated values in order.
	r = httptest.NewRequest("GET", "/items?tag=x&tag=y", nil)
	r.Header.Add("X-Custom", "one")
	r.Header.Add("X-Custom", "two")
	ev, err = fakeevent.FromHTTPRequest(r, fakeevent.WithMultiValue(), fakeevent.WithClientIP("203.0.113.50"))
	require.NoError(t, err)
	assertClean(t, fakeevent.Marshal(ev))
	assert.Equal(t, []string{"x", "y"}, ev.MultiValueQueryStringParameters["tag"])
	assert.Equal(t, []string{"one", "two"}, ev.MultiValueHeaders["x-custom"])
	assert.Equal(t, []string{"203.0.113.50"}, ev.MultiValueHeaders["x-forwarded-for"], "WithClientIP wins over RemoteAddr")
	assert.Equal(t, []string{"443"}, ev.MultiValueHeaders["x-forwarded-port"], "no scheme known: https")
}

func TestIncomingTraceIDIsKept(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
	ev, err := fakeevent.FromHTTPRequest(r)
	require.NoError(t, err)
	assert.Regexp(t, `^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1$`, ev.Headers["x-amzn-trace-id"])
	assertClean(t, fakeevent.Marshal(ev))

	r.Header.Set("X-Amzn-Trace-Id", "garbage")
	ev, err = fakeevent.FromHTTPRequest(r)
	require.NoError(t, err)
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`, ev.Headers["x-amzn-trace-id"])
}

// Every request a real ALB answers itself is refused with the status the
// client would get.
func TestRefusals(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 1<<20+1)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		reason string
	}{
		{"body over 1 MB", func() *http.Request {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(big))
			r.Header.Set("Content-Type", "application/octet-stream")
			return r
		}, 413, "LambdaRequestTooLarge"},
		{"body over 1 MB without Content-Length", func() *http.Request {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(big))
			r.ContentLength = -1
			return r
		}, 413, "LambdaRequestTooLarge"},
		{"TRACE", func() *http.Request { return httptest.NewRequest("TRACE", "/", nil) }, 405, "TRACE"},
		{"WebSocket upgrade", func() *http.Request {
			r := httptest.NewRequest("GET", "/ws", nil)
			r.Header.Set("Connection", "Upgrade")
			r.Header.Set("Upgrade", "websocket")
			return r
		}, 400, "WebSocket"},
		{"one header over 16K", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Big", strings.Repeat("b", 16<<10))
			return r
		}, 400, "X-Big"},
		{"headers over 64K together", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			for i := range 5 {
				r.Header.Set("X-Part-"+string(rune('a'+i)), strings.Repeat("p", 15<<10))
			}
			return r
		}, 400, "together"},
		{"31 addresses in X-Forwarded-For", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Forwarded-For", strings.TrimSuffix(strings.Repeat("198.51.100.1, ", 30), ", "))
			return r
		}, 463, "X-Forwarded-For holds 31"},
		{"URI over 16K", func() *http.Request {
			return httptest.NewRequest("GET", "/?q="+strings.Repeat("x", 16<<10), nil)
		}, 414, "URI"},
		{"non-UTF-8 text body", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("caf\xe9"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 502, "LambdaBadRequest"},
		{"non-UTF-8 header", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("X-Name", "caf\xe9")
			return r
		}, 502, "LambdaBadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fakeevent.FromHTTPRequest(tt.req())
			var refused *fakeevent.RefusedError
			require.True(t, errors.As(err, &refused), "want a refusal, got %v", err)
			assert.Equal(t, tt.status, refused.Status)
			assert.Contains(t, refused.Reason, tt.reason)
			assert.Contains(t, err.Error(), "a real ALB answers")
		})
	}
	// The builder refuses the same way.
	_, _, err := fakeevent.New("TRACE", "/").Build()
	var refused *fakeevent.RefusedError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, 405, refused.Status)
	_, _, err = fakeevent.New("GET /", "/").Build()
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, 400, refused.Status)

	_, _, err = fakeevent.New("GET", "/a%zzb").Build()
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, 400, refused.Status)
	assert.Contains(t, refused.Reason, "percent-encoding")

	// 30 addresses are still fine (29 given plus the client).
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Forwarded-For", strings.TrimSuffix(strings.Repeat("198.51.100.1, ", 29), ", "))
	_, err = fakeevent.FromHTTPRequest(r)
	assert.NoError(t, err)
}
