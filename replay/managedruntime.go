package replay

import (
	"context"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The bootstraps are albcheck's own Lambda runtime clients, one per
// language, run with the interpreter found on PATH.
//
//go:embed bootstrap/node.js bootstrap/python.py
var bootstraps embed.FS

// Runtime is a Lambda managed runtime that albcheck runs with the local
// interpreter: nodejs, nodejs18.x to nodejs22.x, python, python3.9 to
// python3.13.
type Runtime struct {
	// Name is the runtime's identifier, as in a function's configuration.
	Name string
	// Language is "nodejs" or "python".
	Language string
	// Major and Minor are the version the runtime names (Minor only for
	// Python); zero when the name gives none ("nodejs", "python").
	Major, Minor int
}

var runtimeName = regexp.MustCompile(`^(?:nodejs(?:(1[89]|2[0-2])\.x)?|python(?:3\.(9|1[0-3]))?)$`)

// ParseRuntime reads a runtime's identifier. The versions are those of
// Lambda's supported Node.js and Python runtimes
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
func ParseRuntime(name string) (Runtime, error) {
	m := runtimeName.FindStringSubmatch(name)
	if m == nil {
		return Runtime{}, fmt.Errorf("unknown runtime %q: want nodejs, nodejs18.x to nodejs22.x, python or python3.9 to python3.13", name)
	}
	rt := Runtime{Name: name, Language: "python"}
	if strings.HasPrefix(name, "nodejs") {
		rt.Language = "nodejs"
		rt.Major, _ = strconv.Atoi(m[1])
	} else if m[2] != "" {
		rt.Major = 3
		rt.Minor, _ = strconv.Atoi(m[2])
	}
	return rt, nil
}

// Interpreter is the program that runs a runtime's code on this machine.
type Interpreter struct {
	// Path is where the interpreter was found.
	Path string
	// Version is what it says its version is, such as 20.11.1 or 3.11.2.
	Version string
}

// command is the interpreter's name on PATH.
func (rt Runtime) command() string {
	if rt.Language == "nodejs" {
		return "node"
	}
	return "python3"
}

// FindInterpreter looks the runtime's interpreter (node or python3) up on
// PATH and asks its version.
func (rt Runtime) FindInterpreter(ctx context.Context) (Interpreter, error) {
	path, err := exec.LookPath(rt.command())
	if err != nil {
		return Interpreter{}, fmt.Errorf("runtime %s needs %s on PATH: %w", rt.Name, rt.command(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return Interpreter{}, fmt.Errorf("%s --version: %w", path, err)
	}
	v := strings.TrimSpace(string(out))
	v = strings.TrimPrefix(strings.TrimPrefix(v, "Python "), "v")
	return Interpreter{Path: path, Version: v}, nil
}

// VersionWarning says how the interpreter's version differs from the one
// the runtime names, or is empty when it does not (or the runtime names
// none).
func (rt Runtime) VersionWarning(in Interpreter) string {
	if rt.Major == 0 {
		return ""
	}
	parts := strings.SplitN(in.Version, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor := -1
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	if major == rt.Major && (rt.Language == "nodejs" || minor == rt.Minor) {
		return ""
	}
	return fmt.Sprintf("runtime %s runs with %s %s (%s): its version differs from the runtime's", rt.Name, rt.command(), in.Version, in.Path)
}

// ManagedRuntimeHandler runs the function handler ("FILE.EXPORT", as in a
// function's Handler setting) from codeDir with the interpreter of a
// managed runtime and albcheck's own bootstrap, which speaks the Runtime
// API as AWS's runtime clients do. It is a RuntimeHandler in all else:
// warm processes, timeouts that stop them, crashes that fail only their
// own invocation.
func ManagedRuntimeHandler(rt Runtime, in Interpreter, handler, codeDir string, env []string, n int) (Handler, error) {
	return ManagedRuntimePool(rt, in, handler, codeDir, env, Pool{Warm: n, Max: n})
}

// ManagedRuntimePool is ManagedRuntimeHandler with environments started on
// demand, as the Pool says (serve's --max-concurrency and --throttle).
func ManagedRuntimePool(rt Runtime, in Interpreter, handler, codeDir string, env []string, pool Pool) (Handler, error) {
	if i := strings.LastIndexByte(handler, '.'); i <= 0 || i == len(handler)-1 {
		return nil, fmt.Errorf("handler %q: want FILE.EXPORT, such as index.handler", handler)
	}
	root, err := filepath.Abs(codeDir)
	if err != nil {
		return nil, fmt.Errorf("code dir %s: %w", codeDir, err)
	}
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("code dir: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("code dir %s is not a directory", codeDir)
	}
	file := "bootstrap/python.py"
	if rt.Language == "nodejs" {
		file = "bootstrap/node.js"
	}
	src, err := bootstraps.ReadFile(file)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "albcheck-runtime-")
	if err != nil {
		return nil, err
	}
	boot := filepath.Join(tmp, filepath.Base(file))
	if err := os.WriteFile(boot, src, 0o600); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	lambda := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + filepath.Base(root),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + filepath.Base(root),
		"AWS_EXECUTION_ENV=AWS_Lambda_" + rt.Name,
		"LAMBDA_TASK_ROOT=" + root,
		"_HANDLER=" + handler,
	}
	if rt.Language == "python" {
		// Lambda's Python output reaches its logs line by line. Its task
		// root is read-only, so no __pycache__ is written there; nor is
		// one written into the user's code folder here.
		lambda = append(lambda, "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1")
	} else {
		lambda = append(lambda, "NODE_PATH="+filepath.Join(root, "node_modules"))
	}
	h := newRuntimeHandler([]string{in.Path, boot}, root, lambda, env, pool)
	h.runtime = rt.Name
	return &managedHandler{runtimeHandler: h, tmp: tmp}, nil
}

// managedHandler is a runtimeHandler that owns its bootstrap's file.
type managedHandler struct {
	*runtimeHandler
	tmp string
}

func (m *managedHandler) Close() error {
	err := m.runtimeHandler.Close()
	os.RemoveAll(m.tmp)
	return err
}
