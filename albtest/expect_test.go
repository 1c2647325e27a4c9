package albtest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/albcheck/albcheck/albtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expectKind is one expectation option with an argument that holds for
// goodResponse and one that does not, and what the failure must say.
type expectKind struct {
	name       string
	pass, fail albtest.Expectation
	want       string // in the failure message
}

func expectKinds(t *testing.T) []expectKind {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.golden")
	other := filepath.Join(dir, "other.golden")
	require.NoError(t, os.WriteFile(good, []byte(goodResponse().Body), 0o644))
	require.NoError(t, os.WriteFile(other, []byte(`{"id":7}`), 0o644))
	return []expectKind{
		{"Status", albtest.Status(200), albtest.Status(404), "EXPECT-STATUS status: status 200, want 404"},
		{"Status list", albtest.Status(201, 200), albtest.Status(201, 204), "EXPECT-STATUS status: status 200, want [201 204]"},
		{"StatusClass", albtest.StatusClass("2xx"), albtest.StatusClass("4xx"), "EXPECT-STATUS status: status 200, want 4xx"},
		{"HeaderIs", albtest.HeaderIs("content-type", "application/json"), albtest.HeaderIs("Content-Type", "text/plain"),
			`EXPECT-HEADER headers/Content-Type: Content-Type is "application/json", want "text/plain"`},
		{"HeaderMatches", albtest.HeaderMatches("Content-Type", "^application/"), albtest.HeaderMatches("Content-Type", "xml$"),
			`EXPECT-HEADER headers/Content-Type: Content-Type is "application/json", want a match for /xml$/`},
		{"NoHeader", albtest.NoHeader("Location"), albtest.NoHeader("Content-Type"), `Content-Type is "application/json", want it absent`},
		{"BodyIs", albtest.BodyIs(`{"id":42,"tags":["a"]}`), albtest.BodyIs(`{"id":43}`), "EXPECT-BODY body: the body differs:"},
		{"BodyContains", albtest.BodyContains("tags"), albtest.BodyContains("missing-word"), `the body does not contain "missing-word"`},
		{"BodyMatches", albtest.BodyMatches(`"tags":\[`), albtest.BodyMatches(`"id":4[3-9]`), `the body does not match /"id":4[3-9]/`},
		{"JSONEq", albtest.JSONEq(`{"tags": ["a"], "id": 42}`), albtest.JSONEq(`{"id": 42}`), "the JSON body does not equal the expected value"},
		{"JSONSubset", albtest.JSONSubset(`{"id": 42}`), albtest.JSONSubset(`{"id": 42, "name": "x"}`), "the JSON body does not contain the expected value"},
		{"Golden", albtest.Golden(good), albtest.Golden(other), "the body differs from other.golden"},
	}
}

var expectLine = regexp.MustCompile(`(?m)^  EXPECT-`)

// assertFails runs AssertResponse on goodResponse and checks that it fails
// with exactly these messages, one finding each, or passes when want is
// empty.
func assertFails(t *testing.T, opts []albtest.Expectation, want ...string) {
	t.Helper()
	req := albtest.NewRequest(t, "GET", "/orders/42")
	var ok bool
	r := record(t, func(tb testing.TB) { ok = albtest.AssertResponse(tb, req, goodResponse(), opts...) })
	if len(want) == 0 {
		assert.True(t, ok)
		assert.False(t, r.Failed(), "%v", r.errors)
		return
	}
	assert.False(t, ok)
	require.Len(t, r.errors, 1, "one failure message for all the problems")
	for _, w := range want {
		assert.Contains(t, r.errors[0], w)
	}
	assert.Len(t, expectLine.FindAllString(r.errors[0], -1), len(want), "one finding per failing expectation:\n%s", r.errors[0])
}

// Every expectation given is checked and reported: each on its own, each
// among all the others, and each beside another of its own kind (which
// used to overwrite it).
func TestEveryExpectationIsChecked(t *testing.T) {
	t.Setenv("ALBTEST_UPDATE", "") // the golden files here are inputs
	kinds := expectKinds(t)
	var allPass, allFail []albtest.Expectation
	var allWant []string
	for _, k := range kinds {
		allPass = append(allPass, k.pass)
		allFail = append(allFail, k.fail)
		allWant = append(allWant, k.want)
	}
	for _, k := range kinds {
		t.Run(k.name+"/alone", func(t *testing.T) {
			assertFails(t, []albtest.Expectation{k.pass})
			assertFails(t, []albtest.Expectation{k.fail}, k.want)
		})
		t.Run(k.name+"/twice", func(t *testing.T) {
			assertFails(t, []albtest.Expectation{k.pass, k.pass})
			assertFails(t, []albtest.Expectation{k.pass, k.fail}, k.want)
			assertFails(t, []albtest.Expectation{k.fail, k.pass}, k.want)
		})
	}
	t.Run("all pass", func(t *testing.T) { assertFails(t, allPass) })
	for i, k := range kinds {
		t.Run(k.name+"/among the others", func(t *testing.T) {
			opts := append([]albtest.Expectation(nil), allPass...)
			opts[i] = k.fail
			assertFails(t, opts, k.want)
		})
	}
	t.Run("all fail", func(t *testing.T) { assertFails(t, allFail, allWant...) })
	t.Run("JSONEq and BodyContains", func(t *testing.T) {
		assertFails(t, []albtest.Expectation{albtest.JSONEq(`{"id": 1}`), albtest.BodyContains("nope")},
			"the JSON body does not equal", `does not contain "nope"`)
	})
}

// An option that cannot be checked fails with what is wrong with it,
// instead of a mismatch that blames the response, or a panic.
func TestBrokenExpectations(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  albtest.Expectation
		want string
	}{
		{"bad header pattern", albtest.HeaderMatches("Content-Type", "(json"), `EXPECT-HEADER headers/Content-Type: albtest.HeaderMatches("Content-Type", "(json"): error parsing regexp`},
		{"bad body pattern", albtest.BodyMatches("[a-"), `EXPECT-BODY body: albtest.BodyMatches("[a-"): error parsing regexp`},
		{"no status", albtest.Status(), "EXPECT-STATUS status: albtest.Status() names no status code"},
		{"bad class", albtest.StatusClass("2x"), `EXPECT-STATUS status: albtest.StatusClass("2x"): want a class from 1xx to 5xx`},
		{"no golden file", albtest.Golden(""), `EXPECT-BODY body: albtest.Golden("") names no file`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertFails(t, []albtest.Expectation{albtest.Status(200), tc.opt}, tc.want)
		})
	}
	t.Run("nil", func(t *testing.T) {
		req := albtest.NewRequest(t, "GET", "/")
		r := record(t, func(tb testing.TB) {
			assert.False(t, albtest.AssertResponse(tb, req, goodResponse(), albtest.Status(200), nil))
		})
		assert.Equal(t, []string{"albtest: expectation 2 of 2 is nil"}, r.errors)
	})
}
