package replay

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// bodyDiff says how a body differs from the one expected: a unified diff
// for text, and for binary bodies their sizes, the first byte that differs
// and the bytes around it in hex. A line diff of binary data is noise at
// best, and at worst sends raw control bytes into the report.
func bodyDiff(want, got []byte) string {
	if isText(want) && isText(got) {
		return diff(string(want), string(got))
	}
	at := 0
	for at < len(want) && at < len(got) && want[at] == got[at] {
		at++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "binary bodies differ: want %d bytes, got %d bytes; first difference at byte %d\n", len(want), len(got), at)
	start := at &^ 15 // the 16-byte row that holds it
	for _, side := range []struct {
		name string
		data []byte
	}{{"want", want}, {"got ", got}} {
		fmt.Fprintf(&b, "%s %08x:%s\n", side.name, start, hexRow(side.data, start))
	}
	return b.String()
}

// hexRow formats up to 32 bytes of data from start, two rows' worth,
// enough to see the difference and what follows it.
func hexRow(data []byte, start int) string {
	if start >= len(data) {
		return " (ends before this)"
	}
	end := min(start+32, len(data))
	var b strings.Builder
	for _, c := range data[start:end] {
		fmt.Fprintf(&b, " %02x", c)
	}
	return b.String()
}

// isText reports whether a body reads as text: valid UTF-8 without control
// characters other than tab, line feed and carriage return.
func isText(p []byte) bool {
	if !utf8.Valid(p) {
		return false
	}
	return !bytes.ContainsFunc(p, func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
	})
}
