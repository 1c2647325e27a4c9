package serve_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bound is how long a test waits for the server to act before failing: a
// guard against a hang, not a pause (the timeouts under test are far
// shorter).
const bound = 5 * time.Second

// dial opens a raw connection to a server started by start.
func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(bound)))
	return conn
}

// assertClosed checks that the server closes conn: the next read ends with
// EOF (or a reset), not with this side's own deadline.
func assertClosed(t *testing.T, r io.Reader) {
	t.Helper()
	_, err := io.Copy(io.Discard, r)
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server held the connection open for %s", bound)
}

// A connection that never sends a request is closed after the idle timeout.
func TestServeClosesSilentConnection(t *testing.T) {
	url, _ := start(t, serve.Options{Handler: okHandler, IdleTimeout: 100 * time.Millisecond})
	assertClosed(t, dial(t, url))
}

// A kept-alive connection with nothing more to ask is closed after the
// idle timeout.
func TestServeClosesIdleKeepAlive(t *testing.T) {
	url, _ := start(t, serve.Options{Handler: okHandler, IdleTimeout: 100 * time.Millisecond})
	conn := dial(t, url)
	_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "ok", string(b))
	assert.False(t, resp.Close, "kept alive")
	assertClosed(t, br)
}

// A client that stops sending its body gets the ALB's 408, and the
// connection is closed.
func TestServeStalledBody(t *testing.T) {
	url, log := start(t, serve.Options{Handler: okHandler, IdleTimeout: 100 * time.Millisecond})
	conn := dial(t, url)
	_, err := io.WriteString(conn, "POST /up HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nabc")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Equal(t, "awselb/2.0", resp.Header.Get("Server"))
	assert.Contains(t, string(b), "408 Request Timeout")
	assert.True(t, resp.Close)
	assertClosed(t, br)
	assert.Contains(t, log.String(), `"POST /up HTTP/1.1" 408 - `)
	assert.Contains(t, log.String(), "no data from the client for 100ms")
}

// smallBuffers shrinks the send buffer of every accepted connection, so
// that a client that does not read blocks the server's writes at once
// instead of after megabytes of kernel buffering.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// A client that stops reading the answer is dropped after the idle
// timeout: the handler does not stay blocked on it.
func TestServeClientStopsReading(t *testing.T) {
	big := strings.Repeat("x", 700<<10)
	h := rawHandler{`{"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "` + big + `"}`}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	log := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve.New(serve.Options{Handler: h, Log: log, IdleTimeout: 100 * time.Millisecond}).Run(ctx, smallBuffers{ln})
	}()
	defer func() {
		cancel()
		assert.NoError(t, <-done)
	}()

	conn := dial(t, "http://"+ln.Addr().String())
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(4<<10))
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	// The access-log line is written when the handler returns.
	require.Eventually(t, func() bool { return strings.Contains(log.String(), `"GET / HTTP/1.1" 200 200`) }, bound, 10*time.Millisecond,
		"the handler is still writing to a client that does not read")
	assert.Contains(t, log.String(), "the answer did not reach the client")
}
