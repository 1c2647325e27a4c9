package albtest

import (
	"flag"
	"fmt"
	"os"
	"strconv"
)

// UpdateEnv is the environment variable that makes a test run rewrite golden
// files (Golden) and fixture expectations (Replay, ReplayHTTP) from the
// handler's answers: ALBTEST_UPDATE=1 go test ./...
//
// albtest registers no flag of its own: a package-level flag.Bool("update")
// in albtest would make every test package that defines the usual -update
// flag panic with "flag redefined", and go test ./... -update fails in every
// package that has no such flag. Instead, a test package that defines a
// boolean -update flag (flag.Bool("update", false, ...)) turns updating on
// with go test -update as well; the variable works everywhere.
const UpdateEnv = "ALBTEST_UPDATE"

// updating reports whether this run rewrites golden files and expectations:
// the test binary's own -update flag when its package defines one, or
// UpdateEnv set to a true value (1, t, true). A value that is neither true
// nor false, in the flag or the variable, is an error rather than a guess.
func updating() (bool, error) {
	if f := flag.Lookup("update"); f != nil {
		if v := f.Value.String(); v != "" {
			on, err := strconv.ParseBool(v)
			if err != nil {
				return false, fmt.Errorf("the test binary's -update flag is %q, not a boolean; set %s=1 instead", v, UpdateEnv)
			}
			if on {
				return true, nil
			}
		}
	}
	v := os.Getenv(UpdateEnv)
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want 1 (rewrite from the answers) or 0 (only check)", UpdateEnv, v)
	}
	return on, nil
}
