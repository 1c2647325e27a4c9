package testproc

import (
	"bytes"
	"os"
	"strconv"
)

// Leftovers lists the live processes whose environment holds kv (as
// "KEY=VALUE"), one /proc/PID/stat line each. A test gives the function a
// variable of its own and checks that nothing carrying it is left; zombies
// have no environment left and are not listed.
func Leftovers(kv string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append(append([]byte{0}, kv...), 0)) {
			continue
		}
		stat, _ := os.ReadFile("/proc/" + e.Name() + "/stat")
		found = append(found, string(stat))
	}
	return found
}
