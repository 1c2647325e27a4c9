package albroute

import "strings"

// glob is an ALB match string compiled once: * matches any run of
// characters (none included) and ? exactly one ("Condition types for
// listener rules",
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
//
// The pattern is cut at each * into segments of fixed length. With no *,
// the one segment must equal the whole input; otherwise the first segment
// is a prefix, the last a suffix, and the middle ones are found leftmost in
// between, which is exact for segments of fixed length. Matching allocates
// nothing and is linear in practice.
type glob struct {
	segs []segment
	star bool // the pattern holds at least one *
	fold bool // ASCII case-insensitive; the segments are lowered
}

// segment is a run of the pattern without *. any marks the positions of a
// ? wildcard; it is nil when the segment has none, so that a plain segment
// compares with strings.Index and ==.
type segment struct {
	lit string
	any []bool
}

// globSyntax says how a condition's values are written.
type globSyntax struct {
	fold bool
	// escapes: \* and \? are a literal * and ?, \\ a backslash
	// (query-string values, QueryStringConditionConfig).
	escapes bool
	// decode: %XX in the pattern stands for the byte it encodes, because the
	// request side is compared decoded (query-string keys and values).
	decode bool
}

// compileGlob compiles a pattern under the syntax of its condition.
func compileGlob(pattern string, syn globSyntax) glob {
	g := glob{fold: syn.fold}
	var lit []byte
	var anyPos []bool
	hasAny := false
	flush := func() {
		s := segment{lit: string(lit)}
		if hasAny {
			s.any = anyPos
		}
		g.segs = append(g.segs, s)
		lit, anyPos, hasAny = nil, nil, false
	}
	add := func(c byte, wildcard bool) {
		if syn.fold && !wildcard {
			c = lower(c)
		}
		lit = append(lit, c)
		anyPos = append(anyPos, wildcard)
		hasAny = hasAny || wildcard
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case syn.escapes && c == '\\' && i+1 < len(pattern):
			i++
			add(pattern[i], false)
		case c == '*':
			g.star = true
			flush()
		case c == '?':
			add('?', true)
		case syn.decode && c == '%' && i+2 < len(pattern) && ishex(pattern[i+1]) && ishex(pattern[i+2]):
			add(unhex(pattern[i+1])<<4|unhex(pattern[i+2]), false)
			i += 2
		default:
			add(c, false)
		}
	}
	flush()
	return g
}

// match reports whether s matches the pattern.
func (g *glob) match(s string) bool {
	if !g.star {
		return len(s) == len(g.segs[0].lit) && g.eqAt(&g.segs[0], s, 0)
	}
	first, last := &g.segs[0], &g.segs[len(g.segs)-1]
	if len(first.lit)+len(last.lit) > len(s) {
		return false
	}
	if !g.eqAt(first, s, 0) || !g.eqAt(last, s, len(s)-len(last.lit)) {
		return false
	}
	pos, end := len(first.lit), len(s)-len(last.lit)
	for i := 1; i < len(g.segs)-1; i++ {
		seg := &g.segs[i]
		at := g.index(seg, s[pos:end])
		if at < 0 {
			return false
		}
		pos += at + len(seg.lit)
	}
	return true
}

// eqAt reports whether the segment matches s at offset at; the caller
// ensures that it fits.
func (g *glob) eqAt(seg *segment, s string, at int) bool {
	if seg.any == nil && !g.fold {
		return s[at:at+len(seg.lit)] == seg.lit
	}
	for i := 0; i < len(seg.lit); i++ {
		if seg.any != nil && seg.any[i] {
			continue
		}
		c := s[at+i]
		if g.fold {
			c = lower(c)
		}
		if c != seg.lit[i] {
			return false
		}
	}
	return true
}

// index is the offset of the segment's leftmost match in s, or -1.
func (g *glob) index(seg *segment, s string) int {
	if seg.any == nil && !g.fold {
		return strings.Index(s, seg.lit)
	}
	for at := 0; at+len(seg.lit) <= len(s); at++ {
		if g.eqAt(seg, s, at) {
			return at
		}
	}
	return -1
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// percentDecode decodes %XX escapes; an escape that is not two hex digits
// stays as written. '+' stays a '+': the API reference points to RFC 3986
// for the query string, where '+' is not a space (that is HTML form
// encoding). It allocates only when s holds an escape.
func percentDecode(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
