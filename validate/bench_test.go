package validate_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
)

// benchRequest is a typical single-mode event of about 1 KB with 15 headers;
// with a body it is a POST whose base64 body has that many bytes.
func benchRequest(bodyBytes int) []byte {
	headers := map[string]string{
		"accept":                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"accept-encoding":           "gzip, deflate, br",
		"accept-language":           "en-US,en;q=0.9",
		"cache-control":             "no-cache",
		"cookie":                    "session=9f86d081884c7d659a2feaa0c55ad015; theme=dark",
		"host":                      "orders-1234567890.eu-west-1.elb.amazonaws.com",
		"pragma":                    "no-cache",
		"sec-fetch-mode":            "navigate",
		"upgrade-insecure-requests": "1",
		"user-agent":                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
		"x-amzn-trace-id":           "Root=1-67a1b2c3-0123456789abcdef01234567",
		"x-forwarded-for":           "203.0.113.7",
		"x-forwarded-port":          "443",
		"x-forwarded-proto":         "https",
		"x-request-id":              "c0a80001-5f3e-4c2b-9a8d-1b2c3d4e5f60",
	}
	ev := map[string]any{
		"requestContext":        map[string]any{"elb": map[string]any{"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-api/0123456789abcdef"}},
		"httpMethod":            "GET",
		"path":                  "/orders/42",
		"queryStringParameters": map[string]string{"expand": "items", "page": "2"},
		"headers":               headers,
		"body":                  "",
		"isBase64Encoded":       false,
	}
	if bodyBytes > 0 {
		ev["httpMethod"] = "POST"
		headers["content-type"] = "application/octet-stream"
		delete(headers, "pragma")
		ev["body"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, bodyBytes/4))
		ev["isBase64Encoded"] = true
	}
	b, _ := json.MarshalIndent(ev, "", "  ")
	return b
}

func benchResponse(bodyBytes int) []byte {
	r := map[string]any{
		"statusCode":        200,
		"statusDescription": "200 OK",
		"isBase64Encoded":   false,
		"headers": map[string]string{
			"Content-Type":  "application/json; charset=utf-8",
			"Cache-Control": "private, max-age=60",
			"ETag":          `"33a64df551425fcc55e4d42a148795d9f25f89d4"`,
			"Set-Cookie":    "session=9f86d081884c7d659a2feaa0c55ad015; Path=/; Secure; HttpOnly",
			"X-Request-Id":  "c0a80001-5f3e-4c2b-9a8d-1b2c3d4e5f60",
		},
		"body": `{"id":42,"status":"shipped","items":[{"sku":"BK-1","qty":1,"price":"12.50"},{"sku":"PN-7","qty":3,"price":"1.20"}],"customer":{"id":"c-981","name":"Ada Lovelace"},"updated":"2026-11-25T10:00:00Z","links":{"self":"/orders/42","items":"/orders/42/items"}` + strings.Repeat(" ", 300) + `}`,
	}
	if bodyBytes > 0 {
		r["headers"].(map[string]string)["Content-Type"] = "application/octet-stream"
		r["body"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, bodyBytes/4))
		r["isBase64Encoded"] = true
	}
	b, _ := json.MarshalIndent(r, "", "  ")
	return b
}

var benchSizes = []struct {
	name string
	body int
}{{"1KB", 0}, {"1MB-base64", 700 << 10}}

// BenchmarkDecodeAny is the yardstick: plain encoding/json decoding of the
// same documents into any.
func BenchmarkDecodeAny(b *testing.B) {
	for _, kind := range []string{"request", "response"} {
		for _, sz := range benchSizes {
			doc := benchRequest(sz.body)
			if kind == "response" {
				doc = benchResponse(sz.body)
			}
			b.Run(kind+"/"+sz.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					var v any
					if err := json.Unmarshal(doc, &v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// engines are the two ways to check: the fast path (the default) and the
// reference engine it must agree with.
var engines = []validate.Engine{validate.EngineFast, validate.EngineReference}

func BenchmarkValidateRequest(b *testing.B) {
	for _, engine := range engines {
		for _, sz := range benchSizes {
			doc := benchRequest(sz.body)
			if rep := validate.Request(doc); len(rep.Findings) != 0 {
				b.Fatalf("benchmark document is not clean:\n%s", rep)
			}
			b.Run(string(engine)+"/"+sz.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					validate.Request(doc, validate.WithEngine(engine))
				}
			})
		}
	}
}

func BenchmarkValidateResponse(b *testing.B) {
	for _, engine := range engines {
		for _, sz := range benchSizes {
			doc := benchResponse(sz.body)
			if rep := validate.Response(doc); len(rep.Findings) != 0 {
				b.Fatalf("benchmark document is not clean:\n%s", rep)
			}
			b.Run(string(engine)+"/"+sz.name, func(b *testing.B) {
				b.SetBytes(int64(len(doc)))
				b.ReportAllocs()
				for b.Loop() {
					validate.Response(doc, validate.WithEngine(engine))
				}
			})
		}
	}
}

// BenchmarkValidateInvalidRequest: an invalid document costs what it did
// before the fast path (which gives up early and hands it on).
func BenchmarkValidateInvalidRequest(b *testing.B) {
	doc := bytes.Replace(benchRequest(0), []byte(`"body": ""`), []byte(`"body": null`), 1)
	for _, engine := range engines {
		b.Run(string(engine), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if validate.Request(doc, validate.WithEngine(engine)).OK() {
					b.Fatal("the document is invalid")
				}
			}
		})
	}
}
