package validate

import (
	"sort"
	"strings"
)

// headerView reads a decoded header or query field of either mode: single
// (string values) or multi (arrays of strings, the last one counting).
type headerView map[string]any

func (h headerView) lookup(name string) (string, bool) {
	v, ok := h[name]
	if !ok {
		for k, kv := range h {
			if strings.EqualFold(k, name) {
				v, ok = kv, true
				break
			}
		}
	}
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case []any:
		if len(x) == 0 {
			return "", true
		}
		s, _ := x[len(x)-1].(string)
		return s, true
	}
	return "", true
}

func (h headerView) get(name string) string {
	v, _ := h.lookup(name)
	return v
}

// pointer returns the pointer of the value lookup(name) read: the header in
// single mode, its last element in multi mode.
func (h headerView) pointer(base, name string) string {
	if arr, ok := h[name].([]any); ok && len(arr) > 0 {
		return ptr(base, itoa(len(arr)-1))
	}
	return base
}

// sortedKeys returns an object's keys in order (nil for a non-object), so
// that findings come out in a stable order.
func sortedKeys(v any) []string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func asHeaders(v any) headerView {
	m, _ := v.(map[string]any)
	return m
}
