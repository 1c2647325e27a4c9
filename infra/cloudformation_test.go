package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/albcheck/albcheck/validate"
)

// cfnTemplates are the CloudFormation templates of testdata/infra, each
// with its golden file NAME.golden: the model and the findings it gives,
// the reader's and Check's.
var cfnTemplates = []string{
	"testdata/infra/sam-orders.yaml",
	"testdata/infra/cdk-orders.template.json",
	"testdata/infra/sam-environment.yaml",
}

// golden is what a golden file holds.
type golden struct {
	Model    *Project        `json:"model"`
	Findings []goldenFinding `json:"findings"`
}

type goldenFinding struct {
	Rule     validate.RuleID   `json:"rule"`
	Severity validate.Severity `json:"severity"`
	File     string            `json:"file"`
	Pointer  string            `json:"pointer"`
	Line     int               `json:"line"`
	Column   int               `json:"column"`
	Message  string            `json:"message"`
}

func goldenOf(p *Project) golden {
	g := golden{Model: p, Findings: []goldenFinding{}}
	for _, f := range p.Findings {
		g.Findings = append(g.Findings, goldenFinding{f.Rule, f.Severity, f.File, f.Pointer, f.Line, f.Column, f.Message})
	}
	return g
}

func TestReadCloudFormationGolden(t *testing.T) {
	for _, path := range cfnTemplates {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(path, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			Check(p)
			got, err := json.MarshalIndent(goldenOf(p), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			goldenPath := path + ".golden"
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("%v (run go test ./infra -update to write it)", err)
			}
			if !bytes.Equal(got, want) {
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
					A: difflib.SplitLines(string(want)), B: difflib.SplitLines(string(got)),
					FromFile: goldenPath, ToFile: "got", Context: 3,
				})
				t.Errorf("the model differs from %s (go test ./infra -update rewrites it):\n%s", goldenPath, diff)
			}
		})
	}
}

func TestDetectCloudFormationTemplates(t *testing.T) {
	for _, path := range cfnTemplates {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Detect(path, data); err != nil || got != CloudFormation {
			t.Errorf("Detect(%s) = %q, %v; want %q", path, got, err, CloudFormation)
		}
	}
}

