package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/internal/render"
	"github.com/albcheck/albcheck/validate"
	"github.com/spf13/cobra"
)

type infraOptions struct {
	paths  []string
	format string
	strict bool
	color  string
}

func newInfraCmd(s *streams) *cobra.Command {
	o := &infraOptions{}
	cmd := &cobra.Command{
		Use:   "infra FILE...",
		Short: "Show how the ALB and its Lambda functions are wired, and check the wiring",
		Long: `Read the load balancers of a project from its infrastructure code, print them
(each load balancer, its listeners and their rules in priority order, each target
group with its mode, health check and functions) and check how they are wired: the
INFRA rules of albcheck rules, such as a function the load balancer may not invoke,
a target registered before its permission, or a health check the function cannot
pass.

Each file's format is told from its content: a CloudFormation or SAM template (YAML
or JSON, cdk.out/*.template.json too), a Terraform plan as JSON (terraform show -json
PLAN), or a Serverless Framework serverless.yml.

Findings point at the resource in the file, so --format github annotates the
template in a pull request.

Exit status: 0 when the wiring passes, 1 when a finding is an error (or a warning,
with --strict), 2 for usage errors and files that cannot be read or hold no load
balancer.`,
		Example: `  albcheck infra examples/orders/template.yaml
  albcheck infra --format json examples/orders/template.yaml | jq '.model.targetGroups[].mode'
  albcheck infra --strict --format github examples/orders/template.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return runInfra(cmd.Context(), o, s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(render.Formats, ", "))
	f.BoolVar(&o.strict, "strict", false, "warnings fail too")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(render.Formats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runInfra(_ context.Context, o *infraOptions, s *streams) error {
	if !slices.Contains(render.Formats, o.format) {
		return usageError("unknown format %q (want %s)", o.format, strings.Join(render.Formats, ", "))
	}
	if len(o.paths) == 0 {
		return usageError("give the infrastructure files to read: a CloudFormation or SAM template, a Terraform plan in JSON or a serverless.yml")
	}
	p, err := loadProject(o.paths...)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	infra.Check(p)
	return reportInfra(p, o, s)
}

// reportInfra prints a checked project and its findings in the format
// asked for, and returns errFindings when they fail it.
func reportInfra(p *infra.Project, o *infraOptions, s *streams) error {
	results, sum := infraResults(p, o.paths, o.strict)

	out := bufio.NewWriter(s.out)
	defer out.Flush()
	switch o.format {
	case "json":
		if err := writeInfraJSON(out, p, results, sum); err != nil {
			return err
		}
	default:
		color := o.color == "always" || (o.color == "auto" && s.outTTY && !s.noColor)
		if o.format == "text" {
			printModel(out, p)
		}
		r, err := render.New(o.format, out, render.Options{Color: color})
		if err != nil {
			return usageError("%v", err)
		}
		for _, res := range results {
			if err := r.Result(res); err != nil {
				return err
			}
		}
		if err := r.Finish(sum); err != nil {
			return err
		}
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if sum.Failed > 0 {
		return errFindings
	}
	return nil
}

// infraResults groups the findings by file, one result per file in the
// order given (a file named only in findings comes after).
func infraResults(p *infra.Project, paths []string, strict bool) ([]render.Result, render.Summary) {
	files := slices.Clone(paths)
	byFile := map[string][]validate.Finding{}
	for _, f := range p.Findings {
		if !slices.Contains(files, f.File) {
			files = append(files, f.File)
		}
		byFile[f.File] = append(byFile[f.File], f.Finding)
	}
	var results []render.Result
	var sum render.Summary
	for _, file := range files {
		rep := validate.Report{Kind: infra.KindInfra, Findings: byFile[file], Strict: strict}
		res := render.Result{Path: file, Kind: infra.KindInfra, OK: rep.OK(), Findings: rep.Findings}
		sum.Count(res)
		results = append(results, res)
	}
	return results, sum
}

// writeInfraJSON writes {"model", "results", "summary"}: results and
// summary exactly as albcheck validate --format json writes them.
func writeInfraJSON(w *bufio.Writer, p *infra.Project, results []render.Result, sum render.Summary) error {
	var buf bytes.Buffer
	r, err := render.New("json", &buf, render.Options{})
	if err != nil {
		return err
	}
	for _, res := range results {
		if err := r.Result(res); err != nil {
			return err
		}
	}
	if err := r.Finish(sum); err != nil {
		return err
	}
	var doc struct {
		Results json.RawMessage `json:"results"`
		Summary json.RawMessage `json:"summary"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		return fmt.Errorf("render results: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Model   infra.View      `json:"model"`
		Results json.RawMessage `json:"results"`
		Summary json.RawMessage `json:"summary"`
	}{p.View(), doc.Results, doc.Summary})
}
