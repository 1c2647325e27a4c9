package validate_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ruleCase is one line of testdata/rules/<RULE>/cases.txt:
// the file, the pointer the rule must report ("-" for a document that passes
// the rule), and options (kind=, mode=, method=).
type ruleCase struct {
	rule    validate.RuleID
	file    string
	pointer string
	pass    bool
	opts    []validate.Option
}

func loadRuleCases(t *testing.T) []ruleCase { return loadRuleCasesTB(t) }

func loadRuleCasesTB(t testing.TB) []ruleCase {
	t.Helper()
	dirs, err := filepath.Glob("../testdata/rules/*")
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	var out []ruleCase
	for _, dir := range dirs {
		if isInfraRuleDir(dir) {
			continue // infrastructure files, for package infra's rule tests
		}
		rule := validate.RuleID(filepath.Base(dir))
		f, err := os.Open(filepath.Join(dir, "cases.txt"))
		require.NoError(t, err)
		listed := map[string]bool{}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			parts := strings.Split(line, "\t")
			require.GreaterOrEqual(t, len(parts), 2, "%s: %q", dir, line)
			c := ruleCase{rule: rule, file: filepath.Join(dir, parts[0]), pointer: parts[1], pass: parts[1] == "-"}
			if c.pointer == `""` {
				c.pointer = ""
			}
			if len(parts) > 2 {
				for _, kv := range strings.Fields(parts[2]) {
					k, v, _ := strings.Cut(kv, "=")
					switch k {
					case "kind":
						c.opts = append(c.opts, validate.WithKind(validate.Kind(v)))
					case "mode":
						c.opts = append(c.opts, validate.WithMode(validate.Mode(v)))
					case "method":
						c.opts = append(c.opts, validate.WithMethod(v))
					default:
						t.Fatalf("%s: unknown option %q", dir, kv)
					}
				}
			}
			listed[parts[0]] = true
			out = append(out, c)
		}
		require.NoError(t, f.Close())
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, file := range files {
			assert.True(t, listed[filepath.Base(file)], "%s is not listed in cases.txt", file)
		}
	}
	return out
}

// isInfraRuleDir reports whether a directory of testdata/rules holds the
// cases of an INFRA rule: templates and plans that infra/rulecases_test.go
// reads, not documents.
func isInfraRuleDir(dir string) bool { return strings.HasPrefix(filepath.Base(dir), "INFRA-") }

// TestRules runs every document of testdata/rules: a failing document must
// get its rule at exactly the expected pointer; a passing one must not get
// that rule at all and must pass overall.
func TestRules(t *testing.T) {
	t.Parallel()
	for _, c := range loadRuleCases(t) {
		t.Run(string(c.rule)+"/"+filepath.Base(c.file), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(c.file)
			require.NoError(t, err)
			rep := validate.Document(doc, c.opts...)
			if c.pass {
				assert.False(t, rep.Has(c.rule), "%s should not be reported:\n%s", c.rule, rep)
				assert.True(t, rep.OK(), "should pass:\n%s", rep)
				return
			}
			var pointers []string
			for _, f := range rep.Findings {
				if f.Rule == c.rule {
					pointers = append(pointers, f.Pointer)
				}
			}
			assert.Contains(t, pointers, c.pointer, "want %s at %q:\n%s", c.rule, c.pointer, rep)
		})
	}
}

// TestEveryRuleHasCases makes sure no rule goes untested: each has a
// document that passes it and one that breaks it, except the two about
// reading files, which the CLI tests cover.
func TestEveryRuleHasCases(t *testing.T) {
	pass, fail := map[validate.RuleID]int{}, map[validate.RuleID]int{}
	for _, c := range loadRuleCases(t) {
		if c.pass {
			pass[c.rule]++
		} else {
			fail[c.rule]++
		}
	}
	for _, r := range validate.Rules() {
		if r.ID == validate.JSON005 || r.ID == validate.JSON007 || r.AppliesTo == validate.KindReplay {
			continue // reading files and running functions: the CLI and replay tests cover them
		}
		assert.Positive(t, pass[r.ID], "%s has no passing document in testdata/rules", r.ID)
		assert.Positive(t, fail[r.ID], "%s has no failing document in testdata/rules", r.ID)
	}
}
