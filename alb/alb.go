// Package alb holds the facts about Application Load Balancers that every
// other package of albcheck relies on: size limits, which request bodies the
// ALB base64-encodes, which response headers it drops, and how it marks a
// health check. Each fact is defined here once; the validator, the fake-event
// builder and the local server refer to it.
//
// The sources are listed in ../shared/spec/alb-contract.md of the project; the
// short names in comments ([S1], [S4] …) refer to that page.
package alb

import (
	"mime"
	"strings"
)

const (
	// MaxRequestBody is the largest request body, decoded, that the ALB passes
	// to a Lambda target; larger requests get 413 (LambdaRequestTooLarge)
	// without invoking the function [S1][S3][S4].
	MaxRequestBody = 1 << 20

	// MaxResponseJSON is the largest response document, counted as the JSON
	// the function returns; larger gets 502 (LambdaResponseTooLarge) [S1][S3].
	MaxResponseJSON = 1 << 20

	// MaxResponseHeaders is the largest size of all response headers
	// together; larger gets 502 [S1].
	MaxResponseHeaders = 32 << 10

	// MaxForwardedFor is the most addresses the ALB accepts in an incoming
	// X-Forwarded-For header; more gets 463 [S4].
	MaxForwardedFor = 30

	// MaxURI is the longest request target (path and query) the ALB takes;
	// longer gets 414 [S4].
	MaxURI = 16 << 10

	// MaxHeaderLine is the longest single request header line ("Name: value")
	// the ALB takes; longer gets 400 [S4].
	MaxHeaderLine = 16 << 10

	// MaxRequestHeaders is the largest size of all request headers together;
	// larger gets 400 [S4].
	MaxRequestHeaders = 64 << 10

	// HealthCheckUserAgent is the user agent of the ALB's health checks; it is
	// how a function recognises them [S1].
	HealthCheckUserAgent = "ELB-HealthChecker/2.0"
)

// IsHealthCheckUserAgent reports whether ua is the ALB health checker's.
func IsHealthCheckUserAgent(ua string) bool {
	return strings.HasPrefix(ua, "ELB-HealthChecker/")
}

// textTypes are the content types whose bodies the ALB passes as is; every
// other type, and a body with no content type, arrives base64-encoded [S1].
// The structured-syntax suffixes (+json, +xml) are deliberately not text:
// read literally, the documentation lists only these four families. This is
// the one place to change if evidence says otherwise.
var textTypes = map[string]bool{
	"application/json":       true,
	"application/javascript": true,
	"application/xml":        true,
}

// IsTextContentType reports whether a body with this Content-Type header
// value reaches the function as text (isBase64Encoded false). Parameters
// such as charset do not matter.
func IsTextContentType(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Fall back to the part before any parameter, as the ALB does not
		// reject malformed parameters.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return strings.HasPrefix(mt, "text/") || textTypes[mt]
}

// RequestBodyIsBase64 reports whether the ALB base64-encodes a request body
// with these Content-Type and Content-Encoding header values (hasEncoding
// says whether Content-Encoding was sent at all: any value forces base64).
func RequestBodyIsBase64(contentType string, hasEncoding bool) bool {
	return hasEncoding || !IsTextContentType(contentType)
}

// hopByHop lists the hop-by-hop headers of RFC 9110 section 7.6.1 plus the
// legacy ones proxies also drop. The ALB ignores them in a function's
// response and writes its own framing [S1].
var hopByHop = map[string]bool{
	"connection":          true,
	"keep-alive":          true,
	"proxy-authenticate":  true,
	"proxy-authorization": true,
	"proxy-connection":    true,
	"te":                  true,
	"trailer":             true,
	"transfer-encoding":   true,
	"upgrade":             true,
}

// IsHopByHop reports whether a header name (any case) is hop-by-hop.
func IsHopByHop(name string) bool {
	// Lower-case into a stack buffer: this runs for every response header.
	var buf [24]byte
	if len(name) > len(buf) {
		return false // no hop-by-hop name is this long
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return hopByHop[string(buf[:len(name)])]
}

// TraceHeaders lists the headers the ALB adds to every request except health
// checks [S1].
var TraceHeaders = []string{"x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"}

// AddedHeaders lists the request headers the ALB adds or rewrites itself;
// a client's own values of these are replaced (x-forwarded-for is appended
// to instead) [S1].
var AddedHeaders = map[string]bool{
	"host":              true,
	"x-amzn-trace-id":   true,
	"x-forwarded-for":   true,
	"x-forwarded-port":  true,
	"x-forwarded-proto": true,
}

// RemovedRequestHeaders lists client headers the ALB does not pass on:
// Expect (it answers 100-continue itself) and the framing headers, which it
// replaces by a Content-Length of the body it read.
var RemovedRequestHeaders = map[string]bool{
	"expect":            true,
	"transfer-encoding": true,
}

// tokenChars marks the characters of an RFC 9110 token (method and header
// names).
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsToken reports whether s is an RFC 9110 token, as HTTP methods and header
// names must be.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}
