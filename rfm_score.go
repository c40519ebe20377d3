package vip

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// ErrInvalidScoring is wrapped by errors about scoring options, segment maps, value
// weights and thresholds.
var ErrInvalidScoring = errors.New("invalid scoring options")

// RFMInput is one customer's recency, frequency and monetary value: the input of
// [ScoreRFM]. Build it from a [Summary] with [Summary.RFM], or directly from a query.
//
// The zero value is a customer who bought today, zero times, for nothing.
type RFMInput struct {
	CustomerID string `json:"customer_id"`
	// RecencyDays is the days since the last purchase (fewer is better; use
	// [NeverBoughtRecency] for customers who never bought).
	RecencyDays int64 `json:"recency_days"`
	// Frequency is the number of purchases in the window.
	Frequency int64 `json:"frequency"`
	// Monetary is the spend in the window (net of refunds).
	Monetary decimal.Decimal `json:"monetary"`
}

// RFMScore is a customer's R, F and M scores, each from 1 (worst) to the number of bins
// (best). Recency is reversed: the most recent customers score highest.
//
// The zero value (0, 0, 0) means unscored; no segment map names it.
type RFMScore struct {
	R uint8 `json:"r"`
	F uint8 `json:"f"`
	M uint8 `json:"m"`
}

// String returns the scores as digits, "RFM" for scores up to 9: "545".
func (s RFMScore) String() string {
	if s.R <= 9 && s.F <= 9 && s.M <= 9 {
		return string([]byte{'0' + s.R, '0' + s.F, '0' + s.M})
	}
	return fmt.Sprintf("%d-%d-%d", s.R, s.F, s.M)
}

// TieRule says how quantile scoring treats customers with equal values.
type TieRule uint8

const (
	// TiesSplit ranks customers by value and then by customer ID (byte order, lower ID
	// first), and cuts the ranking into bins whose sizes differ by at most one: the
	// customer at rank r (0-based) of n scores floor(r x bins / n) + 1. Customers with
	// equal values can score differently; which of them scores higher depends only on
	// their IDs, never on input order. This is pandas' qcut of rank(method="first") on
	// sorted IDs, the usual recipe for R and F.
	TiesSplit TieRule = iota
	// TiesTogether gives equal values equal scores: a customer scores as the first
	// (lowest-ranked) customer with the same value would under TiesSplit, that is
	// floor(below x bins / n) + 1 where below counts customers with a strictly worse
	// value. Bins are unbalanced and some may stay empty when many customers share a value
	// (one-time buyers, F = 1, all score 1).
	TiesTogether
)

// String returns "split" or "together".
func (t TieRule) String() string {
	switch t {
	case TiesSplit:
		return "split"
	case TiesTogether:
		return "together"
	}
	return fmt.Sprintf("TieRule(%d)", uint8(t))
}

