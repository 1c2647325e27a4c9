package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// fakeOptions are curl's options that make sense for an event, plus
// albcheck's own.
type fakeOptions struct {
	method      string
	url         string
	headers     []string
	data        []string // -d: form data, @file with newlines stripped
	dataRaw     []string
	dataBinary  []string // @file kept byte for byte
	json        []string
	form        []string
	cookies     []string
	userAgent   string
	head        bool
	get         bool
	compressed  bool
	ignored     bool
	multi       bool
	healthCheck bool
	seed        int64
	ip          string
	targetGroup string
	region      string
	count       int
	output      string
	fromCurl    string
}

// addCurlFlags defines the curl options albcheck understands, on the command
// and on the flag set that reads a pasted curl command line.
func addCurlFlags(f *pflag.FlagSet, o *fakeOptions) {
	f.StringVarP(&o.method, "request", "X", "", "HTTP method (default GET, or POST with a body)")
	f.StringArrayVarP(&o.headers, "header", "H", nil, "request header 'Name: value'; repeat a name to send it twice")
	f.StringArrayVarP(&o.data, "data", "d", nil, "form data, as curl -d (@FILE reads a file, newlines removed; @- standard input); sets POST and application/x-www-form-urlencoded")
	f.StringArrayVar(&o.dataRaw, "data-raw", nil, "like --data, without @FILE")
	f.StringArrayVar(&o.dataBinary, "data-binary", nil, "body bytes as given (@FILE reads a file as is; @- standard input)")
	f.StringArrayVar(&o.json, "json", nil, "JSON body (@FILE reads a file; @- standard input); sets POST, content-type and accept application/json, as curl does")
	f.StringArrayVarP(&o.form, "form", "F", nil, "multipart form field name=value (name=@FILE uploads a file); sets POST")
	f.StringArrayVarP(&o.cookies, "cookie", "b", nil, "cookies, 'name=value; other=value'")
	f.StringVarP(&o.userAgent, "user-agent", "A", "", "user agent (default: a desktop browser's)")
	f.BoolVarP(&o.head, "head", "I", false, "HEAD request")
	f.BoolVarP(&o.get, "get", "G", false, "put the data in the query string of a GET, as curl -G does")
	f.BoolVar(&o.compressed, "compressed", false, "ask for a compressed response, as curl does: Accept-Encoding: "+curlAcceptEncoding)
	// Options often found in pasted curl commands that change nothing here.
	for _, name := range []string{"silent", "show-error", "verbose", "insecure", "location", "include", "fail", "http1.1", "http2"} {
		f.BoolVar(&o.ignored, name, false, "ignored (curl compatibility)")
		_ = f.MarkHidden(name)
	}
	for _, short := range []string{"s", "S", "v", "k", "L", "i", "f"} {
		f.BoolP("curl-"+short, short, false, "ignored (curl compatibility)")
		_ = f.MarkHidden("curl-" + short)
	}
}

