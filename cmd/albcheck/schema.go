package main

import (
	"context"
	"encoding/json"

	"github.com/albcheck/albcheck/schema"
	"github.com/spf13/cobra"
)

type schemaOptions struct {
	kind    string
	mode    string
	formats bool
}

func newSchemaCmd(s *streams) *cobra.Command {
	o := &schemaOptions{}
	cmd := &cobra.Command{
		Use:   "schema [request|response|fixture]",
		Short: "Print a JSON Schema (draft-07) of ALB documents",
		Long: `Print one of albcheck's JSON Schemas, to save for an editor or for another
language's validator. The schemas use four custom formats (http-method,
http-header-name, http-header-value, alb-base64); see the README for how to
register them, for example with ajv's addFormat.`,
		Example: `  albcheck schema request --mode multi > alb-request.schema.json
  albcheck schema response              # either mode
  albcheck schema fixture
  albcheck schema --formats             # the custom formats' regular expressions, as JSON`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"request", "response", "fixture"},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind = "request"
			if len(args) == 1 {
				o.kind = args[0]
			}
			return runSchema(cmd.Context(), o, s)
		},
	}
	cmd.Flags().StringVar(&o.mode, "mode", "any", "target-group mode: single, multi or any")
	cmd.Flags().BoolVar(&o.formats, "formats", false, "print the custom formats as a JSON object of regular expressions (ECMAScript syntax), for ajv's addFormat and the like")
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"single", "multi", "any"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSchema(_ context.Context, o *schemaOptions, s *streams) error {
	if o.formats {
		enc := json.NewEncoder(s.out)
		enc.SetIndent("", "  ")
		return enc.Encode(schema.Formats)
	}
	b, err := schema.Bytes(schema.Kind(o.kind), schema.Mode(o.mode))
	if err != nil {
		return usageError("%v", err)
	}
	_, err = s.out.Write(b)
	return err
}
