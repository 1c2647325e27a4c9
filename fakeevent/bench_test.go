package fakeevent_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/albcheck/albcheck/fakeevent"
)

func typicalBuilder() *fakeevent.Builder {
	return fakeevent.New("POST", "/orders/42/items?expand=price&page=2").
		Header("Accept", "application/json").
		Header("Accept-Encoding", "gzip, deflate, br").
		Header("Accept-Language", "en-GB,en;q=0.9").
		Header("Cache-Control", "no-cache").
		Header("Origin", "https://shop.example.com").
		Header("Referer", "https://shop.example.com/cart").
		Header("X-Request-Id", "c0a80001-5f3e-4c2b-9a8d-1b2c3d4e5f60").
		Cookie("session", "9f86d081884c7d659a2feaa0c55ad015").
		JSON(map[string]any{"sku": "BK-1", "qty": 1}).
		Seed(1)
}

// BenchmarkBuild builds and encodes a typical event; compare with
// BenchmarkMarshalStruct, json.Marshal of the finished event (goal: at most
// 2x).
func BenchmarkBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := typicalBuilder().Build(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalStruct(b *testing.B) {
	ev, err := typicalBuilder().Event()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildBinary1MB: a 1 MB upload, base64-encoded once and copied
// into the JSON once (B/op stays near 1.33 + 1.33 MB).
func BenchmarkBuildBinary1MB(b *testing.B) {
	body := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 1<<18)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := fakeevent.New("PUT", "/upload").Header("Content-Type", "application/octet-stream").BodyBytes(body).Seed(1).Build(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalStructBinary1MB(b *testing.B) {
	body := bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 1<<18)
	ev, err := fakeevent.New("PUT", "/upload").Header("Content-Type", "application/octet-stream").BodyBytes(body).Seed(1).Event()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
}
