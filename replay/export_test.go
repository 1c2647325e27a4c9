package replay

import "time"

// SetInitTimeout shortens Lambda's initialisation limit for a test; it
// returns a function that restores it. Tests that use it do not run in
// parallel with others.
func SetInitTimeout(d time.Duration) func() {
	prev := initTimeout
	initTimeout = d
	return func() { initTimeout = prev }
}

// OwnerEnv is the variable that marks a function's processes.
const OwnerEnv = ownerEnv

// SetOwnAll sets what OwnAllDescendants sets, for a test; it returns a
// function that restores it.
func SetOwnAll(v bool) func() {
	prev := ownAll.Load()
	ownAll.Store(v)
	return func() { ownAll.Store(prev) }
}
