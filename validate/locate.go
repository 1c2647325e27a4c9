package validate

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
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

// members walks the object or array whose opening bracket is at i: for
// each member it calls visit with the member's key as written (quotes and
// escapes; nil in an array), its index and where its value starts, and
// visit returns the offset after that value. It returns the offset after
// the closing bracket. The one reading of JSON's member syntax that the
// scanners below share; they run on documents that decoded, so it can
// assume valid JSON.
func members(doc []byte, i int, visit func(key []byte, n, at int) int) int {
	object := doc[i] == '{'
	i++
	for n := 0; ; {
		i = skipWS(doc, i)
		if i >= len(doc) || doc[i] == '}' || doc[i] == ']' {
			return i + 1
		}
		if doc[i] == ',' {
			i++
			continue
		}
		var key []byte
		if object {
			start := i
			i = skipString(doc, i)
			key = doc[start:min(i, len(doc))]
			i = skipWS(doc, i) + 1 // ':'
		}
		i = visit(key, n, skipWS(doc, i))
		n++
	}
}

// keyText is a key as written, unquoted and unescaped.
func keyText(raw []byte) string {
	if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	return decodeKey(raw)
}

func skipWS(doc []byte, i int) int {
	for i < len(doc) {
		switch doc[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// scanOffsets walks the value at i, records where the wanted values start
// (w is the value's node in the tree, or nil) and returns the offset after
// it. For a repeated key the last value wins, as in the decoders; a subtree
// nobody asked about is skipped without decoding a key.
func scanOffsets(doc []byte, i int, w *want) int {
	i = skipWS(doc, i)
	if i >= len(doc) {
		return i
	}
	if w != nil {
		w.off = i
	}
	if w == nil || len(w.kids) == 0 || (doc[i] != '{' && doc[i] != '[') {
		return skipValue(doc, i)
	}
	return members(doc, i, func(key []byte, n, at int) int {
		var kid *want
		switch {
		case key == nil:
			kid = w.kids[strconv.Itoa(n)]
		case len(key) >= 2 && bytes.IndexByte(key, '\\') < 0:
			kid = w.kids[string(key[1:len(key)-1])] // no allocation
		default:
			kid = w.kids[decodeKey(key)]
		}
		return scanOffsets(doc, at, kid)
	})
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
	scanOffsets(doc, 0, tree)
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
	offset       int // where the first value starts
	lastLine     int // the line of the value that wins
	count        int // how many times it repeats (occurrences after the first)
}

// scanDuplicates finds repeated keys: the first max of them (one entry per
// key and object, however often it repeats) in full, and how many more
// keys repeat. Memory is the path it is in and the keys of the objects on
// it; pointers are built for the ones reported only.
func scanDuplicates(doc []byte, max int) (dups []duplicateKey, more int) {
	d := dupScanner{doc: doc, max: max}
	d.value(0)
	return d.dups, d.more
}

type dupScanner struct {
	doc   []byte
	max   int
	dups  []duplicateKey
	more  int // repeated keys past the first max
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

// value walks the value at i and returns the offset after it.
func (d *dupScanner) value(i int) int {
	i = skipWS(d.doc, i)
	if i >= len(d.doc) || (d.doc[i] != '{' && d.doc[i] != '[') {
		return skipValue(d.doc, i)
	}
	seen := map[string]int{}
	var reported map[string]int // key → its entry in d.dups, or -1 past max
	return members(d.doc, i, func(raw []byte, n, at int) int {
		if raw == nil {
			d.path = append(d.path, pathTok{idx: n})
		} else {
			key := keyText(raw)
			if first, dup := seen[key]; dup {
				if reported == nil {
					reported = map[string]int{}
				}
				idx, known := reported[key]
				switch {
				case known && idx >= 0:
					d.dups[idx].count++
					d.dups[idx].lastLine, _ = d.lines.at(d.doc, at)
				case known:
				case len(d.dups) < d.max:
					line, _ := d.lines.at(d.doc, at)
					reported[key] = len(d.dups)
					d.dups = append(d.dups, duplicateKey{key: key, pointer: d.pointer(key), offset: first, lastLine: line, count: 1})
				default:
					reported[key] = -1
					d.more++
				}
			} else {
				seen[key] = at
			}
			d.path = append(d.path, pathTok{key: key, idx: -1})
		}
		end := d.value(at)
		d.path = d.path[:len(d.path)-1]
		return end
	})
}

// Locator finds where the values of one JSON document start, by JSON
// Pointer, for documents that get many lookups (a fixture file with many
// failing cases, a Terraform plan whose every resource is placed). It indexes
// the values down to indexDepth by a 64-bit hash of their pointer (not the
// pointer itself, whose length grows with the depth: that index cost 4.3 GB
// for a 900 KB document), at most maxIndexed of them; a deeper value is
// found by scanning the subtree of its nearest indexed ancestor. Lines come
// from a table of line starts, columns from rune counts kept every 4 KB, so
// a lookup in a one-line plan of megabytes does not count the line again.
type Locator struct {
	doc   []byte
	ok    bool
	index map[uint64]int32
	lines []int32 // where each line starts
	runes []int32 // runes before each 4 KB boundary
}

const (
	indexDepth = 8
	maxIndexed = 1 << 20
	runeStep   = 4096
)

// NewLocator scans doc. For a document that is not JSON every lookup gives
// 0, 0.
func NewLocator(doc []byte) *Locator {
	// A byte-order mark (JSON-004 warns of it) is not a character an editor
	// counts: positions start after it.
	doc = bytes.TrimPrefix(doc, []byte{0xEF, 0xBB, 0xBF})
	if !json.Valid(doc) || len(doc) >= 1<<31 {
		return &Locator{}
	}
	l := &Locator{doc: doc, ok: true, index: map[uint64]int32{}, lines: []int32{0}}
	runes := 0
	for i := 0; i < len(doc); i++ {
		if i%runeStep == 0 {
			l.runes = append(l.runes, int32(runes))
		}
		c := doc[i]
		if c == '\n' {
			l.lines = append(l.lines, int32(i+1))
		}
		if c < 0x80 || c >= 0xC0 {
			runes++
		}
	}
	ix := indexer{doc: doc, index: l.index}
	ix.value(0, hashRoot, 0)
	return l
}

// FNV-1a, written out: the hash of a pointer is built a token at a time
// while scanning, without building the pointer.
const (
	hashRoot  uint64 = 14695981039346656037
	hashPrime uint64 = 1099511628211
)

func hashToken(h uint64, tok string) uint64 {
	h = (h ^ '/') * hashPrime
	for i := 0; i < len(tok); i++ {
		h = (h ^ uint64(tok[i])) * hashPrime
	}
	return h
}

type indexer struct {
	doc   []byte
	index map[uint64]int32
}

// value indexes the value at i, whose pointer hashes to h, and returns the
// offset after it.
func (x *indexer) value(i int, h uint64, depth int) int {
	i = skipWS(x.doc, i)
	if i >= len(x.doc) {
		return i
	}
	if len(x.index) < maxIndexed {
		x.index[h] = int32(i) // a repeated key: the last value wins
	}
	if depth >= indexDepth || len(x.index) >= maxIndexed || (x.doc[i] != '{' && x.doc[i] != '[') {
		return skipValue(x.doc, i)
	}
	return members(x.doc, i, func(key []byte, n, at int) int {
		tok := strconv.Itoa(n)
		if key != nil {
			tok = keyText(key)
		}
		return x.value(at, hashToken(h, tok), depth+1)
	})
}

// Locate returns the line and column (1-based, columns in characters) where
// the value at pointer starts, or for a member that is not there, its
// nearest enclosing value.
func (l *Locator) Locate(pointer string) (line, column int) {
	if !l.ok {
		return 0, 0
	}
	toks := tokens(pointer)
	// The deepest indexed ancestor (the root always is).
	hashes := make([]uint64, 1, len(toks)+1)
	hashes[0] = hashRoot
	for _, t := range toks {
		hashes = append(hashes, hashToken(hashes[len(hashes)-1], t))
	}
	at, depth := 0, 0
	for d := min(len(toks), indexDepth); d >= 0; d-- {
		if off, ok := l.index[hashes[d]]; ok {
			at, depth = int(off), d
			break
		}
	}
	if depth < len(toks) {
		rest := toks[depth:]
		tree := &want{off: -1}
		n := tree
		for _, t := range rest {
			k := &want{off: -1}
			n.kids = map[string]*want{t: k}
			n = k
		}
		scanOffsets(l.doc[:skipValue(l.doc, at)], at, tree)
		off, n := at, tree
		for _, t := range rest {
			n = n.kids[t]
			if n == nil || n.off < 0 {
				break
			}
			off = n.off
		}
		at = off
	}
	return l.position(at)
}

// position turns a byte offset into a line and a column.
func (l *Locator) position(off int) (int, int) {
	off = max(0, min(off, len(l.doc)))
	line := sort.Search(len(l.lines), func(i int) bool { return int(l.lines[i]) > off })
	return line, l.runesBefore(off) - l.runesBefore(int(l.lines[line-1])) + 1
}

func (l *Locator) runesBefore(off int) int {
	if len(l.runes) == 0 {
		return 0
	}
	k := min(off/runeStep, len(l.runes)-1)
	return int(l.runes[k]) + utf8.RuneCount(l.doc[k*runeStep:off])
}

// Locate is NewLocator(doc).Locate(pointer), for a single lookup.
func Locate(doc []byte, pointer string) (line, column int) {
	return NewLocator(doc).Locate(pointer)
}

func itoa(n int) string { return strconv.Itoa(n) }
