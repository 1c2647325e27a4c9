package validate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// agree checks the fast path's one promise on a document: whatever it calls
// clean, the reference engine finds nothing in.
func agree(t testing.TB, doc []byte, opts ...validate.Option) (clean bool) {
	clean, applicable := validate.FastClean(doc, opts...)
	if !applicable || !clean {
		return false
	}
	ref := validate.Document(doc, append(opts, validate.WithEngine(validate.EngineReference))...)
	if len(ref.Findings) > 0 {
		t.Fatalf("the fast path calls this clean, the reference engine does not:\n%s\n%s", ref, doc)
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
	clean := 0
	for i, doc := range docs {
		if agree(t, doc, opts[i]...) {
			clean++
		}
		fast := validate.Document(doc, opts[i]...)
		ref := validate.Document(doc, append(opts[i], validate.WithEngine(validate.EngineReference))...)
		assert.Equal(t, ref.Findings, fast.Findings, "the findings are the reference engine's")
		assert.Equal(t, ref.OK(), fast.OK())
	}
	t.Logf("%d documents, %d clean through the fast path", len(docs), clean)
	assert.Greater(t, clean, 50, "the fast path should take the clean documents")
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
