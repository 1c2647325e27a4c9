package schema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the generated schema files from src/")

// generate derives the seven published schemas from the three sources in
// src/: the mode variants point their root at the mode's definition, and the
// fixture schema gets a copy of the request definitions so that it stands
// alone (editors and other validators load one file).
func generate(t *testing.T) map[string][]byte {
	t.Helper()
	load := func(name string) map[string]any {
		b, err := os.ReadFile(filepath.Join("src", name))
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m), name)
		return m
	}
	out := map[string][]byte{}
	put := func(name string, m map[string]any) {
		b, err := json.MarshalIndent(m, "", "  ")
		require.NoError(t, err)
		out[name] = append(b, '\n')
	}
	variants := []struct{ kind, mode, def, title string }{
		{"request", "single", "singleEvent", "ALB request event (multi-value headers off)"},
		{"request", "multi", "multiEvent", "ALB request event (multi-value headers on)"},
		{"response", "single", "singleResponse", "ALB Lambda response document (multi-value headers off)"},
		{"response", "multi", "multiResponse", "ALB Lambda response document (multi-value headers on)"},
	}
	for _, kind := range []string{"request", "response"} {
		put(kind+".any.json", load(kind+".json"))
	}
	for _, v := range variants {
		m := load(v.kind + ".json")
		m["$id"] = strings.Replace(m["$id"].(string), ".any.json", "."+v.mode+".json", 1)
		m["title"] = v.title
		defs := m["definitions"].(map[string]any)
		formats := strings.SplitN(m["description"].(string), "Custom formats: ", 2)[1]
		m["description"] = defs[v.def].(map[string]any)["description"].(string) + " Custom formats: " + formats
		m["allOf"] = []any{map[string]any{"$ref": "#/definitions/" + v.def}}
		put(v.kind+"."+v.mode+".json", m)
	}
	fix := load("fixture.json")
	defs := fix["definitions"].(map[string]any)
	for k, v := range load("request.json")["definitions"].(map[string]any) {
		defs[k] = v
	}
	put("fixture.json", fix)
	return out
}

func TestGeneratedSchemasAreCurrent(t *testing.T) {
	want := generate(t)
	for name, b := range want {
		if *update {
			require.NoError(t, os.WriteFile(name, b, 0o644))
			continue
		}
		got, err := os.ReadFile(name)
		require.NoError(t, err)
		assert.Equal(t, string(b), string(got), "%s is stale: run go test ./schema -update", name)
	}
	assert.ElementsMatch(t, Names, keys(want))
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEverySchemaIsDocumented(t *testing.T) {
	for _, name := range Names {
		b, err := FS.(interface{ ReadFile(string) ([]byte, error) }).ReadFile(name)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		assert.Equal(t, "http://json-schema.org/draft-07/schema#", m["$schema"], name)
		assert.Equal(t, BaseURL+name, m["$id"], "a stable address under the repository")
		assert.NotEmpty(t, m["title"], name)
		assert.NotEmpty(t, m["description"], name)
		// Every property of every subschema carries a description, so that
		// editors show help on hover.
		var walk func(path string, v any)
		walk = func(path string, v any) {
			obj, ok := v.(map[string]any)
			if !ok {
				if arr, ok := v.([]any); ok {
					for _, e := range arr {
						walk(path, e)
					}
				}
				return
			}
			// Conditions (if/then/else, not, anyOf) restate properties
			// that are documented where they are declared.
			conditional := regexp.MustCompile(`/(if|then|else|not|anyOf)(/|$)`).MatchString(path)
			if props, ok := obj["properties"].(map[string]any); ok && !conditional {
				for p, s := range props {
					if s == false {
						continue // "must be absent": nothing to describe
					}
					ps, _ := s.(map[string]any)
					_, hasRef := ps["$ref"]
					if !hasRef {
						assert.NotEmpty(t, ps["description"], "%s: %s/properties/%s has no description", name, path, p)
					}
				}
			}
			for k, c := range obj {
				walk(path+"/"+k, c)
			}
		}
		walk("", m)
	}
}

func TestBytesAndName(t *testing.T) {
	b, err := Bytes(Request, Single)
	require.NoError(t, err)
	assert.True(t, bytes.Contains(b, []byte(`"#/definitions/singleEvent"`)))
	n, err := Name(Fixture, Multi)
	require.NoError(t, err)
	assert.Equal(t, "fixture.json", n)
	n, err = Name(Response, "")
	require.NoError(t, err)
	assert.Equal(t, "response.any.json", n)
	_, err = Name("event", Single)
	assert.ErrorContains(t, err, `unknown schema kind "event"`)
	_, err = Name(Request, "both")
	assert.ErrorContains(t, err, `unknown mode "both"`)
}

func TestFormatsAreValidRE2(t *testing.T) {
	for name, re := range Formats {
		if name == "http-method" {
			// RE2 has no lookahead; ajv (ECMAScript) does. Check the rest.
			re = strings.Replace(re, "(?!TRACE$)", "", 1)
		}
		_, err := regexp.Compile(re)
		assert.NoError(t, err, name)
	}
}
