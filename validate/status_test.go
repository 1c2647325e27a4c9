package validate_test

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"

	"github.com/albcheck/albcheck/validate"
)

// A handler that forgets statusCode sends 0. The finding says so, and the
// rules that compare with the status do not repeat it in other words
// (RESP-003 suggesting "0 ", RESP-014 saying status 0 has no body).
func TestForgottenStatusCode(t *testing.T) {
	tests := []struct {
		name string
		resp events.ALBTargetGroupResponse
	}{
		{"zero value", events.ALBTargetGroupResponse{}},
		{"only a body", events.ALBTargetGroupResponse{Body: "hello", StatusDescription: "OK", Headers: map[string]string{"Content-Type": "text/plain"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := validate.ResponseValue(tt.resp, validate.WithMode(validate.ModeSingle))
			var status *validate.Finding
			for i, f := range rep.Findings {
				if f.Rule == validate.RESP002 {
					status = &rep.Findings[i]
				}
				assert.NotEqual(t, validate.RESP014, f.Rule, "%s", rep)
				assert.NotContains(t, f.Message, `"0 "`, "%s", rep)
			}
			if assert.NotNil(t, status, "%s", rep) {
				assert.Equal(t, "statusCode 0 is not between 100 and 599 (statusCode missing: did the handler return a zero value?)", status.Message)
			}
		})
	}
	// A status in range still gets its suggestion, and 600 no zero-value hint.
	rep := validate.Response([]byte(`{"statusCode": 404, "statusDescription": "", "headers": {}, "isBase64Encoded": false}`))
	assert.Contains(t, rep.String(), `such as "404 Not Found"`)
	rep = validate.Response([]byte(`{"statusCode": 600, "statusDescription": "600 X", "headers": {}, "isBase64Encoded": false}`))
	assert.Contains(t, rep.String(), "/statusCode: statusCode 600 is not between 100 and 599")
	assert.NotContains(t, rep.String(), "zero value")
}
