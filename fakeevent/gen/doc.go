// Package gen generates realistic ALB request events on purpose: the inputs
// that break Lambda functions behind an Application Load Balancer and that
// nobody writes fixtures for. Paths with encoded slashes, unicode and dot
// segments, query strings left URL-encoded with repeated keys and empty
// values, headers in the client's casing with odd cookies and large values,
// bodies of every content type following the ALB's base64 rule, health
// checks, both target-group modes.
//
// Every choice comes from a Source: a seeded PCG (NewSource) for a
// reproducible run, or a byte slice (BytesSource) so that Go's native
// fuzzing steers the generator with coverage guidance. Events are built by
// package fakeevent, so what the ALB does to a request (lower-case names,
// the last value in single mode, base64 bodies, its own headers, its limits)
// has one source of truth. Every generated event passes
// validate.Request with validate.WithStrict(true): a fuzzer must never blame
// a function for an input no ALB would send.
//
// A generated Request is the client's request, before the ALB: it can be
// mutated (Mutate), made from a fixture's event (FromEvent) and made
// smaller (Shrinks) while it keeps failing.
package gen
