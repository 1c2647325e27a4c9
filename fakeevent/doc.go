// Package fakeevent makes the request events a real Application Load Balancer
// sends to a Lambda target, from a Go builder or from an *http.Request, and
// turns events and response documents back into net/http values.
//
// The events follow the ALB contract (../shared/spec/alb-contract.md of the
// project): lower-case header names, the last value of a repeated header or
// query key in single mode and all of them in multi mode, query strings left
// URL-encoded exactly as sent, base64 bodies for every content type but the
// text ones, and the x-amzn-trace-id and x-forwarded-* headers the ALB adds.
// Requests a real ALB would refuse are refused with the status the client
// would get (see RefusedError). Every event made here passes package
// validate with no finding, warnings included.
//
// Events are real events.ALBTargetGroupRequest values from aws-lambda-go.
// Their JSON (Marshal) looks like a real ALB's, not like Go's struct encoding:
// the query map of the event's mode is always there, {} when empty.
package fakeevent
