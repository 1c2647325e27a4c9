package fakeevent

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// DefaultUserAgent is the browser user agent a built event carries unless
// the caller sets one.
const DefaultUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// Builder makes a realistic event from a method and a target. Its methods
// return the builder, so calls chain; the first error is reported by Build.
//
//	ev, doc, err := fakeevent.New("POST", "/orders?src=app").JSON(order).Seed(7).Build()
type Builder struct {
	in      input
	opts    []Option
	cookies []string
	err     error
}

// New starts an event for a method and a target: a path with an optional
// query ("/users?id=1&tag=a&tag=b"), sent as is, or an absolute URL, whose
// scheme and host are used too.
func New(method, target string) *Builder {
	b := &Builder{in: input{method: method}}
	// What a client does before sending: the fragment stays with it, and
	// a space or control character is percent-encoded (a raw one cannot be
	// in a request line; validate's REQ-016).
	target, _, _ = strings.Cut(target, "#")
	target = encodeUnsendable(target)
	if !strings.HasPrefix(target, "/") {
		// An absolute URL: split it by hand so that the path and query stay
		// exactly as written (net/url would re-encode them).
		scheme, rest, ok := strings.Cut(target, "://")
		if !ok || scheme == "" {
			b.err = fmt.Errorf("target %q is neither a path (/orders?id=1) nor an absolute URL", target)
			return b
		}
		host, path, _ := strings.Cut(rest, "/")
		host, query, hasQuery := strings.Cut(host, "?")
		if host == "" {
			b.err = fmt.Errorf("target %q has no host", target)
			return b
		}
		// The host itself must parse ("http://[::1" does not): a client
		// could not have sent the request.
		if _, err := url.Parse(scheme + "://" + host + "/"); err != nil {
			b.err = fmt.Errorf("target %q: %w", target, err)
			return b
		}
		b.in.scheme, b.in.host = strings.ToLower(scheme), host
		target = "/" + path
		if hasQuery {
			target = "/?" + query
		}
	}
	b.in.path, b.in.rawQuery, _ = strings.Cut(target, "?")
	return b
}

// encodeUnsendable percent-encodes the bytes a client cannot put raw in a
// request target: space, control characters and DEL.
func encodeUnsendable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Header adds a request header; adding a name twice sends it twice (the last
// value wins in single mode, all are kept in multi mode).
func (b *Builder) Header(name, value string) *Builder {
	b.in.headers = append(b.in.headers, header{name, value})
	return b
}

// Cookie adds a cookie to the request's Cookie header.
func (b *Builder) Cookie(name, value string) *Builder {
	b.cookies = append(b.cookies, name+"="+value)
	return b
}

// Body sets the body as text. Without a Content-Type header the ALB treats
// it as binary and base64-encodes it, as it would for a real client.
func (b *Builder) Body(s string) *Builder {
	b.in.body = []byte(s)
	return b
}

// BodyBytes sets the body as bytes; they are not copied.
func (b *Builder) BodyBytes(p []byte) *Builder {
	b.in.body = p
	return b
}

// JSON sets the body to v encoded as JSON, with content-type
// application/json (unless one was set).
func (b *Builder) JSON(v any) *Builder {
	p, err := json.Marshal(v)
	if err != nil {
		b.fail(fmt.Errorf("encode JSON body: %w", err))
		return b
	}
	b.in.body = p
	return b.defaultHeader("Content-Type", "application/json")
}

// Form sets the body to form values, with content-type
// application/x-www-form-urlencoded: the ALB base64-encodes it.
func (b *Builder) Form(v url.Values) *Builder {
	b.in.body = []byte(v.Encode())
	return b.defaultHeader("Content-Type", "application/x-www-form-urlencoded")
}

// File sets the body to a file's bytes, with a content type from its
// extension (application/octet-stream when unknown) unless one was set.
func (b *Builder) File(path string) *Builder {
	p, err := os.ReadFile(path)
	if err != nil {
		b.fail(fmt.Errorf("read body file: %w", err))
		return b
	}
	b.in.body = p
	ct := mime.TypeByExtension(filepath.Ext(path))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return b.defaultHeader("Content-Type", ct)
}

// Host sets the Host header (default: an elb.amazonaws.com name for the
// region).
func (b *Builder) Host(host string) *Builder {
	b.in.host = host
	return b
}

// ClientIP sets the client's address.
func (b *Builder) ClientIP(ip string) *Builder { return b.With(WithClientIP(ip)) }

// Scheme sets the listener's protocol, http or https.
func (b *Builder) Scheme(s string) *Builder { return b.With(WithScheme(s)) }

// Port sets the listener's port.
func (b *Builder) Port(p int) *Builder { return b.With(WithPort(p)) }

// Mode sets the target group's mode.
func (b *Builder) Mode(m Mode) *Builder { return b.With(WithMode(m)) }

// MultiValue sets the target group's mode to multi.
func (b *Builder) MultiValue() *Builder { return b.With(WithMode(Multi)) }

// Seed makes the event reproducible: the same seed, the same bytes.
func (b *Builder) Seed(seed uint64) *Builder { return b.With(WithSeed(seed)) }

// TargetGroup sets parts of the target group's ARN.
func (b *Builder) TargetGroup(region, account, name, id string) *Builder {
	if region != "" {
		b.With(WithRegion(region))
	}
	return b.With(WithTargetGroup(account, name, id))
}

// With adds options.
func (b *Builder) With(opts ...Option) *Builder {
	b.opts = append(b.opts, opts...)
	return b
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func (b *Builder) has(name string) bool {
	for _, h := range b.in.headers {
		if strings.EqualFold(h.name, name) {
			return true
		}
	}
	return false
}

func (b *Builder) defaultHeader(name, value string) *Builder {
	if !b.has(name) {
		b.in.headers = append(b.in.headers, header{name, value})
	}
	return b
}

// Event returns the event.
func (b *Builder) Event() (events.ALBTargetGroupRequest, error) {
	if b.err != nil {
		return events.ALBTargetGroupRequest{}, b.err
	}
	in := b.in
	in.headers = append([]header(nil), b.in.headers...)
	if len(b.cookies) > 0 {
		in.headers = append(in.headers, header{"Cookie", strings.Join(b.cookies, "; ")})
	}
	if !b.has("User-Agent") {
		in.headers = append(in.headers, header{"User-Agent", DefaultUserAgent})
	}
	c, g := newConfig(b.opts)
	return makeEvent(in, c, g)
}

// Build returns the event and its JSON as a real ALB writes it (Marshal).
func (b *Builder) Build() (events.ALBTargetGroupRequest, []byte, error) {
	ev, err := b.Event()
	if err != nil {
		return ev, nil, err
	}
	return ev, Marshal(ev), nil
}
