package validate

// FastSchemaValid runs the fast path's schema decision alone: applicable
// says whether the document reached it (a request or response object),
// valid what it decided.
func FastSchemaValid(doc []byte, opts ...Option) (valid, applicable bool) {
	c := newConfig(opts)
	fs := &findings{}
	if err := schemas(); err != nil {
		return false, false
	}
	d := parse(doc, fs, false, new(scratch))
	if !d.ok {
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
	if what, _ := ForeignEvent(d.value); what != "" {
		return false, false
	}
	switch kind {
	case KindRequest:
		return fastSchemaValidRequest(obj, resolveMode(c.mode, obj, requestMode)), true
	case KindResponse:
		return fastSchemaValidResponse(obj, resolveMode(c.mode, obj, responseMode)), true
	}
	return false, false
}

// SchemaErrors is what the reference engine's schema pass reports on a
// request or response document, in the mode the options give.
func SchemaErrors(doc []byte, kind Kind, opts ...Option) []string {
	c := newConfig(opts)
	_ = schemas()
	d := parse(doc, &findings{}, false, new(scratch))
	var errs []schemaError
	collect := func(e schemaError) { errs = append(errs, e) }
	switch kind {
	case KindRequest:
		_, _ = schemaPass(d.value, schemaMode(d.value, c.mode, requestMode), compiled.reqSingle, compiled.reqMulti, collect)
	case KindResponse:
		_, _ = schemaPass(d.value, schemaMode(d.value, c.mode, responseMode), compiled.respSingle, compiled.respMulti, collect)
	}
	var out []string
	for _, e := range errs {
		out = append(out, e.pointer()+": "+e.desc)
	}
	return out
}

// WithChunkSize runs f with the schema validated in pieces of n members.
func WithChunkSize(n int, f func()) {
	old := chunkSize
	chunkSize = n
	defer func() { chunkSize = old }()
	f()
}
