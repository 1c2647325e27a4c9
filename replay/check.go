package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/validate"
	"github.com/pmezard/go-difflib/difflib"
)

// Outcome is what one case came to.
type Outcome struct {
	Case   *Case
	Result Result
	// Response is what the client got (nil when the case did not run).
	Response *http.Response
	// Body is Response's body.
	Body     []byte
	Findings []validate.Finding
	// reached is set when the function's reply reached the client (not
	// the ALB's own 502): only then are expectations checked or recorded.
	reached bool
}

// OK reports whether the case passed: no error finding (warnings fail only
// under strict).
func (o *Outcome) OK(strict bool) bool {
	for _, f := range o.Findings {
		if f.Severity == validate.Error || strict {
			return false
		}
	}
	return true
}

// Check judges a function's answer to a case: the ALB's rules on the
// response document, then the case's expectations on what the client gets.
func Check(c *Case, r Result) *Outcome {
	o := &Outcome{Case: c, Result: r}
	if len(c.Problems) > 0 {
		o.Findings = c.Problems
		return o
	}
	if r.Failure != nil {
		o.Findings = []validate.Finding{validate.NewFinding(r.Failure.Rule, "", r.Failure.Message)}
		return o
	}
	resp, rep := fakeevent.ClientResponse(c.Event, r.Payload)
	o.Response = resp
	o.Body, _ = io.ReadAll(resp.Body)
	o.Findings = append(o.Findings, rep.Findings...)
	// When the client got the ALB's 502, the reply's own content never
	// arrived: its expectations cannot be checked, nor recorded (Update).
	o.reached = rep.ClientStatus() == 0
	if c.Expect != nil && o.reached {
		o.Findings = append(o.Findings, checkExpect(c.Expect, resp, o.Body, r.Duration, c.fileAccess(), c.pointer(""))...)
	}
	return o
}

func (c *Case) pointer(p string) string {
	if c.listFile {
		return "/" + strconv.Itoa(c.Index) + p
	}
	return p
}

// CheckExpect checks an expectation against what the client got: the
// response, its body, and how long the invocation took. Golden files are
// read from dir; prefix is the expectation's place in its fixture (its
// pointers are prefix+"/expect/…").
func CheckExpect(e *Expect, resp *http.Response, body []byte, took time.Duration, dir, prefix string) []validate.Finding {
	return checkExpect(e, resp, body, took, dirFiles(dir), prefix)
}

// fileAccess is how the case reaches the files it names: a case made by
// hand rather than loaded has its file's folder as its root.
func (c *Case) fileAccess() fixtureFiles {
	if c.files.root == "" {
		f := dirFiles(filepath.Dir(c.File))
		f.name = filepath.Base(c.File)
		return f
	}
	return c.files
}

// dirFiles finds golden files in dir, which is their root too.
func dirFiles(dir string) fixtureFiles {
	return fixtureFiles{root: dir, name: ".", maxSize: inputs.DefaultMaxSize}
}

func checkExpect(e *Expect, resp *http.Response, body []byte, took time.Duration, files fixtureFiles, prefix string) []validate.Finding {
	var out []validate.Finding
	add := func(rule validate.RuleID, p, msg string) {
		out = append(out, validate.NewFinding(rule, prefix+p, msg))
	}
	if len(e.Status) > 0 {
		if ok, want := statusMatches(e.Status, resp.StatusCode); !ok {
			add(validate.EXPECTSTATUS, "/expect/status", fmt.Sprintf("status %d, want %s", resp.StatusCode, want))
		}
	}
	for _, name := range sortedNames(e.Headers) {
		if msg := headerMismatch(name, e.Headers[name], resp.Header.Values(name)); msg != "" {
			add(validate.EXPECTHEADER, headerPointer(name), msg)
		}
	}
	if b := e.Body; b != nil {
		if msg := bodyMismatch(b, body, files); msg != "" {
			add(validate.EXPECTBODY, "/expect/body", msg)
		}
	}
	if ms := float64(took.Microseconds()) / 1000; e.MaxDurationMs > 0 && ms > e.MaxDurationMs {
		add(validate.EXPECTDURATION, "/expect/maxDurationMs", fmt.Sprintf("took %.1f ms, want at most %g ms", ms, e.MaxDurationMs))
	}
	return out
}

