package vip

import (
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip/internal/proptest"
)

// drawInstant draws an instant: mostly in the years activity may use, near month ends,
// leap days and midnight, sometimes far outside them (beyond the fast paths' range).
func drawInstant(t *rapid.T, label string) time.Time {
	switch rapid.IntRange(0, 3).Draw(t, label+"-kind") {
	case 0: // anywhere, nanoseconds included, far past and future too
		return time.Unix(rapid.Int64Range(-200_000_000_000, 200_000_000_000).Draw(t, label+"-s"),
			rapid.Int64Range(0, 999_999_999).Draw(t, label+"-ns")).UTC()
	case 1: // a month end or start, at a random clock time
		y := rapid.IntRange(1890, 2210).Draw(t, label+"-y")
		m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"-m"))
		d := []int{1, 28, 29, 30, 31}[rapid.IntRange(0, 4).Draw(t, label+"-d")]
		return time.Date(y, m, d, rapid.IntRange(0, 23).Draw(t, label+"-h"), rapid.IntRange(0, 59).Draw(t, label+"-min"),
			rapid.IntRange(0, 59).Draw(t, label+"-sec"), rapid.IntRange(0, 2).Draw(t, label+"-ns"), time.UTC)
	case 2: // a whole second in the years 1900-2200
		return time.Unix(rapid.Int64Range(-2_208_988_800, 7_258_118_400).Draw(t, label+"-s"), 0).UTC()
	}
	// Around the edges of the fast path's range.
	s := int64(maxFastSec) * int64(1-2*rapid.IntRange(0, 1).Draw(t, label+"-sign"))
	return time.Unix(s+rapid.Int64Range(-100_000, 100_000).Draw(t, label+"-off"), 0).UTC()
}

