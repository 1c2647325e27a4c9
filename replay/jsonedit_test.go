package replay

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// editJSON replaces exactly the value the pointer names, whatever the
// document around it holds.
func TestEditJSON(t *testing.T) {
	tests := []struct {
		name, doc, pointer string
		value              any
		want               string
	}{
		{"number", `{"a": 1, "b": 2}`, "/b", 3, `{"a": 1, "b": 3}`},
		{"braces and quotes in strings", `{"s": "}]\"{", "x": {"y": "a\\"}}`, "/x/y", "b", `{"s": "}]\"{", "x": {"y": "b"}}`},
		{"escaped key", `{"a\"b": 1, "a~/b": 2}`, "/a~0~1b", nil, `{"a\"b": 1, "a~/b": null}`},
		{"a duplicate key: the last one, as decoders keep", `{"k": 1, "k": 2}`, "/k", 9, `{"k": 1, "k": 9}`},
		{"another case, as encoding/json reads it", `{"Status": 200}`, "/status", 418, `{"Status": 418}`},
		{"exact beats folded", `{"status": 1, "Status": 2}`, "/status", 3, `{"status": 3, "Status": 2}`},
		{"array element", `[{"a": 1}, {"a": [1, 2]}]`, "/1/a/1", "x", `[{"a": 1}, {"a": [1, "x"]}]`},
		{"no HTML escapes", `{"b": ""}`, "/b", "<h1>&</h1>", `{"b": "<h1>&</h1>"}`},
		{"multi-line value indented like its line", "{\n  \"j\": {\n    \"a\": 1\n  }\n}", "/j", map[string]int{"b": 2}, "{\n  \"j\": {\n    \"b\": 2\n  }\n}"},
		{"one line stays one line", `{"j": {"a": 1}}`, "/j", map[string]int{"b": 2, "c": 3}, `{"j": {"b":2,"c":3}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := editJSON([]byte(tt.doc), []jsonEdit{{tt.pointer, tt.value}})
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
	for _, p := range []string{"/missing", "/0", "/k/deeper", "no-slash"} {
		_, err := editJSON([]byte(`{"k": 1}`), []jsonEdit{{p, 1}})
		assert.Error(t, err, p)
	}
}
