package replay_test

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// changedAnswer is a function that got every answer of the shipped
// fixtures wrong, in every way an expectation can catch: another status
// (no code, list or class of the fixtures allows 418), headers changed,
// added and dropped (one that looks like a /pattern/), and bodies that are
// other JSON, other text (with HTML in it) or bytes that are no UTF-8.
func changedAnswer(ev events.ALBTargetGroupRequest) []byte {
	h := map[string]string{"Content-Type": "text/x-changed", "Location": "/moved/", "Set-Cookie": "other=1", "Access-Control-Allow-Methods": "GET"}
	body, b64 := "changed <b>&</b> text", false
	switch {
	case ev.Path == "/logo.png":
		body, b64 = base64.StdEncoding.EncodeToString([]byte{0x89, 'P', 'N', 'G', 0xff, 0}), true
	case ev.Path == "/signup":
		body, b64 = base64.StdEncoding.EncodeToString([]byte{'h', 'i', 0xff, 0xfe}), true
	case strings.HasPrefix(ev.Path, "/api/") || ev.Path == "/upload" || ev.Path == "/login":
		h["Content-Type"] = "application/json"
		body = `{"query":"other","id":7,"bytes":1,"ok":false,"extra":[1,2.50]}`
	}
	if ev.HTTPMethod == "HEAD" {
		body = ""
	}
	doc, _ := json.Marshal(events.ALBTargetGroupResponse{StatusCode: 418, StatusDescription: "418 I'm a teapot", Headers: h, MultiValueHeaders: multi(h, ev), Body: body, IsBase64Encoded: b64})
	return doc
}

func multi(h map[string]string, ev events.ALBTargetGroupRequest) map[string][]string {
	if ev.MultiValueHeaders == nil {
		return nil
	}
	m := map[string][]string{}
	for k, v := range h {
		m[k] = []string{v}
	}
	return m
}

// runAll runs every case of dir through answer and returns the outcomes.
func runAll(t *testing.T, dir string, answer func(events.ALBTargetGroupRequest) []byte) []*replay.Outcome {
	t.Helper()
	var outcomes []*replay.Outcome
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		cases, err := replay.Load(f, "") // the root: dir, each fixture's folder
		require.NoError(t, err)
		for _, c := range cases {
			require.Empty(t, c.Problems, "%s", c.Name)
			outcomes = append(outcomes, replay.Check(c, replay.Result{Payload: answer(c.Event)}))
		}
	}
	return outcomes
}

func failing(outcomes []*replay.Outcome) []string {
	var out []string
	for _, o := range outcomes {
		for _, f := range o.Findings {
			if f.Severity == validate.Error {
				out = append(out, o.Case.Name+": "+string(f.Rule)+" "+f.Pointer+": "+f.Message)
			}
		}
	}
	return out
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	}))
	return files
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, os.CopyFS(to, os.DirFS(from)))
}

