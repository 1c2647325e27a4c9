//go:build !unix

package inputs

import (
	"io/fs"
	"os"
)

func openFile(path string) (file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

type osFile struct{ *os.File }

func (f osFile) info() (size int64, mode fs.FileMode, err error) {
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return st.Size(), st.Mode().Type(), nil
}

// nonBlock: no named pipes to wait on outside Unix.
const nonBlock = 0
