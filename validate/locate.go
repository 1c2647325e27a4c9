package validate

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// positions maps the JSON Pointer of every value in a document to the byte
// offset where it starts, and lists duplicate keys.
//
// Hand-written: encoding/json's Token API gives offsets after tokens, not
// before values, and reports neither pointers nor duplicate keys. It runs
// only on documents that have findings (or duplicate keys), and only on
// documents that already decoded, so it can assume valid JSON.
type positions struct {
	at         map[string]int
	duplicates []duplicateKey
}

type duplicateKey struct {
	key, pointer string
	offset       int // where the earlier value starts
	lastLine     int // the line of the value that wins
}

func scanPositions(doc []byte) *positions {
	p := &positions{at: map[string]int{}}
	s := scanner{doc: doc, p: p}
	s.value("")
	return p
}

// locate returns the line and column of pointer in doc: the value's start, or
// for a missing member the nearest enclosing value.
func (p *positions) locate(doc []byte, pointer string) (int, int) {
	off, ok := p.offset(pointer)
	if !ok {
		return 1, 1
	}
	return lineColumn(doc, off)
}

// offset returns where the value at pointer starts, or its nearest
// enclosing value's.
func (p *positions) offset(pointer string) (int, bool) {
	for {
		if off, ok := p.at[pointer]; ok {
			return off, true
		}
		i := strings.LastIndexByte(pointer, '/')
		if i < 0 {
			return 0, false
		}
		pointer = pointer[:i]
	}
}

type scanner struct {
	doc []byte
	i   int
	p   *positions
	// lineOff and line: the line number at byte lineOff. The scan only moves
	// forward, so the line of a later offset is counted from there: a
	// document of 80,000 duplicate keys on one line costs one pass, not one
	// per key.
	lineOff, line int
}

// lineAt returns the 1-based line of byte off, at or after lineOff.
func (s *scanner) lineAt(off int) int {
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

func (s *scanner) ws() {
	for s.i < len(s.doc) {
		switch s.doc[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) value(pointer string) {
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
				s.p.duplicates = append(s.p.duplicates, duplicateKey{key: key, pointer: child, offset: prev, lastLine: line})
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
func (s *scanner) str() string {
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

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Locator finds where the values of one JSON document start, by JSON
// Pointer. It scans the document once, for documents that get many
// lookups (a fixture file with many failing cases).
type Locator struct {
	doc []byte
	p   *positions
	// lines holds the offset where each line starts, so that a lookup
	// costs a binary search and the length of one line, not a count of
	// the lines before it: an infrastructure file of megabytes gets
	// thousands of lookups.
	lines []int
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
	lines := []int{0}
	for i, c := range doc {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return &Locator{doc: doc, p: scanPositions(doc), lines: lines}
}

// Locate returns the line and column (1-based, columns in characters) where
// the value at pointer starts, or for a member that is not there, its
// nearest enclosing value.
func (l *Locator) Locate(pointer string) (line, column int) {
	if l.p == nil {
		return 0, 0
	}
	off, ok := l.p.offset(pointer)
	if !ok {
		return 1, 1
	}
	off = max(0, min(off, len(l.doc)))
	line = sort.Search(len(l.lines), func(i int) bool { return l.lines[i] > off })
	start := l.lines[line-1]
	return line, utf8.RuneCount(l.doc[start:off]) + 1
}

// Locate is NewLocator(doc).Locate(pointer), for a single lookup.
func Locate(doc []byte, pointer string) (line, column int) {
	return NewLocator(doc).Locate(pointer)
}
