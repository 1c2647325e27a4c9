// Package testproc serves albcheck's tests that run real processes: it
// builds their function binaries once per test binary and, on Linux, finds
// the processes a run left behind.
package testproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	mu     sync.Mutex
	builds = map[string]string{}
)

// Build compiles the Go package at pkg (a path relative to the test's
// package, such as "../replay/testdata/rudefn") once for the test binary and
// returns the executable's path, named after the package.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	abs, err := filepath.Abs(pkg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if bin, ok := builds[abs]; ok {
		return bin
	}
	dir, err := os.MkdirTemp("", "albcheck-"+filepath.Base(abs))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, filepath.Base(abs))
	if out, err := exec.Command("go", "build", "-o", bin, abs).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	builds[abs] = bin
	return bin
}
