package validate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Positions are computed on demand, for the pointers asked about, in one
// pass over the document. An index of every value's pointer (the first
// version) cost memory quadratic in the depth: 50 header values nested 9,000
// deep (900 KB) took 4.3 GB. Here the pass keeps a small tree of the
// pointers wanted and the path it is in; a subtree nobody asked about is
// skipped without decoding a key.
//
// Hand-written: encoding/json's Token API gives offsets after tokens, not
// before values, and reports neither pointers nor duplicate keys. The
// scanners run only on documents that already decoded, so they can assume
// valid JSON.

// want is a node of the tree of pointers to locate.
type want struct {
	off  int // where the value starts, or -1 when not (yet) found
	kids map[string]*want
}

func wantTree(pointers []string) *want {
	root := &want{off: -1}
	for _, p := range pointers {
		n := root
		for _, tok := range tokens(p) {
			if n.kids == nil {
				n.kids = map[string]*want{}
			}
			k := n.kids[tok]
			if k == nil {
				k = &want{off: -1}
				n.kids[tok] = k
			}
			n = k
		}
	}
	return root
}

// tokens splits an RFC 6901 pointer into its unescaped reference tokens.
func tokens(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		if strings.Contains(s, "~") {
			parts[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
		}
	}
	return parts
}

// offsetOf returns where the value at pointer starts in a scanned tree, or
// for a missing member its nearest enclosing value.
func (w *want) offsetOf(pointer string) int {
	off, n := 0, w
	for _, tok := range tokens(pointer) {
		if n.off >= 0 {
			off = n.off
		}
		n = n.kids[tok]
		if n == nil {
			return off
		}
	}
	if n.off >= 0 {
		off = n.off
	}
	return off
}

// offsetScanner walks one JSON value and records where the wanted values
// start. For a repeated key the last value wins, as in the decoders.
type offsetScanner struct {
	doc []byte
	i   int
}

