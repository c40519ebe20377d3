package vip

import (
	"math"
	"slices"
	"testing"
	"time"

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

func TestRfmIDChunk(t *testing.T) {
	// Ascending in byte order; the chunks at offsets 0 and 8, compared in turn, must not
	// disagree with it.
	ids := []string{"", "a", "ab", "ab\x00", "abcdefgh", "abcdefgh\x01", "abcdefghi", "abcdefghz", "abcdefgz", "b", "\xff"}
	for i := 1; i < len(ids); i++ {
		a, b := ids[i-1], ids[i]
		a0, b0, a8, b8 := rfmIDChunk(a, 0), rfmIDChunk(b, 0), rfmIDChunk(a, 8), rfmIDChunk(b, 8)
		if a0 > b0 || a0 == b0 && a8 > b8 {
			t.Errorf("chunks of %q (%x %x) above those of %q (%x %x)", a, a0, a8, b, b0, b8)
		}
	}
	if got, want := rfmIDChunk("customer-00042", 8), uint64(0x2d30303034320000); got != want {
		t.Errorf("rfmIDChunk(customer-00042, 8) = %x, want %x", got, want)
	}
}

// TestRfmBuckets checks that the first pass's buckets keep the order of the values, and
// that the integer window has a bucket per value.
func TestRfmBuckets(t *testing.T) {
	for _, tc := range []struct {
		v    int64
		want uint16
	}{
		{0, 32768}, {-1, 32767}, {16383, 49151}, {-16384, 16384}, {16384, 49152}, {-16385, 16383},
		{math.MaxInt64, 49152 + 48<<8 + 255}, {math.MinInt64, 16383 - (48<<8 + 255)},
	} {
		if got := rfmIntBucket(tc.v); got != tc.want {
			t.Errorf("rfmIntBucket(%d) = %d, want %d", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    float64
		want uint16
	}{
		// 1 = 2^0: exponent 14 of the window, mantissa 0; 1.5 sets the top mantissa bit.
		{0, 32768}, {math.Copysign(0, -1), 32768}, {1, 32768 + 2 + 14*512}, {1.5, 32768 + 2 + 14*512 + 256},
		{-1, 32768 - 2 - 14*512}, {0x1p-15, 32769}, {math.Inf(1), 32768 + 2 + 62*512}, {0x1p-14, 32770},
	} {
		if got := rfmFloatBucket(tc.f); got != tc.want {
			t.Errorf("rfmFloatBucket(%v) = %d, want %d", tc.f, got, tc.want)
		}
	}
	// Every bucket boundary, the values on either side of it, and the whole exact window,
	// in ascending order: the buckets must not decrease.
	var ints []int64
	for v := int64(-rfmExact - 300); v < rfmExact+300; v++ {
		ints = append(ints, v)
	}
	var floats []float64
	for l := 14; l <= 62; l++ {
		for j := int64(0); j < 512; j++ {
			c := int64(1)<<l + j<<(l-9)
			for _, v := range []int64{c - 1, c, c + 1} {
				ints = append(ints, v, -v, ^v)
			}
		}
	}
	for e := -16; e <= 50; e++ {
		for j := 0; j < 512; j++ {
			c := math.Ldexp(1+float64(j)/512, e)
			for _, v := range []float64{math.Nextafter(c, 0), c, math.Nextafter(c, math.Inf(1))} {
				floats = append(floats, v, -v)
			}
		}
	}
	ints = append(ints, math.MinInt64, math.MaxInt64)
	floats = append(floats, 0, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, -math.MaxFloat64)
	slices.Sort(ints)
	slices.Sort(floats)
	for i := 1; i < len(ints); i++ {
		a, b := ints[i-1], ints[i]
		ba, bb := rfmIntBucket(a), rfmIntBucket(b)
		if ba > bb || a != b && ba == bb && a >= -rfmExact && b < rfmExact {
			t.Fatalf("rfmIntBucket(%d) = %d, rfmIntBucket(%d) = %d", a, ba, b, bb)
		}
	}
	for i := 1; i < len(floats); i++ {
		if a, b := floats[i-1], floats[i]; rfmFloatBucket(a) > rfmFloatBucket(b) {
			t.Fatalf("rfmFloatBucket(%v) = %d, rfmFloatBucket(%v) = %d", a, rfmFloatBucket(a), b, rfmFloatBucket(b))
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := rapid.Int64().Draw(t, "a"), rapid.Int64().Draw(t, "b")
		if rapid.Bool().Draw(t, "small") {
			a, b = a%40000, b%40000
		}
		if a > b {
			a, b = b, a
		}
		if ba, bb := rfmIntBucket(a), rfmIntBucket(b); ba > bb || a != b && ba == bb && a >= -rfmExact && b < rfmExact {
			t.Fatalf("int buckets %d, %d for %d <= %d", ba, bb, a, b)
		}
		x, y := rapid.Float64().Draw(t, "x"), rapid.Float64().Draw(t, "y")
		if rapid.Bool().Draw(t, "near") { // amounts a few cents apart
			c := rapid.Int64Range(-1e9, 1e9).Draw(t, "cents")
			x, y = float64(c)/100, float64(c+rapid.Int64Range(0, 20).Draw(t, "d"))/100
		}
		if x > y {
			x, y = y, x
		}
		if bx, by := rfmFloatBucket(x), rfmFloatBucket(y); bx > by {
			t.Fatalf("float buckets %d, %d for %v <= %v", bx, by, x, y)
		}
	})
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

// TestRfmIntervals checks the int64-keyed intervals against rfmIntervalsSlow, the
// time.Time sort and Sub they replace, on times that tie, carry nanoseconds, zones and
// monotonic clock readings, and lie beyond the keyed years (which take the slow path).
func TestRfmIntervals(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("A", 5*3600+1800), time.FixedZone("B", -7*3600)}
	now := time.Now() // with a monotonic reading
	rapid.Check(t, func(t *rapid.T) {
		span := rapid.SampledFrom([]int64{3, 86400, 400 * 86400, rfmKeySecs, 3 * rfmKeySecs}).Draw(t, "span")
		base := rapid.Int64Range(-rfmKeySecs, rfmKeySecs).Draw(t, "base")
		mono := rapid.IntRange(0, 3).Draw(t, "mono") == 0
		n := rapid.IntRange(0, 60).Draw(t, "n")
		times := make([]time.Time, n)
		for i := range times {
			if mono {
				times[i] = now.Add(time.Duration(rapid.Int64Range(-1e15, 1e15).Draw(t, "d")))
				continue
			}
			sec := base + rapid.Int64Range(-span, span).Draw(t, "sec")
			ns := rapid.SampledFrom([]int64{0, 1, 999_999_999, 500_000_000}).Draw(t, "ns")
			times[i] = time.Unix(sec, ns).In(zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")])
		}
		want := slices.Clone(times)
		wm, wd := rfmIntervalsSlow(want)
		gm, gd := rfmIntervals(slices.Clone(times))
		if gm != wm || gd != wd {
			t.Fatalf("rfmIntervals = mean %v, median %v; sorting the times gives %v, %v", gm, gd, wm, wd)
		}
	})
	// Hand-worked: gaps of 1, 2 and 4 days (in any order), mean 7/3, median 2.
	d := func(day int) time.Time { return time.Date(2026, 3, day, 12, 0, 0, 0, time.UTC) }
	if m, md := rfmIntervals([]time.Time{d(8), d(1), d(4), d(2)}); m != 7.0/3 || md != 2 {
		t.Errorf("rfmIntervals(Mar 8, 1, 4, 2) = %v, %v, want 7/3, 2", m, md)
	}
}
