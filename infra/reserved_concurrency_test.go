package infra

import (
	"os"
	"strings"
	"testing"
)

// Reserved concurrency 0 stays 0 in the model in every format (serve
// throttles every request to such a function), apart from "none set"
// (-1), which is also what Terraform's own -1 means.
func TestReservedConcurrencyZero(t *testing.T) {
	for _, tc := range []struct {
		name, file, from, to, function string
		want                           int
	}{
		{"cloudformation", "template.yaml", "", "", "Fn", 0},
		{"serverless", "testdata/serverless.yml", "reservedConcurrency: 25", "reservedConcurrency: 0", "cart", 0},
		{"terraform", "testdata/terraform-plan.json", `"reserved_concurrent_executions": 50`, `"reserved_concurrent_executions": 0`, "module.api.aws_lambda_function.this", 0},
		{"terraform -1", "testdata/terraform-plan.json", "", "", "aws_lambda_function.orders", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(zeroTemplate)
			if tc.file != "template.yaml" {
				var err error
				if data, err = os.ReadFile(tc.file); err != nil {
					t.Fatal(err)
				}
			}
			if tc.from != "" {
				if !strings.Contains(string(data), tc.from) {
					t.Fatalf("%s has no %s", tc.file, tc.from)
				}
				data = []byte(strings.ReplaceAll(string(data), tc.from, tc.to))
			}
			p, err := Parse(tc.file, data)
			if err != nil {
				t.Fatal(err)
			}
			fn := p.FunctionNamed(tc.function)
			if fn == nil {
				t.Fatalf("no function %s", tc.function)
			}
			if fn.ReservedConcurrency != tc.want {
				t.Errorf("%s: reserved concurrency %d, want %d", tc.function, fn.ReservedConcurrency, tc.want)
			}
		})
	}
}

const zeroTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Runtime: provided.al2023
      CodeUri: fn/
      ReservedConcurrentExecutions: 0
`
