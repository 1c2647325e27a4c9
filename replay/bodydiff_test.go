package replay_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
)

// A binary golden file that differs is summarised by size and the first
// differing bytes in hex, not line-diffed: no raw bytes reach the report.
func TestGoldenBinaryDiffIsAHexSummary(t *testing.T) {
	dir := t.TempDir()
	want := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 40)...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "logo.png"), want, 0o644))
	got := bytes.Clone(want[:40])
	got[17] = 0xff

	e := &replay.Expect{Body: &replay.BodyExpect{File: "logo.png"}}
	fs := replay.CheckExpect(e, &http.Response{StatusCode: 200, Header: http.Header{}}, got, 0, dir, "")
	require.Len(t, fs, 1)
	assert.Equal(t, validate.EXPECTBODY, fs[0].Rule)
	msg := fs[0].Message
	assert.Equal(t, "the body differs from logo.png (albcheck replay --update, or ALBTEST_UPDATE=1 go test, rewrites it):\n"+
		"binary bodies differ: want 56 bytes, got 40 bytes; first difference at byte 17\n"+
		"want 00000010: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"+
		"got  00000010: 00 ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", msg)
	assert.False(t, strings.ContainsAny(msg, "\x00\x1a\r\x89"), msg)

	// One body a prefix of the other: the difference is where it ends.
	fs = replay.CheckExpect(e, &http.Response{StatusCode: 200, Header: http.Header{}}, want[:16], 0, dir, "")
	require.Len(t, fs, 1)
	assert.Contains(t, fs[0].Message, "want 56 bytes, got 16 bytes; first difference at byte 16\n")
	assert.Contains(t, fs[0].Message, "got  00000010: (ends before this)")
}

// Text still gets a unified diff.
func TestGoldenTextDiffIsUnified(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.golden"), []byte("one\ntwo\n"), 0o644))
	e := &replay.Expect{Body: &replay.BodyExpect{File: "a.golden"}}
	fs := replay.CheckExpect(e, &http.Response{StatusCode: 200, Header: http.Header{}}, []byte("one\nthree\n"), 0, dir, "")
	require.Len(t, fs, 1)
	assert.Contains(t, fs[0].Message, "-two\n+three\n")
}
