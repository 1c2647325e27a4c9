package infra

import "github.com/albcheck/albcheck/validate"

// KindInfra marks the rules about how load balancers and functions are
// wired in a project's infrastructure code (albcheck infra).
const KindInfra validate.Kind = "infra"

// The INFRA rules. Ids are stable, as validate's are.
const (
	INFRA001 validate.RuleID = "INFRA-001" // no invoke permission for the load balancer
	INFRA002 validate.RuleID = "INFRA-002" // a Lambda target group with several or non-Lambda targets
	INFRA003 validate.RuleID = "INFRA-003" // a Lambda target group nothing forwards to
	INFRA004 validate.RuleID = "INFRA-004" // a target registered before its permission exists
	INFRA005 validate.RuleID = "INFRA-005" // health check timeout shorter than the function's
	INFRA006 validate.RuleID = "INFRA-006" // health check interval not longer than its timeout
	INFRA007 validate.RuleID = "INFRA-007" // a health-check path the rules do not route to the function
	INFRA008 validate.RuleID = "INFRA-008" // two rules of one listener with one priority
	INFRA009 validate.RuleID = "INFRA-009" // conditions beyond the ALB's limits
	INFRA010 validate.RuleID = "INFRA-010" // a response-streaming function behind the ALB
	INFRA011 validate.RuleID = "INFRA-011" // health check settings on a Lambda target group whose checks are off
	INFRA012 validate.RuleID = "INFRA-012" // a redirect the ELB API refuses: a loop, or HTTPS to HTTP
	// RuleRef (INFRA-REF, ruleref.go) is reported by the readers, not by
	// Check.
)

const (
	outcomeDeployFails = "the deployment fails: the ELB API refuses it"
)

