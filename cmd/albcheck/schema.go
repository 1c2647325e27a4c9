package main

import (
	"context"

	"github.com/albcheck/albcheck/schema"
	"github.com/spf13/cobra"
)

type schemaOptions struct {
	kind string
	mode string
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
  albcheck schema fixture`,
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
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"single", "multi", "any"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSchema(_ context.Context, o *schemaOptions, s *streams) error {
	b, err := schema.Bytes(schema.Kind(o.kind), schema.Mode(o.mode))
	if err != nil {
		return usageError("%v", err)
	}
	_, err = s.out.Write(b)
	return err
}
