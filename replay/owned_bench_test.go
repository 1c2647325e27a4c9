package replay

import (
	"os/exec"
	"testing"
)

// BenchmarkCleanup is what albcheck adds to every --exec invocation to end
// what the process left behind: its group signalled, albcheck's children
// looked up for ones that carry its mark (none here).
func BenchmarkCleanup(b *testing.B) {
	cmd := exec.Command("true")
	o, err := startOwned(cmd)
	if err != nil {
		b.Skip(err)
	}
	_ = cmd.Wait()
	b.ResetTimer()
	for b.Loop() {
		o.cleanup()
	}
}
