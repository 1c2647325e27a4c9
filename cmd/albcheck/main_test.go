package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"albcheck": func() { os.Exit(runWithSignals(os.Args[1:])) },
	})
}

// TestScripts runs the scenarios of testdata/script: each is a command line
// with its expected output and exit code. $REPO is the checkout's root, so
// scripts can use the shipped testdata and examples; $CONFORMANCE the corpus.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			env.Setenv("CONFORMANCE", filepath.Join(repo, "..", "shared", "conformance"))
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "conformance" {
				_, err := os.Stat(filepath.Join(repo, "..", "shared", "conformance"))
				return err == nil, nil
			}
			return false, nil
		},
	})
}

// runCLI runs a command line in-process with captured streams.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	s := &streams{in: strings.NewReader(stdin), out: &out, err: &errb}
	code = run(context.Background(), args, s)
	return code, out.String(), errb.String()
}

// A 200 MB file is refused by its size, without being read into memory.
func TestHugeFileIsRefusedWithoutReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(200<<20)) // sparse: costs no disk
	require.NoError(t, f.Close())
	ok := filepath.Join(t.TempDir(), "ok.json")
	require.NoError(t, os.WriteFile(ok, []byte(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}}`), 0o644))

	code, stdout, stderr := runCLI(t, "", "validate", path, ok)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, stdout, path+":1:1: JSON-005 error (root): not read: 209715200 bytes, larger than the limit of 16777216 bytes (raise it with --max-size)")
	assert.Contains(t, stdout, "1 passed, 1 failed")
	assert.Contains(t, stderr, path+": JSON-005 error")
}

// The same limit applies to standard input, which has no size to look at.
func TestStdinOverLimit(t *testing.T) {
	code, stdout, _ := runCLI(t, `{"statusCode": 200, "body": "`+strings.Repeat("x", 200)+`"}`, "validate", "--max-size", "100", "-")
	assert.Equal(t, exitUsage, code, "the only input could not be read")
	assert.Contains(t, stdout, "-:1:1: JSON-005 error (root): not read: larger than the limit of 100 bytes")
}

func TestColourOnlyWhenAsked(t *testing.T) {
	doc := `{"statusCode": 200, "body": null}`
	_, plain, _ := runCLI(t, doc, "validate", "-")
	assert.NotContains(t, plain, "\x1b[")
	_, coloured, _ := runCLI(t, doc, "validate", "--color", "always", "-")
	assert.Contains(t, coloured, "\x1b[31merror\x1b[0m")

	// On a terminal colour is on, unless NO_COLOR is set.
	var out bytes.Buffer
	s := &streams{in: strings.NewReader(doc), out: &out, err: &bytes.Buffer{}, outTTY: true}
	run(context.Background(), []string{"validate", "-"}, s)
	assert.Contains(t, out.String(), "\x1b[31m")
	out.Reset()
	s = &streams{in: strings.NewReader(doc), out: &out, err: &bytes.Buffer{}, outTTY: true, noColor: true}
	run(context.Background(), []string{"validate", "-"}, s)
	assert.NotContains(t, out.String(), "\x1b[")
}

// Results come out in input order whatever the number of workers.
func TestOrderIsStableUnderParallelism(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := range 300 {
		name := filepath.Join(dir, strings.Repeat("a", 1+i%7)+string(rune('a'+i%26))+"-"+strconv.Itoa(i)+".json")
		body := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}, "body": null}`
		require.NoError(t, os.WriteFile(name, []byte(body), 0o644))
		want = append(want, name)
	}
	_, one, _ := runCLI(t, "", "validate", "-j", "1", dir)
	_, many, _ := runCLI(t, "", "validate", "-j", "8", dir)
	assert.Equal(t, one, many)
	assert.Contains(t, many, "0 passed, 300 failed")
}

