package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/albcheck/albcheck/fakeevent/gen"
	"github.com/albcheck/albcheck/replay"
)

// fixture is the fixture file a finding is written as: a case with the
// full event, sent as written, so that albcheck replay reproduces it byte
// for byte.
type fixture struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Mode        string          `json:"mode"`
	Event       json.RawMessage `json:"event"`
	Expect      *replay.Expect  `json:"expect,omitempty"`
}

// Fixture returns the finding as a fixture file for albcheck replay. A
// finding of a response rule or a FUNC-* failure fails replay by itself; a
// 5xx finding carries an expectation of any status below 500.
func (f *Finding) Fixture() []byte {
	fx := fixture{
		Name:        "fuzz " + f.Class,
		Description: fmt.Sprintf("found by albcheck fuzz at run %d: %s", f.Run, firstLine(f.Message())),
		Mode:        string(f.Request.Mode),
		Event:       f.Event,
	}
	if f.Class == Class5xx {
		var codes []int
		for c := 100; c < 500; c++ {
			if http.StatusText(c) != "" {
				codes = append(codes, c)
			}
		}
		status, _ := json.Marshal(codes)
		fx.Expect = &replay.Expect{Status: status}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(fx) // the event is valid JSON: it cannot fail
	return b.Bytes()
}

// FileName is the finding's file name in an output folder: its class in
// lower case, such as resp-004.json.
func (f *Finding) FileName() string { return strings.ToLower(f.Class) + ".json" }

// WriteFixtures writes each finding to dir (made if missing) as a fixture
// file named by FileName, and returns the paths written.
func WriteFixtures(dir string, findings []*Finding) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	var paths []string
	for _, f := range findings {
		p := filepath.Join(dir, f.FileName())
		if err := os.WriteFile(p, f.Fixture(), 0o644); err != nil {
			return paths, fmt.Errorf("write %s: %w", p, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// SeedsFrom turns loaded fixture cases into requests to mutate; cases with
// problems are skipped.
func SeedsFrom(cases []*replay.Case) []*gen.Request {
	var out []*gen.Request
	for _, c := range cases {
		if len(c.Problems) == 0 {
			r := gen.FromEvent(c.Event)
			if realistic(r) {
				out = append(out, r)
			}
		}
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
