package albroute

import (
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/infra"
)

// redirectAPIPage documents each component of a redirect and its reserved
// keywords; actionsPage ("Redirect actions") the same with examples, and
// which component each keyword may be used in (also in the guide's source,
// https://github.com/awsdocs/elb-application-load-balancers-user-guide/blob/master/doc_source/load-balancer-listeners.md#redirect-actions).
const redirectAPIPage = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RedirectActionConfig.html"

// placeholder is a reserved keyword of a redirect.
type placeholder uint8

const (
	literal placeholder = iota
	phProtocol
	phHost
	phPort
	phPath
	phQuery
)

var placeholderNames = map[string]placeholder{
	"#{protocol}": phProtocol,
	"#{host}":     phHost,
	"#{port}":     phPort,
	"#{path}":     phPath,
	"#{query}":    phQuery,
}

// part is a piece of a redirect component: literal text, or a keyword.
type part struct {
	ph  placeholder
	lit string
}

type template []part

// redirectTemplate is a redirect action compiled once. "Any components
// that you do not modify retain their original values" (redirectAPIPage):
// an empty component is the keyword that keeps it, and the path's default
// is "/#{path}" since #{path} is the path with "the leading "/" removed".
type redirectTemplate struct {
	status   int
	protocol template // "#{protocol}", "HTTP" or "HTTPS"
	host     template
	port     template
	path     template
	query    template
}

// Where each keyword may be used ("You can reuse URI components of the
// original URL in the target URL using the following reserved keywords",
// actionsPage): #{protocol} in the protocol and query, #{host} in the
// hostname, path and query, #{port} in the port, path and query, #{path}
// in the path and query, #{query} in the query.
var allowed = map[string][]placeholder{
	"protocol": {phProtocol},
	"host":     {phHost},
	"port":     {phPort},
	"path":     {phHost, phPort, phPath},
	"query":    {phProtocol, phHost, phPort, phPath, phQuery},
}

func compileRedirect(a infra.Action, listenerProtocol string, cannot func(infra.Source, string, ...any) *plan, problem func(infra.Source, string, ...any)) *plan {
	rd := a.Redirect
	if rd == nil {
		return cannot(a.Source, "redirect action without its configuration")
	}
	t := &redirectTemplate{}
	// "The redirect is either permanent (HTTP 301) or temporary (HTTP
	// 302)", StatusCode HTTP_301 | HTTP_302.
	switch rd.StatusCode {
	case "HTTP_301":
		t.status = 301
	case "HTTP_302":
		t.status = 302
	default:
		return cannot(a.Source, "redirect status code %q is not HTTP_301 or HTTP_302", rd.StatusCode)
	}
	proto := orDefault(rd.Protocol, "#{protocol}")
	switch strings.ToUpper(proto) {
	case "#{PROTOCOL}":
		proto = "#{protocol}"
	case "HTTP":
		// "You can redirect HTTP to HTTP, HTTP to HTTPS, and HTTPS to
		// HTTPS. You cannot redirect HTTPS to HTTP."
		if strings.EqualFold(listenerProtocol, "HTTPS") {
			return cannot(a.Source, "redirect from an HTTPS listener to HTTP: the ALB refuses it")
		}
		proto = "http"
	case "HTTPS":
		proto = "https"
	default:
		return cannot(a.Source, "redirect protocol %q is not HTTP, HTTPS or #{protocol}", rd.Protocol)
	}
	port := orDefault(rd.Port, "#{port}")
	if port != "#{port}" {
		// "You can specify a value from 1 to 65535 or #{port}."
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return cannot(a.Source, "redirect port %q is not 1 to 65535 or #{port}", rd.Port)
		}
	}
	path := orDefault(rd.Path, "/#{path}")
	if !strings.HasPrefix(path, "/") {
		// "The absolute path, starting with the leading "/"."
		return cannot(a.Source, "redirect path %q does not start with /", rd.Path)
	}
	if strings.HasPrefix(rd.Query, "?") {
		// "Do not include the leading "?", as it is automatically added."
		problem(a.Source, "redirect query %q starts with '?': the ALB adds one itself, so the Location holds two", rd.Query)
	}
	if proto == "#{protocol}" && orDefault(rd.Host, "#{host}") == "#{host}" && port == "#{port}" && path == "/#{path}" {
		// "You must modify at least one of the following components to
		// avoid a redirect loop: protocol, hostname, port, or path."
		problem(a.Source, "redirect keeps the protocol, host, port and path: it redirects to itself (a loop); the ALB refuses it")
	}
	comp := func(name, s string) template {
		tpl, bad := splitTemplate(s, allowed[name])
		for _, b := range bad {
			problem(a.Source, "redirect %s %q uses %s, which the ALB does not replace there: kept as written", name, s, b)
		}
		return tpl
	}
	t.protocol = comp("protocol", proto)
	t.host = comp("host", orDefault(rd.Host, "#{host}"))
	t.port = comp("port", port)
	t.path = comp("path", path)
	t.query = comp("query", orDefault(rd.Query, "#{query}"))
	return &plan{kind: Redirect, status: t.status, redirect: t}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// splitTemplate cuts s into literal text and the keywords allowed in its
