package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/albcheck/albcheck/alb"
)

// headerBudget is what the client's headers may take together: the ALB's
// limit less room for the headers it adds (host, content-length, its trace
// and forwarding headers).
const headerBudget = alb.MaxRequestHeaders - 1024

var userAgents = []string{
	"", // the builder's browser default
	"curl/8.5.0",
	"python-requests/2.31.0",
	"Go-http-client/1.1",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	"okhttp/4.12.0",
	"Amazon CloudFront",
	"ELB-HealthChecker/2.0", // a client pretending to be the health checker
}

// caseStyle writes a header name as a client might: canonical, lower case
// (HTTP/2 clients), upper case, or as typed.
func caseStyle(src Source, name string) string {
	switch pick(src, 6, 3, 1) {
	case 1:
		return strings.ToLower(name)
	case 2:
		return strings.ToUpper(name)
	}
	return name
}

// genHeaders adds the client's headers to those the body chose.
func genHeaders(src Source, hs []Header, hasBody bool) []Header {
	used, forwarded, typed := 0, 0, false
	for _, h := range hs {
		used += len(h.Name) + len(h.Value) + 4
		switch strings.ToLower(h.Name) {
		case "x-forwarded-for":
			forwarded += strings.Count(h.Value, ",") + 1
		case "content-type":
			typed = true
		}
	}
	add := func(name, value string) {
		line := len(name) + len(value) + 4
		if used+line > headerBudget || len(name)+2+len(value) > alb.MaxHeaderLine {
			return
		}
		used += line
		hs = append(hs, Header{caseStyle(src, name), value})
	}
	if ua := userAgents[src.IntN(len(userAgents))]; ua != "" {
		add("User-Agent", ua)
	}
	if src.IntN(2) == 0 {
		add("Accept", oneOf(src, "*/*", "application/json", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
	}
	for range src.IntN(8) {
		switch src.IntN(16) {
		case 0:
			add("Accept-Language", oneOf(src, "en-US,en;q=0.9", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "*"))
		case 1:
			add("Accept-Encoding", oneOf(src, "gzip, deflate, br", "identity", "br;q=1.0, gzip;q=0.8, *;q=0.1"))
		case 2:
			add("Authorization", oneOf(src, "Bearer ", "Basic ", "AWS4-HMAC-SHA256 Credential=")+token(src))
		case 3:
			add("Cookie", genCookie(src))
		case 4:
			add("Origin", oneOf(src, "https://shop.example.com", "null", "http://localhost:3000"))
		case 5:
			add("Referer", "https://shop.example.com/cart?item="+strconv.Itoa(src.IntN(1000)))
		case 6:
			add("If-None-Match", oneOf(src, `"abc123"`, `W/"0815"`, `"a", "b"`, "*"))
		case 7:
			add("X-Request-Id", hexString(src, 32))
		case 8:
			// Repeated: single mode keeps the last, multi mode all.
			name := oneOf(src, "X-Tag", "Accept", "Cache-Control", "Cookie")
			add(name, oneOf(src, "a", "b", "no-cache", "x=1"))
			add(name, oneOf(src, "c", "d", "max-age=0", "y=2"))
		case 9:
			// The ALB appends the address it sees: at most
			// alb.MaxForwardedFor in all, over every X-Forwarded-For line.
			if xff := forwardedFor(src, alb.MaxForwardedFor-1-forwarded); xff != "" {
				add("X-Forwarded-For", xff)
				forwarded += strings.Count(xff, ",") + 1
			}
		case 10:
			add("X-Amzn-Trace-Id", oneOf(src, "Root=1-67891233-abcdef012345678912345678", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", "garbage"))
		case 11:
			add(oneOf(src, "X-Custom-Header", "x-api-key", "X-Quoted", "X_Underscore", "X-Empty-Looking"), oneOf(src, `"quoted, with comma"`, "a=b; c=d", "tab\tinside", "utf-8 café ✓", "-", "0"))
		case 12:
			// A large value, up to the ALB's limit on one header line.
			name := oneOf(src, "X-Large", "Authorization", "Cookie")
			n := 1024 + src.IntN(alb.MaxHeaderLine)
			if room := alb.MaxHeaderLine - len(name) - 2; n > room || chance(src, 3) {
				n = room
			}
			if room := headerBudget - used - len(name) - 4; n > room {
				n = room
			}
			if n > 0 {
				add(name, largeValue(src, name, n))
			}
		case 13:
			if !hasBody && !typed {
				add("Content-Type", oneOf(src, "application/json", "text/plain")) // without a body
				typed = true
			}
		case 14:
			if hasBody {
				add(oneOf(src, "Expect", "Transfer-Encoding"), oneOf(src, "100-continue", "chunked"))
			}
		case 15:
			add(oneOf(src, "Forwarded", "Via", "X-Real-IP", "X-Forwarded-Host"), oneOf(src, "for=192.0.2.60;proto=http", "1.1 proxy", "198.51.100.7", "evil.example"))
		}
	}
	return hs
}

// token is a bearer token or API key of a plausible length.
func token(src Source) string {
	rng := bulk(src)
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	b := make([]byte, 16+src.IntN(1024))
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// genCookie draws a Cookie header: pairs, a cookie without "=" (a flag some
// clients send), an empty value, a quoted value, odd spacing.
func genCookie(src Source) string {
	var parts []string
	for range 1 + src.IntN(5) {
		switch pick(src, 6, 2, 1, 1, 1) {
		case 0:
			parts = append(parts, oneOf(src, "session", "sid", "_ga", "theme", "lang", "csrftoken")+"="+hexString(src, 1+src.IntN(32)))
		case 1:
			parts = append(parts, oneOf(src, "flag", "consent", "a"))
		case 2:
			parts = append(parts, oneOf(src, "empty=", "=novalue", "x=="))
		case 3:
			parts = append(parts, `q="quoted value"`)
		case 4:
			parts = append(parts, "json=%7B%22a%22%3A1%7D")
		}
	}
	sep := "; "
	if chance(src, 4) {
		sep = ";"
	}
	return strings.Join(parts, sep)
}

// forwardedFor is a client's own X-Forwarded-For: the ALB appends the
// address it sees, up to alb.MaxForwardedFor in all.
func forwardedFor(src Source, room int) string {
	n := 1 + src.IntN(3)
	if chance(src, 8) {
		n = room
	}
	n = min(n, room)
	if n <= 0 {
		return ""
	}
	addrs := make([]string, n)
	for i := range addrs {
		if src.IntN(4) == 0 {
			addrs[i] = "2001:db8::" + strconv.FormatInt(int64(1+src.IntN(0xffff)), 16)
		} else {
			addrs[i] = "198.51.100." + strconv.Itoa(1+src.IntN(254))
		}
	}
	return strings.Join(addrs, ", ")
}

// largeValue is an n-byte value of the header's kind: cookies of hex
// values, else base64-like text. Both are windows on text made once per
// process (valueNoise): values need not differ byte by byte between events.
func largeValue(src Source, name string, n int) string {
	text := valueNoise()
	off := src.IntN(len(text) - n + 1)
	if name != "Cookie" {
		return strings.TrimRight(text[off:off+n], " ;")
	}
	var b strings.Builder
	b.Grow(n + 100)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString("c" + strconv.Itoa(i) + "=")
		k := 20 + (off+i*7)%60
		b.WriteString(hexNoise()[(off+i*13)%(len(hexNoise())-k):][:k])
	}
	return strings.TrimRight(b.String()[:n], " ;=")
}

// valueNoise is alb.MaxHeaderLine characters of base64's alphabet, and
// hexNoise 4 KB of hex digits, the same in every process.
var (
	valueNoise = sync.OnceValue(func() string {
		return noiseText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", alb.MaxHeaderLine)
	})
	hexNoise = sync.OnceValue(func() string { return noiseText("0123456789abcdef", 4096) })
)

func noiseText(alphabet string, n int) string {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}
