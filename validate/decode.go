package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// document is a parsed input: its bytes (without a byte-order mark) and its
// value, decoded once with UseNumber so that integers keep their exact text.
type document struct {
	raw   []byte
	value any
	ok    bool // value holds the whole document
}

// parse decodes doc once and reports what is wrong with its bytes: a BOM,
// invalid UTF-8, a syntax error, data after the value, duplicate keys.
func parse(doc []byte, fs *findings) document {
	if bytes.HasPrefix(doc, bom) {
		fs.add(JSON004, "", "the file starts with a UTF-8 byte-order mark (EF BB BF); albcheck reads past it, many JSON parsers do not")
		doc = doc[len(bom):]
	}
	d := document{raw: doc}
	if len(bytes.TrimSpace(doc)) == 0 {
		fs.addAt(JSON001, "", "empty document: expected a JSON object", doc, len(doc))
		return d
	}
	if !utf8.Valid(doc) {
		off := firstInvalidUTF8(doc)
		fs.addAt(JSON002, "", fmt.Sprintf("invalid UTF-8 at byte %d", off), doc, off)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se) && se.Offset <= 1 && looksBinary(doc):
			fs.addAt(JSON001, "", "not JSON text: the file looks like binary data", doc, 0)
		case errors.As(err, &se) && strings.Contains(se.Error(), "exceeded max depth"):
			fs.addAt(JSON001, "", "nested more than 10000 levels deep: no ALB document comes close, and decoders give up", doc, int(se.Offset))
		case errors.As(err, &se):
			fs.addAt(JSON001, "", "invalid JSON: "+se.Error(), doc, int(se.Offset))
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			fs.addAt(JSON001, "", "truncated: the document ends before its JSON value is complete", doc, len(doc))
		default:
			fs.addAt(JSON001, "", "invalid JSON: "+err.Error(), doc, int(dec.InputOffset()))
		}
		return d
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimLeft(doc[end:], " \t\r\n"); len(rest) > 0 {
		off := len(doc) - len(rest)
		fs.addAt(JSON001, "", "data after the JSON value: a document holds exactly one value (some decoders silently ignore the rest)", doc, off)
		return d
	}
	d.value, d.ok = v, true
	// Duplicate keys are rare; count keys in the bytes and in the decoded
	// maps, and look for the culprits only when the two differ.
	if countKeys(doc) != countEntries(v) {
		for _, dup := range scanPositions(doc).duplicates {
			fs.addAt(JSON003, dup.pointer, fmt.Sprintf("duplicate key %q: albcheck and most decoders keep the last value (line %d), some keep the first", dup.key, dup.lastLine), doc, dup.offset)
		}
	}
	return d
}

// addAt adds a finding whose position is known from a byte offset.
func (fs *findings) addAt(id RuleID, pointer, msg string, doc []byte, offset int) {
	fs.add(id, pointer, msg)
	f := &fs.list[len(fs.list)-1]
	f.Line, f.Column = lineColumn(doc, offset)
}

// looksBinary reports whether the first bytes hold a NUL or invalid UTF-8.
func looksBinary(doc []byte) bool {
	head := doc[:min(len(doc), 512)]
	return bytes.IndexByte(head, 0) >= 0 || !utf8.Valid(head[:len(head)-min(len(head), 3)])
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// countKeys counts object keys in valid JSON: the colons outside strings.
// Hand-written because encoding/json cannot report duplicate keys, and this
// check runs on every document; strings are skipped with IndexByte.
func countKeys(b []byte) int {
	n := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i++
			for {
				j := bytes.IndexByte(b[i:], '"')
				if j < 0 {
					return n
				}
				i += j
				bs := 0
				for k := i - 1; k >= 0 && b[k] == '\\'; k-- {
					bs++
				}
				if bs%2 == 0 {
					break
				}
				i++
			}
		case ':':
			n++
		}
	}
	return n
}

// countEntries counts the members of every object in a decoded value.
func countEntries(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += countEntries(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countEntries(e)
		}
		return n
	}
	return 0
}

// lineColumn turns a byte offset into a 1-based line and column (in
// characters).
func lineColumn(doc []byte, offset int) (int, int) {
	if offset > len(doc) {
		offset = len(doc)
	}
	if offset < 0 {
		offset = 0
	}
	before := doc[:offset]
	line := bytes.Count(before, []byte{'\n'}) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}
