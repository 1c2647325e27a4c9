package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAction runs the GitHub Action's step (action.yml → .github/action/run.sh)
// as a runner would: inputs in INPUT_* variables, the repository as the
// action's folder, in dir.
func runAction(t *testing.T, dir string, inputs map[string]string) (code int, out string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	cmd := exec.Command("bash", filepath.Join(repo, ".github/action/run.sh"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GITHUB_ACTION_PATH="+repo, "RUNNER_TEMP="+t.TempDir())
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(b)
	}
	require.NoError(t, err, string(b))
	return 0, string(b)
}

// The action builds albcheck at its own version and turns its inputs into
// one command with --format github: findings become annotations on the
// files, and the step fails as albcheck does.
func TestGitHubAction(t *testing.T) {
	if testing.Short() {
		t.Skip("builds albcheck")
	}
	repo, _ := filepath.Abs("../..")
	dir := t.TempDir()
	docs, _ := filepath.Glob(filepath.Join(repo, "examples/documents/invalid/*.json"))
	for _, d := range docs {
		b, err := os.ReadFile(d)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(d)), b, 0o644))
	}

	code, out := runAction(t, dir, map[string]string{"COMMAND": "validate", "PATHS": "null-body-response.json\nline-wrapped-image-response.json", "STRICT": "true", "MODE": "single"})
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, "albcheck validate --format github --mode single --strict null-body-response.json line-wrapped-image-response.json")
	assert.Contains(t, out, "::error file=null-body-response.json,line=8,col=11,title=RESP-004::")

	// infra reads the templates given as infra when no paths are.
	code, out = runAction(t, dir, map[string]string{"COMMAND": "infra", "INFRA": filepath.Join(repo, "examples/orders/template.yaml")})
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "1 passed, 0 failed")

	// replay with the handler in args and the mode from the template.
	bin := filepath.Join(t.TempDir(), "orders")
	build := exec.Command("go", "build", "-o", bin, "./examples/orders")
	build.Dir = repo
	require.NoError(t, build.Run())
	code, out = runAction(t, dir, map[string]string{"COMMAND": "replay", "ARGS": "--cmd " + bin, "INFRA": filepath.Join(repo, "examples/orders/template.yaml"), "PATHS": filepath.Join(repo, "fixtures")})
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "--infra "+filepath.Join(repo, "examples/orders/template.yaml"))
	assert.Contains(t, out, "25 passed, 0 failed")

	// Bad inputs stop the step with an annotation, not a shell error.
	code, out = runAction(t, dir, map[string]string{"COMMAND": "deploy"})
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "::error title=albcheck::unknown command 'deploy'")
	code, out = runAction(t, dir, map[string]string{"STRICT": "yes"})
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "strict must be true or false")
}

// The pre-commit hooks name albcheck commands that exist, and their file
// patterns pick the files they are meant for.
func TestPreCommitHooks(t *testing.T) {
	b, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	require.NoError(t, err)
	var hooks []struct {
		ID, Entry, Language, Files string
		Types                      []string
	}
	require.NoError(t, yaml.Unmarshal(b, &hooks))
	require.Len(t, hooks, 2)
	root := newRootCmd(&streams{})
	for _, h := range hooks {
		assert.Equal(t, "golang", h.Language, h.ID)
		fields := strings.Fields(h.Entry)
		require.GreaterOrEqual(t, len(fields), 2, h.ID)
		assert.Equal(t, "albcheck", fields[0], h.ID)
		sub, _, err := root.Find(fields[1:])
		require.NoError(t, err, h.ID)
		assert.Equal(t, fields[1], sub.Name(), h.ID)
	}
	infra := regexp.MustCompile(hooks[1].Files)
	for _, name := range []string{"template.yaml", "app/template.yml", "cdk.out/OrdersStack.template.json", "serverless.yml", "tfplan.json"} {
		assert.True(t, infra.MatchString(name), name)
	}
	for _, name := range []string{"package.json", "fixtures/get.json", "templates.yaml"} {
		assert.False(t, infra.MatchString(name), name)
	}
	assert.Equal(t, []string{"json"}, hooks[0].Types)
}
