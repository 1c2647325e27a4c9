package validate

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// checkFixture checks a fixture file: its shape against the fixture schema,
// each case's event with the request rules in the case's mode, and the paths
// and regular expressions it names.
func checkFixture(v any, fs *findings) error {
	errs, err := runSchema(compiled.fixture, v)
	if err != nil {
		return err
	}
	anyOfAt := map[string]bool{}
	for _, e := range errs {
		if e.typ == "number_any_of" {
			anyOfAt[strings.Join(e.path, "\x00")] = true
		}
	}
	for _, e := range errs {
		if underEvent(e.path) {
			continue // reported below with the request rules' ids
		}
		if e.typ == "required" && (e.missing == "event" || e.missing == "request") && anyOfAt[strings.Join(e.path, "\x00")] {
			continue // one branch of "event or request", said once below
		}
		fs.add(FIX001, e.pointer(), fixtureMessage(e))
	}
	cases := []any{v}
	prefixes := []string{""}
	if arr, ok := v.([]any); ok {
		cases, prefixes = arr, nil
		for i := range arr {
			prefixes = append(prefixes, "/"+itoa(i))
		}
	}
	for i, c := range cases {
		obj, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if ev, ok := obj["event"]; ok {
			mode := ModeAuto
			switch obj["mode"] {
			case "single":
				mode = ModeSingle
			case "multi":
				mode = ModeMulti
			}
			sub := &findings{prefix: fs.prefix + prefixes[i] + "/event"}
			if _, err := checkRequest(ev, mode, sub); err != nil {
				return err
			}
			fs.list = append(fs.list, sub.list...)
		}
		fixtureRules(obj, prefixes[i], fs)
	}
	return nil
}

// fixtureMessage words the common fixture mistakes; the rest keep the
// schema library's description.
func fixtureMessage(e schemaError) string {
	last := ""
	if len(e.path) > 0 {
		last = e.path[len(e.path)-1]
	}
	switch {
	case e.typ == "number_any_of" && last == "status":
		return fmt.Sprintf("status must be a code (200), a list of codes ([200, 204]) or a class (\"2xx\"), got %s", describe(e.value))
	case e.typ == "number_any_of":
		return "a case needs \"event\" (a full ALB request event) or \"request\" (a short request albcheck turns into one)"
	case e.typ == "number_not" && last == "request":
		return "give at most one of body, bodyBase64 and bodyFile"
	case e.typ == "number_not":
		return "a case has either \"event\" or \"request\", not both"
	case e.typ == "pattern" && last == "target":
		return fmt.Sprintf("target %q must start with / (a path and query such as /orders?id=1)", e.value)
	case e.typ == "required":
		return fmt.Sprintf("missing %q", e.missing)
	case e.typ == "invalid_type":
		return fmt.Sprintf("%s: wrong type, got %s", last, jsonType(e.value))
	}
	return strings.TrimPrefix(e.desc, "(root): ")
}

func underEvent(p []string) bool {
	return (len(p) >= 1 && p[0] == "event") || (len(p) >= 2 && p[1] == "event")
}

func fixtureRules(obj map[string]any, prefix string, fs *findings) {
	if req, ok := obj["request"].(map[string]any); ok {
		if f, ok := req["bodyFile"].(string); ok && !insideRoot(f) {
			fs.add(FIX002, prefix+"/request/bodyFile", fmt.Sprintf("%q leaves the fixture's folder: use a relative path inside it", f))
		}
	}
	exp, _ := obj["expect"].(map[string]any)
	if body, ok := exp["body"].(map[string]any); ok {
		if f, ok := body["file"].(string); ok && !insideRoot(f) {
			fs.add(FIX002, prefix+"/expect/body/file", fmt.Sprintf("%q leaves the fixture's folder: use a relative path inside it", f))
		}
		if re, ok := body["matches"].(string); ok {
			if _, err := regexp.Compile(re); err != nil {
				fs.add(FIX003, prefix+"/expect/body/matches", err.Error())
			}
		}
	}
	if hs, ok := exp["headers"].(map[string]any); ok {
		for _, name := range sortedKeys(hs) {
			if re, ok := HeaderPattern(hs[name]); ok {
				if _, err := regexp.Compile(re); err != nil {
					fs.add(FIX003, ptr(prefix+"/expect/headers", name), err.Error())
				}
			}
		}
	}
}

// HeaderPattern returns the regular expression of an expected header value
// written as /regex/.
func HeaderPattern(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) < 2 || !strings.HasPrefix(s, "/") || !strings.HasSuffix(s, "/") {
		return "", false
	}
	return s[1 : len(s)-1], true
}

// insideRoot reports whether a relative file name stays inside its folder.
func insideRoot(name string) bool {
	if name == "" || filepath.IsAbs(name) || path.IsAbs(name) || strings.Contains(name, `\`) || filepath.VolumeName(name) != "" {
		return false
	}
	clean := path.Clean(name)
	return clean != ".." && !strings.HasPrefix(clean, "../")
}
