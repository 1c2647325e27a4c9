package serve_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A function answering with an interim (1xx) status: the client gets the
// ALB's 502 with the reason in the log, never an empty 200 or a connection
// left hanging.
func TestServeInterimStatus(t *testing.T) {
	for _, code := range []int{100, 101, 103, 199} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			doc := fmt.Sprintf(`{"statusCode": %d, "statusDescription": "%d %s", "isBase64Encoded": false, "headers": {"Upgrade": "websocket", "Link": "</a.css>; rel=preload"}}`, code, code, http.StatusText(code))
			url, log := start(t, serve.Options{Handler: rawHandler{doc}})
			// The timeout only bounds a failure: a hung connection fails the
			// test instead of stalling it.
			client := &http.Client{Timeout: 10 * time.Second}
			resp, err := client.Get(url + "/")
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
			assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
			assert.Contains(t, string(body), "502 Bad Gateway")
			assert.Contains(t, log.String(), fmt.Sprintf(`"GET / HTTP/1.1" 502 %d `, code))
			assert.Contains(t, log.String(), fmt.Sprintf("/statusCode: %d is an informational (1xx) status", code))
		})
	}
}

// An answer the ALB passes on still gets its findings logged: headers lost
// in the other mode's field, warnings.
func TestServeLogsFindingsOfPassedAnswers(t *testing.T) {
	doc := `{"statusCode": 200, "multiValueHeaders": {"X-Lost": ["1"]}, "body": "ok"}`
	url, log := start(t, serve.Options{Handler: rawHandler{doc}})
	resp, body := get(t, "GET", url+"/", nil)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "ok", string(body))
	assert.Empty(t, resp.Header.Get("X-Lost"))
	out := log.String()
	assert.Contains(t, out, "GET / HTTP/1.1: the client gets 200, but:")
	assert.Contains(t, out, "RESP-006 error /multiValueHeaders")
	assert.Contains(t, out, "RESP-013 warning")

	url, jlog := start(t, serve.Options{Handler: rawHandler{doc}, JSONLog: true})
	get(t, "GET", url+"/", nil)
	var entry struct {
		Status   int `json:"elb_status_code"`
		Findings []string
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(jlog.String())), &entry), jlog.String())
	assert.Equal(t, 200, entry.Status)
	require.NotEmpty(t, entry.Findings)
	assert.Contains(t, strings.Join(entry.Findings, "\n"), "RESP-006 error /multiValueHeaders")
}

// A reply without a Content-Type reaches the client as
// application/octet-stream, as behind a real ALB, not as whatever Go's
// server sniffs from the body.
func TestServeDefaultContentType(t *testing.T) {
	tests := []struct {
		name string
		mode fakeevent.Mode
		doc  string
		want string
	}{
		{"no headers", fakeevent.Single, `{"statusCode": 200, "body": "hello"}`, "application/octet-stream"},
		{"html-looking body", fakeevent.Single, `{"statusCode": 200, "headers": {}, "body": "<html><body>hi</body></html>"}`, "application/octet-stream"},
		{"empty body", fakeevent.Single, `{"statusCode": 404, "headers": {"X-A": "1"}}`, "application/octet-stream"},
		// The 2019 capture: multi-value headers on, the function answering
		// in "headers", which the ALB ignores.
		{"headers of the other mode", fakeevent.Multi, `{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "hello"}`, "application/octet-stream"},
		{"set by the function", fakeevent.Single, `{"statusCode": 200, "headers": {"content-type": "text/csv"}, "body": "a,b"}`, "text/csv"},
		{"no content", fakeevent.Single, `{"statusCode": 204, "headers": {}}`, ""},
		{"not modified", fakeevent.Single, `{"statusCode": 304, "headers": {}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, log := start(t, serve.Options{Handler: rawHandler{tt.doc}, Mode: tt.mode})
			resp, _ := get(t, "GET", url+"/", nil)
			assert.Equal(t, tt.want, resp.Header.Get("Content-Type"), "%s", log)
		})
	}
}
