package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/internal/testproc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzRuns bounds every fuzz test below: each hidden bug must be found in
// this many runs with seed 1, and the correct function must pass as many.
const fuzzRuns = "300"

// Each function under testdata/fuzzfn hides one classic ALB bug. albcheck
// fuzz must find it within fuzzRuns runs with a fixed seed, write the
// smallest event it found as a fixture, and albcheck replay must reproduce
// the failure from that fixture alone; the correct example function passes
// the same fixture.
func TestFuzzFindsHiddenBugs(t *testing.T) {
	orders := exampleFunction(t)
	for _, tc := range []struct {
		fn      string
		class   string // the failure class, its fixture's name
		rules   []string
		timeout string
		// maxEvent bounds the shrunk event's compact JSON, in bytes: an
		// event holds some 400 bytes the ALB adds, the hang needs a path
		// over 2048 bytes.
		maxEvent int
	}{
		{fn: "formpost", class: "RESP-004", rules: []string{"RESP-004"}, maxEvent: 700},
		{fn: "doubledecode", class: "RESP-009", rules: []string{"RESP-009"}, maxEvent: 700},
		{fn: "cookiepanic", class: "FUNC-ERROR", rules: []string{"FUNC-ERROR", "index out of range"}, maxEvent: 700},
		{fn: "singlemulti", class: "RESP-004", rules: []string{"RESP-006", `"headers" must be an object, got null`}, maxEvent: 700},
		{fn: "longpathhang", class: "FUNC-TIMEOUT", rules: []string{"FUNC-TIMEOUT"}, timeout: "300ms", maxEvent: 2700},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			bin := testproc.Build(t, "testdata/fuzzfn/"+tc.fn)
			out := t.TempDir()
			timeout := tc.timeout
			if timeout == "" {
				timeout = "3s"
			}
			code, stdout, stderr := runCLI(t, "", "fuzz", "--cmd", bin, "--runs", fuzzRuns, "--seed", "1", "--timeout", timeout, "--out", out)
			require.Equal(t, exitFindings, code, "%s\n%s", stdout, stderr)
			for _, r := range tc.rules {
				assert.Contains(t, stdout, r)
			}
			assert.Contains(t, stdout, "1 failure found", "one bug, one class")
			fixture := filepath.Join(out, strings.ToLower(tc.class)+".json")
			require.FileExists(t, fixture)

			// Shrunk: little beyond what the bug needs.
			doc, err := os.ReadFile(fixture)
			require.NoError(t, err)
			var fx struct {
				Event json.RawMessage `json:"event"`
			}
			require.NoError(t, json.Unmarshal(doc, &fx))
			var compact bytes.Buffer
			require.NoError(t, json.Compact(&compact, fx.Event))
			assert.LessOrEqual(t, compact.Len(), tc.maxEvent, "the shrunk event:\n%s", compact.String())

			// The fixture alone reproduces the failure under replay.
			code, stdout, stderr = runCLI(t, "", "replay", "--cmd", bin, "--timeout", timeout, fixture)
			assert.Equal(t, exitFindings, code, "%s\n%s", stdout, stderr)
			assert.Contains(t, stdout, tc.rules[0])
			assert.Contains(t, stdout, "0 passed, 1 failed")

			// The same event is fine for a correct function: the fixture
			// blames the function, not the input.
			code, stdout, stderr = runCLI(t, "", "replay", "--cmd", orders, fixture)
			assert.Equal(t, exitOK, code, "%s\n%s", stdout, stderr)
		})
	}
}

// A correct function gets no finding in the same number of runs, in both
// modes, with 5xx answers counted too; the JSON output has replay's shape
// plus the run count.
func TestFuzzCorrectFunctionPasses(t *testing.T) {
	bin := exampleFunction(t)
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, "", "fuzz", "--cmd", bin, "--runs", fuzzRuns, "--seed", "1", "--fail-on-5xx", "--out", out, "--format", "json")
	require.Equal(t, exitOK, code, "%s\n%s", stdout, stderr)
	var doc struct {
		Results []json.RawMessage `json:"results"`
		Summary struct {
			Passed, Failed, Runs int
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	assert.Empty(t, doc.Results)
	assert.Equal(t, 300, doc.Summary.Runs)
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries, "nothing found, nothing written")
}

// Seed fixtures are mutated; a folder with no usable fixture is a usage
// error, as are a bad mode and no handler.
func TestFuzzSeedsAndUsage(t *testing.T) {
	bin := exampleFunction(t)
	code, stdout, stderr := runCLI(t, "", "fuzz", "--cmd", bin, "--runs", "100", "--mode", "single", "../../fixtures")
	assert.Equal(t, exitOK, code, "%s\n%s", stdout, stderr)
	assert.Contains(t, stdout, "100 runs, 0 failures found")

	code, _, stderr = runCLI(t, "", "fuzz", "--cmd", bin, "--mode", "both-ways")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "unknown mode")
	code, _, _ = runCLI(t, "", "fuzz", "--runs", "5")
	assert.Equal(t, exitUsage, code)
	code, _, stderr = runCLI(t, "", "fuzz", "--cmd", bin, "--runs", "5", t.TempDir())
	assert.Equal(t, exitUsage, code, stderr)
}

// The mode decides what singlemulti's bug costs: nothing in multi mode, a
// 502 in single mode, here taken from the SAM template (--infra).
func TestFuzzModes(t *testing.T) {
	bin := testproc.Build(t, "testdata/fuzzfn/singlemulti")
	code, stdout, stderr := runCLI(t, "", "fuzz", "--cmd", bin, "--runs", "200", "--mode", "multi")
	assert.Equal(t, exitOK, code, "%s\n%s", stdout, stderr)

	code, stdout, stderr = runCLI(t, "", "fuzz", "--cmd", bin, "--runs", "200", "--infra", "../../examples/orders/template.yaml", "--format", "json")
	require.Equal(t, exitFindings, code, "%s\n%s", stdout, stderr)
	var doc struct {
		Results []struct {
			Mode string `json:"mode"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	require.Len(t, doc.Results, 1)
	assert.Equal(t, "single", doc.Results[0].Mode, "the template's target group has multi-value headers off")
}

// On a terminal, a run that lasts past a second shows "N/TOTAL done, F
// failed" on stderr.
func TestFuzzProgressOnATerminal(t *testing.T) {
	var out, errb bytes.Buffer
	s := &streams{in: strings.NewReader(""), out: &out, err: &errb, errTTY: true}
	code := run(context.Background(), []string{"fuzz", "--runs", "4", "--shell", "--exec", `cat >/dev/null; sleep 0.4; echo '{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}, "multiValueHeaders": {}}'`}, s)
	assert.Equal(t, exitOK, code, out.String()+errb.String())
	assert.Contains(t, errb.String(), "/4 done, 0 failed")
	assert.Contains(t, out.String(), "4 runs, 0 failures found")
}