// rules is the INFRA rule table; every finding's severity and outcome come
// from here. Each rule cites where its fact comes from.
var rules = []validate.Rule{
	// "Lambda functions as targets" (ELB user guide), Prepare the Lambda
	// function: the load balancer needs permission to invoke the function
	// (aws lambda add-permission --principal elasticloadbalancing.amazonaws.com
	// --action lambda:InvokeFunction --source-arn TARGET-GROUP-ARN):
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
	// The CloudFormation reference for AWS::ElasticLoadBalancingV2::TargetGroup:
	// "Before you register a Lambda function as a target, you must create a
	// AWS::Lambda::Permission resource that grants the Elastic Load Balancing
	// service principal permission to invoke the Lambda function."
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html
	{ID: INFRA001, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a Lambda target group's function grants lambda:InvokeFunction (or lambda:*) to elasticloadbalancing.amazonaws.com, with no SourceArn or this target group's",
		Outcome: "registering the target fails, or the ALB cannot invoke the function: the client gets 502"},
	// "Quotas for your Application Load Balancers": Targets per Target Group
	// per Region (Lambda functions): 1, not adjustable.
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
	// "Lambda functions as targets": a target group of type lambda holds a
	// Lambda function.
	{ID: INFRA002, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a target group of type lambda has exactly one target, and it is a Lambda function",
		Outcome: outcomeDeployFails + " (one Lambda function per target group)"},
	// "Lambda functions as targets": register the function and configure a
	// listener rule to forward requests to its target group; "Listener
	// rules": a request is handled by a rule's actions or the default
	// rule's. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
	{ID: INFRA003, Severity: validate.Warning, AppliesTo: KindInfra,
		Summary: "a Lambda target group is forwarded to by a listener rule or a listener's default action",
		Outcome: "the function gets no traffic from the load balancer"},
	// The TargetGroup reference above (the permission must exist before the
	// registration), and the failures when it does not: aws-cdk #4663 and
	// terraform-aws-modules/terraform-aws-alb #210 ("apply twice"). The
	// Serverless Framework orders it itself, so Serverless files are not
	// checked.
	{ID: INFRA004, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a Lambda target is registered after the permission that lets the load balancer invoke it (DependsOn/depends_on)",
		Outcome: "the first deployment may fail with AccessDenied when the registration runs first; a second one succeeds (\"apply twice\")"},
	// CreateTargetGroup (ELB API reference): for a lambda target group health
	// checks are off by default; when on, HealthCheckTimeoutSeconds (default
	// 30 for lambda) is the time "during which no response from a target
	// means a failed health check". A health check invokes the function, so
	// an invocation slower than that fails the check. A warning: the function
	// may rarely run that long, and with every target unhealthy the ALB fails
	// open ("Health checks for your target groups"), so requests still flow;
	// what breaks is what reads the health (Route 53 failover, alarms).
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
	{ID: INFRA005, Severity: validate.Warning, AppliesTo: KindInfra,
		Summary: "an enabled health check's timeout is at least the function's timeout",
		Outcome: "a health check that runs as long as the function may fails: the target turns unhealthy while the function is only slow"},
	// The ELB API answers "ValidationError: Health check interval must be
	// greater than the timeout." (terraform-linters/tflint-ruleset-aws #404,
	// hashicorp/terraform-provider-aws #2366, aws-cdk #29075); the lambda
	// defaults are 35 and 30 seconds (CreateTargetGroup).
	{ID: INFRA006, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a target group's health check interval is longer than its timeout",
		Outcome: outcomeDeployFails + " (ValidationError: Health check interval must be greater than the timeout)"},
	// "Listener rules" and "Condition types for listener rules": rules are
	// evaluated in priority order, the default rule last; a path-pattern is
	// compared case-sensitively with * and ? wildcards, to the path only.
	// The health check reaches the function outside the rules, but the
	// function only ever sees the paths the rules route to it, so a health
	// check path outside them most likely gets its "not found" answer and
	// fails the matcher. A warning: the function may answer it anyway.
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
	{ID: INFRA007, Severity: validate.Warning, AppliesTo: KindInfra,
		Summary: "an enabled health check's path is one the listener rules route to the target group",
		Outcome: "the function gets a path it never serves: it likely answers 404 and the health check fails"},
	// CreateRule / SetRulePriorities (ELB API reference): PriorityInUse, "The
	// specified priority is in use." https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html
	{ID: INFRA008, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "the rules of one listener have distinct priorities",
		Outcome: outcomeDeployFails + " (PriorityInUse)"},
	// "Condition types for listener rules", Condition basics: at most one
	// host-header, http-request-method, path-pattern and source-ip condition
	// per rule; up to three match evaluations per condition and five per
	// rule; up to five wildcards per rule. Each value at most 128 characters
	// (PathPatternConfig, HostHeaderConfig, HttpHeaderConfig,
	// QueryStringConfig in the CloudFormation reference). "Quotas for your
	// Application Load Balancers" lists condition values and wildcards per
	// rule as not adjustable.
	{ID: INFRA009, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a rule's conditions are within the ALB's limits: at most one host-header, http-request-method, path-pattern and source-ip condition, 3 values per condition, 5 per rule, 5 wildcards per rule, 128 characters per value",
		Outcome: outcomeDeployFails},
	// "Using Lambda with an Application Load Balancer" (Lambda developer
	// guide): Elastic Load Balancing invokes the function synchronously
	// (Invoke). "Response streaming for Lambda functions": responses stream
	// through function URLs, InvokeWithResponseStream and API Gateway only.
	// https://docs.aws.amazon.com/lambda/latest/dg/services-alb.html
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
	{ID: INFRA010, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a function behind a load balancer is not configured for response streaming",
		Outcome: "the ALB invokes it with Invoke, never streaming: a streamed answer is not a response document it can use (502)"},
	// CreateTargetGroup: "If the target type is lambda, health checks are
	// disabled by default but can be enabled." Settings without the switch
	// are the "health checks never got enabled" reports: aws-cdk #6036,
	// hashicorp/terraform-provider-aws #6963, serverless #7888.
	{ID: INFRA011, Severity: validate.Warning, AppliesTo: KindInfra,
		Summary: "a Lambda target group with health check settings has health checks enabled",
		Outcome: "no health check runs: the settings have no effect"},
	// RedirectActionConfig (ELB API reference): "You must modify at least
	// one of the following components to avoid a redirect loop: protocol,
	// hostname, port, or path." Protocol: "You can redirect HTTP to HTTP,
	// HTTP to HTTPS, and HTTPS to HTTPS. You cannot redirect HTTPS to HTTP."
	// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html
	{ID: INFRA012, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "a redirect action changes the protocol, host, port or path, and does not go from an HTTPS listener to HTTP",
		Outcome: outcomeDeployFails},
	// The readers' rule (ruleref.go): an error, or a warning for a Fn::If
	// whose condition is only known at deployment.
	{ID: RuleRef, Severity: validate.Error, AppliesTo: KindInfra,
		Summary: "every reference and intrinsic function the wiring depends on resolves (a resource of the file, a parameter with a default); a condition only known at deployment is a warning",
		Outcome: "albcheck cannot tell what is wired to what; CloudFormation or Terraform refuses an unknown reference"},
}

var ruleIndex = func() map[validate.RuleID]*validate.Rule {
	m := make(map[validate.RuleID]*validate.Rule, len(rules))
	for i := range rules {
		m[rules[i].ID] = &rules[i]
	}
	return m
}()

// Rules returns the INFRA rules, in id order (INFRA-REF last).
func Rules() []validate.Rule {
	return append([]validate.Rule(nil), rules...)
}

// NewFinding makes a finding of an INFRA rule about an element of the
// model, at its Source: the rule's severity and outcome, the element's
// file, pointer, line and column.
func NewFinding(id validate.RuleID, at Source, message string) Finding {
	r := ruleIndex[id]
	f := Finding{File: at.File}
	f.Rule, f.Pointer, f.Message, f.Line, f.Column = id, at.Pointer, message, at.Line, at.Column
	if r != nil {
		f.Severity, f.ALBOutcome = r.Severity, r.Outcome
	}
	return f
}
