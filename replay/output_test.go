package replay_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/albcheck/albcheck/replay"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A handler that prints 3 MB in one invocation: what it printed is that
// invocation's output, capped with a line that says how much was left out
// (its beginning and its end kept), and none of it reaches the next
// invocation's output. Node writes to a pipe asynchronously, so its
// bootstrap must wait for the output to leave before it answers.
func TestLoudInvocationKeepsItsOutput(t *testing.T) {
	for _, tc := range []struct{ name, runtime, dir string }{
		{"node", "nodejs", "testdata/nodefn"},
		{"python", "python", "testdata/pyfn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := managed(t, tc.runtime, "app.loud", tc.dir)
			loud := h.Invoke(context.Background(), eventAt(t, "/loud"), 10*time.Second)
			require.Nil(t, loud.Failure)
			quiet := h.Invoke(context.Background(), eventAt(t, "/quiet"), 10*time.Second)
			require.Nil(t, quiet.Failure)
			logs := string(loud.Logs)
			assert.LessOrEqual(t, len(logs), 66<<10, "the output is capped")
			marker := regexp.MustCompile(`\nalbcheck: … (\d+) bytes more not shown …\n`).FindStringSubmatch(logs)
			if assert.NotNil(t, marker, "no marker in the loud output") {
				// 3 MB of x, a newline, the tab line: all but 64 KB are cut.
				assert.Greater(t, len(marker[1]), 6, "cut %s bytes", marker[1])
			}
			assert.True(t, strings.HasSuffix(logs, "tab\there /loud\n"), "the end of the output is kept: %q", logs[max(len(logs)-60, 0):])
			assert.True(t, strings.HasPrefix(logs, "xxxx") || strings.Contains(logs[:min(len(logs), 100)], "\tINFO\txxxx"), "the beginning of the output is kept: %q", logs[:min(len(logs), 60)])
			q := string(quiet.Logs)
			assert.NotContains(t, q, "xxxx", "the loud invocation's output stays with it")
			assert.Contains(t, q, "tab\there /quiet")
			assert.Less(t, len(q), 1000, "the quiet invocation's output: %q", q[:min(len(q), 200)])
		})
	}
}

// --exec keeps a process's stderr the same way: its beginning, its end and
// how much lies between.
func TestExecOutputCapped(t *testing.T) {
	t.Parallel()
	script := `import sys; sys.stderr.write("y" * (3 << 20) + "\nlast line\n"); print('{"statusCode": 200}')`
	h := replay.ExecHandler([]string{"python3", "-c", script}, nil, 1)
	defer h.Close()
	r := h.Invoke(context.Background(), eventAt(t, "/"), 10*time.Second)
	require.Nil(t, r.Failure)
	logs := string(r.Logs)
	assert.LessOrEqual(t, len(logs), 66<<10, "the output is capped")
	assert.Regexp(t, `\nalbcheck: … \d+ bytes more not shown …\n`, logs[32<<10-10:32<<10+100])
	assert.True(t, strings.HasPrefix(logs, "yyyy") && strings.HasSuffix(logs, "y\nlast line\n"), "the beginning and the end are kept")
}
