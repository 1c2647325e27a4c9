package validate_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/albcheck/albcheck/validate"
)

// TestChunkedSchemaAgrees validates every document of the corpus whole and
// in pieces of two and three members: the findings must be the same.
func TestChunkedSchemaAgrees(t *testing.T) {
	docs, opts := corpus(t)
	// Wide documents of every kind, with bad members spread through them.
	var resp, req, fix bytes.Buffer
	resp.WriteString(`{"statusCode":200,"isBase64Encoded":false,"multiValueHeaders":{`)
	req.WriteString(`{"httpMethod":"GET","path":"/","body":"","isBase64Encoded":false,"requestContext":{"elb":{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0123456789abcdef"}},"headers":{`)
	fix.WriteString(`[`)
	for i := range 40 {
		if i > 0 {
			resp.WriteByte(',')
			req.WriteByte(',')
			fix.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&resp, `"h%d":["a",%d,"b"]`, i, i)
			fmt.Fprintf(&req, `"h%d":%d`, i, i)
			fmt.Fprintf(&fix, `{"name":"c%d","event":{"httpMethod":"GET"}}`, i)
		case 1:
			fmt.Fprintf(&resp, `"h%d":[]`, i)
			fmt.Fprintf(&req, `"H%d":"x"`, i)
			fmt.Fprintf(&fix, `{"name":%d,"request":{"method":"GET","path":"/"}}`, i)
		default:
			fmt.Fprintf(&resp, `"h%d":["ok"]`, i)
			fmt.Fprintf(&req, `"h%d":"ok"`, i)
			fmt.Fprintf(&fix, `{"name":"c%d","request":{"method":"GET","path":"/"},"expect":{"status":%d}}`, i, 90+i)
		}
	}
	resp.WriteString(`},"body":"x","statusDescription":"200 OK"}`)
	req.WriteString(`},"queryStringParameters":{}}`)
	fix.WriteString(`]`)
	docs = append(docs, resp.Bytes(), req.Bytes(), fix.Bytes())
	opts = append(opts, nil, nil, nil)
	for i, doc := range docs {
		o := append(opts[i], validate.WithEngine(validate.EngineReference))
		whole := validate.Document(doc, o...)
		for _, n := range []int{2, 3} {
			var parts validate.Report
			validate.WithChunkSize(n, func() { parts = validate.Document(doc, o...) })
			if !assert.Equal(t, whole.Findings, parts.Findings, "in pieces of %d:\n%s", n, doc) {
				return
			}
		}
	}
}

// TestFindingsKeepOnlyWhatIsShown: a document with far more findings than
// a report shows gives the same report as before (the first of each rule,
// and the count of the rest), from a collector that never held them all.
func TestFindingsKeepOnlyWhatIsShown(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"statusCode":200,"statusDescription":"200 OK","isBase64Encoded":false,"body":"","headers":{`)
	for i := range 8000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"h%d":%d`, i, i) // RESP-007 each
	}
	b.WriteString(`}}`)
	rep := validate.Document(b.Bytes())
	resp007 := 0
	for _, f := range rep.Findings {
		if f.Rule == validate.RESP007 {
			resp007++
		}
	}
	assert.Equal(t, 101, resp007, "the first 100 and one that counts the rest")
	last := rep.Findings[len(rep.Findings)-1]
	assert.Equal(t, "and 7900 more RESP-007 findings in this document", last.Message)
	assert.Equal(t, "/headers/h0", rep.Findings[0].Pointer, "the first in pointer order")
}

// Past the schema-error budget the count is a floor, and the report says
// how much went unchecked.
func TestFindingsCountIsAFloorPastTheBudget(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"statusCode":200,"statusDescription":"200 OK","isBase64Encoded":false,"body":"","headers":{`)
	for i := range 30000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"h%d":%d`, i, i)
	}
	b.WriteString(`}}`)
	rep := validate.Document(b.Bytes())
	last := rep.Findings[len(rep.Findings)-1]
	assert.Regexp(t, `^and at least \d+ more RESP-007 findings in this document \(after 10000 schema errors albcheck checked \d+ more members no further\)$`, last.Message)
}
