package replay_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/replay"
	"github.com/albcheck/albcheck/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ModeOf gives each case the mode of the function or target group it
// names (albcheck replay --infra); --mode still wins, and a name that does
// not resolve fails the case at the field that names it.
func TestLoadModeOf(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), []byte(`[
  {"name": "admin", "function": "AdminFunction", "request": {"method": "GET", "target": "/admin?a=1"}},
  {"name": "api", "targetGroup": "APITG", "mode": "multi", "request": {"method": "GET", "target": "/api"}},
  {"name": "unnamed", "request": {"method": "GET", "target": "/"}},
  {"name": "unknown", "function": "Nope", "request": {"method": "GET", "target": "/"}}
]`), 0o644))
	modes := map[string]fakeevent.Mode{"AdminFunction": fakeevent.Multi, "APITG": fakeevent.Single, "": fakeevent.Single}
	var asked [][2]string
	modeOf := func(function, targetGroup string) (fakeevent.Mode, error) {
		asked = append(asked, [2]string{function, targetGroup})
		if m, ok := modes[function+targetGroup]; ok {
			return m, nil
		}
		return "", fmt.Errorf("no target group or function named %q", function+targetGroup)
	}
	cases, err := replay.LoadWith(filepath.Join(dir, "cases.json"), replay.LoadOptions{ModeOf: modeOf})
	require.NoError(t, err)
	require.Len(t, cases, 4)
	assert.Equal(t, fakeevent.Multi, cases[0].Mode)
	assert.Equal(t, []string{"1"}, cases[0].Event.MultiValueQueryStringParameters["a"])
	assert.Equal(t, fakeevent.Single, cases[1].Mode, "the infrastructure's mode, not the case's")
	assert.Equal(t, fakeevent.Single, cases[2].Mode)
	require.Len(t, cases[3].Problems, 1)
	assert.Equal(t, validate.FIX001, cases[3].Problems[0].Rule)
	assert.Equal(t, "/3/function", cases[3].Problems[0].Pointer)
	assert.Contains(t, cases[3].Problems[0].Message, `--infra: no target group or function named "Nope"`)
	assert.Equal(t, [][2]string{{"AdminFunction", ""}, {"", "APITG"}, {"", ""}, {"Nope", ""}}, asked)

	// --mode wins: ModeOf is not asked.
	asked = nil
	cases, err = replay.LoadWith(filepath.Join(dir, "cases.json"), replay.LoadOptions{Mode: fakeevent.Multi, ModeOf: modeOf})
	require.NoError(t, err)
	for _, c := range cases {
		assert.Equal(t, fakeevent.Multi, c.Mode, c.Name)
		assert.Empty(t, c.Problems, c.Name)
	}
	assert.Empty(t, asked)

	// A bare event file names nothing: the only target group's mode.
	cases, err = replay.LoadWith("../fixtures/bare-event-get-order.json", replay.LoadOptions{ModeOf: func(f, tg string) (fakeevent.Mode, error) {
		assert.Empty(t, f+tg)
		return fakeevent.Multi, nil
	}})
	require.NoError(t, err)
	assert.Equal(t, fakeevent.Multi, cases[0].Mode)
}

// validate accepts the fields that name a function or a target group.
func TestFixtureNamesValidate(t *testing.T) {
	doc := []byte(`{"name": "a", "function": "Orders", "targetGroup": "OrdersTG", "request": {"method": "GET", "target": "/"}}`)
	for _, engine := range []validate.Engine{validate.EngineFast, validate.EngineReference} {
		rep := validate.Document(doc, validate.WithEngine(engine))
		assert.Equal(t, validate.KindFixture, rep.Kind)
		assert.True(t, rep.OK(), "%s: %v", engine, rep.Findings)
	}
	rep := validate.Document([]byte(`{"name": "a", "function": 3, "request": {"method": "GET", "target": "/"}}`))
	assert.True(t, rep.Has(validate.FIX001), rep.String())
}
