package albroute

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/albcheck/albcheck/infra"
)

// The pages the condition behaviours come from.
const (
	conditionsPage = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html"
	queryAPIPage   = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_QueryStringConditionConfig.html"
	headerAPIPage  = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HttpHeaderConditionConfig.html"
)

// condKind is the field of a compiled condition.
type condKind uint8

const (
	condPath condKind = iota
	condHost
	condHeader
	condMethod
	condQuery
	condSourceIP
	condNever // a condition that cannot be honoured: the rule never matches
)

// cost ranks the kinds of condition by what testing one costs.
func (k condKind) cost() int {
	switch k {
	case condNever:
		return 0
	case condMethod, condSourceIP:
		return 1
	case condPath, condHost:
		return 2
	case condHeader:
		return 3
	default: // query strings are parsed and decoded
		return 4
	}
}

// condition is a listener rule condition compiled once. Any one of its
// values may match ("You can specify up to three match evaluations per
// condition ... The condition is satisfied if one of the strings matches",
// conditionsPage).
type condition struct {
	kind    condKind
	header  string   // http-header: the name, matched case-insensitively
	slot    int      // http-header: the name's index in the request's header cache
	globs   []glob   // path-pattern, host-header, http-header
	methods []string // http-request-method
	query   []queryPair
	cidrs   []netip.Prefix
}

// queryPair is one key/value pair of a query-string condition; a nil key
// matches any key.
type queryPair struct {
	key   *glob
	value glob
}

// Syntaxes of the condition fields (conditionsPage):
var (
	// "A path pattern is case-sensitive". It is compared with the path as
	// received, still percent-encoded: the guide lists the characters a
	// pattern may hold (no space, no non-ASCII) and says the pattern "is
	// applied only to the path of the URL" and "does not alter" the
	// request, which the ALB forwards with its percent-encoding (alb-contract:
	// "The path keeps its percent-encoding"). A path with an encoded
	// character is matched by writing the escape in the pattern
	// (/caf%C3%A9), as users report
	// (https://twelvescompany.co.uk/post/how-to-properly-format-url-path-in-aws-elb-path-rule).
	// The guide does not say it in so many words: this is the reading that
	// fits what it does say.
	pathSyntax = globSyntax{}
	// "A hostname is case-insensitive"; wildcards * and ?.
	hostSyntax = globSyntax{fold: true}
	// "The header name and the match evaluation are case-insensitive";
	// wildcards in the values, not in the name.
	headerSyntax = globSyntax{fold: true}
	// "The match evaluation is not case-sensitive"; "To search for a literal
	// '*' or '?' character in a query string, you must escape these
	// characters in Values using a '\' character", and in the query string
	// "Any character can be percentage encoded" (queryAPIPage): keys and
	// values are compared decoded, so %XX in a condition value and in the
	// request stand for the same byte.
	querySyntax = globSyntax{fold: true, escapes: true, decode: true}
)

// compileCondition compiles one condition of rule, adding what cannot be
// honoured to problems.
func compileCondition(c infra.Condition, rule string, problems *[]Problem) condition {
	never := func(format string, args ...any) condition {
		*problems = append(*problems, Problem{Rule: rule, Source: c.Source, Message: fmt.Sprintf(format, args...) + ": the rule never matches"})
		return condition{kind: condNever}
	}
	if c.Field == "query-string" {
		if len(c.Query) == 0 {
			return never("query-string condition without key/value pairs")
		}
		out := condition{kind: condQuery}
		for _, kv := range c.Query {
			p := queryPair{value: compileGlob(kv.Value, querySyntax)}
			if kv.Key != "" {
				k := compileGlob(kv.Key, querySyntax)
				p.key = &k
			}
			out.query = append(out.query, p)
		}
		return out
	}
	if len(c.Values) == 0 {
		return never("%s condition without values", c.Field)
	}
	switch c.Field {
	case "path-pattern":
		return condition{kind: condPath, globs: compileAll(c.Values, pathSyntax)}
	case "host-header":
		return condition{kind: condHost, globs: compileAll(c.Values, hostSyntax)}
	case "http-header":
		if c.HeaderName == "" {
			return never("http-header condition without a header name")
		}
		if strings.EqualFold(c.HeaderName, "host") {
			// "You can't use an HTTP header condition to specify the host
			// header" (headerAPIPage): the ALB refuses it; emulated anyway.
			*problems = append(*problems, Problem{Rule: rule, Source: c.Source, Message: "http-header condition on the Host header: the ALB refuses it (use host-header); emulated as written"})
		}
		return condition{kind: condHeader, header: c.HeaderName, globs: compileAll(c.Values, headerSyntax)}
	case "http-request-method":
		// "The match evaluation is case-sensitive. Wildcard characters are
		// not supported; therefore, the method name must be an exact match."
		return condition{kind: condMethod, methods: c.Values}
	case "source-ip":
		// "The IP address must be specified in CIDR format. You can use both
		// IPv4 and IPv6 addresses."
		out := condition{kind: condSourceIP}
		for _, v := range c.Values {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				*problems = append(*problems, Problem{Rule: rule, Source: c.Source, Message: fmt.Sprintf("source-ip value %q is not a CIDR block: it never matches", v)})
				continue
			}
			out.cidrs = append(out.cidrs, p.Masked())
		}
		return out
	default:
		return never("unknown condition field %q", c.Field)
	}
}

