package render

import (
	"fmt"
	"io"
	"strings"
)

// githubRenderer prints GitHub Actions workflow commands, which the runner
// turns into annotations on the file and line.
type githubRenderer struct {
	w io.Writer
	o Options
}

var (
	ghData     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func (g *githubRenderer) Result(r Result) error {
	if r.Skipped || (g.o.Quiet && r.OK) {
		return nil
	}
	for _, f := range r.Findings {
		level := "warning"
		if f.Severity == "error" {
			level = "error"
		}
		line, col := f.Line, f.Column
		if line == 0 {
			line, col = r.Line, r.Column
		}
		// The runner prints the message in the log, where escape
		// sequences act: quote them; line breaks are the runner's %0A.
		msg := pointerText(f.Pointer) + ": " + f.Message
		if r.Name != "" {
			msg = "[" + r.Name + "] " + msg
		}
		_, err := fmt.Fprintf(g.w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
			ghProperty.Replace(printable(r.Path)), max(line, 1), max(col, 1), ghProperty.Replace(string(f.Rule)),
			ghData.Replace(strings.Join(printableLines(msg), "\n")))
		if err != nil {
			return err
		}
	}
	return nil
}

func (g *githubRenderer) Finish(s Summary) error {
	_, err := fmt.Fprintln(g.w, s.Line())
	return err
}
