package infra

import (
	"strings"
	"testing"
)

// A variable known only at deployment is named in the warning, never shown:
// its value may hold a secret (a NoEcho parameter's default in a !Sub, a
// password beside an ${ssm:} host), and warnings end up in CI logs. Before,
// the warning printed the value as written. And in serverless.yml a
// short-form CloudFormation function (!Ref, !GetAtt, !ImportValue) is known
// only at deployment, not the string "OrdersTable" it was passed as.
func TestEnvironmentWarningsShowNoValue(t *testing.T) {
	sam := `Transform: AWS::Serverless-2016-10-31
Parameters:
  Secret: {Type: String, NoEcho: true, Default: s3cr3t}
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      Environment:
        Variables:
          DB_URL: !Sub "postgres://admin:${Secret}@${Table}/db"
`
	sls := `service: shop
provider:
  name: aws
  environment:
    DATABASE_URL: postgres://app:hunter2@${ssm:/shop/dbhost}/orders
    MY_REF: !Ref OrdersTable
    MY_ARN: !GetAtt OrdersTable.Arn
    MY_IMPORT: !ImportValue shared-vpc
functions:
  api:
    handler: bootstrap
`
	for _, tc := range []struct {
		file, doc, secret string
		unknown           []string
	}{
		{"template.yaml", sam, "s3cr3t", []string{"DB_URL"}},
		{"serverless.yml", sls, "hunter2", []string{"DATABASE_URL", "MY_REF", "MY_ARN", "MY_IMPORT"}},
	} {
		p, err := Parse(tc.file, []byte(tc.doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Findings {
			if strings.Contains(f.Message, tc.secret) {
				t.Errorf("%s: a warning shows the secret: %s", tc.file, f.Message)
			}
		}
		if len(p.Functions) != 1 {
			t.Fatalf("%s: functions %+v", tc.file, p.Functions)
		}
		fn := p.Functions[0]
		for _, name := range tc.unknown {
			if _, ok := fn.EnvironmentUnknown[name]; !ok {
				t.Errorf("%s: %s is not known only at deployment (environment %v)", tc.file, name, fn.Environment)
			}
			if v, ok := fn.Environment[name]; ok {
				t.Errorf("%s: %s is passed to the function as %q", tc.file, name, v)
			}
		}
	}
}
