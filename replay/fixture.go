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
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/albcheck/albcheck/alb"
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
	// Function is the function the case names (its "function"), and
	// Listener the port of the listener its request goes to (its
	// "listener", 0 when it names none): replay --infra routes the request
	// through that listener's rules and checks that it reaches Function.
	Function string
	Listener int
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
	// remake builds a short request's event again, in a mode; nil for a
	// full event.
	remake func(fakeevent.Mode) (events.ALBTargetGroupRequest, error)
	// files finds the files the case names, inside its fixture root.
	files fixtureFiles
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
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Mode        string `json:"mode,omitempty"`
	// Function and TargetGroup name what the case goes through in the
	// infrastructure files (albcheck replay --infra): its mode is theirs.
	Function    string `json:"function,omitempty"`
	TargetGroup string `json:"targetGroup,omitempty"`
	// Listener is the port of the listener the request goes to, when the
	// files have several (replay --infra).
	Listener int             `json:"listener,omitempty"`
	Event    json.RawMessage `json:"event,omitempty"`
	Request  *shortRequest   `json:"request,omitempty"`
	Expect   *Expect         `json:"expect,omitempty"`
}

type shortRequest struct {
	Method     string                     `json:"method"`
	Target     string                     `json:"target"`
	Headers    map[string]json.RawMessage `json:"headers,omitempty"`
	Body       *string                    `json:"body,omitempty"`
	BodyBase64 *string                    `json:"bodyBase64,omitempty"`
	BodyFile   string                     `json:"bodyFile,omitempty"`
	ClientIP   string                     `json:"clientIp,omitempty"`
}

// LoadOptions says how fixture files are loaded; the zero value is useful.
type LoadOptions struct {
	// Mode, when set, is the target group's mode of every case (--mode),
	// whatever the fixture says; events written in the other mode are
	// converted as the ALB would have sent them.
	Mode fakeevent.Mode
	// Root is the fixture root, the folder no read or write leaves: the
	// fixture file itself, its bodyFiles and its golden files are opened
	// inside it (os.Root), so no absolute path, ".." or symbolic link
	// reaches anything else. It is the directory given on the command
	// line; empty means the fixture file's own folder. Names in a fixture
	// are relative to the fixture file.
	Root string
	// ModeOf, when set and Mode is not, gives each case its mode from the
	// function or target group it names (its function and targetGroup
	// fields, empty when it names none, as for a bare event file), whatever
	// the case says; an error fails the case without running it. albcheck
	// replay --infra resolves names against the infrastructure files.
	ModeOf func(function, targetGroup string) (fakeevent.Mode, error)
	// MaxSize bounds every read of a fixture or golden file, in bytes
	// (0: inputs.DefaultMaxSize); a file over it is refused by its size,
	// without being read (an *inputs.TooLargeError).
	MaxSize int64
}

// Load reads the cases of a fixture file, with its own folder as the
// fixture root (LoadWith). A file that is not a valid fixture gives cases
// with Problems (they fail when run) rather than an error; the error is for
// a file that cannot be read at all.
func Load(file string, mode fakeevent.Mode) ([]*Case, error) {
	return LoadWith(file, LoadOptions{Mode: mode})
}

// LoadWith is Load with options: the fixture root and the size limit.
func LoadWith(file string, o LoadOptions) ([]*Case, error) {
	files, err := newFixtureFiles(file, o.Root, o.MaxSize)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(files.root)
	if err != nil {
		return nil, fmt.Errorf("fixture root: %w", err)
	}
	defer root.Close()
	cases, err := load(file, o, files, root)
	if err != nil {
		return nil, &loadError{file, err}
	}
	return cases, nil
}

// loadError names the fixture file that could not be read. Its message is
// made when it is shown, so that a caller can still name the flag that
// raises an *inputs.TooLargeError's limit.
type loadError struct {
	file string
	err  error
}

