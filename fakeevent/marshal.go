package fakeevent

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Marshal encodes an event as a real ALB does: its fields in the ALB's order,
// the query map of the event's mode always present ({} when empty; the
// aws-lambda-go type drops an empty map), the other mode's fields absent,
// map keys sorted. The event is in multi mode when either multi-value field is
// non-nil.
//
// Hand-written rather than json.Marshal of a look-alike struct: the output
// buffer is sized once from the event, and a base64 body (which needs no
// escaping) is copied into it directly, so a 1 MB body is copied once.
func Marshal(e events.ALBTargetGroupRequest) []byte {
	multi := e.MultiValueHeaders != nil || e.MultiValueQueryStringParameters != nil
	b := make([]byte, 0, estimate(e))
	b = append(b, `{"requestContext":{"elb":{"targetGroupArn":`...)
	b = appendString(b, e.RequestContext.ELB.TargetGroupArn)
	b = append(b, `}},"httpMethod":`...)
	b = appendString(b, e.HTTPMethod)
	b = append(b, `,"path":`...)
	b = appendString(b, e.Path)
	if multi {
		b = append(b, `,"multiValueQueryStringParameters":`...)
		b = appendMulti(b, e.MultiValueQueryStringParameters)
		b = append(b, `,"multiValueHeaders":`...)
		b = appendMulti(b, e.MultiValueHeaders)
	} else {
		b = append(b, `,"queryStringParameters":`...)
		b = appendSingle(b, e.QueryStringParameters)
		b = append(b, `,"headers":`...)
		b = appendSingle(b, e.Headers)
	}
	b = append(b, `,"body":`...)
	if e.IsBase64Encoded && isBase64Text(e.Body) {
		b = append(b, '"')
		b = append(b, e.Body...)
		b = append(b, '"')
	} else {
		b = appendString(b, e.Body)
	}
	if e.IsBase64Encoded {
		b = append(b, `,"isBase64Encoded":true}`...)
	} else {
		b = append(b, `,"isBase64Encoded":false}`...)
	}
	return b
}

// MarshalIndent is Marshal with the indentation of json.MarshalIndent.
func MarshalIndent(e events.ALBTargetGroupRequest, prefix, indent string) []byte {
	raw := Marshal(e)
	var out bytes.Buffer
	out.Grow(len(raw) + len(raw)/4)
	if err := json.Indent(&out, raw, prefix, indent); err != nil {
		return raw // cannot happen: Marshal writes valid JSON
	}
	return out.Bytes()
}

func estimate(e events.ALBTargetGroupRequest) int {
	n := 160 + len(e.RequestContext.ELB.TargetGroupArn) + len(e.HTTPMethod) + len(e.Path) + len(e.Body) + len(e.Body)/16
	for k, v := range e.Headers {
		n += len(k) + len(v) + 8
	}
	for k, v := range e.QueryStringParameters {
		n += len(k) + len(v) + 8
	}
	for k, vs := range e.MultiValueHeaders {
		n += len(k) + 8
		for _, v := range vs {
			n += len(v) + 4
		}
	}
	for k, vs := range e.MultiValueQueryStringParameters {
		n += len(k) + 8
		for _, v := range vs {
			n += len(v) + 4
		}
	}
	return n
}

func appendSingle(b []byte, m map[string]string) []byte {
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

func appendMulti(b []byte, m map[string][]string) []byte {
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':', '[')
		for j, v := range m[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD as encoding/json does.
// Unlike encoding/json it leaves <, > and & alone, as the ALB does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// isBase64Text reports whether s holds only base64 characters, which need no
// JSON escaping.
func isBase64Text(s string) bool {
	// A table lookup per byte: a 1 MB body is 1.4 M characters to check,
	// and the chain of comparisons cost a sixth of making such an event.
	for i := 0; i < len(s); i++ {
		if !base64Chars[s[i]] {
			return false
		}
	}
	return true
}

var base64Chars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=" {
		t[c] = true
	}
	return t
}()
