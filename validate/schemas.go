package validate

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/albcheck/albcheck/schema"
	"github.com/xeipuuv/gojsonschema"
)

// compiled holds the schemas, compiled once per process.
var compiled struct {
	once                           sync.Once
	reqSingle, reqMulti            *gojsonschema.Schema
	respSingle, respMulti, fixture *gojsonschema.Schema
	err                            error
}

func schemas() error {
	compiled.once.Do(func() {
		registerFormats()
		load := func(kind schema.Kind, mode schema.Mode) *gojsonschema.Schema {
			if compiled.err != nil {
				return nil
			}
			b, err := schema.Bytes(kind, mode)
			if err != nil {
				compiled.err = err
				return nil
			}
			sl := gojsonschema.NewSchemaLoader()
			sl.Draft = gojsonschema.Draft7
			sl.AutoDetect = false
			s, err := sl.Compile(gojsonschema.NewBytesLoader(b))
			if err != nil {
				compiled.err = fmt.Errorf("compile schema %s/%s: %w", kind, mode, err)
			}
			return s
		}
		compiled.reqSingle = load(schema.Request, schema.Single)
		compiled.reqMulti = load(schema.Request, schema.Multi)
		compiled.respSingle = load(schema.Response, schema.Single)
		compiled.respMulti = load(schema.Response, schema.Multi)
		compiled.fixture = load(schema.Fixture, schema.Any)
	})
	return compiled.err
}

// schemaError is one gojsonschema error with its location as reference
// tokens (not yet a pointer) so that mappers can look at its parts.
type schemaError struct {
	typ     string
	path    []string // reference tokens of the value the error is about
	missing string   // for "required": the missing member
	value   any
	desc    string
}

// runSchema validates v and hands its errors to emit, a batch at a time,
// leaving out the ones that only summarise others (allOf, if/then/else).
// A large document is validated in pieces (runChunked), so that the errors
// held at once stay few however many there are.
func runSchema(s *gojsonschema.Schema, v any, emit func([]schemaError)) (unchecked int, err error) {
	var b schemaBudget
	tamed, changed := tameNumbers(v)
	if !changed {
		err = runChunked(s, tamed, 0, &b, emit)
		return b.unchecked, err
	}
	err = runChunked(s, tamed, 0, &b, func(errs []schemaError) {
		for i, se := range errs {
			if _, isNumber := se.value.(json.Number); isNumber {
				if orig, ok := valueAt(v, se.path); ok {
					errs[i].value = orig // as written, not its stand-in
				}
			}
		}
		emit(errs)
	})
	return b.unchecked, err
}

// validateOne runs gojsonschema on v.
func validateOne(s *gojsonschema.Schema, v any) ([]schemaError, error) {
	res, err := s.Validate(gojsonschema.NewRawLoader(v))
	if err != nil {
		return nil, err
	}
	if res.Valid() {
		return nil, nil
	}
	var out []schemaError
	for _, e := range res.Errors() {
		switch e.Type() {
		case "number_all_of", "condition_then", "condition_else":
			continue
		}
		// The delimiter cannot occur in valid UTF-8 JSON keys that matter
		// here; gojsonschema gives no structured path.
		parts := strings.Split(e.Context().String("\x00"), "\x00")[1:]
		se := schemaError{typ: e.Type(), path: parts, value: e.Value(), desc: e.Description()}
		if p, ok := e.Details()["property"].(string); ok {
			switch e.Type() {
			case "required":
				se.missing = p
			case "invalid_property_name":
				se.path = append(parts, p)
			}
		}
		out = append(out, se)
	}
	return out, nil
}

// top is the top-level member the error is about.
func (e schemaError) top() string {
	if len(e.path) > 0 {
		return e.path[0]
	}
	return e.missing
}

func (e schemaError) pointer() string {
	p := ""
	for _, t := range e.path {
		p = ptr(p, t)
	}
	if e.missing != "" {
		p = ptr(p, e.missing)
	}
	return p
}

// jsonType names the JSON type of a decoded value, for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "a number"
	}
}

// schemaMode settles the mode: the caller's, or for an object the one
// detect tells from it, or single.
func schemaMode(v any, mode Mode, detect func(map[string]any) Mode) Mode {
	obj, isObj := v.(map[string]any)
	switch {
	case isObj:
		return resolveMode(mode, obj, detect)
	case mode != ModeMulti:
		return ModeSingle
	}
	return mode
}

// schemaPass runs the mode's schema and hands each error to emit, but for
// base64 errors on a body whose isBase64Encoded is not true: the schema
// checks the body as base64 unless the flag is false (written that way round
// so that the common case builds no error), so a flag of the wrong type
// would be reported twice.
func schemaPass(v any, mode Mode, single, multi *gojsonschema.Schema, emit func(schemaError)) (unchecked int, err error) {
	obj, isObj := v.(map[string]any)
	s := single
	if mode == ModeMulti {
		s = multi
	}
	return runSchema(s, v, func(errs []schemaError) {
		for _, e := range errs {
			bodyFormat := e.typ == "format" && len(e.path) == 1 && e.path[0] == "body"
			if bodyFormat && (!isObj || obj["isBase64Encoded"] != true) {
				continue
			}
			emit(e)
		}
	})
}
