// Package replay sends fixtures through a real function (a Lambda binary over
// the Runtime API, a process per fixture, an Invoke endpoint, or a Go handler
// in-process) and checks each answer against the ALB's rules and the
// fixture's expectations.
package replay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	gojson "github.com/goccy/go-json"
)

// Case is one fixture: a request and what the answer must look like.
type Case struct {
	// File is the fixture file; Index the case's place in it (0 for a file
	// with one case).
	File  string
	Index int
	// Name is the case's name (a bare event file is named after the file).
	Name        string
	Description string
	// Mode is the target group's mode the case runs in.
	Mode fakeevent.Mode
	// Event is the request event sent to the function.
	Event events.ALBTargetGroupRequest
	// EventJSON is Event as the ALB writes it.
	EventJSON []byte
	Expect    *Expect
	// Problems are what is wrong with the fixture itself; a case with
	// problems fails without being run.
	Problems []validate.Finding
	// bare is set for a bare event file (no fixture around it); listFile
	// for a file that holds a list of cases.
	bare     bool
	listFile bool
	spec     *caseSpec
}

// Expect is what a case expects of the client's response.
type Expect struct {
	Status        json.RawMessage    `json:"status,omitempty"`
	Headers       map[string]*string `json:"headers,omitempty"`
	Body          *BodyExpect        `json:"body,omitempty"`
	MaxDurationMs float64            `json:"maxDurationMs,omitempty"`
}

// BodyExpect is one check of the decoded body.
type BodyExpect struct {
	Equals   *string         `json:"equals,omitempty"`
	Contains *string         `json:"contains,omitempty"`
	Matches  *string         `json:"matches,omitempty"`
	JSON     json.RawMessage `json:"json,omitempty"`
	Subset   bool            `json:"subset,omitempty"`
	File     string          `json:"file,omitempty"`
}

// caseSpec is a case as written in a fixture file; the field order is the
// order --update writes.
type caseSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Mode        string          `json:"mode,omitempty"`
	Event       json.RawMessage `json:"event,omitempty"`
	Request     *shortRequest   `json:"request,omitempty"`
	Expect      *Expect         `json:"expect,omitempty"`
}

type shortRequest struct {
	Method     string                     `json:"method"`
	Target     string                     `json:"target"`
	Headers    map[string]json.RawMessage `json:"headers,omitempty"`
	Body       *string                    `json:"body,omitempty"`
	BodyBase64 *string                    `json:"bodyBase64,omitempty"`
	BodyFile   string                     `json:"bodyFile,omitempty"`
}

