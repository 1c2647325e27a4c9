package bootstrap_test

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/albcheck/albcheck/internal/bootstrap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type entry struct {
	name string
	mode os.FileMode
}

func writeZip(t *testing.T, path string, entries ...entry) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, _ = w.Write([]byte("#!/bin/sh\necho " + e.name + "\n"))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	template := filepath.Join(dir, "template.yaml")
	fn := func(name, code string) *infra.Function {
		return &infra.Function{Name: name, Code: code, Source: infra.Source{File: template}}
	}
	writeZip(t, filepath.Join(dir, "good.zip"), entry{"../bootstrap", 0o755}, entry{"sub/bootstrap", 0o755}, entry{"bootstrap", 0o755})
	writeZip(t, filepath.Join(dir, "notexec.zip"), entry{"bootstrap", 0o644})
	writeZip(t, filepath.Join(dir, "nested.zip"), entry{"sub/bootstrap", 0o755}, entry{"../bootstrap", 0o755})
	built := filepath.Join(dir, ".aws-sam", "build", "Built")
	require.NoError(t, os.MkdirAll(built, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(built, "bootstrap"), []byte("#!/bin/sh\n"), 0o755))

	t.Run("sam build", func(t *testing.T) {
		path, cleanup, err := bootstrap.Find(fn("Built", "src/"))
		require.NoError(t, err)
		defer cleanup()
		assert.Equal(t, filepath.Join(built, "bootstrap"), path)
	})
	t.Run("zip: only the top-level bootstrap, under albcheck's own name", func(t *testing.T) {
		path, cleanup, err := bootstrap.Find(fn("Zipped", "good.zip"))
		require.NoError(t, err)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "#!/bin/sh\necho bootstrap\n", string(b))
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.NotZero(t, fi.Mode()&0o111)
		cleanup()
		assert.NoFileExists(t, path)
	})
	for _, tc := range []struct{ name, code string }{
		{"not executable", "notexec.zip"},
		{"no top-level bootstrap, a traversal ignored", "nested.zip"},
		{"no zip", "missing.zip"},
		{"a folder without sam build", "src/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := bootstrap.Find(fn("Other", tc.code))
			assert.True(t, errors.Is(err, bootstrap.ErrNotFound), "%v", err)
		})
	}
	assert.NoFileExists(t, filepath.Join(filepath.Dir(dir), "bootstrap"))
}
