package validate

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/albcheck/albcheck/alb"
)

// responseMode tells a response's mode when nothing else says it:
// multiValueHeaders as the only non-null header field means multi.
// response.any.json's "if" says the same.
func responseMode(obj map[string]any) Mode {
	if _, ok := obj["multiValueHeaders"].(map[string]any); ok && obj["headers"] == nil {
		return ModeMulti
	}
	return ModeSingle
}

// checkResponse runs both layers on a decoded response document; size is the
// length of its JSON.
func checkResponse(v any, size int, mode Mode, method string, fs *findings) (Mode, error) {
	// Compiled on first use: a run whose documents all take the fast path
	// never needs them. (The embedded schemas are tested; an error here
	// only happens to a broken build.)
	if err := schemas(); err != nil {
		return mode, err
	}
	mode = schemaMode(v, mode, responseMode)
	mine, other := "headers", "multiValueHeaders"
	if mode == ModeMulti {
		mine, other = other, mine
	}
	unchecked, err := schemaPass(v, mode, compiled.respSingle, compiled.respMulti, func(e schemaError) { mapResponseError(e, mine, other, fs) })
	fs.unchecked += unchecked
	if err != nil {
		return mode, err
	}
	responseChecks(v, size, mode, method, fs)
	return mode, nil
}

// responseChecks runs the response rules that are Go, not schema: on every
// response, schema-valid or not.
func responseChecks(v any, size int, mode Mode, method string, fs *findings) {
	mine, other := "headers", "multiValueHeaders"
	if mode == ModeMulti {
		mine, other = other, mine
	}
	if size > alb.MaxResponseJSON {
		fs.add(RESP008, "", fmt.Sprintf("the response is %d bytes of JSON, over the ALB's limit of %d", size, alb.MaxResponseJSON))
	}
	if obj, ok := v.(map[string]any); ok {
		responseRules(obj, mode, mine, other, method, fs)
	}
}

func mapResponseError(e schemaError, mine, other string, fs *findings) {
	p, top := e.pointer(), e.top()
	switch {
	case len(e.path) == 0 && e.missing == "":
		fs.add(RESP001, p, "a response document is a JSON object, got "+jsonType(e.value))
	case top == "statusCode" && e.missing != "":
		fs.add(RESP001, p, "missing \"statusCode\": the ALB cannot answer without one")
	case top == "statusCode" && e.typ == "invalid_type":
		fs.add(RESP001, p, "statusCode must be an integer, got "+describe(e.value))
	case top == "statusCode":
		msg := fmt.Sprintf("statusCode %s is not between 100 and 599", showNumber(e.value))
		if s, ok := intStatus(e.value); ok && s == 0 {
			// What a Go handler sends when it returns a zero
			// events.ALBTargetGroupResponse or never sets StatusCode.
			msg += " (statusCode missing: did the handler return a zero value?)"
		}
		fs.add(RESP002, p, msg)
	case e.missing == mine:
		fs.add(RESP006, "/"+other, fmt.Sprintf("the only header field is %q, which a %s-mode target group ignores: the client gets none of these headers (use %q)", other, modeOfField(mine), mine))
	case top == "body" && e.typ == "format":
		fs.add(RESP005, p, "isBase64Encoded is true but body is not strict base64: standard alphabet, padded with =, no line breaks or spaces")
	case top == "body" || top == "statusDescription" || top == "isBase64Encoded":
		want := "a string"
		if top == "isBase64Encoded" {
			want = "a boolean"
		}
		fs.add(RESP004, p, fmt.Sprintf("%s must be %s when present, got %s (absent and null are not the same)", top, want, jsonType(e.value)))
	case top == mine && len(e.path) == 1 && e.typ == "format":
		// propertyNames' own error; invalid_property_name reports it.
	case top == mine && len(e.path) == 1:
		fs.add(RESP004, p, fmt.Sprintf("%q must be an object, got %s: this is the field a %s-mode target group reads", mine, jsonType(e.value), modeOfField(mine)))
	case top == other && len(e.path) == 1:
		fs.add(RESP004, p, fmt.Sprintf("%q must be an object or null, got %s", other, jsonType(e.value)))
	case top == mine && e.typ == "invalid_property_name":
		fs.add(RESP009, p, fmt.Sprintf("header name %q is not an HTTP token", e.path[len(e.path)-1]))
	case top == mine && e.typ == "format":
		fs.add(RESP009, p, "header value contains CR, LF or NUL")
	case top == mine:
		want := "a string"
		if mine == "multiValueHeaders" && len(e.path) == 2 {
			want = "an array of strings"
		}
		fs.add(RESP007, p, fmt.Sprintf("header value must be %s, got %s", want, describe(e.value)))
	default:
		fs.add(RESP001, p, e.desc)
	}
}

