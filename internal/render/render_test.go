package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/albcheck/albcheck/validate"
)

// hostile is a result whose every string tries to break the output: a file
// name that injects a fake finding line, escape sequences (ESC, the C1 CSI
// U+009B), a NUL, a carriage return that rewrites the line, a bidi override,
// invalid UTF-8, and a message that spells "\x00" itself.
func hostile() Result {
	return Result{
		Path: "evil\nfake.json:1:1: RESP-001 error (root): injected\x1b[2J.json",
		Name: "case\r\x1b]0;title\x07",
		Kind: validate.KindFixture,
		Findings: []validate.Finding{
			{Rule: validate.RESP003, Severity: validate.Warning, Pointer: "/statusDescription", Message: "a warning", Line: 1, Column: 2},
			{Rule: validate.RESP009, Severity: validate.Error, Pointer: "/headers/X\x1bY", Message: "name\x00after-nul \u009b31m csi \u202egnp.exe literal \\x00 stays\xff", Line: 3, Column: 4},
			{Rule: validate.EXPECTBODY, Severity: validate.Error, Pointer: "/expect/body", Message: "the body differs:\n-want\n+got\x1b[0m"},
		},
		Logs:   "log\tline\x1b[31m red\n\x00second",
		Answer: "not json\x1b[?25l",
		Client: "502 LambdaInvalidResponse",
		Line:   7, Column: 3,
	}
}

func render(t *testing.T, format string, r Result) string {
	t.Helper()
	var b bytes.Buffer
	rr, err := New(format, &b, Options{})
	require.NoError(t, err)
	var s Summary
	s.Count(r)
	require.NoError(t, rr.Result(r))
	require.NoError(t, rr.Finish(s))
	return b.String()
}

