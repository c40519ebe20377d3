package vip

import (
	"math"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genSum draws an exact sum of a few decimals with mixed exponents, large coefficients
// included, so that both the int64 fast path and the decimal path are exercised.
func genSum(t *rapid.T, label string) (sum, decimal.Decimal) {
	var s sum
	want := decimal.Zero
	for i := 0; i < rapid.IntRange(0, 3).Draw(t, label+"N"); i++ {
		c := rapid.OneOf(rapid.Int64Range(-1e6, 1e6), rapid.Int64()).Draw(t, label+"Coef")
		d := decimal.New(c, int32(rapid.IntRange(-8, 3).Draw(t, label+"Exp")))
		s.add(d)
		want = want.Add(d)
	}
	return s, want
}

func genDecimal(t *rapid.T, label string) decimal.Decimal {
	c := rapid.OneOf(rapid.Int64Range(-1e6, 1e6), rapid.Int64()).Draw(t, label+"Coef")
	return decimal.New(c, int32(rapid.IntRange(-8, 3).Draw(t, label+"Exp")))
}

// TestSum_ShareGapProduct checks the allocation-free figures of proximity events against
// decimal arithmetic: share (DivRound to four places), gap (clamped difference) and the
// comparison with a product.
func TestSum_ShareGapProduct(t *testing.T) {
	// Worked by hand: 1234.5 / 2000 = 0.61725, half away from zero gives 0.6173;
	// -1 / 3 = -0.33333 gives -0.3333; 2 / 3 = 0.66667 gives 0.6667; 1 / 20000 =
	// 0.00005 gives 0.0001.
	for _, tc := range []struct {
		v, d string
		want int64
	}{{"1234.5", "2000", 6173}, {"-1", "3", -3333}, {"2", "3", 6667}, {"1", "20000", 1}, {"0", "7", 0}, {"5", "-2", -25000}} {
		var s sum
		s.add(decimal.RequireFromString(tc.v))
		if q, ok := s.shareOf(decimal.RequireFromString(tc.d), 4); !ok || q != tc.want {
			t.Errorf("shareOf(%s / %s) = %d, %v, want %d", tc.v, tc.d, q, ok, tc.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s, v := genSum(t, "s")
		d := genDecimal(t, "d")
		e := genDecimal(t, "e")
		if !d.IsZero() {
			if q, ok := s.shareOf(d, 4); ok {
				if want := v.DivRound(d, 4); !decimal.New(q, -4).Equal(want) {
					t.Fatalf("shareOf(%s / %s) = %s, want %s", v, d, decimal.New(q, -4), want)
				}
			}
		}
		g := s.gapTo(d)
		want := d.Sub(v)
		if want.IsNegative() {
			want = decimal.Zero
		}
		if got := g.decimal(); !got.Equal(want) {
			t.Fatalf("gapTo(%s - %s) = %s, want %s", d, v, got, want)
		}
		if c, want := s.cmpProduct(d, e), v.Cmp(d.Mul(e)); c != want {
			t.Fatalf("cmpProduct(%s, %s x %s) = %d, want %d", v, d, e, c, want)
		}
	})
}

// TestFacts_UpperLower checks the searches on instant keys against searches on the
// times themselves, at instants inside and far outside the years activity may use.
func TestFacts_UpperLower(t *testing.T) {
	base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		const span = 300 * 365 * 24 * 3600 // seconds
		at := func(sec int64) time.Time { return time.Unix(base.Unix()+sec, 0).UTC() }
		n := rapid.IntRange(0, 20).Draw(t, "n")
		f := &facts{}
		for range n {
			// Few distinct instants, so that equal instants occur.
			p := at(rapid.OneOf(rapid.Int64Range(0, 3), rapid.Int64Range(0, span)).Draw(t, "placed"))
			f.orders = append(f.orders, ordFact{placed: p})
		}
		slices.SortFunc(f.orders, func(x, y ordFact) int { return x.placed.Compare(y.placed) })
		for _, o := range f.orders {
			f.at = append(f.at, instKey(o.placed))
		}
		probes := []time.Time{{}, endOfTime, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}
		probes = append(probes, at(rapid.Int64Range(-1, span+1).Draw(t, "probe")))
		for _, o := range f.orders {
			probes = append(probes, o.placed, o.placed.Add(time.Nanosecond), o.placed.Add(-time.Nanosecond))
		}
		for _, p := range probes {
			up := sort.Search(len(f.orders), func(i int) bool { return f.orders[i].placed.After(p) })
			lo := sort.Search(len(f.orders), func(i int) bool { return !f.orders[i].placed.Before(p) })
			if got := f.upper(p); got != up {
				t.Fatalf("upper(%s) = %d, want %d", p, got, up)
			}
			if got := f.lower(p); got != lo {
				t.Fatalf("lower(%s) = %d, want %d", p, got, lo)
			}
		}
	})
}

// TestSearchAfter_Counts checks the searches against their definitions, counted one by
// one: searchAfter and searchAfterLast count the keys at most x, searchInts the elements
// below x, on sorted slices with repeats, of any length from empty, with x anywhere
// (below, between, on, above the elements, and the int64 extremes).
func TestSearchAfter_Counts(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.SliceOfN(rapid.Int64Range(-5, 40), 0, 70).Draw(t, "a")
		slices.Sort(a)
		if rapid.Bool().Draw(t, "extremes") {
			a = append(append([]int64{math.MinInt64}, a...), math.MaxInt64)
		}
		x := rapid.OneOf(rapid.Int64Range(-7, 42), rapid.SampledFrom([]int64{math.MinInt64, math.MaxInt64})).Draw(t, "x")
		atMost := 0
		for _, v := range a {
			if v <= x {
				atMost++
			}
		}
		if got := searchAfter(a, x); got != atMost {
			t.Fatalf("searchAfter(%v, %d) = %d, want %d", a, x, got, atMost)
		}
		if got := searchAfterLast(a, x); got != atMost {
			t.Fatalf("searchAfterLast(%v, %d) = %d, want %d", a, x, got, atMost)
		}
		ints := make([]int, len(a))
		below := 0
		for i, v := range a {
			ints[i] = int(v)
			if v < x {
				below++
			}
		}
		if got := searchInts(ints, int(x)); got != below {
			t.Fatalf("searchInts(%v, %d) = %d, want %d", ints, x, got, below)
		}
	})
}
