package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The first version of the positions code, which indexed every value's
// pointer: quadratic in memory for deep documents, but simple, so it is the
// oracle the on-demand scanners are checked against.

type refPositions struct {
	at         map[string]int
	duplicates []refDup
}

type refDup struct {
	key, pointer string
	offset       int // where the earlier value starts
	lastLine     int // the line of the value that wins
}

func refScanPositions(doc []byte) *refPositions {
	p := &refPositions{at: map[string]int{}}
	s := refScanner{doc: doc, p: p}
	s.value("")
	return p
}

// locate returns the line and column of pointer in doc: the value's start, or
// for a missing member the nearest enclosing value.
func (p *refPositions) locate(doc []byte, pointer string) (int, int) {
	for {
		if off, ok := p.at[pointer]; ok {
			return lineColumn(doc, off)
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return 1, 1
		}
		pointer = pointer[:i]
	}
}

type refScanner struct {
	doc []byte
	i   int
	p   *refPositions
	// lineOff and line: the line number at byte lineOff. The scan only moves
	// forward, so the line of a later offset is counted from there: a
	// document of 80,000 duplicate keys on one line costs one pass, not one
	// per key.
	lineOff, line int
}

// lineAt returns the 1-based line of byte off, at or after lineOff.
func (s *refScanner) lineAt(off int) int {
	if s.line == 0 {
		s.line = 1
	}
	off = min(off, len(s.doc))
	if off > s.lineOff {
		s.line += bytes.Count(s.doc[s.lineOff:off], []byte{'\n'})
		s.lineOff = off
	}
	return s.line
}

func (s *refScanner) ws() {
	for s.i < len(s.doc) {
		switch s.doc[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *refScanner) value(pointer string) {
	s.ws()
	if s.i >= len(s.doc) {
		return
	}
	s.p.at[pointer] = s.i
	switch s.doc[s.i] {
	case '{':
		s.i++
		seen := map[string]int{}
		for {
			s.ws()
			if s.i >= len(s.doc) || s.doc[s.i] == '}' {
				s.i++
				return
			}
			if s.doc[s.i] == ',' {
				s.i++
				continue
			}
			key := s.str()
			s.ws()
			s.i++ // ':'
			child := ptr(pointer, key)
			s.ws()
			if prev, dup := seen[key]; dup {
				line := s.lineAt(s.i)
				s.p.duplicates = append(s.p.duplicates, refDup{key: key, pointer: child, offset: prev, lastLine: line})
			}
			seen[key] = s.i
			s.value(child)
		}
	case '[':
		s.i++
		n := 0
		for {
			s.ws()
			if s.i >= len(s.doc) || s.doc[s.i] == ']' {
				s.i++
				return
			}
			if s.doc[s.i] == ',' {
				s.i++
				continue
			}
			s.value(ptr(pointer, itoa(n)))
			n++
		}
	case '"':
		s.str()
	default:
		for s.i < len(s.doc) && !strings.ContainsRune(",]} \t\r\n", rune(s.doc[s.i])) {
			s.i++
		}
	}
}

// str reads a string token and returns its decoded text.
func (s *refScanner) str() string {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.doc) {
		c := s.doc[s.i]
		s.i++
		if c == '\\' {
			escaped = true
			s.i++
			continue
		}
		if c == '"' {
			break
		}
	}
	raw := s.doc[start:min(s.i, len(s.doc))]
	if !escaped {
		return string(raw[1 : len(raw)-1])
	}
	var out string
	if json.Unmarshal(raw, &out) != nil {
		return string(raw)
	}
	return out
}

// FuzzPositionsAgree checks the on-demand scanners against the full index:
// every value's position, the fallback for a missing member, and the
// duplicate keys. Its seeds include the hostile shapes (small), whose cost
// TestHostileShapesCostLinear bounds.
func FuzzPositionsAgree(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":2}],"a":3}`, `[{"x":1},{"x":[[]]}]`, `{"a/b":{"~c":1}}`, `{"\u0061":1,"a":2}`, "[\n{\"é\": \"x\"},\n 7]", `{"k":{"k":1,"k":{"k":2,"k":3}}}`} {
		f.Add([]byte(s))
	}
	for _, s := range hostileShapes {
		if doc := s.make(1); len(doc) < 64<<10 {
			f.Add(doc)
		}
	}
	f.Add(headersOf(3, func(b *bytes.Buffer) {
		b.WriteString(strings.Repeat(`[{"k":1,"k":`, 200) + "1" + strings.Repeat("}]", 200))
	}))
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) || bytes.HasPrefix(doc, bom) {
			return
		}
		if _, depth := scanShape(doc); depth > 500 {
			return // the oracle's memory is quadratic in depth
		}
		ref := refScanPositions(doc)
		loc := NewLocator(doc)
		var fs []Finding
		// With a repeated key, the full index keeps a pointer that only
		// the discarded value holds (its last writer); the scanners follow
		// the value the decoders keep, where findings come from. Positions
		// are compared on documents without repeated keys.
		at := ref.at
		if len(ref.duplicates) > 0 {
			at = nil
		}
		for p := range at {
			for _, q := range []string{p, p + "/missing~1member"} {
				wl, wc := ref.locate(doc, q)
				if gl, gc := loc.Locate(q); gl != wl || gc != wc {
					t.Fatalf("Locate(%q) = %d:%d, want %d:%d in %q", q, gl, gc, wl, wc, doc)
				}
				fs = append(fs, Finding{Pointer: q})
			}
		}
		locateAll(doc, fs)
		for _, f := range fs {
			if wl, wc := ref.locate(doc, f.Pointer); f.Line != wl || f.Column != wc {
				t.Fatalf("locateAll(%q) = %d:%d, want %d:%d in %q", f.Pointer, f.Line, f.Column, wl, wc, doc)
			}
		}
		// The oracle lists every repetition; scanDuplicates one entry per
		// key and object, with a count. Compared by pointer: the first
		// place, the last line and how many.
		dups, more := scanDuplicates(doc, 1<<30)
		if more != 0 {
			t.Fatalf("%d past an unlimited max", more)
		}
		type agg struct{ first, lastLine, count int }
		group := func(key func(i int) (string, int, int, int), n int) map[string]*agg {
			m := map[string]*agg{}
			for i := range n {
				p, off, line, c := key(i)
				a := m[p]
				if a == nil {
					a = &agg{first: off}
					m[p] = a
				}
				a.lastLine = line
				a.count += c
			}
			return m
		}
		got := group(func(i int) (string, int, int, int) {
			return dups[i].pointer, dups[i].offset, dups[i].lastLine, dups[i].count
		}, len(dups))
		want := group(func(i int) (string, int, int, int) {
			r := ref.duplicates[i]
			return r.pointer, r.offset, r.lastLine, 1
		}, len(ref.duplicates))
		if len(got) != len(want) {
			t.Fatalf("%d repeated keys, want %d in %q", len(got), len(want), doc)
		}
		for p, w := range want {
			g := got[p]
			if g == nil || g.count != w.count || g.first != w.first || g.lastLine != w.lastLine {
				t.Fatalf("repeated key %s: %+v, want %+v in %q", p, g, w, doc)
			}
		}
	})
}