// The property --update promises: whatever the function answers, after
// recording it the same answers pass, and recording them again writes
// nothing.
func TestUpdateThenRerunPasses(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../fixtures", dir)

	first := runAll(t, dir, changedAnswer)
	require.Greater(t, len(failing(first)), 25, "the answers differ from every fixture")
	written, err := replay.Update(first)
	require.NoError(t, err)
	assert.NotEmpty(t, written)

	again := runAll(t, dir, changedAnswer)
	assert.Empty(t, failing(again), "after --update the same answers pass")

	before := snapshot(t, dir)
	written, err = replay.Update(again)
	require.NoError(t, err)
	assert.Empty(t, written, "unchanged answers rewrite nothing")
	assert.Equal(t, before, snapshot(t, dir), "not a byte changed")

	// What was recorded, as written.
	b, err := os.ReadFile(filepath.Join(dir, "not-found.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"location": "/^/moved/$/"`, "a value that looks like a pattern matches only itself")
	assert.Contains(t, string(b), `"equals": "changed <b>&</b> text"`, "no HTML escapes")
	b, err = os.ReadFile(filepath.Join(dir, "orders-wrong-method.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"allow": null`, "an absent header is recorded as null, not \"\"")
	b, err = os.ReadFile(filepath.Join(dir, "search-encoded-query.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"query": "other"`)
	assert.NotContains(t, string(b), `"extra"`, "a subset keeps only its own keys")
	b, err = os.ReadFile(filepath.Join(dir, "signup-form.golden"))
	require.NoError(t, err, "a body that is no UTF-8 goes to a golden file")
	assert.Equal(t, []byte{'h', 'i', 0xff, 0xfe}, b)
}

// --update replaces the values that failed and keeps every other byte of
// the file: key order, spacing, the other cases of a list.
func TestUpdateKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../fixtures", dir)
	_, err := replay.Update(runAll(t, dir, changedAnswer))
	require.NoError(t, err)
	orig, err := os.ReadFile("../fixtures/suite-api-list.json")
	require.NoError(t, err)
	want := strings.NewReplacer(
		`"status": 200`, `"status": 418`,
		`"query": ""`, `"query": "other"`,
		"\"status\": [\n        404,\n        410\n      ]", `"status": 418`,
	).Replace(string(orig))
	now, err := os.ReadFile(filepath.Join(dir, "suite-api-list.json"))
	require.NoError(t, err)
	assert.Equal(t, want, string(now))
}

// --mode multi sends a bare event file in multi mode, as the result says.
func TestBareEventForcedMode(t *testing.T) {
	for _, mode := range []fakeevent.Mode{fakeevent.Multi, fakeevent.Single} {
		cases, err := replay.Load("../fixtures/bare-event-get-order.json", mode)
		require.NoError(t, err)
		require.Len(t, cases, 1)
		c := cases[0]
		assert.Equal(t, mode, c.Mode)
		rep := validate.Request(c.EventJSON, validate.WithMode(validate.Mode(mode)))
		assert.True(t, rep.OK(), "%s: %v", mode, rep.Findings)
		if mode == fakeevent.Multi {
			assert.Equal(t, []string{"items"}, c.Event.MultiValueQueryStringParameters["expand"])
			assert.Nil(t, c.Event.Headers)
		}
	}
	// A fixture's full event, forced the other way, likewise.
	cases, err := replay.Load("../fixtures/health-check-multi.json", fakeevent.Single)
	require.NoError(t, err)
	assert.Equal(t, "ELB-HealthChecker/2.0", cases[0].Event.Headers["user-agent"])
	assert.Contains(t, string(cases[0].EventJSON), `"headers"`)
	assert.NotContains(t, string(cases[0].EventJSON), `"multiValueHeaders"`)
}

// A fixture that starts with a byte-order mark is updated and keeps it
// (before: "/expect/status: not found", and no other fixture of the run was
// updated); a new golden file for a binary body never replaces a file, or a
// link, that is already there (before: overwritten).
func TestUpdateKeepsWhatIsThere(t *testing.T) {
	dir := t.TempDir()
	bom := "\xef\xbb\xbf"
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("a-bom.json", bom+`{"name": "bom", "request": {"method": "GET", "target": "/a"}, "expect": {"status": 201}}`)
	write("b-bin.json", `{"name": "bin", "request": {"method": "GET", "target": "/logo.png"}, "expect": {"body": {"equals": "x"}}}`)
	write("b-bin.golden", "precious")
	write("c-bin.json", `{"name": "bin2", "request": {"method": "GET", "target": "/logo.png"}, "expect": {"body": {"equals": "x"}}}`)
	outside := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "c-bin.golden")))
	write("d-plain.json", `{"name": "plain", "request": {"method": "GET", "target": "/d"}, "expect": {"status": 201}}`)

	written, err := replay.Update(runAll(t, dir, changedAnswer))
	require.NoError(t, err)
	names := make([]string, len(written))
	for i, w := range written {
		names[i] = filepath.Base(w)
	}
	assert.ElementsMatch(t, []string{"a-bom.json", "b-bin-2.golden", "b-bin.json", "c-bin-2.golden", "c-bin.json", "d-plain.json"}, names)

	b, err := os.ReadFile(filepath.Join(dir, "a-bom.json"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), bom), "the byte-order mark is kept")
	assert.Contains(t, string(b), `"status": 418`)
	b, err = os.ReadFile(filepath.Join(dir, "b-bin.golden"))
	require.NoError(t, err)
	assert.Equal(t, "precious", string(b), "a file already there is not replaced")
	_, err = os.Stat(outside)
	assert.ErrorIs(t, err, fs.ErrNotExist, "nothing written through the link")

	for _, o := range runAll(t, dir, changedAnswer) {
		assert.True(t, o.OK(false), "%s passes after the update: %v", o.Case.Name, o.Findings)
	}
}
