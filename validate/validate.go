// Package validate checks ALB request events, Lambda response documents and
// albcheck fixture files, in two layers: the JSON Schemas of package schema
// (compiled once per process), then the semantic rules of the ALB contract.
// Every finding carries a rule id, a JSON Pointer, a severity, a message and
// what the ALB would do about it.
//
// This is the only package of albcheck that imports gojsonschema.
package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Option configures a check.
type Option func(*config)

type config struct {
	engine    Engine
	mode      Mode
	method    string
	kind      Kind
	strict    bool
	positions bool
	value     *any
	files     fixtureFiles
	inPlace   bool
}

func newConfig(opts []Option) config {
	c := config{mode: ModeAuto}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithMode checks in this mode instead of telling it from the document.
func WithMode(m Mode) Option { return func(c *config) { c.mode = m } }

// WithStrict makes warnings fail the document (Report.OK).
func WithStrict(strict bool) Option { return func(c *config) { c.strict = strict } }

// WithMethod gives the method of the request a response answers, so that a
// body on a reply to HEAD is reported.
func WithMethod(method string) Option { return func(c *config) { c.method = method } }

// ForRequest checks a response as the answer to this request: its method, and
// its mode unless WithMode says otherwise.
func ForRequest(req events.ALBTargetGroupRequest) Option {
	return func(c *config) {
		c.method = req.HTTPMethod
		if c.mode == ModeAuto || c.mode == "" {
			c.mode = ModeSingle
			if req.MultiValueHeaders != nil || req.MultiValueQueryStringParameters != nil {
				c.mode = ModeMulti
			}
		}
	}
}

// ForRequestJSON is ForRequest for a request event as JSON. A document that
// is not an event object leaves the options unchanged.
func ForRequestJSON(doc []byte) Option {
	var obj map[string]any
	if json.Unmarshal(trimBOM(doc), &obj) != nil {
		return func(*config) {}
	}
	return func(c *config) {
		c.method, _ = obj["httpMethod"].(string)
		if c.mode == ModeAuto || c.mode == "" {
			c.mode = requestMode(obj)
		}
	}
}

// WithKind checks a document as this kind instead of detecting it (Document).
func WithKind(k Kind) Option { return func(c *config) { c.kind = k } }

// WithPositions fills in Line and Column of every finding.
func WithPositions() Option { return func(c *config) { c.positions = true } }

// WithValue stores the decoded document in *v (nil when the bytes are not
// JSON), so that a caller that needs the document itself does not decode it
// a second time. Numbers are json.Number; the value must not be modified.
func WithValue(v *any) Option { return func(c *config) { c.value = v } }

// WithInPlace lets Document decode the strings of doc where they stand
// instead of in a copy of doc, promising that doc does not change while
// the report, or a value from WithValue, is in use. For a caller that reads
// a document only to check it: albcheck validate, over 10,000 files, saves
// the copy's allocation and the collector's time on it.
func WithInPlace() Option { return func(c *config) { c.inPlace = true } }

// WithFixtureFile says where a fixture file lives: name is its path inside
// root, the fixture root (the directory given on the command line, or a
// file's own folder). The files its cases name (bodyFile, expect.body.file)
// are then looked up there, as albcheck replay would read them: one that
// leaves the root, through ".." or a symbolic link, is FIX-002; a bodyFile
// that cannot be read is JSON-007 and one over the ALB's 1 MB request limit
// REQ-005 (by its size: it is not read). Without this option (standard
// input, a document in memory) only the names themselves are checked.
func WithFixtureFile(root, name string) Option {
	return func(c *config) { c.files = fixtureFiles{root: root, name: name} }
}

// Request checks a request event.
func Request(doc []byte, opts ...Option) Report {
	return Document(doc, append(opts, WithKind(KindRequest))...)
}

// Response checks a response document.
func Response(doc []byte, opts ...Option) Report {
	return Document(doc, append(opts, WithKind(KindResponse))...)
}

// Fixture checks a fixture file.
func Fixture(doc []byte, opts ...Option) Report {
	return Document(doc, append(opts, WithKind(KindFixture))...)
}

// RequestValue checks the JSON that json.Marshal sends for a typed event.
// aws-lambda-go's type drops an empty query map (omitempty), which a real
// ALB sends as {}: expect REQ-014 for such events.
func RequestValue(e events.ALBTargetGroupRequest, opts ...Option) Report {
	b, err := json.Marshal(e)
	if err != nil {
		return errorReport(KindRequest, err)
	}
	return Request(b, opts...)
}

// ResponseValue checks the JSON that json.Marshal sends for a typed response.
func ResponseValue(r events.ALBTargetGroupResponse, opts ...Option) Report {
	b, err := json.Marshal(r)
	if err != nil {
		return errorReport(KindResponse, err)
	}
	return Response(b, opts...)
}

func errorReport(k Kind, err error) Report {
	fs := &findings{}
	fs.add(JSON001, "", "cannot encode the value as JSON: "+err.Error())
	return Report{Kind: k, Findings: fs.list}
}

// Document checks a document of any kind: a request event, a response
// document or a fixture file, detected from its keys unless WithKind says.
// JSON that is none of these comes back Skipped.
func Document(doc []byte, opts ...Option) Report {
	c := newConfig(opts)
	fs := &findings{}
	rep := Report{Kind: c.kind, Strict: c.strict}
	if rep.Kind == "" {
		rep.Kind = KindUnknown
	}
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	d := parse(doc, fs, c.inPlace, sc)
	if c.value != nil {
		*c.value = nil
		if d.ok {
			*c.value = d.value
		}
	}
	if d.ok {
		auto := rep.Kind == KindUnknown || rep.Kind == KindAny || rep.Kind == ""
		if auto {
			rep.Kind = DetectKind(d.value)
		}
		// Another trigger's event, copied as an ALB fixture: say what it
		// is rather than list every ALB rule it breaks.
		foreign := false
		if what, marks := ForeignEvent(d.value); what != "" && (auto || rep.Kind == KindRequest) {
			rep.Kind, foreign = KindRequest, true
			fs.add(REQ001, "", fmt.Sprintf("this is %s, not an ALB event (it has %s): an ALB sends httpMethod, path and requestContext.elb; albcheck fake prints one", what, marks))
		}
		var err error
		if !foreign { // a foreign event's ALB findings would only add noise
			err = checkKind(&rep, c, d, fs)
		}
		if err != nil {
			fs.add(JSON001, "", fmt.Sprintf("cannot validate: %v", err))
		}
	}
	rep.Findings = fs.result()
	if c.positions && len(rep.Findings) > 0 && d.ok {
		locateAll(d.raw, rep.Findings)
	}
	if c.value == nil {
		sc.recycle() // nobody else has the value: its maps serve the next document
	} else {
		sc.forget()
	}
	return rep
}

// checkKind checks a decoded document as the kind rep says.
func checkKind(rep *Report, c config, d document, fs *findings) error {
	var err error
	switch rep.Kind {
	case KindRequest:
		if m, valid := c.fastPath(d, requestMode, fastSchemaValidRequest); valid {
			rep.Mode = m
			requestRules(d.value.(map[string]any), fieldsOf(m), fs)
			break
		}
		rep.Mode, err = checkRequest(d.value, c.mode, fs)
	case KindResponse:
		if m, valid := c.fastPath(d, responseMode, fastSchemaValidResponse); valid {
			rep.Mode = m
			responseChecks(d.value, payloadSize(d.raw), m, c.method, fs)
			break
		}
		rep.Mode, err = checkResponse(d.value, payloadSize(d.raw), c.mode, c.method, fs)
	case KindFixture:
		if DetectKind(d.value) == KindRequest {
			// A bare ALB event file is a fixture too (replay sends it as
			// it is): it is checked as the event it is.
			rep.Kind = KindRequest
			return checkKind(rep, c, d, fs)
		}
		err = checkFixture(d.value, fs, c.files)
	default:
		// Only an object that looks like no known kind is skipped: it may be
		// a package.json or any other JSON file in the folder. An array or
		// a scalar is no ALB document and no fixture file in any folder
		// given to albcheck: a finding, so that the run cannot pass on it.
		if _, isObject := d.value.(map[string]any); isObject {
			rep.Skipped = true
			rep.SkipReason = "not an ALB request event, response document or albcheck fixture (use --kind to say which it is)"
		} else {
			fs.add(JSON006, "", "expected a JSON object (or, in a fixture file, an array of fixture objects), got "+jsonType(d.value))
		}
	}
	return err
}

// ForeignEvent reports whether a decoded document is the event of another
// Lambda trigger that is often taken for an ALB's (copied fixtures, shared
// adapters): what it is, and the keys that show it. An ALB event's
// requestContext holds elb, which none of them has.
func ForeignEvent(v any) (what, marks string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return "", ""
	}
	rc, _ := obj["requestContext"].(map[string]any)
	if _, isALB := rc["elb"]; isALB {
		return "", ""
	}
	var found []string
	mark := func(present bool, name string) bool {
		if present {
			found = append(found, name)
		}
		return present
	}
	_, hasRawPath := obj["rawPath"]
	_, hasRouteKey := obj["routeKey"]
	v2 := mark(obj["version"] == "2.0", `"version": "2.0"`)
	v2 = mark(hasRawPath, `"rawPath"`) || v2
	v2 = mark(hasRouteKey, `"routeKey"`) || v2
	domain, _ := rc["domainName"].(string)
	_, lattice2 := rc["serviceNetworkArn"]
	switch {
	case v2 && mark(lattice2, `"requestContext.serviceNetworkArn"`):
		return "a VPC Lattice event (version 2.0)", strings.Join(found, ", ")
	case v2 && strings.Contains(domain, ".lambda-url.") && strings.HasSuffix(domain, ".on.aws") && mark(true, "a requestContext.domainName of a function URL"):
		return "a Lambda function URL event (payload 2.0)", strings.Join(found, ", ")
	case v2:
		return "an API Gateway HTTP API event (payload 2.0)", strings.Join(found, ", ")
	}
	for _, k := range []string{"raw_path", "is_base64_encoded", "query_string_parameters"} {
		_, ok := obj[k]
		mark(ok, strconv.Quote(k))
	}
	if len(found) > 0 {
		return "a VPC Lattice event (version 1)", strings.Join(found, ", ")
	}
	_, hasResource := obj["resource"]
	_, hasResourcePath := rc["resourcePath"]
	_, hasStage := rc["stage"]
	mark(hasResource, `"resource"`)
	mark(hasResourcePath, `"requestContext.resourcePath"`)
	mark(hasStage, `"requestContext.stage"`)
	if len(found) > 0 {
		return "an API Gateway REST API event (payload 1.0)", strings.Join(found, ", ")
	}
	return "", ""
}

