package albroute

import (
	"testing"

	"github.com/albcheck/albcheck/infra"
)

func TestGlob(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		pattern string
		syn     globSyntax
		in      string
		want    bool
	}{
		{"exact", "/a/b", pathSyntax, "/a/b", true},
		{"exact is whole", "/a/b", pathSyntax, "/a/bc", false},
		{"case-sensitive", "/Img/*", pathSyntax, "/img/x", false},
		{"star matches none", "/img/*", pathSyntax, "/img/", true},
		{"star needs prefix", "/img/*", pathSyntax, "/img", false},
		{"star spans slashes", "/img/*", pathSyntax, "/img/a/b/c.png", true},
		{"question is one", "/a?c", pathSyntax, "/abc", true},
		{"question is not none", "/a?c", pathSyntax, "/ac", false},
		{"question is not two", "/a?c", pathSyntax, "/abbc", false},
		{"middle segments in order", "*a*b*c*", pathSyntax, "xxaxxbxxc", true},
		{"middle segments out of order", "*a*c*b", pathSyntax, "acb-ca", false},
		{"prefix and suffix do not overlap", "ab*ba", pathSyntax, "aba", false},
		{"suffix with question", "*.?s", pathSyntax, "/app.js", true},
		{"empty pattern", "", pathSyntax, "", true},
		{"empty pattern, text", "", pathSyntax, "x", false},
		{"fold", "*.EXAMPLE.com", hostSyntax, "api.example.COM", true},
		{"fold question", "?PI.example.com", hostSyntax, "api.EXAMPLE.com", true},
		{"fold no match", "*.example.com", hostSyntax, "example.com", false},
		{"escaped star is literal", `a\*b`, querySyntax, "a*b", true},
		{"escaped star is not a wildcard", `a\*b`, querySyntax, "axb", false},
		{"escaped question is literal", `a\?`, querySyntax, "a?", true},
		{"escaped question is not a wildcard", `a\?`, querySyntax, "ab", false},
		{"escaped backslash", `a\\b`, querySyntax, `a\b`, true},
		{"escape in path is literal", `a\*b`, pathSyntax, `a\xb`, true},
		{"decoded escape in query", "a%20b", querySyntax, "a b", true},
		{"decoded escape is a literal star", "%2A", querySyntax, "x", false},
		{"decoded escape lower hex", "%c3%a9", querySyntax, "\xc3\xa9", true},
		{"bad escape stays", "%zz", querySyntax, "%zz", true},
		{"path escape not decoded", "/a%20b", pathSyntax, "/a b", false},
		{"path escape raw", "/a%20b", pathSyntax, "/a%20b", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := compileGlob(tc.pattern, tc.syn)
			if got := g.match(tc.in); got != tc.want {
				t.Errorf("glob %q (%+v) match %q = %v, want %v", tc.pattern, tc.syn, tc.in, got, tc.want)
			}
		})
	}
}

func TestPercentDecode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain":     "plain",
		"a%20b":     "a b",
		"a+b":       "a+b", // RFC 3986: '+' is not a space
		"%":         "%",
		"%4":        "%4",
		"%4g":       "%4g",
		"%41%42":    "AB",
		"100%25":    "100%",
		"%E2%82%AC": "€",
	} {
		if got := percentDecode(in); got != want {
			t.Errorf("percentDecode(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzGlobAgreesWithMatchPath keeps the compiled path matcher and
// infra.MatchPath, which the INFRA rules use, one behaviour.
func FuzzGlobAgreesWithMatchPath(f *testing.F) {
	for _, s := range [][2]string{{"/img/*", "/img/a"}, {"*a*b", "xaab"}, {"/a?c*", "/abc"}, {"**", ""}, {"?*?", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		g := compileGlob(pattern, pathSyntax)
		if got, want := g.match(path), infra.MatchPath(pattern, path); got != want {
			t.Errorf("glob %q match %q = %v, infra.MatchPath says %v", pattern, path, got, want)
		}
	})
}
