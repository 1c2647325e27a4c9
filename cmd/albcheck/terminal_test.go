package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// File names that carry escape sequences and a line break reach neither
// the terminal raw nor forge a line, on stdout or on stderr.
func TestHostileFileNameIsQuoted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows file names cannot hold control characters")
	}
	dir := t.TempDir()
	forged := "x\x1b[2J\nfake.json:1:1: RESP-001 error (root): forged\u202e.json"
	require.NoError(t, os.WriteFile(filepath.Join(dir, forged), []byte("{bad"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "y\x1b]0;title\x07.json")))

	code, out, errOut := runCLI(t, "", "validate", dir)
	assert.Equal(t, exitFindings, code, errOut)
	for _, s := range []string{out, errOut} {
		assert.NotContains(t, s, "\x1b")
		assert.NotContains(t, s, "\x07")
		assert.NotContains(t, s, "\u202e")
		assert.NotContains(t, s, "\nfake.json")
	}
	out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
	errOut = strings.ReplaceAll(errOut, dir+string(filepath.Separator), "")
	assert.True(t, strings.HasPrefix(out, `x\x1b[2J\x0afake.json:1:1: RESP-001 error (root): forged\u202e.json:1:3: JSON-001 error (root): `), out)
	assert.Contains(t, out, "\n"+`y\x1b]0;title\x07.json:1:1: JSON-007 error (root): `)
	assert.Equal(t, 3, strings.Count(out, "\n"), "two findings and the summary:\n%s", out)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	assert.Contains(t, errOut, `albcheck: y\x1b]0;title\x07.json: JSON-007 error: `)
}

// An error message that holds a name the user gave (a --cmd path here) is
// printed with what a terminal would not show quoted: one line, no escape
// sequence.
func TestUsageErrorIsQuoted(t *testing.T) {
	code, _, errOut := runCLI(t, "", "replay", "--cmd", "/nonexistent\n\x1b[31mx.json:1:1: RESP-001 error", "../../fixtures")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	assert.NotContains(t, errOut, "\x1b")
}
