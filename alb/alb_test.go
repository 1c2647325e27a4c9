package alb

import "testing"

func TestRequestBodyIsBase64(t *testing.T) {
	tests := []struct {
		contentType string
		encoding    bool
		want        bool
	}{
		{"application/json", false, false},
		{"application/json; charset=utf-8", false, false},
		{"Application/JSON", false, false},
		{"text/plain", false, false},
		{"text/csv;charset=latin1", false, false},
		{"application/javascript", false, false},
		{"application/xml", false, false},
		{"application/json", true, true}, // any content-encoding forces base64
		{"", false, true},                // no content type
		{"application/x-www-form-urlencoded", false, true},
		{"multipart/form-data; boundary=x", false, true},
		{"application/octet-stream", false, true},
		{"application/vnd.api+json", false, true}, // suffix types: read literally, not text
		{"image/png", false, true},
		{"text/html; charset", false, false}, // malformed parameter: the type still counts
	}
	for _, tt := range tests {
		if got := RequestBodyIsBase64(tt.contentType, tt.encoding); got != tt.want {
			t.Errorf("RequestBodyIsBase64(%q, %t) = %t, want %t", tt.contentType, tt.encoding, got, tt.want)
		}
	}
}

func TestIsHopByHop(t *testing.T) {
	for _, h := range []string{"Connection", "keep-alive", "Transfer-Encoding", "UPGRADE", "TE", "Trailer"} {
		if !IsHopByHop(h) {
			t.Errorf("IsHopByHop(%q) = false", h)
		}
	}
	for _, h := range []string{"Content-Length", "Set-Cookie", "Content-Type", "Cache-Control"} {
		if IsHopByHop(h) {
			t.Errorf("IsHopByHop(%q) = true", h)
		}
	}
}

func TestIsHealthCheckUserAgent(t *testing.T) {
	if !IsHealthCheckUserAgent(HealthCheckUserAgent) {
		t.Error("the health checker's own user agent is not recognised")
	}
	if IsHealthCheckUserAgent("curl/8.5.0") || IsHealthCheckUserAgent("") {
		t.Error("a client user agent is taken for the health checker")
	}
}

func TestIsFinalStatus(t *testing.T) {
	for code, want := range map[int]bool{100: false, 101: false, 103: false, 199: false, 200: true, 204: true, 304: true, 502: true, 599: true, 600: false, 0: false} {
		if got := IsFinalStatus(code); got != want {
			t.Errorf("IsFinalStatus(%d) = %t, want %t", code, got, want)
		}
	}
}
