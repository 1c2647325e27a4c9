package validate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"
)

// FuzzDecodeAgrees guards the fast decoder: whatever bytes come in,
// github.com/goccy/go-json must accept exactly what encoding/json accepts and
// decode it to the same value, since only encoding/json's verdict is shown to
// users and goccy's value is what gets validated.
func FuzzDecodeAgrees(f *testing.F) {
	for _, glob := range []string{"../testdata/rules/*/*.json", "../examples/documents/*/*.json", "../../shared/conformance/*/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if strings.HasPrefix(filepath.Base(filepath.Dir(file)), "INFRA-") {
				continue // infrastructure files, for package infra's rule tests
			}
			if b, err := os.ReadFile(file); err == nil && len(b) < 4<<10 {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{`{"a":1,}`, `{"a":1}x`, `[1,2,]`, `{"a":"\ud800"}`, `{"a":1e400}`, `{"a":"\u00e9\/"}`, `{"a":-0.0e-0}`, "{\"a\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		_, depth := scanShape(doc)
		if depth > maxDepth {
			return // decode never hands these to goccy
		}
		var std, fast any
		stdErr := json.Unmarshal(doc, &std)
		fastErr := gojson.Unmarshal(doc, &fast)
		if (stdErr == nil) != (fastErr == nil) {
			var te *json.UnmarshalTypeError
			if fastErr != nil && errorsAs(stdErr, &te) {
				return // a number out of float64 range: decode falls back
			}
			t.Fatalf("encoding/json err=%v, goccy err=%v for %q", stdErr, fastErr, doc)
		}
		if stdErr == nil && !reflect.DeepEqual(std, fast) {
			t.Fatalf("values differ for %q:\nencoding/json %#v\ngoccy         %#v", doc, std, fast)
		}
	})
}

func errorsAs(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}