// DetectKind tells what a decoded JSON document is from its keys.
func DetectKind(v any) Kind {
	switch x := v.(type) {
	case map[string]any:
		has := func(keys ...string) bool {
			for _, k := range keys {
				if _, ok := x[k]; ok {
					return true
				}
			}
			return false
		}
		switch {
		case has("expect", "event", "request") && !has("httpMethod", "statusCode"):
			return KindFixture
		case has("httpMethod", "requestContext", "path", "queryStringParameters", "multiValueQueryStringParameters"):
			return KindRequest
		case has("statusCode", "statusDescription"):
			return KindResponse
		case has("headers", "multiValueHeaders", "body", "isBase64Encoded"):
			// Without statusCode or any request key, a handler's reply that
			// forgot its status is the likelier reading.
			return KindResponse
		}
		// Keys in another case: a struct without json tags, or a
		// PascalCase serializer ({"StatusCode": 200, "Body": ...}). The
		// ALB reads keys as written, so this is a response it cannot use.
		for k := range x {
			switch strings.ToLower(k) {
			case "statuscode", "statusdescription", "multivalueheaders", "isbase64encoded":
				return KindResponse
			case "httpmethod", "requestcontext", "multivaluequerystringparameters", "querystringparameters":
				return KindRequest
			}
		}
	case []any:
		if len(x) > 0 && DetectKind(x[0]) == KindFixture {
			return KindFixture
		}
	}
	return KindUnknown
}

