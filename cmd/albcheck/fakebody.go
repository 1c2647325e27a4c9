package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/albcheck/albcheck/alb"
	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/internal/inputs"
)

// curlAcceptEncoding is the Accept-Encoding that curl --compressed sends
// when built with every decoder libcurl has: deflate, gzip, br and zstd
// (everything.curl.dev, "Content Encoding"; libcurl's
// CURLOPT_ACCEPT_ENCODING with "" asks for all built-in encodings).
const curlAcceptEncoding = "deflate, gzip, br, zstd"

// bodySource reads the @FILE arguments of a fake request. A body over the
// ALB's limit can never reach a function, so no read goes past the limit:
// a regular file is refused by its size, standard input after limit+1
// bytes, and anything else (a device such as /dev/zero, a FIFO, a
// directory) is refused before it is opened. What it read is kept, so that
// -n 100 reads standard input once.
type bodySource struct {
	stdin io.Reader
	read  map[string][]byte
}

func newBodySource(stdin io.Reader) *bodySource {
	return &bodySource{stdin: stdin, read: map[string][]byte{}}
}

// file returns the bytes of name ("-" for standard input), with CR and LF
// removed when strip is set, as curl -d does.
func (b *bodySource) file(name string, strip bool) ([]byte, error) {
	key := fmt.Sprintf("%t:%s", strip, name)
	if data, ok := b.read[key]; ok {
		return data, nil
	}
	var r io.Reader
	switch {
	case name == "-":
		if b.stdin == nil {
			return nil, usageError("read body: no standard input")
		}
		r = b.stdin
	case !strip:
		// The bytes as they are: inputs.ReadFile reads only a regular file,
		// refuses one over the limit by its size, and never reads past it.
		data, err := inputs.ReadFile(name, alb.MaxRequestBody)
		var tl *inputs.TooLargeError
		switch {
		case errors.As(err, &tl) && tl.Size >= 0:
			return nil, bodyTooLarge(name, fmt.Sprintf("is %d bytes, ", tl.Size))
		case errors.As(err, &tl):
			return nil, bodyTooLarge(name, "is ")
		case errors.Is(err, inputs.ErrNotRegular):
			return nil, usageError("read body: %s is not a regular file (give a file, or @- for standard input)", name)
		case err != nil:
			return nil, usageError("read body: %v", err)
		}
		b.read[key] = data
		return data, nil
	default:
		// Stripped of line breaks, a larger file may still fit: read it
		// through the limit below. Stat before opening: opening a FIFO
		// would wait for a writer.
		st, err := os.Stat(name)
		if err != nil {
			return nil, usageError("read body: %v", err)
		}
		if !st.Mode().IsRegular() {
			return nil, usageError("read body: %s is not a regular file (give a file, or @- for standard input)", name)
		}
		f, err := os.Open(name)
		if err != nil {
			return nil, usageError("read body: %v", err)
		}
		defer f.Close()
		r = f
	}
	if strip {
		r = &newlineDropper{r: bufio.NewReader(r)}
	}
	// The file may have grown since Stat, and standard input has no size:
	// read one byte past the limit to know it is over.
	data, err := io.ReadAll(io.LimitReader(r, alb.MaxRequestBody+1))
	if err != nil {
		return nil, usageError("read body %s: %v", name, err)
	}
	if len(data) > alb.MaxRequestBody {
		return nil, bodyTooLarge(name, "is ")
	}
	b.read[key] = data
	return data, nil
}

// bodyTooLarge is the ALB's answer to a body over its limit: 413 without
// invoking the function, as fakeevent refuses a body it is given. size is
// "is N bytes, " when the size is known, else "is ".
func bodyTooLarge(name, size string) error {
	if name == "-" {
		name = "standard input"
	}
	return &exitError{code: exitFindings, err: &fakeevent.RefusedError{
		Status: http.StatusRequestEntityTooLarge,
		Reason: fmt.Sprintf("LambdaRequestTooLarge: the body in %s %sover the limit of %d bytes", name, size, alb.MaxRequestBody),
	}}
}

// newlineDropper reads r without its CR and LF bytes.
type newlineDropper struct{ r *bufio.Reader }

func (d *newlineDropper) Read(p []byte) (int, error) {
	for {
		n, err := d.r.Read(p)
		kept := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' {
				p[kept] = c
				kept++
			}
		}
		if kept > 0 || err != nil {
			return kept, err
		}
	}
}

// isMethodWord reports whether a lone argument is an HTTP method rather than
// a URL: "albcheck fake POST" forgot the URL; it does not mean the host POST.
func isMethodWord(s string) bool {
	switch strings.ToUpper(s) {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE":
		return s == strings.ToUpper(s)
	}
	return false
}
