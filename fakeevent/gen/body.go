package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/albcheck/albcheck/alb"
)

// Body kinds, in the order genBody draws them.
const (
	bodyNone = iota
	bodyJSON
	bodyText
	bodyForm
	bodyMultipart
	bodyBinary
	bodyGzip
	bodyUntyped
	bodyXML
	bodySuffixJSON
	bodyLarge
)

// genBody draws a body and the headers that describe it. Methods that
// usually carry a body mostly get one; the others rarely do.
func genBody(src Source, method string) ([]byte, []Header) {
	withBody := method == "POST" || method == "PUT" || method == "PATCH"
	if !withBody && !chance(src, 12) {
		return nil, nil
	}
	// Bodies near the 1 MB limit are the rarest kind: they cost the most
	// to make and to send (see BenchmarkGenerate).
	kind := pick(src, 4, 32, 12, 24, 12, 12, 8, 8, 4, 4, 1)
	var body []byte
	ct := ""
	var extra []Header
	switch kind {
	case bodyNone:
		return nil, nil
	case bodyJSON:
		body = genJSON(src)
		ct = oneOf(src, "application/json", "application/json; charset=utf-8", "Application/JSON", "text/json")
	case bodyText:
		body = []byte(genText(src))
		ct = oneOf(src, "text/plain", "text/plain; charset=UTF-8", "text/csv", "text/html")
	case bodyForm:
		body = genForm(src)
		ct = oneOf(src, "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8")
	case bodyMultipart:
		boundary := "----WebKitFormBoundary" + hexString(src, 16)
		body = genMultipart(src, boundary)
		ct = "multipart/form-data; boundary=" + boundary
	case bodyBinary:
		body = genBinary(src)
		ct = oneOf(src, "application/octet-stream", "image/png", "application/pdf", "application/protobuf")
	case bodyGzip:
		body = gzipped(genJSON(src))
		ct = "application/json"
		extra = append(extra, Header{"Content-Encoding", oneOf(src, "gzip", "GZIP", "x-gzip")})
	case bodyUntyped:
		body = []byte(genText(src)) // text, but with no content type: base64
	case bodyXML:
		body = []byte(`<?xml version="1.0" encoding="UTF-8"?><order id="` + strconv.Itoa(src.IntN(1000)) + `"><note>` + xmlEscape(genText(src)) + `</note></order>`)
		ct = oneOf(src, "application/xml", "text/xml", "application/soap+xml")
	case bodySuffixJSON:
		body = genJSON(src)
		ct = oneOf(src, "application/vnd.api+json", "application/merge-patch+json", "application/problem+json")
	case bodyLarge:
		body, ct = genLarge(src)
	}
	hs := []Header{}
	if ct != "" {
		hs = append(hs, Header{caseStyle(src, "Content-Type"), ct})
	}
	hs = append(hs, extra...)
	if chance(src, 3) {
		// The client's own Content-Length (the ALB passes it on).
		hs = append(hs, Header{caseStyle(src, "Content-Length"), strconv.Itoa(len(body))})
	}
	return body, hs
}

// texts are strings a body or field may hold: unicode, escapes, quotes.
var texts = []string{"hello", "", "café ✓", "日本語", "😀 emoji", `"quoted"`, "line1\nline2\r\n", "tab\there", "back\\slash", "<b>html</b>", "a&b=c", "100%", "a+b c", "\u00a0nbsp", "\u202eRTL", "null", "0", "-1", "1e309"}

func genText(src Source) string {
	var b strings.Builder
	for range 1 + src.IntN(5) {
		b.WriteString(texts[src.IntN(len(texts))])
		b.WriteByte(' ')
	}
	return b.String()
}

func genJSON(src Source) []byte {
	v := genValue(src, 0)
	p, _ := json.Marshal(v)
	return p
}

