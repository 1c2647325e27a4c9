package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replayAnswering replays a fixture through a function that prints answer,
// whatever the event, and returns the text output.
func replayAnswering(t *testing.T, fixture, answer string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses cat as the function")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "answer"), []byte(answer), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), []byte(fixture), 0o644))
	code, out, errOut := runCLI(t, "", "replay", "--exec", "cat "+filepath.Join(dir, "answer"), filepath.Join(dir, "cases.json"))
	assert.Equal(t, exitFindings, code, errOut)
	return strings.ReplaceAll(out, dir+string(filepath.Separator), "")
}

const twoCases = `[
  {"name": "home", "request": {"method": "GET", "target": "/"}},
  {"name": "created", "request": {"method": "POST", "target": "/orders", "body": "x"},
   "expect": {"status": 201}}
]`

// A Go handler that returns events.ALBTargetGroupResponse{}: the forgotten
// status comes first with its hint, no warning guesses a "0 " status, and
// the output says what the client gets. Locations are file:line:col of the
// case, the case's name after them.
func TestReplayZeroValueAnswer(t *testing.T) {
	zero, err := json.Marshal(events.ALBTargetGroupResponse{})
	require.NoError(t, err)
	out := replayAnswering(t, twoCases, string(zero))
	assert.Equal(t, `cases.json:2:3: [home] RESP-002 error /statusCode: statusCode 0 is not between 100 and 599 (statusCode missing: did the handler return a zero value?)
cases.json:2:3: [home] RESP-004 error /headers: "headers" must be an object, got null: this is the field a single-mode target group reads
cases.json:2:3: [home] RESP-003 warning /statusDescription: statusDescription "" is not "<code> <reason>"
  → the client gets 502 LambdaInvalidResponse
cases.json:3:3: [created] RESP-002 error /statusCode: statusCode 0 is not between 100 and 599 (statusCode missing: did the handler return a zero value?)
cases.json:3:3: [created] RESP-004 error /headers: "headers" must be an object, got null: this is the field a single-mode target group reads
cases.json:3:3: [created] RESP-003 warning /statusDescription: statusDescription "" is not "<code> <reason>"
  → the client gets 502 LambdaInvalidResponse
0 passed, 2 failed
`, out)
}

// A function that prints something other than JSON: the JSON-001 says its
// position is in the answer, and the answer is shown, quoted where it is
// not printable.
func TestReplayNonJSONAnswer(t *testing.T) {
	out := replayAnswering(t, twoCases, "handling request\x1b[2J\n{\"statusCode\": 200}\n")
	assert.Contains(t, out, `cases.json:2:3: [home] JSON-001 error (root): invalid JSON: invalid character 'h' looking for beginning of value (at line 1, column 2 of the function's answer, not of the fixture)
  → the client gets 502 LambdaInvalidResponse
  the function's answer:
    handling request\x1b[2J
    {"statusCode": 200}
`)
	assert.NotContains(t, out, "\x1b")
}

// An expectation is located at its own place in the fixture.
func TestReplayExpectationLocation(t *testing.T) {
	ok := `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {}, "body": ""}`
	out := replayAnswering(t, twoCases, ok)
	assert.Equal(t, "cases.json:4:25: [created] EXPECT-STATUS error /1/expect/status: status 200, want 201\n  → the client gets 200 OK\n1 passed, 1 failed\n", out)
}
