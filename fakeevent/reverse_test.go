package fakeevent_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestToHTTPRequest(t *testing.T) {
	body := []byte{0, 1, 2, 250, 251}
	ev, _, err := fakeevent.New("POST", "/up%20load?b=2&a=1&a=0").MultiValue().Host("files.example.com").
		Header("Content-Type", "application/octet-stream").ClientIP("198.51.100.9").BodyBytes(body).Build()
	require.NoError(t, err)
	r, err := fakeevent.ToHTTPRequest(ev)
	require.NoError(t, err)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/up%20load", r.URL.EscapedPath())
	assert.Equal(t, "/up load", r.URL.Path)
	assert.Equal(t, "a=1&a=0&b=2", r.URL.RawQuery, "keys sorted, values in order")
	assert.Equal(t, "/up%20load?a=1&a=0&b=2", r.RequestURI)
	assert.Equal(t, "files.example.com", r.Host)
	assert.Empty(t, r.Header.Get("Host"), "promoted to r.Host, as net/http does")
	assert.Equal(t, "https", r.URL.Scheme)
	assert.Equal(t, "198.51.100.9:0", r.RemoteAddr)
	assert.Equal(t, int64(5), r.ContentLength)
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, body, got, "base64 decoded")
	assert.Equal(t, "application/octet-stream", r.Header.Get("Content-Type"))

	ev.Body = "%%%"
	_, err = fakeevent.ToHTTPRequest(ev)
	assert.ErrorContains(t, err, "not base64")
}

func TestClientResponse(t *testing.T) {
	single, err := fakeevent.New("GET", "/").Event()
	require.NoError(t, err)
	doc := []byte(`{"statusCode": 201, "statusDescription": "201 Created", "isBase64Encoded": true,
		"headers": {"Content-Type": "image/png", "Connection": "close", "Content-Length": "1", "Location": "/img/7"},
		"multiValueHeaders": null, "body": "iVBORw0KGgo="}`)
	resp, rep := fakeevent.ClientResponse(single, doc)
	assert.True(t, rep.OK(), rep.String())
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "201 Created", resp.Status)
	assert.Equal(t, "8", resp.Header.Get("Content-Length"), "computed from the decoded body")
	assert.Empty(t, resp.Header.Get("Connection"), "hop-by-hop dropped")
	assert.Equal(t, "/img/7", resp.Header.Get("Location"))
	b, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "\x89PNG\r\n\x1a\n", string(b))

	// The wrong mode's field: the ALB answers, without those headers.
	doc = []byte(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "multiValueHeaders": {"X-A": ["1"]}, "body": "ok"}`)
	resp, rep = fakeevent.ClientResponse(single, doc)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("X-A"))
	assert.True(t, rep.Has(validate.RESP006))

	// The same reply to a multi-mode request keeps its values.
	multi, err := fakeevent.New("GET", "/").MultiValue().Event()
	require.NoError(t, err)
	doc = []byte(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]}, "body": "ok"}`)
	resp, _ = fakeevent.ClientResponse(multi, doc)
	assert.Equal(t, []string{"a=1", "b=2"}, resp.Header.Values("Set-Cookie"))

	// HEAD: no body, the length of the one it would have had.
	head, err := fakeevent.New("HEAD", "/").Event()
	require.NoError(t, err)
	resp, _ = fakeevent.ClientResponse(head, []byte(`{"statusCode": 200, "headers": {}, "body": "hello"}`))
	b, _ = io.ReadAll(resp.Body)
	assert.Empty(t, b)
	assert.Equal(t, "5", resp.Header.Get("Content-Length"))
}

// A reply the ALB cannot use becomes its own 502, and the report says why.
func TestClientResponseBadGateway(t *testing.T) {
	req, err := fakeevent.New("GET", "/").Event()
	require.NoError(t, err)
	for doc, rule := range map[string]validate.RuleID{
		`{"statusCode": 200, "body": null}`:                           validate.RESP004,
		`{"statusCode": 200, "headers": {"X-Hit": true}}`:             validate.RESP007,
		`{"statusCode": "200"}`:                                       validate.RESP001,
		`{"statusCode": 200, "isBase64Encoded": true, "body": "a b"}`: validate.RESP005,
		`not json`:                             validate.JSON001,
		`{"statusCode": 200, "headers": null}`: validate.RESP004,
	} {
		resp, rep := fakeevent.ClientResponse(req, []byte(doc))
		assert.Equal(t, http.StatusBadGateway, resp.StatusCode, doc)
		assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
		b, _ := io.ReadAll(resp.Body)
		assert.Contains(t, string(b), "502 Bad Gateway")
		assert.True(t, rep.Has(rule), "%s: want %s in\n%s", doc, rule, rep)
	}
}

// Through ToHTTPRequest and httptest, an http.Handler answers an event.
func TestHandlerRoundTrip(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Path", r.URL.Path)
		_, _ = w.Write([]byte(strings.ToUpper(string(b)) + " " + r.URL.Query().Get("q")))
	})
	ev, _, err := fakeevent.New("POST", "/echo?q=hi").Header("Content-Type", "text/plain").Body("hello").Build()
	require.NoError(t, err)
	r, err := fakeevent.ToHTTPRequest(ev)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	assert.Equal(t, "HELLO hi", rec.Body.String())
	assert.Equal(t, "/echo", rec.Header().Get("X-Path"))
}

// A reply that sets no Content-Type reaches the client as
// alb.DefaultResponseContentType; one that sets it keeps it, even empty; a
// status without a body gets none.
func TestClientResponseDefaultContentType(t *testing.T) {
	req, err := fakeevent.New("GET", "/").Event()
	require.NoError(t, err)
	for doc, want := range map[string][]string{
		`{"statusCode": 200, "body": "<p>hi</p>"}`:                          {alb.DefaultResponseContentType},
		`{"statusCode": 500, "headers": {}}`:                                {alb.DefaultResponseContentType},
		`{"statusCode": 200, "headers": {"CONTENT-TYPE": "text/html"}}`:     {"text/html"},
		`{"statusCode": 200, "headers": {"Content-Type": ""}, "body": "x"}`: {""},
		`{"statusCode": 204, "headers": {}}`:                                nil,
		`{"statusCode": 304, "headers": {}}`:                                nil,
	} {
		resp, rep := fakeevent.ClientResponse(req, []byte(doc))
		require.Zero(t, rep.ClientStatus(), "%s: %s", doc, rep)
		assert.Equal(t, want, resp.Header.Values("Content-Type"), doc)
	}
}
