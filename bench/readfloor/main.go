// Command readfloor reads every *.json file of a directory with two workers
// and does nothing else: the floor under any validator's time on the same
// files (bench/compare.sh). `go run ./bench/readfloor DIR`
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readfloor DIR")
		os.Exit(2)
	}
	entries, err := os.ReadDir(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "readfloor:", err)
		os.Exit(2)
	}
	names := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for name := range names {
				b, err := os.ReadFile(name)
				if err != nil {
					fmt.Fprintln(os.Stderr, "readfloor:", err)
					os.Exit(2)
				}
				n += len(b)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names <- filepath.Join(os.Args[1], e.Name())
		}
	}
	close(names)
	wg.Wait()
	fmt.Printf("read %d bytes\n", total)
}
