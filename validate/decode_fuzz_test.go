package validate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	gojson "github.com/goccy/go-json"
)

// FuzzDecodeAgrees guards the fast decoder fakeevent and replay use: whatever
// bytes come in, github.com/goccy/go-json must accept exactly what
// encoding/json accepts and decode it to the same value. (validate itself
// decodes with fastDecode, held to encoding/json by FuzzFastDecodeAgrees.)
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
			return // deeper than encoding/json goes
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

// FuzzFastDecodeAgrees holds the one-pass decoder to the three-pass path it
// replaced (scanShape, goccy or encoding/json, numbersAndEntries): the same
// value and the same verdict on repeated keys for every document it
// accepts, and it accepts every document the old path did but those with a
// number beyond float64 or nesting beyond maxDepth.
func FuzzFastDecodeAgrees(f *testing.F) {
	for _, glob := range []string{"../testdata/rules/*/*.json", "../examples/documents/*/*.json", "../../shared/conformance/*/*.json", "../fixtures/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil && len(b) < 8<<10 {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{`{"a":1,}`, `{"a":1}x`, `[1,2,]`, `{"a":"\ud800"}`, `{"a":"\ud800\u0041"}`, `{"a":"\ud83d\ude00"}`, `{"a":1e400}`, `{"a":"\u00e9\/"}`, `{"a":-0.0e-0}`, "{\"a\":\"\xff\xfe\"}", `{"a":1,"a":2}`, `{"a":{"b":1},"c":{"b":2}}`, `-0`, `123456789012345678`, `1.5E+3`, `"x"`, `[[]]`, `{"a":"\t"}`, "{\"a\":\"\t\"}", `01`, `{"a":1e-400}`} {
		f.Add([]byte(s))
	}
	// One scratch for every input, as in a run: the maps of one input,
	// emptied, hold the next one's members.
	var shared struct {
		sync.Mutex
		sc scratch
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		shared.Lock()
		defer shared.Unlock()
		fast, dup, ok := fastDecode(doc, false, &shared.sc)
		keys, depth := scanShape(doc)
		old, err := decode(doc)
		if !ok {
			if err == nil && depth <= maxDepth {
				t.Fatalf("the one-pass decoder refuses what the old path takes: %q", doc)
			}
			return
		}
		if err != nil {
			t.Fatalf("the one-pass decoder takes what the old path refuses (%v): %q", err, doc)
		}
		oldDup := keys != entries(old)
		if !reflect.DeepEqual(fast, old) {
			t.Fatalf("values differ for %q:\none-pass %#v\nold      %#v", doc, fast, old)
		}
		if dup != oldDup {
			t.Fatalf("repeated keys: one-pass %v, old %v, for %q", dup, oldDup, doc)
		}
		// In place (WithInPlace), the same value with strings into doc.
		own := append([]byte(nil), doc...)
		inPlace, _, _ := fastDecode(own, true, &shared.sc)
		if !reflect.DeepEqual(inPlace, fast) {
			t.Fatalf("decoded in place, %q gives %#v, not %#v", doc, inPlace, fast)
		}
		shared.sc.recycle()
	})
}
