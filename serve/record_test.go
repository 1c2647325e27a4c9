package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/serve"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawHandler is a function that answers every event with the same document,
// however broken: the tests' misbehaving function.
type rawHandler struct{ payload string }

func (h rawHandler) Invoke(context.Context, []byte, time.Duration) replay.Result {
	return replay.Result{Payload: []byte(h.payload)}
}
func (rawHandler) Concurrency() int { return 1 }
func (rawHandler) Close() error     { return nil }

var okHandler = rawHandler{`{"statusCode": 200, "statusDescription": "200 OK", "headers": {"Content-Type": "text/plain"}, "body": "ok"}`}

// recorded lists the file names in a record folder, sorted.
func recorded(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// A second session into the same folder adds files after the first's,
// and leaves the first's alone.
func TestRecordContinuesNumbering(t *testing.T) {
	dir := t.TempDir()
	earlier := map[string]string{"0001-get.json": "earlier one\n", "0007-post.json": "earlier seven\n", "notes.txt": "mine\n"}
	for name, content := range earlier {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	url, _, stop := startStop(t, serve.Options{Handler: okHandler, RecordDir: dir})
	get(t, "GET", url+"/a", nil)
	get(t, "GET", url+"/b", nil)
	stop()

	assert.Equal(t, []string{"0001-get.json", "0007-post.json", "0008-get.json", "0009-get.json", "notes.txt"}, recorded(t, dir))
	for name, content := range earlier {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, content, string(b), "%s was replaced", name)
	}
	b, err := os.ReadFile(filepath.Join(dir, "0008-get.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"name": "0008 GET /a"`, "the fixture's name carries its file's number")
}

// Two servers recording into one folder at once lose nothing: every
// exchange gets its own file, and each file's name and number agree.
func TestRecordTwoServersOneFolder(t *testing.T) {
	dir := t.TempDir()
	urlA, _, stopA := startStop(t, serve.Options{Handler: okHandler, RecordDir: dir})
	urlB, _, stopB := startStop(t, serve.Options{Handler: okHandler, RecordDir: dir})
	const each = 15
	var wg sync.WaitGroup
	for _, url := range []string{urlA, urlB} {
		for i := range each {
			wg.Go(func() {
				resp, err := http.Get(fmt.Sprintf("%s/%s/%d", url, url[len(url)-5:], i))
				if assert.NoError(t, err) {
					resp.Body.Close()
				}
			})
		}
	}
	wg.Wait()
	stopA()
	stopB()

	names := recorded(t, dir)
	require.Len(t, names, 2*each, "files overwritten: %v", names)
	paths := map[string]bool{}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		var f struct {
			Name    string
			Request struct{ Target string }
		}
		require.NoError(t, json.Unmarshal(b, &f), name)
		assert.True(t, strings.HasPrefix(f.Name, strings.TrimSuffix(name, "-get.json")+" GET "), "%s holds %q", name, f.Name)
		paths[f.Request.Target] = true
	}
	assert.Len(t, paths, 2*each, "every exchange recorded once")
}

// A link already in the record folder is never written through, whether it
// points at a file outside or at a name outside that does not exist yet.
func TestRecordLinkInFolder(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("keep\n"), 0o644))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "0001-get.json")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "new.json"), filepath.Join(dir, "0002-get.json")))

	url, log, stop := startStop(t, serve.Options{Handler: okHandler, RecordDir: dir})
	get(t, "GET", url+"/", nil)
	stop()

	b, err := os.ReadFile(secret)
	require.NoError(t, err)
	assert.Equal(t, "keep\n", string(b), "written through a link: %s", log)
	assert.NoFileExists(t, filepath.Join(outside, "new.json"))
	info, err := os.Lstat(filepath.Join(dir, "0003-get.json"))
	require.NoError(t, err, "files: %v\n%s", recorded(t, dir), log)
	assert.True(t, info.Mode().IsRegular())
}

// Any HTTP token is a method, however long or odd: the file name stays
// short and plain.
func TestRecordHostileMethod(t *testing.T) {
	dir := t.TempDir()
	method := "X|*" + strings.Repeat("Y", 300)
	url, log, stop := startStop(t, serve.Options{Handler: okHandler, RecordDir: dir})
	get(t, method, url+"/", nil)
	stop()
	assert.Equal(t, []string{"0001-x__yyyyyyyyyyyyyyyyyyyyy.json"}, recorded(t, dir), "%s", log)
}

// An answer whose bytes are not UTF-8 (and hold no NUL) is not recorded as
// an "equals" text, which JSON would turn into U+FFFD and replay would then
// fail (before: it was).
func TestRecordNonUTF8Body(t *testing.T) {
	dir := t.TempDir()
	h := rawHandler{`{"statusCode": 200, "statusDescription": "200 OK", "headers": {"Content-Type": "application/octet-stream"}, "isBase64Encoded": true, "body": "/+7dzA=="}`}
	url, _, stop := startStop(t, serve.Options{Handler: h, RecordDir: dir})
	get(t, "GET", url+"/bin", nil)
	stop()
	b, err := os.ReadFile(filepath.Join(dir, "0001-get.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"equals"`)
	assert.NotContains(t, string(b), `\ufffd`)
}
