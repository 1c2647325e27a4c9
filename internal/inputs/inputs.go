// Package inputs turns command-line arguments (files, directories, globs and
// "-" for stdin) into the list of documents to check, and reads each one with
// a size limit.
package inputs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Input is one document to read.
type Input struct {
	// Path names the input as shown to the user; "-" is stdin.
	Path string
	// Root is the folder the input was found in: the directory given on
	// the command line, or for a file given directly (or matched by a
	// glob) its directory. Files a fixture names are read inside it and
	// nowhere else.
	Root string
	// Err is set when the argument could not be expanded (a missing file,
	// an unreadable directory); the input still gets a result.
	Err error
}

// Stdin is the path that names standard input.
const Stdin = "-"

// ErrNoMatch is returned for a glob that matches nothing.
var ErrNoMatch = errors.New("no files match")

// Expand turns args into the sequence of inputs, in order: a directory
// becomes every *.json file below it (in lexical order; hidden directories
// are skipped and symbolic links to directories are not followed, so a link
// loop cannot trap the walk), a glob its matches, "-" stdin. Directories are
// read as the sequence is consumed, one at a time, so memory does not grow
// with the number of files. A glob that matches nothing, and "-" given twice,
// are usage errors, reported before anything is read.
func Expand(args []string) (iter.Seq[Input], error) {
	type arg struct {
		path  string
		dir   bool
		err   error
		stdin bool
	}
	var list []arg
	stdins := 0
	for _, a := range args {
		if a == Stdin {
			stdins++
			list = append(list, arg{path: a, stdin: true})
			continue
		}
		info, err := os.Stat(a)
		switch {
		case err == nil:
			list = append(list, arg{path: a, dir: info.IsDir()})
		case hasMeta(a):
			matches, gerr := filepath.Glob(a)
			if gerr != nil {
				return nil, fmt.Errorf("glob %q: %w", a, gerr)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s: %w", a, ErrNoMatch)
			}
			for _, m := range matches {
				st, err := os.Stat(m)
				list = append(list, arg{path: m, dir: err == nil && st.IsDir()})
			}
		default:
			if target, lerr := os.Readlink(a); lerr == nil {
				err = fmt.Errorf("%w (a symbolic link to %s)", err, target)
			}
			list = append(list, arg{path: a, err: err})
		}
	}
	if stdins > 1 {
		return nil, ErrStdinTwice
	}
	return func(yield func(Input) bool) {
		for _, a := range list {
			if a.dir {
				if !walk(a.path, a.path, yield) {
					return
				}
				continue
			}
			if !yield(Input{Path: a.path, Root: filepath.Dir(a.path), Err: a.err}) {
				return
			}
		}
	}, nil
}

// ErrStdinTwice is returned when "-" is given more than once.
var ErrStdinTwice = errors.New("- (standard input) can be given only once")

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[`) }

// walk yields the *.json files below dir in lexical order, reading one
// directory at a time; it reports false when the consumer stopped.
// Hand-written rather than filepath.WalkDir, which would have to finish
// before the first file could be checked in lexical order across calls.
func walk(root, dir string, yield func(Input) bool) bool {
	type entry struct {
		name string
		dir  bool
	}
	f, err := os.Open(dir)
	if err != nil {
		return yield(Input{Path: dir, Root: root, Err: err})
	}
	var entries []entry
	for {
		batch, err := f.ReadDir(1024)
		for _, d := range batch {
			name := d.Name()
			switch {
			case d.IsDir():
				if !strings.HasPrefix(name, ".") { // .git, .cache and the like
					entries = append(entries, entry{name, true})
				}
			case strings.EqualFold(filepath.Ext(name), ".json"):
				entries = append(entries, entry{name, false})
			}
		}
		if err == io.EOF || (err == nil && len(batch) == 0) {
			break
		}
		if err != nil {
			f.Close()
			return yield(Input{Path: dir, Root: root, Err: err})
		}
	}
	f.Close()
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for _, e := range entries {
		p := filepath.Join(dir, e.name)
		if e.dir {
			if !walk(root, p, yield) {
				return false
			}
		} else if !yield(Input{Path: p, Root: root}) {
			return false
		}
	}
	return true
}

// DefaultMaxSize is the size limit of a document or fixture file when none
// is given (--max-size): far above any real event or fixture (the ALB's own
// limits are 1 MB), far below what would exhaust memory.
const DefaultMaxSize = 16 << 20

// TooLargeError says an input is over the size limit; it was not read.
type TooLargeError struct {
	// Size is the file's size, or -1 when it is not known (stdin, a file
	// that grew while it was read).
	Size, Limit int64
	// Flag names the command-line flag that raises the limit; the layer
	// that owns the flag sets it (empty: the message names none).
	Flag string
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("larger than the limit of %d bytes", e.Limit)
	if e.Size >= 0 {
		msg = fmt.Sprintf("%d bytes, %s", e.Size, msg)
	}
	if e.Flag != "" {
		msg += " (raise it with " + e.Flag + ")"
	}
	return msg
}

// ErrNotRegular is returned for a path that names something other than a
// regular file: a named pipe could block a read forever and a device such
// as /dev/zero never ends, so neither is read.
var ErrNotRegular = errors.New("not a regular file")

// file is an open input: readable, closable, and able to say its size and
// type (readfile_*.go).
type file interface {
	io.ReadCloser
	info() (size int64, mode fs.FileMode, err error)
}

// Read reads an input, refusing anything over limit bytes without reading it
// whole: a regular file by its size, stdin or a pipe by reading at most
// limit+1 bytes.
func Read(in Input, stdin io.Reader, limit int64) ([]byte, error) {
	if in.Err != nil {
		return nil, in.Err
	}
	if in.Path == Stdin {
		return readAll(stdin, 512, limit)
	}
	return ReadFile(in.Path, limit)
}

// ReadFile reads a regular file, refusing one over limit bytes by its size,
// without reading it, and anything that is not a regular file
// (ErrNotRegular) without reading from it. Standard input, which may well
// be a pipe, is read by Read.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}

// readOpen reads an open file after checking its type and size.
func readOpen(f file, path string, limit int64) ([]byte, error) {
	size, mode, err := f.info()
	if err == nil {
		err = checkReadable(path, mode, size, limit)
	}
	if err != nil {
		return nil, err
	}
	// One more byte than the size, to see EOF (or growth) in one read; a
	// file that grows past the limit while it is read is still refused.
	return readAll(f, size+1, limit)
}

// checkReadable is what every read checks before it reads: a regular file
// (ErrNotRegular, naming the type, for a directory, pipe, device or
// socket) of at most limit bytes (a *TooLargeError).
func checkReadable(path string, mode fs.FileMode, size, limit int64) error {
	switch {
	case !mode.IsRegular():
		return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describeMode(mode))}
	case size > limit:
		return &TooLargeError{Size: size, Limit: limit}
	}
	return nil
}

// describeMode names a file type the way a user would.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// readAll reads as os.ReadFile does, into a buffer of the given size, but
// stops past the limit: a pipe or a file that grows has no size to trust.
func readAll(r io.Reader, size, limit int64) ([]byte, error) {
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
