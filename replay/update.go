package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/albcheck/albcheck/validate"
)

// Update records what the function answered into the expectations that did
// not hold, so that a suite can be recorded once and reviewed as a diff;
// afterwards the same answers pass. Each failing expectation is rewritten
// in the form closest to the one written:
//
//   - status: the code;
//   - a header: its value (a value that itself looks like /…/ becomes an
//     anchored pattern), or null when it is absent;
//   - body json: the body (with "subset", only the keys the expectation
//     had, with the answer's values);
//   - body file: the golden file is rewritten;
//   - body equals, contains or matches, or json when the answer is not
//     JSON: "equals" with the body, or, for a body that is not UTF-8 (and
//     so has no JSON string), a golden file next to the fixture.
//
// Only the values that change are replaced: the rest of the fixture file
// keeps its bytes, and a file whose expectations all hold is not written.
// maxDurationMs is never rewritten (timing is not an answer). Cases that did
// not reach the client (a failed invocation, the ALB's 502) and bare event
// files are left alone. Every write goes through the fixture root
// (LoadOptions.Root). Update returns the files it wrote.
func Update(outcomes []*Outcome) ([]string, error) {
	byFile := map[string][]*Outcome{}
	var order []string
	for _, o := range outcomes {
		f := o.Case.File
		if _, seen := byFile[f]; !seen {
			order = append(order, f)
		}
		byFile[f] = append(byFile[f], o)
	}
	var written []string
	var errs []error
	for _, file := range order {
		w, err := updateFile(file, byFile[file])
		written = append(written, w...)
		if err != nil {
			errs = append(errs, err) // the other files are still updated
		}
	}
	return written, errors.Join(errs...)
}

// updateFile records the outcomes of one fixture file's cases.
func updateFile(file string, outcomes []*Outcome) ([]string, error) {
	var written []string
	var edits []jsonEdit
	var files fixtureFiles
	for _, o := range outcomes {
		c := o.Case
		if c.spec == nil || c.Expect == nil || o.Response == nil || !o.reached || len(c.Problems) > 0 {
			continue
		}
		files = c.fileAccess()
		e, err := caseEdits(o)
		if err != nil {
			return written, fmt.Errorf("%s: %w", file, err)
		}
		for _, g := range e.golden {
			wrote, err := files.write(g.name, g.data)
			if err != nil {
				return written, fmt.Errorf("%s: golden file %s: %w", file, g.name, err)
			}
			if wrote {
				p, _ := files.path(g.name)
				written = append(written, filepath.Join(files.root, p))
			}
		}
		edits = append(edits, e.json...)
	}
	if len(edits) == 0 {
		return written, nil
	}
	// Edit the file as it is now: albtest records one case at a time.
	doc, err := files.read(nil, "", files.maxSize)
	if err != nil {
		return written, fmt.Errorf("%s: %w", file, err)
	}
	// A byte-order mark is kept as it was; the pointers start after it.
	body := trimBOM(doc)
	out, err := editJSON(body, edits)
	if err != nil {
		return written, fmt.Errorf("%s: %w", file, err)
	}
	out = append(doc[:len(doc)-len(body):len(doc)-len(body)], out...)
	wrote, err := files.write("", out)
	if err != nil {
		return written, fmt.Errorf("%s: %w", file, err)
	}
	if wrote {
		written = append(written, file)
	}
	return written, nil
}

type goldenWrite struct {
	name string
	data []byte
}

type updates struct {
	json   []jsonEdit
	golden []goldenWrite
}

// caseEdits works out what to rewrite so that this answer meets the case's
// expectations: the same tests as Check, so that what failed is what
// changes.
func caseEdits(o *Outcome) (updates, error) {
	var u updates
	c, e, resp := o.Case, o.Case.Expect, o.Response
	if len(e.Status) > 0 {
		if ok, _ := statusMatches(e.Status, resp.StatusCode); !ok {
			u.json = append(u.json, jsonEdit{c.pointer("/expect/status"), resp.StatusCode})
		}
	}
	for _, name := range sortedNames(e.Headers) {
		got := resp.Header.Values(name)
		if headerMismatch(name, e.Headers[name], got) == "" {
			continue
		}
		var v any // absent: null
		if len(got) > 0 {
			v = recordedHeader(got[0])
		}
		u.json = append(u.json, jsonEdit{c.pointer(headerPointer(name)), v})
	}
	b := e.Body
	if b == nil || bodyMismatch(b, o.Body, c.fileAccess()) == "" {
		return u, nil
	}
	switch {
	case b.File != "":
		u.golden = append(u.golden, goldenWrite{b.File, o.Body})
	case b.JSON != nil && json.Valid(o.Body):
		v := any(json.RawMessage(o.Body))
		if b.Subset {
			var want, got any
			if err := decodeNumbers(b.JSON, &want); err != nil {
				return u, err
			}
			if err := decodeNumbers(o.Body, &got); err != nil {
				return u, err
			}
			v = project(want, got)
		}
		u.json = append(u.json, jsonEdit{c.pointer("/expect/body/json"), v})
	case utf8.Valid(o.Body):
		u.json = append(u.json, jsonEdit{c.pointer("/expect/body"), map[string]string{"equals": string(o.Body)}})
	default:
		// JSON strings hold text only: bytes go to a golden file.
		name := strings.TrimSuffix(filepath.Base(c.File), filepath.Ext(c.File))
		if c.listFile {
			name += "-" + strconv.Itoa(c.Index)
		}
		// A new file: never one that is already there, which may be
		// anything of the user's.
		files := c.fileAccess()
		base := name
		name += ".golden"
		for i := 2; files.exists(name); i++ {
			name = base + "-" + strconv.Itoa(i) + ".golden"
		}
		u.golden = append(u.golden, goldenWrite{name, o.Body})
		u.json = append(u.json, jsonEdit{c.pointer("/expect/body"), map[string]string{"file": name}})
	}
	return u, nil
}

// recordedHeader is how a header value is written as an expectation: as
// it is, unless it would read as a /pattern/, which then matches exactly it.
func recordedHeader(v string) string {
	if _, isPattern := validate.HeaderPattern(v); isPattern {
		return "/^" + regexp.QuoteMeta(v) + "$/"
	}
	return v
}

// project keeps of got what a subset expectation (want) asks about: the
// keys of want's objects that got has, with got's values. The result is a
// subset of got, in the shape the fixture's author chose.
func project(want, got any) any {
	w, ok := want.(map[string]any)
	g, ok2 := got.(map[string]any)
	if !ok || !ok2 {
		return got
	}
	out := make(map[string]any, len(w))
	for k, wv := range w {
		if gv, ok := g[k]; ok {
			out[k] = project(wv, gv)
		}
	}
	return out
}

// decodeNumbers decodes JSON keeping numbers as written.
func decodeNumbers(doc []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	return dec.Decode(v)
}
