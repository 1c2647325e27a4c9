package validate_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/albcheck/albcheck/validate"
)

func TestLocate(t *testing.T) {
	doc := []byte("[\n  {\"name\": \"a\"},\n  {\"name\": \"é\", \"expect\": {\"status\": 200}}\n]")
	for _, tt := range []struct {
		pointer      string
		line, column int
	}{
		{"", 1, 1},
		{"/0", 2, 3},
		{"/1", 3, 3},
		{"/1/expect/status", 3, 38},
		{"/1/expect/headers/x", 3, 27}, // missing: its nearest enclosing value
	} {
		line, column := validate.Locate(doc, tt.pointer)
		assert.Equal(t, []int{tt.line, tt.column}, []int{line, column}, tt.pointer)
	}
	line, column := validate.Locate([]byte("{not json"), "/a")
	assert.Equal(t, []int{0, 0}, []int{line, column})
}

// A fixture that starts with a byte-order mark is located as without it
// (before: no position at all).
func TestLocateAfterByteOrderMark(t *testing.T) {
	l := validate.NewLocator([]byte("\xef\xbb\xbf{\n  \"expect\": {\"status\": 201}\n}"))
	line, col := l.Locate("/expect/status")
	assert.Equal(t, 2, line)
	assert.Equal(t, 24, col)
}

// One Locator answers many lookups, across lines of multi-byte characters
// and for missing members.
func TestLocatorLines(t *testing.T) {
	doc := []byte("{\"a\": [1,\n  {\"é\": \"ü\", \"b\": [\n\n    true]}],\n \"c\": {}}\n")
	l := validate.NewLocator(doc)
	for _, tt := range []struct {
		pointer      string
		line, column int
	}{
		{"", 1, 1},
		{"/a/0", 1, 8},
		{"/a/1", 2, 3},
		{"/a/1/é", 2, 9},
		{"/a/1/b", 2, 19},
		{"/a/1/b/0", 4, 5},
		{"/c", 5, 7},
		{"/c/missing", 5, 7},
		{"/nothing", 1, 1},
	} {
		line, column := l.Locate(tt.pointer)
		assert.Equal(t, []int{tt.line, tt.column}, []int{line, column}, tt.pointer)
	}
}
