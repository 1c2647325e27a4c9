//go:build unix

package inputs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// openFile opens a file for one read from start to end. os.Open makes ten
// system calls of a small regular file's open-read-close, because it offers
// every file to the network poller first (refused for regular files); for a
// suite of thousands of small fixtures those calls cost more than the
// checking. A plain descriptor takes five.
//
// O_NONBLOCK makes opening a named pipe return at once instead of waiting
// for a writer; readOpen then refuses it by its type. Regular files ignore
// the flag.
func openFile(path string) (file, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.ENXIO {
			// A socket cannot be opened at all: say what it is, as for the
			// other special files.
			if st, serr := os.Stat(path); serr == nil && st.Mode()&fs.ModeSocket != 0 {
				return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, describeMode(st.Mode()))}
			}
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return rawFile{fd: fd, path: path}, nil
	}
}

type rawFile struct {
	fd   int
	path string
}

func (f rawFile) info() (size int64, mode fs.FileMode, err error) {
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(f.fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, 0, &os.PathError{Op: "stat", Path: f.path, Err: err}
	}
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFREG:
	case syscall.S_IFDIR:
		mode = fs.ModeDir
	case syscall.S_IFIFO:
		mode = fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		mode = fs.ModeSocket
	case syscall.S_IFCHR:
		mode = fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		mode = fs.ModeDevice
	default:
		mode = fs.ModeIrregular
	}
	return st.Size, mode, nil
}

func (f rawFile) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: f.path, Err: err}
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f rawFile) Close() error { return syscall.Close(f.fd) }

// nonBlock keeps opening a named pipe from waiting for its other end.
const nonBlock = syscall.O_NONBLOCK