// MarshalText encodes the rule as "split" or "together".
func (t TieRule) MarshalText() ([]byte, error) {
	if t > TiesTogether {
		return nil, errorf(ErrInvalidScoring, "ties: unknown rule %d", uint8(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes "split" or "together".
func (t *TieRule) UnmarshalText(b []byte) error {
	switch string(b) {
	case "split", "":
		*t = TiesSplit
	case "together":
		*t = TiesTogether
	default:
		return errorf(ErrInvalidScoring, "ties: %q is not split or together", b)
	}
	return nil
}

// DefaultBins is the number of score bins when none is given: quintiles, scores 1-5.
const DefaultBins = 5

// MaxBins is the largest number of bins [ScoreRFM] accepts.
const MaxBins = 100

// ScoreOptions configures [ScoreRFM]. A nil *ScoreOptions means the defaults.
//
// The zero value means quintiles (5 bins) on every dimension with [TiesSplit]. It is a
// plain value with JSON tags, safe for concurrent use once built.
type ScoreOptions struct {
	// Bins is the number of scores per dimension, 2 to MaxBins; 0 means 5.
	Bins int `json:"bins,omitempty"`
	// Ties is the tie rule for quantile scoring.
	Ties TieRule `json:"ties,omitempty"`
	// RecencyDays, when set, replaces recency quantiles with fixed thresholds: Bins-1
	// strictly increasing day counts. A customer scores Bins minus the number of
	// thresholds its recency reaches: with [30 90 180 365], 10 days scores 5, 30 scores
	// 4 and 400 scores 1.
	RecencyDays []int64 `json:"recency_days,omitempty"`
	// Frequency, when set, gives Bins-1 strictly increasing purchase counts; a customer
	// scores 1 plus the number it reaches: with [2 3 5 10], 1 purchase scores 1, 5 scores 4.
	Frequency []int64 `json:"frequency,omitempty"`
	// Monetary, when set, gives Bins-1 strictly increasing amounts, scored like Frequency.
	Monetary []decimal.Decimal `json:"monetary,omitempty"`
}

// Validate reports every problem with o at once.
func (o ScoreOptions) Validate() error {
	var errs []error
	bins := o.Bins
	if bins == 0 {
		bins = DefaultBins
	}
	if bins < 2 || bins > MaxBins {
		errs = append(errs, errorf(ErrInvalidScoring, "bins %d is outside 2..%d", o.Bins, MaxBins))
	}
	if o.Ties > TiesTogether {
		errs = append(errs, errorf(ErrInvalidScoring, "ties: unknown rule %d", uint8(o.Ties)))
	}
	checkInts := func(field string, t []int64) {
		if t == nil {
			return
		}
		if len(t) != bins-1 {
			errs = append(errs, errorf(ErrInvalidScoring, "%s: %d thresholds for %d bins, want %d", field, len(t), bins, bins-1))
		}
		for i := 1; i < len(t); i++ {
			if t[i] <= t[i-1] {
				errs = append(errs, errorf(ErrInvalidScoring, "%s: threshold %d (%d) is not above %d", field, i, t[i], t[i-1]))
			}
		}
	}
	checkInts("recency_days", o.RecencyDays)
	checkInts("frequency", o.Frequency)
	if o.Monetary != nil {
		if len(o.Monetary) != bins-1 {
			errs = append(errs, errorf(ErrInvalidScoring, "monetary: %d thresholds for %d bins, want %d", len(o.Monetary), bins, bins-1))
		}
		for i := 1; i < len(o.Monetary); i++ {
			if !o.Monetary[i].GreaterThan(o.Monetary[i-1]) {
				errs = append(errs, errorf(ErrInvalidScoring, "monetary: threshold %d (%s) is not above %s", i, o.Monetary[i], o.Monetary[i-1]))
			}
		}
	}
	return errors.Join(errs...)
}

// ScoreRFM scores every customer of pop on recency, frequency and monetary value, from 1
// to opts.Bins (default 5), and returns the scores in the order of pop.
//
// A dimension with fixed thresholds in opts is scored against them; the others by
// quantiles over pop with the tie rule opts.Ties (see [TiesSplit] and [TiesTogether]).
// A customer's scores depend on the population as a set, not on its order, provided
// customer IDs are unique (customers with equal ID and equal value are told apart by
// their position).
//
// Quantile scoring finds the Bins-1 cut points by selection (a three-way quickselect
// for several ranks at once, O(n log Bins) expected, falling back to sorting the
// remaining range after 2 log2 n partitions), not by sorting the population, and then
// scores each customer in one pass. Monetary amounts are compared as their nearest
// float64 (exact for amounts with up to 15 significant digits; larger amounts closer than
// one part in 2^53 may compare equal).
func ScoreRFM(pop []RFMInput, opts *ScoreOptions) ([]RFMScore, error) {
	var o ScoreOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Bins == 0 {
		o.Bins = DefaultBins
	}
	if len(pop) > math.MaxUint32 {
		return nil, errorf(ErrInvalidScoring, "population of %d customers is above %d", len(pop), uint64(math.MaxUint32))
	}
	out := make([]RFMScore, len(pop))
	if len(pop) == 0 {
		return out, nil
	}
	sc := rfmScorer{pop: pop, bins: o.Bins, split: o.Ties == TiesSplit}
	if o.Ties == TiesSplit {
		sc.ids = make([]uint64, len(pop))
		for i := range pop {
			sc.ids[i] = rfmIDKey(pop[i].CustomerID)
		}
	}
	scores := make([]uint8, len(pop))
	set := func(dim int) {
		for i, v := range scores {
			switch dim {
			case 0:
				out[i].R = v
			case 1:
				out[i].F = v
			default:
				out[i].M = v
			}
		}
	}

	// Recency.
	if o.RecencyDays != nil {
		for i := range pop {
			out[i].R = uint8(o.Bins - rfmReached(o.RecencyDays, pop[i].RecencyDays))
		}
	} else {
		sc.score(scores, func(i int) uint64 { return rfmIntKey(^pop[i].RecencyDays) })
		set(0)
	}
	// Frequency.
	if o.Frequency != nil {
		for i := range pop {
			out[i].F = uint8(1 + rfmReached(o.Frequency, pop[i].Frequency))
		}
	} else {
		sc.score(scores, func(i int) uint64 { return rfmIntKey(pop[i].Frequency) })
		set(1)
	}
	// Monetary.
	if o.Monetary != nil {
		for i := range pop {
			n := 0
			for _, t := range o.Monetary {
				if pop[i].Monetary.Cmp(t) >= 0 {
					n++
				}
			}
			out[i].M = uint8(1 + n)
		}
	} else {
		sc.score(scores, func(i int) uint64 { return rfmFloatKey(pop[i].Monetary.InexactFloat64()) })
		set(2)
	}
	return out, nil
}

// rfmReached counts the thresholds (ascending) that v reaches.
func rfmReached(t []int64, v int64) int {
	n := 0
	for _, x := range t {
		if v >= x {
			n++
		}
	}
	return n
}

// rfmIntKey maps an int64 to a uint64 with the same order.
func rfmIntKey(v int64) uint64 { return uint64(v) ^ 1<<63 }

// rfmFloatKey maps a float64 (not NaN) to a uint64 with the same order; -0 and 0 agree.
func rfmFloatKey(f float64) uint64 {
	if f == 0 {
		f = 0
	}
	b := math.Float64bits(f)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// rfmIDKey is the first 8 bytes of id, big-endian, zero-padded: comparing keys agrees
// with comparing the IDs byte by byte wherever the keys differ.
func rfmIDKey(id string) uint64 {
	var k uint64
	n := min(len(id), 8)
	for i := 0; i < n; i++ {
		k |= uint64(id[i]) << (56 - 8*i)
	}
	return k
}

// rfmItem is one customer in a selection: its order key, its ID key and its index.
type rfmItem struct {
	key uint64
	id  uint64
	idx uint32
}

// rfmScorer scores one dimension at a time by quantiles.
type rfmScorer struct {
	pop   []RFMInput
	ids   []uint64 // ID keys, for TiesSplit
	bins  int
	split bool
	keys  []uint64 // the current dimension's order keys
}

// cmp orders items by key, then (TiesSplit) by ID, then by index. Its fast path inlines.
func (s *rfmScorer) cmp(a, b *rfmItem) int {
	if a.key != b.key {
		if a.key < b.key {
			return -1
		}
		return 1
	}
	if !s.split {
		return 0
	}
	return s.cmpTie(a, b)
}

// cmpTie orders items with equal keys under TiesSplit.
func (s *rfmScorer) cmpTie(a, b *rfmItem) int {
	if a.id != b.id {
		if a.id < b.id {
			return -1
		}
		return 1
	}
	if c := strings.Compare(s.pop[a.idx].CustomerID, s.pop[b.idx].CustomerID); c != 0 {
		return c
	}
	switch {
	case a.idx < b.idx:
		return -1
	case a.idx > b.idx:
		return 1
	}
	return 0
}

// score writes each customer's score on the dimension whose order key is key.
func (s *rfmScorer) score(out []uint8, key func(int) uint64) {
	n := len(s.pop)
	if cap(s.keys) < n {
		s.keys = make([]uint64, n)
	}
	s.keys = s.keys[:n]
	for i := range s.keys {
		s.keys[i] = key(i)
	}
	if n >= rfmSampleMin && s.scoreSampled(out) {
		return
	}
	s.scoreSelect(out)
}

// rfmCut returns the last rank (0-based) of bin j (1-based) of n items: ceil(j n / bins) - 1.
func rfmCut(j, n, bins int) int { return (j*n+bins-1)/bins - 1 }

// item returns customer i as a selection item.
func (s *rfmScorer) item(i int) rfmItem {
	it := rfmItem{key: s.keys[i], idx: uint32(i)}
	if s.split {
		it.id = s.ids[i]
	}
	return it
}

// scoreSelect scores by a multi-rank quickselect over the whole population.
func (s *rfmScorer) scoreSelect(out []uint8) {
	n := len(s.keys)
	items := make([]rfmItem, n)
	for i := range items {
		items[i] = s.item(i)
	}
	pos := make([]int, 0, s.bins-1)
	for j := 1; j < s.bins; j++ {
		if p := rfmCut(j, n, s.bins); len(pos) == 0 || pos[len(pos)-1] != p {
			pos = append(pos, p)
		}
	}
	s.selectRanks(items, 0, pos, 2*bits.Len(uint(n)))
	if s.split {
		// items is now partitioned by bin: rank r scores floor(r bins / n) + 1.
		for r := range items {
			out[items[r].idx] = uint8(r*s.bins/n + 1)
		}
		return
	}
	// TiesTogether: score = 1 + number of bin ends strictly below the value.
	ends := make([]rfmItem, s.bins-1)
	for j := 1; j < s.bins; j++ {
		ends[j-1] = items[rfmCut(j, n, s.bins)]
	}
	for r := range items {
		out[items[r].idx] = uint8(1 + s.below(ends, &items[r]))
	}
}

// below counts the ends (ascending) strictly below it.
func (s *rfmScorer) below(ends []rfmItem, it *rfmItem) int {
	lo, hi := 0, len(ends)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.cmp(&ends[m], it) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

const (
	rfmSampleMin  = 1 << 16 // populations below this use scoreSelect
	rfmSampleSize = 1 << 14
	rfmSampleGap  = 256 // sample positions each side of a cut's expected position: 4 sigma
)

// rfmGroup is a run of cuts whose sample brackets overlap, with the bracket bounds.
type rfmGroup struct {
	first, last int  // cuts j (1-based)
	lo, hi      int  // sample indices of the bounds; -1 and len(sample) mean unbounded
	flat        bool // lo and hi are equal: every item inside has the same value
	below       int  // items below the bracket (before lo)
	inside      int
	cand        []rfmItem
}

// scoreSelect's linear-time variant (Floyd and Rivest's sampling idea, for all cuts at
// once): a fixed stride sample brackets each cut; one pass scores every customer outside
// the brackets and collects those inside, where a small selection finds the exact cut.
// It reports false, having written nothing final, when a bracket misses its cut; the
// caller then uses scoreSelect. Either way the scores are the same.
func (s *rfmScorer) scoreSampled(out []uint8) bool {
	n := len(s.keys)
	sample := make([]rfmItem, rfmSampleSize)
	for t := range sample {
		sample[t] = s.item(int(uint64(t) * uint64(n) / rfmSampleSize))
	}
	slices.SortFunc(sample, func(x, y rfmItem) int { return s.cmp(&x, &y) })
	var groups []rfmGroup
	for j := 1; j < s.bins; j++ {
		e := int(uint64(rfmCut(j, n, s.bins)) * rfmSampleSize / uint64(n))
		lo, hi := e-rfmSampleGap, e+rfmSampleGap
		if lo < 0 {
			lo = -1
		}
		if hi >= rfmSampleSize {
			hi = rfmSampleSize
		}
		if g := len(groups) - 1; g >= 0 {
			last := &groups[g]
			if last.hi >= rfmSampleSize || lo <= last.hi || s.cmp(&sample[lo], &sample[last.hi]) <= 0 {
				last.last, last.hi = j, max(last.hi, hi)
				continue
			}
		}
		groups = append(groups, rfmGroup{first: j, last: j, lo: lo, hi: hi})
	}
	for g := range groups {
		gr := &groups[g]
		gr.flat = gr.lo >= 0 && gr.hi < rfmSampleSize && s.cmp(&sample[gr.lo], &sample[gr.hi]) == 0
		gr.cand = make([]rfmItem, 0, 2*rfmSampleGap*n/rfmSampleSize+1024)
	}

	// One pass: score items between brackets, collect items inside them. The bounds'
	// keys are copied out so that the common comparisons are two integer compares.
	type bound struct {
		key, id uint64
		it      *rfmItem // nil: unbounded
	}
	his := make([]bound, len(groups))
	los := make([]bound, len(groups))
	for g, gr := range groups {
		if gr.hi < rfmSampleSize {
			his[g] = bound{sample[gr.hi].key, sample[gr.hi].id, &sample[gr.hi]}
		}
		if gr.lo >= 0 {
			los[g] = bound{sample[gr.lo].key, sample[gr.lo].id, &sample[gr.lo]}
		}
	}
	// cmpB compares customer i (key k, ID key id) with a bound.
	cmpB := func(k, id uint64, i int, b *bound) int {
		if k != b.key {
			if k < b.key {
				return -1
			}
			return 1
		}
		if !s.split {
			return 0
		}
		if id != b.id {
			if id < b.id {
				return -1
			}
			return 1
		}
		it := s.item(i)
		return s.cmpTie(&it, b.it)
	}
	keys, ids := s.keys, s.ids
	for i := 0; i < n; i++ {
		k := keys[i]
		var id uint64
		if s.split {
			id = ids[i]
		}
		g := 0
		for ; g < len(groups); g++ {
			if his[g].it == nil || cmpB(k, id, i, &his[g]) <= 0 {
				break
			}
		}
		if g == len(groups) {
			out[i] = uint8(s.bins)
			continue
		}
		gr := &groups[g]
		if los[g].it != nil && cmpB(k, id, i, &los[g]) < 0 {
			gr.below++
			out[i] = uint8(gr.first)
			continue
		}
		gr.inside++
		if gr.flat {
			out[i] = uint8(gr.first)
			continue
		}
		gr.cand = append(gr.cand, rfmItem{key: k, id: id, idx: uint32(i)})
	}

	// Check every cut fell inside its bracket, then find it exactly.
	before := 0
	for g := range groups {
		gr := &groups[g]
		before += gr.below
		var pos []int
		for j := gr.first; j <= gr.last; j++ {
			r := rfmCut(j, n, s.bins) - before
			if r < 0 || r >= gr.inside {
				return false
			}
			if len(pos) == 0 || pos[len(pos)-1] != r {
				pos = append(pos, r)
			}
		}
		before += gr.inside
		if gr.flat {
			continue // every cut in the group has the group's value: items score gr.first
		}
		s.selectRanks(gr.cand, 0, pos, 2*bits.Len(uint(len(gr.cand))))
		ends := make([]rfmItem, 0, gr.last-gr.first+1)
		for j := gr.first; j <= gr.last; j++ {
			ends = append(ends, gr.cand[rfmCut(j, n, s.bins)-(before-gr.inside)])
		}
		for k := range gr.cand {
			out[gr.cand[k].idx] = uint8(gr.first + s.below(ends, &gr.cand[k]))
		}
	}
	return true
}

// selectRanks rearranges a (which starts at absolute rank off) so that every rank in pos
// (ascending, absolute) holds the item of that rank, with smaller items before it and
// larger after.
func (s *rfmScorer) selectRanks(a []rfmItem, off int, pos []int, depth int) {
	for len(pos) > 0 && len(a) > 1 {
		if len(a) <= 12 {
			s.insertionSort(a)
			return
		}
		if depth == 0 {
			slices.SortFunc(a, func(x, y rfmItem) int { return s.cmp(&x, &y) })
			return
		}
		depth--
		p := a[s.pivot(a)]
		lt, gt := s.partition(a, &p)
		// Split the wanted ranks: left of lt, inside [lt, gt) (done), right of gt.
		i := 0
		for i < len(pos) && pos[i] < off+lt {
			i++
		}
		j := i
		for j < len(pos) && pos[j] < off+gt {
			j++
		}
		left, right := pos[:i], pos[j:]
		// Recurse into the smaller side, loop on the larger.
		if lt < len(a)-gt {
			s.selectRanks(a[:lt], off, left, depth)
			a, off, pos = a[gt:], off+gt, right
		} else {
			s.selectRanks(a[gt:], off+gt, right, depth)
			a, pos = a[:lt], left
		}
	}
}

// pivot returns the index of the median of three medians of three (Tukey's ninther).
func (s *rfmScorer) pivot(a []rfmItem) int {
	n := len(a)
	m3 := func(i, j, k int) int {
		if s.cmp(&a[i], &a[j]) > 0 {
			i, j = j, i
		}
		if s.cmp(&a[j], &a[k]) > 0 {
			j = k
			if s.cmp(&a[i], &a[j]) > 0 {
				j = i
			}
		}
		return j
	}
	if n < 64 {
		return m3(0, n/2, n-1)
	}
	d := n / 8
	return m3(m3(0, d, 2*d), m3(n/2-d, n/2, n/2+d), m3(n-1-2*d, n-1-d, n-1))
}

// partition rearranges a into items below p, equal to p and above p, and returns the
// bounds lt and gt of the equal run.
func (s *rfmScorer) partition(a []rfmItem, p *rfmItem) (lt, gt int) {
	i := 0
	gt = len(a)
	if !s.split {
		k := p.key
		for i < gt {
			switch x := a[i].key; {
			case x < k:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case x > k:
				gt--
				a[i], a[gt] = a[gt], a[i]
			default:
				i++
			}
		}
		return lt, gt
	}
	for i < gt {
		switch c := s.cmp(&a[i], p); {
		case c < 0:
			a[lt], a[i] = a[i], a[lt]
			lt++
			i++
		case c > 0:
			gt--
			a[i], a[gt] = a[gt], a[i]
		default:
			i++
		}
	}
	return lt, gt
}

func (s *rfmScorer) insertionSort(a []rfmItem) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && s.cmp(&a[j], &a[j-1]) < 0; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