// TestAddMonths_UTCFastPath checks the integer calendar of the UTC fast paths against
// the time package's (addMonthsZone, AddDate) on random instants and shifts, in and out
// of the fast range: the same instant, in UTC, to the nanosecond.
func TestAddMonths_UTCFastPath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := drawInstant(t, "t")
		if rapid.Bool().Draw(t, "local-input") {
			// The input's own zone must not matter.
			at = at.In(time.FixedZone("x", rapid.IntRange(-14*3600, 14*3600).Draw(t, "offset")))
		}
		n := rapid.OneOf(rapid.IntRange(-30, 30), rapid.IntRange(-20_000, 20_000)).Draw(t, "months")
		got, want := AddMonths(at, n, time.UTC), addMonthsZone(at, n, time.UTC)
		if !got.Equal(want) || got.Location() != time.UTC || got != want {
			t.Fatalf("AddMonths(%s, %d, UTC) = %s, want %s", at.Format(time.RFC3339Nano), n, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		if rapid.Bool().Draw(t, "last-nanosecond") {
			at = at.Truncate(time.Second).Add(time.Second - time.Nanosecond) // rollingFrom carries into the second
		}
		if got, want := rollingFrom(at, n, time.UTC), addMonthsZone(at, -n, time.UTC).Add(time.Nanosecond); got != want {
			t.Fatalf("rollingFrom(%s, %d, UTC) = %s, want %s", at.Format(time.RFC3339Nano), n, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		d := rapid.OneOf(rapid.IntRange(-400, 400), rapid.IntRange(-200_000, 200_000)).Draw(t, "days")
		got, want = addDays(at, d, time.UTC), at.In(time.UTC).AddDate(0, 0, d)
		if got != want {
			t.Fatalf("addDays(%s, %d, UTC) = %s, want %s", at.Format(time.RFC3339Nano), d, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		z := rapid.Int64Range(-5_000_000, 5_000_000).Draw(t, "day")
		y, m, dd := civilFromDays(z)
		if back := daysFromCivil(y, time.Month(m), dd); back != z {
			t.Fatalf("daysFromCivil(civilFromDays(%d)) = %d", z, back)
		}
		if ty, tm, td := time.Unix(z*86400, 0).UTC().Date(); ty != y || tm != time.Month(m) || td != dd {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", z, y, m, dd, time.Unix(z*86400, 0).UTC().Format(time.DateOnly))
		}
	})
}

// TestFacts_SpendOrdersRefundView checks spendOrders, which takes the orders' spend from
// running sums (compact int64 ones at a common exponent when they fit, exact sums
// otherwise) and refunds from a cached per-order view with prefix sums, against a naive
// pass: each order in the window
// counted at its spend less what its refunds up to the cut took off, capped at the
// spend. Amounts have mixed exponents and int64-overflowing coefficients; orders get
// several partial refunds, refunds in full and beyond; windows and cuts are drawn in
// random order so that the view is rebuilt and reused across cuts.
func TestFacts_SpendOrdersRefundView(t *testing.T) {
	l := &Ladder{Name: "l", Currency: "USD", Tiers: []Tier{{Name: "S", Qualify: decimal.NewFromInt(100)}}}
	base := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		at := func(label string) time.Time {
			return base.Add(time.Duration(rapid.IntRange(0, 40).Draw(t, label)) * 24 * time.Hour)
		}
		a := &Activity{Customer: Customer{ID: "c"}}
		for i := range rapid.IntRange(0, 12).Draw(t, "orders") {
			amt := genDecimal(t, "amount").Abs()
			a.Orders = append(a.Orders, Order{ID: string(rune('a' + i)), CustomerID: "c", PlacedAt: at("placed"), Currency: "USD",
				Lines: []Line{{SKU: "s", Quantity: int64(rapid.IntRange(0, 3).Draw(t, "qty")), ListPrice: amt, PaidPrice: amt}}})
		}
		if len(a.Orders) > 0 {
			for i := range rapid.IntRange(0, 10).Draw(t, "refunds") {
				o := &a.Orders[rapid.IntRange(0, len(a.Orders)-1).Draw(t, "of")]
				amt := o.Lines[0].PaidPrice.Mul(decimal.NewFromInt(o.Lines[0].Quantity))
				switch rapid.IntRange(0, 2).Draw(t, "size") {
				case 0: // a part, at another exponent
					amt = amt.DivRound(decimal.NewFromInt(int64(rapid.IntRange(2, 7).Draw(t, "div"))), int32(rapid.IntRange(0, 6).Draw(t, "places")))
				case 2: // beyond the order (two refunds in full): the cap applies
					amt = amt.Add(genDecimal(t, "extra").Abs())
				}
				a.Refunds = append(a.Refunds, Refund{ID: "r" + string(rune('a'+i)), OrderID: o.ID, CustomerID: "c", At: at("refunded"), Currency: "USD", Amount: amt})
			}
		}
		f := prepare(nil, l, a, time.UTC)
		for range rapid.IntRange(1, 8).Draw(t, "windows") {
			from, to, cut := at("from"), at("to"), at("cut")
			w := window{from: from, to: to, cut: cut}
			lo, hi := f.span(&w)
			wantS, wantN := decimal.Zero, int64(0)
			for i := lo; i < hi; i++ {
				o := &f.orders[i]
				spend := o.spend.decimal()
				refunded, any := decimal.Zero, false
				for _, r := range f.refunds {
					if r.ord == i && !r.at.After(cut) {
						refunded, any = refunded.Add(r.amount.decimal()), true
					}
				}
				if refunded.GreaterThan(spend) {
					refunded = spend
				}
				wantS = wantS.Add(spend.Sub(refunded))
				if o.counts && !(any && !refunded.LessThan(spend)) {
					wantN++
				}
			}
			gotS, gotN := f.spendOrders(&w)
			if !gotS.decimal().Equal(wantS) || gotN != wantN {
				t.Fatalf("spendOrders(from %s, to %s, cut %s) = %s, %d, want %s, %d", from, to, cut, gotS.decimal(), gotN, wantS, wantN)
			}
			if s, n := f.spendOrdersSlow(&w); !s.decimal().Equal(wantS) || n != wantN {
				t.Fatalf("spendOrdersSlow(from %s, to %s, cut %s) = %s, %d, want %s, %d", from, to, cut, s.decimal(), n, wantS, wantN)
			}
		}
	})
}

// TestMachine_SimpleRules checks holds, holdsRange and nearAny on a ladder of simple
// tiers, which compare against thresholds prepared during the evaluation, against the
// same comparisons on the decimals themselves (holdsSlow on the tier's rule,
// nearAnySlow), for thresholds, keeps, gaps and shares with mixed exponents and
// coefficients beyond int64, and sums past the int64 fast path.
func TestMachine_SimpleRules(t *testing.T) {
	big := decimal.RequireFromString("123456789012345678901234.5")
	genThreshold := func(t *rapid.T, label string) decimal.Decimal {
		d := genDecimal(t, label)
		if rapid.IntRange(0, 5).Draw(t, label+"Big") == 0 {
			d = d.Add(big)
		}
		return d
	}
	rapid.Check(t, func(t *rapid.T) {
		l := &Ladder{Name: "l", Currency: "USD", Measure: []Measure{MeasureNetSpend, MeasureOrders}[rapid.IntRange(0, 1).Draw(t, "measure")]}
		for i := range rapid.IntRange(1, maxSimple).Draw(t, "tiers") {
			tier := Tier{Name: string(rune('A' + i)), Qualify: genThreshold(t, "qualify")}
			if rapid.Bool().Draw(t, "keep") {
				k := genThreshold(t, "keep")
				tier.Keep = &k
			}
			l.Tiers = append(l.Tiers, tier)
		}
		for range rapid.IntRange(0, maxNear+1).Draw(t, "near") {
			l.Near.Rules = append(l.Near.Rules, Proximity{Gap: genThreshold(t, "gap"), Share: genThreshold(t, "share")})
		}
		n := len(l.Tiers)
		entry, retain := make([]Rule, n), make([]Rule, n)
		for i := range l.Tiers {
			entry[i], retain[i] = l.Tiers[i].entryRule(l.measure()), l.Tiers[i].retainRule(l.measure())
		}
		// Orders of random amounts, some refunded, for holdsRange.
		a := &Activity{Customer: Customer{ID: "c"}}
		at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		for i := range rapid.IntRange(0, 6).Draw(t, "orders") {
			amt := genDecimal(t, "amount").Abs()
			a.Orders = append(a.Orders, Order{ID: string(rune('a' + i)), CustomerID: "c", PlacedAt: at.Add(time.Duration(i) * time.Hour), Currency: "USD",
				Lines: []Line{{SKU: "s", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
			if rapid.Bool().Draw(t, "refunded") {
				a.Refunds = append(a.Refunds, Refund{ID: "r" + string(rune('a'+i)), OrderID: a.Orders[i].ID, CustomerID: "c", At: at.Add(time.Duration(i)*time.Hour + time.Minute), Currency: "USD", Amount: amt.Div(decimal.NewFromInt(2))})
			}
		}
		m := &machine{mstate: mstate{core: core{l: l, f: prepare(nil, l, a, time.UTC), rules: newRules(l)}}}
		if !m.simple {
			t.Fatalf("ladder of simple tiers taken for composite")
		}
		for range rapid.IntRange(1, 5).Draw(t, "windows") {
			var w window
			for k := range 2 {
				w.vals[k], _ = genSum(t, "value")
				w.have[k] = true
			}
			for i := range l.Tiers {
				for _, tc := range []struct {
					kind int
					r    Rule
				}{{ruleEntry, entry[i]}, {ruleRetain, retain[i]}} {
					if got, want := m.holds(m.rule(tc.kind, i), &w), m.holdsSlow(tc.r, &w); got != want {
						t.Fatalf("tier %d kind %d: holds = %v, on decimals %v (rule %+v, spend %s, orders %s)", i, tc.kind, got, want, tc.r, w.vals[0].decimal(), w.vals[1].decimal())
					}
					lo := rapid.IntRange(0, len(a.Orders)).Draw(t, "lo")
					hi := rapid.IntRange(lo, len(a.Orders)).Draw(t, "hi")
					cut := at.Add(time.Duration(rapid.IntRange(0, 8).Draw(t, "cut")) * time.Hour)
					probe := window{cut: cut, lo: lo, hi: hi, indexed: true}
					if got, want := m.holdsRange(m.rule(tc.kind, i), lo, hi, cut), m.holdsSlow(tc.r, &probe); got != want {
						t.Fatalf("tier %d kind %d: holdsRange(%d, %d) = %v, on decimals %v", i, tc.kind, lo, hi, got, want)
					}
				}
				c := m.headline(entry[i])
				v := w.vals[measureSlot(c.Measure)]
				if len(l.Near.Rules) > 0 && rapid.IntRange(0, 2).Draw(t, "atEdge") == 0 {
					// Where a rule starts to hold, or a cent either side.
					p := l.Near.Rules[rapid.IntRange(0, len(l.Near.Rules)-1).Draw(t, "edgeRule")]
					e := c.Min.Sub(p.Gap)
					if rapid.Bool().Draw(t, "edgeShare") {
						e = c.Min.Mul(p.Share)
					}
					v = sum{}
					v.add(e.Add(decimal.New(int64(rapid.IntRange(-1, 1).Draw(t, "edgeCents")), -2)))
				}
				if got, want := m.nearAny(v, c, i), m.nearAnySlow(v, c); got != want {
					t.Fatalf("tier %d: nearAny(%s) = %v, on decimals %v (criterion %+v, rules %+v)", i, v.decimal(), got, want, c, l.Near.Rules)
				}
			}
		}
	})
}

// TestKeyTime_RollOff checks that an order's roll-off computed from its instant key
// (what the machine memoises) is the one computed from its time, for instants in the
// years 1900-2200 at any offset and in zones with DST, month ends included.
func TestKeyTime_RollOff(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("plus", 5*3600+1800), time.FixedZone("minus", -11*3600)}
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		p := drawInstant(t, "p")
		if !validInstant(p) {
			return
		}
		p = p.In(zones[rapid.IntRange(0, len(zones)-1).Draw(t, "placed-zone")])
		loc := zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
		if k := keyTime(instKey(p)); !k.Equal(p) {
			t.Fatalf("keyTime(instKey(%s)) = %s", p.Format(time.RFC3339Nano), k.Format(time.RFC3339Nano))
		}
		n := rapid.IntRange(1, 36).Draw(t, "months")
		if got, want := rollOff(keyTime(instKey(p)), n, loc), rollOff(p, n, loc); got != want {
			t.Fatalf("rollOff from key (%s, %d, %s) = %s, from the time %s", p.Format(time.RFC3339Nano), n, loc, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	})
}

// TestFacts_SpanRecut checks that a window's span, once asked, is forgotten when the
// window is recut: orders on days 1, 5 and 10 are three in the window to day 10 as
// known on day 10, and two as known on day 6.
func TestFacts_SpanRecut(t *testing.T) {
	l := &Ladder{Name: "l", Currency: "USD", Tiers: []Tier{{Name: "S", Qualify: decimal.NewFromInt(100)}}}
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	a := &Activity{Customer: Customer{ID: "c"}}
	for _, d := range []int{1, 5, 10} {
		amt := decimal.NewFromInt(10)
		a.Orders = append(a.Orders, Order{ID: fmt.Sprint("o", d), CustomerID: "c", PlacedAt: day(d), Currency: "USD",
			Lines: []Line{{SKU: "s", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
	}
	f := prepare(nil, l, a, time.UTC)
	w := window{from: day(1).Add(-time.Hour), to: day(10), cut: day(10)}
	if lo, hi := f.span(&w); lo != 0 || hi != 3 {
		t.Fatalf("span to day 10: [%d, %d), want [0, 3)", lo, hi)
	}
	r := w.recut(day(6))
	if lo, hi := f.span(&r); lo != 0 || hi != 2 {
		t.Fatalf("span recut to day 6: [%d, %d), want [0, 2)", lo, hi)
	}
}

// TestShareDecimal checks the shared share decimals against decimal.New, in value and
// in the text a mail or a JSON event shows, asked from several goroutines at once
// (under -race in CI), in range and out of it.
func TestShareDecimal(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for w := range 4 {
		wg.Go(func() {
			for q := int64(-3); q <= 10_003; q += int64(1 + w) {
				got, want := shareDecimal(q), decimal.New(q, -4)
				if !got.Equal(want) || got.String() != want.String() || got.Exponent() != want.Exponent() {
					errs <- fmt.Sprintf("shareDecimal(%d) = %s (exp %d), want %s", q, got, got.Exponent(), want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestShiftDay checks the table of month starts against the civil-date arithmetic on
// every day it covers, for shifts of up to two years either way and to the table's
// ends, and that it declines days and targets outside it.
func TestShiftDay(t *testing.T) {
	first, end := daysFromCivil(calFirstYear, time.January, 1), daysFromCivil(calFirstYear+calYears, time.January, 1)
	for z := first; z < end; z++ {
		y, m, d := civilFromDays(z)
		for _, n := range []int{-24, -13, -12, -11, -1, 0, 1, 11, 12, 13, 24} {
			got, clamped, ok := shiftDay(z, n)
			ty, tm, td := shiftMonths(y, time.Month(m), d, n)
			inside := ty >= calFirstYear && ty < calFirstYear+calYears
			if ok != inside {
				t.Fatalf("shiftDay(%d-%02d-%02d, %d): ok %v, want %v", y, m, d, n, ok, inside)
			}
			if ok && (got != daysFromCivil(ty, tm, td) || clamped != (td != d)) {
				t.Fatalf("shiftDay(%d-%02d-%02d, %d) = day %d (clamped %v), want %d-%02d-%02d", y, m, d, n, got, clamped, ty, tm, td)
			}
		}
	}
	for _, z := range []int64{first - 1, end, end + 400} {
		if _, _, ok := shiftDay(z, 0); ok {
			t.Errorf("shiftDay(%d, 0) answered outside the table [%d, %d)", z, first, end)
		}
	}
}

// TestRollOff_UTCFastPath checks rollOff's one-pass UTC arithmetic, from the instant
// and from its key as rollOffOf computes it, against rollOff through AddMonths
// (rollOffZone), on instants near month ends and leap days among others.
func TestRollOff_UTCFastPath(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawInstant(t, "p")
		n := rapid.OneOf(rapid.IntRange(1, 36), rapid.IntRange(1, 20_000)).Draw(t, "months")
		want := rollOffZone(p, n, time.UTC)
		if got := rollOff(p, n, time.UTC); got != want {
			t.Fatalf("rollOff(%s, %d, UTC) = %s, want %s", p.Format(time.RFC3339Nano), n, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
		if !validInstant(p) {
			return
		}
		s, ns := keySplit(instKey(p))
		if got, ok := rollOffUTC(s, ns, n); ok && got != want {
			t.Fatalf("rollOffUTC from the key of %s, %d = %s, want %s", p.Format(time.RFC3339Nano), n, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	})
}

// TestCrit_CmpCrit checks a sum's comparison with a prepared threshold (cmpCrit, on the
// threshold held at the sum's exponent, or aligned by cmpRaw) against decimal
// arithmetic, and mulOK against the product in arbitrary precision, on values around
// the fast paths' edges: 2^31, exponents -6 to 2, coefficients up to 19 digits.
func TestCrit_CmpCrit(t *testing.T) {
	coef := func(t *rapid.T, label string) int64 {
		switch rapid.IntRange(0, 3).Draw(t, label+"-kind") {
		case 0:
			return rapid.Int64Range(-1_000_000, 1_000_000).Draw(t, label)
		case 1:
			return rapid.Int64Range(-1<<31-3, 1<<31+3).Draw(t, label)
		case 2:
			return int64(1)<<rapid.IntRange(30, 34).Draw(t, label+"-shift") - rapid.Int64Range(-3, 3).Draw(t, label)
		}
		return rapid.Int64().Draw(t, label)
	}
	checkMul := func(t interface{ Fatalf(string, ...any) }, a, b int64) {
		p, ok := mulOK(a, b)
		want := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		if fits := want.IsInt64(); ok != fits || (ok && p != want.Int64()) {
			t.Fatalf("mulOK(%d, %d) = %d, %v; want %s (fits int64: %v)", a, b, p, ok, want, fits)
		}
	}
	// Every pair of values around powers of two from 2^29 to 2^35 and 2^62 to 2^63.
	var edges []int64
	for _, k := range []int{29, 30, 31, 32, 33, 34, 35, 62} {
		for off := int64(-2); off <= 2; off++ {
			v := int64(1)<<k + off
			edges = append(edges, v, -v)
		}
	}
	edges = append(edges, 0, 1, -1, 1<<63-1, -1<<63)
	for _, a := range edges {
		for _, b := range edges {
			checkMul(t, a, b)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		checkMul(t, coef(t, "a"), coef(t, "b"))
		min := decimal.New(coef(t, "min"), int32(rapid.IntRange(-6, 2).Draw(t, "min-exp")))
		c := newCrit(Criterion{Measure: MeasureNetSpend, Min: min})
		s := sum{coef: coef(t, "sum"), exp: int32(rapid.IntRange(-6, 2).Draw(t, "sum-exp"))}
		if rapid.Bool().Draw(t, "near-min") {
			// The threshold itself, or a unit of the sum's exponent off it, when exact.
			if e := s.exp; e <= min.Exponent() && min.Exponent()-e <= 18 {
				if v, ok := mulOK(min.CoefficientInt64(), pow10[min.Exponent()-e]); ok {
					s.coef = v + rapid.Int64Range(-1, 1).Draw(t, "off")
				}
			}
		}
		if got, want := s.cmpCrit(&c, min), s.decimal().Cmp(min); got != want {
			t.Fatalf("%s vs %s: cmpCrit %d, decimal %d", s.decimal(), min, got, want)
		}
	})
}

// TestCrit_CeilAt checks the integer threshold of a prepared criterion at an exponent
// against decimal arithmetic: k x 10^e meets the threshold and (k-1) x 10^e does not.
// Worked by hand: 2000 at cents is 200000; 12.345 at cents rounds up to 1235; -0.015 at
// cents is -1; 7 at exponent 1 rounds up to 1.
func TestCrit_CeilAt(t *testing.T) {
	for _, tc := range []struct {
		min  string
		e    int32
		want int64
	}{{"2000", -2, 200000}, {"12.345", -2, 1235}, {"-0.015", -2, -1}, {"7", 1, 1}, {"0", -2, 0}, {"3", 0, 3}} {
		c := newCrit(Criterion{Min: decimal.RequireFromString(tc.min)})
		if k, ok := c.ceilAt(tc.e); !ok || k != tc.want {
			t.Errorf("ceilAt(%s, %d) = %d, %v, want %d", tc.min, tc.e, k, ok, tc.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		min := genDecimal(t, "min")
		e := int32(rapid.IntRange(-10, 4).Draw(t, "e"))
		c := newCrit(Criterion{Min: min})
		k, ok := c.ceilAt(e)
		if !ok {
			return
		}
		if at := decimal.New(k, e); at.LessThan(min) {
			t.Fatalf("ceilAt(%s, %d) = %d: %s is below the threshold", min, e, k, at)
		}
		if below := decimal.New(k-1, e); !below.LessThan(min) {
			t.Fatalf("ceilAt(%s, %d) = %d: %s already meets the threshold", min, e, k, below)
		}
	})
}

// TestMachine_KeepByPrefix checks the integer search for the first order whose leaving
// fails a simple keep rule against the search on index ranges (keepBySearch), on orders
// with cent, mill and whole amounts, zeros and shared instants, partial and full
// refunds at the orders' exponent (on the integer path) or finer (which bar it), and
// thresholds on net spend or orders with any exponent.
// It also checks that the fast path answers often and declines sometimes.
func TestMachine_KeepByPrefix(t *testing.T) {
	answered, declined, skipped := 0, 0, 0
	proptest.Check(t, 5, func(t *rapid.T) {
		l := &Ladder{Name: "l", Currency: "USD", Measure: []Measure{MeasureNetSpend, MeasureOrders}[rapid.IntRange(0, 1).Draw(t, "measure")]}
		a := &Activity{Customer: Customer{ID: "c"}}
		at := time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)
		exp := int32(rapid.IntRange(-3, 0).Draw(t, "exp"))
		if rapid.Bool().Draw(t, "cents") {
			exp = -2
		}
		for i := range rapid.IntRange(0, 12).Draw(t, "orders") {
			if rapid.IntRange(0, 3).Draw(t, "sameInstant") > 0 {
				at = at.Add(time.Duration(rapid.IntRange(1, 40*24).Draw(t, "hours")) * time.Hour)
			}
			amt := decimal.New(rapid.Int64Range(0, 300000).Draw(t, "amount"), exp)
			a.Orders = append(a.Orders, Order{ID: fmt.Sprint("o", i), CustomerID: "c", PlacedAt: at, Currency: "USD",
				Lines: []Line{{SKU: "s", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
		}
		for i := range rapid.IntRange(0, 3).Draw(t, "refunds") {
			if len(a.Orders) == 0 {
				break
			}
			o := a.Orders[rapid.IntRange(0, len(a.Orders)-1).Draw(t, "refunded")]
			if !o.Paid().IsPositive() {
				continue
			}
			pct := rapid.Int64Range(1, 100).Draw(t, "refundPct")
			if rapid.Bool().Draw(t, "full") {
				pct = 100
			}
			amt := o.Paid().Mul(decimal.New(pct, -2)).Round(-exp)
			// Mostly at the orders' own exponent (the integer path), sometimes finer.
			if rapid.IntRange(0, 3).Draw(t, "finerRefund") == 0 {
				amt = amt.Sub(decimal.New(1, exp-1))
			}
			if !amt.IsPositive() {
				continue
			}
			a.Refunds = append(a.Refunds, Refund{ID: fmt.Sprint("r", i), OrderID: o.ID, CustomerID: "c", Currency: "USD",
				At: o.PlacedAt.Add(time.Duration(rapid.IntRange(0, 20*24).Draw(t, "refundHours")) * time.Hour), Amount: amt})
		}
		if err := a.Validate("USD"); err != nil {
			skipped++
			t.Skip(err)
		}
		for range rapid.IntRange(2, 8).Draw(t, "probes") {
			checkKeepByPrefix(t, l, a, at, &answered, &declined)
		}
	}, func() error {
		if answered == 0 || declined == 0 {
			return fmt.Errorf("the prefix search answered %d times and declined %d times: the test covers one side only", answered, declined)
		}
		return nil
	})
	t.Logf("the prefix search answered %d times, declined %d times; %d skipped", answered, declined, skipped)
}

// checkKeepByPrefix compares keepByPrefix with keepBySearch on a's orders [lo, hi) at
// a cut, for a keep threshold drawn near what those orders are worth, so that refunds
// matter, at an exponent of its own (fractions of a cent included). last is the last
// order's instant.
func checkKeepByPrefix(t *rapid.T, l *Ladder, a *Activity, last time.Time, answered, declined *int) {
	lo := rapid.IntRange(0, len(a.Orders)).Draw(t, "lo")
	hi := rapid.IntRange(lo, len(a.Orders)).Draw(t, "hi")
	total := decimal.Zero
	for _, o := range a.Orders[lo:hi] {
		total = total.Add(o.Paid())
	}
	keep := total.Mul(decimal.New(rapid.Int64Range(0, 110).Draw(t, "keepPct"), -2)).
		Round(int32(rapid.IntRange(-1, 3).Draw(t, "keepPlaces"))).Add(decimal.New(rapid.Int64Range(-5, 5).Draw(t, "keepNudge"), -3)).Abs()
	if l.Measure == MeasureOrders {
		keep = decimal.NewFromInt(rapid.Int64Range(0, int64(len(a.Orders))+1).Draw(t, "keepOrders"))
	}
	l.Tiers = []Tier{{Name: "A", Qualify: keep.Add(decimal.NewFromInt(1)), Keep: &keep}}
	if err := l.Validate(); err != nil {
		t.Fatalf("ladder: %v", err)
	}
	m := &machine{mstate: mstate{core: core{l: l, f: prepare(nil, l, a, time.UTC), loc: time.UTC, kind: PeriodRolling, rules: newRules(l)}}}
	r := m.rule(ruleRetain, 0)
	cut := last.Add(time.Duration(rapid.IntRange(-60*24, 100*24).Draw(t, "cut")) * time.Hour)
	got, ok := m.keepByPrefix(r, lo, hi, cut)
	if !ok {
		*declined++
		return
	}
	*answered++
	if want := m.keepBySearch(r, lo, hi, cut); !got.Equal(want) {
		t.Fatalf("keepByPrefix(%d, %d, cut %s) = %s, keepBySearch %s (keep %s %s)", lo, hi, cut, got, want, keep, l.Measure)
	}
}

// TestMachine_StartBounds checks the bounds of the quiet shortcut on the starts of
// rolling windows: every window ending at u >= t starts at or after startFloor(t), and
// every window ending at u <= t at or before startCeil(t), for instants near month ends
// (where clamping moves the start back) in UTC and in zones with daylight saving, with
// and without the memo of the last answer.
func TestMachine_StartBounds(t *testing.T) {
	zones := []*time.Location{time.UTC}
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		m := &core{loc: time.UTC, rules: &rules{memo: rapid.Bool().Draw(t, "memo")}} // the exact bounds' zone, half the time
		if rapid.Bool().Draw(t, "zoned") {
			m.loc = zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
		}
		at := drawInstant(t, "t")
		if rapid.Bool().Draw(t, "monthEnd") {
			// One of the last days of a month, at any clock time in the zone.
			y, mo := rapid.IntRange(1901, 2199).Draw(t, "y"), time.Month(rapid.IntRange(1, 12).Draw(t, "m"))
			at = time.Date(y, mo, daysIn(y, mo)-rapid.IntRange(0, 3).Draw(t, "fromEnd"), 0, 0, 0, 0, m.loc).
				Add(time.Duration(rapid.Int64Range(0, 24*3600-1).Draw(t, "clock")) * time.Second)
		}
		if !validInstant(at) {
			return
		}
		n := rapid.IntRange(1, 36).Draw(t, "months")
		for range 24 {
			// Other months and instants now and then, past the memo of the last answer.
			if rapid.IntRange(0, 3).Draw(t, "otherMonths") == 0 {
				n = rapid.IntRange(1, 36).Draw(t, "months")
			}
			if rapid.IntRange(0, 3).Draw(t, "otherInstant") == 0 {
				at = at.Add(time.Duration(rapid.IntRange(-3*24, 3*24).Draw(t, "shiftHours")) * time.Hour)
			}
			d := time.Duration(rapid.Int64Range(0, 3*24*3600).Draw(t, "seconds")) * time.Second
			if from, floor := rollingFrom(at.Add(d), n, m.loc), m.startFloor(at, n); from.Before(floor) {
				t.Fatalf("window of %d months ending %s starts %s, before startFloor(%s) = %s", n, at.Add(d), from, at, floor)
			}
			if from, ceil := rollingFrom(at.Add(-d), n, m.loc), m.startCeil(at, n); from.After(ceil) {
				t.Fatalf("window of %d months ending %s starts %s, after startCeil(%s) = %s", n, at.Add(-d), from, at, ceil)
			}
		}
	})
}

// TestRollOff_Zones checks rollOff in zones with daylight saving against its meaning:
// activity at p is in the rolling window of n months at every instant from p to the
// roll-off and out of it there (the window at x starts just after x less n months).
// Instants are drawn near the zones' clock changes (p itself, or n months before one)
// as well as near month ends: where p's wall clock n months on falls in a gap (2024-01-10
// 02:00 in New York, two months on, is 2024-03-10 02:00, which does not exist) or p is
// in an hour that is repeated, the roll-off is neither p's wall clock n months on nor
// the next month's start. Before this was checked, the first case gave 2024-04-01 and a
// customer kept a tier three weeks too long.
func TestRollOff_Zones(t *testing.T) {
	type zone struct {
		loc     *time.Location
		changes []time.Time // clock changes, 2000-2030
	}
	var zones []zone
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			continue
		}
		z := zone{loc: loc}
		_, prev := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Zone()
		for x := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); x.Year() < 2031; x = x.Add(30 * time.Minute) {
			if _, off := x.In(loc).Zone(); off != prev {
				z.changes, prev = append(z.changes, x), off
			}
		}
		zones = append(zones, z)
	}
	if len(zones) == 0 {
		t.Skip("no time zone database")
	}
	in := func(p, x time.Time, n int, loc *time.Location) bool { return AddMonths(x, -n, loc).Before(p) }
	rapid.Check(t, func(t *rapid.T) {
		z := zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")]
		n := rapid.IntRange(1, 24).Draw(t, "months")
		var p time.Time
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0: // near a clock change
			c := z.changes[rapid.IntRange(0, len(z.changes)-1).Draw(t, "change")]
			p = c.Add(time.Duration(rapid.IntRange(-240, 240).Draw(t, "minutes")) * time.Minute)
		case 1: // n months before an instant near a clock change
			c := z.changes[rapid.IntRange(0, len(z.changes)-1).Draw(t, "change")]
			p = AddMonths(c.Add(time.Duration(rapid.IntRange(-240, 240).Draw(t, "minutes"))*time.Minute), -n, z.loc)
		default:
			p = drawInstant(t, "p")
			if !validInstant(p) {
				return
			}
		}
		r := rollOff(p, n, z.loc)
		if !r.After(p) || in(p, r, n, z.loc) || !in(p, r.Add(-time.Nanosecond), n, z.loc) {
			t.Fatalf("rollOff(%s, %d, %s) = %s: in the window at it %v, a nanosecond before %v", p.In(z.loc).Format(time.RFC3339Nano), n, z.loc,
				r.In(z.loc).Format(time.RFC3339Nano), in(p, r, n, z.loc), in(p, r.Add(-time.Nanosecond), n, z.loc))
		}
		for k := range 8 {
			x := p.Add(time.Duration(rapid.Int64Range(0, int64(r.Sub(p))-1).Draw(t, fmt.Sprint("x", k))))
			if !in(p, x, n, z.loc) {
				t.Fatalf("rollOff(%s, %d, %s) = %s, but the activity is out of the window already at %s", p.In(z.loc).Format(time.RFC3339Nano), n, z.loc,
					r.In(z.loc).Format(time.RFC3339Nano), x.In(z.loc).Format(time.RFC3339Nano))
			}
		}
	})
}