func newFakeCmd(s *streams) *cobra.Command {
	o := &fakeOptions{}
	cmd := &cobra.Command{
		Use:   "fake [METHOD] URL",
		Short: "Print the event a real ALB would send for a request (curl-like)",
		Long: `Print the request event a real ALB sends to a Lambda target for a request described
with curl's options. URL may be a bare path (/health), which gets a default
elb.amazonaws.com host; quote a URL that holds ? or &, or the shell takes them.

The event follows what a real ALB does: lower-case header names, the last value
of a repeated header or query key (all of them with --multi-value), the query
left URL-encoded, base64 bodies for every content type but text, JSON,
JavaScript and XML, and the x-amzn-trace-id and x-forwarded-* headers.

Requests a real ALB refuses (a body over 1 MB, TRACE, a WebSocket upgrade,
oversized headers, more than 30 X-Forwarded-For addresses) are refused with the
status the client would get (exit status 1). A body file (@FILE) must be a
regular file or standard input (@-), and is never read past 1 MB: a larger one
is refused (413).

--from-curl reads a curl command line as bash would, with the $'...' quoting
that browsers' "Copy as cURL" uses.`,
		Example: `  albcheck fake '/orders?id=42'
  albcheck fake POST https://api.example.com/orders --json '{"item":"book"}'
  albcheck fake /signup -d email=ada@example.com -d plan=pro      # arrives base64-encoded
  albcheck fake PUT /avatar --data-binary @me.png -H 'Content-Type: image/png'
  albcheck fake '/search?tag=a&tag=b' -H 'Accept: text/html' --multi-value
  albcheck fake --health-check /health
  albcheck fake /orders -n 100 -o events/ --seed 1                # 100 distinct events
  albcheck fake --from-curl "curl -X POST 'https://api.example.com/x' -H 'Content-Type: application/json' -d '{}'"`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.fromCurl != "" {
				if len(args) > 0 {
					return usageError("give either --from-curl or a URL, not both")
				}
				if err := parseCurl(o); err != nil {
					return usageError("--from-curl: %v", err)
				}
			} else {
				switch len(args) {
				case 0:
					return usageError("give a URL or a path, such as /orders?id=1 (see albcheck fake --help)")
				case 1:
					if isMethodWord(args[0]) {
						return usageError("%s needs a URL or a path after it, such as albcheck fake %s /orders", args[0], args[0])
					}
					o.url = args[0]
				case 2:
					if o.method != "" && !strings.EqualFold(o.method, args[0]) {
						return usageError("method given twice: %s and -X %s", args[0], o.method)
					}
					o.method, o.url = strings.ToUpper(args[0]), args[1]
				}
			}
			if !cmd.Flags().Changed("seed") {
				o.seed = -1
			}
			return runFake(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	addCurlFlags(f, o)
	f.BoolVar(&o.multi, "multi-value", false, "the target group has multi-value headers on")
	f.BoolVar(&o.healthCheck, "health-check", false, "the ALB's health-check event for the path")
	f.Int64Var(&o.seed, "seed", 0, "make the output reproducible: the same seed, the same bytes")
	f.StringVar(&o.ip, "ip", "", "the client's IP address (default: a random public one)")
	f.StringVar(&o.targetGroup, "target-group", "", "the target group's ARN")
	f.StringVar(&o.region, "region", "", "the load balancer's AWS region (default us-east-1)")
	f.IntVarP(&o.count, "count", "n", 1, "how many distinct events to write (needs -o DIR above 1)")
	f.StringVarP(&o.output, "output", "o", "", "write to FILE, or with -n to DIR/event-0001.json …")
	f.StringVar(&o.fromCurl, "from-curl", "", "read the request from a pasted curl command line")
	return cmd
}

// parseCurl reads a pasted curl command line into o.
func parseCurl(o *fakeOptions) error {
	line := o.fromCurl
	words, err := shellWords(line)
	if err != nil {
		return err
	}
	if len(words) > 0 && (words[0] == "curl" || strings.HasSuffix(words[0], "/curl")) {
		words = words[1:]
	}
	fs := pflag.NewFlagSet("curl", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	curl := &fakeOptions{}
	addCurlFlags(fs, curl)
	fs.String("url", "", "")
	if err := fs.Parse(words); err != nil {
		return err
	}
	rest := fs.Args()
	if u, _ := fs.GetString("url"); u != "" {
		rest = append(rest, u)
	}
	if len(rest) != 1 {
		return fmt.Errorf("want one URL, got %d (%s)", len(rest), strings.Join(rest, " "))
	}
	o.url = rest[0]
	o.method, o.headers, o.data, o.dataRaw, o.dataBinary = curl.method, curl.headers, curl.data, curl.dataRaw, curl.dataBinary
	o.json, o.form, o.cookies, o.userAgent, o.head, o.get = curl.json, curl.form, curl.cookies, curl.userAgent, curl.head, curl.get
	o.compressed = curl.compressed
	return nil
}

func runFake(_ context.Context, o *fakeOptions, s *streams) error {
	if o.count < 1 {
		return usageError("-n must be at least 1")
	}
	dirOut := o.count > 1
	if dirOut && o.output == "" {
		return usageError("-n %d writes %d files: give a directory with -o", o.count, o.count)
	}
	docs := make([][]byte, 0, min(o.count, 1024))
	src := newBodySource(s.in)
	for i := range o.count {
		opts := []fakeevent.Option{}
		if o.seed >= 0 {
			opts = append(opts, fakeevent.WithSeed(uint64(o.seed)+uint64(i)))
		}
		doc, err := fakeOne(o, src, opts, i)
		if err != nil {
			return err
		}
		if !dirOut {
			docs = append(docs, doc)
			break
		}
		if err := os.MkdirAll(o.output, 0o755); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		width := max(4, len(fmt.Sprint(o.count)))
		name := filepath.Join(o.output, fmt.Sprintf("event-%0*d.json", width, i+1))
		if err := os.WriteFile(name, doc, 0o644); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}
	if dirOut {
		fmt.Fprintf(s.err, "wrote %d events to %s\n", o.count, o.output)
		return nil
	}
	if o.output != "" {
		if err := os.WriteFile(o.output, docs[0], 0o644); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		return nil
	}
	_, err := s.out.Write(docs[0])
	return err
}

// fakeOne makes event number i.
func fakeOne(o *fakeOptions, src *bodySource, opts []fakeevent.Option, i int) ([]byte, error) {
	if o.multi {
		opts = append(opts, fakeevent.WithMultiValue())
	}
	if o.targetGroup != "" {
		opts = append(opts, fakeevent.WithTargetGroupARN(o.targetGroup))
	}
	if o.region != "" {
		opts = append(opts, fakeevent.WithRegion(o.region))
	}
	if o.ip != "" {
		opts = append(opts, fakeevent.WithClientIP(o.ip))
	}
	target := o.url
	if !strings.HasPrefix(target, "/") && !strings.Contains(target, "://") {
		target = "http://" + target // curl's default scheme
	}
	if o.healthCheck {
		path := target
		if i := strings.Index(path, "://"); i >= 0 {
			rest := path[i+3:]
			path = "/"
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				path = rest[j:]
			}
		}
		ev, err := fakeevent.HealthCheck(path, opts...)
		if err != nil {
			return nil, usageError("%v", err)
		}
		return append(fakeevent.MarshalIndent(ev, "", "  "), '\n'), nil
	}

	body, contentType, err := fakeBody(o, src, i)
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(o.method)
	switch {
	case method != "":
	case o.head:
		method = "HEAD"
	case body != nil && !o.get:
		method = "POST"
	default:
		method = "GET"
	}
	if o.get && body != nil {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + string(body)
		body, contentType = nil, ""
	}
	b := fakeevent.New(method, target).With(opts...)
	hasHeader := func(name string) bool {
		for _, h := range o.headers {
			if n, _, _ := strings.Cut(h, ":"); strings.EqualFold(strings.TrimSpace(n), name) {
				return true
			}
		}
		return false
	}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usageError("header %q is not 'Name: value'", h)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if strings.EqualFold(name, "Host") {
			b.Host(value)
			continue
		}
		b.Header(name, value)
	}
	if contentType != "" && !hasHeader("Content-Type") {
		b.Header("Content-Type", contentType)
	}
	if len(o.json) > 0 && !hasHeader("Accept") {
		b.Header("Accept", "application/json")
	}
	if o.compressed && !hasHeader("Accept-Encoding") {
		b.Header("Accept-Encoding", curlAcceptEncoding)
	}
	if o.userAgent != "" {
		b.Header("User-Agent", o.userAgent)
	}
	for _, c := range o.cookies {
		b.Header("Cookie", c)
	}
	if body != nil {
		b.BodyBytes(body)
	}
	ev, err := b.Event()
	if err != nil {
		var refused *fakeevent.RefusedError
		if errors.As(err, &refused) {
			return nil, &exitError{code: exitFindings, err: err}
		}
		return nil, usageError("%v", err)
	}
	return append(fakeevent.MarshalIndent(ev, "", "  "), '\n'), nil
}

// fakeBody builds the body from the data options, as curl does, and the
// content type it implies.
func fakeBody(o *fakeOptions, src *bodySource, i int) ([]byte, string, error) {
	kinds := 0
	for _, set := range [][]string{append(append(o.data, o.dataRaw...), o.dataBinary...), o.json, o.form} {
		if len(set) > 0 {
			kinds++
		}
	}
	if kinds > 1 {
		return nil, "", usageError("give one kind of body: -d/--data-binary, --json or -F")
	}
	read := func(v string, stripNewlines bool) ([]byte, error) {
		if !strings.HasPrefix(v, "@") {
			return []byte(v), nil
		}
		return src.file(v[1:], stripNewlines)
	}
	var parts [][]byte
	switch {
	case len(o.form) > 0:
		return multipartBody(o, src, i)
	case len(o.json) > 0:
		for _, v := range o.json {
			b, err := read(v, false)
			if err != nil {
				return nil, "", err
			}
			parts = append(parts, b)
		}
		return bytes.Join(parts, nil), "application/json", nil
	}
	for _, v := range o.data {
		b, err := read(v, true)
		if err != nil {
			return nil, "", err
		}
		parts = append(parts, b)
	}
	for _, v := range o.dataRaw {
		parts = append(parts, []byte(v))
	}
	for _, v := range o.dataBinary {
		b, err := read(v, false)
		if err != nil {
			return nil, "", err
		}
		parts = append(parts, b)
	}
	if parts == nil {
		return nil, "", nil
	}
	return bytes.Join(parts, []byte("&")), "application/x-www-form-urlencoded", nil
}

// multipartBody builds a multipart/form-data body from -F fields. With a
// seed the boundary follows from it, so the output stays reproducible.
func multipartBody(o *fakeOptions, src *bodySource, i int) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	boundary := make([]byte, 8)
	if o.seed >= 0 {
		v := uint64(o.seed)*0x9e3779b97f4a7c15 + uint64(i) + 1
		for k := range boundary {
			boundary[k] = byte(v >> (8 * k))
		}
	} else {
		_, _ = rand.Read(boundary)
	}
	if err := w.SetBoundary("------------------------" + hex.EncodeToString(boundary)); err != nil {
		return nil, "", err
	}
	for _, field := range o.form {
		name, value, ok := strings.Cut(field, "=")
		if !ok {
			return nil, "", usageError("-F %q is not name=value", field)
		}
		if file, isFile := strings.CutPrefix(value, "@"); isFile {
			data, err := src.file(file, false)
			if err != nil {
				return nil, "", err
			}
			part, err := w.CreateFormFile(name, filepath.Base(file))
			if err != nil {
				return nil, "", err
			}
			_, _ = part.Write(data)
			continue
		}
		if err := w.WriteField(name, value); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}
