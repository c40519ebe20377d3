package vip

import (
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestRfmDecFloat checks the fast conversion against decimal's own correctly rounded one,
// and that the order keys keep the order of the amounts.
func TestRfmDecFloat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := decimal.New(rapid.Int64().Draw(t, "a"), int32(rapid.IntRange(-30, 5).Draw(t, "ea")))
		b := decimal.New(rapid.Int64Range(-1e16, 1e16).Draw(t, "b"), int32(rapid.IntRange(-25, 3).Draw(t, "eb")))
		for _, d := range []decimal.Decimal{a, b} {
			if got, want := rfmDecFloat(d), d.InexactFloat64(); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("rfmDecFloat(%s) = %v, InexactFloat64 gives %v", d, got, want)
			}
		}
		ka, kb := rfmFloatKey(rfmDecFloat(a)), rfmFloatKey(rfmDecFloat(b))
		if c := a.Cmp(b); c < 0 && ka > kb || c > 0 && ka < kb || c == 0 && ka != kb {
			t.Fatalf("keys %x, %x do not order %s, %s", ka, kb, a, b)
		}
	})
}

func TestRfmIDKey(t *testing.T) {
	ids := []string{"", "a", "ab", "ab\x00", "abcdefgh", "abcdefghi", "b", "\xff"}
	for i := 1; i < len(ids); i++ {
		if rfmIDKey(ids[i-1]) > rfmIDKey(ids[i]) {
			t.Errorf("rfmIDKey(%q) > rfmIDKey(%q)", ids[i-1], ids[i])
		}
	}
}

// TestRfmSum checks the exact accumulator against decimal arithmetic, including the
// overflow of its int64 fast path after mixing exponents.
func TestRfmSum(t *testing.T) {
	var s sum
	s.add(decimal.New(1, -15))
	s.add(decimal.NewFromInt(5000))
	s.add(decimal.NewFromInt(5000))
	if want := decimal.RequireFromString("10000.000000000000001"); !s.decimal().Equal(want) {
		t.Errorf("1e-15 + 5000 + 5000 = %s, want %s", s.decimal(), want)
	}
	rapid.Check(t, func(t *rapid.T) {
		var s sum
		want := decimal.Zero
		for i, n := 0, rapid.IntRange(0, 30).Draw(t, "n"); i < n; i++ {
			x := decimal.New(rapid.Int64().Draw(t, "c"), int32(rapid.IntRange(-20, 4).Draw(t, "e")))
			q := rapid.Int64Range(-1000, 1000).Draw(t, "q")
			switch rapid.IntRange(0, 2).Draw(t, "how") {
			case 0:
				s.addProduct(x, q)
			case 1:
				s.addAmount(newAmount(x, q))
			default:
				s.addAmount(newAmount(x, -q).neg())
			}
			want = want.Add(x.Mul(decimal.NewFromInt(q)))
		}
		if !s.decimal().Equal(want) {
			t.Fatalf("sum %s, decimal gives %s", s.decimal(), want)
		}
	})
}
