package fakeevent_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/validate"
)

// uriChars are the characters a client can send raw in a path or query.
const uriChars = "abcXYZ019-._~!$&'()*+,;=:@/%"

func pick(set string, b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = set[int(c)%len(set)]
	}
	return string(out)
}

// FuzzFromHTTPRequest: for any method, target, headers and body a client can
// send, either the ALB would refuse the request (and it is refused with that
// status), or the event passes validate with no finding at all and
// ToHTTPRequest gives back the same method, path, query, body and headers,
// modulo what the ALB documents: lower-cased names, the last value in single
// mode, its own x-forwarded-* and trace headers.
func FuzzFromHTTPRequest(f *testing.F) {
	f.Add("GET", []byte("/users"), []byte("id=1&tag=a&tag=b"), "X-Custom", "v1", "v2", []byte(""), uint8(0), false)
	f.Add("POST", []byte("/a%20b"), []byte("q=a%2Bb&e="), "Accept", "*/*", "text/html", []byte(`{"a":1}`), uint8(1), true)
	f.Add("PUT", []byte("/up"), []byte(""), "Cookie", "a=1", "b=2", []byte{0, 1, 2, 255}, uint8(2), false)
	f.Add("PATCH", []byte("/x"), []byte("k"), "X-Name", "caf\xe9", "", []byte("caf\xe9"), uint8(3), true)
	contentTypes := []string{"", "application/json", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "image/png", "application/vnd.api+json"}
	f.Fuzz(func(t *testing.T, method string, path, query []byte, name, v1, v2 string, body []byte, ct uint8, multi bool) {
		target := "/" + pick(uriChars, path)
		rawQuery := pick(uriChars+"=&", query)
		name = pick("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", []byte(name))
		if name == "" {
			name = "X-Fuzz"
		}
		clean := func(v string) string { return strings.NewReplacer("\r", "", "\n", "", "\x00", "").Replace(v) }
		v1, v2 = clean(v1), clean(v2)
		r := &http.Request{Method: method, URL: &url.URL{Path: target}, Header: http.Header{}, Host: "shop.example.com", RemoteAddr: "198.51.100.4:5555"}
		r.RequestURI = target
		if rawQuery != "" {
			r.RequestURI += "?" + rawQuery
		}
		r.Header.Add(name, v1)
		r.Header.Add(name, v2)
		contentType := contentTypes[int(ct)%len(contentTypes)]
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		mode := fakeevent.Single
		if multi {
			mode = fakeevent.Multi
		}
		ev, err := fakeevent.FromHTTPRequest(r, fakeevent.WithMode(mode), fakeevent.WithSeed(9))
		var refused *fakeevent.RefusedError
		if errors.As(err, &refused) {
			bad := !alb.IsToken(method) || method == "TRACE" || !utf8.ValidString(v1) || !utf8.ValidString(v2) || badEscape(target) ||
				(len(body) > 0 && !alb.RequestBodyIsBase64(contentType, false) && !utf8.Valid(body))
			if !bad {
				t.Fatalf("refused a request a real ALB passes on: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		doc := fakeevent.Marshal(ev)
		if rep := validate.Request(doc, validate.WithStrict(true)); len(rep.Findings) > 0 {
			t.Fatalf("the event has findings:\n%s\n%s", rep, doc)
		}
		back, err := fakeevent.ToHTTPRequest(ev)
		if err != nil {
			t.Fatal(err)
		}
		if back.Method != method || back.URL.EscapedPath() != target && back.URL.RawPath != "" {
			t.Fatalf("method/path: got %s %s, want %s %s", back.Method, back.URL.EscapedPath(), method, target)
		}
		if p, _, _ := strings.Cut(back.RequestURI, "?"); p != target {
			t.Fatalf("path: got %q, want %q", p, target)
		}
		got, _ := io.ReadAll(back.Body)
		if !bytes.Equal(got, body) {
			t.Fatalf("body: got %q, want %q", got, body)
		}
		wantQuery, gotQuery := queryValues(rawQuery), queryValues(back.URL.RawQuery)
		for k, vs := range wantQuery {
			if multi && strings.Join(gotQuery[k], "&") != strings.Join(vs, "&") {
				t.Fatalf("query %q: got %q, want %q", k, gotQuery[k], vs)
			}
			if !multi && (len(gotQuery[k]) != 1 || gotQuery[k][0] != vs[len(vs)-1]) {
				t.Fatalf("query %q: got %q, want the last of %q", k, gotQuery[k], vs)
			}
		}
		if lower := strings.ToLower(name); !alb.AddedHeaders[lower] && !alb.RemovedRequestHeaders[lower] && lower != "content-type" && lower != "content-length" {
			want := []string{v1, v2}
			if !multi {
				want = want[1:]
			}
			if got := back.Header.Values(name); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Fatalf("header %s: got %q, want %q", name, got, want)
			}
		}
	})
}

// queryValues splits a raw query the way the ALB does: nothing decoded.
func queryValues(raw string) map[string][]string {
	out := map[string][]string{}
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out[k] = append(out[k], v)
	}
	return out
}

func badEscape(path string) bool {
	_, err := url.PathUnescape(path)
	return err != nil
}
