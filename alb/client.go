package alb

import "time"

// Facts about the ALB's side of the client connection: what it gives the
// client for a function's reply, and how long it waits for the client.

const (
	// IdleTimeout is the ALB's default connection idle timeout: a client
	// connection on which no data is sent or received for this long is
	// closed, and a client that stops sending a request for this long gets
	// 408 (ELB user guide, "Edit attributes for your Application Load
	// Balancer", connection idle timeout: "By default, ELB sets the idle
	// timeout value for your load balancer to 60 seconds"; 408: [S4]).
	IdleTimeout = 60 * time.Second

	// DefaultResponseContentType is the Content-Type the client gets when the
	// function's reply sets none: a 2019 capture behind a real ALB, whose
	// function's headers were ignored, shows application/octet-stream
	// (kevinhakanson.com, "AWS ALB, Lambda Function Targets, and Multi-Value
	// Headers", 2019-10-25). HTTP servers that sniff the body (Go's, for one)
	// would say text/plain instead; the ALB does not sniff. The capture had
	// a body; albcheck gives the same type to every status that may carry
	// one (not 1xx, 204, 304), empty body or not.
	DefaultResponseContentType = "application/octet-stream"
)

// IsFinalStatus reports whether a function's statusCode can be the final
// status of the client's answer. A 1xx status is interim (RFC 9110 section
// 15.2): a final answer must follow it, and 101 would switch the client's
// connection to another protocol, which Lambda targets do not support
// (WebSockets are not, [S1]). No public record shows what a real ALB does
// with a 1xx from a function; albcheck treats it as a response the ALB cannot
// use, which the ALB answers with 502 (LambdaInvalidResponse) [S3][S4].
func IsFinalStatus(code int) bool {
	return code >= 200 && code <= 599
}
