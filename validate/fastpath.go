package validate

import (
	"encoding/json"
	"fmt"

	"github.com/albcheck/albcheck/alb"
)

// Engine chooses how documents are checked.
type Engine string

// Engines. EngineFast (the default) first runs a single Go pass that only
// decides whether a document is schema-valid: gojsonschema would report
// nothing. Such a document gets the rules (which are Go either way) and no
// schema run; any other goes through the reference engine, gojsonschema
// and the rules, so every schema finding, message and pointer is the
// reference engine's. Most documents in the wild are schema-valid and carry
// a rule's warning or two (copies of AWS's sample events do): they take the
// fast path too. EngineReference always runs the schema.
const (
	EngineFast      Engine = "fast"
	EngineReference Engine = "reference"
)

// WithEngine chooses the engine (EngineFast when not given).
func WithEngine(e Engine) Option { return func(c *config) { c.engine = e } }

// ParseEngine reads an engine name as the CLI takes it.
func ParseEngine(s string) (Engine, error) {
	switch e := Engine(s); e {
	case EngineFast, EngineReference:
		return e, nil
	case "":
		return EngineFast, nil
	}
	return "", fmt.Errorf("unknown engine %q (want fast or reference)", s)
}

// fastSchemaValidRequest reports whether a decoded request passes the
// request schema of mode (single or multi). It must never say so of a
// document the schema has an error for: FuzzFastPathAgrees and
// TestFastPathAgrees hold it to that. It may refuse what the schema accepts
// (a missing field the schema reports as a warning, say); that only costs
// time.
func fastSchemaValidRequest(obj map[string]any, mode Mode) bool {
	rc, ok := obj["requestContext"].(map[string]any)
	if !ok {
		return false
	}
	elb, ok := rc["elb"].(map[string]any)
	if !ok {
		return false
	}
	if _, ok := elb["targetGroupArn"].(string); !ok {
		return false
	}
	method, ok := obj["httpMethod"].(string)
	if !ok || !alb.IsToken(method) || method == "TRACE" {
		return false
	}
	path, ok := obj["path"].(string)
	if !ok || len(path) == 0 || path[0] != '/' {
		return false
	}
	body, ok := obj["body"].(string)
	if !ok {
		return false
	}
	b64, ok := obj["isBase64Encoded"].(bool)
	if !ok || (b64 && !isStrictBase64(body)) {
		return false
	}
	f := fieldsOf(mode)
	if _, present := obj[f.otherHeaders]; present {
		return false
	}
	if _, present := obj[f.otherQuery]; present {
		return false
	}
	multi := mode == ModeMulti
	h, ok := obj[f.headers].(map[string]any)
	if !ok || !valuesOK(h, multi) {
		return false
	}
	q, ok := obj[f.query].(map[string]any) // absent is REQ-014, a schema finding
	return ok && valuesOK(q, multi)
}

// valuesOK checks header or query values: strings, or arrays of strings.
func valuesOK(m map[string]any, multi bool) bool {
	for _, v := range m {
		if !multi {
			if _, ok := v.(string); !ok {
				return false
			}
			continue
		}
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 { // [] breaks the schema's minItems (REQ-003)
			return false
		}
		for _, e := range arr {
			if _, ok := e.(string); !ok {
				return false
			}
		}
	}
	return true
}

// fastSchemaValidResponse is fastSchemaValidRequest for a response document.
func fastSchemaValidResponse(obj map[string]any, mode Mode) bool {
	n, ok := obj["statusCode"].(json.Number)
	if !ok {
		return false
	}
	status, err := n.Int64()
	if err != nil || status < 100 || status > 599 {
		return false
	}
	// Present fields have their types (absent ones are RESP-013: not clean).
	if _, ok := obj["statusDescription"].(string); !ok {
		return false
	}
	b64, ok := obj["isBase64Encoded"].(bool)
	if !ok {
		return false
	}
	if v, present := obj["body"]; present {
		body, ok := v.(string)
		if !ok || (b64 && !isStrictBase64(body)) {
			return false
		}
	}
	mine, other := "headers", "multiValueHeaders"
	if mode == ModeMulti {
		mine, other = other, mine
	}
	h, ok := obj[mine].(map[string]any)
	if !ok {
		return false
	}
	if v, present := obj[other]; present && v != nil {
		return false // RESP-015 or worse
	}
	if mode == ModeMulti {
		if _, present := obj[other]; present {
			return false // "headers": null in multi mode is RESP-020
		}
	}
	for name, v := range h {
		if !alb.IsToken(name) {
			return false
		}
		if mode == ModeMulti {
			arr, ok := v.([]any)
			if !ok {
				return false
			}
			for _, e := range arr {
				if s, ok := e.(string); !ok || !isHeaderValue(s) {
					return false
				}
			}
		} else if s, ok := v.(string); !ok || !isHeaderValue(s) {
			return false
		}
	}
	return true
}