func modeOfField(field string) string {
	if field == "multiValueHeaders" {
		return "multi"
	}
	return "single"
}

// describe names a value's type, and shows it when it is a scalar.
func describe(v any) string {
	switch v.(type) {
	case nil, map[string]any, []any:
		return jsonType(v)
	}
	return fmt.Sprintf("%s (%s)", jsonType(v), showNumber(v))
}

var (
	statusDescRe = regexp.MustCompile(`^([0-9]{3}) (.+)$`)
	// A second cookie in a folded Set-Cookie value: ", name=". The comma in
	// an Expires date is followed by a day number, not by "name=".
	foldedCookieRe    = regexp.MustCompile(`,\s*[!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+=`)
	knownResponseKeys = map[string]bool{"statusCode": true, "statusDescription": true, "isBase64Encoded": true, "headers": true, "multiValueHeaders": true, "body": true}
)

func responseRules(obj map[string]any, mode Mode, mine, other, method string, fs *findings) {
	status, statusOK := intStatus(obj["statusCode"])
	// A status out of range is RESP-002's finding; rules that compare with
	// the status would only repeat it in other words ("such as \"0 \"").
	statusOK = statusOK && status >= 100 && status <= 599

	// RESP-013, RESP-003: statusDescription.
	if d, ok := obj["statusDescription"]; !ok {
		fs.add(RESP013, "/statusDescription", "missing \"statusDescription\": documented as required, such as \"200 OK\"")
	} else if ds, ok := d.(string); ok {
		m := statusDescRe.FindStringSubmatch(ds)
		switch {
		case m == nil:
			want := ""
			if statusOK {
				want = fmt.Sprintf(" such as %q", fmt.Sprintf("%d %s", status, http.StatusText(status)))
			}
			fs.add(RESP003, "/statusDescription", fmt.Sprintf("statusDescription %q is not \"<code> <reason>\"%s", ds, want))
		case statusOK && m[1] != strconv.Itoa(status):
			fs.add(RESP003, "/statusDescription", fmt.Sprintf("statusDescription %q says %s but statusCode is %d", ds, m[1], status))
		}
	}
	b64, hasB64 := obj["isBase64Encoded"]
	if !hasB64 {
		fs.add(RESP013, "/isBase64Encoded", "missing \"isBase64Encoded\": documented as required")
	}
	isB64 := b64 == true

	// Header fields: RESP-013, RESP-015, RESP-020.
	mv, hasMine := obj[mine]
	ov, hasOther := obj[other]
	_, mineIsObj := mv.(map[string]any)
	_, otherIsObj := ov.(map[string]any)
	if !hasMine && !otherIsObj {
		fs.add(RESP013, "/"+mine, fmt.Sprintf("missing %q: documented as required ({} for none)", mine))
	}
	if !mineIsObj && otherIsObj {
		// The schema catches the missing field; a null one is the same
		// mistake as far as the headers go.
		fs.add(RESP006, "/"+other, fmt.Sprintf("the only header field is %q, which a %s-mode target group ignores: the client gets none of these headers (use %q)", other, modeOfField(mine), mine))
	}
	// RESP-022: the forgotten flag, a binary body sent as its base64 text.
	if msg := forgottenBase64Flag(obj, asHeaders(obj[mine]).get("content-type")); msg != "" {
		fs.add(RESP022, "/isBase64Encoded", msg)
	}

	// RESP-021: names that differ only in case, in either field.
	for _, field := range []string{mine, other} {
		if m, ok := obj[field].(map[string]any); ok {
			caseTwins(m, field, fs)
		}
	}
	if mineIsObj && otherIsObj {
		bothHeaderFields(mv.(map[string]any), ov.(map[string]any), mode, mine, other, fs)
	}
	if mode == ModeMulti && hasOther && ov == nil {
		fs.add(RESP020, "/headers", "\"headers\": null in multi mode is not confirmed to be accepted by the ALB; leave it out")
	}
	// RESP-016: keys the ALB does not know.
	for k := range obj {
		if !knownResponseKeys[k] {
			msg := fmt.Sprintf("%q is not part of the ALB's response format: the ALB ignores it and what it carries is lost", k)
			for known := range knownResponseKeys {
				if strings.EqualFold(k, known) {
					msg = fmt.Sprintf("%q is not %q: the ALB reads keys exactly as written, so it ignores this one and what it carries is lost (a struct without json tags?)", k, known)
				}
			}
			fs.add(RESP016, ptr("", k), msg)
		}
	}

	body, hasBody := obj["body"].(string)
	bodyLen := len(body)
	if isB64 {
		bodyLen = base64DecodedLen(body) // exact for valid base64; RESP-005 covers the rest
	}
	// RESP-014: a body that cannot be sent.
	if hasBody && body != "" {
		switch {
		case strings.EqualFold(method, http.MethodHead):
			fs.add(RESP014, "/body", "a reply to HEAD has no body: the ALB drops it")
		case statusOK && (status < 200 || status == 204 || status == 304):
			fs.add(RESP014, "/body", fmt.Sprintf("status %d has no body: the client never gets it", status))
		}
	}

	if !mineIsObj {
		return
	}
	h := mv.(map[string]any)
	total := 0
	for name, hv := range h {
		total += headerSize(name, hv)
		if alb.IsHopByHop(name) {
			fs.add(RESP010, ptr("/"+mine, name), fmt.Sprintf("%s is a hop-by-hop header: the ALB ignores it", name))
		}
		var lower string
		switch {
		case len(name) == len("content-length") && strings.EqualFold(name, "content-length"):
			lower = "content-length"
		case len(name) == len("set-cookie") && strings.EqualFold(name, "set-cookie"):
			lower = "set-cookie"
		case len(name) == len("content-encoding") && strings.EqualFold(name, "content-encoding"):
			lower = "content-encoding"
		default:
			continue
		}
		p := ptr("/"+mine, name)
		values := headerValues(hv)
		switch lower {
		case "content-length":
			// A body that is not valid base64 has no decoded length to
			// compare with; RESP-005 reports it.
			if len(values) > 0 && !strings.EqualFold(method, http.MethodHead) && (!isB64 || isStrictBase64(body)) {
				if n, err := strconv.Atoi(strings.TrimSpace(values[0])); err != nil || n != bodyLen {
					fs.add(RESP011, p, fmt.Sprintf("Content-Length %q, but the decoded body is %d bytes: the ALB sets its own", values[0], bodyLen))
				}
			}
		case "set-cookie":
			if mode == ModeSingle && len(values) == 1 && foldedCookieRe.MatchString(values[0]) {
				fs.add(RESP012, p, "several cookies folded into one Set-Cookie value: browsers read it as one cookie; use multi-value headers to set several")
			}
			if dup := duplicateCookie(values); dup != "" {
				fs.add(RESP018, p, fmt.Sprintf("cookie %q is set more than once: the ALB may reorder the values, so which one the browser keeps can change", dup))
			}
		case "content-encoding":
			if len(values) > 0 && !isB64 {
				if enc := strings.ToLower(strings.TrimSpace(values[0])); enc != "" && enc != "identity" {
					fs.add(RESP019, p, fmt.Sprintf("content-encoding %q with isBase64Encoded false: compressed bytes cannot travel in a JSON string", values[0]))
				}
			}
		}
	}
	if total > alb.MaxResponseHeaders {
		fs.add(RESP017, "/"+mine, fmt.Sprintf("the headers are %d bytes together, over the ALB's limit of %d", total, alb.MaxResponseHeaders))
	}
}

