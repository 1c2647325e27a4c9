package validate_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specRow is a row of the rules table of ../shared/spec/alb-contract.md:
// "| REQ-001 | event | error | ... |".
var specRow = regexp.MustCompile(`(?m)^\| ((?:REQ|RESP)-[0-9]+) \| [a-z ]+ \| (error|warning) \|`)

// The contract's rules table and the rules albcheck checks (albcheck rules)
// are the same set, with the same severities.
func TestRulesMatchTheContract(t *testing.T) {
	spec, err := os.ReadFile("../../shared/spec/alb-contract.md")
	if os.IsNotExist(err) {
		t.Skip("../shared/spec is not beside this checkout")
	}
	require.NoError(t, err)
	want := map[string]string{}
	for _, m := range specRow.FindAllStringSubmatch(string(spec), -1) {
		want[m[1]] = m[2]
	}
	require.NotEmpty(t, want, "no rules table found in the contract")
	got := map[string]string{}
	for _, r := range validate.Rules() {
		if id := string(r.ID); strings.HasPrefix(id, "REQ-") || strings.HasPrefix(id, "RESP-") {
			got[id] = string(r.Severity)
		}
	}
	assert.Equal(t, want, got)
}