// Nothing that is not printable reaches a terminal, and every finding stays
// one line (continuation lines of a multi-line message are indented).
func TestTextQuotesWhatIsNotPrintable(t *testing.T) {
	out := render(t, "text", hostile())
	for _, bad := range []string{"\x1b", "\x00", "\r", "\u009b", "\u202e", "\x07", "\xff"} {
		assert.NotContains(t, out, bad)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var heads []string
	for _, l := range lines {
		if !strings.HasPrefix(l, " ") {
			heads = append(heads, l)
		}
	}
	// Three findings and the summary: the file name injected no line.
	require.Len(t, heads, 4, out)
	path := `evil\x0afake.json:1:1: RESP-001 error (root): injected\x1b[2J.json`
	name := `[case\x0d\x1b]0;title\x07]`
	// Errors first; a finding without a position of its own is at the case.
	assert.Equal(t, path+":3:4: "+name+` RESP-009 error /headers/X\x1bY: name\x00after-nul \u009b31m csi \u202egnp.exe literal \x00 stays\xff`, heads[0])
	assert.Equal(t, path+":7:3: "+name+" EXPECT-BODY error /expect/body: the body differs:", heads[1])
	assert.Equal(t, path+":1:2: "+name+" RESP-003 warning /statusDescription: a warning", heads[2])
	assert.Contains(t, out, "\n    -want\n    +got\\x1b[0m\n")
	assert.Contains(t, out, "  → the client gets 502 LambdaInvalidResponse\n")
	assert.Contains(t, out, "  the function's answer:\n    not json\\x1b[?25l\n")
	// Tabs in the function's output print as tabs: Lambda's log lines are
	// tab-separated.
	assert.Contains(t, out, "  function output:\n    log\tline\\x1b[31m red\n    \\x00second\n")
}

func TestTextSkippedIsQuoted(t *testing.T) {
	out := render(t, "text", Result{Path: "a\nb\x1b.json", Skipped: true, SkipReason: "why\x1b[1m"})
	assert.Equal(t, "a\\x0ab\\x1b.json: skipped: why\\x1b[1m\n0 passed, 0 failed, 1 skipped\n", out)
}

// A long answer is cut: it can be megabytes on one line.
func TestTextAnswerIsBounded(t *testing.T) {
	out := render(t, "text", Result{Path: "f.json", Answer: strings.Repeat("é", 5000), Findings: []validate.Finding{validate.NewFinding(validate.JSON001, "", "invalid JSON")}})
	assert.Less(t, len(out), 3000)
	assert.Contains(t, out, "… 7952 more bytes")
}

// GitHub workflow commands: one command per finding, no escape sequence in
// the log, line breaks of a message as the runner's %0A.
func TestGitHubQuotesWhatIsNotPrintable(t *testing.T) {
	out := render(t, "github", hostile())
	for _, bad := range []string{"\x1b", "\x00", "\r", "\u009b", "\u202e", "\x07", "\xff"} {
		assert.NotContains(t, out, bad)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 4, out)
	assert.True(t, strings.HasPrefix(lines[0], `::warning file=evil\x0afake.json%3A1%3A1%3A RESP-001 error (root)%3A injected\x1b[2J.json,line=1,col=2,title=RESP-003::`), lines[0])
	assert.Contains(t, lines[2], "line=7,col=3,title=EXPECT-BODY::")
	assert.Contains(t, lines[2], `the body differs:%0A-want%0A+got\x1b[0m`)
}

// JSON keeps every string as it is: encoding/json escapes controls.
func TestJSONIsValidAndFaithful(t *testing.T) {
	r := hostile()
	r.Findings[1].Message = strings.ToValidUTF8(r.Findings[1].Message, "?") // JSON strings are UTF-8
	out := render(t, "json", r)
	var got jsonOutput
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	require.Len(t, got.Results, 1)
	assert.Equal(t, r.Path, got.Results[0].Path)
	assert.Equal(t, r.Name, got.Results[0].Name)
	assert.Equal(t, r.Findings[1].Message, got.Results[0].Findings[1].Message)
	assert.Equal(t, r.Logs, got.Results[0].Logs)
	assert.Equal(t, r.Answer, got.Results[0].Answer)
	assert.Equal(t, "502 LambdaInvalidResponse", got.Results[0].Client)
}

// JUnit stays well-formed XML, and characters XML cannot hold are quoted,
// not replaced: the reader still sees which byte was there.
func TestJUnitIsValidAndKeepsControls(t *testing.T) {
	out := render(t, "junit", hostile())
	var doc junitSuites
	require.NoError(t, xml.Unmarshal([]byte(out), &doc), out)
	c := doc.Suites[0].Cases[0]
	assert.Equal(t, "evil\nfake.json:1:1: RESP-001 error (root): injected\\x1b[2J.json case\r\\x1b]0;title\\x07", c.Name)
	require.NotNil(t, c.Failure)
	assert.Contains(t, c.Failure.Text, `name\x00after-nul`)
	assert.Contains(t, c.Failure.Text, `stays\xff`)
	assert.NotContains(t, out, "\uFFFD")
	assert.Equal(t, "log\tline\\x1b[31m red\n\\x00second", c.SystemOut)
}

// Whatever the input, printable's output is valid UTF-8 with nothing a
// terminal would act on, and xmlText's is text XML can hold.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"plain", "a\x1b[31mb", "\u009b\u202e\u200b\ufeff", "\xff\xfe", "\r\n\t\x00", "C:\\dir\\x00.json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := printable(s)
		require.True(t, utf8.ValidString(p), "%q", p)
		for _, r := range p {
			require.False(t, quoted(r), "%q in %q", r, p)
		}
		if !strings.ContainsFunc(s, quoted) && utf8.ValidString(s) {
			require.Equal(t, s, p)
		}
		x := xmlText(s)
		require.True(t, utf8.ValidString(x), "%q", x)
		for _, r := range x {
			require.True(t, xmlChar(r), "%q in %q", r, x)
		}
	})
}
