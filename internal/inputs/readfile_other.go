//go:build !unix

package inputs

import "os"

func openFile(path string) (file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

type osFile struct{ *os.File }

func (f osFile) info() (size int64, regular, dir bool, err error) {
	st, err := f.Stat()
	if err != nil {
		return 0, false, false, err
	}
	return st.Size(), st.Mode().IsRegular(), st.IsDir(), nil
}
