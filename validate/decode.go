package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
// inPlace: the value's strings may point into doc (WithInPlace).
func parse(doc []byte, fs *findings, inPlace bool, sc *scratch) document {
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
	if v, dup, ok := fastDecode(doc, inPlace, sc); ok {
		d.value, d.ok = v, true
		if dup {
			duplicates(doc, fs)
		}
		return d
	}
	keys, _ := scanShape(doc)
	v, err := decode(doc)
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se) && se.Offset <= 1 && looksBinary(doc):
			fs.addAt(JSON001, "", "not JSON text: the file looks like binary data", doc, 0)
		case errors.As(err, &se) && strings.Contains(se.Error(), "exceeded max depth"):
			fs.addAt(JSON001, "", "nested more than 10000 levels deep: no ALB document comes close, and decoders give up", doc, int(se.Offset))
		case errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value"):
			fs.addAt(JSON001, "", "data after the JSON value: a document holds exactly one value (some decoders silently ignore the rest)", doc, int(se.Offset)-1)
		case errors.As(err, &se) && strings.Contains(se.Error(), "in string literal") && int(se.Offset) <= len(doc) && se.Offset > 0 && doc[se.Offset-1] < 0x20 && bytes.IndexByte(doc[se.Offset:], '"') >= 0:
			// A raw line break or tab inside a string: the string may
			// well close later, but JSON wants the character escaped.
			fs.addAt(JSON001, "", fmt.Sprintf("a raw control character (%q) inside a string: JSON strings must escape it (\\n, \\t, \\u00XX)", doc[se.Offset-1]), doc, int(se.Offset)-1)
		case errors.As(err, &se) && (strings.Contains(se.Error(), "in string literal") || strings.Contains(se.Error(), "unexpected end of JSON input")) && openString(doc, int(se.Offset)-1) >= 0:
			// A string left open: its own start is where to look, not the
			// line break or the end of the file where the decoder gave up.
			start := openString(doc, int(se.Offset)-1)
			line, _ := lineColumn(doc, int(se.Offset)-1)
			fs.addAt(JSON001, "", fmt.Sprintf("unterminated string: the string that starts here has no closing quote (the decoder stopped at line %d: %v)", line, se), doc, start)
		case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end of JSON input"):
			fs.addAt(JSON001, "", "truncated: the document ends before its JSON value is complete", doc, len(doc))
		case errors.As(err, &se):
			fs.addAt(JSON001, "", "invalid JSON: "+se.Error(), doc, int(se.Offset))
		default:
			fs.addAt(JSON001, "", "invalid JSON: "+err.Error(), doc, 0)
		}
		return d
	}
	d.value, d.ok = v, true
	// Duplicate keys are rare; count keys in the bytes and in the decoded
	// maps, and look for the culprits only when the two differ.
	if keys != entries(v) {
		duplicates(doc, fs)
	}
	return d
}

// duplicates reports the repeated keys of a document that decoded.
func duplicates(doc []byte, fs *findings) {
	dups, more := scanDuplicates(doc, maxDuplicateFindings)
	for _, dup := range dups {
		times := "twice"
		if dup.count > 1 {
			times = fmt.Sprintf("%d times", dup.count+1)
		}
		fs.addAt(JSON003, dup.pointer, fmt.Sprintf("duplicate key %q (%s in this object): albcheck and most decoders keep the last value (line %d), some keep the first", dup.key, times, dup.lastLine), doc, dup.offset)
	}
	if more > 0 {
		// Each finding's position costs a pass over the bytes before it:
		// a file of 80,000 repeated keys must not cost 80,000 passes (it
		// took over two minutes).
		fs.addAt(JSON003, "", fmt.Sprintf("and %d more keys repeated in their objects", more), doc, dups[len(dups)-1].offset)
	}
}

// maxDuplicateFindings bounds the JSON-003 findings of one document; the
// rest are counted in one more.
const maxDuplicateFindings = 20

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

// scanShape counts the object keys in a document (the colons outside
// strings) and measures how deeply it nests. Hand-written because no decoder
// reports duplicate keys, and this runs on every document: strings are
// skipped with IndexByte, so a megabyte of base64 costs microseconds.
func scanShape(b []byte) (keys, depth int) {
	d := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			i++
			for {
				j := bytes.IndexByte(b[i:], '"')
				if j < 0 {
					return keys, depth
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
			keys++
		case '{', '[':
			d++
			depth = max(depth, d)
		case '}', ']':
			d--
		}
	}
	return keys, depth
}

// maxDepth is encoding/json's nesting limit; deeper documents are refused
// the way encoding/json refuses them.
const maxDepth = 10000

// decode decodes a document that fastDecode did not take: one with a
// syntax error (encoding/json's error, with its offset, is what users see)
// or nested beyond maxDepth (refused as encoding/json refuses it). Numbers
// keep their text (UseNumber), as in fastDecode.
func decode(doc []byte) (any, error) {
	var probe any
	err := json.Unmarshal(doc, &probe) // its error and offset are the ones shown
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	return v, err
}

// entries counts the members of every object in a decoded value.
func entries(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += entries(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += entries(e)
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

// openString returns the offset of the opening quote of the string that is
// still open at byte off (before it is read), or -1 when off is outside any
// string. One pass over doc[:off].
func openString(doc []byte, off int) int {
	off = min(off, len(doc))
	start, in := -1, false
	for i := 0; i < off; i++ {
		switch c := doc[i]; {
		case in && c == '\\':
			i++ // the escaped character
		case c == '"':
			in = !in
			if in {
				start = i
			}
		}
	}
	if in {
		return start
	}
	return -1
}