func (e *loadError) Error() string { return e.file + ": " + e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

func load(file string, o LoadOptions, files fixtureFiles, root *os.Root) ([]*Case, error) {
	doc, err := inputs.ReadIn(root, files.name, files.maxSize)
	if err != nil {
		return nil, err
	}
	var value any
	// validate looks up the files the fixture names in the same root, so
	// that validate and replay say the same about them.
	rep := validate.Document(doc, validate.WithPositions(), validate.WithValue(&value), validate.WithFixtureFile(files.root, files.name))
	switch rep.Kind {
	case validate.KindRequest:
		c := &Case{File: file, Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), bare: true, files: files}
		c.Problems = errorsOf(rep)
		if len(c.Problems) == 0 {
			c.Event = eventOf(value)
			c.Mode = fakeevent.Single
			if rep.Mode == validate.ModeMulti {
				c.Mode = fakeevent.Multi
			}
			c.EventJSON = bytes.TrimSpace(trimBOM(doc)) // sent as written
			if mode, problem := o.modeFor("", "", ""); problem != nil {
				c.Problems = append(c.Problems, *problem)
			} else {
				c.forceMode(mode)
			}
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
		c := &Case{File: file, Index: i, Name: specs[i].Name, Description: specs[i].Description, Function: specs[i].Function, Listener: specs[i].Listener, Expect: specs[i].Expect, spec: &specs[i], listFile: trimmed[0] == '[', files: files}
		prefix := ""
		if trimmed[0] == '[' {
			prefix = fmt.Sprintf("/%d", i)
		}
		for _, f := range errorsOf(rep) {
			if f.Pointer == prefix || strings.HasPrefix(f.Pointer, prefix+"/") || prefix == "" {
				c.Problems = append(c.Problems, f)
			}
		}
		mode, problem := o.modeFor(specs[i].Function, specs[i].TargetGroup, prefix)
		if problem != nil {
			c.Problems = append(c.Problems, *problem)
		}
		if len(c.Problems) == 0 {
			if err := c.build(mode, root); err != nil {
				var bad *fileProblem
				if errors.As(err, &bad) {
					c.Problems = append(c.Problems, bad.finding)
				} else {
					c.Problems = append(c.Problems, validate.NewFinding(validate.FIX001, prefix, err.Error()))
				}
			}
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// modeFor is the mode a case is forced to, if any: --mode, else the mode
// of what the case names in the infrastructure files. A name that does not
// resolve is a problem of the case, at the field that names it.
func (o LoadOptions) modeFor(function, targetGroup, prefix string) (fakeevent.Mode, *validate.Finding) {
	if o.Mode != "" || o.ModeOf == nil {
		return o.Mode, nil
	}
	m, err := o.ModeOf(function, targetGroup)
	if err == nil {
		return m, nil
	}
	pointer := prefix
	switch {
	case targetGroup != "":
		pointer += "/targetGroup"
	case function != "":
		pointer += "/function"
	}
	f := validate.NewFinding(validate.FIX001, pointer, "--infra: "+err.Error())
	return "", &f
}

// build makes the case's event; root is the fixture root, open.
func (c *Case) build(force fakeevent.Mode, root *os.Root) error {
	s := c.spec
	c.Mode = fakeevent.Mode(s.Mode)
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
		c.forceMode(force)
		return nil
	}
	if force != "" {
		c.Mode = force
	}
	if c.Mode == "" {
		c.Mode = fakeevent.Single
	}
	r := s.Request
	var body []byte
	switch {
	case r.Body != nil:
		body = []byte(*r.Body)
	case r.BodyBase64 != nil:
		p, err := base64.StdEncoding.DecodeString(*r.BodyBase64)
		if err != nil {
			return fmt.Errorf("bodyBase64: %w", err)
		}
		body = p
	case r.BodyFile != "":
		// Bounded by the ALB's request limit: a larger body could never be
		// sent, so it is refused by its size without being read.
		p, err := c.files.read(root, r.BodyFile, alb.MaxRequestBody)
		if err != nil {
			return &fileProblem{validate.FixtureFileFinding(c.pointer("/request/bodyFile"), "bodyFile", r.BodyFile, err)}
		}
		body = p
	}
	seed := seedOf(c.File, c.Name)
	c.remake = func(m fakeevent.Mode) (events.ALBTargetGroupRequest, error) {
		b := fakeevent.New(r.Method, r.Target).Mode(m).Seed(seed)
		if r.ClientIP != "" {
			b.ClientIP(r.ClientIP)
		}
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
		if body != nil {
			b.BodyBytes(body)
		}
		return b.Event()
	}
	ev, err := c.remake(c.Mode)
	if err != nil {
		return err
	}
	c.Event = ev
	c.EventJSON = fakeevent.Marshal(ev)
	return nil
}

// fileProblem is a file named by a case that cannot be used, as the
// finding that says why.
type fileProblem struct{ finding validate.Finding }

func (p *fileProblem) Error() string { return p.finding.Message }

// fixtureFiles opens the files of one fixture file inside its fixture root.
type fixtureFiles struct {
	root    string // the fixture root
	name    string // the fixture file, relative to root
	maxSize int64
}

func newFixtureFiles(file, root string, maxSize int64) (fixtureFiles, error) {
	if root == "" {
		root = filepath.Dir(file)
	}
	if maxSize <= 0 {
		maxSize = inputs.DefaultMaxSize
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || !filepath.IsLocal(rel) {
		return fixtureFiles{}, fmt.Errorf("%s: %w (the root is %s)", file, inputs.ErrOutsideRoot, root)
	}
	return fixtureFiles{root: root, name: rel, maxSize: maxSize}, nil
}

// path resolves a name written in the fixture: relative to the fixture
// file, inside the root.
func (f fixtureFiles) path(name string) (string, error) {
	return inputs.FixturePath(filepath.Dir(f.name), name)
}

// read reads a file the fixture names, or the fixture file itself (name
// ""), inside the open root (nil: opened for this read), refusing one over
// limit bytes by its size.
func (f fixtureFiles) read(root *os.Root, name string, limit int64) ([]byte, error) {
	p, err := f.name, error(nil)
	if name != "" {
		if p, err = f.path(name); err != nil {
			return nil, err
		}
	}
	if root == nil {
		if root, err = os.OpenRoot(f.root); err != nil {
			return nil, err
		}
		defer root.Close()
	}
	return inputs.ReadIn(root, p, limit)
}

// exists reports whether a file the fixture names is there (as anything,
// a link included), inside the root.
func (f fixtureFiles) exists(name string) bool {
	p, err := f.path(name)
	if err != nil {
		return true // not a name to write either
	}
	root, err := os.OpenRoot(f.root)
	if err != nil {
		return true
	}
	defer root.Close()
	_, err = root.Lstat(p)
	return !errors.Is(err, fs.ErrNotExist)
}

// write replaces a file the fixture names (a golden file) or the fixture
// file itself (name ""), inside the root, unless it already holds data.
// It reports whether it wrote.
func (f fixtureFiles) write(name string, data []byte) (bool, error) {
	p := f.name
	if name != "" {
		var err error
		if p, err = f.path(name); err != nil {
			return false, err
		}
	}
	root, err := os.OpenRoot(f.root)
	if err != nil {
		return false, err
	}
	defer root.Close()
	if old, err := inputs.ReadIn(root, p, f.maxSize); err == nil && bytes.Equal(old, data) {
		return false, nil // unchanged: not even its time is touched
	}
	return true, inputs.WriteIn(root, p, data)
}

// forceMode sends a full event in the mode --mode gives, when it is not
// the event's own: the ALB sends one mode's fields only, so the event is
// converted as the ALB would have sent that request.
func (c *Case) forceMode(force fakeevent.Mode) {
	if force == "" || force == c.Mode {
		return
	}
	if c.remake != nil {
		// A short request is built again in that mode: converting its
		// single-mode event would lose the values of a repeated query key or
		// header, which a multi-mode target group gets.
		if ev, err := c.remake(force); err == nil {
			c.Mode, c.Event, c.EventJSON = force, ev, fakeevent.Marshal(ev)
			return
		}
	}
	c.Mode = force
	c.Event = toMode(c.Event, force)
	c.EventJSON = fakeevent.Marshal(c.Event)
}

// toMode converts an event to the other mode: to multi, each value becomes
// a list of one; to single, a list keeps its last value, which is the one
// the ALB passes when multi-value headers are off.
func toMode(ev events.ALBTargetGroupRequest, m fakeevent.Mode) events.ALBTargetGroupRequest {
	if m == fakeevent.Multi {
		ev.MultiValueHeaders = toLists(ev.Headers, ev.MultiValueHeaders)
		ev.MultiValueQueryStringParameters = toLists(ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
		ev.Headers, ev.QueryStringParameters = nil, nil
		return ev
	}
	ev.Headers = toLast(ev.MultiValueHeaders, ev.Headers)
	ev.QueryStringParameters = toLast(ev.MultiValueQueryStringParameters, ev.QueryStringParameters)
	ev.MultiValueHeaders, ev.MultiValueQueryStringParameters = nil, nil
	return ev
}

func toLists(single map[string]string, multi map[string][]string) map[string][]string {
	if single == nil {
		if multi == nil {
			return map[string][]string{}
		}
		return multi
	}
	out := make(map[string][]string, len(single))
	for k, v := range single {
		out[k] = []string{v}
	}
	return out
}

func toLast(multi map[string][]string, single map[string]string) map[string]string {
	if multi == nil {
		if single == nil {
			return map[string]string{}
		}
		return single
	}
	out := make(map[string]string, len(multi))
	for k, v := range multi {
		if len(v) > 0 {
			out[k] = v[len(v)-1]
		}
	}
	return out
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
