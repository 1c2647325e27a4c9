package main

import (
	"fmt"
	"time"
)

// progress shows "checked N documents" on a terminal's stderr during long
// runs (from the first second on), at most ten times a second; it prints
// nothing when stderr is not a terminal.
type progress struct {
	s       *streams
	start   time.Time
	n       int
	last    time.Time
	enabled bool
	shown   bool
}

func newProgress(s *streams, textual bool) *progress {
	return &progress{s: s, start: time.Now(), enabled: s.errTTY && textual}
}

func (p *progress) step() {
	p.n++
	if !p.enabled || time.Since(p.start) < time.Second || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.s.err, "\rchecked %d documents", p.n)
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.s.err, "\r\x1b[K")
	}
}
