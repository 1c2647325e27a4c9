package gen_test

import (
	"testing"

	"github.com/albcheck/albcheck/fakeevent/gen"
)

// BenchmarkGenerate measures events generated per second, request drawn,
// event built and encoded as the ALB writes it: the fuzzer's own cost per
// run, which must stay small next to invoking the function.
func BenchmarkGenerate(b *testing.B) {
	src := gen.NewSource(1)
	var bytes int64
	b.ReportAllocs()
	for b.Loop() {
		doc, err := gen.Generate(src, "").JSON()
		if err != nil {
			b.Fatal(err)
		}
		bytes += int64(len(doc))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "B/event")
}