// ParseKind reads a kind name as the CLI takes it.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(strings.ToLower(s)); k {
	case KindRequest, KindResponse, KindFixture:
		return k, nil
	case "event":
		return KindRequest, nil
	case "auto", "":
		return "", nil
	}
	return "", fmt.Errorf("unknown kind %q (want auto, request, response or fixture)", s)
}

// ParseMode reads a mode name as the CLI takes it.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(s)); m {
	case ModeSingle, ModeMulti, ModeAuto:
		return m, nil
	case "":
		return ModeAuto, nil
	}
	return "", fmt.Errorf("unknown mode %q (want auto, single or multi)", s)
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

// fastPath asks the fast path whether a document with no finding about its
// bytes is clean, and in which mode.
func (c config) fastPath(d document, detect func(map[string]any) Mode, valid func(map[string]any, Mode) bool) (Mode, bool) {
	obj, ok := d.value.(map[string]any)
	if !ok || c.engine == EngineReference {
		return "", false
	}
	m := resolveMode(c.mode, obj, detect)
	return m, valid(obj, m)
}

// resolveMode is the mode a document is checked in: the caller's, or the one
// the document shows.
func resolveMode(m Mode, obj map[string]any, detect func(map[string]any) Mode) Mode {
	if m == ModeSingle || m == ModeMulti {
		return m
	}
	return detect(obj)
}

// LocateFindings fills in the line and column of each finding of a report
// on doc that has none: what WithPositions does, for a caller that needs
// positions only for the reports it shows (a quiet run prints failures
// only). One pass over doc, whatever the number of findings.
func LocateFindings(doc []byte, fs []Finding) {
	for _, f := range fs {
		if f.Line == 0 {
			// Findings without a position are about a document that
			// decoded (the ones about its bytes carry their own), so the
			// scanners may assume valid JSON.
			locateAll(bytes.TrimPrefix(doc, bom), fs)
			return
		}
	}
}

// payloadSize is the size RESP-008 compares with the ALB's limit: the
// document without the white space around it. A file saved by an editor or
// jq ends with a newline the function never sent; white space inside the
// document counts, as the function may well send it.
func payloadSize(doc []byte) int {
	return len(bytes.TrimSpace(doc))
}
