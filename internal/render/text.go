package render

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/albcheck/albcheck/validate"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
)

// textRenderer prints one line per finding,
// "file:line:col: RULE-ID severity pointer: message", and a closing line.
type textRenderer struct {
	w io.Writer
	o Options
}

func (t *textRenderer) paint(code, s string) string {
	if !t.o.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *textRenderer) Result(r Result) error {
	if t.o.Quiet && (r.OK || r.Skipped) {
		return nil
	}
	if r.Skipped {
		_, err := fmt.Fprintf(t.w, "%s: %s %s\n", t.paint(ansiBold, printable(r.Path)), t.paint(ansiDim, "skipped:"), printable(r.SkipReason))
		return err
	}
	for _, f := range errorsFirst(r.Findings) {
		sev := t.paint(ansiYellow, string(f.Severity))
		if f.Severity == "error" {
			sev = t.paint(ansiRed, string(f.Severity))
		}
		// file:line:col first, as compilers print it, so that editors and
		// terminals can jump there; a fixture case's name comes after.
		line, col := f.Line, f.Column
		if line == 0 {
			line, col = r.Line, r.Column
		}
		where := t.paint(ansiBold, printable(r.Path))
		if line > 0 {
			where += fmt.Sprintf(":%d:%d", line, col)
		}
		where += ":"
		if r.Name != "" {
			where += " [" + printable(r.Name) + "]"
		}
		msg := strings.Join(printableLines(strings.TrimRight(f.Message, "\n")), "\n    ")
		if _, err := fmt.Fprintf(t.w, "%s %s %s %s: %s\n", where, f.Rule, sev, printable(pointerText(f.Pointer)), msg); err != nil {
			return err
		}
	}
	if r.OK {
		return nil
	}
	if r.Client != "" {
		fmt.Fprintf(t.w, "  → the client gets %s\n", printable(r.Client))
	}
	t.block("the function's answer:", r.Answer, maxAnswerBytes)
	t.block("function output:", r.Logs, 0)
	return nil
}

// maxAnswerBytes bounds the function's answer shown under a failing case:
// enough to recognise it; an answer can be megabytes on one line.
const maxAnswerBytes = 2048

// block prints a titled, indented text the function wrote (its output, its
// answer), tabs kept, cut after limit bytes when limit > 0.
func (t *textRenderer) block(title, text string, limit int) {
	if text == "" {
		return
	}
	more := 0
	if limit > 0 && len(text) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text, more = text[:cut], len(text)-cut
	}
	fmt.Fprintf(t.w, "  %s\n", t.paint(ansiDim, title))
	for _, line := range printableOutputLines(strings.TrimRight(text, "\n")) {
		fmt.Fprintf(t.w, "    %s\n", line)
	}
	if more > 0 {
		fmt.Fprintf(t.w, "    %s\n", t.paint(ansiDim, fmt.Sprintf("… %d more bytes", more)))
	}
}

// errorsFirst orders errors before warnings, each in its given order: the
// finding that explains a failure leads, its consequences follow.
func errorsFirst(fs []validate.Finding) []validate.Finding {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b validate.Finding) int {
		return cmp.Compare(severityRank(a.Severity), severityRank(b.Severity))
	})
	return out
}

func severityRank(s validate.Severity) int {
	if s == validate.Error {
		return 0
	}
	return 1
}

func (t *textRenderer) Finish(s Summary) error {
	line := s.Line()
	if t.o.Color {
		code := ansiGreen
		if s.Failed > 0 {
			code = ansiRed
		}
		line = t.paint(code, line)
	}
	_, err := fmt.Fprintln(t.w, line)
	return err
}
