package validate

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/internal/inputs"
)

// checkFixture checks a fixture file: its shape against the fixture schema,
// each case's event with the request rules in the case's mode, and the paths
// and regular expressions it names.
func checkFixture(v any, fs *findings, files fixtureFiles) error {
	// Compiled on first use: a run whose documents all take the fast path
	// never needs them. (The embedded schemas are tested; an error here
	// only happens to a broken build.)
	if err := schemas(); err != nil {
		return err
	}
	// A case's errors come in one batch: "event or request" is judged
	// among them.
	unchecked, err := runSchema(compiled.fixture, v, func(errs []schemaError) {
		anyOfAt := map[string]bool{}
		for _, e := range errs {
			if e.typ == "number_any_of" {
				anyOfAt[strings.Join(e.path, "\x00")] = true
			}
		}
		for _, e := range errs {
			if underEvent(e.path) {
				continue // reported below with the request rules' ids
			}
			if e.typ == "required" && (e.missing == "event" || e.missing == "request") && anyOfAt[strings.Join(e.path, "\x00")] {
				continue // one branch of "event or request", said once below
			}
			fs.add(FIX001, e.pointer(), fixtureMessage(e))
		}
	})
	fs.unchecked += unchecked
	if err != nil {
		return err
	}
	cases := []any{v}
	prefixes := []string{""}
	if arr, ok := v.([]any); ok {
		cases, prefixes = arr, nil
		for i := range arr {
			prefixes = append(prefixes, "/"+itoa(i))
		}
	}
	defer files.close() // on every return: a case's error included
	for i, c := range cases {
		obj, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if ev, ok := obj["event"]; ok {
			mode := ModeAuto
			switch obj["mode"] {
			case "single":
				mode = ModeSingle
			case "multi":
				mode = ModeMulti
			}
			sub := &findings{prefix: fs.prefix + prefixes[i] + "/event"}
			if _, err := checkRequest(ev, mode, sub); err != nil {
				return err
			}
			fs.absorb(sub)
		}
		fixtureRules(obj, prefixes[i], fs, &files)
	}
	return nil
}

// fixtureMessage words the common fixture mistakes; the rest keep the
// schema library's description.
func fixtureMessage(e schemaError) string {
	last := ""
	if len(e.path) > 0 {
		last = e.path[len(e.path)-1]
	}
	switch {
	case e.typ == "number_any_of" && last == "status" && jsonType(e.value) == "an array":
		return "a list of status codes holds numbers from 100 to 599 only: see the items below"
	case e.typ == "number_any_of" && last == "status":
		return fmt.Sprintf("status must be a code (200), a list of codes ([200, 204]) or a class (\"2xx\"), got %s", describe(e.value))
	case e.typ == "number_any_of":
		return "a case needs \"event\" (a full ALB request event) or \"request\" (a short request albcheck turns into one)"
	case e.typ == "number_not" && last == "request":
		return "give at most one of body, bodyBase64 and bodyFile"
	case e.typ == "number_not":
		return "a case has either \"event\" or \"request\", not both"
	case e.typ == "format" && last == "method" && e.value == "TRACE":
		return "method TRACE never reaches a function: the ALB answers 405 itself (REQ-010)"
	case e.typ == "format" && last == "method":
		return fmt.Sprintf("method %s is not an HTTP token (letters, digits and !#$%%&'*+-.^_`|~)", describe(e.value))
	case (e.typ == "number_lte" || e.typ == "number_gte") && len(e.path) >= 2 && e.path[len(e.path)-2] == "status":
		return fmt.Sprintf("status %s is not between 100 and 599", showNumber(e.value))
	case e.typ == "invalid_type" && len(e.path) >= 2 && e.path[len(e.path)-2] == "status":
		return fmt.Sprintf("each code of a status list is a number, got %s", describe(e.value))
	case e.typ == "pattern" && last == "target":
		return fmt.Sprintf("target %q must start with / (a path and query such as /orders?id=1)", e.value)
	case e.typ == "required":
		return fmt.Sprintf("missing %q", e.missing)
	case e.typ == "invalid_type":
		return fmt.Sprintf("%s: wrong type, got %s", last, jsonType(e.value))
	}
	return strings.TrimPrefix(e.desc, "(root): ")
}

func underEvent(p []string) bool {
	return (len(p) >= 1 && p[0] == "event") || (len(p) >= 2 && p[1] == "event")
}

