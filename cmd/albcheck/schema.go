package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/albcheck/albcheck/internal/inputs"

	"github.com/albcheck/albcheck/schema"
	"github.com/spf13/cobra"
)

type schemaOptions struct {
	kind    string
	mode    string
	formats bool
	write   string
}

func newSchemaCmd(s *streams) *cobra.Command {
	o := &schemaOptions{}
	cmd := &cobra.Command{
		Use:   "schema [request|response|fixture]",
		Short: "Print a JSON Schema (draft-07) of ALB documents",
		Long: `Print one of albcheck's JSON Schemas, to save for an editor or for another
language's validator. The schemas use four custom formats (http-method,
http-header-name, http-header-value, alb-base64); see the README for how to
register them, for example with ajv's addFormat.

--write DIR writes every schema into DIR (created if need be), each under its file
name, with formats.json beside them, for an editor to point at: each schema's $id
is its stable address under the repository.`,
		Example: `  albcheck schema request --mode multi > alb-request.schema.json
  albcheck schema response              # either mode
  albcheck schema fixture
  albcheck schema --formats             # the custom formats' regular expressions, as JSON
  albcheck schema --write .schemas      # every schema (and formats.json) into a folder`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.write != "" && len(args) > 0 {
				return usageError("--write writes every schema: give no kind")
			}
			return cobra.MaximumNArgs(1)(cmd, args)
		},
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
	cmd.Flags().StringVar(&o.write, "write", "", "write every schema and formats.json into this directory")
	cmd.Flags().BoolVar(&o.formats, "formats", false, "print the custom formats as a JSON object of regular expressions (ECMAScript syntax), for ajv's addFormat and the like")
	_ = cmd.RegisterFlagCompletionFunc("mode", cobra.FixedCompletions([]string{"single", "multi", "any"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runSchema(_ context.Context, o *schemaOptions, s *streams) error {
	if o.write != "" {
		return writeSchemas(o.write, s)
	}
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

// writeSchemas writes every schema and the formats into dir, replacing
// files of those names only.
func writeSchemas(dir string, s *streams) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer root.Close()
	write := func(name string, b []byte) error {
		if err := inputs.WriteIn(root, name, b); err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("write %s: %w", filepath.Join(dir, name), err)}
		}
		fmt.Fprintln(s.out, filepath.Join(dir, name))
		return nil
	}
	for _, name := range schema.Names {
		b, err := fs.ReadFile(schema.FS, name)
		if err != nil {
			return err
		}
		if err := write(name, b); err != nil {
			return err
		}
	}
	formats, err := json.MarshalIndent(schema.Formats, "", "  ")
	if err != nil {
		return err
	}
	return write("formats.json", append(formats, '\n'))
}
