package validate

import (
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"testing"
)

// awsSampleEvent is shaped like the request event of AWS's ALB guide, as
// most fixtures in the wild are: a dozen headers, one query parameter.
const awsSampleEvent = `{
  "body": "",
  "headers": {
    "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",
    "accept-encoding": "gzip",
    "accept-language": "en-US,en;q=0.9",
    "connection": "keep-alive",
    "host": "lambda-sample-1234567890.us-east-1.elb.amazonaws.com",
    "upgrade-insecure-requests": "1",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "x-amzn-trace-id": "Root=1-671e643c-15c331bcde7ff0c3b9c56a80",
    "x-forwarded-for": "198.51.100.117",
    "x-forwarded-port": "80",
    "x-forwarded-proto": "http",
    "x-imforwards": "20"
  },
  "httpMethod": "GET",
  "isBase64Encoded": false,
  "path": "/lambda",
  "queryStringParameters": {"query": "5678EFGH"},
  "requestContext": {
    "elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-sample/0a1b2c3d4e5f6a7b"}
  }
}`

// bytesPerRun is what f allocates per call, averaged over runs.
func bytesPerRun(runs int, f func()) uint64 {
	f() // once first: pools and the compiled schemas are set up
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// What checking the document everybody copies allocates is most of what
// the collector does in a run over 10,000 of them: 3.9 KB per document
// before, most of it maps grown from empty and rebuilt as they filled. Now
// maps are made at their final size, from those of documents already
// checked where there are some, and the document is decoded in place when
// the caller allows it.
func TestDocumentAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation bounds do not hold under the race detector")
	}
	doc := []byte(awsSampleEvent)
	copied := bytesPerRun(200, func() { Document(doc) })
	inPlace := bytesPerRun(200, func() { Document(doc, WithInPlace()) })
	t.Logf("%d bytes per check, %d in place (document: %d bytes)", copied, inPlace, len(doc))
	if copied > 2000 {
		t.Errorf("checking a %d-byte event allocates %d bytes, want at most 2000", len(doc), copied)
	}
	if inPlace > 1000 {
		t.Errorf("checking a %d-byte event in place allocates %d bytes, want at most 1000", len(doc), inPlace)
	}
	if inPlace+uint64(len(doc)) > copied+64 {
		t.Errorf("in place, %d bytes are allocated: want the copy of the document (%d bytes) saved, from %d", inPlace, len(doc), copied)
	}
}

// The maps of a document already checked hold the next one's members and
// nothing of their own; those of a value the caller asked for are left alone.
func TestRecycledMapsHoldNothingOld(t *testing.T) {
	other := `{"httpMethod": "POST", "path": "/x", "headers": {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "10", "k": "11", "l": "12", "m": "13"}, "queryStringParameters": {"q": "1", "r": "2"}, "requestContext": {"elb": {"targetGroupArn": "x", "extra": {"deep": [1, {"x": 2}]}}}}`
	for range 3 {
		for _, doc := range []string{awsSampleEvent, other, `{"a": {}, "b": [{}, {"c": {}}]}`} {
			Document([]byte(other)) // its maps go back for the next document
			var got, want any
			Document([]byte(doc), WithValue(&got))
			want, err := decode([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded after another document:\n%#v\nwant\n%#v", got, want)
			}
			// A value given to the caller is theirs: later documents
			// neither empty nor fill its maps.
			Document([]byte(other))
			Document([]byte(awsSampleEvent))
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("a value from WithValue changed with later documents:\n%#v\nwant\n%#v", got, want)
			}
		}
	}
}

// A run whose documents all take the fast path compiles no schema: that is
// 700 KB and a few milliseconds that albcheck validate paid at start-up
// before. Checked in a fresh process, as the schemas are compiled once per
// process.
func TestFastPathCompilesNoSchema(t *testing.T) {
	if os.Getenv("ALBCHECK_SCHEMA_CHILD") == "1" {
		for _, doc := range []string{awsSampleEvent, `{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"content-type": "text/plain"}, "body": "ok"}`} {
			if rep := Document([]byte(doc)); !rep.OK() {
				t.Fatalf("%s: %v", doc, rep.Findings)
			}
		}
		if compiled.reqSingle != nil || compiled.respSingle != nil {
			t.Fatal("the schemas were compiled for documents that pass the fast path")
		}
		// A schema error still reaches gojsonschema, the reference.
		if rep := Document([]byte(`{"statusCode": "200"}`)); rep.OK() || compiled.respSingle == nil {
			t.Fatalf("a string statusCode: %v, compiled: %v", rep.Findings, compiled.respSingle != nil)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFastPathCompilesNoSchema$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ALBCHECK_SCHEMA_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
