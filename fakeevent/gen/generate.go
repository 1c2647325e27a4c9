package gen

import (
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
)

// Generate draws one client request from src. mode is the target group's
// mode; "" lets src choose it, so that a run covers both.
func Generate(src Source, mode fakeevent.Mode) *Request {
	r := &Request{Mode: mode, Seed: uint64(src.IntN(1 << 30))}
	if r.Mode == "" {
		r.Mode = fakeevent.Single
		if src.IntN(2) == 1 {
			r.Mode = fakeevent.Multi
		}
	}
	if chance(src, 25) {
		r.HealthCheck = true
		r.Path = oneOf(src, "/", "/health", "/healthz", "/ping", "/status/ready", "/api/health%20check")
		if chance(src, 4) {
			r.Query = []Param{{Key: "deep", Value: "1"}}
		}
		return r
	}
	r.Method = genMethod(src)
	r.Query = genQuery(src)
	budget := alb.MaxURI - 1 - uriSlack(r.Query) - len(r.RawQuery())
	r.Path = genPath(src, budget)
	switch pick(src, 6, 2, 1, 1) {
	case 1:
		r.Host = oneOf(src, "api.example.com", "shop.example.com", "Api.Example.COM", "localhost:8443", "example.org:80", "xn--caf-dma.example")
	case 2:
		r.Host = "orders-" + strconv.Itoa(src.IntN(1000)) + ".internal.example"
	case 3:
		r.Scheme = "http"
	}
	r.Body, r.Headers = genBody(src, r.Method)
	r.Headers = genHeaders(src, r.Headers, len(r.Body) > 0)
	return r
}

// uriSlack is what the validator's count of the request target may exceed
// the real one by: it counts each parameter as "&key=value".
func uriSlack(q []Param) int { return 2*len(q) + 8 }

func genMethod(src Source) string {
	switch pick(src, 8, 6, 2, 2, 2, 1, 1, 1) {
	case 1:
		return "POST"
	case 2:
		return "PUT"
	case 3:
		return "PATCH"
	case 4:
		return "DELETE"
	case 5:
		return "HEAD"
	case 6:
		return "OPTIONS"
	case 7:
		return oneOf(src, "PROPFIND", "PURGE", "MKCOL", "REPORT", "LINK")
	}
	return "GET"
}

// words are path segments and query keys an application might route on.
var words = []string{"api", "orders", "users", "v1", "v2", "items", "search", "static", "img", "health", "login", "cart", "files", "admin", "graphql", "products", "me", "callback", "webhooks", "index.html", "favicon.ico", "report.pdf", "archive.tar.gz"}

// encodedSegments are segments as clients send them percent-encoded: an
// encoded slash (the classic routing bug), space, percent, reserved
// characters, UTF-8 in both hex cases, a double-encoded slash.
var encodedSegments = []string{"a%2Fb", "..%2F..%2Fetc%2Fpasswd", "a%2fb", "hello%20world", "100%25", "%3F", "%23frag", "caf%C3%A9", "caf%c3%a9", "%E6%97%A5%E6%9C%AC", "%F0%9F%98%80", "%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82", "a%252Fb", "%00", "%7E", "na%C3%AFve+plus", "%2E%2E"}

// rawSegments are segments with characters a client sends unencoded: the
// sub-delimiters, ':' and '@' are legal in a path.
var rawSegments = []string{"~user", "a;b=c", "a,b", "x:y", "@me", "a+b", "!$&'()*", "name=value", "v1.2.3", "-_.", "A-Z_09"}

func genSegment(src Source) string {
	switch pick(src, 10, 3, 3, 2, 2, 1) {
	case 1:
		return strconv.Itoa(src.IntN(100000))
	case 2:
		return encodedSegments[src.IntN(len(encodedSegments))]
	case 3:
		return rawSegments[src.IntN(len(rawSegments))]
	case 4:
		return oneOf(src, ".", "..", "")
	case 5:
		return hexString(src, 8) + "-" + hexString(src, 4) + "-4" + hexString(src, 3) + "-a" + hexString(src, 3) + "-" + hexString(src, 12)
	}
	return words[src.IntN(len(words))]
}