// headerSize is the size of a header's lines: "name: value\r\n" for each
// value.
func headerSize(name string, v any) int {
	switch x := v.(type) {
	case string:
		return len(name) + len(x) + 4
	case []any:
		n := 0
		for _, e := range x {
			if s, ok := e.(string); ok {
				n += len(name) + len(s) + 4
			}
		}
		return n
	}
	return 0
}

// headerValues returns the string values of a header of either mode.
func headerValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func duplicateCookie(values []string) string {
	seen := map[string]bool{}
	for _, v := range values {
		name, _, _ := strings.Cut(v, "=")
		name = strings.TrimSpace(name)
		if seen[name] {
			return name
		}
		seen[name] = true
	}
	return ""
}

// intStatus reads statusCode as an int when it is an integral JSON number.
func intStatus(v any) (int, bool) {
	n, ok := v.(interface{ String() string })
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// bothHeaderFields judges a response that sets both header fields. The ALB
// reads only the mode's field: a header name (compared case-insensitively)
// found only in the other one never reaches the client (RESP-006, naming
// them); a copy that loses nothing is a warning (RESP-015); an empty other
// field, which mangum and others send, is nothing at all.
func bothHeaderFields(mineH, otherH map[string]any, mode Mode, mine, other string, fs *findings) {
	if len(otherH) == 0 {
		return
	}
	// The values each header name keeps in the field that is read.
	kept := make(map[string][]string, len(mineH))
	for name, v := range mineH {
		l := strings.ToLower(name)
		eachString(v, func(_ int, s string) { kept[l] = append(kept[l], s) })
		if _, ok := kept[l]; !ok {
			kept[l] = nil
		}
	}
	var lost []string
	for name, v := range otherH {
		values, ok := kept[strings.ToLower(name)]
		if !ok {
			lost = append(lost, strconv.Quote(name))
			continue
		}
		// A value only the ignored field has is lost too: a second cookie
		// in multiValueHeaders beside a single-mode "headers" with one.
		eachString(v, func(_ int, s string) {
			if !slices.Contains(values, s) {
				lost = append(lost, strconv.Quote(name+": "+s))
			}
		})
	}
	if len(lost) == 0 {
		fs.add(RESP015, "/"+other, fmt.Sprintf("both header fields are set: a %s-mode target group reads only %q and ignores %q, whose headers all appear in %q too, with the same values", mode, mine, other, mine))
		return
	}
	sort.Strings(lost)
	const shown = 10
	list := strings.Join(lost[:min(len(lost), shown)], ", ")
	if len(lost) > shown {
		list += fmt.Sprintf(" and %d more", len(lost)-shown)
	}
	fs.add(RESP006, "/"+other, fmt.Sprintf("a %s-mode target group reads only %q: the client never gets %s, which only %q carries", mode, mine, list, other))
}

// caseTwins reports header names of one field that differ only in case: a
// trick some adapters use to send several cookies in single mode.
func caseTwins(m map[string]any, field string, fs *findings) {
	if len(m) < 2 || !hasCaseTwin(m) {
		return
	}
	byLower := make(map[string][]string, len(m))
	for name := range m {
		l := strings.ToLower(name)
		byLower[l] = append(byLower[l], name)
	}
	for _, names := range byLower {
		if len(names) < 2 {
			continue
		}
		sort.Strings(names)
		for _, n := range names[1:] {
			fs.add(RESP021, ptr("/"+field, n), fmt.Sprintf("header %q differs from %q only in case: HTTP treats them as one header, and the ALB's handling of both is not documented", n, names[0]))
		}
	}
}

// binarySignatures are the first bytes of common binary formats, for
// RESP-022: PNG, JPEG, GIF, PDF, gzip and zip.
var binarySignatures = []struct{ name, magic string }{
	{"PNG", "\x89PNG"}, {"JPEG", "\xff\xd8\xff"}, {"GIF", "GIF8"}, {"PDF", "%PDF"}, {"gzip", "\x1f\x8b"}, {"zip", "PK\x03\x04"},
}

// forgottenBase64Flag explains a body that is strict base64 of binary bytes
// (not UTF-8 text, or a known binary format) sent with isBase64Encoded
// false under a content type the ALB treats as binary: the client most
// likely gets the base64 text instead of the bytes. "" when that is not so.
func forgottenBase64Flag(obj map[string]any, contentType string) string {
	body, ok := obj["body"].(string)
	if !ok || obj["isBase64Encoded"] != false || len(body) < 16 || alb.IsTextContentType(contentType) || !isStrictBase64(body) {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return ""
	}
	what := ""
	for _, sig := range binarySignatures {
		if strings.HasPrefix(string(raw), sig.magic) {
			what = "a " + sig.name + " file"
			break
		}
	}
	// Bytes that are not UTF-8 count only under a binary content type:
	// without one, text that happens to be strict base64 (a hex digest,
	// "aaaa...") decodes to such bytes too, and the body is most likely
	// that text.
	if what == "" && contentType != "" && !isHexText(body) && !utf8.Valid(raw) {
		what = "bytes that are not UTF-8 text"
	}
	if what == "" {
		return ""
	}
	return fmt.Sprintf("body is base64 of %s but isBase64Encoded is false: the client gets the base64 text, not the bytes (set isBase64Encoded to true)", what)
}

// isHexText reports whether s is hex digits only: a digest or an id, text
// that is also strict base64.
func isHexText(s string) bool {
	return isLowerHex(strings.ToLower(s))
}

// hasCaseTwin is caseTwins' cheap first look, without allocating: it runs
// on every response, and twins are rare.
func hasCaseTwin(m map[string]any) bool {
	if len(m) > 32 {
		return true // let caseTwins' map do it
	}
	names := make([]string, 0, 32)
	for k := range m {
		for _, n := range names {
			if len(n) == len(k) && strings.EqualFold(n, k) {
				return true
			}
		}
		names = append(names, k)
	}
	return false
}
