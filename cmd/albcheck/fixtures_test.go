//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// okFunction answers every event with 200 "ok" (--shell --exec).
var okFunction = []string{"--shell", "--exec", `printf '%s' '{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"content-type": "text/plain"}, "body": "ok"}'`}

func replayArgs(extra ...string) []string {
	return append(append([]string{"replay"}, okFunction...), extra...)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// runWithin runs a command line, failing the test instead of hanging when
// it does not finish.
func runWithin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLI(t, "", args...)
		done <- result{code, out, errOut}
	}()
	select {
	case r := <-done:
		return r.code, r.out, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("albcheck %s did not finish", strings.Join(args, " "))
		return 0, "", ""
	}
}

const okFixture = `{"name": "ok", "request": {"method": "GET", "target": "/"}, "expect": {"status": 200}}`

// A fixture folder may hold anything: a link to /dev/zero or a named pipe
// is refused by its type (JSON-007), without reading from it or waiting
// for a writer, and the other fixtures still run.
func TestFixtureFolderSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.json"), okFixture)
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o600))

	code, out, _ := runWithin(t, replayArgs("--max-size", "1000000", dir)...)
	assert.Equal(t, exitFindings, code, out)
	assert.Regexp(t, `pipe.json.*JSON-007 error \(root\): cannot read: .*not a regular file \(a named pipe\)`, out)
	assert.Regexp(t, `zero.json.*JSON-007 error \(root\): cannot read: .*leaves the fixture root`, out)
	assert.Contains(t, out, "1 passed, 2 failed")

	code, out, _ = runWithin(t, "validate", dir)
	assert.Equal(t, exitFindings, code, out)
	assert.Regexp(t, `pipe.json:1:1: JSON-007 error \(root\): cannot read: .*not a regular file \(a named pipe\)`, out)
	assert.Regexp(t, `zero.json:1:1: JSON-007 error \(root\): cannot read: .*not a regular file \(a character device\)`, out)
}

// replay has --max-size too, and says which flag raises the limit.
func TestReplayMaxSize(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ok.json"), okFixture)
	code, out, _ := runCLI(t, "", replayArgs("--max-size", "20", dir)...)
	assert.Equal(t, exitUsage, code, "no fixture could be read, as in validate: %s", out)
	assert.Contains(t, out, "JSON-005 error (root): not read: ")
	assert.Contains(t, out, "larger than the limit of 20 bytes (raise it with --max-size)")

	code, _, errOut := runCLI(t, "", replayArgs("--max-size", "0", dir)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--max-size must be positive")
}

// A bodyFile over the ALB's 1 MB request limit is refused by its size,
// without being read, by validate and replay alike: REQ-005 at the
// bodyFile.
func TestBodyFileOverTheRequestLimit(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "big.json"), `{"name": "big", "request": {"method": "PUT", "target": "/upload", "bodyFile": "big.bin"}}`)
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(64<<20)) // sparse: costs no disk
	require.NoError(t, f.Close())

	for _, args := range [][]string{{"validate", dir}, replayArgs(dir)} {
		code, out, _ := runCLI(t, "", args...)
		assert.Equal(t, exitFindings, code, out)
		assert.Contains(t, out, `REQ-005 error /request/bodyFile: bodyFile "big.bin" is 67108864 bytes, over the ALB's request body limit of 1048576 bytes`, args[0])
	}
}

// validate and replay agree on a bodyFile that links out of the fixture
// root (FIX-002 at the bodyFile), and on one that is missing (JSON-007).
func TestLinkedBodyFile(t *testing.T) {
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.bin"), "secret")
	dir := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.bin"), filepath.Join(dir, "body.bin")))
	writeFile(t, filepath.Join(dir, "linked.json"), `{"name": "linked", "request": {"method": "PUT", "target": "/upload", "bodyFile": "body.bin"}}`)
	writeFile(t, filepath.Join(dir, "missing.json"), `{"name": "missing", "request": {"method": "PUT", "target": "/upload", "bodyFile": "nowhere.bin"}}`)

	for _, args := range [][]string{{"validate", dir}, replayArgs(dir)} {
		code, out, _ := runCLI(t, "", args...)
		assert.Equal(t, exitFindings, code, out)
		assert.Contains(t, out, `FIX-002 error /request/bodyFile: bodyFile "body.bin" leaves the fixture root`, args[0])
		assert.Contains(t, out, `JSON-007 error /request/bodyFile: bodyFile "nowhere.bin" cannot be read`, args[0])
		assert.Contains(t, out, "0 passed, 2 failed", args[0])
	}
}

