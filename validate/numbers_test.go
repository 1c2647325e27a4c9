package validate

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStandInKeepsSignIntegernessAndOrder(t *testing.T) {
	cases := []string{
		strings.Repeat("9", 100), "-" + strings.Repeat("9", 100),
		"200." + strings.Repeat("0", 100), "200." + strings.Repeat("0", 100) + "1",
		"599." + strings.Repeat("0", 100) + "1", "99." + strings.Repeat("9", 100),
		"0." + strings.Repeat("0", 100) + "1", "-0." + strings.Repeat("0", 100) + "1",
		strings.Repeat("0", 100), "1e1000", "1e-1000", "2.5e1000", "12345" + strings.Repeat("0", 80) + "e-80", "12345" + strings.Repeat("0", 80) + "e-83",
		"1" + strings.Repeat("0", 80) + "e-78", "15" + strings.Repeat("0", 80) + "e-81",
	}
	for _, c := range cases {
		n := json.Number(c)
		if !absurdNumber(n) {
			t.Fatalf("%s is not absurd", c)
		}
		s := standIn(n)
		require := func(cond bool, what string) {
			if !cond {
				t.Errorf("%.30s… → %s: %s", c, s, what)
			}
		}
		orig, ok1 := new(big.Rat).SetString(c)
		got, ok2 := new(big.Rat).SetString(string(s))
		if !ok1 || !ok2 {
			t.Fatalf("cannot parse %q or %q", c, s)
		}
		require(len(s) < 30, "too long")
		require(orig.Sign() == got.Sign(), "sign")
		require(orig.IsInt() == got.IsInt(), "integer-ness")
		for _, bound := range []int64{0, 1, 100, 599, 65535, 1 << 40} {
			b := new(big.Rat).SetInt64(bound)
			require(orig.Cmp(b) == got.Cmp(b), "order against "+b.String())
		}
	}
}

func TestTameNumbersCopiesOnlyWhatItChanges(t *testing.T) {
	big := json.Number(strings.Repeat("9", 100))
	inner := map[string]any{"a": big, "b": "x"}
	v := map[string]any{"statusCode": big, "headers": inner, "list": []any{json.Number("1"), big}, "same": map[string]any{"k": json.Number("5")}}
	got, changed := tameNumbers(v)
	assert.True(t, changed)
	assert.Equal(t, big, v["statusCode"], "the original is not modified")
	assert.Equal(t, big, inner["a"])
	g := got.(map[string]any)
	assert.Equal(t, json.Number("100000000000000000000"), g["statusCode"])
	assert.Equal(t, json.Number("100000000000000000000"), g["headers"].(map[string]any)["a"])
	assert.Equal(t, []any{json.Number("1"), json.Number("100000000000000000000")}, g["list"])
	_, unchanged := tameNumbers(map[string]any{"statusCode": json.Number("200")})
	assert.False(t, unchanged)
}