// Facts of the two templates that the rules depend on, asserted apart from
// the golden files so that a careless -update cannot lose them.
func TestReadCloudFormationWiring(t *testing.T) {
	sam := mustRead(t, "testdata/infra/sam-orders.yaml")
	orders, reports := tgByName(t, sam, "OrdersTargetGroup"), tgByName(t, sam, "ReportsTargetGroup")
	if orders.Mode != validate.ModeMulti || reports.Mode != validate.ModeSingle {
		t.Errorf("modes = %s, %s; want multi, single", orders.Mode, reports.Mode)
	}
	assertEqual(t, "OrdersTargetGroup target (Fn.Alias)", []string{orders.Targets[0].Function, orders.Targets[0].Qualifier}, []string{"OrdersFunction", "live"})
	assertEqual(t, "ReportsTargetGroup target (GetAtt Arn)", []string{reports.Targets[0].Function, reports.Targets[0].Qualifier}, []string{"ReportsFunction", ""})
	assertEqual(t, "OrdersInvokePermission (FnAliaslive)", []string{sam.Permissions[0].Name, sam.Permissions[0].Function, sam.Permissions[0].Qualifier}, []string{"OrdersInvokePermission", "OrdersFunction", "live"})
	assertEqual(t, "OrdersTargetGroup DependsOn", orders.Targets[0].DependsOn, []string{"OrdersFunction", "OrdersInvokePermission"})
	assertEqual(t, "ReportsTargetGroup DependsOn", reports.Targets[0].DependsOn, []string{"ReportsFunction"})
	assertEqual(t, "OrdersTargetGroup health check", orders.HealthCheck.Path, "/orders/healthz")
	assertEqual(t, "ReportsTargetGroup health check", reports.HealthCheck, HealthCheck{
		Enabled: false, Path: "/", IntervalSeconds: 35, TimeoutSeconds: 30, HealthyThreshold: 5, UnhealthyThreshold: 5, Matcher: "200",
		Source: reports.Source,
	})

	var https *Listener
	for _, l := range sam.Listeners {
		if l.Name == "HttpsListener" {
			https = l
		}
	}
	if https == nil {
		t.Fatal("no HttpsListener")
	}
	var names []string
	for _, r := range https.Rules {
		names = append(names, r.Name)
	}
	// DebugRule's condition IsDev is false with Stage's default.
	assertEqual(t, "HttpsListener rules in priority order", names, []string{"ReportsRule", "OrdersRule", "AdminRule"})
	assertEqual(t, "AdminRule actions in order", []string{https.Rules[2].Actions[0].Type, https.Rules[2].Actions[1].Type}, []string{"authenticate-cognito", "forward"})

	fns := map[string]*Function{}
	for _, f := range sam.Functions {
		fns[f.Name] = f
	}
	assertEqual(t, "OrdersFunction timeout (FindInMap)", fns["OrdersFunction"].TimeoutSeconds, 20)
	assertEqual(t, "ReportsFunction reserved concurrency (If IsProd)", fns["ReportsFunction"].ReservedConcurrency, 5)
	assertEqual(t, "ExportFunction from Globals", []any{fns["ExportFunction"].TimeoutSeconds, fns["ExportFunction"].Runtime, fns["ExportFunction"].Code, fns["ExportFunction"].Streaming}, []any{15, "provided.al2023", "build/", true})

	cdk := mustRead(t, "testdata/infra/cdk-orders.template.json")
	admin := tgByName(t, cdk, "LBListenerAdminGroupD4E5F6A7")
	assertEqual(t, "the admin target through its alias", []string{admin.Targets[0].Function, admin.Targets[0].Qualifier}, []string{"AdminHandlerF3E2D1C0", "live"})
	var perm *Permission
	for _, p := range cdk.Permissions {
		if p.Name == "AdminHandlerLiveAliasInvokeC0FFEE12" {
			perm = p
		}
	}
	if perm == nil {
		t.Fatal("no admin permission")
	}
	assertEqual(t, "permission by a Fn::Join ARN", []string{perm.Function, perm.Qualifier, perm.SourceTargetGroup}, []string{"AdminHandlerF3E2D1C0", "live", "LBListenerAdminGroupD4E5F6A7"})
	// The admin target group has no DependsOn on its permission: the
	// permission references the target group, not the other way round.
	assertEqual(t, "admin DependsOn", admin.Targets[0].DependsOn, []string{"AdminHandlerCurrentVersion0A1B2C3D4e5f6a7b8c9d0e1f2a3b4c5d6", "AdminHandlerF3E2D1C0", "AdminHandlerLiveAlias9C8B7A6D", "AdminHandlerServiceRoleB7C6D5E4"})
}

func mustRead(t *testing.T, path string) *Project {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := readCloudFormation(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tgByName(t *testing.T, p *Project, name string) *TargetGroup {
	t.Helper()
	for _, tg := range p.TargetGroups {
		if tg.Name == name {
			if len(tg.Targets) == 0 {
				t.Fatalf("%s has no targets", name)
			}
			return tg
		}
	}
	t.Fatalf("no target group %s", name)
	return nil
}

func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v; want %#v", what, got, want)
	}
}

// fnTemplate is a template whose function's FunctionName is expr, for
// testing the intrinsics one at a time.
const fnTemplate = `Parameters:
  Stage:
    Type: String
    Default: prod
  Bucket:
    Type: String
  Zones:
    Type: CommaDelimitedList
    Default: "a,b,c"
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  ProdOrDev: !Or [!Condition IsProd, !Condition IsDev]
  ProdAndDev: !And [!Condition IsProd, !Condition IsDev]
  InUsEast: !Equals [!Ref "AWS::Region", us-east-1]
Mappings:
  Names:
    prod:
      Api: orders-live
Resources:
  Other:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: EXPR
`

