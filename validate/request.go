package validate

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/alb"
)

// requestFields names the header and query fields of a mode.
type requestFields struct {
	headers, query           string
	otherHeaders, otherQuery string
}

func fieldsOf(m Mode) requestFields {
	if m == ModeMulti {
		return requestFields{"multiValueHeaders", "multiValueQueryStringParameters", "headers", "queryStringParameters"}
	}
	return requestFields{"headers", "queryStringParameters", "multiValueHeaders", "multiValueQueryStringParameters"}
}

// requestMode tells a request's mode from its fields: a non-null multi-value
// field means multi. request.any.json's "if" says the same.
func requestMode(obj map[string]any) Mode {
	for _, k := range []string{"multiValueHeaders", "multiValueQueryStringParameters"} {
		if _, ok := obj[k].(map[string]any); ok {
			return ModeMulti
		}
	}
	return ModeSingle
}

// checkRequest runs both layers on a decoded request event.
func checkRequest(v any, mode Mode, fs *findings) (Mode, error) {
	// Compiled on first use: a run whose documents all take the fast path
	// never needs them. (The embedded schemas are tested; an error here
	// only happens to a broken build.)
	if err := schemas(); err != nil {
		return mode, err
	}
	mode = schemaMode(v, mode, requestMode)
	f := fieldsOf(mode)
	unchecked, err := schemaPass(v, mode, compiled.reqSingle, compiled.reqMulti, func(e schemaError) { mapRequestError(e, f, fs) })
	fs.unchecked += unchecked
	if err != nil {
		return mode, err
	}
	if obj, ok := v.(map[string]any); ok {
		requestRules(obj, f, fs)
	}
	return mode, nil
}

// mapRequestError gives a schema error its rule id and a message.
func mapRequestError(e schemaError, f requestFields, fs *findings) {
	p, top := e.pointer(), e.top()
	switch {
	case len(e.path) == 0 && e.missing == "":
		fs.add(REQ001, p, "an ALB request event is a JSON object, got "+jsonType(e.value))
	case top == f.headers && len(e.path) <= 1:
		if e.missing != "" {
			fs.add(REQ002, p, fmt.Sprintf("missing %q: a %s-mode event carries its headers there", f.headers, modeName(f)))
		} else {
			fs.add(REQ002, p, fmt.Sprintf("%q must be an object, got %s", f.headers, jsonType(e.value)))
		}
	case top == f.query && len(e.path) == 1:
		fs.add(REQ002, p, fmt.Sprintf("%q must be an object ({} when there is no query string), got %s", f.query, jsonType(e.value)))
	case (top == f.headers || top == f.query) && len(e.path) == 2 && e.typ == "array_min_items":
		fs.add(REQ003, p, fmt.Sprintf("%q has an empty array: the ALB never sends a header or query key with no value", e.path[1]))
	case (top == f.headers || top == f.query) && len(e.path) >= 2:
		want := "a string"
		if f.headers == "multiValueHeaders" {
			want = "an array of strings"
			if len(e.path) == 3 {
				want = "a string"
			}
		}
		fs.add(REQ003, p, fmt.Sprintf("must be %s, got %s", want, jsonType(e.value)))
	case top == f.otherHeaders || top == f.otherQuery:
		if e.value == nil {
			fs.add(REQ013, p, fmt.Sprintf("%q is null: in a %s-mode event the ALB leaves it out entirely", top, modeName(f)))
		} else {
			fs.add(REQ002, p, fmt.Sprintf("%q belongs to the other mode: a %s-mode event never carries it (fields of both modes at once)", top, modeName(f)))
		}
	case top == "httpMethod" && e.typ == "format":
		if e.value == "TRACE" {
			fs.add(REQ010, p, "TRACE never reaches a Lambda target: the ALB answers 405")
		} else {
			fs.add(REQ010, p, fmt.Sprintf("%q is not an HTTP method token", e.value))
		}
	case top == "path" && e.typ == "pattern":
		fs.add(REQ011, p, fmt.Sprintf("path %q does not start with /", e.value))
	case top == "body" && e.typ == "format":
		fs.add(REQ004, p, "isBase64Encoded is true but body is not valid standard base64 (A–Z a–z 0–9 + /, padded with =)")
	case e.missing != "":
		fs.add(REQ001, p, fmt.Sprintf("missing %q: the ALB always sends it", e.missing))
	case e.typ == "invalid_type":
		fs.add(REQ001, p, fmt.Sprintf("must be %s, got %s", expectedType(top, e), jsonType(e.value)))
	default:
		fs.add(REQ001, p, e.desc)
	}
}

