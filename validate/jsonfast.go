package validate

import (
	"encoding/binary"
	"encoding/json"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// fastDecode decodes a document the way decode does (numbers as
// json.Number with their text, strings as encoding/json unquotes them) in one pass that also tells whether a key repeats, where
// scanShape, goccy and numbersAndEntries took three: on the 1 KB events of
// BENCHMARKS.md the decode was half of validate's time.
//
// Hand-written because no decoder does those three at once. It only ever
// answers for documents encoding/json accepts: anything else (a syntax
// error, nesting beyond maxDepth) gives ok=false
// and the document goes the old way, whose errors users see.
// FuzzFastDecodeAgrees holds it to encoding/json's values.
//
// Strings point into one copy of the document (unsafe.String) rather than
// each getting its own allocation: the copy is never written, so they stay
// immutable, and it lives as long as any of them. With inPlace the caller
// has promised that doc itself stays unchanged (WithInPlace), and it is
// the copy.
func fastDecode(doc []byte, inPlace bool, sc *scratch) (v any, dupKeys, ok bool) {
	d := fastDecoder{buf: doc, sc: sc}
	if !inPlace {
		d.buf = append([]byte(nil), doc...)
	}
	defer sc.settle()
	d.ws()
	v, ok = d.value(0)
	if !ok {
		return nil, false, false
	}
	d.ws()
	if d.i != len(d.buf) {
		return nil, false, false
	}
	return v, d.dup, true
}

// scratch is what decoding needs beyond the value it makes, kept from one
// document to the next (scratches): the member stacks, and the maps of
// documents whose check has ended (recycle), emptied. In a run over many
// small documents nearly every map is one that held the same part of the
// document before: making them was most of what a check allocated, and so
// most of the collector's work.
type scratch struct {
	pairs []member // the members of the objects being read, innermost last
	items []any    // the same for arrays
	small []map[string]any
	large []map[string]any
	made  []map[string]any // the maps of the document being checked
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// Bounds on what a scratch keeps, so that one hostile document's worth of
// maps or members is not kept for the rest of the run.
const (
	keptStack      = 1 << 12
	keptSmallMaps  = 64
	keptLargeMaps  = 16
	largestKeptMap = 64
	smallMap       = 8 // the members a Go map holds without a table
)

// settle empties the stacks, which a document that was not JSON left
// partly filled, and lets go of them when a hostile document grew them.
func (sc *scratch) settle() {
	if cap(sc.pairs)+cap(sc.items) > keptStack {
		sc.pairs, sc.items = nil, nil
		return
	}
	clear(sc.pairs)
	clear(sc.items)
	sc.pairs, sc.items = sc.pairs[:0], sc.items[:0]
}

// newMap returns an empty map for n members, an old one when it can.
func (sc *scratch) newMap(n int) map[string]any {
	free := &sc.large
	if n <= smallMap {
		free = &sc.small
	}
	var m map[string]any
	if k := len(*free); k > 0 {
		m = (*free)[k-1]
		(*free)[k-1] = nil
		*free = (*free)[:k-1]
	} else {
		m = make(map[string]any, n)
	}
	sc.made = append(sc.made, m)
	return m
}

// recycle empties the maps of the document just checked for the next
// documents. The caller guarantees that nothing refers to its value any
// more: Document calls it when its caller did not ask for the value
// (WithValue), once the checks are done (a Report holds strings only). The
// maps are those newMap made, so none is walked to be found.
func (sc *scratch) recycle() {
	for _, m := range sc.made {
		n := len(m)
		clear(m)
		switch {
		case n <= smallMap && len(sc.small) < keptSmallMaps:
			sc.small = append(sc.small, m)
		case n > smallMap && n <= largestKeptMap && len(sc.large) < keptLargeMaps:
			sc.large = append(sc.large, m)
		}
	}
	sc.forget()
}

// forget drops the list of the document's maps (kept by the caller, or
// recycled).
func (sc *scratch) forget() {
	clear(sc.made)
	sc.made = sc.made[:0]
	if cap(sc.made) > keptStack {
		sc.made = nil
	}
}

type fastDecoder struct {
	buf []byte
	i   int
	dup bool
	sc  *scratch
}

type member struct {
	key   string
	value any
}

func (d *fastDecoder) ws() {
	for d.i < len(d.buf) {
		switch d.buf[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDecoder) value(depth int) (any, bool) {
	if d.i >= len(d.buf) {
		return nil, false
	}
	switch c := d.buf[d.i]; {
	case c == '{':
		if depth >= maxDepth {
			return nil, false
		}
		d.i++
		d.ws()
		if d.i < len(d.buf) && d.buf[d.i] == '}' {
			d.i++
			return d.sc.newMap(0), true
		}
		// The members wait on a stack shared by every level, so that the
		// map is made once at its final size: grown from empty, a map of
		// a dozen headers was rebuilt twice and its growth was most of
		// what decoding allocated.
		base := len(d.sc.pairs)
		for {
			d.ws()
			if d.i >= len(d.buf) || d.buf[d.i] != '"' {
				return nil, false
			}
			k, ok := d.str()
			if !ok {
				return nil, false
			}
			d.ws()
			if d.i >= len(d.buf) || d.buf[d.i] != ':' {
				return nil, false
			}
			d.i++
			d.ws()
			e, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			d.sc.pairs = append(d.sc.pairs, member{k, e})
			d.ws()
			if d.i >= len(d.buf) {
				return nil, false
			}
			if d.buf[d.i] == '}' {
				d.i++
				m := d.sc.newMap(len(d.sc.pairs) - base)
				for _, p := range d.sc.pairs[base:] {
					m[p.key] = p.value
				}
				if len(m) < len(d.sc.pairs)-base {
					d.dup = true
				}
				clear(d.sc.pairs[base:]) // no stale pointers kept alive
				d.sc.pairs = d.sc.pairs[:base]
				return m, true
			}
			if d.buf[d.i] != ',' {
				return nil, false
			}
			d.i++
		}
	case c == '[':
		if depth >= maxDepth {
			return nil, false
		}
		d.i++
		d.ws()
		if d.i < len(d.buf) && d.buf[d.i] == ']' {
			d.i++
			return []any{}, true
		}
		base := len(d.sc.items) // as for objects: one slice of the final length
		for {
			d.ws()
			e, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			d.sc.items = append(d.sc.items, e)
			d.ws()
			if d.i >= len(d.buf) {
				return nil, false
			}
			if d.buf[d.i] == ']' {
				d.i++
				a := append([]any(nil), d.sc.items[base:]...)
				clear(d.sc.items[base:])
				d.sc.items = d.sc.items[:base]
				return a, true
			}
			if d.buf[d.i] != ',' {
				return nil, false
			}
			d.i++
		}
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, false
}

func (d *fastDecoder) literal(word string) bool {
	if len(d.buf)-d.i < len(word) || string(d.buf[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

// number reads a number by JSON's grammar and gives its text.
func (d *fastDecoder) number() (any, bool) {
	start := d.i
	if d.buf[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.buf) && d.buf[d.i] >= '0' && d.buf[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	switch {
	case d.i < len(d.buf) && d.buf[d.i] == '0':
		d.i++
	case digits() == 0:
		return nil, false
	}
	if d.i < len(d.buf) && d.buf[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.buf) && (d.buf[d.i] == 'e' || d.buf[d.i] == 'E') {
		d.i++
		if d.i < len(d.buf) && (d.buf[d.i] == '+' || d.buf[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	text := d.buf[start:d.i]
	// The number as written: a float64 would turn 18446744073709551817
	// into ...552000, 1e-999999999 into 0 and 200.0000000000000000001 into
	// 200, and the findings would be about numbers the document does not
	// hold. (Absurd ones are kept from gojsonschema by tameNumbers.)
	return json.Number(unsafe.String(&text[0], len(text))), true
}

// str reads a string token as encoding/json unquotes it: escapes decoded,
// a lone surrogate and each invalid UTF-8 byte as U+FFFD; a control
// character is a syntax error.
func (d *fastDecoder) str() (string, bool) {
	d.i++ // the opening quote
	start := d.i
	for d.i < len(d.buf) {
		// Eight bytes at a time while none of them needs a look: a 1 MB
		// base64 body is one string.
		for d.i+8 <= len(d.buf) && plainWord(binary.LittleEndian.Uint64(d.buf[d.i:])) {
			d.i += 8
		}
		if d.i >= len(d.buf) {
			break
		}
		c := d.buf[d.i]
		switch {
		case c == '"':
			s := d.buf[start:d.i]
			d.i++
			if len(s) == 0 {
				return "", true
			}
			return unsafe.String(&s[0], len(s)), true
		case c == '\\' || c >= utf8.RuneSelf:
			return d.slowStr(start)
		case c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// plainWord reports whether eight bytes of a string hold no quote, no
// backslash, no control character and nothing beyond ASCII (the bit tricks
// of "Bit Twiddling Hacks": a byte below n, a byte equal to c).
func plainWord(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	b := x ^ (lo * '\\')
	return ((x-lo*0x20)&^x|(q-lo)&^q|(b-lo)&^b|x)&hi == 0
}

func (d *fastDecoder) slowStr(start int) (string, bool) {
	out := append([]byte(nil), d.buf[start:d.i]...)
	for d.i < len(d.buf) {
		c := d.buf[d.i]
		switch {
		case c == '"':
			d.i++
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if d.i+1 >= len(d.buf) {
				return "", false
			}
			e := d.buf[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					// A pair when a \u escape of the low half follows;
					// otherwise the lone half is U+FFFD, as encoding/json
					// has it, and what follows is read on its own.
					if d.i+1 < len(d.buf) && d.buf[d.i] == '\\' && d.buf[d.i+1] == 'u' {
						save := d.i
						d.i += 2
						r2, ok := d.hex4()
						if !ok {
							return "", false
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							continue
						}
						d.i = save
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", false
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.i++
		default:
			r, size := utf8.DecodeRune(d.buf[d.i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, d.buf[d.i:d.i+size]...)
			}
			d.i += size
		}
	}
	return "", false
}

func (d *fastDecoder) hex4() (rune, bool) {
	if len(d.buf)-d.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.buf[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	d.i += 4
	return r, true
}
