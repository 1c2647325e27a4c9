package main

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

// current reads the collector's settings without changing them.
func current() (percent int, limit int64) {
	percent = debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// Small documents run to the fixed budget; while any large one is checked,
// the pace is GOGC's ratio with no limit, whatever the order in which two
// workers' large documents end (before: the limit rose by 48 times each
// size with GOGC left at 400, and 60 documents of 800 KB peaked at 167 MB
// where they had taken 92).
func TestGCBudget(t *testing.T) {
	b := newGCBudget()
	defer b.restore()
	p, l := current()
	assert.Equal(t, smallGOGC, p)
	assert.Equal(t, int64(gcBase), l)

	first := b.hold()
	second := b.hold()
	p, l = current()
	assert.Equal(t, largeGOGC, p)
	assert.Equal(t, int64(math.MaxInt64), l)
	first()
	p, _ = current()
	assert.Equal(t, largeGOGC, p, "one large document is still being checked")
	second()
	p, l = current()
	assert.Equal(t, smallGOGC, p)
	assert.Equal(t, int64(gcBase), l)
}
