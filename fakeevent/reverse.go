package fakeevent

import (
	"bytes"
	"encoding/base64"
	"fmt"
	gojson "github.com/goccy/go-json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
)

// ToHTTPRequest returns the server-side *http.Request an http.Handler should
// see for an event, as adapters of http.Handler to Lambda build it: the
// method, the path and query exactly as in the event (the query rebuilt from
// its map: keys sorted, values in order), the headers of the event's mode,
// the decoded body, Host and RequestURI set, RemoteAddr from the last
// x-forwarded-for address.
func ToHTTPRequest(e events.ALBTargetGroupRequest) (*http.Request, error) {
	h := http.Header{}
	multi := e.MultiValueHeaders != nil || e.MultiValueQueryStringParameters != nil
	if multi {
		for k, vs := range e.MultiValueHeaders {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	} else {
		for k, v := range e.Headers {
			h.Set(k, v)
		}
	}
	var query []string
	if multi {
		for _, k := range sortedKeys(e.MultiValueQueryStringParameters) {
			for _, v := range e.MultiValueQueryStringParameters[k] {
				query = append(query, k+"="+v)
			}
		}
	} else {
		for _, k := range sortedKeys(e.QueryStringParameters) {
			query = append(query, k+"="+e.QueryStringParameters[k])
		}
	}
	uri := e.Path
	if len(query) > 0 {
		uri += "?" + strings.Join(query, "&")
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("event path and query %q: %w", uri, err)
	}
	u.Scheme = "https"
	if p := h.Get("X-Forwarded-Proto"); p != "" {
		u.Scheme = p
	}
	u.Host = h.Get("Host")
	h.Del("Host")

	body := []byte(e.Body)
	if e.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(e.Body); err != nil {
			return nil, fmt.Errorf("event body: isBase64Encoded is true but the body is not base64: %w", err)
		}
	}
	r := &http.Request{
		Method:        e.HTTPMethod,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Host:          u.Host,
		RequestURI:    uri,
		ContentLength: int64(len(body)),
		Body:          http.NoBody,
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	if xff := h.Get("X-Forwarded-For"); xff != "" {
		parts := strings.Split(xff, ",")
		r.RemoteAddr = strings.TrimSpace(parts[len(parts)-1]) + ":0"
	}
	return r, nil
}

// badGatewayPage is the body of the ALB's own 502 page.
const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"

var statusDescriptionRe = regexp.MustCompile(`^([0-9]{3}) (.+)$`)

// ClientResponse returns what the client gets when the function answers req
// with doc: the function's reply as the ALB sends it (base64 decoded,
// hop-by-hop headers dropped, Content-Length computed, only the header field
// of the request's mode used, alb.DefaultResponseContentType when the reply
// sets no Content-Type, no body for HEAD, 1xx, 204 and 304), or the
// ALB's own 502 when the document breaks a rule that makes it unusable. The
// report says why, with rule ids; its findings with a Status of 502 are the
// reasons for a 502.
func ClientResponse(req events.ALBTargetGroupRequest, doc []byte) (*http.Response, validate.Report) {
	rep := validate.Response(doc, validate.ForRequest(req))
	if rep.ClientStatus() != 0 {
		return badGateway(), rep
	}
	// validate accepted the document, so every field has its type; one
	// decode into the fields the ALB reads.
	var reply struct {
		StatusCode        float64             `json:"statusCode"`
		StatusDescription string              `json:"statusDescription"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
		Body              string              `json:"body"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	}
	if err := gojson.Unmarshal(bytes.TrimPrefix(doc, []byte{0xEF, 0xBB, 0xBF}), &reply); err != nil {
		return badGateway(), rep // validate said it was fine: cannot happen
	}
	status, description, isB64, body := int(reply.StatusCode), reply.StatusDescription, reply.IsBase64Encoded, reply.Body

	h := make(http.Header, len(reply.Headers)+len(reply.MultiValueHeaders)+1)
	if rep.Mode == validate.ModeMulti {
		for k, vs := range reply.MultiValueHeaders {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	} else {
		for k, v := range reply.Headers {
			h.Add(k, v)
		}
	}
	for k := range h {
		if alb.IsHopByHop(k) {
			h.Del(k)
		}
	}
	payload := []byte(body)
	if isB64 {
		payload, _ = base64.StdEncoding.DecodeString(body) // RESP-005 passed: valid
	}
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	if _, set := h["Content-Type"]; !set && status != http.StatusNoContent && status != http.StatusNotModified && alb.IsFinalStatus(status) {
		// The ALB does not sniff the body: a reply without a type is
		// served as octets.
		h.Set("Content-Type", alb.DefaultResponseContentType)
	}
	reason := http.StatusText(status)
	if m := statusDescriptionRe.FindStringSubmatch(description); m != nil && m[1] == strconv.Itoa(status) {
		reason = m[2]
	}
	if strings.EqualFold(req.HTTPMethod, http.MethodHead) || status < 200 || status == 204 || status == 304 {
		payload = nil
		if status < 200 || status == 204 {
			h.Del("Content-Length")
		}
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + reason,
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(payload)),
		ContentLength: int64(len(payload)),
	}, rep
}

func badGateway() *http.Response {
	h := http.Header{}
	h.Set("Server", "awselb/2.0")
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", strconv.Itoa(len(badGatewayPage)))
	return &http.Response{
		Status:        "502 Bad Gateway",
		StatusCode:    http.StatusBadGateway,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(badGatewayPage)),
		ContentLength: int64(len(badGatewayPage)),
	}
}

// ResponseDocument turns an HTTP response (as an http.Handler wrote it) into
// the response document a Lambda adapter should return to the ALB: the
// status and its description, the headers in the field of the mode (in
// single mode the last value of a repeated header), and the body as text for
// the text types and base64 for everything else, as the ALB expects.
func ResponseDocument(status int, h http.Header, body []byte, mode Mode) []byte {
	if status == 0 {
		status = http.StatusOK
	}
	resp := responseDoc{StatusCode: status, StatusDescription: strconv.Itoa(status) + " " + http.StatusText(status)}
	if mode == Multi {
		resp.MultiValueHeaders = map[string][]string{}
		for k, vs := range h {
			resp.MultiValueHeaders[k] = vs
		}
	} else {
		resp.Headers = map[string]string{}
		for k, vs := range h {
			if len(vs) > 0 {
				resp.Headers[k] = vs[len(vs)-1]
			}
		}
	}
	if len(body) > 0 {
		if h.Get("Content-Encoding") != "" || !alb.IsTextContentType(h.Get("Content-Type")) {
			resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			resp.Body = string(body)
		}
	}
	b, _ := gojson.Marshal(resp)
	return b
}

// responseDoc is a response document with the other mode's field left out.
type responseDoc struct {
	StatusCode        int                 `json:"statusCode"`
	StatusDescription string              `json:"statusDescription"`
	Headers           map[string]string   `json:"headers,omitempty"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders,omitempty"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}
