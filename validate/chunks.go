package validate

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"

	"github.com/albcheck/albcheck/schema"
	"github.com/xeipuuv/gojsonschema"
)

// gojsonschema builds every error of a document before it returns, with a
// context, a details map and a description formatted through text/template:
// about 2 KB each. A 16 MB response holding two million bad header values
// took 4 GB that way. So a document with a wide object or array (more than
// chunkSize members) is validated in pieces: once with every wide member
// cut to its first chunk, and then once per further chunk with the path to
// it alone, the siblings on the way emptied, keeping only the errors about
// that chunk's members. Each member is validated exactly once, with the
// same subschema, so the errors are the same as in one run; only fewer are
// held at a time. No ALB document has a thousand headers; a fixture file
// may have a thousand cases, which cost no more this way.

// chunkSize is the most members of one object or array validated at once.
var chunkSize = 1024 // a variable for tests, which make it small

// maxChunkNesting bounds how deep wide members inside wide members are
// split; deeper ones are validated whole.
const maxChunkNesting = 4

// wideMember is an object or array with more than chunkSize members (for
// an object: other than the schemas' own properties, which stay in the
// first chunk, where the conditions that read them see them as in the whole
// document).
type wideMember struct {
	path []string
	own  []string // an object's keys the schemas name, sorted
	keys []string // its other keys, sorted
	n    int      // an array's length
	obj  bool
}

func (w wideMember) chunks() int {
	n := w.n
	if w.obj {
		n = len(w.keys)
	}
	return max(1, (n+chunkSize-1)/chunkSize)
}

// chunk returns members [k*chunkSize, (k+1)*chunkSize) of the wide value
// (for an object, the first chunk holds its own properties too), and for an
// object the set of its keys.
func (w wideMember) chunk(v any, k int) (any, map[string]bool) {
	lo := k * chunkSize
	switch x := v.(type) {
	case []any:
		return x[lo:min(len(x), lo+chunkSize)], nil
	case map[string]any:
		keys := w.keys[lo:min(len(w.keys), lo+chunkSize)]
		if k == 0 {
			keys = append(slices.Clone(w.own), keys...)
		}
		out := make(map[string]any, len(keys))
		set := make(map[string]bool, len(keys))
		for _, key := range keys {
			out[key], set[key] = x[key], true
		}
		return out, set
	}
	return v, nil
}

// findWide lists the outermost wide members of v.
func findWide(v any, path []string, out []wideMember) []wideMember {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > chunkSize {
			w := wideMember{path: slices.Clone(path), obj: true, keys: make([]string, 0, len(x))}
			for k := range x {
				if schemaProperties()[k] {
					w.own = append(w.own, k)
				} else {
					w.keys = append(w.keys, k)
				}
			}
			if len(w.keys) > chunkSize {
				slices.Sort(w.own)
				slices.Sort(w.keys)
				return append(out, w)
			}
		}
		for k, e := range x {
			out = findWide(e, append(path, k), out)
		}
	case []any:
		if len(x) > chunkSize {
			return append(out, wideMember{path: slices.Clone(path), n: len(x)})
		}
		for i, e := range x {
			out = findWide(e, append(path, strconv.Itoa(i)), out)
		}
	}
	return out
}

// replaceAt returns v with the value at path replaced by with, copying only
// the containers on the way.
func replaceAt(v any, path []string, with func(any) any) any {
	if len(path) == 0 {
		return with(v)
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		out[path[0]] = replaceAt(x[path[0]], path[1:], with)
		return out
	case []any:
		i, _ := strconv.Atoi(path[0])
		out := slices.Clone(x)
		out[i] = replaceAt(x[i], path[1:], with)
		return out
	}
	return v
}

// pathOnly returns v reduced to the path to a member: on the way, sibling
// objects and arrays become empty ones (scalars, which conditions read, stay),
// and the member itself becomes with.
func pathOnly(v any, path []string, with any) any {
	if len(path) == 0 {
		return with
	}
	empty := func(e any) any {
		switch e.(type) {
		case map[string]any:
			return map[string]any{}
		case []any:
			return []any{}
		}
		return e
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = empty(e)
		}
		out[path[0]] = pathOnly(x[path[0]], path[1:], with)
		return out
	case []any:
		i, _ := strconv.Atoi(path[0])
		out := make([]any, len(x))
		for j, e := range x {
			out[j] = empty(e)
		}
		out[i] = pathOnly(x[i], path[1:], with)
		return out
	}
	return v
}

// maxSchemaErrors is how many schema errors of one document albcheck
// collects before it checks no further pieces against the schema: each
// costs gojsonschema some microseconds, a report shows a hundred per rule,
// and 8 million bad header values took 76 s to count. The members left
// unchecked are counted and said in the report.
const maxSchemaErrors = 10000

// schemaBudget counts a document's schema errors across its pieces.
type schemaBudget struct {
	errors    int
	unchecked int // members of wide values not checked, the budget spent
}

// runChunked validates v, in pieces when it has wide members, and hands
// emit the errors of each piece.
func runChunked(s *gojsonschema.Schema, v any, nesting int, b *schemaBudget, emit func([]schemaError)) error {
	var wide []wideMember
	if nesting < maxChunkNesting {
		wide = findWide(v, nil, nil)
	}
	if len(wide) == 0 {
		errs, err := validateOne(s, v)
		if err == nil && len(errs) > 0 {
			b.errors += len(errs)
			emit(errs)
		}
		return err
	}
	base := v
	for _, w := range wide {
		base = replaceAt(base, w.path, func(x any) any { first, _ := w.chunk(x, 0); return first })
	}
	if err := runChunked(s, base, nesting+1, b, emit); err != nil {
		return err
	}
	for _, w := range wide {
		whole, _ := valueAt(v, w.path)
		for k := 1; k < w.chunks(); k++ {
			part, keys := w.chunk(whole, k)
			if b.errors >= maxSchemaErrors {
				if keys != nil {
					b.unchecked += len(keys)
				} else {
					b.unchecked += len(part.([]any))
				}
				continue
			}
			depth := len(w.path)
			err := runChunked(s, pathOnly(v, w.path, part), nesting+1, b, func(errs []schemaError) {
				kept := errs[:0]
				for _, e := range errs {
					if len(e.path) <= depth || !slices.Equal(e.path[:depth], w.path) {
						continue // about the path, said in the first run
					}
					if keys != nil {
						if !keys[e.path[depth]] {
							continue
						}
					} else {
						i, _ := strconv.Atoi(e.path[depth])
						e.path = slices.Clone(e.path)
						e.path[depth] = strconv.Itoa(i + k*chunkSize)
					}
					kept = append(kept, e)
				}
				if len(kept) > 0 {
					emit(kept)
				}
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// schemaProperties is every property name the schemas declare.
var schemaProperties = sync.OnceValue(func() map[string]bool {
	names := map[string]bool{}
	for _, kind := range []schema.Kind{schema.Request, schema.Response, schema.Fixture} {
		for _, mode := range []schema.Mode{schema.Any} {
			b, err := schema.Bytes(kind, mode)
			if err != nil {
				continue
			}
			collectProperties(b, names)
		}
	}
	return names
})

func collectProperties(b []byte, names map[string]bool) {
	var v any
	if decodeErr := json.Unmarshal(b, &v); decodeErr != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if props, ok := x["properties"].(map[string]any); ok {
				for k := range props {
					names[k] = true
				}
			}
			if req, ok := x["required"].([]any); ok {
				for _, k := range req {
					if s, ok := k.(string); ok {
						names[s] = true
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}