func (s *offsetScanner) ws() {
	for s.i < len(s.doc) {
		switch s.doc[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// value scans the value at s.i; w is its node in the tree, or nil.
func (s *offsetScanner) value(w *want) {
	s.ws()
	if s.i >= len(s.doc) {
		return
	}
	if w == nil || len(w.kids) == 0 {
		if w != nil {
			w.off = s.i
		}
		s.i = skipValue(s.doc, s.i)
		return
	}
	w.off = s.i
	switch s.doc[s.i] {
	case '{':
		s.i++
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
			start := s.i
			s.i = skipString(s.doc, s.i)
			raw := s.doc[start:min(s.i, len(s.doc))]
			var kid *want
			if bytes.IndexByte(raw, '\\') < 0 && len(raw) >= 2 {
				kid = w.kids[string(raw[1:len(raw)-1])] // no allocation
			} else {
				kid = w.kids[decodeKey(raw)]
			}
			s.ws()
			s.i++ // ':'
			s.value(kid)
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
			s.value(w.kids[strconv.Itoa(n)])
			n++
		}
	default:
		s.i = skipValue(s.doc, s.i)
	}
}

// skipString returns the offset after the string token at i.
func skipString(doc []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(doc[i:], '"')
		if j < 0 {
			return len(doc)
		}
		i += j
		bs := 0
		for k := i - 1; k >= 0 && doc[k] == '\\'; k-- {
			bs++
		}
		i++
		if bs%2 == 0 {
			return i
		}
	}
}

// skipValue returns the offset after the value at i, without recursion:
// brackets are counted, strings skipped whole.
func skipValue(doc []byte, i int) int {
	depth := 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing value, not this one's
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\r', '\n', ':':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

func decodeKey(raw []byte) string {
	var out string
	if json.Unmarshal(raw, &out) != nil {
		return string(raw)
	}
	return out
}

// locateAll fills in the Line and Column of each finding that has none,
// in one pass over doc for the offsets and one for the lines.
func locateAll(doc []byte, fs []Finding) {
	var pointers []string
	for _, f := range fs {
		if f.Line == 0 {
			pointers = append(pointers, f.Pointer)
		}
	}
	if len(pointers) == 0 {
		return
	}
	tree := wantTree(pointers)
	s := offsetScanner{doc: doc}
	s.value(tree)
	type job struct{ i, off int }
	jobs := make([]job, 0, len(pointers))
	for i, f := range fs {
		if f.Line == 0 {
			jobs = append(jobs, job{i, tree.offsetOf(f.Pointer)})
		}
	}
	slices.SortFunc(jobs, func(a, b job) int { return a.off - b.off })
	var lc lineCounter
	for _, j := range jobs {
		fs[j.i].Line, fs[j.i].Column = lc.at(doc, j.off)
	}
}

// lineCounter turns increasing byte offsets into lines and columns,
// counting each byte once however many offsets are asked about.
type lineCounter struct {
	off, line, lineStart, colOff, col int
}

func (c *lineCounter) at(doc []byte, off int) (int, int) {
	off = max(0, min(off, len(doc)))
	if c.line == 0 || off < c.off {
		*c = lineCounter{line: 1}
	}
	if n := bytes.Count(doc[c.off:off], []byte{'\n'}); n > 0 {
		c.line += n
		c.lineStart = c.off + bytes.LastIndexByte(doc[c.off:off], '\n') + 1
	}
	c.off = off
	if c.colOff < c.lineStart {
		c.colOff, c.col = c.lineStart, 0
	}
	c.col += utf8.RuneCount(doc[c.colOff:off])
	c.colOff = off
	return c.line, c.col + 1
}

// duplicateKey is a key repeated in one object.
type duplicateKey struct {
	key, pointer string
	offset       int // where the earlier value starts
	lastLine     int // the line of the value that wins
}

// scanDuplicates finds repeated keys: the first max of them in full, and
// how many there are. Memory is the path it is in and the keys of the
// objects on it; pointers are built for the ones reported only.
func scanDuplicates(doc []byte, max int) (dups []duplicateKey, total int) {
	d := dupScanner{doc: doc, max: max}
	d.value()
	return d.dups, d.total
}

type dupScanner struct {
	doc   []byte
	i     int
	max   int
	dups  []duplicateKey
	total int
	path  []pathTok
	lines lineCounter
}

type pathTok struct {
	key string
	idx int // -1 for a key
}

func (d *dupScanner) pointer(key string) string {
	var b strings.Builder
	for _, t := range d.path {
		if t.idx >= 0 {
			b.WriteString("/" + strconv.Itoa(t.idx))
		} else {
			b.WriteString(ptr("", t.key))
		}
	}
	b.WriteString(ptr("", key))
	return b.String()
}

func (d *dupScanner) value() {
	s := offsetScanner{doc: d.doc, i: d.i}
	s.ws()
	d.i = s.i
	if d.i >= len(d.doc) {
		return
	}
	switch d.doc[d.i] {
	case '{':
		d.i++
		seen := map[string]int{}
		for {
			s.i = d.i
			s.ws()
			d.i = s.i
			if d.i >= len(d.doc) || d.doc[d.i] == '}' {
				d.i++
				return
			}
			if d.doc[d.i] == ',' {
				d.i++
				continue
			}
			start := d.i
			d.i = skipString(d.doc, d.i)
			raw := d.doc[start:min(d.i, len(d.doc))]
			key := string(raw[1 : len(raw)-1])
			if bytes.IndexByte(raw, '\\') >= 0 {
				key = decodeKey(raw)
			}
			s.i = d.i
			s.ws()
			s.i++ // ':'
			s.ws()
			d.i = s.i
			if prev, dup := seen[key]; dup {
				d.total++
				if len(d.dups) < d.max {
					line, _ := d.lines.at(d.doc, d.i)
					d.dups = append(d.dups, duplicateKey{key: key, pointer: d.pointer(key), offset: prev, lastLine: line})
				}
			}
			seen[key] = d.i
			d.path = append(d.path, pathTok{key: key, idx: -1})
			d.value()
			d.path = d.path[:len(d.path)-1]
		}
	case '[':
		d.i++
		d.path = append(d.path, pathTok{idx: 0})
		top := len(d.path) - 1
		for {
			s.i = d.i
			s.ws()
			d.i = s.i
			if d.i >= len(d.doc) || d.doc[d.i] == ']' {
				d.i++
				d.path = d.path[:top]
				return
			}
			if d.doc[d.i] == ',' {
				d.i++
				d.path[top].idx++
				continue
			}
			d.value()
		}
	default:
		d.i = skipValue(d.doc, d.i)
	}
}

// Locator finds where the values of one JSON document start, by JSON
// Pointer. Each lookup is a pass over the document that decodes only the
// keys on the way to the pointer, so it costs no memory beyond the
// document; a Locator for a document whose root is an array (a fixture
// file) keeps where each item starts, so that a lookup inside one item
// scans that item only.
type Locator struct {
	doc   []byte
	ok    bool
	items []int32 // offsets of the root array's items
	lines lineCounter
}

// NewLocator scans doc. For a document that is not JSON every lookup gives
// 0, 0.
func NewLocator(doc []byte) *Locator {
	// A byte-order mark (JSON-004 warns of it) is not a character an editor
	// counts: positions start after it.
	doc = bytes.TrimPrefix(doc, []byte{0xEF, 0xBB, 0xBF})
	if !json.Valid(doc) {
		return &Locator{}
	}
	l := &Locator{doc: doc, ok: true}
	s := offsetScanner{doc: doc}
	s.ws()
	if s.i < len(doc) && doc[s.i] == '[' && len(doc) < 1<<31 {
		s.i++
		for {
			s.ws()
			if s.i >= len(doc) || doc[s.i] == ']' {
				break
			}
			if doc[s.i] == ',' {
				s.i++
				continue
			}
			l.items = append(l.items, int32(s.i))
			s.i = skipValue(doc, s.i)
		}
	}
	return l
}

// Locate returns the line and column (1-based, columns in characters) where
// the value at pointer starts, or for a member that is not there, its
// nearest enclosing value.
func (l *Locator) Locate(pointer string) (line, column int) {
	if !l.ok {
		return 0, 0
	}
	doc, base, rest := l.doc, 0, pointer
	if l.items != nil && pointer != "" {
		first, after, _ := strings.Cut(pointer[1:], "/")
		if n, err := strconv.Atoi(first); err == nil && n >= 0 && n < len(l.items) && strconv.Itoa(n) == first {
			base = int(l.items[n])
			doc = l.doc[:skipValue(l.doc, base)]
			rest = ""
			if after != "" || strings.HasSuffix(pointer, "/") {
				rest = "/" + after
			}
		}
	}
	tree := wantTree([]string{rest})
	s := offsetScanner{doc: doc, i: base}
	s.value(tree)
	return l.lines.at(l.doc, max(base, tree.offsetOf(rest)))
}

// Locate is NewLocator(doc).Locate(pointer), for a single lookup.
func Locate(doc []byte, pointer string) (line, column int) {
	return NewLocator(doc).Locate(pointer)
}

func itoa(n int) string { return strconv.Itoa(n) }