// --fail-fast stops after the first failure in input order, and a cancelled
// run (Ctrl-C) ends without waiting for the rest; neither hangs.
func TestStopsEarly(t *testing.T) {
	dir := t.TempDir()
	for i := range 500 {
		body := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}, "body": null}`
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%03d.json", i)), []byte(body), 0o644))
	}
	code, stdout, _ := runCLI(t, "", "validate", "--fail-fast", "-j", "4", dir)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, stdout, "0 passed, 1 failed")
	assert.Equal(t, 2, strings.Count(stdout, "\n"), "one finding and the summary:\n%s", stdout)

	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&signalError{sig: os.Interrupt})
	var out, errb bytes.Buffer
	code = run(ctx, []string{"validate", "-j", "4", dir}, &streams{in: strings.NewReader(""), out: &out, err: &errb})
	assert.Equal(t, 130, code)
	assert.Contains(t, errb.String(), "albcheck: interrupted by SIGINT")
	assert.Contains(t, out.String(), "passed, 0 failed", "the summary of what was done")
}

// Standard input that never ends (a pipe left open) does not hold an
// interrupted validate: it prints its summary and exits 143 for SIGTERM.
// Before, it could not be interrupted at all.
func TestValidateInterruptedOnOpenStdin(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"validate", "--format", "json", "-"}, &streams{in: pr, out: &out, err: &errb})
	}()
	cancel(&signalError{sig: syscall.SIGTERM})
	select {
	case code := <-done:
		assert.Equal(t, 143, code)
		var doc struct{ Summary map[string]any }
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc), "valid JSON: %s", out.String())
		assert.Equal(t, "SIGTERM", doc.Summary["interrupted"])
		assert.Contains(t, errb.String(), "interrupted by SIGTERM")
	case <-time.After(10 * time.Second):
		t.Fatal("validate did not stop on a signal while reading standard input")
	}
}

// JUnit output is well-formed XML whatever the findings hold (markup, NUL),
// and GitHub annotations escape what would end their properties early.
func TestCIFormatsEscape(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a,b:c.json")
	doc := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"X <&> \"q\"": "v\u0000"}}`
	require.NoError(t, os.WriteFile(name, []byte(doc), 0o644))

	code, out, _ := runCLI(t, "", "validate", "--format", "junit", name)
	assert.Equal(t, exitFindings, code)
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal([]byte(out), &suites), out)
	assert.Equal(t, 1, suites.Failures)
	c := suites.Suites[0].Cases[0]
	assert.Equal(t, name, c.Name)
	require.NotNil(t, c.Failure)
	assert.Equal(t, "RESP-009", c.Failure.Type)
	assert.Contains(t, c.Failure.Text, `/headers/X <&> "q"`)

	_, out, _ = runCLI(t, "", "validate", "--format", "github", name)
	assert.Contains(t, out, "::error file="+strings.ReplaceAll(strings.ReplaceAll(name, ",", "%2C"), ":", "%3A")+",line=1,col=")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		assert.NotContains(t, line, "\x00")
	}
}

// A curl command copied from a browser spans lines with backslashes.
func TestFromCurlMultiline(t *testing.T) {
	cmdline := "curl 'https://shop.example.com/cart?id=7' \\\n  -H 'accept: text/html' \\\r\n  -H 'cookie: sid=abc' \\\n  --compressed"
	code, out, errOut := runCLI(t, "", "fake", "--seed", "1", "--from-curl", cmdline)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"accept": "text/html"`)
	assert.Contains(t, out, `"cookie": "sid=abc"`)
	assert.Contains(t, out, `"id": "7"`)
	assert.Contains(t, out, `"host": "shop.example.com"`)
}

func TestFakeRefusesBodyOver1MB(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.bin")
	require.NoError(t, os.WriteFile(big, make([]byte, 1<<20+1), 0o644))
	code, out, errOut := runCLI(t, "", "fake", "PUT", "/upload", "--data-binary", "@"+big)
	assert.Equal(t, exitFindings, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "a real ALB answers 413 Request Entity Too Large without invoking the function: LambdaRequestTooLarge")

	ok := filepath.Join(t.TempDir(), "ok.bin")
	require.NoError(t, os.WriteFile(ok, make([]byte, 1<<20), 0o644))
	code, out, errOut = runCLI(t, "", "fake", "PUT", "/upload", "--data-binary", "@"+ok)
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, `"isBase64Encoded": true`)
}

// On a terminal, replay shows "N/TOTAL done, F failed" after the first
// second; nowhere else.
func TestReplayProgressOnATerminal(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.json", i)), []byte(`{"name": "slow", "request": {"method": "GET", "target": "/"}, "expect": {"status": 200}}`), 0o644))
	}
	var out, errb bytes.Buffer
	s := &streams{in: strings.NewReader(""), out: &out, err: &errb, errTTY: true}
	// A shell script that takes 0.6 s per fixture, so that the run lasts
	// past the first second and the progress line appears.
	code := run(context.Background(), []string{"replay", "--shell", "--exec", `sleep 0.6; echo '{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}}'`, dir}, s)
	assert.Equal(t, exitOK, code, out.String())
	assert.Contains(t, errb.String(), "/3 done, 0 failed")
	assert.Contains(t, out.String(), "3 passed, 0 failed")
}

// Output sent to /dev/null (a character device) is not for a person: no
// progress line, no colour. A pipe is not a terminal either.
func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	assert.False(t, isTerminal(null))
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(w))
}

// What comes through a pipe is a handler's answer: an object of no known
// kind on standard input is a response the ALB cannot use (before: skipped,
// exit 0), and keys in another case are recognised and named.
func TestValidateStdinIsAnAnswer(t *testing.T) {
	for _, doc := range []string{`{}`, `{"message":"hello"}`, `{"errorMessage":"boom","errorType":"Error"}`} {
		code, out, _ := runCLI(t, doc, "validate", "-")
		assert.Equal(t, exitFindings, code, doc)
		assert.Contains(t, out, `RESP-001 error /statusCode: missing "statusCode"`, doc)
	}
	code, out, _ := runCLI(t, `{"StatusCode":200,"Headers":{"Content-Type":"text/plain"},"Body":"x","IsBase64Encoded":false}`, "validate", "-")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, `"StatusCode" is not "statusCode": the ALB reads keys exactly as written`)
}

// -j 0 or less is a usage error (before: taken as 1 without a word).
func TestValidateWorkersMustBePositive(t *testing.T) {
	for _, j := range []string{"0", "-1"} {
		code, _, errOut := runCLI(t, "", "validate", "-j", j, "../../fixtures")
		assert.Equal(t, exitUsage, code, j)
		assert.Contains(t, errOut, "--workers must be at least 1", j)
	}
}