// component; a keyword that is not allowed there, or an unknown #{...},
// stays literal and is returned in bad.
func splitTemplate(s string, ok []placeholder) (tpl template, bad []string) {
	lit := ""
	for s != "" {
		i := strings.Index(s, "#{")
		if i < 0 {
			lit += s
			break
		}
		lit += s[:i]
		s = s[i:]
		end := strings.IndexByte(s, '}')
		if end < 0 {
			lit += s
			break
		}
		kw := s[:end+1]
		s = s[end+1:]
		ph, known := placeholderNames[kw]
		if !known || !contains(ok, ph) {
			bad = append(bad, kw)
			lit += kw
			continue
		}
		if lit != "" {
			tpl = append(tpl, part{lit: lit})
			lit = ""
		}
		tpl = append(tpl, part{ph: ph})
	}
	if lit != "" {
		tpl = append(tpl, part{lit: lit})
	}
	return tpl, bad
}

func contains(list []placeholder, p placeholder) bool {
	for _, q := range list {
		if q == p {
			return true
		}
	}
	return false
}

// location builds the Location header: protocol://hostname:port/path?query
// ("A URI consists of the following components", redirectAPIPage). The
// port is always written, the listener's when kept: the guide gives each
// console example as the URL it is "equivalent to", port included
// ("https://#{host}:40443/#{path}?#{query}",
// "#{protocol}://#{host}:#{port}/new/#{path}?#{query}", actionsPage), and
// the console shows an HTTPS redirect as "HTTPS://#{host}:443/#{path}?#{query}".
// The '?' is added only when the query
// is not empty; a Query set in the action replaces the request's query
// unless it uses #{query} ("#{query}&value=xyz" appends). Components "are
// not percent-encoded": the request's path and query are copied as
// received.
func (t *redirectTemplate) location(r *request, protocol string, port int) string {
	var b strings.Builder
	b.Grow(16 + len(r.Path) + len(r.RawQuery) + len(r.hostname()))
	values := func(p placeholder) {
		switch p {
		case phProtocol:
			b.WriteString(protocol)
		case phHost:
			b.WriteString(r.hostname())
		case phPort:
			b.WriteString(strconv.Itoa(port))
		case phPath:
			b.WriteString(strings.TrimPrefix(r.Path, "/"))
		case phQuery:
			b.WriteString(r.RawQuery)
		}
	}
	write := func(tpl template) {
		for _, p := range tpl {
			if p.ph == literal {
				b.WriteString(p.lit)
			} else {
				values(p.ph)
			}
		}
	}
	write(t.protocol)
	b.WriteString("://")
	write(t.host)
	b.WriteString(":")
	write(t.port)
	write(t.path)
	mark := b.Len()
	b.WriteString("?")
	write(t.query)
	s := b.String()
	if len(s) == mark+1 {
		return s[:mark] // empty query: no '?'
	}
	return s
}

// lowerProtocol is the URL scheme of a listener protocol.
func lowerProtocol(p string) string {
	if strings.EqualFold(p, "HTTPS") {
		return "https"
	}
	return "http"
}
