package infra

import (
	"strings"
	"testing"

	"github.com/albcheck/albcheck/validate"
)

func TestModeFor(t *testing.T) {
	t.Parallel()
	two := wired()
	two.Functions = append(two.Functions, &Function{Name: "AdminFunction", FunctionName: "orders-admin"}, &Function{Name: "Unwired"})
	two.TargetGroups = append(two.TargetGroups,
		&TargetGroup{Name: "AdminTG", TargetType: "lambda", Mode: validate.ModeMulti, Targets: []Target{{Function: "AdminFunction"}}},
		&TargetGroup{Name: "Web", TargetType: "instance"})
	cases := []struct {
		name    string
		p       *Project
		arg     string
		want    validate.Mode
		wantErr string
	}{
		{"the only target group", wired(), "", validate.ModeSingle, ""},
		{"by target group", two, "AdminTG", validate.ModeMulti, ""},
		{"by function", two, "APIFunction", validate.ModeSingle, ""},
		{"by deployed function name", two, "orders-admin", validate.ModeMulti, ""},
		{"no name, two target groups", two, "", "", "2 Lambda target groups (APITG (single), AdminTG (multi))"},
		{"unknown name", two, "Nope", "", `no target group or function named "Nope": target groups APITG (single), AdminTG (multi); functions APIFunction, AdminFunction, Unwired`},
		{"a function behind no target group", two, "Unwired", "", "function Unwired is registered with no Lambda target group"},
		{"an instance target group", two, "Web", "", `no target group or function named "Web"`},
		{"no Lambda target group", &Project{TargetGroups: []*TargetGroup{{Name: "Web", TargetType: "ip", Source: Source{File: "main.tfplan.json"}}}}, "", "", "no target group of type lambda in main.tfplan.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.p.ModeFor(tc.arg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ModeFor(%q) error = %v, want one containing %q", tc.arg, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ModeFor(%q) = %q, %v; want %q", tc.arg, got, err, tc.want)
			}
		})
	}
}
