//go:build race

package validate

// raceEnabled: the race detector makes sync.Pool drop what it is given at
// random, so allocation bounds do not hold under it.
const raceEnabled = true
