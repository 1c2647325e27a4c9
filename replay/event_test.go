package replay

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventOf must give what decoding the bytes into the aws-lambda-go type
// gives, for every request event validate accepts: the real ones of the
// conformance corpus, the shipped fixtures and the rule tests'.
func TestEventOfMatchesDecoding(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../shared/conformance/events/*.json", "../fixtures/*.json", "../fixtures/*/*.json", "../testdata/rules/*/*.json", "../examples/documents/*.json"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		doc, err := os.ReadFile(f)
		require.NoError(t, err)
		var value any
		rep := validate.Document(doc, validate.WithValue(&value))
		if rep.Kind != validate.KindRequest || len(errorsOf(rep)) > 0 {
			continue
		}
		var want events.ALBTargetGroupRequest
		require.NoError(t, json.Unmarshal(trimBOM(doc), &want), f)
		assert.Equal(t, want, eventOf(value), f)
		checked++
	}
	// The corpus has 21 real events; the rule tests add their passing ones.
	assert.Greater(t, checked, 40)
	t.Logf("%d request events compared", checked)

	value := any("left over")
	validate.Document([]byte(`{"httpMethod": `), validate.WithValue(&value))
	assert.Nil(t, value, "bytes that are not JSON have no value")
}
