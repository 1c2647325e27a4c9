package validate

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestSchemaErrorsComeInPieces: a document with 30,000 schema errors hands
// them over in batches of at most chunkSize, so no more are held at once
// (before: one batch of 30,000, and 4 GB for two million), and stops
// checking pieces once maxSchemaErrors were found (8 million bad values took
// 76 s), counting the members it did not check.
func TestSchemaErrorsComeInPieces(t *testing.T) {
	if err := schemas(); err != nil {
		t.Fatal(err)
	}
	h := map[string]any{}
	for i := range 30000 {
		h[fmt.Sprintf("h%d", i)] = json.Number("1")
	}
	doc := map[string]any{"statusCode": json.Number("200"), "headers": h}
	total, largest := 0, 0
	unchecked, err := runSchema(compiled.respSingle, doc, func(errs []schemaError) {
		total += len(errs)
		largest = max(largest, len(errs))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Past maxSchemaErrors the rest is counted, not checked.
	if total < maxSchemaErrors || total+unchecked != 30000 {
		t.Errorf("%d errors and %d members unchecked, want at least %d errors and 30,000 in all", total, unchecked, maxSchemaErrors)
	}
	if largest > chunkSize+8 {
		t.Errorf("a batch of %d errors: the document was not validated in pieces", largest)
	}
}

// TestFindingsCompact: a collector given 100,000 findings holds a bounded
// number and still reports them all, counted.
func TestFindingsCompact(t *testing.T) {
	fs := &findings{}
	most := 0
	for i := range 100000 {
		fs.add(RESP007, fmt.Sprintf("/headers/h%d", i), "bad")
		fs.add(RESP021, fmt.Sprintf("/headers/H%d", i), "twin")
		most = max(most, len(fs.list))
	}
	if most > 2*compactMin {
		t.Errorf("held %d findings at once", most)
	}
	got := fs.result()
	if len(got) != 2*maxPerRule+2 {
		t.Fatalf("%d findings in the report, want %d", len(got), 2*maxPerRule+2)
	}
	if m := got[len(got)-1].Message; m != "and 99900 more RESP-021 findings in this document" {
		t.Errorf("last: %q", m)
	}
}
