package render

import (
	"encoding/json"
	"io"
)

// The JSON format. Its field names are a public contract: CI scripts parse
// them, so names are only ever added, never changed.
type jsonOutput struct {
	Results []jsonResult `json:"results"`
	Summary jsonSummary  `json:"summary"`
}

type jsonResult struct {
	Path       string        `json:"path"`
	Name       string        `json:"name,omitempty"`
	Kind       string        `json:"kind"`
	Mode       string        `json:"mode"`
	OK         bool          `json:"ok"`
	Skipped    bool          `json:"skipped,omitempty"`
	SkipReason string        `json:"skipReason,omitempty"`
	Findings   []jsonFinding `json:"findings"`
	Logs       string        `json:"logs,omitempty"`
	Answer     string        `json:"answer,omitempty"`
	Client     string        `json:"client,omitempty"`
	Line       int           `json:"line,omitempty"`
	Column     int           `json:"column,omitempty"`
}

type jsonFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
	Outcome  string `json:"outcome,omitempty"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type jsonSummary struct {
	Passed      int    `json:"passed"`
	Failed      int    `json:"failed"`
	Skipped     int    `json:"skipped"`
	Interrupted string `json:"interrupted,omitempty"`
	Stopped     string `json:"stopped,omitempty"`
	Runs        int    `json:"runs,omitempty"`
}

type jsonRenderer struct {
	w   io.Writer
	out jsonOutput
}

// toJSON converts a result to its JSON form. encoding/json escapes control
// characters, so the output stays one valid document whatever the names.
func toJSON(r Result) jsonResult {
	jr := jsonResult{Path: r.Path, Name: r.Name, Logs: r.Logs, Answer: r.Answer, Client: r.Client, Line: r.Line, Column: r.Column, Kind: string(r.Kind), Mode: string(r.Mode), OK: r.OK, Skipped: r.Skipped, SkipReason: r.SkipReason, Findings: []jsonFinding{}}
	for _, f := range r.Findings {
		jr.Findings = append(jr.Findings, jsonFinding{string(f.Rule), string(f.Severity), f.Pointer, f.Message, f.ALBOutcome, f.Line, f.Column})
	}
	return jr
}

func (j *jsonRenderer) Result(r Result) error {
	j.out.Results = append(j.out.Results, toJSON(r))
	return nil
}

func (j *jsonRenderer) Finish(s Summary) error {
	if j.out.Results == nil {
		j.out.Results = []jsonResult{}
	}
	j.out.Summary = jsonSummary{s.Passed, s.Failed, s.Skipped, s.Interrupted, s.Stopped, s.Runs}
	enc := json.NewEncoder(j.w)
	enc.SetIndent("", "  ")
	return enc.Encode(j.out)
}
