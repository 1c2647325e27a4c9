// Package infra reads the load balancers of a project from its
// infrastructure code (CloudFormation and SAM templates, which covers the
// CDK's synthesized templates; Terraform plans in JSON; Serverless Framework
// configuration) into one model, and checks how the ALB and its Lambda
// functions are wired.
//
// Every element of the model carries its Source: the file, the JSON Pointer
// of the resource in it and its line and column, so that a finding about the
// wiring points at the template a pull request changes.
package infra

import "github.com/albcheck/albcheck/validate"

// Format names the kind of file a model was read from.
type Format string

// Formats, each detected from a file's content.
const (
	CloudFormation Format = "cloudformation" // also SAM and the CDK's cdk.out/*.template.json
	Terraform      Format = "terraform"      // terraform show -json PLAN
	Serverless     Format = "serverless"     // serverless.yml
)

// Source says where an element of the model is written.
type Source struct {
	File string `json:"file"`
	// Pointer is the RFC 6901 JSON Pointer of the element in the file (for
	// YAML, the pointer of the same node read as JSON).
	Pointer string `json:"pointer"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	// Generated names the tool that makes the element from what is written
	// at Pointer, when the file does not declare it itself: "serverless" for
	// the target groups, listener rules and invoke permission the Serverless
	// Framework creates from a function's alb events.
	Generated string `json:"generated,omitempty"`
}

// Project is the load balancers of one or more files and what they route to.
// Names are the template's logical ids, the Terraform resource addresses or
// the Serverless function names; references between elements use them.
type Project struct {
	Format        Format          `json:"format"`
	LoadBalancers []*LoadBalancer `json:"loadBalancers"`
	Listeners     []*Listener     `json:"listeners"`
	TargetGroups  []*TargetGroup  `json:"targetGroups"`
	Functions     []*Function     `json:"functions"`
	Permissions   []*Permission   `json:"permissions"`
	// Findings are problems met while reading (an intrinsic that cannot be
	// resolved, a reference to a resource that does not exist) and, after
	// Check, the wiring rules' findings. Each names its file in Source.
	Findings []Finding `json:"-"`
	// formats is the format of each file, when the files are of several:
	// Format is the first file's.
	formats map[string]Format
}

// formatOf is the format of the file an element was read from.
func (p *Project) formatOf(src Source) Format {
	if f, ok := p.formats[src.File]; ok {
		return f
	}
	return p.Format
}

// Finding is a validate finding about a place in an infrastructure file.
type Finding struct {
	validate.Finding
	File string
}

// LoadBalancer is an application load balancer.
type LoadBalancer struct {
	Name   string `json:"name"`
	Scheme string `json:"scheme,omitempty"` // internet-facing or internal
	Source Source `json:"source"`
}

// Listener is a port the load balancer listens on, its rules in priority
// order, and the default actions that apply when no rule matches.
type Listener struct {
	Name         string `json:"name"`
	LoadBalancer string `json:"loadBalancer,omitempty"`
	// External is set for a listener the file does not define but attaches
	// rules to (a ListenerArn imported from another stack or written as an
	// ARN): Name is the ARN as written, and only Rules are known.
	External       bool     `json:"external,omitempty"`
	Port           int      `json:"port"`
	Protocol       string   `json:"protocol"` // HTTP or HTTPS
	Rules          []*Rule  `json:"rules"`
	DefaultActions []Action `json:"defaultActions"`
	Source         Source   `json:"source"`
}

// Rule is a listener rule: all of its conditions must match for its actions
// to apply.
type Rule struct {
	Name       string      `json:"name"`
	Priority   int         `json:"priority"`
	Conditions []Condition `json:"conditions"`
	Actions    []Action    `json:"actions"`
	Source     Source      `json:"source"`
}

// Condition is one condition of a listener rule. Field is the ALB's field
// name: path-pattern, host-header, http-header, http-request-method,
// query-string or source-ip. Any one of Values (or of Query) may match.
type Condition struct {
	Field string `json:"field"`
	// HeaderName is the header an http-header condition looks at.
	HeaderName string     `json:"headerName,omitempty"`
	Values     []string   `json:"values,omitempty"`
	Query      []KeyValue `json:"query,omitempty"`
	Source     Source     `json:"source"`
}

// KeyValue is one pair of a query-string condition; an empty Key matches
// any key.
type KeyValue struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value"`
}

// Action is what a rule or a listener's default does with a request.
// Type is forward, redirect, fixed-response, authenticate-oidc or
// authenticate-cognito.
type Action struct {
	Type  string `json:"type"`
	Order int    `json:"order,omitempty"`
	// Forward lists the target groups of a forward action, each with its
	// weight (1 when the action names a single target group).
	Forward       []WeightedTargetGroup `json:"forward,omitempty"`
	Redirect      *Redirect             `json:"redirect,omitempty"`
	FixedResponse *FixedResponse        `json:"fixedResponse,omitempty"`
	Source        Source                `json:"source"`
}

// WeightedTargetGroup is a target group of a forward action.
type WeightedTargetGroup struct {
	TargetGroup string `json:"targetGroup"`
	Weight      int    `json:"weight"`
}

// Redirect is a redirect action. Empty fields keep the request's value
// (the ALB's #{protocol}, #{host}, ... defaults).
type Redirect struct {
	Protocol   string `json:"protocol,omitempty"`
	Host       string `json:"host,omitempty"`
	Port       string `json:"port,omitempty"`
	Path       string `json:"path,omitempty"`
	Query      string `json:"query,omitempty"`
	StatusCode string `json:"statusCode"` // HTTP_301 or HTTP_302
}