func TestCloudFormationIntrinsics(t *testing.T) {
	tests := []struct {
		name, expr, want string
		findings         []string // messages, in order
	}{
		{"literal", `orders`, "orders", nil},
		{"Ref parameter default", `!Ref Stage`, "prod", nil},
		{"Ref parameter without default", `!Ref Bucket`, "${Bucket}", nil},
		{"Ref pseudo parameter", `!Ref AWS::Region`, "${AWS::Region}", nil},
		{"Ref resource", `!Ref Other`, "${Other}", nil},
		{"Ref long form", `{"Ref": "Stage"}`, "prod", nil},
		{"GetAtt dotted", `!GetAtt Other.TopicName`, "${Other.TopicName}", nil},
		{"GetAtt list", `!GetAtt [Other, TopicName]`, "${Other.TopicName}", nil},
		{"GetAtt long form", `{"Fn::GetAtt": ["Other", "TopicArn"]}`, "${Other.TopicArn}", nil},
		{"Sub", `!Sub "api-${Stage}-${AWS::Region}-${Other.TopicName}-${!Literal}"`, "api-prod-${AWS::Region}-${Other.TopicName}-${Literal}", nil},
		{"Sub with variables", `!Sub ["${Name}-${Stage}", {Name: !Select [1, !Ref Zones]}]`, "b-prod", nil},
		{"Sub long form", `{"Fn::Sub": "x-${Stage}"}`, "x-prod", nil},
		{"Sub unterminated", `!Sub "x-${Stage"`, "x-${Stage", nil},
		{"Join", `!Join [":", [a, !Ref Stage, !GetAtt Other.TopicName]]`, "a:prod:${Other.TopicName}", nil},
		{"Join long form", `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x"]]}`, "arn:${AWS::Partition}:x", nil},
		{"Select Split", `!Select [2, !Split ["/", "a/b/c/d"]]`, "c", nil},
		{"Select list parameter", `!Select [0, !Ref Zones]`, "a", nil},
		{"Select GetAZs", `!Select [1, !GetAZs ""]`, "${Fn::GetAZs.1}", nil},
		{"FindInMap", `!FindInMap [Names, !Ref Stage, Api]`, "orders-live", nil},
		{"ImportValue", `!ImportValue shared-FunctionName`, "${Fn::ImportValue:shared-FunctionName}", nil},
		{"Base64", `!Base64 text`, "text", nil},
		{"If true", `!If [IsProd, live, test]`, "live", nil},
		{"If false", `!If [IsDev, test, live]`, "live", nil},
		{"If Or", `!If [ProdOrDev, yes, no]`, "yes", nil},
		{"If And", `!If [ProdAndDev, yes, no]`, "no", nil},
		{"If long form", `{"Fn::If": ["IsProd", "live", "test"]}`, "live", nil},
		{"If NoValue", `!If [IsDev, x, !Ref AWS::NoValue]`, "", nil},
		{"If undecidable", `!If [InUsEast, east, elsewhere]`, "east", []string{
			"Fn::If: the condition InUsEast cannot be decided before deployment (it depends on a pseudo parameter, a parameter with no Default or a resource); albcheck reads the first branch"}},
		{"Ref missing", `!Ref Nowhere`, "", []string{"Ref names Nowhere, which is neither a parameter nor a resource of the template"}},
		{"GetAtt missing", `!GetAtt Nowhere.Arn`, "", []string{"Fn::GetAtt names Nowhere, which is not a resource of the template"}},
		{"Sub missing", `!Sub "x-${Nowhere}"`, "", []string{"Ref names Nowhere, which is neither a parameter nor a resource of the template"}},
		{"Sub missing attribute", `!Sub "x-${Nowhere.Arn}"`, "", []string{"Fn::GetAtt names Nowhere, which is not a resource of the template"}},
		{"Select out of range", `!Select [5, [a, b]]`, "", []string{"Fn::Select index 5 is past the end of a list of 2"}},
		{"FindInMap missing", `!FindInMap [Names, dev, Api]`, "", []string{"Fn::FindInMap: the mapping Names has no dev/Api"}},
		{"If missing condition", `!If [Nowhere, a, b]`, "a", []string{
			"Fn::If: the condition Nowhere cannot be decided before deployment (it depends on a pseudo parameter, a parameter with no Default or a resource); albcheck reads the first branch",
			"the condition Nowhere is not in Conditions"}},
		{"unsupported", `!Cidr [10.0.0.0/16, 2, 8]`, "", []string{"Fn::Cidr cannot be evaluated before deployment by albcheck"}},
		{"Join of a mapping", `!Join ["", {a: b}]`, "", []string{"Fn::Join joins a list, not a mapping"}},
		{"list for a string", `[a, b]`, "", []string{"FunctionName must be a string, not a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(fnTemplate, "EXPR", tt.expr, 1)
			p, err := readCloudFormation("t.yaml", []byte(src))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(p.Functions) != 1 {
				t.Fatalf("%d functions", len(p.Functions))
			}
			if got := p.Functions[0].FunctionName; got != tt.want {
				t.Errorf("FunctionName = %q; want %q", got, tt.want)
			}
			var msgs []string
			for _, f := range p.Findings {
				msgs = append(msgs, f.Message)
				if f.Rule != RuleRef || f.File != "t.yaml" || f.Line == 0 || !strings.HasPrefix(f.Pointer, "/Resources/Fn/Properties/FunctionName") {
					t.Errorf("finding %+v: want rule %s in t.yaml at a line under /Resources/Fn/Properties/FunctionName", f, RuleRef)
				}
			}
			assertEqual(t, "findings", msgs, tt.findings)
		})
	}
}