func fixtureRules(obj map[string]any, prefix string, fs *findings, files *fixtureFiles) {
	if req, ok := obj["request"].(map[string]any); ok {
		if f, ok := req["bodyFile"].(string); ok {
			if bad := files.check(f, true); bad != nil {
				fs.append(FixtureFileFinding(fs.prefix+prefix+"/request/bodyFile", "bodyFile", f, bad))
			}
		}
	}
	exp, _ := obj["expect"].(map[string]any)
	if body, ok := exp["body"].(map[string]any); ok {
		if f, ok := body["file"].(string); ok {
			if bad := files.check(f, false); bad != nil {
				fs.append(FixtureFileFinding(fs.prefix+prefix+"/expect/body/file", "golden file", f, bad))
			}
		}
		if re, ok := body["matches"].(string); ok {
			if _, err := regexp.Compile(re); err != nil {
				fs.add(FIX003, prefix+"/expect/body/matches", err.Error())
			}
		}
	}
	if hs, ok := exp["headers"].(map[string]any); ok {
		for _, name := range sortedKeys(hs) {
			if re, ok := HeaderPattern(hs[name]); ok {
				if _, err := regexp.Compile(re); err != nil {
					fs.add(FIX003, ptr(prefix+"/expect/headers", name), err.Error())
				}
			}
		}
	}
}

// HeaderPattern returns the regular expression of an expected header value
// written as /regex/.
func HeaderPattern(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) < 2 || !strings.HasPrefix(s, "/") || !strings.HasSuffix(s, "/") {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// fixtureFiles finds the files a fixture names, as albcheck replay does.
type fixtureFiles struct {
	root, name string // empty root: the names alone are checked
	opened     *os.Root
	openErr    error
}

// check reports what is wrong with the file a fixture names: nothing when
// it is fine, or a golden file not written yet.
func (f *fixtureFiles) check(name string, bodyFile bool) error {
	dir := "."
	if f.root != "" {
		dir = filepath.Dir(f.name)
	}
	p, err := inputs.FixturePath(dir, name)
	if err != nil || f.root == "" {
		return err
	}
	if f.opened == nil && f.openErr == nil {
		f.opened, f.openErr = os.OpenRoot(f.root)
	}
	if f.openErr != nil {
		return f.openErr
	}
	if bodyFile {
		_, err = inputs.CheckIn(f.opened, p, alb.MaxRequestBody)
		return err
	}
	// A golden file may not exist yet (albcheck replay --update writes
	// it), but it must not be a way out of the root, nor a pipe or device,
	// nor larger than replay reads by default.
	if _, err := inputs.CheckIn(f.opened, p, inputs.DefaultMaxSize); err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	return nil
}

func (f *fixtureFiles) close() {
	if f.opened != nil {
		f.opened.Close()
		f.opened = nil
	}
}

// FixtureFileFinding is the finding for a file a fixture names (what is
// "bodyFile" or "golden file", name as written, at pointer) that err says
// cannot be used: FIX-002 when it leaves the fixture root, REQ-005 when a
// bodyFile is over the ALB's request limit, JSON-005 when a golden file is
// over the size limit, JSON-007 when it cannot be read. validate and replay
// both use it, so they say the same about a fixture.
func FixtureFileFinding(pointer, what, name string, err error) Finding {
	var tooLarge *inputs.TooLargeError
	switch {
	case errors.Is(err, inputs.ErrOutsideRoot):
		return NewFinding(FIX002, pointer, fmt.Sprintf("%s %q leaves the fixture root: use a relative path inside it, with no link out of it", what, name))
	case errors.As(err, &tooLarge) && what == "bodyFile":
		size := "over"
		if tooLarge.Size >= 0 {
			size = fmt.Sprintf("%d bytes, over", tooLarge.Size)
		}
		return NewFinding(REQ005, pointer, fmt.Sprintf("%s %q is %s the ALB's request body limit of %d bytes: the ALB answers 413 without invoking the function (not read)", what, name, size, tooLarge.Limit))
	case errors.As(err, &tooLarge):
		return NewFinding(JSON005, pointer, fmt.Sprintf("%s %q: not read: %v", what, name, err))
	}
	return NewFinding(JSON007, pointer, fmt.Sprintf("%s %q cannot be read: %v", what, name, err))
}
