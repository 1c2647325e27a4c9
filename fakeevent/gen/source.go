package gen

import "math/rand/v2"

// Source is where the generator takes its choices from. IntN returns a
// number in [0, n) for n > 0. Choice 0 is always the plainest option, so a
// source that runs dry (BytesSource) makes small, ordinary events.
type Source interface {
	IntN(n int) int
}

// NewSource returns a reproducible source: the same seed, the same events.
func NewSource(seed uint64) Source {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// BytesSource takes its choices from p, as Go's native fuzzing hands them
// out: one byte for a choice of up to 256 options, two up to 65536, four
// above. When p is used up every choice is 0.
func BytesSource(p []byte) Source { return &byteSource{p: p} }

type byteSource struct {
	p []byte
	i int
}

func (s *byteSource) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	width := 1
	switch {
	case n > 1<<16:
		width = 4
	case n > 1<<8:
		width = 2
	}
	var v uint64
	for range width {
		v <<= 8
		if s.i < len(s.p) {
			v |= uint64(s.p[s.i])
			s.i++
		}
	}
	return int(v % uint64(n))
}

// pick returns an index into weights, drawn in proportion to them.
func pick(src Source, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := src.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// oneOf returns one of the strings.
func oneOf(src Source, s ...string) string { return s[src.IntN(len(s))] }

// chance reports true about once in n.
func chance(src Source, n int) bool { return src.IntN(n) == n-1 }

// bulk returns a fast generator for bulk content (large bodies and values),
// seeded by one choice of src: a byte-driven source is not spent on every
// byte of a megabyte.
func bulk(src Source) *rand.Rand {
	s := uint64(src.IntN(1 << 30))
	return rand.New(rand.NewPCG(s, s+1))
}
