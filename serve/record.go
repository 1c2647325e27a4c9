package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/albroute"
	"github.com/aws/aws-lambda-go/events"
)

// redacted lists the headers --record replaces unless --record-secrets.
var redacted = map[string]bool{"authorization": true, "cookie": true, "proxy-authorization": true}

// recorder numbers the fixture files of one record folder. The numbering
// continues after the highest number already in the folder, so a second
// session adds to the first instead of replacing it; files are created with
// O_EXCL, so two servers recording into one folder at once skip each
// other's numbers instead of overwriting each other's files.
type recorder struct {
	mu   sync.Mutex
	next int // the next number to try; 0 until the folder was read
}

// maxTries bounds the numbers one exchange tries before giving up: each
// failed try means a name taken since the folder was read (by another
// server, or a file or link put there by hand).
const maxTries = 10000

// record saves an exchange as a fixture: the client's request and the
// observed answer as its expectations. t is nil for an answer of the load
// balancer's own, whose headers are expected too.
func (s *Server) record(r *http.Request, body []byte, ev events.ALBTargetGroupRequest, t *Target, router *albroute.Router, status int, payload []byte, headers map[string]string) {
	if s.o.RecordDir == "" {
		return
	}
	if err := s.rec.write(s.o.RecordDir, r.Method, func(n int) ([]byte, error) {
		return s.fixture(n, r, body, ev, t, router, status, payload, headers)
	}); err != nil {
		s.explain("record: %v", err)
	}
}

// write creates the next free NNNN-method.json in dir and writes into it
// what content returns for that number. Every file operation goes through
// an os.Root opened on dir: no name, link or ".." can lead outside it, and a
// link already in the folder is never written through (O_EXCL refuses it as
// an existing name).
func (rc *recorder) write(dir, method string, content func(n int) ([]byte, error)) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("record folder %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("record folder %s: %w", dir, err)
	}
	defer root.Close()
	if rc.next == 0 {
		if rc.next, err = nextNumber(root); err != nil {
			return fmt.Errorf("record folder %s: %w", dir, err)
		}
	}
	for range maxTries {
		n := rc.next
		rc.next++
		name := fmt.Sprintf("%04d-%s.json", n, fileMethod(method))
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create %s in %s: %w", name, dir, err)
		}
		b, err := content(n)
		if err == nil {
			_, err = f.Write(b)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = root.Remove(name) // no half-written fixture for replay to trip on
			return fmt.Errorf("write %s in %s: %w", name, dir, err)
		}
		return nil
	}
	return fmt.Errorf("record folder %s: %d names in a row already taken", dir, maxTries)
}

// nextNumber is one more than the highest NNNN- prefix in the folder, so
// that files of earlier sessions keep their names.
func nextNumber(root *os.Root) (int, error) {
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return 0, err
	}
	highest := 0
	for _, e := range entries {
		digits, _, ok := strings.Cut(e.Name(), "-")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(digits); err == nil && n > highest && n < maxNumber {
			highest = n
		}
	}
	return highest + 1, nil
}

// maxNumber caps the numbers read back from file names, so that a stray
// 9999999999999999999-x.json cannot make the next number overflow.
const maxNumber = 1 << 40

// fileMethod is the method as it appears in a file name: lower case, with
// anything but letters and digits replaced, and cut short. A method is any
// HTTP token, and tokens may hold characters (* | ...) that some file
// systems refuse, and be longer than a file name may be.
func fileMethod(method string) string {
	const maxLen = 24
	b := []byte(strings.ToLower(method))
	if len(b) > maxLen {
		b = b[:maxLen]
	}
	for i, c := range b {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// fixture is the fixture file of one exchange, numbered n.
func (s *Server) fixture(n int, r *http.Request, body []byte, ev events.ALBTargetGroupRequest, t *Target, router *albroute.Router, status int, payload []byte, headers map[string]string) ([]byte, error) {
	type short struct {
		Method     string         `json:"method"`
		Target     string         `json:"target"`
		Headers    map[string]any `json:"headers,omitempty"`
		Body       *string        `json:"body,omitempty"`
		BodyBase64 *string        `json:"bodyBase64,omitempty"`
		ClientIP   string         `json:"clientIp,omitempty"`
	}
	req := short{Method: r.Method, Target: r.RequestURI, Headers: map[string]any{}}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		// What source-ip conditions matched, and what the function saw in
		// x-forwarded-for.
		req.ClientIP = ap.Addr().Unmap().String()
	}
	if r.Host != "" {
		// net/http moves Host out of r.Header; the ALB passes it on and
		// routes on it, so replay needs it.
		req.Headers["Host"] = r.Host
	}
	for name, vs := range r.Header {
		lower := strings.ToLower(name)
		if alb.AddedHeaders[lower] || alb.RemovedRequestHeaders[lower] || lower == "content-length" {
			continue
		}
		if redacted[lower] && !s.o.RecordSecrets {
			vs = []string{"REDACTED"}
		}
		if len(vs) == 1 {
			req.Headers[name] = vs[0]
		} else {
			req.Headers[name] = vs
		}
	}
	if len(body) > 0 {
		if ev.IsBase64Encoded {
			b := base64.StdEncoding.EncodeToString(body)
			req.BodyBase64 = &b
		} else {
			b := string(body)
			req.Body = &b
		}
	}
	expect := map[string]any{"status": status}
	if payload != nil && json.Valid(payload) {
		expect["body"] = map[string]json.RawMessage{"json": payload}
	} else if payload != nil && utf8.Valid(payload) && !bytes.Contains(payload, []byte{0}) {
		// Only UTF-8 survives as a JSON string: other bytes would be
		// recorded as U+FFFD and the fixture would fail on replay.
		expect["body"] = map[string]string{"equals": string(payload)}
	}
	if len(headers) > 0 {
		expect["headers"] = headers
	}
	fixture := map[string]any{
		"name":    fmt.Sprintf("%04d %s %s", n, r.Method, r.URL.Path),
		"request": req,
		"expect":  expect,
	}
	if t != nil {
		fixture["mode"] = string(t.Mode)
	}
	if t != nil && t.Function != "" {
		// Under routing, which function served the exchange: replay --infra
		// checks that the request is still routed there.
		fixture["function"] = t.Function
	}
	if router != nil && router.Listener().Port > 0 {
		fixture["listener"] = router.Listener().Port
	}
	b, err := json.MarshalIndent(fixture, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("fixture %04d: %w", n, err)
	}
	return append(b, '\n'), nil
}
