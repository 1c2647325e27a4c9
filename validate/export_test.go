package validate

// FastClean runs the fast path alone: applicable says whether the document
// reached it (a request or response object with no finding about its bytes),
// clean what it decided.
func FastClean(doc []byte, opts ...Option) (clean, applicable bool) {
	c := newConfig(opts)
	fs := &findings{}
	if err := schemas(); err != nil {
		return false, false
	}
	d := parse(doc, fs)
	if !d.ok || len(fs.list) > 0 {
		return false, false
	}
	obj, ok := d.value.(map[string]any)
	if !ok {
		return false, false
	}
	kind := c.kind
	if kind == "" || kind == KindAny || kind == KindUnknown {
		kind = DetectKind(d.value)
	}
	switch kind {
	case KindRequest:
		return fastCleanRequest(obj, resolveMode(c.mode, obj, requestMode)), true
	case KindResponse:
		return fastCleanResponse(obj, resolveMode(c.mode, obj, responseMode), len(d.raw), c.method), true
	}
	return false, false
}
