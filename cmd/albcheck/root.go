package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(bi)
}

// versionFrom is the module version of an installed build (go install
// ...@v1.2.3), with the commit it was built from when the build info has
// one; "(devel)" and the commit (and whether the tree was modified) for a
// build from a checkout.
func versionFrom(bi *debug.BuildInfo) string {
	v := "(devel)"
	if bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v = bi.Main.Version
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		v += " " + rev[:min(len(rev), 12)]
		if modified == "true" {
			v += " (modified)"
		}
	}
	return v
}

func newRootCmd(s *streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "albcheck",
		Short: "Contract tests for AWS Lambda functions behind an Application Load Balancer",
		Long: `albcheck checks what an Application Load Balancer sends to a Lambda function and
what the function answers, against what a real ALB sends and accepts: a reply the
ALB cannot use becomes a 502 for your users.`,
		Example: `  # Send fixtures through your Lambda binary and check every answer
  albcheck replay --cmd bin/orders fixtures/

  # A local ALB in front of the function, explaining every 502
  albcheck serve --cmd bin/orders

  # Check request events, responses and fixtures in CI
  albcheck validate --format github testdata/

  # How the ALB and the functions are wired in a SAM template, checked
  albcheck infra examples/orders/template.yaml

  # The event a real ALB sends for a curl-like request
  albcheck fake POST /orders --json '{"item":"book"}'

  # Save the response schema for your editor
  albcheck schema response --mode single > alb-response.schema.json`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError("%v (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(newValidateCmd(s), newSchemaCmd(s), newRulesCmd(s), newFakeCmd(s), newReplayCmd(s), newServeCmd(s), newInfraCmd(s), newFuzzCmd(s))
	return root
}
