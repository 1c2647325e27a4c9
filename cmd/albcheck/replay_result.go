package main

import (
	"cmp"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/internal/inputs"
	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
)

// fixtureLocator finds places in fixture files. Cases arrive file by file,
// so it keeps the last file it scanned: a file with a thousand failing cases
// is read and scanned once.
type fixtureLocator struct {
	maxSize int64 // --max-size: the file is read again, under the same bounds
	path    string
	loc     *validate.Locator
}

func (fl *fixtureLocator) locator(path string) *validate.Locator {
	if fl.loc == nil || fl.path != path {
		// The fixture was read a moment ago to load the case; reading it
		// again for a failing case keeps Case free of its bytes.
		// inputs.ReadFile reads only a regular file, at most maxSize: the
		// file may be the named pipe or device that failed the case.
		doc, err := inputs.ReadFile(path, fl.maxSize)
		if err != nil {
			doc = nil
		}
		fl.path, fl.loc = path, validate.NewLocator(doc)
	}
	return fl.loc
}

// replayResult turns a case's outcome into a result for the renderers. A
// failing case is located in its fixture file: expectations at their own
// place, findings about the function's answer at the case. Positions inside
// the answer (a JSON-001 about it) are said to be in the answer, and the
// answer is shown with them; the result says what the client gets.
func replayResult(oc *replay.Outcome, ok bool, fl *fixtureLocator) render.Result {
	c := oc.Case
	res := render.Result{Path: c.File, Name: c.Name, Kind: validate.KindFixture, Mode: validate.Mode(c.Mode), OK: ok, Findings: oc.Findings}
	if ok {
		return res
	}
	res.Logs = string(oc.Result.Logs)
	loc := fl.locator(c.File)
	// A file with a list of cases has an array at its root; Locate falls
	// back to the root for a file with one case, where "/0" is no member.
	res.Line, res.Column = loc.Locate("/" + strconv.Itoa(c.Index))
	if len(c.Problems) > 0 {
		return res // findings about the fixture itself, with their positions
	}
	res.Findings = slices.Clone(oc.Findings)
	answerOrder(res.Findings, oc.Result.Payload)
	for i, f := range res.Findings {
		rule, _ := validate.LookupRule(f.Rule)
		switch {
		case rule.AppliesTo == validate.KindReplay && f.Pointer != "":
			// An expectation: its pointer is in the fixture.
			f.Line, f.Column = loc.Locate(f.Pointer)
		case rule.AppliesTo == validate.KindResponse || rule.AppliesTo == validate.KindAny:
			// About the function's answer: a position in it is not one in
			// the fixture, so the finding is shown at the case.
			if f.Line > 0 {
				f.Message += fmt.Sprintf(" (at line %d, column %d of the function's answer, not of the fixture)", f.Line, f.Column)
				f.Line, f.Column = 0, 0
			}
			if rule.AppliesTo == validate.KindAny && f.Severity == validate.Error {
				// Not a JSON object at all: the answer itself says most.
				res.Answer = string(oc.Result.Payload)
			}
		}
		res.Findings[i] = f
	}
	res.Client = clientGets(oc)
	return res
}

// answerOrder puts the findings about the function's answer in the order
// of the answer itself, as the function wrote it: for a Go handler,
// statusCode comes first, and a forgotten status explains the findings
// after it. Findings elsewhere keep their place relative to each other.
func answerOrder(fs []validate.Finding, answer []byte) {
	type at struct{ line, column int }
	pos := map[string]at{}
	var loc *validate.Locator
	for _, f := range fs {
		if rule, _ := validate.LookupRule(f.Rule); rule.AppliesTo == validate.KindResponse {
			if loc == nil {
				loc = validate.NewLocator(answer)
			}
			l, c := loc.Locate(f.Pointer)
			pos[f.Pointer] = at{l, c}
		}
	}
	if len(pos) < 2 {
		return
	}
	slices.SortStableFunc(fs, func(a, b validate.Finding) int {
		pa, okA := pos[a.Pointer]
		pb, okB := pos[b.Pointer]
		if !okA || !okB {
			return 0
		}
		return cmp.Or(cmp.Compare(pa.line, pb.line), cmp.Compare(pa.column, pb.column))
	})
}

// lambdaReason finds the access-log error reason that a rule's outcome
// names, such as LambdaInvalidResponse.
var lambdaReason = regexp.MustCompile(`\b(Lambda[A-Z][A-Za-z]+)\b`)

// clientGets says what the client gets: the ALB's own status and its reason
// when the ALB answers instead of the function, else the function's status.
func clientGets(oc *replay.Outcome) string {
	for _, f := range oc.Findings {
		rule, ok := validate.LookupRule(f.Rule)
		if !ok || rule.Status == 0 || f.Severity != validate.Error {
			continue
		}
		s := strconv.Itoa(rule.Status)
		switch m := lambdaReason.FindStringSubmatch(rule.Outcome); {
		case rule.AppliesTo == validate.KindAny:
			// An answer that is not a JSON document at all is a malformed
			// response to the ALB: LambdaInvalidResponse (ELB guide, access
			// log error reasons; ../shared/spec/alb-contract.md [S3]).
			s += " LambdaInvalidResponse"
		case m != nil:
			s += " " + m[1]
		}
		return s
	}
	if oc.Response != nil {
		return strings.TrimSpace(fmt.Sprintf("%d %s", oc.Response.StatusCode, http.StatusText(oc.Response.StatusCode)))
	}
	return ""
}
