package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/albcheck/albcheck/validate"
	"os"
	"strconv"
)

// Update rewrites fixtures from what the function answered, so that a suite
// can be recorded once and reviewed as a diff: golden body files, and the
// expectations a case already has (status, exact header values, body equals
// or json). Cases that failed to run, bare event files and expectations
// written as patterns are left alone. It returns the files it wrote.
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
	for _, file := range order {
		changed := false
		var specs []caseSpec
		list := false
		for _, o := range byFile[file] {
			c := o.Case
			if c.spec == nil || o.Response == nil {
				continue
			}
			list = c.listFile
			if e := c.spec.Expect; e != nil {
				if ok, _ := statusMatches(e.Status, o.Response.StatusCode); len(e.Status) > 0 && !ok {
					e.Status = json.RawMessage(strconv.Itoa(o.Response.StatusCode))
					changed = true
				}
				for name, want := range e.Headers {
					if want == nil {
						continue
					}
					if _, isPattern := validate.HeaderPattern(*want); isPattern {
						continue
					}
					if got := o.Response.Header.Get(name); got != *want {
						e.Headers[name] = &got
						changed = true
					}
				}
				if b := e.Body; b != nil {
					switch {
					case b.File != "":
						p, err := insidePath(dirOf(file), b.File)
						if err != nil {
							return written, fmt.Errorf("%s: golden file %s: %w", file, b.File, err)
						}
						if err := os.WriteFile(p, o.Body, 0o644); err != nil {
							return written, err
						}
						written = append(written, p)
					case b.Equals != nil && *b.Equals != string(o.Body):
						s := string(o.Body)
						b.Equals = &s
						changed = true
					case b.JSON != nil && !b.Subset && json.Valid(o.Body) && bodyMismatch(b, o.Body, dirOf(file)) != "":
						var buf bytes.Buffer
						_ = json.Compact(&buf, o.Body)
						b.JSON = buf.Bytes()
						changed = true
					}
				}
			}
		}
		if !changed {
			continue
		}
		// Every case of the file, updated or not (--run may have skipped some).
		all, err := Load(file, "")
		if err != nil {
			return written, err
		}
		for _, c := range all {
			if c.spec != nil {
				specs = append(specs, *c.spec)
			}
		}
		for _, o := range byFile[file] {
			if c := o.Case; c.spec != nil && c.Index < len(specs) {
				specs[c.Index] = *c.spec
			}
		}
		var v any = specs
		if !list && len(specs) == 1 {
			v = specs[0]
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return written, err
		}
		if err := os.WriteFile(file, append(b, '\n'), 0o644); err != nil {
			return written, err
		}
		written = append(written, file)
	}
	return written, nil
}
