package albtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each target in testdata/fuzzbugs fuzzes a handler with one classic ALB
// bug: go test -fuzz with a bounded -fuzztime must fail it with the bug's
// rule id and the event in the message. The correct handler, seeded with the
// project's fixtures, must pass as many executions.
func TestFuzzFindsHiddenBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs go test -fuzz")
	}
	dir := filepath.Join("testdata", "fuzzbugs")
	// go test -fuzz writes a failing input under the package's
	// testdata/fuzz; the source tree gets none of it.
	t.Cleanup(func() { os.RemoveAll(filepath.Join(dir, "testdata")) })
	for _, tc := range []struct {
		target string
		want   []string // in the failure message; nil: the target passes
	}{
		{"FuzzFormPost", []string{"RESP-004", `"isBase64Encoded":true`, "application/x-www-form-urlencoded"}},
		{"FuzzDoubleDecode", []string{"RESP-009", "%25"}},
		{"FuzzCookiePanic", []string{"FUNC-ERROR", "index out of range", `"cookie":`}},
		{"FuzzLongPathHang", []string{"FUNC-TIMEOUT"}},
		{"FuzzSingleMulti", []string{"RESP-006", `"cookie":`}},
		{"FuzzCorrect", nil},
	} {
		t.Run(tc.target, func(t *testing.T) {
			cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^"+tc.target+"$", "-fuzztime", "3000x", "-parallel", "1", ".")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("the correct handler failed: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("3000 executions and the bug was not found:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("the failure does not mention %q:\n%s", w, out)
				}
			}
		})
	}
}
