// Command orders is a small AWS Lambda function behind an Application Load
// Balancer, written with aws-lambda-go. It answers in the target group's mode
// (multi-value headers on or off, told by the request) and passes every
// fixture in ../../fixtures:
//
//	go build -o bin/orders ./examples/orders
//	albcheck replay --cmd bin/orders fixtures/
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(Handle)
}

// logo is a 1×1 PNG, served base64-encoded.
var logo, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

// Response is events.ALBTargetGroupResponse with omitempty on both header
// fields: aws-lambda-go's own type always sends the other mode's field as
// null, and "headers": null is not confirmed to be accepted in multi mode
// (albcheck's RESP-020).
type Response struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// Handle answers one request from the ALB.
func Handle(_ context.Context, req events.ALBTargetGroupRequest) (Response, error) {
	r := &reply{multi: req.MultiValueHeaders != nil, head: req.HTTPMethod == http.MethodHead, headers: map[string][]string{}}
	path, method := req.Path, req.HTTPMethod
	switch {
	case strings.HasPrefix(header(req, "user-agent"), "ELB-HealthChecker/"):
		r.text(http.StatusOK, "text/plain; charset=utf-8", "ok")
	case method == http.MethodOptions && strings.HasPrefix(path, "/api/"):
		r.set("Access-Control-Allow-Origin", "*")
		r.set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		r.set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		r.set("Access-Control-Max-Age", "600")
		r.status = http.StatusNoContent
	case path == "/" && (method == http.MethodGet || method == http.MethodHead):
		r.text(http.StatusOK, "text/html; charset=utf-8", "<!doctype html>\n<html><head><title>Orders</title></head><body><h1>Orders</h1></body></html>\n")
	case path == "/api/search" && method == http.MethodGet:
		// The ALB passes the query as the client sent it: decode it here.
		q, err := url.QueryUnescape(query(req, "q"))
		if err != nil {
			r.json(http.StatusBadRequest, map[string]string{"error": "bad query"})
			break
		}
		r.json(http.StatusOK, map[string]any{"query": q, "results": []string{q + " (book)", q + " (pen)"}})
	case path == "/api/orders" && method == http.MethodPost:
		var order struct {
			Item string `json:"item"`
			Qty  int    `json:"qty"`
		}
		body, err := bodyBytes(req)
		if err != nil || json.Unmarshal(body, &order) != nil || order.Item == "" || order.Qty < 1 {
			r.json(http.StatusBadRequest, map[string]string{"error": "want {\"item\": string, \"qty\": number}"})
			break
		}
		r.set("Location", "/api/orders/42")
		r.json(http.StatusCreated, map[string]any{"id": 42, "item": order.Item, "qty": order.Qty})
	case path == "/api/orders":
		r.set("Allow", "POST, OPTIONS")
		r.json(http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	case path == "/signup" && method == http.MethodPost:
		// Form posts arrive base64-encoded.
		body, err := bodyBytes(req)
		form, perr := url.ParseQuery(string(body))
		if err != nil || perr != nil || form.Get("email") == "" {
			r.text(http.StatusBadRequest, "text/plain; charset=utf-8", "email is required")
			break
		}
		r.text(http.StatusOK, "text/html; charset=utf-8", "<p>Welcome, "+htmlEscape(form.Get("email"))+"</p>\n")
	case path == "/login" && method == http.MethodPost:
		r.add("Set-Cookie", "session=s3cr3t; Path=/; Secure; HttpOnly")
		if r.multi {
			r.add("Set-Cookie", "theme=dark; Path=/")
		}
		r.json(http.StatusOK, map[string]bool{"ok": true})
	case path == "/upload" && method == http.MethodPut:
		body, err := bodyBytes(req)
		if err != nil {
			r.text(http.StatusBadRequest, "text/plain; charset=utf-8", "bad body")
			break
		}
		sum := sha256.Sum256(body)
		r.json(http.StatusOK, map[string]any{"bytes": len(body), "sha256": hex.EncodeToString(sum[:])})
	case path == "/logo.png" && method == http.MethodGet:
		r.set("Content-Type", "image/png")
		r.set("Cache-Control", "public, max-age=86400")
		r.status, r.body, r.base64 = http.StatusOK, base64.StdEncoding.EncodeToString(logo), true
	case path == "/old-orders":
		r.set("Location", "/api/orders")
		r.text(http.StatusMovedPermanently, "text/plain; charset=utf-8", "moved")
	default:
		r.json(http.StatusNotFound, map[string]string{"error": "not found", "path": path})
	}
	return r.response(), nil
}

// reply collects a response in either mode.
type reply struct {
	multi   bool
	head    bool // a reply to HEAD carries no body
	status  int
	headers map[string][]string
	body    string
	base64  bool
}

func (r *reply) set(name, value string) { r.headers[name] = []string{value} }
func (r *reply) add(name, value string) { r.headers[name] = append(r.headers[name], value) }

func (r *reply) text(status int, contentType, body string) {
	r.status, r.body = status, body
	r.set("Content-Type", contentType)
}

func (r *reply) json(status int, v any) {
	b, _ := json.Marshal(v)
	r.text(status, "application/json", string(b))
}

// response writes the header field of the target group's mode only; the
// other one stays nil, which every ALB accepts.
func (r *reply) response() Response {
	resp := Response{
		StatusCode:        r.status,
		StatusDescription: strconv.Itoa(r.status) + " " + http.StatusText(r.status),
		Body:              r.body,
		IsBase64Encoded:   r.base64,
	}
	if r.head || r.status == http.StatusNoContent {
		resp.Body, resp.IsBase64Encoded = "", false
	}
	if r.multi {
		resp.MultiValueHeaders = r.headers
	} else {
		resp.Headers = map[string]string{}
		for k, v := range r.headers {
			resp.Headers[k] = v[len(v)-1]
		}
	}
	return resp
}

func header(req events.ALBTargetGroupRequest, name string) string {
	if v, ok := req.Headers[name]; ok {
		return v
	}
	if vs := req.MultiValueHeaders[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

func query(req events.ALBTargetGroupRequest, name string) string {
	if v, ok := req.QueryStringParameters[name]; ok {
		return v
	}
	if vs := req.MultiValueQueryStringParameters[name]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

func bodyBytes(req events.ALBTargetGroupRequest) ([]byte, error) {
	if req.IsBase64Encoded {
		return base64.StdEncoding.DecodeString(req.Body)
	}
	return []byte(req.Body), nil
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
