package render

import (
	"fmt"
	"io"
	"strings"
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
		_, err := fmt.Fprintf(t.w, "%s: %s %s\n", t.paint(ansiBold, r.Path), t.paint(ansiDim, "skipped:"), r.SkipReason)
		return err
	}
	where := t.paint(ansiBold, printable(r.Path))
	if r.Name != "" {
		where += " [" + printable(r.Name) + "]"
	}
	for _, f := range r.Findings {
		sev := t.paint(ansiYellow, string(f.Severity))
		if f.Severity == "error" {
			sev = t.paint(ansiRed, string(f.Severity))
		}
		pos := ""
		if f.Line > 0 {
			pos = fmt.Sprintf(":%d:%d", f.Line, f.Column)
		}
		msg := strings.ReplaceAll(printable(strings.ReplaceAll(f.Message, "\n", "\x00")), `\x00`, "\n    ")
		if _, err := fmt.Fprintf(t.w, "%s%s: %s %s %s: %s\n", where, pos, f.Rule, sev, printable(pointerText(f.Pointer)), msg); err != nil {
			return err
		}
	}
	if !r.OK && r.Logs != "" {
		fmt.Fprintf(t.w, "  %s\n", t.paint(ansiDim, "function output:"))
		for _, line := range strings.Split(strings.TrimRight(r.Logs, "\n"), "\n") {
			fmt.Fprintf(t.w, "    %s\n", printable(line))
		}
	}
	return nil
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

// printable escapes control characters, so that a key or value from a
// document can neither break the one-line-per-finding format nor send
// escape sequences to a terminal.
func printable(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
