package inputs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
)

// ErrOutsideRoot is returned for a name that leaves the fixture root: an
// absolute path, "..", or a symbolic link (dangling or not) that points out
// of it. Fixture files choose these names, and albcheck writes the
// function's replies to some of them, so none may reach the rest of the
// file system.
var ErrOutsideRoot = errors.New("leaves the fixture root")

// ReadIn reads the file name (relative to root) as ReadFile does: only a
// regular file, refused by its size when it is over limit bytes. No path,
// link or ".." leads out of root.
func ReadIn(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := openIn(root, name, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(rootFile{f}, name, limit)
}

// StatIn describes the file name inside root, following links that stay
// inside it; it does not open the file, so a named pipe cannot block it.
func StatIn(root *os.Root, name string) (fs.FileInfo, error) {
	if err := checkLocal(name); err != nil {
		return nil, err
	}
	st, err := root.Stat(name)
	return st, rootError(err)
}

// WriteIn replaces the file name inside root with data, or creates it (and
// its folders). Anything else at that name (a named pipe, a device, a link
// out of root) is refused without writing; a link to a file inside root is
// written through. The data goes to a new file that is then renamed over
// the file, so a hard link to a file elsewhere is replaced, not written
// through, and no reader sees half a file.
func WriteIn(root *os.Root, name string, data []byte) error {
	if err := checkLocal(name); err != nil {
		return err
	}
	// A relative link to a file inside root is written through: the file
	// it names gets the data and the link stays a link (renaming over it
	// would make the two differ). Any other link is left to the checks
	// below, which refuse what leaves root.
	for range 8 {
		lst, err := root.Lstat(name)
		if err != nil || lst.Mode()&fs.ModeSymlink == 0 {
			break
		}
		target, err := root.Readlink(name)
		if err != nil || filepath.IsAbs(target) {
			break
		}
		next := filepath.Join(filepath.Dir(name), target)
		if !filepath.IsLocal(next) {
			break
		}
		name = next
	}
	perm := fs.FileMode(0o644)
	st, err := root.Stat(name)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return &fs.PathError{Op: "write", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describeMode(st.Mode()))}
	case err == nil:
		perm = st.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return rootError(err)
	}
	if _, lerr := root.Lstat(name); lerr == nil && err != nil {
		// A dangling link: renaming over it would replace it, but it
		// may point out of root, and a fixture must not seem to write
		// where it cannot.
		return &fs.PathError{Op: "write", Path: name, Err: ErrOutsideRoot}
	}
	dir := filepath.Dir(name)
	if dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return rootError(err)
		}
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.albcheck-tmp", filepath.Base(name), os.Getpid(), tmpCount.Add(1)))
	f, err := openIn(root, tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rootError(root.Rename(tmp, name))
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}

// tmpCount tells apart the temporary files of concurrent writes.
var tmpCount atomic.Uint64

// openIn opens name inside root without blocking on a named pipe.
func openIn(root *os.Root, name string, flag int) (*os.File, error) {
	if err := checkLocal(name); err != nil {
		return nil, err
	}
	f, err := root.OpenFile(name, flag|nonBlock, 0o644)
	if err != nil {
		// A socket cannot be opened at all (ENXIO): say what it is, as for
		// the other special files.
		if st, serr := root.Stat(name); serr == nil && st.Mode()&fs.ModeSocket != 0 {
			return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describeMode(st.Mode()))}
		}
	}
	return f, rootError(err)
}

// checkLocal refuses a name that leaves root on its face, before any file
// system call.
func checkLocal(name string) error {
	if !filepath.IsLocal(name) {
		return &fs.PathError{Op: "open", Path: name, Err: ErrOutsideRoot}
	}
	return nil
}

// rootError turns os.Root's refusal to leave the root, whose error value
// the os package does not export, into ErrOutsideRoot. Every other failure
// of a Root operation is the system's (a syscall.Errno: a missing file, no
// permission), so the refusal is the one that is not.
func rootError(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	var errno syscall.Errno
	if errors.As(pe.Err, &errno) {
		return err
	}
	return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: ErrOutsideRoot}
}

// rootFile is a file opened through an os.Root.
type rootFile struct{ *os.File }

func (f rootFile) info() (size int64, mode fs.FileMode, err error) {
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return st.Size(), st.Mode().Type(), nil
}

// FixturePath resolves a file name written in a fixture (a bodyFile, a
// golden file) against dir, the fixture file's folder relative to the
// fixture root. The name must be a relative, slash-separated path; one that
// is absolute, has a volume or a backslash, or climbs out of the root is
// ErrOutsideRoot. Links are resolved later, by the os.Root the result is
// opened in.
func FixturePath(dir, name string) (string, error) {
	if name == "" || filepath.IsAbs(name) || path.IsAbs(name) || strings.Contains(name, `\`) || filepath.VolumeName(name) != "" {
		return "", &fs.PathError{Op: "open", Path: name, Err: ErrOutsideRoot}
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	if !filepath.IsLocal(p) {
		return "", &fs.PathError{Op: "open", Path: name, Err: ErrOutsideRoot}
	}
	return p, nil
}

// CheckIn makes the checks of ReadIn without reading: name is inside root,
// a regular file, and at most limit bytes. It returns the file's size.
func CheckIn(root *os.Root, name string, limit int64) (int64, error) {
	st, err := StatIn(root, name)
	if err != nil {
		return 0, err
	}
	return st.Size(), checkReadable(name, st.Mode(), st.Size(), limit)
}