func TestCloudFormationMissingReference(t *testing.T) {
	src := `Resources:
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    DependsOn: [Permission, Ghost]
    Properties:
      TargetType: lambda
      Targets:
        - Id: !GetAtt Handler.Arn
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handlr
      Action: lambda:InvokeFunction
      Principal: elasticloadbalancing.amazonaws.com
`
	p, err := readCloudFormation("app.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []goldenFinding
	for _, f := range goldenOf(p).Findings {
		got = append(got, f)
	}
	want := []goldenFinding{
		{RuleRef, validate.Error, "app.yaml", "/Resources/Group/DependsOn/1", 4, 29, "DependsOn names Ghost, which is not a resource of the template"},
		{RuleRef, validate.Error, "app.yaml", "/Resources/Group/Properties/Targets/0/Id", 8, 15, "Fn::GetAtt names Handler, which is not a resource of the template"},
		{RuleRef, validate.Error, "app.yaml", "/Resources/Permission/Properties/FunctionName", 12, 21, "Ref names Handlr, which is neither a parameter nor a resource of the template"},
	}
	assertEqual(t, "findings", got, want)
	// The reader goes on: the model holds what could be read.
	if len(p.TargetGroups) != 1 || len(p.Permissions) != 1 {
		t.Fatalf("model: %d target groups, %d permissions", len(p.TargetGroups), len(p.Permissions))
	}
	assertEqual(t, "the unresolved target is left out", p.TargetGroups[0].Targets, []Target{})
	assertEqual(t, "the unresolved function", p.Permissions[0].Function, "")
	assertEqual(t, "the permission's principal", p.Permissions[0].Principal, "elasticloadbalancing.amazonaws.com")
}

func TestCloudFormationNumbers(t *testing.T) {
	src := `Parameters:
  Timeout:
    Type: Number
  Port:
    Type: Number
    Default: 8443
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Timeout: !Ref Timeout
      ReservedConcurrentExecutions: lots
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      Port: !Ref Port
      Protocol: HTTPS
`
	p, err := readCloudFormation("n.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "timeout falls back to Lambda's default", p.Functions[0].TimeoutSeconds, 3)
	assertEqual(t, "port from the parameter default", p.Listeners[0].Port, 8443)
	var msgs []string
	for _, f := range p.Findings {
		msgs = append(msgs, f.Pointer+": "+f.Message)
	}
	assertEqual(t, "findings", msgs, []string{
		"/Resources/Fn/Properties/Timeout: Timeout is ${Timeout}, known only at deployment; albcheck needs its value (give the parameter a Default)",
		`/Resources/Fn/Properties/ReservedConcurrentExecutions: ReservedConcurrentExecutions is "lots", not a whole number`,
	})
}

func TestCloudFormationExternalListener(t *testing.T) {
	src := `Resources:
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !ImportValue shared-https-listener
      Priority: 7
      Conditions:
        - Field: path-pattern
          Values: [/api/*]
      Actions:
        - Type: forward
          TargetGroupArn: !Ref Group
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
`
	p, err := readCloudFormation("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Listeners) != 1 || !p.Listeners[0].External || p.Listeners[0].Name != "${Fn::ImportValue:shared-https-listener}" {
		t.Fatalf("listeners = %+v", p.Listeners)
	}
	assertEqual(t, "forward", p.Listeners[0].Rules[0].Actions[0].Forward, []WeightedTargetGroup{{TargetGroup: "Group", Weight: 1}})
}

func TestCloudFormationBadInput(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"bad YAML", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: x: y\n", "bad.yaml: yaml: line 5: mapping values are not allowed"},
		{"bad JSON", "{\n \"Resources\": {\n  \"Fn\": {\"Type\": \"AWS::SNS::Topic\" \"Properties\": {}}\n }\n}\n", "bad.yaml:3:37: not valid JSON: invalid character '\"' after object key:value pair"},
		{"not a mapping", "- a\n- b\n", "bad.yaml: the template is not a mapping"},
		{"empty", "", "bad.yaml: the template is not a mapping"},
		{"Resources not a mapping", "AWSTemplateFormatVersion: '2010-09-09'\nResources: [a]\n", "bad.yaml:2: Resources must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readCloudFormation("bad.yaml", []byte(tt.src))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to start with %q", err, tt.want)
			}
		})
	}
}

