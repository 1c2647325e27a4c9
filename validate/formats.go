package validate

import (
	"github.com/albcheck/albcheck/alb"
	"github.com/xeipuuv/gojsonschema"
)

// The custom formats of the schemas (see schema.Formats for their regular
// expressions). gojsonschema's format checkers are process-global, so they
// are registered once, here, before any schema is compiled.
func registerFormats() {
	gojsonschema.FormatCheckers.Add("http-method", formatFunc(func(s string) bool { return alb.IsToken(s) && s != "TRACE" }))
	gojsonschema.FormatCheckers.Add("http-header-name", formatFunc(alb.IsToken))
	gojsonschema.FormatCheckers.Add("http-header-value", formatFunc(isHeaderValue))
	gojsonschema.FormatCheckers.Add("alb-base64", formatFunc(isStrictBase64))
}

type formatFunc func(string) bool

// IsFormat implements gojsonschema.FormatChecker; non-strings pass, as the
// JSON Schema specification requires (type errors are reported by "type").
func (f formatFunc) IsFormat(input any) bool {
	s, ok := input.(string)
	return !ok || f(s)
}

func isHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 {
			return false
		}
	}
	return true
}

// base64Chars marks the standard base64 alphabet (RFC 4648 section 4).
var base64Chars = func() (t [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = true
	}
	return t
}()

// isStrictBase64 reports whether s is padded standard base64 with nothing
// else in it. Hand-written because encoding/base64 skips CR and LF while
// decoding (the line-wrapped base64 the ALB rejects) and would allocate a
// decoded copy of up to a megabyte just to check it.
func isStrictBase64(s string) bool {
	n := len(s)
	if n%4 != 0 {
		return false
	}
	pad := 0
	if n > 0 && s[n-1] == '=' {
		pad++
		if s[n-2] == '=' {
			pad++
		}
	}
	for i := 0; i < n-pad; i++ {
		if !base64Chars[s[i]] {
			return false
		}
	}
	return true
}

// base64DecodedLen is the length of the bytes strict base64 s decodes to.
func base64DecodedLen(s string) int {
	n := len(s) / 4 * 3
	if len(s) >= 1 && s[len(s)-1] == '=' {
		n--
	}
	if len(s) >= 2 && s[len(s)-2] == '=' {
		n--
	}
	return n
}
