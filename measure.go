package vip

import (
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// ordFact is one order as qualification sees it.
type ordFact struct {
	placed time.Time
	eff    time.Time // when it starts to count: placed, or the end of its return window
	spend  sum       // qualifying spend, zero when the order does not count
	counts bool      // the order qualifies at all
	idx    int       // index in Activity.Orders
}

// refFact is a refund as qualification sees it.
type refFact struct {
	at     time.Time
	ord    int // index in facts.orders
	amount sum // the qualifying value refunded
}

// facts is an Activity prepared for qualification: sorted, filtered by the spend rules,
// with prefix sums so that a window's spend costs a binary search.
type facts struct {
	// What every evaluation reads comes first, in as few cache lines as may be: a
	// review touches each customer's facts once, from memory.
	at  []int64 // at[i]: instKey(orders[i].placed), for searches that stay in cache
	rat []int64 // rat[i]: instKey(refunds[i].at)
	// The running sums of the orders: pfx when every total is an int64 coefficient at
	// the one exponent pexp (prices in cents: the usual case, compact and read in one
	// cache line or two), else prefix and nprefix.
	pfx      []pfxEnt
	pexp     int32
	pending  bool
	monotone bool      // measures only fall as time passes without new activity
	plain    bool      // orders and refunds alone, monotone, not pending: see machine.quiet
	monthly  bool      // measures change at month boundaries (balances, custom)
	orders   []ordFact // by placed
	refunds  []refFact // by at
	points   []PointsEntry
	balances []BalanceSnapshot
	a        *Activity
	l        *Ladder
	loc      *time.Location

	first   time.Time // earliest activity instant
	prefix  []sum     // prefix[i]: spend of orders[:i]
	nprefix []int64   // nprefix[i]: counting orders in orders[:i]
	effs    []time.Time
	pprefix []sum
	scratch []refAgg
	rv      refView // the refunds as known at the last cut asked, for spendOrders
}

// pfxEnt is one entry of the compact running sums: pfx[i] holds the spend of
// orders[:i] as a coefficient at exponent pexp, and how many of them count.
type pfxEnt struct {
	c, n int64
}

// refView is what the refunds f.refunds[:k] took off each order, capped at the order's
// spend, by order index with prefix sums, so that a window's refunds cost two binary
// searches instead of a pass over every refund.
type refView struct {
	ok    bool
	k     int
	ords  []int   // the refunded orders' indexes, ascending, distinct
	pre   []sum   // pre[j]: the capped refunds of ords[:j]
	nfull []int64 // nfull[j]: how many of ords[:j] are refunded in full
	// ipre[j] is pre[j] as an int64 coefficient at the orders' exponent f.pexp, when
	// ipreOK: every pre[j] is one (the usual case, with f.pfx).
	ipre   []int64
	ipreOK bool
}

// prepare builds the facts of a for ladder l. It validates nothing; the caller has.
// When old is not nil its memory is reused and it is returned: the caller must be done
// with the facts it held (a backtest passes the previous customer's).
func prepare(old *facts, l *Ladder, a *Activity, loc *time.Location) *facts {
	f := old
	if f == nil {
		f = new(facts)
	}
	pfxBuf := f.pfx
	*f = facts{l: l, loc: loc, a: a, pending: l.Returns.Mode == ReturnsPending, monotone: true,
		// Emptied buffers of the previous customer: only their capacity is kept. pfx
		// stays nil unless compactPrefix succeeds (spendBase reads it as the flag).
		orders: f.orders[:0], at: f.at[:0], rat: f.rat[:0], refunds: f.refunds[:0], points: f.points[:0],
		prefix: f.prefix[:0], nprefix: f.nprefix[:0], effs: f.effs[:0], pprefix: f.pprefix[:0], scratch: f.scratch[:0],
		rv: refView{ords: f.rv.ords[:0], pre: f.rv.pre[:0], nfull: f.rv.nfull[:0]}}
	sr := &l.Spend
	var exCat, exSKU map[string]bool
	if len(sr.ExcludeCategories) > 0 {
		exCat = make(map[string]bool, len(sr.ExcludeCategories))
		for _, c := range sr.ExcludeCategories {
			exCat[c] = true
		}
	}
	if len(sr.ExcludeSKUs) > 0 {
		exSKU = make(map[string]bool, len(sr.ExcludeSKUs))
		for _, c := range sr.ExcludeSKUs {
			exSKU[c] = true
		}
	}
	list := sr.Basis == SpendList
	f.orders = slices.Grow(f.orders, len(a.Orders))
	for i := range a.Orders {
		o := &a.Orders[i]
		if !sr.Since.IsZero() && o.PlacedAt.Before(sr.Since) {
			continue
		}
		of := ordFact{placed: o.PlacedAt, eff: o.PlacedAt, idx: i}
		any := false
		for j := range o.Lines {
			ln := &o.Lines[j]
			if (exCat != nil && exCat[ln.Category]) || (exSKU != nil && exSKU[ln.SKU]) {
				continue
			}
			any = true
			if list {
				of.spend.addProduct(ln.ListPrice, ln.Quantity)
			} else {
				of.spend.addProduct(ln.PaidPrice, ln.Quantity)
			}
		}
		if any {
			if sr.IncludeShipping {
				of.spend.add(o.Shipping)
			}
			if sr.IncludeTax {
				of.spend.add(o.Tax)
			}
			of.counts = sr.MinOrder.IsZero() || !of.spend.less(sr.MinOrder)
		}
		if !of.counts {
			of.spend = sum{}
		}
		if f.pending {
			of.eff = addDays(o.PlacedAt, l.Returns.WindowDays, loc)
		}
		f.orders = append(f.orders, of)
	}
	byPlaced := func(x, y ordFact) int {
		if c := x.placed.Compare(y.placed); c != 0 {
			return c
		}
		return x.idx - y.idx // stable: the result never depends on the sort
	}
	if !slices.IsSortedFunc(f.orders, byPlaced) {
		slices.SortFunc(f.orders, byPlaced)
	}
	f.at = zeroed(f.at, len(f.orders))
	for i := range f.orders {
		f.at[i] = instKey(f.orders[i].placed)
	}
	if !f.compactPrefix(pfxBuf) {
		f.prefix = zeroed(f.prefix, len(f.orders)+1)
		f.nprefix = zeroed(f.nprefix, len(f.orders)+1)
		for i := range f.orders {
			f.prefix[i+1] = f.prefix[i]
			f.prefix[i+1].addSum(f.orders[i].spend)
			f.nprefix[i+1] = f.nprefix[i]
			if f.orders[i].counts {
				f.nprefix[i+1]++
			}
		}
	}
	if f.pending {
		f.effs = zeroed(f.effs, len(f.orders))
		for i := range f.orders {
			f.effs[i] = f.orders[i].eff
		}
		slices.SortFunc(f.effs, time.Time.Compare)
		f.monotone = false
	}
	if len(a.Refunds) > 0 {
		pos := make(map[string]int, len(f.orders))
		for i := range f.orders {
			pos[a.Orders[f.orders[i].idx].ID] = i
		}
		for i := range a.Refunds {
			r := &a.Refunds[i]
			k, ok := pos[r.OrderID]
			if !ok || !f.orders[k].counts {
				continue
			}
			rf := refFact{at: r.At, ord: k}
			if len(r.Lines) > 0 {
				o := &a.Orders[f.orders[k].idx]
				for _, rl := range r.Lines {
					for j := range o.Lines {
						ln := &o.Lines[j]
						if ln.SKU != rl.SKU || (exCat != nil && exCat[ln.Category]) || (exSKU != nil && exSKU[ln.SKU]) {
							continue
						}
						if list {
							rf.amount.addProduct(ln.ListPrice, rl.Quantity)
						} else {
							rf.amount.addProduct(ln.PaidPrice, rl.Quantity)
						}
					}
				}
			} else {
				rf.amount.add(r.Amount)
			}
			f.refunds = append(f.refunds, rf)
		}
		slices.SortStableFunc(f.refunds, func(x, y refFact) int { return x.at.Compare(y.at) })
		f.rat = zeroed(f.rat, len(f.refunds))
		for i := range f.refunds {
			f.rat[i] = instKey(f.refunds[i].at)
		}
	}
	if len(a.Points) > 0 {
		f.points = slices.Grow(f.points, len(a.Points))
		for _, p := range a.Points {
			if sr.Since.IsZero() || !p.At.Before(sr.Since) {
				f.points = append(f.points, p)
			}
		}
		slices.SortStableFunc(f.points, func(x, y PointsEntry) int { return x.At.Compare(y.At) })
		f.pprefix = zeroed(f.pprefix, len(f.points)+1)
		for i, p := range f.points {
			f.pprefix[i+1] = f.pprefix[i]
			f.pprefix[i+1].add(p.Points)
			if p.Points.IsNegative() {
				f.monotone = false
			}
		}
	}
	f.balances = sortedBalances(a.Balances)
	if l.uses(MeasureAverageBalance) || len(l.Custom) > 0 {
		f.monthly = true
		f.monotone = false
	}
	f.plain = f.monotone && !f.pending && !f.monthly && len(f.points) == 0 && len(f.balances) == 0
	for _, o := range f.orders {
		f.first = o.placed
		break
	}
	for _, t := range []time.Time{firstPoint(f.points), firstBalance(f.balances)} {
		if !t.IsZero() && (f.first.IsZero() || t.Before(f.first)) {
			f.first = t
		}
	}
	return f
}

// zeroed returns s resized to n zero elements, reusing its memory when it is large
// enough.
func zeroed[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// compactPrefix builds f.pfx in buf's memory, reporting false, and leaving f.pfx nil,
// when some running total is not an int64 coefficient at the smallest exponent of the
// orders' spends.
func (f *facts) compactPrefix(buf []pfxEnt) bool {
	e := int32(0)
	for i := range f.orders {
		sp := &f.orders[i].spend
		if sp.big {
			return false
		}
		if sp.coef != 0 {
			e = min(e, sp.exp)
		}
	}
	pfx := zeroed(buf, len(f.orders)+1)
	for i := range f.orders {
		sp := &f.orders[i].spend
		c := sp.coef
		if c != 0 && sp.exp > e {
			d := sp.exp - e
			if d > 18 {
				return false
			}
			var ok bool
			if c, ok = mulOK(c, pow10[d]); !ok {
				return false
			}
		}
		t, ok := addOK(pfx[i].c, c)
		if !ok {
			return false
		}
		pfx[i+1] = pfxEnt{c: t, n: pfx[i].n}
		if f.orders[i].counts {
			pfx[i+1].n++
		}
	}
	f.pfx, f.pexp = pfx, e
	return true
}

// spendBase returns the spend of orders [lo, hi) before refunds, and how many count.
func (f *facts) spendBase(lo, hi int) (sum, int64) {
	if f.pfx != nil {
		// 0 <= b.c <= a.c: the running sums of spends, which are never negative, only
		// grow, so the difference is exact.
		a, b := &f.pfx[hi], &f.pfx[lo]
		return sum{coef: a.c - b.c, exp: f.pexp}, a.n - b.n
	}
	s := f.prefix[hi]
	s.subSum(f.prefix[lo])
	return s, f.nprefix[hi] - f.nprefix[lo]
}

func firstPoint(p []PointsEntry) time.Time {
	if len(p) == 0 {
		return time.Time{}
	}
	return p[0].At
}

func firstBalance(b []BalanceSnapshot) time.Time {
	if len(b) == 0 {
		return time.Time{}
	}
	return b[0].At
}

func sortedBalances(b []BalanceSnapshot) []BalanceSnapshot {
	if slices.IsSortedFunc(b, func(x, y BalanceSnapshot) int { return x.At.Compare(y.At) }) {
		return b
	}
	c := slices.Clone(b)
	slices.SortStableFunc(c, func(x, y BalanceSnapshot) int { return x.At.Compare(y.At) })
	return c
}

// uses reports whether any rule of the ladder reads measure m.
func (l *Ladder) uses(m Measure) bool {
	if l.measure() == m {
		for i := range l.Tiers {
			t := &l.Tiers[i]
			if t.Entry == nil || (t.Retain == nil && t.Keep != nil) {
				return true
			}
		}
	}
	for i := range l.Tiers {
		for _, r := range []*Rule{l.Tiers[i].Entry, l.Tiers[i].Retain, l.Tiers[i].Reentry} {
			if r == nil {
				continue
			}
			for _, c := range r.Criteria {
				if c.Measure == m {
					return true
				}
			}
		}
	}
	return false
}

// less reports whether s < d.
func (s *sum) less(d decimal.Decimal) bool { return s.cmpDec(d) < 0 }

// cmpDec compares s with d: -1, 0 or +1.
func (s *sum) cmpDec(d decimal.Decimal) int {
	if !s.big && d.NumDigits() <= 18 {
		if c, ok := cmpRaw(s.coef, s.exp, d.CoefficientInt64(), d.Exponent()); ok {
			return c
		}
	}
	return s.decimal().Cmp(d)
}

// cmp compares s with o: -1, 0 or +1.
func (s sum) cmp(o sum) int {
	if !s.big && !o.big {
		if c, ok := cmpRaw(s.coef, s.exp, o.coef, o.exp); ok {
			return c
		}
	}
	return s.decimal().Cmp(o.decimal())
}

// cmpRaw compares a x 10^ea with b x 10^eb, reporting false when aligning the
// exponents would overflow.
func cmpRaw(a int64, ea int32, b int64, eb int32) (int, bool) {
	var ok bool
	switch {
	case ea > eb:
		if ea-eb > 18 {
			return 0, false
		}
		if a, ok = mulOK(a, pow10[ea-eb]); !ok {
			return 0, false
		}
	case eb > ea:
		if eb-ea > 18 {
			return 0, false
		}
		if b, ok = mulOK(b, pow10[eb-ea]); !ok {
			return 0, false
		}
	}
	switch {
	case a < b:
		return -1, true
	case a > b:
		return 1, true
	}
	return 0, true
}

// countAt returns the number of activity entries at or before t.
func (f *facts) countAt(t time.Time) int {
	k := instKey(t)
	n := searchAfterLast(f.at, k) + searchAfterLast(f.rat, k)
	if len(f.points) > 0 {
		n += sort.Search(len(f.points), func(i int) bool { return f.points[i].At.After(t) })
	}
	if len(f.balances) > 0 {
		n += sort.Search(len(f.balances), func(i int) bool { return f.balances[i].At.After(t) })
	}
	return n
}

// upper returns the number of orders placed at or before t.
func (f *facts) upper(t time.Time) int { return searchAfterLast(f.at, instKey(t)) }

// lower returns the number of orders placed before t.
func (f *facts) lower(t time.Time) int {
	k := instKey(t)
	if len(f.at) == 0 || f.at[0] >= k {
		return 0
	}
	return searchAfter(f.at, k-1)
}

// instKey returns t as nanoseconds since 1970 for ordering: exact for the years
// 1900-2200 that activity may use, and clamped beyond about 1685 and 2255, where every
// instant still sorts after (or before) all activity. Keys of distinct in-range instants
// differ, so x-1 is the largest key before x.
func instKey(t time.Time) int64 {
	const lim = 9_000_000_000 // seconds; in-range keys are within ±9.000000001e18
	s := t.Unix()
	switch {
	case s > lim:
		return 9_100_000_000_000_000_000
	case s < -lim:
		return -9_100_000_000_000_000_000
	}
	return s*1_000_000_000 + int64(t.Nanosecond())
}

// keyTime returns the instant of key k (from instKey of an instant in 1900-2200), in UTC.
func keyTime(k int64) time.Time {
	return time.Unix(keySplit(k)).UTC()
}

// keySplit returns key k as seconds since 1970 and nanoseconds in [0, 1e9).
func keySplit(k int64) (s, ns int64) {
	s, ns = k/1_000_000_000, k%1_000_000_000
	if ns < 0 {
		s, ns = s-1, ns+1_000_000_000
	}
	return s, ns
}

// searchAfterLast is searchAfter for an x that is usually at or after a's last element,
// as the instant of an evaluation is after most of a customer's activity: that case
// costs one comparison.
func searchAfterLast(a []int64, x int64) int {
	if len(a) == 0 || a[len(a)-1] <= x {
		return len(a)
	}
	return searchAfter(a, x)
}

// searchAfter returns the number of keys in the sorted a that are at most x.
func searchAfter(a []int64, x int64) int {
	lo, hi := 0, len(a)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if a[h] <= x {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// window is a qualifying window: activity in [from, to], as known at the instant cut,
// granting status until expiry (zero for a continuous term).
type window struct {
	from, to, cut time.Time
	expiry        time.Time
	vals          [7]sum
	have          [7]bool
	custom        map[Measure]decimal.Decimal
	// indexed windows name their orders by index range [lo, hi) instead of by time.
	lo, hi  int
	indexed bool
	// span's answer for a window by time, once asked (spanOK).
	slo, shi int
	spanOK   bool
}

// recut returns a copy of w as known at cut, with no measures cached.
func (w window) recut(cut time.Time) window {
	w.cut = cut
	w.spanOK = false
	w.have = [7]bool{}
	w.custom = nil
	return w
}

func measureSlot(m Measure) int {
	switch m {
	case MeasureNetSpend:
		return 0
	case MeasureOrders:
		return 1
	case MeasurePoints:
		return 2
	case MeasureAverageBalance:
		return 3
	case MeasureCategories:
		return 4
	case MeasureLargestOrder:
		return 5
	case MeasurePointsBalance:
		return 6
	}
	return -1
}

// value returns measure m over w.
func (f *facts) value(w *window, m Measure) decimal.Decimal {
	v := f.valueSum(w, m)
	return v.decimal()
}

// valueSum returns measure m over w as an exact sum, without allocating for the
// built-in measures on amounts that fit an int64.
func (f *facts) valueSum(w *window, m Measure) sum {
	k := measureSlot(m)
	if k < 0 {
		if v, ok := w.custom[m]; ok {
			var s sum
			s.add(v)
			return s
		}
		fn := f.l.Custom[m]
		v := decimal.Zero
		if fn != nil {
			v = fn(f.a, w.from, w.to)
		}
		if w.custom == nil {
			w.custom = make(map[Measure]decimal.Decimal)
		}
		w.custom[m] = v
		var s sum
		s.add(v)
		return s
	}
	if w.have[k] {
		return w.vals[k]
	}
	var v sum
	switch m {
	case MeasureNetSpend, MeasureOrders:
		spend, n := f.spendOrders(w)
		w.vals[0], w.vals[1] = spend, sum{coef: n}
		w.have[0], w.have[1] = true, true
		return w.vals[k]
	case MeasurePoints:
		v.add(f.pointsIn(w))
	case MeasureAverageBalance:
		v.add(f.averageBalanceIn(w))
	case MeasureCategories, MeasureLargestOrder:
		v.add(f.scan(w, m))
	case MeasurePointsBalance:
		to := w.to
		if w.cut.Before(to) {
			to = w.cut
		}
		if len(f.points) > 0 {
			v = f.pprefix[sort.Search(len(f.points), func(i int) bool { return f.points[i].At.After(to) })]
		}
	}
	w.vals[k], w.have[k] = v, true
	return v
}

// span returns the index range of orders that count in w: placed in [from, to], and, in
// pending mode, past their return window at cut.
func (f *facts) span(w *window) (lo, hi int) {
	switch {
	case w.indexed:
		return w.lo, w.hi
	case w.spanOK:
		return w.slo, w.shi
	}
	lo = f.lower(w.from)
	to := w.to
	if w.cut.Before(to) {
		to = w.cut
	}
	if f.pending {
		if p := addDays(w.cut, -f.l.Returns.WindowDays, f.loc); p.Before(to) {
			to = p
		}
	}
	hi = max(f.upper(to), lo)
	w.slo, w.shi, w.spanOK = lo, hi, true
	return lo, hi
}

// refAgg is what was refunded of one order.
type refAgg struct {
	ord int
	amt sum
}

// refundsIn returns, per order index in [lo, hi), the qualifying amount refunded by cut,
// capped at the order's spend. The slice is reused between calls; a customer has few
// refunds, so a linear search beats a map.
func (f *facts) refundsIn(lo, hi int, cut time.Time) []refAgg {
	if len(f.refunds) == 0 {
		return nil
	}
	out := f.scratch[:0]
	for i := range f.refunds {
		r := &f.refunds[i]
		if r.at.After(cut) {
			break
		}
		if r.ord < lo || r.ord >= hi {
			continue
		}
		j := 0
		for j < len(out) && out[j].ord != r.ord {
			j++
		}
		if j == len(out) {
			out = append(out, refAgg{ord: r.ord})
		}
		out[j].amt.addSum(r.amount)
	}
	for j := range out {
		if sp := f.orders[out[j].ord].spend; sp.cmp(out[j].amt) < 0 {
			out[j].amt = sp
		}
	}
	f.scratch = out
	return out
}

// refundOf returns what aggs says was refunded of order ord.
func refundOf(aggs []refAgg, ord int) (sum, bool) {
	for _, a := range aggs {
		if a.ord == ord {
			return a.amt, true
		}
	}
	return sum{}, false
}

// spendOrders returns net spend and the number of counting orders not refunded in full.
func (f *facts) spendOrders(w *window) (sum, int64) {
	lo, hi := f.span(w)
	return f.spendRange(lo, hi, w.cut)
}

// spendRange returns net spend and the number of counting orders not refunded in full
// among orders [lo, hi), as known at cut.
func (f *facts) spendRange(lo, hi int, cut time.Time) (sum, int64) {
	s, n := f.spendBase(lo, hi)
	if len(f.rat) == 0 { // not f.refunds: rat is in the facts' first cache line
		return s, n
	}
	v := f.refundView(cut)
	j1, j2 := searchInts(v.ords, lo), searchInts(v.ords, hi)
	if j2 > j1 {
		if v.ipreOK && !s.big && s.exp == f.pexp {
			// The running sums at the orders' exponent: the refunds, capped at each
			// order's spend, never take more than the orders' spend.
			s.coef -= v.ipre[j2] - v.ipre[j1]
		} else {
			r := v.pre[j2]
			r.subSum(v.pre[j1])
			s.subSum(r)
		}
		n -= v.nfull[j2] - v.nfull[j1]
	}
	return s, n
}

// spendOrdersSlow is spendOrders by a pass over the refunds, for tests.
func (f *facts) spendOrdersSlow(w *window) (sum, int64) {
	lo, hi := f.span(w)
	s, n := f.spendBase(lo, hi)
	for _, r := range f.refundsIn(lo, hi, w.cut) {
		s.subSum(r.amt)
		if r.amt.cmp(f.orders[r.ord].spend) >= 0 {
			n--
		}
	}
	return s, n
}

// refundView returns the refunds known at cut, per order (see refView). The view of
// the last cut asked is kept: an evaluation asks at few distinct refund counts.
func (f *facts) refundView(cut time.Time) *refView {
	k := searchAfterLast(f.rat, instKey(cut))
	v := &f.rv
	if v.ok && v.k == k {
		return v
	}
	aggs := f.scratch[:0]
	for i := range f.refunds[:k] {
		aggs = append(aggs, refAgg{ord: f.refunds[i].ord, amt: f.refunds[i].amount})
	}
	slices.SortFunc(aggs, func(x, y refAgg) int { return x.ord - y.ord })
	v.ok, v.k = true, k
	v.ords, v.pre, v.nfull = v.ords[:0], append(v.pre[:0], sum{}), append(v.nfull[:0], 0)
	for i := 0; i < len(aggs); {
		ord, amt := aggs[i].ord, aggs[i].amt
		for i++; i < len(aggs) && aggs[i].ord == ord; i++ {
			amt.addSum(aggs[i].amt)
		}
		full := int64(0)
		if sp := f.orders[ord].spend; sp.cmp(amt) <= 0 {
			amt, full = sp, 1
		}
		p := v.pre[len(v.pre)-1]
		p.addSum(amt)
		v.ords = append(v.ords, ord)
		v.pre = append(v.pre, p)
		v.nfull = append(v.nfull, v.nfull[len(v.nfull)-1]+full)
	}
	f.scratch = aggs
	v.ipre, v.ipreOK = v.ipre[:0], f.pfx != nil
	for j := 0; v.ipreOK && j < len(v.pre); j++ {
		c, ok := v.pre[j].coefAt(f.pexp)
		v.ipre, v.ipreOK = append(v.ipre, c), ok
	}
	return v
}

// coefAt returns s as an int64 coefficient at exponent e, and whether it is one.
func (s *sum) coefAt(e int32) (int64, bool) {
	switch {
	case s.big || s.exp < e:
		return 0, false
	case s.coef == 0 || s.exp == e:
		return s.coef, true
	case s.exp-e > 18:
		return 0, false
	}
	return mulOK(s.coef, pow10[s.exp-e])
}

// searchInts returns the number of elements of the ascending a below x.
func searchInts(a []int, x int) int {
	lo, hi := 0, len(a)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if a[h] < x {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// scan computes the measures that need each order: distinct categories and the largest
// order.
func (f *facts) scan(w *window, m Measure) decimal.Decimal {
	lo, hi := f.span(w)
	refunds := f.refundsIn(lo, hi, w.cut)
	if m == MeasureLargestOrder {
		best := decimal.Zero
		for i := lo; i < hi; i++ {
			if !f.orders[i].counts {
				continue
			}
			net := f.orders[i].spend
			if r, ok := refundOf(refunds, i); ok {
				net.subSum(r)
			}
			if d := net.decimal(); d.GreaterThan(best) {
				best = d
			}
		}
		return best
	}
	cats := make(map[string]struct{})
	excluded := func(c string) bool { return slices.Contains(f.l.Spend.ExcludeCategories, c) }
	for i := lo; i < hi; i++ {
		of := &f.orders[i]
		if !of.counts {
			continue
		}
		if r, ok := refundOf(refunds, i); ok && r.cmp(of.spend) >= 0 {
			continue
		}
		for _, ln := range f.a.Orders[of.idx].Lines {
			if ln.Category != "" && !excluded(ln.Category) {
				cats[ln.Category] = struct{}{}
			}
		}
	}
	return decimal.NewFromInt(int64(len(cats)))
}

func (f *facts) pointsIn(w *window) decimal.Decimal {
	to := w.to
	if w.cut.Before(to) {
		to = w.cut
	}
	lo := sort.Search(len(f.points), func(i int) bool { return !f.points[i].At.Before(w.from) })
	hi := sort.Search(len(f.points), func(i int) bool { return f.points[i].At.After(to) })
	if hi < lo {
		return decimal.Zero
	}
	s := f.pprefix[hi]
	s.subSum(f.pprefix[lo])
	return s.decimal()
}

// averageBalanceIn returns the mean of the average balances of the complete calendar
// months inside [from, min(to, cut)], rounded half away from zero to two places.
func (f *facts) averageBalanceIn(w *window) decimal.Decimal {
	to := w.to
	if w.cut.Before(to) {
		to = w.cut
	}
	fy, fm, fd := w.from.In(f.loc).Date()
	start := time.Date(fy, fm, 1, 0, 0, 0, 0, f.loc)
	// A rolling window starts a nanosecond after a month start: that month is complete.
	if fd != 1 || start.Add(time.Nanosecond).Before(w.from) {
		start = time.Date(fy, fm+1, 1, 0, 0, 0, 0, f.loc)
	}
	var total sum
	n := int64(0)
	for m := start; !AddMonths(m, 1, f.loc).After(to.Add(time.Nanosecond)); m = AddMonths(m, 1, f.loc) {
		total.add(averageMonthlyBalance(f.balances, m, f.loc))
		n++
	}
	if n == 0 {
		return decimal.Zero
	}
	return total.decimal().DivRound(decimal.NewFromInt(n), 2)
}

// averageMonthlyBalance is [AverageMonthlyBalance] on sorted snapshots, unrounded
// except for the division, which rounds half away from zero to 8 places.
func averageMonthlyBalance(b []BalanceSnapshot, t time.Time, loc *time.Location) decimal.Decimal {
	y, m, _ := t.In(loc).Date()
	days := daysIn(y, m)
	var total sum
	k := 0
	cur := decimal.Zero
	for d := 1; d <= days; d++ {
		day := time.Date(y, m, d, 0, 0, 0, 0, loc)
		for k < len(b) && !startOfDay(b[k].At, loc).After(day) {
			cur = b[k].Balance
			k++
		}
		if cur.IsPositive() {
			total.add(cur)
		}
	}
	return total.decimal().DivRound(decimal.NewFromInt(int64(days)), 8)
}

// subSum subtracts o.
func (s *sum) subSum(o sum) {
	if o.big || o.coef == -1<<63 {
		s.sub(o.decimal())
		return
	}
	s.addRaw(-o.coef, o.exp)
}

// addSum adds o.
func (s *sum) addSum(o sum) {
	if o.big {
		s.add(o.d)
		return
	}
	s.addRaw(o.coef, o.exp)
}

// cmpProduct compares s with x times y: -1, 0 or +1.
func (s *sum) cmpProduct(x, y decimal.Decimal) int {
	if !s.big && x.NumDigits() <= 18 && y.NumDigits() <= 18 {
		if c, ok := mulOK(x.CoefficientInt64(), y.CoefficientInt64()); ok {
			if r, ok := cmpRaw(s.coef, s.exp, c, x.Exponent()+y.Exponent()); ok {
				return r
			}
		}
	}
	return s.decimal().Cmp(x.Mul(y))
}

// gapTo returns d - s, or zero when that is negative, as an exact sum.
func (s *sum) gapTo(d decimal.Decimal) sum {
	var g sum
	g.add(d)
	g.subSum(*s)
	if g.big {
		if g.d.IsNegative() {
			return sum{}
		}
	} else if g.coef < 0 {
		return sum{}
	}
	return g
}

// shareOf returns s / d rounded half away from zero to places decimal places, as the
// coefficient of a decimal with exponent -places, reporting false when int64 cannot
// hold the working figures (the caller then divides in decimal). d must not be zero.
// It matches decimal.Decimal.DivRound(d, places) exactly.
func (s *sum) shareOf(d decimal.Decimal, places int32) (int64, bool) {
	if s.big || d.NumDigits() > 18 {
		return 0, false
	}
	return s.shareOfRaw(d.CoefficientInt64(), d.Exponent(), places)
}

// shareOfRaw is shareOf for d = den x 10^dexp.
func (s *sum) shareOfRaw(den int64, dexp, places int32) (int64, bool) {
	num := s.coef
	if s.big || den == 0 || num == -1<<63 || den == -1<<63 {
		return 0, false
	}
	// s / d x 10^places = num / den x 10^(s.exp - d.exp + places).
	var ok bool
	switch k := int64(s.exp) - int64(dexp) + int64(places); {
	case k > 18 || k < -18:
		return 0, false
	case k > 0:
		if num, ok = mulOK(num, pow10[k]); !ok {
			return 0, false
		}
	case k < 0:
		if den, ok = mulOK(den, pow10[-k]); !ok {
			return 0, false
		}
	}
	q, r := num/den, num%den
	if r < 0 {
		r = -r
	}
	ad := den
	if ad < 0 {
		ad = -ad
	}
	// Round half away from zero: |r| >= |den| / 2, compared without overflow.
	if r >= ad-r {
		if (num < 0) != (den < 0) {
			q--
		} else {
			q++
		}
	}
	return q, true
}
