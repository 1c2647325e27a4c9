package infra

import (
	"os"
	"strings"
	"testing"
	"time"
)

// FuzzReadCloudFormation checks that no template makes the reader panic
// (a panic inside it comes back as an "internal error") or work past its
// limits: the reader stops itself with an error at maxEvalSteps.
func FuzzReadCloudFormation(f *testing.F) {
	for _, path := range cfnTemplates {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// The "billion laughs" template is TestCloudFormationBillionLaughs's:
	// as a seed, each of its mutations runs to the work limit, and the
	// fuzzer spends its time minimising them.
	f.Add([]byte(strings.Replace(fnTemplate, "EXPR", `!Sub ["${A}-${Stage}", {A: !Select [1, !Split [",", "x,y"]]}]`, 1)))
	f.Add([]byte("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Join ['', &a [x, *a]]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		p, err := readCloudFormation("fuzz.yaml", data)
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("reading took %s", d)
		}
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("reader panicked: %v", err)
			}
			return
		}
		if p == nil {
			t.Fatal("nil project without an error")
		}
		for _, fd := range p.Findings {
			if fd.Rule != RuleRef || fd.File != "fuzz.yaml" || !strings.HasPrefix(fd.Pointer, "/") {
				t.Fatalf("malformed finding %+v", fd)
			}
		}
	})
}
