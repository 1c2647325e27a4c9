package render

import "testing"

// A partial run's closing line says so on stdout too (before: "1 passed,
// 1 failed" read as a whole run, and only stderr told the difference).
func TestSummaryLineSaysAPartialRun(t *testing.T) {
	for _, tt := range []struct {
		s    Summary
		want string
	}{
		{Summary{Passed: 1, Failed: 1}, "1 passed, 1 failed"},
		{Summary{Passed: 1, Failed: 1, Interrupted: "SIGINT"}, "1 passed, 1 failed (interrupted by SIGINT: the inputs after these were not checked)"},
		{Summary{Failed: 1, Stopped: "--fail-fast"}, "0 passed, 1 failed (stopped by --fail-fast: inputs after these, if any, were not checked)"},
	} {
		if got := tt.s.Line(); got != tt.want {
			t.Errorf("Line() = %q, want %q", got, tt.want)
		}
	}
}
