package replay

import "sync"

// registry is the set of things under way that a Close must end: a
// handler's processes. After close, nothing more is added, so that a process
// started while the handler closes is ended by its starter, not forgotten.
type registry[T comparable] struct {
	mu     sync.Mutex
	set    map[T]struct{}
	closed bool
}

// add records v; it reports false, recording nothing, once closed.
func (r *registry[T]) add(v T) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	if r.set == nil {
		r.set = map[T]struct{}{}
	}
	r.set[v] = struct{}{}
	return true
}

func (r *registry[T]) remove(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.set, v)
}

// isClosed reports whether close was called.
func (r *registry[T]) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// list returns what is recorded now; with closeToo, nothing is added after.
func (r *registry[T]) list(closeToo bool) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = r.closed || closeToo
	out := make([]T, 0, len(r.set))
	for v := range r.set {
		out = append(out, v)
	}
	return out
}