func compileAll(values []string, syn globSyntax) []glob {
	out := make([]glob, len(values))
	for i, v := range values {
		out[i] = compileGlob(v, syn)
	}
	return out
}

// request is a Request being routed, with what the conditions look at
// worked out once, on first use.
type request struct {
	Request
	host     string // the Host header's name without its port
	hostDone bool
	// The decoded key/value pairs of RawQuery: the first ones in an array
	// (a slice of it would make the request escape to the heap), the rest
	// in more.
	queryN     int
	queryDone  bool
	queryArray [8]pair
	more       []pair
	client     netip.Addr

	// The values of the headers the rules look at, found in one pass over
	// Headers rather than one per condition: headerNames[i] (lower case) has
	// headers[i]. headerSplit[i] is set when the request sends the name in
	// two spellings (two map entries), which the conditions then scan.
	headerNames []string
	headersDone bool
	headers     [maxIndexedHeaders][]string
	headerSplit [maxIndexedHeaders]bool
}

// maxIndexedHeaders is how many header names a request caches; conditions
// on further names scan the headers.
const maxIndexedHeaders = 8

func (r *request) indexHeaders() {
	if r.headersDone {
		return
	}
	r.headersDone = true
	names := r.headerNames[:min(len(r.headerNames), maxIndexedHeaders)]
	for name, values := range r.Headers {
		for i, want := range names {
			if len(name) == len(want) && strings.EqualFold(name, want) {
				if r.headers[i] != nil {
					r.headerSplit[i] = true
				}
				r.headers[i] = values
			}
		}
	}
}

type pair struct{ key, value string }

func (c *condition) matches(r *request) bool {
	switch c.kind {
	case condPath:
		// "The path pattern is compared only to the path of the URL, not to
		// its query string" (PathPatternConditionConfig).
		return anyGlob(c.globs, r.Path)
	case condHost:
		return anyGlob(c.globs, r.hostname())
	case condHeader:
		// "If the same header appears multiple times in the request, we
		// search them in order until a match is found" (headerAPIPage).
		if c.slot < len(r.headers) {
			r.indexHeaders()
			if !r.headerSplit[c.slot] {
				for _, v := range r.headers[c.slot] {
					if anyGlob(c.globs, v) {
						return true
					}
				}
				return false
			}
		}
		for name, values := range r.Headers {
			if !strings.EqualFold(name, c.header) {
				continue
			}
			for _, v := range values {
				if anyGlob(c.globs, v) {
					return true
				}
			}
		}
		return false
	case condMethod:
		for _, m := range c.methods {
			if m == r.Method {
				return true
			}
		}
		return false
	case condQuery:
		// "If you specify multiple key/value pairs or values, the condition
		// is satisfied if one of them is found in the query string"
		// (queryAPIPage); a pair without a key matches any key ("any key set
		// to example", conditionsPage).
		r.parseQuery()
		for i := range r.queryN + len(r.more) {
			p := r.pair(i)
			for j := range c.query {
				q := &c.query[j]
				if (q.key == nil || q.key.match(p.key)) && q.value.match(p.value) {
					return true
				}
			}
		}
		return false
	case condSourceIP:
		// "This condition is not satisfied by the addresses in the
		// X-Forwarded-For header" (conditionsPage): the connection's
		// address only. An IPv4 client on a dual-stack socket arrives as
		// ::ffff:a.b.c.d and is compared as IPv4.
		if !r.client.IsValid() {
			return false
		}
		for _, p := range c.cidrs {
			if p.Contains(r.client) {
				return true
			}
		}
		return false
	default:
		return false
	}
}

func anyGlob(globs []glob, s string) bool {
	for i := range globs {
		if globs[i].match(s) {
			return true
		}
	}
	return false
}

// hostname is the host name of the Host header: host conditions "route
// requests based on the host name in the host header" (conditionsPage), so
// a port the client sent is not part of it.
func (r *request) hostname() string {
	if r.hostDone {
		return r.host
	}
	r.hostDone = true
	h := r.Host
	if h == "" {
		for name, values := range r.Headers {
			if strings.EqualFold(name, "host") && len(values) > 0 {
				h = values[0]
				break
			}
		}
	}
	r.host = stripPort(h)
	return r.host
}

// stripPort removes a :port from a Host header value; an IPv6 literal
// keeps its brackets.
func stripPort(h string) string {
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end > 0 {
			return h[:end+1]
		}
		return h
	}
	i := strings.LastIndexByte(h, ':')
	if i < 0 {
		return h
	}
	for _, c := range []byte(h[i+1:]) {
		if c < '0' || c > '9' {
			return h
		}
	}
	return h[:i]
}

// parseQuery splits the query string at '&' into key/value pairs at the
// first '=', each percent-decoded. A parameter without '=' is a key with
// an empty value, as url.ParseQuery reads it.
func (r *request) parseQuery() {
	if r.queryDone {
		return
	}
	r.queryDone = true
	q := r.RawQuery
	for q != "" {
		var part string
		part, q, _ = strings.Cut(q, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		p := pair{percentDecode(k), percentDecode(v)}
		if r.queryN < len(r.queryArray) {
			r.queryArray[r.queryN] = p
			r.queryN++
		} else {
			r.more = append(r.more, p)
		}
	}
}

// pair is the i-th pair of the query string.
func (r *request) pair(i int) *pair {
	if i < r.queryN {
		return &r.queryArray[i]
	}
	return &r.more[i-r.queryN]
}
