package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/validate"
	"github.com/spf13/cobra"
)

func newRulesCmd(s *streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:     "rules",
		Short:   "List the rules albcheck checks, with their ids and severities",
		Example: "  albcheck rules\n  albcheck rules --format json | jq '.[] | select(.severity == \"error\")'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The document rules, then the wiring rules of albcheck infra.
			rules := append(validate.Rules(), infra.Rules()...)
			switch format {
			case "json":
				type row struct {
					ID        string `json:"id"`
					Severity  string `json:"severity"`
					AppliesTo string `json:"appliesTo"`
					Summary   string `json:"summary"`
					Outcome   string `json:"outcome"`
				}
				rows := make([]row, 0, len(rules))
				for _, r := range rules {
					rows = append(rows, row{string(r.ID), string(r.Severity), string(r.AppliesTo), r.Summary, r.Outcome})
				}
				enc := json.NewEncoder(s.out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			case "text":
				tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
				for _, r := range rules {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Summary)
				}
				return tw.Flush()
			}
			return usageError("unknown format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
