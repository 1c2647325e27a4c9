package main

import (
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/albcheck/albcheck/schema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"os"
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
			if strings.ContainsAny(bare, "?&") {
				t.Errorf("albcheck %s --help: an example needs quotes: %s", c.Name(), strings.TrimSpace(line))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// The README's shell blocks too.
func TestReadmeCommandsAreShellSafe(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip(err)
	}
	in := false
	for line := range strings.Lines(string(b)) {
		switch {
		case strings.HasPrefix(line, "```sh"), strings.HasPrefix(line, "```bash"):
			in = true
			continue
		case strings.HasPrefix(line, "```"):
			in = false
			continue
		}
		if !in || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		bare := quoted.ReplaceAllString(line, "''")
		if i := strings.Index(bare, " #"); i >= 0 {
			bare = bare[:i]
		}
		bare = strings.ReplaceAll(strings.ReplaceAll(bare, "&&", ""), "||", "")
		if strings.ContainsAny(bare, "?&") {
			t.Errorf("README: a command needs quotes: %s", strings.TrimSpace(line))
		}
	}
}

// schema --write writes every schema under its file name, each with its
// stable $id, and the formats beside them.
func TestSchemaWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "schemas")
	code, out, errOut := runCLI(t, "", "schema", "--write", dir)
	require.Equal(t, 0, code, errOut)
	for _, name := range append(slices.Clone(schema.Names), "formats.json") {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Contains(t, out, filepath.Join(dir, name))
		if name != "formats.json" {
			assert.Contains(t, string(b), `"$id": "`+schema.BaseURL+name+`"`)
		}
	}
	code, _, errOut = runCLI(t, "", "schema", "--write", dir, "request")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--write writes every schema")
}

// --version says the module version of an installed build and, for a build
// from a checkout, (devel) and the commit (before: "(devel)" alone).
func TestVersionFrom(t *testing.T) {
	assert.Equal(t, "(devel)", versionFrom(nil))
	assert.Equal(t, "v1.2.3", versionFrom(&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}))
	assert.Equal(t, "(devel) 1f4e4e3a9b2c (modified)", versionFrom(&debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "1f4e4e3a9b2c4d5e6f"}, {Key: "vcs.modified", Value: "true"}}}))
}
