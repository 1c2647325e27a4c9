package validate

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// hostileShape makes a document shaped to make a validator spend time or
// memory out of proportion to its size (issue "validator": each of these
// once cost gigabytes or minutes at the default --max-size). make(n) grows
// with n; n=1 is the size of the measurement.
type hostileShape struct {
	name string
	make func(n int) []byte
}

var hostileShapes = []hostileShape{
	// Header values that are arrays nested deep: an index of every value's
	// pointer took memory quadratic in the depth (4.3 GB for these 900 KB).
	{"deep arrays in headers", func(n int) []byte {
		return headersOf(50, func(b *bytes.Buffer) {
			b.WriteString(strings.Repeat("[", 2250*n) + "1" + strings.Repeat("]", 2250*n))
		})
	}},
	// The same in objects, whose keys the scanners decode.
	{"deep objects in headers", func(n int) []byte {
		return headersOf(20, func(b *bytes.Buffer) {
			b.WriteString(strings.Repeat(`{"k":`, 2250*n) + "1" + strings.Repeat("}", 2250*n))
		})
	}},
	// Duplicate keys on one line: the line was counted again per key.
	{"duplicate keys on one line", func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"statusCode":200,"headers":{`)
		for i := range 20000 * n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"x":"1"`)
		}
		b.WriteString(`}}`)
		return b.Bytes()
	}},
	// Duplicate keys each deep in its own object: a pointer per duplicate.
	{"duplicate keys deep down", func(n int) []byte {
		return headersOf(2*n, func(b *bytes.Buffer) {
			b.WriteString(strings.Repeat(`{"k":1,"k":`, 2000) + "1" + strings.Repeat("}", 2000))
		})
	}},
	// Invalid items in one multiValueHeaders array: a finding each.
	{"invalid items in one array", func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"statusCode":200,"multiValueHeaders":{"x":[`)
		for i := range 20000 * n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"a":1}`)
		}
		b.WriteString(`]}}`)
		return b.Bytes()
	}},
	// A status code of 500,000 digits per n: big.Rat in gojsonschema took
	// time and memory quadratic in them (16 GB for 2,000,000).
	{"huge status code", func(n int) []byte {
		return []byte(`{"statusCode":` + strings.Repeat("9", 500_000*n) + `}`)
	}},
	{"huge fractions in headers", func(n int) []byte {
		return headersOf(n, func(b *bytes.Buffer) { b.WriteString("0." + strings.Repeat("0", 100_000) + "1e-5") })
	}},
	// Query parameters that each break a rule.
	{"many bad query values", func(n int) []byte {
		var b bytes.Buffer
		b.WriteString(`{"httpMethod":"GET","path":"/","requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0123456789abcdef"}},"isBase64Encoded":false,"headers":{},"queryStringParameters":{`)
		for i := range 25000 * n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
		}
		b.WriteString(`}}`)
		return b.Bytes()
	}},
}

func headersOf(count int, value func(*bytes.Buffer)) []byte {
	var b bytes.Buffer
	b.WriteString(`{"statusCode":200,"headers":{`)
	for i := range count {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"h%d":`, i)
		value(&b)
	}
	b.WriteString(`}}`)
	return b.Bytes()
}

// allocated returns the bytes allocated while validating doc with
// positions, as albcheck validate does.
func allocated(doc []byte) (uint64, Report) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep := Document(doc, WithPositions())
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, rep
}

// TestHostileShapesCostLinear holds every hostile shape to memory linear in
// its size: four times the document may cost at most six times the
// allocation (quadratic growth gives sixteen), and no document more than
// 400 bytes per byte. Allocation, not wall time: the machine is noisy and
// allocation is what ran out. On the code before positions were computed on
// demand and absurd numbers kept from gojsonschema, "deep arrays",
// "deep objects" and "huge status code" failed both bounds.
func TestHostileShapesCostLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("validates documents of several megabytes")
	}
	for _, s := range hostileShapes {
		t.Run(s.name, func(t *testing.T) {
			small, large := s.make(1), s.make(4)
			a1, rep := allocated(small)
			a4, _ := allocated(large)
			t.Logf("%d bytes: %d findings, %.1f MB (%.0f per byte); 4x: %.1f MB (%.1fx)", len(small), len(rep.Findings), float64(a1)/(1<<20), float64(a1)/float64(len(small)), float64(a4)/(1<<20), float64(a4)/float64(a1))
			if len(rep.Findings) == 0 {
				t.Fatalf("no findings: the shape no longer breaks a rule")
			}
			if a4 > 6*a1 {
				t.Errorf("4x the document cost %.1fx the memory (%d → %d bytes): not linear", float64(a4)/float64(a1), a1, a4)
			}
			if limit := uint64(400*len(large) + 1<<20); a4 > limit {
				t.Errorf("%d bytes allocated for a %d-byte document (limit %d)", a4, len(large), limit)
			}
		})
	}
}
