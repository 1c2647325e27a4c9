package validate_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conformanceDir holds real ALB events and responses from public projects
// and AWS's documentation; it sits beside the checkout, not in it.
const conformanceDir = "../../shared/conformance"

// TestConformance: every real-world event and response passes (warnings
// allowed), and every document of invalid/ fails under strict checking.
func TestConformance(t *testing.T) {
	if _, err := os.Stat(conformanceDir); err != nil {
		t.Skipf("no conformance corpus at %s", conformanceDir)
	}
	t.Parallel()
	for _, sub := range []string{"events", "responses", "invalid"} {
		files, err := filepath.Glob(filepath.Join(conformanceDir, sub, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files, sub)
		for _, file := range files {
			t.Run(sub+"/"+filepath.Base(file), func(t *testing.T) {
				t.Parallel()
				doc, err := os.ReadFile(file)
				require.NoError(t, err)
				if sub == "invalid" {
					rep := validate.Document(doc, validate.WithStrict(true))
					assert.False(t, rep.OK(), "a document of invalid/ passed:\n%s", rep)
					assert.NotEmpty(t, rep.Findings)
					return
				}
				rep := validate.Document(doc)
				assert.True(t, rep.OK(), "a real-world document failed:\n%s", rep)
				assert.False(t, rep.Skipped, "kind not detected")
				want := validate.KindRequest
				if sub == "responses" {
					want = validate.KindResponse
				}
				assert.Equal(t, want, rep.Kind)
			})
		}
	}
}
