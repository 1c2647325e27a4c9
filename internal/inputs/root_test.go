//go:build unix

package inputs

import (
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Nothing reached through a root leaves it: not "..", not an absolute
// path, not a link to a file or a folder outside, not a dangling link,
// whether reading or writing.
func TestRootConfines(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o600))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ok.bin"), []byte("ok"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "linkdir")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "new"), filepath.Join(dir, "dangling")))
	require.NoError(t, os.Symlink("ok.bin", filepath.Join(dir, "inside")))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()

	b, err := ReadIn(root, "sub/../inside", 100)
	require.NoError(t, err, "links and .. that stay inside are fine")
	assert.Equal(t, "ok", string(b))

	for _, name := range []string{"../" + filepath.Base(outside) + "/secret", secret, "link", "linkdir/secret", "dangling", "sub/../../x"} {
		_, err := ReadIn(root, name, 100)
		assert.ErrorIs(t, err, ErrOutsideRoot, "read %s", name)
		_, err = CheckIn(root, name, 100)
		assert.ErrorIs(t, err, ErrOutsideRoot, "check %s", name)
		assert.ErrorIs(t, WriteIn(root, name, []byte("pwned")), ErrOutsideRoot, "write %s", name)
	}
	b, err = os.ReadFile(secret)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(b))
	assert.NoFileExists(t, filepath.Join(outside, "new"))

	_, err = CheckIn(root, "ok.bin", 1)
	var tooLarge *TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, int64(2), tooLarge.Size)

	require.NoError(t, WriteIn(root, "golden/new.golden", []byte("new")), "folders are made")
	b, err = ReadIn(root, "golden/new.golden", 100)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
	require.NoError(t, WriteIn(root, "inside", []byte("x")), "a link inside is written through")
	b, err = os.ReadFile(filepath.Join(dir, "inside"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(b))
	b, err = os.ReadFile(filepath.Join(dir, "ok.bin"))
	require.NoError(t, err)
	assert.Equal(t, "x", string(b), "what it linked to got the data: the two stay one file")

	// A hard link to a file outside is replaced, not written through.
	if err := os.Link(secret, filepath.Join(dir, "hard")); err == nil {
		require.NoError(t, WriteIn(root, "hard", []byte("pwned")))
		b, err = os.ReadFile(secret)
		require.NoError(t, err)
		assert.Equal(t, "secret", string(b))
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), "albcheck-tmp", "no temporary file left behind")
	}
}

// A named pipe in the root is neither read nor written, and does not block.
func TestRootRefusesPipes(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	done := make(chan [3]error, 1)
	go func() {
		_, rerr := ReadIn(root, "fifo", 100)
		_, cerr := CheckIn(root, "fifo", 100)
		done <- [3]error{rerr, cerr, WriteIn(root, "fifo", []byte("x"))}
	}()
	select {
	case errs := <-done:
		assert.ErrorIs(t, errs[0], ErrNotRegular)
		assert.ErrorIs(t, errs[1], ErrNotRegular)
		assert.Error(t, errs[2], "no reader: the open fails at once")
	case <-time.After(10 * time.Second):
		t.Fatal("blocked on a named pipe")
	}
}

func TestFixturePath(t *testing.T) {
	for _, tt := range []struct{ dir, name, want string }{
		{".", "body.bin", "body.bin"},
		{"sub", "../shared/body.bin", "shared/body.bin"},
		{"sub", "golden/x", "sub/golden/x"},
	} {
		got, err := FixturePath(tt.dir, tt.name)
		require.NoError(t, err, tt.name)
		assert.Equal(t, filepath.FromSlash(tt.want), got)
	}
	for _, name := range []string{"", "/etc/passwd", "../x", `a\b`, "sub/../../x"} {
		_, err := FixturePath(".", name)
		assert.ErrorIs(t, err, ErrOutsideRoot, name)
	}
}

// A socket in a fixture folder is named as one, through a root or not
// (before: "no such device or address").
func TestSocketIsNamed(t *testing.T) {
	dir, err := os.MkdirTemp("", "sock") // short: a socket path has a length limit
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "s.json"))
	require.NoError(t, err)
	defer ln.Close()
	_, err = ReadFile(filepath.Join(dir, "s.json"), 1<<20)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.Contains(t, err.Error(), "a socket")
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	_, err = ReadIn(root, "s.json", 1<<20)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.Contains(t, err.Error(), "a socket")
}

// A link inside the root to a file inside it is written through, so the
// two stay one file (before: the link was replaced by a copy).
func TestWriteInThroughLinkInside(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "real"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "real", "a.golden"), []byte("old"), 0o644))
	require.NoError(t, os.Symlink("real/a.golden", filepath.Join(dir, "a.golden")))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	require.NoError(t, WriteIn(root, "a.golden", []byte("new")))
	st, err := os.Lstat(filepath.Join(dir, "a.golden"))
	require.NoError(t, err)
	assert.NotZero(t, st.Mode()&os.ModeSymlink, "still a link")
	b, err := os.ReadFile(filepath.Join(dir, "real", "a.golden"))
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
}
