package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// agree checks the fast path's promises on a document: whatever it calls
// schema-valid, the reference engine's schema pass has no error for, and
// both engines give the same findings.
func agree(t testing.TB, doc []byte, opts ...validate.Option) (valid bool) {
	valid, applicable := validate.FastSchemaValid(doc, opts...)
	fast := validate.Document(doc, opts...)
	ref := validate.Document(doc, append(opts, validate.WithEngine(validate.EngineReference))...)
	if !assert.Equal(t, ref.Findings, fast.Findings, "the findings are the reference engine's:\n%s", doc) {
		t.FailNow()
	}
	if !applicable || !valid {
		return false
	}
	if errs := validate.SchemaErrors(doc, ref.Kind, append(opts, validate.WithMode(ref.Mode))...); len(errs) > 0 {
		t.Fatalf("the fast path calls this schema-valid, the schema does not:\n%s\n%s", strings.Join(errs, "\n"), doc)
	}
	return true
}

// corpus is every document the repository and the conformance corpus hold,
// with the options its tests check it with, plus generated events.
func corpus(t testing.TB) (docs [][]byte, opts [][]validate.Option) {
	for _, c := range loadRuleCasesTB(t) {
		b, err := os.ReadFile(c.file)
		require.NoError(t, err)
		docs, opts = append(docs, b), append(opts, c.opts)
	}
	for _, glob := range []string{"../examples/documents/*/*.json", "../fixtures/*.json", "../../shared/conformance/*/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			docs, opts = append(docs, b), append(opts, nil)
		}
	}
	for i := range 40 {
		b := fakeevent.New([]string{"GET", "POST", "PUT", "DELETE"}[i%4], "/items?id=1&tag=a&tag=b").Seed(uint64(i))
		if i%2 == 1 {
			b.MultiValue()
		}
		if i%3 == 0 {
			b.JSON(map[string]int{"n": i})
		}
		if i%5 == 0 {
			b.Header("Content-Type", "application/octet-stream").BodyBytes([]byte{0, 1, 2, byte(i)})
		}
		_, doc, err := b.Build()
		require.NoError(t, err)
		docs, opts = append(docs, doc), append(opts, nil)
	}
	return docs, opts
}

// TestFastPathAgrees runs both engines over the whole corpus: the same
// verdict on "clean" for every document, and the fast path does take the
// clean ones.
func TestFastPathAgrees(t *testing.T) {
	docs, opts := corpus(t)
	clean, warned := 0, 0
	for i, doc := range docs {
		if agree(t, doc, opts[i]...) {
			clean++
			if len(validate.Document(doc, opts[i]...).Findings) > 0 {
				warned++
			}
		}
	}
	t.Logf("%d documents, %d schema-valid through the fast path, %d of them with findings", len(docs), clean, warned)
	assert.Greater(t, clean, 50, "the fast path should take the schema-valid documents")
	assert.Greater(t, warned, 10, "the fast path should take schema-valid documents with findings too")
}

// FuzzFastPathAgrees mutates documents (keys, types, nulls, encodings,
// sizes) and checks that the fast path never calls clean what the reference
// engine finds anything in. Disagreements it finds are kept in
// testdata/fuzz/FuzzFastPathAgrees.
func FuzzFastPathAgrees(f *testing.F) {
	docs, _ := corpus(f)
	for _, d := range docs {
		if len(d) < 8<<10 {
			f.Add(d, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte, variant uint8) {
		var opts []validate.Option
		switch variant % 5 {
		case 1:
			opts = append(opts, validate.WithMode(validate.ModeSingle))
		case 2:
			opts = append(opts, validate.WithMode(validate.ModeMulti))
		case 3:
			opts = append(opts, validate.WithMethod("HEAD"))
		case 4:
			opts = append(opts, validate.WithKind(validate.KindResponse))
		}
		agree(t, doc, opts...)
	})
}
