// Command genevents writes realistic ALB request events, one per file, for
// benchmarks: `go run ./bench/genevents -n 10000 -seed 1 -o bench/out/events`.
// The same seed writes the same bytes.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	n := flag.Int("n", 10000, "number of events")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "bench/out/events", "output directory")
	sample := flag.Bool("sample", false, "write copies of one event shaped like the Lambda guide's example ALB event (it draws warnings), as most fixtures in the wild are")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genevents:", err)
		os.Exit(2)
	}
	r := rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))
	for i := range *n {
		ev := event(r)
		if *sample {
			ev = sampleEvent(r)
		}
		b, err := json.MarshalIndent(ev, "", "  ")
		if err != nil {
			fmt.Fprintln(os.Stderr, "genevents:", err)
			os.Exit(2)
		}
		name := filepath.Join(*out, fmt.Sprintf("event-%05d.json", i))
		if err := os.WriteFile(name, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "genevents:", err)
			os.Exit(2)
		}
	}
}

var (
	paths   = []string{"/", "/orders", "/orders/42", "/users/me", "/api/v1/items", "/search", "/static/app.js", "/health/deep"}
	agents  = []string{"Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "curl/8.5.0", "okhttp/4.12.0"}
	regions = []string{"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"}
)

func hex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

func event(r *rand.Rand) map[string]any {
	region := regions[r.IntN(len(regions))]
	h := map[string]string{
		"accept":            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"accept-encoding":   "gzip, deflate, br",
		"accept-language":   "en-GB,en;q=0.8",
		"host":              fmt.Sprintf("app-%d.%s.elb.amazonaws.com", 1000000000+r.IntN(999999999), region),
		"user-agent":        agents[r.IntN(len(agents))],
		"x-amzn-trace-id":   fmt.Sprintf("Root=1-%08x-%s", 0x67000000+r.IntN(0xffffff), hex(r, 24)),
		"x-forwarded-for":   fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(222), r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		"x-forwarded-port":  "443",
		"x-forwarded-proto": "https",
		"cookie":            "session=" + hex(r, 32) + "; theme=dark",
		"cache-control":     "no-cache",
		"x-request-id":      hex(r, 8) + "-" + hex(r, 4) + "-" + hex(r, 4) + "-" + hex(r, 12),
	}
	method, body, b64 := "GET", "", false
	switch r.IntN(4) {
	case 0:
		method = "POST"
		body = fmt.Sprintf(`{"item":"%s","qty":%d}`, hex(r, 6), 1+r.IntN(9))
		h["content-type"] = "application/json"
		h["content-length"] = fmt.Sprint(len(body))
	case 1:
		method = "POST"
		form := fmt.Sprintf("item=%s&qty=%d", hex(r, 6), 1+r.IntN(9))
		h["content-type"] = "application/x-www-form-urlencoded"
		h["content-length"] = fmt.Sprint(len(form))
		body, b64 = base64.StdEncoding.EncodeToString([]byte(form)), true
	}
	query := map[string][]string{}
	if r.IntN(2) == 0 {
		query["page"] = []string{fmt.Sprint(1 + r.IntN(20))}
		query["tag"] = []string{"a%20b", "c"}
	}
	ev := map[string]any{
		"requestContext": map[string]any{"elb": map[string]any{
			"targetGroupArn": fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%012d:targetgroup/app-%s/%s", region, r.Int64N(1e12), hex(r, 4), hex(r, 16)),
		}},
		"httpMethod":      method,
		"path":            paths[r.IntN(len(paths))],
		"body":            body,
		"isBase64Encoded": b64,
	}
	if r.IntN(3) == 0 { // multi-value headers on
		mh := map[string][]string{}
		for k, v := range h {
			mh[k] = []string{v}
		}
		ev["multiValueHeaders"] = mh
		ev["multiValueQueryStringParameters"] = query
	} else {
		q := map[string]string{}
		for k, v := range query {
			q[k] = v[len(v)-1]
		}
		ev["headers"] = h
		ev["queryStringParameters"] = q
	}
	return ev
}

// sampleEvent has the shape of the example event in the Lambda developer
// guide's "Using Lambda with an Application Load Balancer" page (HTTP on
// port 80, x-imforwards, connection: keep-alive, a one-key query), with
// values of its own. Copies of that event are what many projects keep as
// fixtures; albcheck warns about it (REQ-012: the ALB does not send
// x-imforwards to Lambda today).
func sampleEvent(r *rand.Rand) map[string]any {
	return map[string]any{
		"requestContext": map[string]any{"elb": map[string]any{
			"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-sample/0a1b2c3d4e5f6a7b",
		}},
		"httpMethod":            "GET",
		"path":                  "/lambda",
		"queryStringParameters": map[string]string{"query": "5678EFGH"},
		"headers": map[string]string{
			"accept":                    "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",
			"accept-encoding":           "gzip",
			"accept-language":           "en-US,en;q=0.9",
			"connection":                "keep-alive",
			"host":                      "lambda-sample-1234567890.us-east-1.elb.amazonaws.com",
			"upgrade-insecure-requests": "1",
			"user-agent":                agents[r.IntN(len(agents))],
			"x-amzn-trace-id":           fmt.Sprintf("Root=1-%08x-%s", 0x67000000+r.IntN(0xffffff), hex(r, 24)),
			"x-forwarded-for":           fmt.Sprintf("198.51.100.%d", 1+r.IntN(254)),
			"x-forwarded-port":          "80",
			"x-forwarded-proto":         "http",
			"x-imforwards":              "20",
		},
		"body":            "",
		"isBase64Encoded": false,
	}
}
