package serve

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"
)

// The ALB's connection idle timeout is about silence, not duration: a client
// may take as long as it likes over a request or a response as long as some
// data moves at least once per timeout. Go's http.Server has only whole-
// request timeouts for bodies, so the body is read through idleReader, which
// moves the read deadline forward before every read, and each response
// starts a fresh write deadline (startWrite).

// idleReader reads a request body with a deadline of idle per read.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (ir idleReader) Read(p []byte) (int, error) {
	// An error means the writer cannot take deadlines (a test's recorder,
	// say): then the body is read without one.
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	return ir.r.Read(p)
}

// readBody reads r's body, at most limit bytes, allowing idle between any
// two pieces of it. The deadline is cleared afterwards: while the function
// runs, the client has nothing to send, and Go's server keeps reading the
// connection in the background to notice a client that goes away. After a
// timeout it stays expired, so that Go's server, which drains what is left
// of a body before it closes the connection, does not wait on the silent
// client again.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, idle time.Duration) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	rc := http.NewResponseController(w)
	body, err := io.ReadAll(io.LimitReader(idleReader{r.Body, rc, idle}, limit))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// startWrite gives the response about to be written idle to reach the
// client: a client that stops reading is dropped instead of holding the
// handler forever.
func startWrite(w http.ResponseWriter, idle time.Duration) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(idle))
}
