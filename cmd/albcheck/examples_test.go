package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// quoted is a single- or double-quoted stretch of a shell line.
var quoted = regexp.MustCompile(`'[^']*'|"(?:[^"\\]|\\.)*"`)

// Every example in --help runs as written in bash and zsh: a ? or & that
// is not quoted would be a glob (zsh: "no matches found") or send the
// command to the background (before: serve's curl examples did both).
func TestHelpExamplesAreShellSafe(t *testing.T) {
	root := newRootCmd(&streams{})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for line := range strings.Lines(c.Example) {
			bare := quoted.ReplaceAllString(line, "''")
			if i := strings.Index(bare, " #"); i >= 0 {
				bare = bare[:i] // a comment
			}
			bare = strings.ReplaceAll(bare, "&&", "")
			bare = strings.ReplaceAll(bare, "||", "")
			if strings.ContainsAny(bare, "?&*[") {
				t.Errorf("albcheck %s --help: an example needs quotes: %s", c.Name(), strings.TrimSpace(line))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
