package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// jsonEdit replaces the value at a JSON Pointer with new JSON.
type jsonEdit struct {
	pointer string
	value   any // encoded by editJSON; a json.RawMessage is taken as it is
}

// editJSON replaces values in a JSON document in place: every byte outside
// the replaced values (key order, spacing, escapes, the other cases of a
// list) stays as it was, so that --update's diff shows only what the
// function changed. A new value spanning lines is indented like the line it
// starts on; one that replaces a single-line value is written on one line.
func editJSON(doc []byte, edits []jsonEdit) ([]byte, error) {
	type span struct {
		start, end int
		text       []byte
	}
	var spans []span
	for _, e := range edits {
		start, end, err := valueSpan(doc, e.pointer)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.pointer, err)
		}
		oneLine := !bytes.ContainsRune(doc[start:end], '\n')
		text, err := encodeAt(e.value, lineIndent(doc, start), oneLine)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.pointer, err)
		}
		spans = append(spans, span{start, end, text})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out []byte
	at := 0
	for _, s := range spans {
		if s.start < at {
			return nil, fmt.Errorf("overlapping edits at byte %d", s.start)
		}
		out = append(append(out, doc[at:s.start]...), s.text...)
		at = s.end
	}
	return append(out, doc[at:]...), nil
}

// encodeAt encodes v as a fixture shows it: no HTML escaping (a body's
// "<h1>" stays readable), two spaces of indent below the line's own.
func encodeAt(v any, indent string, oneLine bool) ([]byte, error) {
	var raw []byte
	if r, ok := v.(json.RawMessage); ok {
		raw = r
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		raw = buf.Bytes()
	}
	var buf bytes.Buffer
	var err error
	if oneLine {
		err = json.Compact(&buf, raw)
	} else {
		err = json.Indent(&buf, bytes.TrimSpace(raw), indent, "  ")
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}

// lineIndent is the white space that starts the line holding offset.
func lineIndent(doc []byte, offset int) string {
	start := bytes.LastIndexByte(doc[:offset], '\n') + 1
	end := start
	for end < offset && (doc[end] == ' ' || doc[end] == '\t') {
		end++
	}
	return string(doc[start:end])
}

// valueSpan finds the value at pointer in doc, which must be valid JSON. A
// key given twice is found at its last occurrence, the one decoders keep;
// a key in another case ("Status") is found as encoding/json finds it.
func valueSpan(doc []byte, pointer string) (int, int, error) {
	var tokens []string
	if pointer != "" {
		if !strings.HasPrefix(pointer, "/") {
			return 0, 0, fmt.Errorf("not a JSON Pointer")
		}
		for _, t := range strings.Split(pointer[1:], "/") {
			tokens = append(tokens, unescapeToken.Replace(t))
		}
	}
	i := skipSpace(doc, 0)
	for _, tok := range tokens {
		if i >= len(doc) {
			return 0, 0, fmt.Errorf("not found")
		}
		found, folded := -1, -1
		switch doc[i] {
		case '{':
			i = skipSpace(doc, i+1)
			for i < len(doc) && doc[i] != '}' {
				keyEnd := skipValue(doc, i)
				var key string
				if err := json.Unmarshal(doc[i:keyEnd], &key); err != nil {
					return 0, 0, err
				}
				i = skipSpace(doc, keyEnd)
				i = skipSpace(doc, i+1) // the colon
				switch {
				case key == tok:
					found = i
				case strings.EqualFold(key, tok):
					folded = i
				}
				i = skipSpace(doc, skipValue(doc, i))
				if i < len(doc) && doc[i] == ',' {
					i = skipSpace(doc, i+1)
				}
			}
		case '[':
			want, err := strconv.Atoi(tok)
			if err != nil {
				return 0, 0, fmt.Errorf("not found")
			}
			i = skipSpace(doc, i+1)
			for n := 0; i < len(doc) && doc[i] != ']'; n++ {
				if n == want {
					found = i
				}
				i = skipSpace(doc, skipValue(doc, i))
				if i < len(doc) && doc[i] == ',' {
					i = skipSpace(doc, i+1)
				}
			}
		}
		if found < 0 {
			// encoding/json, which read the fixture, matches a field
			// name without regard to case when no key is exact.
			found = folded
		}
		if found < 0 {
			return 0, 0, fmt.Errorf("not found")
		}
		i = found
	}
	if i >= len(doc) {
		return 0, 0, fmt.Errorf("not found")
	}
	return i, skipValue(doc, i), nil
}

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the offset just past the value that starts at i.
func skipValue(doc []byte, i int) int {
	if i >= len(doc) {
		return i
	}
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for i < len(doc) {
			switch doc[i] {
			case '"':
				i = skipString(doc, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(doc) && !strings.ContainsRune(",}] \t\r\n", rune(doc[i])) {
		i++
	}
	return i
}

// skipString returns the offset just past the string that starts at i.
func skipString(doc []byte, i int) int {
	for i++; i < len(doc) && doc[i] != '"'; i++ {
		if doc[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// unescapeToken undoes RFC 6901's escapes in a reference token.
var unescapeToken = strings.NewReplacer("~1", "/", "~0", "~")
