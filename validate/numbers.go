package validate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Numbers too long for a float64 reach gojsonschema as json.Number text,
// which it reads into a big.Rat to check "integer" and the bounds: a
// statusCode of 2,000,000 digits cost 16 GB of allocation and 16 s that
// way. No ALB document has a number longer than a few digits, so before the
// schema runs such a number is replaced by a short stand-in with the same
// sign, the same integer-ness and the same order against every bound the
// schemas hold (all integers far below 1e20). Messages still show the
// number as written, shortened by showNumber.

// maxNumberText is the longest number text the schema sees as written.
const maxNumberText = 64

// absurdNumber reports whether gojsonschema should not be handed n: too many
// characters, or an exponent of more than three digits (big.Rat expands it).
func absurdNumber(n json.Number) bool {
	s := string(n)
	if len(s) > maxNumberText {
		return true
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		exp := strings.TrimLeft(s[i+1:], "+-")
		exp = strings.TrimLeft(exp, "0")
		return len(exp) > 3
	}
	return false
}

// standIn returns the short number that stands for an absurd one. It keeps
// the sign, whether the value is an integer, and its integer part when that
// is under 1e20; a larger magnitude becomes 1e20 (plus .5 when not an
// integer), a nonzero one under 1e-20 becomes 1e-20.
func standIn(n json.Number) json.Number {
	s := string(n)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e := s[i+1:]
		neg := strings.HasPrefix(e, "-")
		e = strings.TrimLeft(e, "+-")
		for _, c := range e {
			exp = exp*10 + int(c-'0')
			if exp > 1<<40 { // far beyond any magnitude that matters
				break
			}
		}
		if neg {
			exp = -exp
		}
	}
	intDigits, fracDigits, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intDigits+fracDigits, "0")
	if digits == "" {
		return "0"
	}
	// The value is 0.digits × 10^mag.
	lead := len(intDigits+fracDigits) - len(digits) // zeros before the first nonzero digit
	mag := len(intDigits) - lead + exp
	frac := ""
	if mag < len(strings.TrimRight(digits, "0")) {
		frac = ".5" // not an integer
	}
	switch {
	case mag > 20:
		return json.Number(sign + "1" + strings.Repeat("0", 20) + frac)
	case mag < -20:
		return json.Number(sign + "0.00000000000000000001")
	case mag <= 0:
		return json.Number(sign + "0" + frac)
	}
	return json.Number(sign + digits[:min(mag, len(digits))] + strings.Repeat("0", max(0, mag-len(digits))) + frac)
}

// tameNumbers returns v with every absurd number replaced by its stand-in,
// copying only the objects and arrays on the way to one; v itself is not
// modified, and comes back as it is when it holds none.
func tameNumbers(v any) (any, bool) {
	switch x := v.(type) {
	case json.Number:
		if absurdNumber(x) {
			return standIn(x), true
		}
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			if t, changed := tameNumbers(e); changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, e2 := range x {
						out[k2] = e2
					}
				}
				out[k] = t
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range x {
			if t, changed := tameNumbers(e); changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = t
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// valueAt follows reference tokens into a decoded value.
func valueAt(v any, path []string) (any, bool) {
	for _, tok := range path {
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i := 0
			for _, c := range tok {
				if c < '0' || c > '9' {
					return nil, false
				}
				i = i*10 + int(c-'0')
				if i >= len(x) {
					return nil, false
				}
			}
			if tok == "" || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// showNumber formats a value for a message, shortening a number of more
// than 40 characters to its first 20 and its length.
func showNumber(v any) string {
	if n, ok := v.(json.Number); ok && len(n) > 40 {
		return fmt.Sprintf("%s… (%d characters)", n[:20], len(n))
	}
	return fmt.Sprint(v)
}
