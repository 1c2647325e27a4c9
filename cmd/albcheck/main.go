// Command albcheck contract-tests AWS Lambda functions behind an Application
// Load Balancer: it validates request events, response documents and fixture
// files against what a real ALB sends and accepts.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// exitError carries an exit code out of a command; its message, if any, has
// been printed already or is printed by main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errFindings says some input failed; the findings are in the output.
var errFindings = &exitError{code: exitFindings}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], systemStreams()))
}

// run executes the command line and maps its error to an exit code, the one
// place where that happens.
func run(ctx context.Context, args []string, s *streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(s.err, "albcheck:", ee.err)
		}
		return ee.code
	}
	// Errors from cobra itself (unknown flag, wrong arguments) are usage errors.
	fmt.Fprintln(s.err, "albcheck:", err)
	return exitUsage
}