func modeName(f requestFields) string {
	if f.headers == "multiValueHeaders" {
		return "multi"
	}
	return "single"
}

func expectedType(top string, e schemaError) string {
	switch top {
	case "isBase64Encoded":
		return "a boolean"
	case "requestContext":
		if len(e.path) == 3 {
			return "a string"
		}
		return "an object"
	}
	return "a string"
}

// requestRules are the semantic rules: what the schema cannot say.
func requestRules(obj map[string]any, f requestFields, fs *findings) {
	headers := asHeaders(obj[f.headers])

	// REQ-006, REQ-012: header names.
	for name := range headers {
		if hasUpper(name) {
			fs.add(REQ006, ptr("/"+f.headers, name), fmt.Sprintf("header name %q is not lower-case: the ALB sends %q", name, strings.ToLower(name)))
		}
		if len(name) == len("x-imforwards") && strings.EqualFold(name, "x-imforwards") {
			fs.add(REQ012, ptr("/"+f.headers, name), "x-imforwards came from a proxy on the machine that captured AWS's sample event; the ALB never adds it")
		}
	}

	// REQ-016: what a client can put in a request line, still encoded.
	if path, ok := obj["path"].(string); ok {
		if msg := rawTargetProblem(path); msg != "" {
			fs.add(REQ016, "/path", "path "+msg)
		}
	}
	if q, ok := obj[f.query].(map[string]any); ok {
		for k, v := range q {
			if msg := rawTargetProblem(k); msg != "" {
				fs.add(REQ016, ptr("/"+f.query, k), fmt.Sprintf("query key %q %s", k, msg))
			}
			switch x := v.(type) {
			case string:
				if msg := rawTargetProblem(x); msg != "" {
					fs.add(REQ016, ptr("/"+f.query, k), "query value "+msg)
				}
			case []any:
				for i, e := range x {
					if s, ok := e.(string); ok {
						if msg := rawTargetProblem(s); msg != "" {
							fs.add(REQ016, ptr(ptr("/"+f.query, k), itoa(i)), "query value "+msg)
						}
					}
				}
			}
		}
	}

	// REQ-017: the ALB's request limits, enforced before it invokes (the
	// same facts fakeevent refuses by, from package alb).
	requestLimits(obj, f, fs)

	// REQ-007: the headers the ALB adds, unless this is a health check;
	// REQ-015: the host header, likewise.
	if _, isMap := obj[f.headers].(map[string]any); isMap && !alb.IsHealthCheckUserAgent(headers.get("user-agent")) {
		if _, ok := headers.lookup("host"); !ok {
			fs.add(REQ015, ptr("/"+f.headers, "host"), "missing \"host\": HTTP/1.1 requires it, and the ALB passes the client's on every request but health checks")
		}
		for _, name := range alb.TraceHeaders {
			if _, ok := headers.lookup(name); !ok {
				fs.add(REQ007, ptr("/"+f.headers, name), fmt.Sprintf("missing %q: the ALB adds it to every request but health checks", name))
				continue
			}
			// Every value of a repeated header (multi mode), not only the
			// one a single-mode target group would keep.
			if arr, ok := headers[name].([]any); ok {
				for i, e := range arr {
					if val, ok := e.(string); ok {
						if msg := checkTraceHeader(name, val); msg != "" {
							fs.add(REQ007, ptr(ptr("/"+f.headers, name), itoa(i)), msg)
						}
					}
				}
				continue
			}
			if msg := checkTraceHeader(name, headers.get(name)); msg != "" {
				fs.add(REQ007, headers.pointer(ptr("/"+f.headers, name), name), msg)
			}
		}
	}

	// REQ-009: the target group's ARN.
	if rc, ok := obj["requestContext"].(map[string]any); ok {
		if elb, ok := rc["elb"].(map[string]any); ok {
			if arn, ok := elb["targetGroupArn"].(string); ok {
				if why := targetGroupARNProblem(arn); why != "" {
					fs.add(REQ009, "/requestContext/elb/targetGroupArn", fmt.Sprintf("%q is not a target-group ARN (arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex>): %s", arn, why))
				}
			}
		}
	}

	// REQ-014: the query object is always there.
	if _, ok := obj[f.query]; !ok {
		fs.add(REQ014, "/"+f.query, fmt.Sprintf("missing %q: the ALB sends {} when there is no query string", f.query))
	}

	body, bodyOK := obj["body"].(string)
	b64, b64OK := obj["isBase64Encoded"].(bool)
	if !bodyOK || !b64OK {
		return
	}
	// REQ-005: the size limit, on the decoded body.
	size := len(body)
	if b64 {
		size = base64DecodedLen(body) // exact for valid base64; REQ-004 covers the rest
	}
	if size > alb.MaxRequestBody {
		fs.add(REQ005, "/body", fmt.Sprintf("the body is %d bytes decoded, over the ALB's limit of %d", size, alb.MaxRequestBody))
	}
	// REQ-008: would the ALB have encoded this body this way?
	if body != "" && !emptyArrayHeader(headers, "content-type") { // REQ-003 said it
		ct, _ := headers.lookup("content-type")
		_, hasEnc := headers.lookup("content-encoding")
		want := alb.RequestBodyIsBase64(ct, hasEnc)
		if want != b64 {
			why := "content-type " + strconv.Quote(ct) + " is not a text type"
			switch {
			case hasEnc:
				why = "the request has a content-encoding header"
			case ct == "":
				why = "the request has no content-type header"
			case !want:
				why = "content-type " + strconv.Quote(ct) + " is a text type"
			}
			fs.add(REQ008, "/isBase64Encoded", fmt.Sprintf("isBase64Encoded is %t, but a real ALB sets it to %t here: %s", b64, want, why))
		}
	}
}