// FixedResponse is a fixed-response action.
type FixedResponse struct {
	StatusCode  string `json:"statusCode"`
	ContentType string `json:"contentType,omitempty"`
	MessageBody string `json:"messageBody,omitempty"`
}

// TargetGroup is a target group; for a Lambda target group Mode says
// whether the lambda.multi_value_headers.enabled attribute is on.
type TargetGroup struct {
	Name       string        `json:"name"`
	TargetType string        `json:"targetType"` // lambda, instance, ip or alb
	Mode       validate.Mode `json:"mode"`       // single or multi
	// Targets are the registered targets: function names for Lambda
	// targets, the raw id otherwise.
	Targets     []Target    `json:"targets"`
	HealthCheck HealthCheck `json:"healthCheck"`
	Source      Source      `json:"source"`
}

// Target is a target registered with a target group.
type Target struct {
	// Function is the name of a function of the model, when the target is
	// one; ID is the target as written otherwise.
	Function string `json:"function,omitempty"`
	ID       string `json:"id,omitempty"`
	// Qualifier is the alias or version of Function the target names
	// (function:NAME:QUALIFIER), empty for the unqualified function. A
	// grant on one qualifier does not let the ALB invoke another.
	Qualifier string `json:"qualifier,omitempty"`
	// DependsOn lists the names this registration waits for before it is
	// made (explicit DependsOn/depends_on and references), transitively
	// closed by the reader, so that INFRA rules can tell whether the
	// permission exists first.
	DependsOn []string `json:"dependsOn,omitempty"`
	Source    Source   `json:"source"`
}

// HealthCheck is a target group's health check. For Lambda target groups
// health checks are off unless enabled.
type HealthCheck struct {
	Enabled            bool   `json:"enabled"`
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int    `json:"intervalSeconds,omitempty"`
	TimeoutSeconds     int    `json:"timeoutSeconds,omitempty"`
	HealthyThreshold   int    `json:"healthyThreshold,omitempty"`
	UnhealthyThreshold int    `json:"unhealthyThreshold,omitempty"`
	Matcher            string `json:"matcher,omitempty"`
	Source             Source `json:"source"`
}

// Function is a Lambda function.
type Function struct {
	Name string `json:"name"`
	// FunctionName is the deployed function's name when the file gives it.
	FunctionName   string `json:"functionName,omitempty"`
	Runtime        string `json:"runtime,omitempty"`
	Handler        string `json:"handler,omitempty"`
	TimeoutSeconds int    `json:"timeoutSeconds"` // Lambda's default is 3
	// Code is where the code is: a CodeUri folder, a zip file name or an
	// artifact path, as written.
	Code string `json:"code,omitempty"`
	// CodeDir is the folder of the function's source when the file names
	// one apart from Code, relative to the file as written: a serverless
	// service's folder (its handler paths start there), the source_dir of
	// the Terraform archive_file that makes the function's zip.
	CodeDir string `json:"codeDir,omitempty"`
	// ReservedConcurrency is the reserved concurrent executions, or -1 when
	// none is set.
	ReservedConcurrency int `json:"reservedConcurrency"`
	// Streaming is set when the function is configured for response
	// streaming, which an ALB does not support.
	Streaming bool `json:"streaming,omitempty"`
	// Environment is the function's environment variables with the values
	// the file gives them (SAM's Globals and the function's own, Serverless's
	// provider and function environment, Terraform's environment block),
	// for albcheck to run the function as Lambda would. Values may be
	// secrets: the text output of albcheck infra shows names only.
	Environment map[string]string `json:"environment,omitempty"`
	// EnvironmentUnknown is the variables whose value is known only at
	// deployment (a resource's Ref or attribute, a variable of another
	// source, a value Terraform knows after apply), each with its value as
	// written. albcheck runs the function without them rather than with a
	// placeholder the code would take for the value; a warning says so.
	EnvironmentUnknown map[string]string `json:"environmentUnknown,omitempty"`
	Source             Source            `json:"source"`
}

// setEnv records a variable's value, or that it is known only at
// deployment (unknown), so that a later source (a SAM function over its
// Globals, a Serverless function over its provider) replaces either.
func (f *Function) setEnv(name, value string, unknown bool) {
	if unknown {
		delete(f.Environment, name)
		if f.EnvironmentUnknown == nil {
			f.EnvironmentUnknown = map[string]string{}
		}
		f.EnvironmentUnknown[name] = value
		return
	}
	delete(f.EnvironmentUnknown, name)
	if f.Environment == nil {
		f.Environment = map[string]string{}
	}
	f.Environment[name] = value
}

// Permission is a resource-based policy statement on a function
// (AWS::Lambda::Permission, aws_lambda_permission). Serverless creates the
// load balancer's permission itself; its reader adds one per function.
type Permission struct {
	Name     string `json:"name"`
	Function string `json:"function"` // the function's name in the model, or as written
	// Qualifier is the alias or version the grant is on, as for
	// Target.Qualifier.
	Qualifier string `json:"qualifier,omitempty"`
	Action    string `json:"action"`
	Principal string `json:"principal"`
	// SourceTargetGroup is the target group the grant is limited to (its
	// SourceArn), by name in the model; SourceArn is the raw value when it
	// names no target group of the model.
	SourceTargetGroup string `json:"sourceTargetGroup,omitempty"`
	SourceArn         string `json:"sourceArn,omitempty"`
	Source            Source `json:"source"`
}
