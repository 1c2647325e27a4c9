package main

import (
	"fmt"
	"time"
)

// progress shows "checked N/M" on a terminal's stderr during long runs, at
// most ten times a second; it prints nothing when stderr is not a terminal.
type progress struct {
	s       *streams
	total   int
	n       int
	last    time.Time
	enabled bool
	shown   bool
}

func newProgress(s *streams, total int, textual bool) *progress {
	return &progress{s: s, total: total, enabled: s.errTTY && textual && total >= 200}
}

func (p *progress) step() {
	p.n++
	if !p.enabled || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.s.err, "\rchecked %d/%d", p.n, p.total)
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.s.err, "\r\x1b[K")
	}
}
