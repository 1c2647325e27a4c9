// Package render formats validation results for people and for CI: text for
// a terminal, JSON for scripts, JUnit XML for CI test reports, and GitHub
// workflow annotations. The JSON format is shared by every albcheck command
// that checks documents.
package render

import (
	"fmt"
	"io"

	"github.com/albcheck/albcheck/validate"
)

// Result is what one input came to.
type Result struct {
	// Path names the input as the user gave it ("-" for stdin).
	Path string
	// Name is the fixture case's name (replay), empty for a plain document.
	Name string
	// Logs is what the function printed, shown when the case fails.
	Logs string
	// Answer is the function's answer, shown when the case fails because
	// it is not a response document (replay).
	Answer string
	// Client says what the client gets from the ALB when the case fails,
	// such as "502 LambdaInvalidResponse" (replay).
	Client string
	// Line and Column locate the case in Path (replay): findings without a
	// position of their own are reported there.
	Line, Column int
	Kind         validate.Kind
	Mode         validate.Mode
	// OK is true when the input passes.
	OK         bool
	Skipped    bool
	SkipReason string
	Findings   []validate.Finding
}

// Summary counts results.
type Summary struct {
	Passed, Failed, Skipped int
	// Interrupted names the signal that stopped the run before every input
	// had a result (SIGINT, SIGTERM); empty for a whole run. Machine
	// formats say it, so that a partial report never reads as a green one.
	Interrupted string
	// Stopped says why a run stopped early on its own (--fail-fast); empty
	// for a whole run.
	Stopped string
	// Runs is how many generated events a fuzz run sent (albcheck fuzz):
	// its results are then the failures found, one per kind.
	Runs int
}

// Count adds a result to the summary.
func (s *Summary) Count(r Result) {
	switch {
	case r.Skipped:
		s.Skipped++
	case r.OK:
		s.Passed++
	default:
		s.Failed++
	}
}

// Line is the closing line of text output: "N passed, N failed" plus
// ", N skipped" when some were.
func (s Summary) Line() string {
	l := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
	if s.Runs > 0 {
		l = fmt.Sprintf("%d runs, %d failures found", s.Runs, s.Failed)
		if s.Failed == 1 {
			l = fmt.Sprintf("%d runs, 1 failure found", s.Runs)
		}
	}
	if s.Skipped > 0 {
		l += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	// A partial run must not read as a whole one on stdout either.
	switch {
	case s.Interrupted != "":
		l += fmt.Sprintf(" (interrupted by %s: the inputs after these were not checked)", s.Interrupted)
	case s.Stopped != "":
		l += fmt.Sprintf(" (stopped by %s: inputs after these, if any, were not checked)", s.Stopped)
	}
	return l
}

// Renderer writes results as they come, in order, and closes with the summary.
type Renderer interface {
	Result(Result) error
	Finish(Summary) error
}

// Options tune text output.
type Options struct {
	// Color adds ANSI colours (only for a terminal; the caller decides).
	Color bool
	// Quiet prints failing inputs only.
	Quiet bool
}

// Formats lists the output formats New accepts.
var Formats = []string{"text", "json", "junit", "github"}

// New returns a renderer for a format.
func New(format string, w io.Writer, o Options) (Renderer, error) {
	switch format {
	case "text", "":
		return &textRenderer{w: w, o: o}, nil
	case "json":
		return &jsonRenderer{w: w}, nil
	case "junit":
		return &junitRenderer{w: w}, nil
	case "github":
		return &githubRenderer{w: w, o: o}, nil
	}
	return nil, fmt.Errorf("unknown format %q (want text, json, junit or github)", format)
}

func pointerText(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}
