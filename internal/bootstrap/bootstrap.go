// Package bootstrap finds the executable of a function of the
// infrastructure files on this machine, so that serve --infra can run a
// function nobody gave a handler for: the bootstrap of a custom runtime (Go,
// Rust, ...), as sam build leaves it, or inside the zip a Terraform or
// Serverless configuration deploys.
package bootstrap

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/albcheck/albcheck/infra"
)

// MaxSize is the largest bootstrap extracted: Lambda's limit on a
// function's unzipped code, 250 MB ("Lambda quotas", Deployment package
// size), so that a zip bomb cannot fill the disk.
const MaxSize = 250 << 20

// ErrNotFound is returned when the function's files hold no bootstrap.
var ErrNotFound = errors.New("no bootstrap executable found")

// Find returns the path of fn's bootstrap executable: .aws-sam/build/
// <name>/bootstrap beside the file that declares fn (after sam build), else
// the bootstrap at the top of the zip fn's code names (a Terraform
// filename, a Serverless artifact, a CodeUri zip), extracted into a
// temporary folder that cleanup removes. The error wraps ErrNotFound when
// there is none.
func Find(fn *infra.Function) (path string, cleanup func(), err error) {
	dir := filepath.Dir(fn.Source.File)
	built := filepath.Join(dir, ".aws-sam", "build", fn.Name, "bootstrap")
	if executable(built) {
		return built, func() {}, nil
	}
	if !strings.HasSuffix(strings.ToLower(fn.Code), ".zip") {
		return "", nil, fmt.Errorf("%w: no %s and no zip", ErrNotFound, built)
	}
	zipPath := fn.Code
	if !filepath.IsAbs(zipPath) {
		zipPath = filepath.Join(dir, zipPath)
	}
	return extract(zipPath)
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// extract copies the zip's top-level executable bootstrap into a new
// temporary folder. Only that one entry is read, under a name albcheck
// chooses, so no entry name can lead the write anywhere else.
func extract(zipPath string) (string, func(), error) {
	zr, err := zip.OpenReader(zipPath)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil, fmt.Errorf("%w: %s does not exist", ErrNotFound, zipPath)
	}
	if err != nil {
		return "", nil, fmt.Errorf("open %s: %w", zipPath, err)
	}
	defer zr.Close()
	var entry *zip.File
	for _, f := range zr.File {
		if f.Name == "bootstrap" {
			entry = f
			break
		}
	}
	if entry == nil || !entry.Mode().IsRegular() || entry.Mode()&0o111 == 0 {
		return "", nil, fmt.Errorf("%w in %s (an executable file named bootstrap at its top)", ErrNotFound, zipPath)
	}
	if entry.UncompressedSize64 > MaxSize {
		return "", nil, fmt.Errorf("%s: bootstrap of %d bytes, over Lambda's %d", zipPath, entry.UncompressedSize64, MaxSize)
	}
	src, err := entry.Open()
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", zipPath, err)
	}
	defer src.Close()
	dir, err := os.MkdirTemp("", "albcheck-bootstrap-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	path := filepath.Join(dir, "bootstrap")
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	// The declared size may lie: the copy itself is bounded.
	n, err := io.Copy(dst, io.LimitReader(src, MaxSize+1))
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > MaxSize {
		err = fmt.Errorf("bootstrap over Lambda's %d bytes", MaxSize)
	}
	if err != nil {
		cleanup()
		return "", nil, fmt.Errorf("extract bootstrap from %s: %w", zipPath, err)
	}
	return path, cleanup, nil
}
