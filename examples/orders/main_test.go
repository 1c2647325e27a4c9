package main

import (
	"context"
	"net/url"
	"testing"

	"github.com/albcheck/albcheck/albtest"
	"github.com/stretchr/testify/require"
)

// Every shipped fixture, through the handler in-process: the same checks as
// albcheck replay --cmd, inside go test.
func TestFixtures(t *testing.T) {
	albtest.Replay(t, "../../fixtures", Handle)
}

func TestCreateOrder(t *testing.T) {
	req := albtest.NewRequest(t, "POST", "/api/orders", albtest.WithJSON(map[string]any{"item": "book", "qty": 2}))
	resp, err := Handle(context.Background(), req)
	require.NoError(t, err)
	albtest.AssertResponse(t, req, resp, albtest.Status(201), albtest.HeaderIs("Location", "/api/orders/42"), albtest.JSONEq(`{"id": 42, "item": "book", "qty": 2}`))
}

// Form posts arrive base64-encoded; the handler decodes them.
func TestSignupForm(t *testing.T) {
	req := albtest.NewRequest(t, "POST", "/signup", albtest.WithForm(url.Values{"email": {"ada@example.com"}}), albtest.WithMultiValue())
	resp, err := Handle(context.Background(), req)
	require.NoError(t, err)
	albtest.AssertResponse(t, req, resp, albtest.Status(200), albtest.BodyContains("Welcome, ada@example.com"))
}

// FuzzHandle sends realistic ALB events, generated and mutated from the
// fixtures, through Handle: go test runs the seed corpus, go test -fuzz
// FuzzHandle explores.
func FuzzHandle(f *testing.F) {
	albtest.Fuzz(f, Handle, albtest.FuzzSeeds("../../fixtures"))
}