func checkTraceHeader(name, val string) string {
	switch name {
	case "x-amzn-trace-id":
		if !hasTraceRoot(val) {
			return fmt.Sprintf("x-amzn-trace-id %q is not of the form Root=1-<8 hex>-<24 hex>", val)
		}
	case "x-forwarded-for":
		parts := strings.Split(val, ",")
		if len(parts) > alb.MaxForwardedFor {
			return fmt.Sprintf("x-forwarded-for has %d addresses: the ALB answers 463 over %d", len(parts), alb.MaxForwardedFor)
		}
		for _, a := range parts {
			if net.ParseIP(strings.TrimSpace(a)) == nil {
				return fmt.Sprintf("x-forwarded-for %q: %q is not an IP address", val, strings.TrimSpace(a))
			}
		}
	case "x-forwarded-port":
		if n, err := strconv.Atoi(val); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("x-forwarded-port %q is not a port number", val)
		}
	case "x-forwarded-proto":
		if val != "http" && val != "https" {
			return fmt.Sprintf("x-forwarded-proto %q is neither http nor https", val)
		}
	}
	return ""
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// hasTraceRoot reports whether an X-Amzn-Trace-Id value has a field
// Root=1-<8 hex>-<24 hex>. (Hand-written, like isTargetGroupARN: these run on
// every event and a regular expression costs more than the rest of the rules.)
func hasTraceRoot(v string) bool {
	for field := range strings.SplitSeq(v, ";") {
		r, ok := strings.CutPrefix(field, "Root=1-")
		if ok && len(r) == 8+1+24 && r[8] == '-' && isLowerHex(r[:8]) && isLowerHex(r[9:]) {
			return true
		}
	}
	return false
}

// isTargetGroupARN checks
// arn:<partition>:elasticloadbalancing:<region>:<12 digits>:targetgroup/<name>/<16 hex>.
func isTargetGroupARN(s string) bool { return targetGroupARNProblem(s) == "" }

// targetGroupARNProblem says which part of a target group's ARN is wrong,
// or "" when none is.
func targetGroupARNProblem(s string) string {
	rest, ok := strings.CutPrefix(s, "arn:aws")
	if !ok {
		return `it does not start with "arn:aws"`
	}
	_, rest, ok = strings.Cut(rest, ":") // partition suffix, such as -cn
	if !ok {
		return "it has no service part"
	}
	if rest, ok = strings.CutPrefix(rest, "elasticloadbalancing:"); !ok {
		return `the service is not "elasticloadbalancing"`
	}
	region, rest, _ := strings.Cut(rest, ":")
	account, rest, _ := strings.Cut(rest, ":")
	if !isRegion(region) {
		return fmt.Sprintf("the region %q is not a region name such as us-east-1", region)
	}
	if len(account) != 12 || !isDigits(account) {
		return fmt.Sprintf("the account %q is not 12 digits", account)
	}
	if rest, ok = strings.CutPrefix(rest, "targetgroup/"); !ok {
		return `the resource does not start with "targetgroup/"`
	}
	name, id, _ := strings.Cut(rest, "/")
	if len(name) < 1 || len(name) > 32 {
		return fmt.Sprintf("the name %q is not 1 to 32 characters", name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Sprintf("the name %q holds %q: only letters, digits and - are allowed", name, c)
		}
	}
	if len(id) != 16 || !isLowerHex(id) {
		return fmt.Sprintf("the id %q is not 16 lower-case hex digits", id)
	}
	return ""
}