// headerPointer is the place of a header's expectation in its case.
func headerPointer(name string) string {
	return "/expect/headers/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

// headerMismatch says how the values a header has (got) miss what is
// expected of it (want: nil for absent, /regex/, or a value one of them
// equals); "" when they do not.
func headerMismatch(name string, want *string, got []string) string {
	present := len(got) > 0
	switch {
	case want == nil && present:
		return fmt.Sprintf("%s is %q, want it absent", name, strings.Join(got, ", "))
	case want == nil:
	case !present:
		return fmt.Sprintf("%s is absent, want %q", name, *want)
	default:
		if re, ok := validate.HeaderPattern(*want); ok {
			rx, err := regexp.Compile(re)
			if err != nil || !anyMatch(rx, got) {
				return fmt.Sprintf("%s is %q, want a match for /%s/", name, strings.Join(got, ", "), re)
			}
		} else if !contains(got, *want) {
			return fmt.Sprintf("%s is %q, want %q", name, strings.Join(got, ", "), *want)
		}
	}
	return ""
}

func bodyMismatch(b *BodyExpect, body []byte, files fixtureFiles) string {
	switch {
	case b.Equals != nil:
		if string(body) != *b.Equals {
			return "the body differs:\n" + diff(*b.Equals, string(body))
		}
	case b.Contains != nil:
		if !bytes.Contains(body, []byte(*b.Contains)) {
			return fmt.Sprintf("the body does not contain %q; it is %s", *b.Contains, preview(body))
		}
	case b.Matches != nil:
		rx, err := regexp.Compile(*b.Matches)
		if err != nil || !rx.Match(body) {
			return fmt.Sprintf("the body does not match /%s/; it is %s", *b.Matches, preview(body))
		}
	case b.JSON != nil:
		var want, got any
		if err := json.Unmarshal(b.JSON, &want); err != nil {
			return "expect.body.json: " + err.Error()
		}
		if err := json.Unmarshal(body, &got); err != nil {
			return fmt.Sprintf("the body is not JSON (%v); it is %s", err, preview(body))
		}
		if (b.Subset && !isSubset(want, got)) || (!b.Subset && !reflect.DeepEqual(want, got)) {
			w, _ := json.MarshalIndent(want, "", "  ")
			g, _ := json.MarshalIndent(got, "", "  ")
			what := "equal"
			if b.Subset {
				what = "contain"
			}
			return fmt.Sprintf("the JSON body does not %s the expected value:\n%s", what, diff(string(w), string(g)))
		}
	case b.File != "":
		want, err := files.read(nil, b.File, files.maxSize)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("golden file %s: %v (albcheck replay --update, or ALBTEST_UPDATE=1 go test, writes it)", b.File, err)
		}
		if err != nil {
			return fmt.Sprintf("golden file %s: %v", b.File, err)
		}
		if !bytes.Equal(want, body) {
			return fmt.Sprintf("the body differs from %s (albcheck replay --update, or ALBTEST_UPDATE=1 go test, rewrites it):\n%s", b.File, bodyDiff(want, body))
		}
	}
	return ""
}

// statusMatches checks a status against a code, a list of codes or a class.
func statusMatches(raw json.RawMessage, got int) (bool, string) {
	var code int
	if json.Unmarshal(raw, &code) == nil {
		return code == got, strconv.Itoa(code)
	}
	var codes []int
	if json.Unmarshal(raw, &codes) == nil {
		for _, c := range codes {
			if c == got {
				return true, ""
			}
		}
		return false, fmt.Sprint(codes)
	}
	var class string
	if json.Unmarshal(raw, &class) == nil && len(class) == 3 {
		return strconv.Itoa(got)[0] == class[0], class
	}
	return false, string(raw)
}

// isSubset reports whether got has everything want has: objects may have
// more keys, at any depth; arrays and scalars must be equal.
func isSubset(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !isSubset(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !isSubset(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

func diff(want, got string) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got),
		FromFile: "want", ToFile: "got", Context: 2,
	})
	return d
}

func preview(b []byte) string {
	if len(b) > 200 {
		return strconv.Quote(string(b[:200])) + "…"
	}
	return strconv.Quote(string(b))
}

func anyMatch(rx *regexp.Regexp, values []string) bool {
	for _, v := range values {
		if rx.MatchString(v) {
			return true
		}
	}
	return false
}

func contains(values []string, s string) bool {
	for _, v := range values {
		if v == s {
			return true
		}
	}
	return false
}