// laughs is a "billion laughs" template: nine levels of aliases, each ten
// of the level below, used where the reader evaluates (a function name)
// and where it only walks (a resource it does not read).
func laughs(where string) string {
	var b strings.Builder
	b.WriteString("Lol:\n  l0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("  l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*l" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	b.WriteString("Resources:\n")
	switch where {
	case "eval":
		b.WriteString("  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Join ['', *l9]\n")
	case "walk":
		b.WriteString("  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *l9\n")
	}
	return b.String()
}

func TestCloudFormationBillionLaughs(t *testing.T) {
	for _, where := range []string{"eval", "walk"} {
		t.Run(where, func(t *testing.T) {
			start := time.Now()
			_, err := readCloudFormation("lol.yaml", []byte(laughs(where)))
			if err == nil || !strings.Contains(err.Error(), "lol.yaml: too much to read") {
				t.Errorf("err = %v; want too much to read", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestCloudFormationAliasCycle(t *testing.T) {
	src := "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      FunctionName: !Join ['', &a [x, *a]]\n"
	p, err := readCloudFormation("cycle.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Findings) == 0 || !strings.Contains(p.Findings[0].Message, "refers to a value that contains it") {
		t.Errorf("findings = %+v", p.Findings)
	}
}

// Fn::If may choose a list or a mapping, not only a string; the chosen
// branch is read with its own pointer.
func TestCloudFormationIfStructure(t *testing.T) {
	src := `Parameters:
  Stage: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [prod, !Ref Stage]
Resources:
  Fn:
    Type: AWS::Lambda::Function
  Group:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      TargetGroupAttributes: !If
        - IsProd
        - [{Key: lambda.multi_value_headers.enabled, Value: "true"}]
        - []
      Targets: !If [IsProd, [{Id: !GetAtt Fn.Arn}], !Ref AWS::NoValue]
      Matcher: !If [IsProd, {HttpCode: "200-204"}, {HttpCode: "200"}]
  Skipped:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Condition: NotProd
    Properties:
      TargetType: lambda
`
	src = strings.Replace(src, "Conditions:\n", "Conditions:\n  NotProd: !Not [!Condition IsProd]\n", 1)
	p, err := readCloudFormation("if.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Findings) != 0 {
		t.Errorf("findings: %+v", p.Findings)
	}
	if len(p.TargetGroups) != 1 {
		t.Fatalf("%d target groups; want 1 (Skipped's condition is false)", len(p.TargetGroups))
	}
	tg := p.TargetGroups[0]
	assertEqual(t, "mode", tg.Mode, validate.ModeMulti)
	assertEqual(t, "matcher", tg.HealthCheck.Matcher, "200-204")
	assertEqual(t, "targets", tg.Targets, []Target{{Function: "Fn", DependsOn: []string{"Fn"},
		Source: Source{File: "if.yaml", Pointer: "/Resources/Group/Properties/Targets/1/0", Line: 17, Column: 30}}})
}

// YAML merge keys (<<) are applied as YAML parsers do (the SAM CLI's
// included): settings shared through an anchor are the target group's.
func TestCloudFormationMergeKeys(t *testing.T) {
	src := `Resources:
  TG:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets: [{Id: arn:aws:lambda:eu-west-1:111122223333:function:api}]
      HealthCheckEnabled: true
      HealthCheckTimeoutSeconds: 20
      <<: &health
        HealthCheckPath: /health
        HealthCheckIntervalSeconds: 30
        HealthCheckTimeoutSeconds: 30
  Other:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      <<: [{TargetType: lambda}, *health]
      Targets: [{Id: arn:aws:lambda:eu-west-1:111122223333:function:api}]
`
	p, err := readCloudFormation("merge.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	hc := targetGroup(p, "TG").HealthCheck
	// The mapping's own key wins over the merged one.
	if hc.Path != "/health" || hc.IntervalSeconds != 30 || hc.TimeoutSeconds != 20 {
		t.Errorf("TG health check %+v, want /health every 30s, timeout 20s", hc)
	}
	other := targetGroup(p, "Other")
	if other.TargetType != "lambda" || other.HealthCheck.Path != "/health" {
		t.Errorf("Other: %s, health check %+v", other.TargetType, other.HealthCheck)
	}
}

// Merge keys that would copy a mapping many times over end with an error,
// as aliases do.
func TestCloudFormationMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("Resources:\n  TG:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Tags:\n")
	b.WriteString("        m0: &m0 {")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "k%d: v, ", i)
	}
	b.WriteString("}\n")
	for i := 1; i < 3000; i++ {
		fmt.Fprintf(&b, "        m%d: &m%d {<<: *m%d, x%d: v}\n", i, i, i-1, i)
	}
	start := time.Now()
	_, err := readCloudFormation("merge.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "merge.yaml: too much to read") {
		t.Errorf("err = %v; want too much to read", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("took %s", d)
	}
}

// The facts of sam-environment.yaml.golden, spelled out: SAM's Globals
// merged under a function's own variables (the function's win, Ref
// AWS::NoValue removes one), intrinsics resolved from parameter defaults,
// values known only at deployment kept apart, and no Globals for a plain
// AWS::Lambda::Function.
func TestCloudFormationEnvironment(t *testing.T) {
	data, err := os.ReadFile("testdata/infra/sam-environment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse("testdata/infra/sam-environment.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fn             string
		known, unknown map[string]string
	}{
		{"ApiFunction",
			map[string]string{"LOG_LEVEL": "debug", "STAGE": "prod", "PREFIX": "orders-prod/", "RETRIES": "3"},
			map[string]string{"TABLE": "${Table}", "TABLE_ARN": "${Table.Arn}", "API_KEY": "${ApiKey}"}},
		{"PlainFunction",
			map[string]string{"GREETING": "hello prod"},
			map[string]string{"REGION_NAME": "${AWS::Region}"}},
	} {
		f := p.FunctionNamed(tc.fn)
		if f == nil {
			t.Fatalf("no function %s", tc.fn)
		}
		if !maps.Equal(f.Environment, tc.known) {
			t.Errorf("%s: environment %v, want %v", tc.fn, f.Environment, tc.known)
		}
		if !maps.Equal(f.EnvironmentUnknown, tc.unknown) {
			t.Errorf("%s: known only at deployment %v, want %v", tc.fn, f.EnvironmentUnknown, tc.unknown)
		}
	}
}
