package fakeevent_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const conformanceDir = "../../shared/conformance"

// TestShapeAgainstRealEvents rebuilds every real event of the conformance
// corpus with fakeevent (same method, path, query, headers, body and mode)
// and checks that the two have the same JSON keys, the same JSON types and
// the same body encoding. Events whose body encoding contradicts the ALB's
// documented rule (validate says REQ-008: edited by their projects) are
// compared on everything but that.
func TestShapeAgainstRealEvents(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformanceDir, "events", "*.json"))
	if len(files) == 0 {
		t.Skip("no conformance corpus at " + conformanceDir)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			require.NoError(t, err)
			raw = []byte(strings.TrimPrefix(string(raw), "\ufeff"))
			var real events.ALBTargetGroupRequest
			require.NoError(t, json.Unmarshal(raw, &real))
			rebuilt := rebuild(t, real)
			fake := fakeevent.Marshal(rebuilt)

			var a, b map[string]any
			require.NoError(t, json.Unmarshal(raw, &a))
			require.NoError(t, json.Unmarshal(fake, &b))
			assert.Equal(t, keysOf(a), keysOf(b), "top-level keys")
			for k, v := range a {
				assert.Equal(t, shape(v), shape(b[k]), "JSON type of %s", k)
			}
			realHeaders, fakeHeaders := headerNames(a), headerNames(b)
			for _, h := range realHeaders {
				assert.Contains(t, fakeHeaders, h, "a real header the fake lacks")
			}
			for _, h := range fakeHeaders {
				if !contains(realHeaders, h) {
					assert.True(t, alb.AddedHeaders[h] || h == "content-length", "the fake adds %s, which the ALB does not", h)
				}
			}
			if !validate.Request(raw).Has(validate.REQ008) {
				assert.Equal(t, real.IsBase64Encoded, rebuilt.IsBase64Encoded, "body encoding")
			}
			// The fake breaks no rule the real event does not break too (it
			// copies the real one's placeholders and proxy headers).
			realRules := map[validate.RuleID]bool{}
			for _, f := range validate.Request(raw).Findings {
				realRules[f.Rule] = true
			}
			for _, f := range validate.Request(fake).Findings {
				assert.True(t, realRules[f.Rule], "the fake adds %s", f)
			}
		})
	}
}

// rebuild sends the request behind a real event through fakeevent.
func rebuild(t *testing.T, real events.ALBTargetGroupRequest) events.ALBTargetGroupRequest {
	t.Helper()
	multi := real.MultiValueHeaders != nil
	opts := []fakeevent.Option{fakeevent.WithTargetGroupARN(real.RequestContext.ELB.TargetGroupArn), fakeevent.WithSeed(1)}
	if multi {
		opts = append(opts, fakeevent.WithMultiValue())
	}
	headers := map[string][]string{}
	for k, v := range real.Headers {
		headers[k] = []string{v}
	}
	for k, v := range real.MultiValueHeaders {
		headers[k] = v
	}
	var query []string
	for _, k := range sortedKeys(real.QueryStringParameters) {
		query = append(query, k+"="+real.QueryStringParameters[k])
	}
	for _, k := range sortedKeys(real.MultiValueQueryStringParameters) {
		for _, v := range real.MultiValueQueryStringParameters[k] {
			query = append(query, k+"="+v)
		}
	}
	target := real.Path
	if len(query) > 0 {
		target += "?" + strings.Join(query, "&")
	}
	if ua := headers["user-agent"]; len(ua) > 0 && alb.IsHealthCheckUserAgent(ua[0]) {
		ev, err := fakeevent.HealthCheck(target, opts...)
		require.NoError(t, err)
		return ev
	}
	b := fakeevent.New(real.HTTPMethod, target).With(opts...)
	for _, name := range sortedKeys(headers) {
		vs := headers[name]
		switch name {
		case "host":
			b.Host(vs[len(vs)-1])
		case "x-forwarded-for":
			addrs := strings.Split(vs[len(vs)-1], ",")
			b.ClientIP(strings.TrimSpace(addrs[len(addrs)-1]))
			if len(addrs) > 1 {
				b.Header(name, strings.Join(addrs[:len(addrs)-1], ","))
			}
		case "x-forwarded-proto":
			b.Scheme(vs[len(vs)-1])
		case "x-forwarded-port":
			p, _ := strconv.Atoi(vs[len(vs)-1])
			b.Port(p)
		case "x-amzn-trace-id":
		default:
			for _, v := range vs {
				b.Header(name, v)
			}
		}
	}
	body := []byte(real.Body)
	if real.IsBase64Encoded {
		var err error
		body, err = base64.StdEncoding.DecodeString(real.Body)
		require.NoError(t, err)
	}
	if len(body) > 0 {
		b.BodyBytes(body)
	}
	ev, err := b.Event()
	require.NoError(t, err)
	if _, ok := headers["user-agent"]; !ok {
		// The builder adds a browser user agent; the real client sent none.
		delete(ev.Headers, "user-agent")
		delete(ev.MultiValueHeaders, "user-agent")
	}
	return ev
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keysOf(m map[string]any) []string { return sortedKeys(m) }

// shape describes a JSON value's type, with the types of map values and
// array items.
func shape(v any) string {
	switch x := v.(type) {
	case map[string]any:
		inner := map[string]bool{}
		for _, e := range x {
			inner[shape(e)] = true
		}
		return "object of " + strings.Join(sortedKeys(inner), "|")
	case []any:
		inner := map[string]bool{}
		for _, e := range x {
			inner[shape(e)] = true
		}
		return "array of " + strings.Join(sortedKeys(inner), "|")
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "number"
}

func headerNames(m map[string]any) []string {
	if h, ok := m["headers"].(map[string]any); ok {
		return sortedKeys(h)
	}
	h, _ := m["multiValueHeaders"].(map[string]any)
	return sortedKeys(h)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
