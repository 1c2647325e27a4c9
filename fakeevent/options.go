package fakeevent

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Mode is a target group's mode: multi-value headers off (Single, the
// default) or on (Multi).
type Mode string

// Modes.
const (
	Single Mode = "single"
	Multi  Mode = "multi"
)

// Option configures how an event is made.
type Option func(*config)

type config struct {
	mode Mode
	// clientIPExplicit: WithClientIP was given, so it wins over the
	// request's own remote address.
	clientIPExplicit bool
	seed             uint64
	seeded           bool
	clientIP         string
	scheme           string
	port             int
	region           string
	account          string
	tgName           string
	tgID             string
	arn              string
	now              time.Time
}

// WithMode sets the target group's mode.
func WithMode(m Mode) Option { return func(c *config) { c.mode = m } }

// WithMultiValue is WithMode(Multi).
func WithMultiValue() Option { return WithMode(Multi) }

// WithSeed makes every generated value (client address, ids, times) follow
// from seed: the same seed gives byte-identical events. Without a seed each
// event gets fresh random values.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed, c.seeded = seed, true }
}

// WithClientIP sets the address of the client as the ALB sees it (appended
// to x-forwarded-for).
func WithClientIP(ip string) Option {
	return func(c *config) { c.clientIP, c.clientIPExplicit = ip, ip != "" }
}

// WithScheme sets the listener's protocol, "http" or "https" (default: the
// request's, else https).
func WithScheme(scheme string) Option { return func(c *config) { c.scheme = scheme } }

// WithPort sets the listener's port (default: 443 for https, 80 for http).
func WithPort(port int) Option { return func(c *config) { c.port = port } }

// WithRegion sets the AWS region of the load balancer (default us-east-1).
func WithRegion(region string) Option { return func(c *config) { c.region = region } }

// WithTargetGroup sets the parts of the target group's ARN; empty parts keep
// their generated defaults.
func WithTargetGroup(account, name, id string) Option {
	return func(c *config) {
		if account != "" {
			c.account = account
		}
		if name != "" {
			c.tgName = name
		}
		if id != "" {
			c.tgID = id
		}
	}
}

// WithTargetGroupARN sets the whole target-group ARN.
func WithTargetGroupARN(arn string) Option { return func(c *config) { c.arn = arn } }

// WithTime sets the time the ALB received the request (the trace id carries
// its seconds). Default: now, or a fixed time derived from the seed.
func WithTime(t time.Time) Option { return func(c *config) { c.now = t } }

// generator holds the random source of one event.
type generator struct {
	r *rand.Rand
}

func newConfig(opts []Option) (*config, *generator) {
	c := &config{mode: Single}
	for _, o := range opts {
		o(c)
	}
	seed := c.seed
	if !c.seeded {
		var b [8]byte
		_, _ = crand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc908))}
	// Draw every default in a fixed order, used or not, so that one option
	// does not shift the others' values.
	ip := g.publicIPv4()
	account := strconv.FormatInt(1e12+g.r.Int64N(1e12), 10)[1:] // 12 digits, leading zeros kept
	tgID := g.hex(16)
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.Int64N(300*24*3600)) * time.Second)
	if c.clientIP == "" {
		c.clientIP = ip
	}
	if c.account == "" {
		c.account = account
	}
	if c.tgID == "" {
		c.tgID = tgID
	}
	if c.tgName == "" {
		c.tgName = "lambda-target"
	}
	if c.region == "" {
		c.region = "us-east-1"
	}
	if c.now.IsZero() {
		c.now = time.Now()
		if c.seeded {
			c.now = when
		}
	}
	return c, g
}

func (c *config) targetGroupARN() string {
	if c.arn != "" {
		return c.arn
	}
	return "arn:aws:elasticloadbalancing:" + c.region + ":" + c.account + ":targetgroup/" + c.tgName + "/" + c.tgID
}

// defaultHost is the DNS name of an ALB in the region.
func (c *config) defaultHost() string {
	var n uint64
	for _, ch := range c.tgID {
		n = n*31 + uint64(ch)
	}
	return fmt.Sprintf("%s-%010d.%s.elb.amazonaws.com", c.tgName, n%1e10, c.region)
}

const hexDigits = "0123456789abcdef"

func (g *generator) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[g.r.IntN(16)]
	}
	return string(b)
}

// traceID is a new X-Ray trace id: Root=1-<8 hex seconds>-<24 hex>.
func (g *generator) traceID(now time.Time) string {
	b := make([]byte, 0, 40)
	b = append(b, "Root=1-"...)
	secs := uint32(now.Unix())
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[secs>>uint(shift)&0xf])
	}
	b = append(b, '-')
	for range 24 {
		b = append(b, hexDigits[g.r.IntN(16)])
	}
	return string(b)
}

// publicIPv4 draws a plausible public IPv4 address: no private, loopback,
// link-local, shared, documentation, multicast or reserved range.
func (g *generator) publicIPv4() string {
	for {
		a, b := 1+g.r.IntN(223), g.r.IntN(256)
		switch {
		case a == 10, a == 127, a == 0,
			a == 100 && b >= 64 && b < 128,
			a == 169 && b == 254,
			a == 172 && b >= 16 && b < 32,
			a == 192 && (b == 168 || b == 0),
			a == 198 && (b == 18 || b == 19 || b == 51),
			a == 203 && b == 0:
			continue
		}
		return strconv.Itoa(a) + "." + strconv.Itoa(b) + "." + strconv.Itoa(g.r.IntN(256)) + "." + strconv.Itoa(1+g.r.IntN(254))
	}
}
