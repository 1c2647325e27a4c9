package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShellWords(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string
	}{
		{"plain", `curl -X POST /x`, []string{"curl", "-X", "POST", "/x"}},
		{"single quotes keep everything", `a 'b "c" \n $d'`, []string{"a", `b "c" \n $d`}},
		{"double quotes escape four characters", `"a \"b\" \$c \\ \n"`, []string{`a "b" $c \ \n`}},
		{"adjacent quotes make one word", `'a'"b"c$'d'`, []string{"abcd"}},
		{"ansi-c escapes", `$'\'\"\\\n\t\r\a\b\e\E\f\v\?'`, []string{"'\"\\\n\t\r\a\b\x1b\x1b\f\v?"}},
		{"ansi-c numbers", `$'\x41\x4a\101\0\u00e9\U0001F600\x'`, []string{"AJA\x00é😀\\x"}},
		{"ansi-c control", `$'\cA\cz'`, []string{"\x01\x1a"}},
		{"unknown escape kept", `$'\q'`, []string{`\q`}},
		{"continuations", "curl 'https://x/' \\\n  -H 'a: b' \\\r\n  --compressed", []string{"curl", "https://x/", "-H", "a: b", "--compressed"}},
		{"backslash outside quotes", `a\ b \'c`, []string{"a b", "'c"}},
		{"empty quotes are a word", `'' ""`, []string{"", ""}},
		{"a dollar alone is literal", `$HOME $`, []string{"$HOME", "$"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shellWords(tt.line)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{`'a`, `"a`, `$'a`, `$'\'`, `$'\U00110000'`} {
		_, err := shellWords(bad)
		assert.Error(t, err, bad)
	}
}

// endless is standard input that never ends, like /dev/zero.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func runFakeWith(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"fake"}, args...), &streams{in: stdin, out: &out, err: &errb})
	return code, out.String(), errb.String()
}

// A body over the ALB's 1 MB limit is the ALB's 413, whatever its source,
// and never read whole: a file by its size, standard input one byte past
// the limit.
func TestFakeBodyOverLimitIsRefusedWithoutReadingIt(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.bin")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(8<<30)) // sparse: 8 GB costs no disk
	require.NoError(t, f.Close())

	for _, args := range [][]string{
		{"/up", "--data-binary", "@" + huge},
		{"/up", "--json", "@" + huge},
		{"/up", "-F", "file=@" + huge},
	} {
		code, out, errOut := runFakeWith(t, nil, args...)
		assert.Equal(t, exitFindings, code, args)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "answers 413 Request Entity Too Large without invoking the function: LambdaRequestTooLarge: the body in "+huge+" is 8589934592 bytes, over the limit of 1048576 bytes")
	}

	in := &endless{}
	code, out, errOut := runFakeWith(t, in, "/up", "--data-binary", "@-")
	assert.Equal(t, exitFindings, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "LambdaRequestTooLarge: the body in standard input is over the limit of 1048576 bytes")
	assert.LessOrEqual(t, in.read, int64(2<<20), "read past the limit")

	in = &endless{}
	code, _, errOut = runFakeWith(t, in, "/up", "-d", "@-")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "413")
}

// curl -d strips newlines: a file over 1 MB with them may fit without.
func TestFakeDataFileLimitCountsWhatIsSent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "form.txt")
	line := strings.Repeat("a", 1023) + "\n"
	require.NoError(t, os.WriteFile(path, []byte(strings.Repeat(line, 1024)), 0o644)) // 1 MB with newlines, 1023 KB without
	code, out, errOut := runFakeWith(t, nil, "/up", "-d", "@"+path, "--seed", "1")
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"isBase64Encoded": true`)
}

// Only regular files and standard input: a device would never end, a FIFO
// would block on opening, a directory is a mistake.
func TestFakeBodyMustBeARegularFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	for _, path := range []string{"/dev/zero", dir} {
		code, out, errOut := runFakeWith(t, nil, "/up", "--data-binary", "@"+path)
		assert.Equal(t, exitUsage, code, path)
		assert.Empty(t, out)
		assert.Contains(t, errOut, "read body: "+path+" is not a regular file (give a file, or @- for standard input)")
	}
}

// Standard input is read once, however many events are written.
func TestFakeStdinBodyIsReadOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "events")
	code, _, errOut := runFakeWith(t, strings.NewReader("a=1"), "/up", "-d", "@-", "-n", "3", "-o", dir, "--seed", "1")
	require.Equal(t, 0, code, errOut)
	for _, name := range []string{"event-0001.json", "event-0003.json"} {
		doc, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Contains(t, string(doc), `"body": "YT0x"`, name)
	}
}

// Any line splits without panicking, and any bytes quoted with $'\xHH'
// come back as they were.
func FuzzShellWords(f *testing.F) {
	for _, s := range []string{`curl 'a' "b" $'c\'d'`, `$'\`, `$'\u'`, `"\`, "a\\\r\n", `$'\x'`, `$'\U0010ffff'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = shellWords(s)
		var q strings.Builder
		q.WriteString("$'")
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&q, `\x%02x`, s[i])
		}
		q.WriteString("'")
		words, err := shellWords(q.String())
		require.NoError(t, err)
		require.Equal(t, []string{s}, words)
	})
}
