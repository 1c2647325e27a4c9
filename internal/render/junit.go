package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters):
// one test case per input, a failure element listing its findings.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

type junitRenderer struct {
	w     io.Writer
	cases []junitCase
}

func (j *junitRenderer) Result(r Result) error {
	// XML 1.0 cannot hold most control characters: xmlText quotes them,
	// where encoding/xml would replace them with U+FFFD.
	c := junitCase{Name: xmlText(r.Path), Classname: "albcheck." + string(r.Kind)}
	if r.Name != "" {
		c.Name = xmlText(r.Path + " " + r.Name)
	}
	var text strings.Builder
	for _, f := range r.Findings {
		line, col := f.Line, f.Column
		if line == 0 {
			line, col = r.Line, r.Column
		}
		fmt.Fprintf(&text, "%s:%d:%d: %s %s %s: %s\n", r.Path, max(line, 1), max(col, 1), f.Rule, f.Severity, pointerText(f.Pointer), f.Message)
	}
	switch {
	case r.Skipped:
		c.Skipped = &junitMessage{Message: xmlText(r.SkipReason)}
	case !r.OK:
		first := r.Findings[0]
		for _, f := range r.Findings {
			if f.Severity == "error" {
				first = f
				break
			}
		}
		c.Failure = &junitMessage{
			Message: xmlText(fmt.Sprintf("%d finding(s); first: %s %s", len(r.Findings), first.Rule, first.Message)),
			Type:    string(first.Rule),
			Text:    xmlText(text.String()),
		}
	default:
		c.SystemOut = xmlText(text.String()) // warnings of a passing input
	}
	if !r.OK && r.Logs != "" {
		c.SystemOut = xmlText(r.Logs)
	}
	j.cases = append(j.cases, c)
	return nil
}

func (j *junitRenderer) Finish(s Summary) error {
	total := s.Passed + s.Failed + s.Skipped
	errs := 0
	if s.Interrupted != "" {
		// The run did not finish: one errored case says so, so that a CI
		// that reads only the report does not take it for a pass.
		total++
		errs = 1
		j.cases = append(j.cases, junitCase{Name: "albcheck run", Classname: "albcheck", Error: &junitMessage{Message: "interrupted by " + s.Interrupted + ": the inputs after the last result here were not checked"}})
	}
	suite := junitSuite{Name: "albcheck", Tests: total, Failures: s.Failed, Errors: errs, Skipped: s.Skipped, Cases: j.cases}
	doc := junitSuites{Name: "albcheck", Tests: total, Failures: s.Failed, Errors: errs, Skipped: s.Skipped, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(j.w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(j.w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, "\n")
	return err
}
