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
	total   int // 0 when not known in advance
	failed  int
	last    time.Time
	enabled bool
	shown   bool
}

func newProgress(s *streams, textual bool) *progress {
	return &progress{s: s, start: time.Now(), enabled: s.errTTY && textual}
}

// withTotal makes the line "N/TOTAL done, F failed" (replay knows its total).
func (p *progress) withTotal(total int) *progress {
	p.total = total
	return p
}

func (p *progress) step() { p.stepResult(true) }

func (p *progress) stepResult(ok bool) {
	p.n++
	if !ok {
		p.failed++
	}
	if !p.enabled || time.Since(p.start) < time.Second || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	switch {
	case p.total > 0:
		fmt.Fprintf(p.s.err, "\r%d/%d done, %d failed", p.n, p.total, p.failed)
	case p.failed > 0:
		fmt.Fprintf(p.s.err, "\r%d done, %d failed", p.n, p.failed)
	default:
		fmt.Fprintf(p.s.err, "\r%d done", p.n)
	}
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.s.err, "\r\x1b[K")
	}
}
