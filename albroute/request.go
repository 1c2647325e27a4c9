package albroute

import (
	"fmt"
	"net/netip"

	"github.com/albcheck/albcheck/infra"
)

// Request is what the ALB looks at to route a request.
type Request struct {
	Method string
	// Path is the path as received, still percent-encoded, without the
	// query: the ALB matches path patterns against it and forwards it
	// unaltered.
	Path string
	// RawQuery is the query string as received, without the leading '?'.
	RawQuery string
	// Headers are the request's headers with their names as sent; a name
	// may appear in any case, and a header sent several times has several
	// values.
	Headers map[string][]string
	// Host is the Host header as sent (it may carry a port). When empty, a
	// "host" entry of Headers is used.
	Host string
	// ClientIP is the address of the client's connection, not one from
	// X-Forwarded-For.
	ClientIP netip.Addr
	// Protocol (HTTP or HTTPS) and Port are the listener's as the client
	// sees them; zero values take the listener's own, so that a listener on
	// 443 served locally on 8443 still redirects to 443.
	Protocol string
	Port     int
}

// Kind is what the load balancer does with a request.
type Kind string

// The kinds of Decision.
const (
	Forward       Kind = "forward"
	FixedResponse Kind = "fixed-response"
	Redirect      Kind = "redirect"
	// CannotHonour is a request routed to a rule or action the emulator
	// cannot carry out; Decision.Reason says why and Router.Problems listed
	// it at start.
	CannotHonour Kind = "cannot-honour"
)

// DefaultRule is the Decision.Rule of a request no rule matched.
const DefaultRule = "default"

// Decision is the outcome of routing one request.
type Decision struct {
	// Rule is the name of the rule that matched, or DefaultRule when the
	// listener's default actions apply; Priority is its priority (0 for the
	// default).
	Rule     string
	Priority int
	Kind     Kind
	// TargetGroup is the target group a forward chose.
	TargetGroup string
	// Status is the HTTP status of a fixed response or a redirect.
	Status int
	// ContentType and Body are a fixed response's.
	ContentType string
	Body        string
	// Location is a redirect's Location header.
	Location string
	// Reason says why a request cannot be honoured.
	Reason string
	// NotEmulated lists the authenticate actions (authenticate-oidc,
	// authenticate-cognito) the request passed through without being
	// authenticated. The slice is shared: do not modify it.
	NotEmulated []string
}

// String is a one-line summary for logs.
func (d Decision) String() string {
	var what string
	switch d.Kind {
	case Forward:
		what = "forward to " + d.TargetGroup
	case FixedResponse:
		what = fmt.Sprintf("fixed response %d", d.Status)
	case Redirect:
		what = fmt.Sprintf("redirect %d to %s", d.Status, d.Location)
	default:
		what = "cannot honour: " + d.Reason
	}
	rule := d.Rule
	if rule != DefaultRule {
		rule = fmt.Sprintf("rule %s (priority %d)", d.Rule, d.Priority)
	}
	if len(d.NotEmulated) > 0 {
		what += fmt.Sprintf(" (%v not emulated)", d.NotEmulated)
	}
	return rule + ": " + what
}

// Problem is something in a listener's rules the emulator cannot honour,
// or that the ALB would refuse. Serve logs each once at start.
type Problem struct {
	// Rule is the rule's name, or DefaultRule for the default actions.
	Rule    string
	Source  infra.Source
	Message string
}

// String is the problem as serve logs it: file:line: rule: message.
func (p Problem) String() string {
	at := p.Source.File
	if at != "" && p.Source.Line > 0 {
		at = fmt.Sprintf("%s:%d", at, p.Source.Line)
	}
	if at != "" {
		at += ": "
	}
	return fmt.Sprintf("%s%s: %s", at, p.Rule, p.Message)
}
