// Package inputs turns command-line arguments (files, directories, globs and
// "-" for stdin) into the list of documents to check, and reads each one with
// a size limit.
package inputs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Input is one document to read.
type Input struct {
	// Path names the input as shown to the user; "-" is stdin.
	Path string
	// Err is set when the argument could not be expanded (a missing file,
	// an unreadable directory); the input still gets a result.
	Err error
}

// Stdin is the path that names standard input.
const Stdin = "-"

// ErrNoMatch is returned for a glob that matches nothing.
var ErrNoMatch = errors.New("no files match")

// Expand lists the inputs for args, in order: a directory becomes every
// *.json file below it (sorted; symbolic links to directories are not
// followed, so a link loop cannot trap the walk), a glob its matches, "-"
// stdin. A glob that matches nothing is a usage error.
func Expand(args []string) ([]Input, error) {
	var out []Input
	for _, a := range args {
		if a == Stdin {
			out = append(out, Input{Path: Stdin})
			continue
		}
		info, err := os.Stat(a)
		switch {
		case err == nil && info.IsDir():
			out = append(out, walk(a)...)
		case err == nil:
			out = append(out, Input{Path: a})
		case hasMeta(a):
			matches, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, fmt.Errorf("glob %q: %w", a, gerr)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s: %w", a, ErrNoMatch)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && st.IsDir() {
					out = append(out, walk(m)...)
				} else {
					out = append(out, Input{Path: m})
				}
			}
		default:
			if target, lerr := os.Readlink(a); lerr == nil {
				err = fmt.Errorf("%w (a symbolic link to %s)", err, target)
			}
			out = append(out, Input{Path: a, Err: err})
		}
	}
	return out, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

func walk(root string) []Input {
	var out []Input
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			out = append(out, Input{Path: p, Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git, .cache and the like
			}
			return nil
		}
		if strings.EqualFold(filepath.Ext(p), ".json") {
			out = append(out, Input{Path: p})
		}
		return nil
	})
	if err != nil {
		out = append(out, Input{Path: root, Err: err})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// TooLargeError says an input is over the size limit; it was not read.
type TooLargeError struct {
	Size, Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("larger than the limit of %d bytes (raise it with --max-size)", e.Limit)
	}
	return fmt.Sprintf("%d bytes, larger than the limit of %d bytes (raise it with --max-size)", e.Size, e.Limit)
}

// Read reads an input, refusing anything over limit bytes without reading it
// whole: a regular file by its size, stdin or a pipe by reading at most
// limit+1 bytes.
func Read(in Input, stdin io.Reader, limit int64) ([]byte, error) {
	if in.Err != nil {
		return nil, in.Err
	}
	var r io.Reader
	size := int64(512)
	if in.Path == Stdin {
		r = stdin
	} else {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("is a directory")
		}
		if st.Mode().IsRegular() {
			if st.Size() > limit {
				return nil, &TooLargeError{Size: st.Size(), Limit: limit}
			}
			size = st.Size() + 1 // one more byte to see EOF (or growth) in one read
		}
		r = f
	}
	// Read as os.ReadFile does, into a buffer sized from the file, but stop
	// past the limit: a pipe or a file that grows has no size to trust.
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, &TooLargeError{Size: -1, Limit: limit}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
