package awslambda_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/awslambda"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stand-in for the Lambda Invoke API, answering as the real one does: a
// function error is 200 with X-Amz-Function-Error.
func fakeInvokeAPI(t *testing.T, answer func(name string) (status int, functionError, body string)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// POST /2015-03-31/functions/{name}/invocations, signed with SigV4.
		if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") || !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256") {
			http.Error(w, "unexpected request "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		_, _ = io.ReadAll(r.Body)
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/"), "/invocations")
		status, fe, body := answer(name)
		if fe != "" {
			w.Header().Set("X-Amz-Function-Error", fe)
		}
		w.Header().Set("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElkOiAxMjMKaGVsbG8gZnJvbSB0aGUgZnVuY3Rpb24K") // "START RequestId: 123\\nhello from the function\\n"
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFunctionHandler(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	srv := fakeInvokeAPI(t, func(name string) (int, string, string) {
		switch name {
		case "ok":
			return 200, "", `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"Content-Type": "text/plain"}, "body": "hi"}`
		case "fails":
			return 200, "Unhandled", `{"errorMessage": "order service unavailable", "errorType": "errorString"}`
		case "slow":
			return 200, "Unhandled", `{"errorMessage": "2026-11-25T10:00:03.000Z 123 Task timed out after 3.00 seconds"}`
		case "exits":
			return 200, "Unhandled", `{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: 123 Error: Runtime exited with error: exit status 1"}`
		}
		return 404, "", `{"Type": "User", "message": "Function not found"}`
	})
	c := event(t, fakeevent.Single)
	for name, want := range map[string]validate.RuleID{"ok": "", "fails": validate.FUNCERROR, "slow": validate.FUNCTIMEOUT, "exits": validate.FUNCCRASH, "missing": validate.FUNCERROR} {
		h, err := awslambda.FunctionHandler(context.Background(), name, "eu-west-1", srv.URL, 1)
		require.NoError(t, err)
		res := h.Invoke(context.Background(), c.EventJSON, time.Second)
		o := replay.Check(c, res)
		if want == "" {
			assert.True(t, o.OK(true), "%s: %v", name, o.Findings)
			assert.Contains(t, string(res.Logs), "hello from the function", "the log tail is kept")
			continue
		}
		require.NotNil(t, res.Failure, name)
		assert.Equal(t, want, res.Failure.Rule, "%s: %s", name, res.Failure.Message)
	}
}

func event(t *testing.T, mode fakeevent.Mode) *replay.Case {
	t.Helper()
	ev, err := fakeevent.New("GET", "/orders").Mode(mode).Seed(1).Event()
	require.NoError(t, err)
	return &replay.Case{File: "x.json", Name: "x", Mode: mode, Event: ev, EventJSON: fakeevent.Marshal(ev)}
}

// BenchmarkFunction is one --function invocation through the AWS SDK
// (request signing and all) against a stand-in that answers at once.
func BenchmarkFunction(b *testing.B) {
	b.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	b.Setenv("AWS_CONFIG_FILE", os.DevNull)
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	answer := []byte(`{"statusCode":200,"statusDescription":"200 OK","headers":{"Content-Type":"text/plain"},"body":"hi","isBase64Encoded":false}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write(answer)
	}))
	b.Cleanup(srv.Close)
	h, err := awslambda.FunctionHandler(context.Background(), "orders", "eu-west-1", srv.URL, 1)
	if err != nil {
		b.Fatal(err)
	}
	ev, err := fakeevent.New("GET", "/api/search?q=x").Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	doc := fakeevent.Marshal(ev)
	b.ReportAllocs()
	for b.Loop() {
		if r := h.Invoke(context.Background(), doc, 3*time.Second); r.Failure != nil {
			b.Fatal(r.Failure.Message)
		}
	}
}
