package vip

import (
	"testing"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestSum_MatchesDecimal checks the exact accumulator against decimal arithmetic on
// amounts with mixed exponents, large and tiny, so that both the int64 fast path and
// the overflow path are exercised.
func TestSum_MatchesDecimal(t *testing.T) {
	// The case that lost a value: a tiny amount first forces a small exponent, then
	// whole amounts overflow when rescaled to it.
	var s sum
	s.add(decimal.New(1, -15))
	s.add(decimal.NewFromInt(5000))
	s.add(decimal.NewFromInt(5000))
	if want := decimal.RequireFromString("10000.000000000000001"); !s.decimal().Equal(want) {
		t.Errorf("sum = %s, want %s", s.decimal(), want)
	}
	rapid.Check(t, func(t *rapid.T) {
		var s, o sum
		want := decimal.Zero
		for i := 0; i < rapid.IntRange(0, 30).Draw(t, "n"); i++ {
			d := decimal.New(rapid.Int64().Draw(t, "coef"), int32(rapid.IntRange(-20, 6).Draw(t, "exp")))
			n := rapid.Int64Range(-1000, 1000).Draw(t, "qty")
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				s.add(d)
				want = want.Add(d)
			case 1:
				s.sub(d)
				want = want.Sub(d)
			case 2:
				s.addProduct(d, n)
				want = want.Add(d.Mul(decimal.NewFromInt(n)))
			case 3:
				o.add(d)
				s.addSum(o)
				want = want.Add(o.decimal())
			}
			if got := s.decimal(); !got.Equal(want) {
				t.Fatalf("step %d: sum %s, want %s", i, got, want)
			}
			if c := s.cmp(o); c != s.decimal().Cmp(o.decimal()) {
				t.Fatalf("cmp(%s, %s) = %d", s.decimal(), o.decimal(), c)
			}
			if c := s.cmpDec(d); c != s.decimal().Cmp(d) {
				t.Fatalf("cmpDec(%s, %s) = %d", s.decimal(), d, c)
			}
		}
	})
}
