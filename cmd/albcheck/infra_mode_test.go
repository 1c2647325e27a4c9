package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withProject makes the commands read p for any --infra file (not in
// parallel: it replaces the loader for the package).
func withProject(t *testing.T, p *infra.Project) {
	t.Helper()
	old := loadProject
	loadProject = func(paths ...string) (*infra.Project, error) {
		if len(paths) == 1 && paths[0] == "template.yaml" {
			return p, nil
		}
		return old(paths...)
	}
	t.Cleanup(func() { loadProject = old })
}

// twoGroups adds an admin function behind a single-mode target group to
// infraProject's multi-mode one.
func twoGroups() *infra.Project {
	p := infraProject()
	p.Functions = append(p.Functions, &infra.Function{Name: "Admin", FunctionName: "orders-admin"})
	p.TargetGroups = append(p.TargetGroups, &infra.TargetGroup{Name: "AdminTG", TargetType: "lambda", Mode: validate.ModeSingle, Targets: []infra.Target{{Function: "Admin"}}})
	return p
}

const singleReply = `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"Content-Type": "text/plain"}, "body": "ok"}`

func TestValidateInfraMode(t *testing.T) {
	withProject(t, infraProject()) // one target group, multi mode
	doc := filepath.Join(t.TempDir(), "reply.json")
	require.NoError(t, os.WriteFile(doc, []byte(singleReply), 0o644))

	// The target group is multi: a reply with only "headers" loses them.
	code, out, _ := runCLI(t, "", "validate", "--infra", "template.yaml", doc)
	assert.Equal(t, exitFindings, code, out)
	assert.Contains(t, out, "RESP-006 error")

	// --mode wins.
	code, out, _ = runCLI(t, "", "validate", "--infra", "template.yaml", "--mode", "single", doc)
	assert.Equal(t, exitOK, code, out)
	// Without --infra, the mode comes from the document.
	code, out, _ = runCLI(t, "", "validate", doc)
	assert.Equal(t, exitOK, code, out)
}

func TestValidateInfraSeveralGroups(t *testing.T) {
	withProject(t, twoGroups())
	code, out, errOut := runCLI(t, "", "validate", "--infra", "template.yaml", "reply.json")
	assert.Equal(t, exitUsage, code, out)
	assert.Contains(t, errOut, "--infra: 2 Lambda target groups (OrdersTG (multi), AdminTG (single))")
	assert.Contains(t, errOut, "or give --mode single or multi")
}

func TestInfraFlagReadError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, args := range [][]string{
		{"validate", "--infra", missing, "x.json"},
		{"replay", "--exec", "cat", "--infra", missing, "../../fixtures"},
		{"serve", "--exec", "cat", "--infra", missing, "--listen", "127.0.0.1:0"},
	} {
		code, _, errOut := runCLI(t, "", args...)
		assert.Equal(t, exitUsage, code, args)
		assert.Contains(t, errOut, "albcheck: --infra: ", args)
		assert.Contains(t, errOut, "missing.yaml", args)
	}
}

func TestInfraModesForReplay(t *testing.T) {
	m := &infraModes{twoGroups()}
	modeOf := m.modeOf("")
	for _, tc := range []struct{ function, targetGroup, want string }{
		{"Orders", "", "multi"},
		{"orders-admin", "", "single"},
		{"", "AdminTG", "single"},
		{"Orders", "AdminTG", "single"}, // the target group is the more precise
	} {
		got, err := modeOf(tc.function, tc.targetGroup)
		require.NoError(t, err, tc)
		assert.Equal(t, tc.want, string(got), tc)
	}
	_, err := modeOf("", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `name one with "function" or "targetGroup" in the case, or give --mode`)

	// The deployed --function decides for a case that names nothing.
	got, err := m.modeOf("orders-admin")("", "")
	require.NoError(t, err)
	assert.Equal(t, "single", string(got))
	// A deployed name the files do not know falls back to the only target group.
	got, err = (&infraModes{infraProject()}).modeOf("arn:aws:lambda:eu-west-1:123456789012:function:x")("", "")
	require.NoError(t, err)
	assert.Equal(t, "multi", string(got))

	mode, err := m.only("orders-admin")
	require.NoError(t, err)
	assert.Equal(t, validate.ModeSingle, mode)
	_, err = m.only("")
	var ee *exitError
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, exitUsage, ee.code)
}

// replay --infra runs each case in the mode of the target group it names.
func TestReplayInfraMode(t *testing.T) {
	bin := exampleFunction(t)
	withProject(t, twoGroups())
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), []byte(`[
  {"name": "orders", "function": "Orders", "request": {"method": "GET", "target": "/"}, "expect": {"status": 200}},
  {"name": "admin", "targetGroup": "AdminTG", "request": {"method": "GET", "target": "/"}, "expect": {"status": 200}},
  {"name": "nobody", "function": "Nope", "request": {"method": "GET", "target": "/"}}
]`), 0o644))
	code, out, errOut := runCLI(t, "", "replay", "--cmd", bin, "--infra", "template.yaml", "--format", "json", dir)
	assert.Equal(t, exitFindings, code, errOut)
	var doc struct {
		Results []struct {
			Name     string `json:"name"`
			Mode     string `json:"mode"`
			OK       bool   `json:"ok"`
			Findings []struct{ Rule, Pointer, Message string }
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	require.Len(t, doc.Results, 3)
	assert.Equal(t, "multi", doc.Results[0].Mode)
	assert.True(t, doc.Results[0].OK, "%+v", doc.Results[0])
	assert.Equal(t, "single", doc.Results[1].Mode)
	assert.True(t, doc.Results[1].OK, "%+v", doc.Results[1])
	assert.False(t, doc.Results[2].OK)
	require.NotEmpty(t, doc.Results[2].Findings)
	assert.Equal(t, "/2/function", doc.Results[2].Findings[0].Pointer)
	assert.Contains(t, doc.Results[2].Findings[0].Message, `no target group or function named "Nope"`)
}

// The README's replay with --infra: the example's own template gives the
// mode (single), and every shipped fixture passes in it.
func TestReplayShippedFixturesInfra(t *testing.T) {
	bin := exampleFunction(t)
	code, out, errOut := runCLI(t, "", "replay", "--cmd", bin, "--infra", "../../examples/orders/template.yaml", "--format", "json", "../../fixtures")
	assert.Equal(t, exitOK, code, "%s\n%s", out, errOut)
	var doc struct {
		Results []struct{ Mode string } `json:"results"`
		Summary struct{ Passed int }    `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 25, doc.Summary.Passed)
	for _, r := range doc.Results {
		assert.Equal(t, "single", r.Mode)
	}
}
