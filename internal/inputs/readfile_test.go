//go:build unix

package inputs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "e.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"httpMethod":"GET"}`), 0o644))

	b, err := ReadFile(file, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, `{"httpMethod":"GET"}`, string(b))

	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	b, err = ReadFile(empty, 1<<20)
	require.NoError(t, err)
	assert.Empty(t, b)

	// Over the limit: refused by its size, which the error gives.
	_, err = ReadFile(file, 5)
	var tooLarge *TooLargeError
	require.ErrorAs(t, err, &tooLarge)
	assert.Equal(t, int64(20), tooLarge.Size)

	missing := filepath.Join(dir, "missing.json")
	_, err = ReadFile(missing, 1<<20)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.EqualError(t, err, "open "+missing+": no such file or directory")

	_, err = ReadFile(dir, 1<<20)
	assert.ErrorIs(t, err, ErrNotRegular)
	assert.EqualError(t, err, "read "+dir+": not a regular file (a directory)", "the message names the file")
}

// Only regular files are read: a named pipe with no writer would block the
// read forever and /dev/zero never ends, so both are refused by their type,
// at once, without reading from them.
func TestReadFileRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	zero := filepath.Join(dir, "zero.json")
	require.NoError(t, os.Symlink("/dev/zero", zero))

	for _, tt := range []struct{ path, kind string }{
		{fifo, "a named pipe"},
		{zero, "a character device"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(tt.path, DefaultMaxSize)
			done <- err
		}()
		select {
		case err := <-done:
			assert.ErrorIs(t, err, ErrNotRegular, tt.path)
			assert.ErrorContains(t, err, tt.kind)
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadFile(%s) blocked", tt.path)
		}
	}
}

// Stdin may be a pipe: it is read up to the limit and no further.
func TestReadStdinLimit(t *testing.T) {
	b, err := Read(Input{Path: Stdin}, strings.NewReader(`{"a":1}`), 100)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(b))

	_, err = Read(Input{Path: Stdin}, strings.NewReader(`{"a":"0123456789"}`), 10)
	var tooLarge *TooLargeError
	require.True(t, errors.As(err, &tooLarge), "%v", err)
	assert.Equal(t, int64(-1), tooLarge.Size)
	assert.Equal(t, "larger than the limit of 10 bytes", err.Error(), "no flag named unless the caller has one")
	tooLarge.Flag = "--max-size"
	assert.Equal(t, "larger than the limit of 10 bytes (raise it with --max-size)", err.Error())
}
