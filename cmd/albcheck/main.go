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
	"syscall"

	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/replay"
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
	// The command starts no daemon of its own: whatever is re-parented to it
	// came from a function, and ends with the function's environment.
	replay.OwnAllDescendants()
	os.Exit(runWithSignals(os.Args[1:]))
}

// runWithSignals runs the command line with the one signal path: the first
// SIGINT or SIGTERM stops the run (no new work starts, what runs is
// cancelled, the results so far and their summary are printed and the
// function's processes are stopped) and the status is 130 or 143; a second
// one exits at once.
func runWithSignals(args []string) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		sig := <-sigs
		cancel(&signalError{sig: sig})
		sig = <-sigs
		replay.StopAll() // no Close will run: the functions end with albcheck
		os.Exit(signalCode(sig))
	}()
	return run(ctx, args, systemStreams())
}

// signalError is why the run's context was cancelled: a signal arrived.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + signalName(e.sig) }

// signalCode is the exit status of a run a signal stopped: 128 plus the
// signal's number, as a shell reports it (130 for SIGINT, 143 for SIGTERM).
func signalCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + 2
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// interruption reports the signal that cancelled ctx, if one did.
func interruption(ctx context.Context) *signalError {
	var se *signalError
	if errors.As(context.Cause(ctx), &se) {
		return se
	}
	return nil
}

// run executes the command line and maps its error to an exit code, the one
// place where that happens.
func run(ctx context.Context, args []string, s *streams) int {
	root := newRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if se := interruption(ctx); se != nil {
		// The command printed what it had done; the signal decides the status.
		fmt.Fprintf(s.err, "albcheck: %v\n", se)
		return signalCode(se.sig)
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(s.err, "albcheck:", render.Printable(ee.err.Error()))
		}
		return ee.code
	}
	// Errors from cobra itself (unknown flag, wrong arguments) are usage errors.
	fmt.Fprintln(s.err, "albcheck:", render.Printable(err.Error()))
	return exitUsage
}