// Load reads the cases of a fixture file. A file that is not a valid fixture
// gives cases with Problems (they fail when run) rather than an error; the
// error is for a file that cannot be read at all.
func Load(file string, mode fakeevent.Mode) ([]*Case, error) {
	doc, err := inputs.ReadFile(file, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	var value any
	rep := validate.Document(doc, validate.WithPositions(), validate.WithValue(&value))
	switch rep.Kind {
	case validate.KindRequest:
		c := &Case{File: file, Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), bare: true}
		c.Problems = errorsOf(rep)
		if len(c.Problems) == 0 {
			c.Event = eventOf(value)
			c.Mode = fakeevent.Single
			if rep.Mode == validate.ModeMulti {
				c.Mode = fakeevent.Multi
			}
			if mode != "" {
				c.Mode = mode
			}
			c.EventJSON = bytes.TrimSpace(trimBOM(doc)) // sent as written
		}
		return []*Case{c}, nil
	case validate.KindFixture:
	case validate.KindResponse, validate.KindUnknown:
		if !hasError(rep) {
			return nil, nil // JSON that is no fixture (a golden body, say): not a case
		}
		fallthrough
	default:
		c := &Case{File: file, Name: filepath.Base(file), Problems: errorsOf(rep)}
		if len(c.Problems) == 0 {
			c.Problems = []validate.Finding{validate.NewFinding(validate.FIX001, "", "not a fixture: expected a case object, a list of them, or an ALB request event")}
		}
		return []*Case{c}, nil
	}
	var specs []caseSpec
	trimmed := bytes.TrimSpace(trimBOM(doc))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &specs)
	} else {
		var one caseSpec
		err = json.Unmarshal(trimmed, &one)
		specs = []caseSpec{one}
	}
	if err != nil {
		c := &Case{File: file, Name: filepath.Base(file), Problems: errorsOf(rep)}
		if len(c.Problems) == 0 {
			c.Problems = []validate.Finding{validate.NewFinding(validate.FIX001, "", err.Error())}
		}
		return []*Case{c}, nil
	}
	var cases []*Case
	for i := range specs {
		c := &Case{File: file, Index: i, Name: specs[i].Name, Description: specs[i].Description, Expect: specs[i].Expect, spec: &specs[i], listFile: trimmed[0] == '['}
		prefix := ""
		if trimmed[0] == '[' {
			prefix = fmt.Sprintf("/%d", i)
		}
		for _, f := range errorsOf(rep) {
			if f.Pointer == prefix || strings.HasPrefix(f.Pointer, prefix+"/") || prefix == "" {
				c.Problems = append(c.Problems, f)
			}
		}
		if len(c.Problems) == 0 {
			if err := c.build(mode); err != nil {
				c.Problems = append(c.Problems, validate.NewFinding(validate.FIX001, prefix, err.Error()))
			}
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// build makes the case's event.
func (c *Case) build(force fakeevent.Mode) error {
	s := c.spec
	c.Mode = fakeevent.Mode(s.Mode)
	if force != "" {
		c.Mode = force
	}
	if s.Event != nil {
		if err := decodeEvent(s.Event, &c.Event); err != nil {
			return err
		}
		if c.Mode == "" {
			c.Mode = fakeevent.Single
			if c.Event.MultiValueHeaders != nil || c.Event.MultiValueQueryStringParameters != nil {
				c.Mode = fakeevent.Multi
			}
		}
		c.EventJSON = s.Event // sent as written
		return nil
	}
	if c.Mode == "" {
		c.Mode = fakeevent.Single
	}
	r := s.Request
	b := fakeevent.New(r.Method, r.Target).Mode(c.Mode).Seed(seedOf(c.File, c.Name))
	for _, name := range sortedNames(r.Headers) {
		var one string
		var many []string
		if json.Unmarshal(r.Headers[name], &one) == nil {
			b.Header(name, one)
		} else if json.Unmarshal(r.Headers[name], &many) == nil {
			for _, v := range many {
				b.Header(name, v)
			}
		}
	}
	switch {
	case r.Body != nil:
		b.Body(*r.Body)
	case r.BodyBase64 != nil:
		p, err := base64.StdEncoding.DecodeString(*r.BodyBase64)
		if err != nil {
			return fmt.Errorf("bodyBase64: %w", err)
		}
		b.BodyBytes(p)
	case r.BodyFile != "":
		p, err := readInside(filepath.Dir(c.File), r.BodyFile)
		if err != nil {
			return fmt.Errorf("bodyFile: %w", err)
		}
		b.BodyBytes(p)
	}
	ev, err := b.Event()
	if err != nil {
		return err
	}
	c.Event = ev
	c.EventJSON = fakeevent.Marshal(ev)
	return nil
}

// errOutsideRoot refuses a file name that leaves the fixture's folder.
var errOutsideRoot = errors.New("the path leaves the fixture's folder")

// readInside reads name relative to dir, refusing anything that resolves
// outside dir (through "..", an absolute path or a symbolic link).
func readInside(dir, name string) ([]byte, error) {
	p, err := insidePath(dir, name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

func insidePath(dir, name string) (string, error) {
	if filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return "", errOutsideRoot
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return p, nil // a golden file still to be written
		}
		return "", err
	}
	if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
		return "", errOutsideRoot
	}
	return p, nil
}

// seedOf gives each short-request case its own reproducible seed, so that
// its event (ids, client address) is the same on every run.
func seedOf(file, name string) uint64 {
	var h uint64 = 1469598103934665603
	for _, b := range []byte(filepath.Base(file) + "\x00" + name) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

func hasError(rep validate.Report) bool {
	for _, f := range rep.Findings {
		if f.Severity == validate.Error && (f.Rule == validate.JSON001 || f.Rule == validate.JSON002 || f.Rule == validate.JSON006) {
			return true
		}
	}
	return false
}

func errorsOf(rep validate.Report) []validate.Finding {
	var out []validate.Finding
	for _, f := range rep.Findings {
		if f.Severity == validate.Error || rep.Skipped {
			out = append(out, f)
		}
	}
	return out
}

func dirOf(file string) string { return filepath.Dir(file) }

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF}) }

// eventOf takes the event out of the document validate decoded and accepted
// (so every field has its type): fixtures are read on the path of every
// invocation, and decoding each a second time cost a fifth of loading it.
func eventOf(v any) events.ALBTargetGroupRequest {
	obj, _ := v.(map[string]any)
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	strMap := func(k string) map[string]string {
		m, ok := obj[k].(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string]string, len(m))
		for name, v := range m {
			out[name], _ = v.(string)
		}
		return out
	}
	listMap := func(k string) map[string][]string {
		m, ok := obj[k].(map[string]any)
		if !ok {
			return nil
		}
		out := make(map[string][]string, len(m))
		for name, v := range m {
			list, _ := v.([]any)
			values := make([]string, len(list))
			for i, s := range list {
				values[i], _ = s.(string)
			}
			out[name] = values
		}
		return out
	}
	ev := events.ALBTargetGroupRequest{
		HTTPMethod:                      str(obj, "httpMethod"),
		Path:                            str(obj, "path"),
		QueryStringParameters:           strMap("queryStringParameters"),
		MultiValueQueryStringParameters: listMap("multiValueQueryStringParameters"),
		Headers:                         strMap("headers"),
		MultiValueHeaders:               listMap("multiValueHeaders"),
		Body:                            str(obj, "body"),
	}
	ev.IsBase64Encoded, _ = obj["isBase64Encoded"].(bool)
	if rc, ok := obj["requestContext"].(map[string]any); ok {
		if elb, ok := rc["elb"].(map[string]any); ok {
			ev.RequestContext.ELB.TargetGroupArn = str(elb, "targetGroupArn")
		}
	}
	return ev
}

// decodeEvent decodes an event validate has already accepted, with the
// faster decoder validate uses (see validate's decode.go): fixtures are read
// on the path of every invocation.
func decodeEvent(doc []byte, ev *events.ALBTargetGroupRequest) error {
	return gojson.Unmarshal(doc, ev)
}