func genValue(src Source, depth int) any {
	k := src.IntN(8)
	if depth >= 3 && k >= 6 {
		k = 0
	}
	switch k {
	case 0:
		return texts[src.IntN(len(texts))]
	case 1:
		return src.IntN(1000000) - 500
	case 2:
		return []any{1.5, 1e21, -0.0}[src.IntN(3)]
	case 3:
		return src.IntN(2) == 1
	case 4:
		return nil
	case 5:
		return strings.Repeat("x", src.IntN(300))
	case 6:
		a := make([]any, src.IntN(4))
		for i := range a {
			a[i] = genValue(src, depth+1)
		}
		return a
	}
	m := map[string]any{}
	for range src.IntN(5) {
		m[oneOf(src, "id", "name", "items", "qty", "price", "note", "", "ключ", "a.b", "$ref")] = genValue(src, depth+1)
	}
	return m
}

func genForm(src Source) []byte {
	v := url.Values{}
	for range 1 + src.IntN(5) {
		key := oneOf(src, "name", "email", "message", "qty", "tags", "redirect", "agree")
		v.Add(key, texts[src.IntN(len(texts))])
	}
	return []byte(v.Encode())
}

func genMultipart(src Source, boundary string) []byte {
	var b bytes.Buffer
	for range 1 + src.IntN(3) {
		b.WriteString("--" + boundary + "\r\n")
		if src.IntN(2) == 0 {
			b.WriteString(`Content-Disposition: form-data; name="` + oneOf(src, "name", "comment", "qty") + "\"\r\n\r\n")
			b.WriteString(texts[src.IntN(len(texts))])
		} else {
			b.WriteString(`Content-Disposition: form-data; name="file"; filename="` + oneOf(src, "a.png", "résumé.pdf", "x.bin") + "\"\r\n")
			b.WriteString("Content-Type: application/octet-stream\r\n\r\n")
			b.Write(genBinary(src))
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// signatures start binary bodies as real files do.
var signatures = [][]byte{nil, []byte("\x89PNG\r\n\x1a\n"), []byte("\xff\xd8\xff\xe0"), []byte("%PDF-1.7\n"), []byte("PK\x03\x04"), []byte{0, 0, 0, 0}}

func genBinary(src Source) []byte {
	sig := signatures[src.IntN(len(signatures))]
	n := src.IntN(2048)
	p := append([]byte(nil), sig...)
	return appendRandom(p, bulk(src), n)
}

func appendRandom(p []byte, rng *rand.Rand, n int) []byte {
	for n > 0 {
		v := rng.Uint64()
		for i := 0; i < 8 && n > 0; i++ {
			p = append(p, byte(v))
			v >>= 8
			n--
		}
	}
	return p
}

// genLarge draws a body near the ALB's limit of alb.MaxRequestBody bytes,
// at it exactly a third of the time.
func genLarge(src Source) ([]byte, string) {
	n := alb.MaxRequestBody - src.IntN(64<<10)
	if src.IntN(3) == 0 {
		n = alb.MaxRequestBody
	}
	if src.IntN(2) == 0 {
		// A window on random bytes made once: the bytes need not differ
		// from one event to the next, and drawing a megabyte cost more
		// than the rest of the event.
		off := src.IntN(len(noise()) - alb.MaxRequestBody + 1)
		return noise()[off : off+n : off+n], "application/octet-stream"
	}
	return bytes.Repeat([]byte("a"), n), "text/plain"
}

// noise is 1 MB and 64 KB of random bytes, the same in every process.
var noise = sync.OnceValue(func() []byte {
	return appendRandom(nil, rand.New(rand.NewPCG(1, 2)), alb.MaxRequestBody+64<<10)
})

// gzips holds gzip writers for reuse: a new one allocates some 800 KB of
// compression state, more than the rest of an event.
var gzips = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

func gzipped(p []byte) []byte {
	var buf bytes.Buffer
	zw := gzips.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, _ = zw.Write(p)
	_ = zw.Close()
	gzips.Put(zw)
	return buf.Bytes()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(s)
}
