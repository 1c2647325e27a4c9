package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/albcheck/albcheck/validate"
)

// InvokePath is the Invoke API's path for a function named "function", as
// the Runtime Interface Emulator serves it.
const InvokePath = "/2015-03-31/functions/function/invocations"

// InvokeURLHandler invokes a function through the Lambda Invoke API over
// HTTP: the Runtime Interface Emulator, or sam local start-lambda. A URL
// without a path gets InvokePath. Invocations are sent one at a time: the
// emulator in its default mode fails when two overlap.
func InvokeURLHandler(url string) Handler {
	if i := strings.Index(url, "://"); i >= 0 && !strings.Contains(url[i+3:], "/") {
		url += InvokePath
	}
	return &invokeHandler{url: url, client: &http.Client{}}
}

type invokeHandler struct {
	url    string
	client *http.Client
	mu     sync.Mutex
}

func (h *invokeHandler) Concurrency() int { return 1 }
func (h *invokeHandler) Close() error     { return nil }

func (h *invokeHandler) Invoke(ctx context.Context, event []byte, timeout time.Duration) Result {
	h.mu.Lock()
	defer h.mu.Unlock()
	start := time.Now()
	// The function's own timeout is the emulator's; wait a little longer for
	// its answer about it.
	ctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(event))
	if err != nil {
		return Result{Failure: fail(validate.FUNCINIT, "%v", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Result{Failure: fail(validate.FUNCTIMEOUT, "no answer from %s within %s", h.url, timeout), Duration: time.Since(start)}
		}
		return Result{Failure: fail(validate.FUNCINIT, "cannot invoke %s: %v", h.url, err), Duration: time.Since(start)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxPayload+1))
	r := Result{Duration: time.Since(start)}
	if err != nil {
		r.Failure = fail(validate.FUNCCRASH, "reading the answer: %v", err)
		return r
	}
	r.Failure = interpretInvoke(resp, body)
	if r.Failure == nil {
		r.Payload = body
	}
	return r
}

// InterpretInvoke is interpretInvoke for handlers written outside this
// package (awslambda): the failure an Invoke API answer stands for, or nil.
func InterpretInvoke(resp *http.Response, body []byte) *Failure { return interpretInvoke(resp, body) }

// interpretInvoke turns what the Invoke API (or the emulator, which differs
// from it) says about a function error into a failure; nil means body is the
// function's response.
func interpretInvoke(resp *http.Response, body []byte) *Failure {
	var e struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	isError := json.Unmarshal(body, &e) == nil && (e.Message != "" || e.Type != "")
	// An error document has only these keys (plus a stack trace); a response
	// document never has them.
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(body, &keys)
	for k := range keys {
		if k != "errorMessage" && k != "errorType" && k != "stackTrace" && k != "requestId" && k != "trace" {
			isError = false
		}
	}
	msg := strings.TrimSpace(e.Type + ": " + e.Message)
	switch {
	case len(body) > MaxPayload:
		return fail(validate.FUNCERROR, "Function.ResponseSizeTooLarge: over Lambda's limit of %d bytes", MaxPayload)
	case bytes.HasPrefix(body, []byte("Task timed out after")): // the emulator, in plain text
		return fail(validate.FUNCTIMEOUT, "%s", strings.TrimSpace(string(body)))
	case strings.Contains(e.Message, "Task timed out after"): // the Invoke API
		return fail(validate.FUNCTIMEOUT, "%s", e.Message)
	case e.Type == "Runtime.ExitError":
		return fail(validate.FUNCCRASH, "the function's process exited: %s", msg)
	case resp.Header.Get("X-Amz-Function-Error") != "":
		return fail(validate.FUNCERROR, "the function failed (%s): %s", resp.Header.Get("X-Amz-Function-Error"), msg)
	case resp.StatusCode >= 300 && (e.Type == "Runtime.ExitError" || strings.Contains(string(body), "Runtime.ExitError")):
		return fail(validate.FUNCCRASH, "the function's process exited: %s", strings.TrimSpace(string(body)))
	case resp.StatusCode >= 300 && strings.Contains(string(body), "ResponseSizeTooLarge"):
		return fail(validate.FUNCERROR, "Function.ResponseSizeTooLarge: %s", strings.TrimSpace(string(body)))
	case resp.StatusCode >= 300 && e.Message != "":
		return fail(validate.FUNCERROR, "the function failed: %s", msg)
	case resp.StatusCode >= 300:
		return fail(validate.FUNCERROR, "the Invoke API answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	case isError:
		return fail(validate.FUNCERROR, "the function returned an error: %s", msg)
	}
	return nil
}
