//go:build unix

package inputs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

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
	assert.EqualError(t, err, "is a directory")
}

// A named pipe has no size to trust: it is read up to the limit and no
// further.
func TestReadFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	write := func(data string) {
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			_, _ = f.WriteString(data)
			f.Close()
		}()
	}
	write(`{"a":1}`)
	b, err := ReadFile(fifo, 100)
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(b))

	write(`{"a":"0123456789"}`)
	_, err = ReadFile(fifo, 10)
	var tooLarge *TooLargeError
	require.True(t, errors.As(err, &tooLarge), "%v", err)
	assert.Equal(t, int64(-1), tooLarge.Size)
}
