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
// The zero value is a customer who bought today, zero times, for nothing. A plain value,
// safe for concurrent use.
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
// The zero value (0, 0, 0) means unscored; no segment map names it. A plain value, safe
// for concurrent use.
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

// TieRule says how quantile scoring treats customers with equal values. The zero value
// is [TiesSplit]. In JSON it is "split" or "together".
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
		for i, m := range o.Monetary {
			if !rfmSane(m) {
				errs = append(errs, errorf(ErrInvalidScoring, "monetary: threshold %d has %d digits and exponent %d, outside what vip compares", i, m.NumDigits(), m.Exponent()))
				return errors.Join(errs...)
			}
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
// Quantile scoring finds the Bins-1 cut points by selection, never by sorting the
// population. From 4,096 customers on it is a radix select in linear time: a histogram
// of the keys (2^16 buckets) locates the bucket of every cut, one pass scores everyone
// outside those buckets from a table, and only the customers inside them (under
// TiesSplit, the customers of the ID-histogram buckets that hold a cut) are selected
// exactly. Smaller populations use a three-way quickselect for all cuts at once. Both
// give the same scores. Monetary amounts are compared as their nearest float64 (exact
// for amounts with up to 15 significant digits; larger amounts closer than one part in
// 2^53 may compare equal).
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
	// One pass over the population computes every key the quantile dimensions need.
	needR, needF, needM := o.RecencyDays == nil, o.Frequency == nil, o.Monetary == nil
	var keysR, keysF, keysM []uint64
	if needR {
		keysR = make([]uint64, len(pop))
	}
	if needF {
		keysF = make([]uint64, len(pop))
	}
	if needM {
		keysM = make([]uint64, len(pop))
	}
	if o.Ties == TiesSplit && (needR || needF || needM) {
		sc.ids = make([]uint64, len(pop))
		sc.idLo, sc.idHi = math.MaxUint64, 0
	}
	for i := range pop {
		p := &pop[i]
		if needR {
			keysR[i] = rfmIntKey(^p.RecencyDays)
		}
		if needF {
			keysF[i] = rfmIntKey(p.Frequency)
		}
		if needM {
			keysM[i] = rfmFloatKey(rfmDecFloat(p.Monetary))
		}
		if sc.ids != nil {
			k := rfmIDKey(p.CustomerID)
			sc.ids[i] = k
			sc.idLo, sc.idHi = min(sc.idLo, k), max(sc.idHi, k)
		}
	}
	if sc.ids != nil && sc.idLo == sc.idHi {
		// Every ID starts with the same 8 bytes: key the IDs after their common prefix,
		// so that the keys tell them apart.
		first := pop[0].CustomerID
		common := len(first)
		for i := range pop {
			id := pop[i].CustomerID
			common = min(common, len(id))
			for common > 0 && id[:common] != first[:common] {
				common--
			}
		}
		sc.idLo, sc.idHi = math.MaxUint64, 0
		for i := range pop {
			k := rfmIDKey(pop[i].CustomerID[common:])
			sc.ids[i] = k
			sc.idLo, sc.idHi = min(sc.idLo, k), max(sc.idHi, k)
		}
	}
	scores := make([]uint8, len(pop))

	if needR {
		sc.score(scores, keysR)
		for i, v := range scores {
			out[i].R = v
		}
	} else {
		for i := range pop {
			out[i].R = uint8(o.Bins - rfmReached(o.RecencyDays, pop[i].RecencyDays))
		}
	}
	if needF {
		sc.score(scores, keysF)
		for i, v := range scores {
			out[i].F = v
		}
	} else {
		for i := range pop {
			out[i].F = uint8(1 + rfmReached(o.Frequency, pop[i].Frequency))
		}
	}
	if needM {
		sc.score(scores, keysM)
		for i, v := range scores {
			out[i].M = v
		}
	} else {
		// Compare as float64 first: correct rounding keeps the order, so unequal floats
		// decide exactly; equal floats fall back to the exact comparison.
		tf := make([]float64, len(o.Monetary))
		for k, t := range o.Monetary {
			tf[k] = rfmDecFloat(t)
		}
		for i := range pop {
			v := rfmDecFloat(pop[i].Monetary)
			n := 0
			for k, t := range tf {
				if v > t || v == t && rfmCmp(pop[i].Monetary, o.Monetary[k]) >= 0 {
					n++
				}
			}
			out[i].M = uint8(1 + n)
		}
	}
	return out, nil
}