// isRegion checks the shape of an AWS region name: us-east-1, ap-southeast-2,
// us-gov-west-1: two or more groups of letters, then a number.
func isRegion(s string) bool {
	groups := 0
	for {
		word, rest, ok := strings.Cut(s, "-")
		if !ok {
			return groups >= 2 && isDigits(word)
		}
		if word == "" || (groups == 0 && len(word) != 2) {
			return false
		}
		for i := 0; i < len(word); i++ {
			if word[i] < 'a' || word[i] > 'z' {
				return false
			}
		}
		groups++
		s = rest
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// rawTargetProblem says what in s a client could not have sent in a request
// line (a space, a control character, #), or "" when nothing. The ALB passes
// the path and query as the client sent them, still percent-encoded.
func rawTargetProblem(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		var what string
		switch {
		case c == ' ':
			what = "a space"
		case c == '#':
			what = "#"
		case c < 0x20 || c == 0x7f:
			what = fmt.Sprintf("the control character 0x%02x", c)
		default:
			continue
		}
		return fmt.Sprintf("holds %s at byte %d: a client sends it percent-encoded (%%%02X), and the ALB passes it on still encoded", what, i, c)
	}
	return ""
}

// emptyArrayHeader reports whether the header is there as [] (multi mode).
func emptyArrayHeader(h headerView, name string) bool {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			arr, ok := v.([]any)
			return ok && len(arr) == 0
		}
	}
	return false
}

// requestLimits reports an event the ALB would have refused: a header line
// over alb.MaxHeaderLine, the client's headers over alb.MaxRequestHeaders
// together (the ones the ALB adds itself are not the client's), or a
// request target over alb.MaxURI. Sizes are counted as the request line and
// header lines would carry them.
func requestLimits(obj map[string]any, f requestFields, fs *findings) {
	if path, ok := obj["path"].(string); ok {
		target := len(path)
		if q, ok := obj[f.query].(map[string]any); ok && len(q) > 0 {
			for k, v := range q {
				eachString(v, func(_ int, s string) {
					target += 1 + len(k) + 1 + len(s) // "?" or "&", key, "=", value
				})
			}
		}
		if target > alb.MaxURI {
			fs.add(REQ017, "/path", fmt.Sprintf("the request target (path and query) is at least %d bytes, over the ALB's limit of %d: the ALB answers 414 itself and never invokes the function", target, alb.MaxURI))
		}
	}
	h, ok := obj[f.headers].(map[string]any)
	if !ok {
		return
	}
	total, long := 0, 0
	for name, v := range h {
		added := false
		for _, t := range alb.TraceHeaders {
			if len(t) == len(name) && strings.EqualFold(t, name) {
				added = true
				break
			}
		}
		eachString(v, func(i int, s string) {
			line := len(name) + 2 + len(s)
			if line > alb.MaxHeaderLine && long < 10 {
				long++
				p := ptr("/"+f.headers, name)
				if _, multi := v.([]any); multi {
					p = ptr(p, itoa(i))
				}
				fs.add(REQ017, p, fmt.Sprintf("the header line %q is %d bytes, over the ALB's limit of %d: the ALB answers 400 itself and never invokes the function", name, line, alb.MaxHeaderLine))
			}
			if !added {
				total += line + 2
			}
		})
	}
	if total > alb.MaxRequestHeaders {
		fs.add(REQ017, "/"+f.headers, fmt.Sprintf("the client's headers take %d bytes, over the ALB's limit of %d in all: the ALB answers 400 itself and never invokes the function", total, alb.MaxRequestHeaders))
	}
}

// eachString calls fn with each string of a header or query value: the one
// in single mode, each element (and its index) in multi mode. A callback
// rather than a slice: this runs for every clean document, on the fast path.
func eachString(v any, fn func(i int, s string)) {
	switch x := v.(type) {
	case string:
		fn(0, x)
	case []any:
		for i, e := range x {
			if s, ok := e.(string); ok {
				fn(i, s)
			}
		}
	}
}