// The fixture root is the directory given on the command line (for a
// file given directly, its folder); names in a fixture are relative to the
// fixture file.
func TestFixtureRootIsTheArgument(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "shared", "body.bin"), "shared body")
	fixture := filepath.Join(dir, "cases", "upload.json")
	writeFile(t, fixture, `{"name": "upload", "request": {"method": "PUT", "target": "/upload", "bodyFile": "../shared/body.bin"}, "expect": {"status": 200}}`)

	for _, args := range [][]string{{"validate", dir}, replayArgs(dir)} {
		code, out, _ := runCLI(t, "", args...)
		assert.Equal(t, exitOK, code, "%s: %s", args[0], out)
	}
	for _, args := range [][]string{{"validate", fixture}, replayArgs(fixture)} {
		code, out, _ := runCLI(t, "", args...)
		assert.Equal(t, exitFindings, code, out)
		assert.Contains(t, out, `FIX-002 error /request/bodyFile: bodyFile "../shared/body.bin" leaves the fixture root`, args[0])
	}
}

// --update writes the function's reply only inside the fixture root: not
// through a linked directory, not through a dangling link.
func TestUpdateStaysInsideTheRoot(t *testing.T) {
	outside := t.TempDir()
	dir := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "out")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "new.golden"), filepath.Join(dir, "dangling.golden")))
	writeFile(t, filepath.Join(dir, "a.json"), `{"name": "a", "request": {"method": "GET", "target": "/"}, "expect": {"body": {"file": "out/a.golden"}}}`)
	writeFile(t, filepath.Join(dir, "b.json"), `{"name": "b", "request": {"method": "GET", "target": "/"}, "expect": {"body": {"file": "dangling.golden"}}}`)

	code, out, _ := runCLI(t, "", replayArgs("--update", dir)...)
	assert.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, `FIX-002 error /expect/body/file: golden file "out/a.golden" leaves the fixture root`)
	assert.Contains(t, out, `FIX-002 error /expect/body/file: golden file "dangling.golden" leaves the fixture root`)
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing written outside the root")

	code, out, _ = runCLI(t, "", "validate", dir)
	assert.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, `FIX-002 error /expect/body/file: golden file "out/a.golden" leaves the fixture root`)
}

// A run whose answers meet the fixtures writes nothing with --update: not
// the golden files, not the fixtures.
func TestReplayUpdateUnchangedAnswers(t *testing.T) {
	bin := exampleFunction(t)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS("../../fixtures")))
	before := map[string]time.Time{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			before[p] = info.ModTime()
		}
		return err
	}))
	time.Sleep(10 * time.Millisecond) // a rewrite would show in the times
	code, out, errOut := runCLI(t, "", "replay", "--cmd", bin, "--update", dir)
	assert.Equal(t, exitOK, code, out)
	assert.NotContains(t, errOut, "updated")
	for p, mod := range before {
		info, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, mod, info.ModTime(), "%s was rewritten", p)
	}
}

// validate refuses a golden file over the size replay reads by default, by
// its size, as replay does (before: validate passed it, replay refused it).
func TestGoldenOverTheSizeLimit(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "big.json"), `{"name": "big", "request": {"method": "GET", "target": "/"}, "expect": {"body": {"file": "big.golden"}}}`)
	f, err := os.Create(filepath.Join(dir, "big.golden"))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(17<<20)) // sparse: no 17 MB written
	require.NoError(t, f.Close())
	code, out, _ := runWithin(t, "validate", dir)
	assert.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "JSON-005 error /expect/body/file")
}
