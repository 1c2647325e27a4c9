//go:build unix

package inputs

import (
	"io"
	"os"
	"syscall"
)

// openFile opens a file for one read from start to end. os.Open makes ten
// system calls of a small regular file's open-read-close, because it offers
// every file to the network poller first (refused for regular files); for a
// suite of thousands of small fixtures those calls cost more than the
// checking. A plain descriptor takes five.
func openFile(path string) (file, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
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

func (f rawFile) info() (size int64, regular, dir bool, err error) {
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(f.fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return 0, false, false, &os.PathError{Op: "stat", Path: f.path, Err: err}
	}
	mode := st.Mode & syscall.S_IFMT
	return st.Size, mode == syscall.S_IFREG, mode == syscall.S_IFDIR, nil
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