func hexString(src Source, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "0123456789abcdef"[src.IntN(16)]
	}
	return string(b)
}

// genPath draws a path of at most budget bytes.
func genPath(src Source, budget int) string {
	switch pick(src, 3, 12, 2) {
	case 0:
		return "/"
	case 2:
		return longPath(src, budget)
	}
	var b strings.Builder
	for range 1 + src.IntN(6) {
		b.WriteByte('/')
		b.WriteString(genSegment(src))
	}
	if chance(src, 5) {
		b.WriteByte('/')
	}
	if b.Len() > budget {
		return "/"
	}
	return b.String()
}

// longPath draws a long path: from 1 KB up to the ALB's limit on the
// request target (alb.MaxURI), as many segments or one long one.
func longPath(src Source, budget int) string {
	n := 1024 + src.IntN(alb.MaxURI)
	if n > budget || chance(src, 4) {
		n = budget // right at the limit
	}
	if n < 2 {
		return "/"
	}
	rng := bulk(src)
	var b strings.Builder
	b.Grow(n)
	one := src.IntN(2) == 0
	for b.Len() < n {
		b.WriteByte('/')
		seg := "a"
		if !one {
			seg = words[rng.IntN(len(words))]
			if rng.IntN(4) == 0 {
				seg = encodedSegments[rng.IntN(len(encodedSegments))]
			}
		}
		for b.Len()+len(seg) <= n {
			b.WriteString(seg)
			if !one {
				break
			}
		}
		if b.Len()+len(seg) > n {
			break
		}
	}
	s := b.String()
	if len(s) > n {
		s = s[:n]
	}
	return trimEscape(s)
}

// trimEscape drops a percent-encoding cut in two at the end of a path; an
// empty path becomes "/".
func trimEscape(s string) string {
	if s = cutEscape(s); s == "" {
		return "/"
	}
	return s
}

// cutEscape drops a percent-encoding cut in two at the end of s.
func cutEscape(s string) string {
	if i := strings.LastIndexByte(s, '%'); i >= 0 && i >= len(s)-2 {
		s = s[:i]
	}
	return s
}

var queryKeys = []string{"id", "q", "tag", "page", "sort", "filter%5Bname%5D", "ids%5B%5D", "redirect_uri", "next", "callback", "utm_source", "lang", "debug", "a", "k%C3%A9y", "X", "fields"}

// queryValues are values as clients send them, still encoded: '+' for a
// space from a form, %2B for a plus, an encoded '&' and '=', UTF-8,
// double-encoded characters (%25 then hex: a value decoded twice becomes
// something else), and the characters that may travel raw.
var queryValues = []string{"1", "42", "hello", "a+b", "a%2Bb", "hello%20world", "a%26b%3Dc", "caf%C3%A9", "%E2%9C%93", "%F0%9F%98%80", "%250A", "%250D%250A", "%2500", "%253Cscript%253E", "%25", "100%25", "a,b,c", "x:y", "/path/to", "https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1", "https://example.com/cb", "@user", "!$'()*", "~", "-1", "1e309", "true", "null", "%22quoted%22", "%7B%22a%22%3A1%7D", "2026-01-01T00:00:00Z"}

func genQuery(src Source) []Param {
	var q []Param
	switch pick(src, 5, 8, 1) {
	case 0:
		return nil
	case 2:
		// A long query string.
		rng := bulk(src)
		n := 1 + src.IntN(200)
		for i := range n {
			q = append(q, Param{Key: "k" + strconv.Itoa(i), Value: strings.Repeat("v", rng.IntN(40))})
		}
		return q
	}
	for range 1 + src.IntN(6) {
		p := Param{Key: queryKeys[src.IntN(len(queryKeys))]}
		switch pick(src, 8, 2, 1) {
		case 0:
			p.Value = queryValues[src.IntN(len(queryValues))]
		case 2:
			p.NoEquals = true
		}
		q = append(q, p)
		if chance(src, 4) {
			// The same key again: single mode keeps the last value.
			q = append(q, Param{Key: p.Key, Value: queryValues[src.IntN(len(queryValues))]})
		}
	}
	return q
}
