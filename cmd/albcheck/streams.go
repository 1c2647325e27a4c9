package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// streams are a command's standard input, output and error, injected so that
// every command runs in tests without a process.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// outTTY and errTTY say whether out and err are terminals (colour,
	// progress).
	outTTY, errTTY bool
	// noColor mirrors the NO_COLOR convention (no-color.org).
	noColor bool
}

func systemStreams() *streams {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &streams{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		outTTY: isTerminal(os.Stdout), errTTY: isTerminal(os.Stderr),
		noColor: noColor,
	}
}

// isTerminal asks the terminal driver: /dev/null is a character device too,
// and output sent there is not for a person.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
