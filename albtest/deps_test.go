package albtest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The packages that end up in users' tests stay light: neither the AWS SDK
// (replay --function's handler lives in package awslambda, which only the
// command imports) nor cobra, nor the infrastructure readers' YAML and
// Terraform libraries. Before, importing albtest linked 102 SDK packages.
func TestLightDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/albcheck/albcheck/albtest", "github.com/albcheck/albcheck/fakeevent", "github.com/albcheck/albcheck/validate").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	heavy := []string{"github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go", "github.com/spf13/cobra", "github.com/hashicorp/", "go.yaml.in/yaml", "github.com/zclconf/"}
	for line := range strings.Lines(string(out)) {
		for _, h := range heavy {
			if strings.HasPrefix(strings.TrimSpace(line), h) {
				t.Errorf("%s links %s", "albtest, fakeevent or validate", strings.TrimSpace(line))
			}
		}
	}
}
