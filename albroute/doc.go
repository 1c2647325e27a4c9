// Package albroute routes a request through an Application Load Balancer
// listener's rules as the ALB does: rules in priority order, the default
// actions last, every condition type of the ELB guide, and the forward,
// weighted forward, redirect and fixed-response actions.
//
// A listener of the infra model is compiled once with Compile: patterns are
// prepared, CIDR blocks parsed and redirect templates split, so that routing
// a request costs well under a microsecond and never uses a regular
// expression. What the emulator cannot honour (an unknown condition field,
// an unsupported action, a value the ALB would reject) is listed once by
// Router.Problems, so that serve can log each at start, and a request that
// reaches it gets a Decision of kind CannotHonour with the reason.
//
// albroute depends on the infra model only: serve and replay wire it, it
// never imports them.
//
// The ALB behaviours, each cited where it is implemented, come from the ELB
// user guide for Application Load Balancers:
//   - Listener rules: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
//   - Condition types: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
//   - Action types: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html
//
// and from the ELBv2 API reference for the details the guide leaves to it
// (RedirectActionConfig, FixedResponseActionConfig, QueryStringConditionConfig,
// HttpHeaderConditionConfig).
package albroute