// rfmSane reports whether d has at most 64 digits and an exponent within -64..64: the
// amounts vip compares exactly. Comparing decimals whose exponents are far apart makes
// decimal build the power of ten between them, which for an exponent like 1e999999999
// never finishes.
func rfmSane(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -64 && e <= 64 && d.NumDigits() <= 64
}

// rfmCmp compares a and b exactly when both are sane, and as float64 otherwise.
func rfmCmp(a, b decimal.Decimal) int {
	if rfmSane(a) && rfmSane(b) {
		return a.Cmp(b)
	}
	x, y := a.InexactFloat64(), b.InexactFloat64()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
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

// rfmPow10 holds the powers of ten that float64 represents exactly.
var rfmPow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// rfmDecFloat returns the float64 nearest to d. Amounts with up to 15 digits and up to 22
// decimal places take a fast path: the coefficient and the power of ten are exact in
// float64, so their quotient is correctly rounded, as decimal's own conversion is.
func rfmDecFloat(d decimal.Decimal) float64 {
	if e := d.Exponent(); e <= 0 && e >= -22 && d.NumDigits() <= 15 {
		return float64(d.CoefficientInt64()) / rfmPow10[-e]
	}
	return d.InexactFloat64()
}

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
	if len(id) >= 8 {
		return uint64(id[7]) | uint64(id[6])<<8 | uint64(id[5])<<16 | uint64(id[4])<<24 |
			uint64(id[3])<<32 | uint64(id[2])<<40 | uint64(id[1])<<48 | uint64(id[0])<<56
	}
	var k uint64
	for i := 0; i < len(id); i++ {
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
	idLo  uint64   // the smallest and largest ID keys
	idHi  uint64
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

// score writes each customer's score on the dimension whose order keys are keys.
func (s *rfmScorer) score(out []uint8, keys []uint64) {
	s.keys = keys
	if len(keys) >= rfmRadixMin {
		s.scoreRadix(out)
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

// rfmRadixMin is the population size from which scoreRadix is used.
const rfmRadixMin = 1 << 12

// rfmRadixBits is the number of histogram bits: 65,536 buckets.
const rfmRadixBits = 16

// scoreRadix scores in linear time by a histogram of the keys (a radix select for all
// cuts at once). The keys are offset by their minimum and shifted so that they fall into
// at most 2^16 buckets. One pass counts the buckets, which tells which bucket holds each
// cut (the last rank of a bin); a second pass scores every customer in a bucket without a
// cut from a table. Under TiesTogether a bucket of one value needs nothing more: every
// customer in it scores as its first. Under TiesSplit a bucket of one value is ordered by
// ID: the second pass also counts a histogram of its ID keys, and a third pass scores its
// customers from that, so only the customers of the ID buckets holding a cut are
// collected. The few customers collected (those of buckets holding a cut) go through an
// exact selection.
func (s *rfmScorer) scoreRadix(out []uint8) {
	keys, ids, n := s.keys, s.ids, len(s.keys)
	lo, hi := keys[0], keys[0]
	for _, k := range keys {
		lo, hi = min(lo, k), max(hi, k)
	}
	shift := max(0, bits.Len64(hi-lo)-rfmRadixBits)
	nb := int((hi-lo)>>shift) + 1
	hist := make([]uint32, nb)
	for _, k := range keys {
		hist[(k-lo)>>shift]++
	}
	// The ID-key histogram for one-value buckets under TiesSplit.
	byID := s.split && shift == 0 && s.idHi > s.idLo
	idShift := 0
	nib := 0
	if byID {
		idShift = max(0, bits.Len64(s.idHi-s.idLo)-rfmRadixBits)
		nib = int((s.idHi-s.idLo)>>idShift) + 1
	}

	// A cell is a key bucket (or, by ID, one ID bucket of a key bucket) holding a cut.
	type cell struct {
		first int   // score of the cell's lowest customer
		ranks []int // local ranks of the cuts in the cell
		cand  []rfmItem
	}
	type keyCut struct {
		first  int
		ranks  []int // local ranks in the key bucket
		idHist []uint32
		idCell []int16 // 1 + cell index per ID bucket, 0 for none
		idScr  []uint8 // score per ID bucket without a cut
		cell   int     // 1 + cell index when the whole bucket is collected
	}
	score := make([]uint8, nb) // 1 + cuts in earlier buckets
	cutAt := make([]int8, nb)  // 1 + index into kc
	var kc []keyCut
	var cells []cell
	j, start := 1, 0
	for b := 0; b < nb; b++ {
		score[b] = uint8(j)
		end := start + int(hist[b])
		var ranks []int
		for j < s.bins && rfmCut(j, n, s.bins) < end {
			if r := rfmCut(j, n, s.bins) - start; len(ranks) == 0 || ranks[len(ranks)-1] != r {
				ranks = append(ranks, r)
			}
			j++
		}
		switch {
		case len(ranks) == 0 || !s.split && shift == 0:
		case byID:
			kc = append(kc, keyCut{first: int(score[b]), ranks: ranks, idHist: make([]uint32, nib)})
			cutAt[b] = int8(len(kc))
		default:
			cells = append(cells, cell{first: int(score[b]), ranks: ranks, cand: make([]rfmItem, 0, hist[b])})
			kc = append(kc, keyCut{first: int(score[b]), ranks: ranks, cell: len(cells)})
			cutAt[b] = int8(len(kc))
		}
		start = end
	}
	for i, k := range keys {
		b := (k - lo) >> shift
		c := cutAt[b]
		if c == 0 {
			out[i] = score[b]
			continue
		}
		if kb := &kc[c-1]; kb.cell == 0 {
			kb.idHist[(ids[i]-s.idLo)>>idShift]++
		} else {
			cells[kb.cell-1].cand = append(cells[kb.cell-1].cand, s.item(i))
		}
	}
	if byID && len(kc) > 0 {
		for c := range kc {
			kb := &kc[c]
			kb.idCell = make([]int16, nib)
			kb.idScr = make([]uint8, nib)
			e, st := 0, 0
			for ib := 0; ib < nib; ib++ {
				kb.idScr[ib] = uint8(kb.first + e)
				en := st + int(kb.idHist[ib])
				var ranks []int
				for e < len(kb.ranks) && kb.ranks[e] < en {
					ranks = append(ranks, kb.ranks[e]-st)
					e++
				}
				if len(ranks) > 0 {
					cells = append(cells, cell{first: int(kb.idScr[ib]), ranks: ranks, cand: make([]rfmItem, 0, kb.idHist[ib])})
					kb.idCell[ib] = int16(len(cells))
				}
				st = en
			}
		}
		for i, k := range keys {
			c := cutAt[(k-lo)>>shift]
			if c == 0 {
				continue
			}
			kb := &kc[c-1]
			ib := (ids[i] - s.idLo) >> idShift
			if ce := kb.idCell[ib]; ce != 0 {
				cells[ce-1].cand = append(cells[ce-1].cand, s.item(i))
			} else {
				out[i] = kb.idScr[ib]
			}
		}
	}
	for c := range cells {
		ce := &cells[c]
		s.selectRanks(ce.cand, 0, ce.ranks, 2*bits.Len(uint(len(ce.cand))))
		if s.split {
			// The order is total: once the cut ranks are in place, a customer's score
			// follows from its position.
			e := 0
			for p := range ce.cand {
				for e < len(ce.ranks) && ce.ranks[e] < p {
					e++
				}
				out[ce.cand[p].idx] = uint8(ce.first + e)
			}
			continue
		}
		ends := make([]rfmItem, len(ce.ranks))
		for e, r := range ce.ranks {
			ends[e] = ce.cand[r]
		}
		for k := range ce.cand {
			out[ce.cand[k].idx] = uint8(ce.first + s.below(ends, &ce.cand[k]))
		}
	}
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
