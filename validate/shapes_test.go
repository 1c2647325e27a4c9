package validate

import (
	"strings"
	"testing"
)

func TestIsTargetGroupARN(t *testing.T) {
	for arn, want := range map[string]bool{
		"arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a": true,
		"arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:targetgroup/tg/0123456789abcdef":                      true,
		"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/tg/0123456789abcdef":               true,
		"arn:aws:elasticloadbalancing:region:123456789012:targetgroup/my-target-group/6d0ecf831eec9f09":                false, // placeholder region
		"arn:aws:elasticloadbalancing:eu-central-1:1234567890:targetgroup/alb-c-Targe-11GDXTPQ7663S/804a67588bfdc10f":  false, // 10-digit account
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lambda-target/abcdefg":                        false, // short id
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789ABCDEF":                          false, // upper-case hex
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-lb/0123456789abcdef":                  false,
		"arn:aws:elasticloadbalancing:us-east-1:XXXXXXXXXXXX:targetgroup/tg/0123456789abcdef":                          false,
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/has_underscore/0123456789abcdef":              false,
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef/extra":                    false,
		"": false,
	} {
		if got := isTargetGroupARN(arn); got != want {
			t.Errorf("isTargetGroupARN(%q) = %t, want %t", arn, got, want)
		}
	}
}

func TestHasTraceRoot(t *testing.T) {
	for v, want := range map[string]bool{
		"Root=1-5c536348-3d683b8b04734faae651f476":                                         true,
		"Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678": true, // an incoming trace id kept
		"Root=1-xxxxxxxxxxxxxx":                    false,
		"Root=1-5C536348-3D683B8B04734FAAE651F476": false,
		"Root=1-5c536348-3d683b8b04734faae651f47":  false,
		"": false,
	} {
		if got := hasTraceRoot(v); got != want {
			t.Errorf("hasTraceRoot(%q) = %t, want %t", v, got, want)
		}
	}
}

func TestStrictBase64(t *testing.T) {
	for s, want := range map[string]bool{
		"":             true,
		"aGVsbG8=":     true,
		"aGVsbA==":     true,
		"aGVsbG8h":     true,
		"aGVsbG8":      false, // padding missing
		"aGVs\nbG8=":   false, // line break
		"aGVs bG8=":    false,
		"-_-_":         false, // URL alphabet
		"aGVsbG8=aGVs": false, // padding in the middle
		"====":         false,
	} {
		if got := isStrictBase64(s); got != want {
			t.Errorf("isStrictBase64(%q) = %t, want %t", s, got, want)
		}
	}
	if n := base64DecodedLen("aGVsbG8="); n != 5 {
		t.Errorf("base64DecodedLen = %d, want 5", n)
	}
}

// REQ-009 says which part of an ARN is wrong (before: only that it was).
func TestTargetGroupARNProblem(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/0123456789abcdef":  "",
		"arn:aws:elasticloadbalancing:region:123456789012:targetgroup/orders/0123456789abcdef":     `the region "region"`,
		"arn:aws:elasticloadbalancing:us-east-1:12345:targetgroup/orders/0123456789abcdef":         `the account "12345" is not 12 digits`,
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/orders/0123456789abcdef": `does not start with "targetgroup/"`,
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/or_ders/0123456789abcdef": `the name "or_ders" holds '_'`,
		"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/abc":               `the id "abc" is not 16 lower-case hex digits`,
		"arn:aws:lambda:us-east-1:123456789012:function:orders":                                    `the service is not "elasticloadbalancing"`,
	} {
		got := targetGroupARNProblem(arn)
		if want == "" {
			if got != "" {
				t.Errorf("%s: %s", arn, got)
			}
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("targetGroupARNProblem(%q) = %q, want it to say %q", arn, got, want)
		}
	}
}
