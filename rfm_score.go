package vip

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"

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
// population: a most-significant-digit radix select, linear in the population. From
// 32,768 customers, one pass over pop maps every customer's three values to
// order-preserving 16-bit buckets (recency and frequency are exact from -16,384 to
// 16,383, monetary amounts keep 9 mantissa bits between 2^-14 and 2^48) and counts them,
// reading under TiesSplit the first 4 bytes of each ID (past any prefix all IDs share);
// the counts tell which buckets hold a cut, a second pass scores everyone else from a
// table, and only the customers of the buckets holding a cut are refined, by histograms
// of finer keys: the exact value, then under TiesSplit those 4 ID bytes and the rest of
// the ID 8 bytes at a time. Smaller populations are refined from the start. Sets of up
// to 48 customers are sorted.
//
// Monetary amounts are compared exactly. They are keyed by their nearest float64, which
// keeps their order (correct rounding is monotone) and tells apart any two amounts with
// up to 15 significant digits (and exponents within ±64): such amounts, money in any
// currency, never share a key unless equal. Amounts with more digits can share a key
// while differing; a set of customers sharing a key that holds one is ordered by exact
// decimal comparison instead (amounts with exponents beyond ±64 or more than 64 digits,
// which no currency has, are compared as float64).
//
// The working memory (about 14 bytes a customer, and 1 MB of tables from 32,768
// customers) is kept for the next call, so that repeated scoring allocates little more
// than the result; the garbage collector frees it when calls stop.
func ScoreRFM(pop []RFMInput, opts *ScoreOptions) ([]RFMScore, error) {
	return scoreRFM(pop, opts, rfmBucketMin)
}

// scoreRFM is ScoreRFM with the population size from which the one-pass bucketing
// runs; tests lower it to take small populations through both paths.
func scoreRFM(pop []RFMInput, opts *ScoreOptions, bucketMin int) ([]RFMScore, error) {
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
	sc := rfmPool.Get().(*rfmScratch)
	defer rfmPool.Put(sc)
	s := rfmScorer{pop: pop, out: out, n: uint64(len(pop)), bins: uint64(o.Bins), split: o.Ties == TiesSplit, sc: sc}
	fx := newRFMFixed(&o)
	if len(pop) >= bucketMin {
		s.scoreBuckets(fx)
		return out, nil
	}
	for i := range pop {
		p := &pop[i]
		if !fx.quant[0] {
			out[i].R = fx.r(p)
		}
		if !fx.quant[1] {
			out[i].F = fx.f(p)
		}
		if !fx.quant[2] {
			out[i].M = fx.m(p)
		}
	}
	sc.mem = rfmGrow(sc.mem, len(pop))
	all := sc.mem
	for i := range all {
		all[i] = uint32(i)
	}
	if s.split {
		sc.ids = rfmGrow(sc.ids, len(pop))
		s.ids = sc.ids
		lo, hi := uint32(math.MaxUint32), uint32(0)
		for i := range pop {
			id := pop[i].CustomerID
			k := rfmIDPrefix(id, 0)
			s.ids[i], lo, hi, s.idMax = k, min(lo, k), max(hi, k), max(s.idMax, len(id))
		}
		s.skipIDPrefix(lo, hi)
	}
	nb := 1 << min(rfmBucketBits, bits.Len(uint(len(pop))))
	sc.hist, sc.tag = rfmGrow(sc.hist, nb), rfmGrow(sc.tag, nb)
	s.hist, s.tag = sc.hist, sc.tag
	for d := range rfmDims {
		if fx.quant[d] {
			s.dim = d
			s.solve(all, 0, 0)
		}
	}
	return out, nil
}

// rfmDims is the number of dimensions: R, F and M, numbered 0, 1 and 2.
const rfmDims = 3

// rfmFixed scores the dimensions that have fixed thresholds.
type rfmFixed struct {
	o     *ScoreOptions
	quant [rfmDims]bool // true for a dimension scored by quantiles
	tf    []float64     // the monetary thresholds as float64
}

func newRFMFixed(o *ScoreOptions) *rfmFixed {
	fx := &rfmFixed{o: o, quant: [rfmDims]bool{o.RecencyDays == nil, o.Frequency == nil, o.Monetary == nil}}
	for _, t := range o.Monetary {
		fx.tf = append(fx.tf, rfmDecFloat(t))
	}
	return fx
}

func (fx *rfmFixed) r(p *RFMInput) uint8 {
	return uint8(fx.o.Bins - rfmReached(fx.o.RecencyDays, p.RecencyDays))
}

func (fx *rfmFixed) f(p *RFMInput) uint8 { return uint8(1 + rfmReached(fx.o.Frequency, p.Frequency)) }

// m compares as float64 first: correct rounding keeps the order, so unequal floats
// decide exactly; equal floats fall back to the exact comparison.
func (fx *rfmFixed) m(p *RFMInput) uint8 {
	v := rfmDecFloat(p.Monetary)
	n := 0
	for k, t := range fx.tf {
		if v > t || v == t && rfmCmp(p.Monetary, fx.o.Monetary[k]) >= 0 {
			n++
		}
	}
	return uint8(1 + n)
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

// rfmExactKey reports whether d's float64 key tells it apart from every other amount:
// up to 15 significant digits and an exponent within ±64, so that d lies in float64's
// normal range and a decimal of 15 digits survives the round trip through float64.
func rfmExactKey(d decimal.Decimal) bool {
	e := d.Exponent()
	return e >= -64 && e <= 64 && d.NumDigits() <= 15
}

// rfmIDChunk is bytes [off, off+8) of id, big-endian, zero-padded: comparing the chunks
// of two IDs in turn agrees with comparing the IDs byte by byte, up to IDs that differ
// only in trailing zero bytes.
func rfmIDChunk(id string, off int) uint64 {
	if len(id) >= off+8 {
		id = id[off : off+8]
		return uint64(id[7]) | uint64(id[6])<<8 | uint64(id[5])<<16 | uint64(id[4])<<24 |
			uint64(id[3])<<32 | uint64(id[2])<<40 | uint64(id[1])<<48 | uint64(id[0])<<56
	}
	var k uint64
	for i := off; i < len(id); i++ {
		k |= uint64(id[i]) << (56 - 8*(i-off))
	}
	return k
}

// rfmIDPrefix is bytes [off, off+4) of id, big-endian, zero-padded, like rfmIDChunk.
func rfmIDPrefix(id string, off int) uint32 {
	if len(id) >= off+4 {
		id = id[off : off+4]
		return uint32(id[3]) | uint32(id[2])<<8 | uint32(id[1])<<16 | uint32(id[0])<<24
	}
	var k uint32
	for i := off; i < len(id); i++ {
		k |= uint32(id[i]) << (24 - 8*(i-off))
	}
	return k
}

// rfmBucketBits is the width of the first pass's buckets: 65,536 per dimension.
const rfmBucketBits = 16

// rfmBucketMin is the population size from which the first pass buckets all three
// dimensions at once; smaller populations go straight to the per-dimension selection,
// which is faster for them (the tables of the first pass have 65,536 entries).
const rfmBucketMin = 1 << 15

// rfmExact is the half-width of the window of integers that rfmIntBucket keeps apart.
const rfmExact = 1 << 14

// rfmIntBucket maps v to a 16-bit bucket with the same order (v < w implies
// bucket(v) <= bucket(w)). Values in [-16384, 16384) have a bucket each, buckets
// 16384..49151; larger magnitudes share buckets by bit length and their next 8 bits.
func rfmIntBucket(v int64) uint16 {
	switch {
	case v >= -rfmExact && v < rfmExact:
		return uint16(v + 2*rfmExact)
	case v >= rfmExact:
		l := bits.Len64(uint64(v)) // 15..63
		return uint16(3*rfmExact + ((l-15)<<8 | int(uint64(v)>>(l-9))&255))
	}
	u := uint64(^v) // -v-1, at least rfmExact
	l := bits.Len64(u)
	return uint16(rfmExact - 1 - ((l-15)<<8 | int(u>>(l-9))&255))
}

// The window of float exponents that rfmFloatBucket resolves: 2^-14 to 2^48, 9 mantissa
// bits each.
const (
	rfmFloatE0   = 1023 - 14
	rfmFloatExps = 62
	rfmFloatMant = 9
)

// rfmFloatBucket maps f (not NaN) to a 16-bit bucket with the same order: zero in the
// middle, magnitudes from 2^-14 to 2^48 by exponent and the top 9 mantissa bits (a
// relative width of 1/512), smaller and larger magnitudes in one bucket each per sign.
func rfmFloatBucket(f float64) uint16 {
	const z = 1 << 15
	if f == 0 {
		return z
	}
	b := math.Float64bits(f)
	u := 2 + rfmFloatExps<<rfmFloatMant
	switch e := int(b>>52) & 0x7ff; {
	case e < rfmFloatE0:
		u = 1
	case e < rfmFloatE0+rfmFloatExps:
		u = 2 + ((e-rfmFloatE0)<<rfmFloatMant | int(b>>(52-rfmFloatMant))&(1<<rfmFloatMant-1))
	}
	if b>>63 != 0 {
		return uint16(z - u)
	}
	return uint16(z + u)
}

// rfmScratch is the working memory of one call of scoreRFM: the first pass's buckets
// and tables, the ID prefixes, the members of the sets holding a cut and the keys of
// solve, about 14 bytes a customer plus 1 MB of tables. It is reused between calls
// through rfmPool, so that scoring a large population allocates little more than its
// result: the garbage a call leaves behind is what makes the collector run, and each of
// its cycles marks the caller's whole heap (the population itself: a million decimals
// and IDs). None of it is visible outside a call; its contents are never read before
// the call writes them (hist is cleared first).
type rfmScratch struct {
	bk   []uint16 // rfmDims buckets per customer
	ids  []uint32
	mem  []uint32
	keys []uint64
	tab  *rfmTables // the first pass's, 1 MB
	// idHist holds the ids histograms of the large one-value sets (see rfmSet).
	idHist []uint32
	hist   []uint32 // solve's without the first pass, up to 2^16 entries
	tag    []uint8
}

// rfmTables are the first pass's histograms and bucket tables, one per dimension.
type rfmTables struct {
	hist [rfmDims][1 << rfmBucketBits]uint32
	tab  [rfmDims][1 << rfmBucketBits]uint8
}

// tables returns sc's tables, allocating them on first use.
func (sc *rfmScratch) tables() *rfmTables {
	if sc.tab == nil {
		sc.tab = new(rfmTables)
	}
	return sc.tab
}

// rfmPool holds scratch between calls. A sync.Pool drops what it holds at the second
// garbage collection without use, so the memory of a large scoring does not stay
// behind for long; it is safe for concurrent calls, each of which takes its own.
var rfmPool = sync.Pool{New: func() any { return new(rfmScratch) }}

// rfmGrow returns b resized to n, reallocated when its capacity is short. The contents
// are not cleared.
func rfmGrow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// rfmScorer scores the quantile dimensions of a population.
type rfmScorer struct {
	sc *rfmScratch

	pop   []RFMInput
	out   []RFMScore
	n     uint64 // len(pop)
	bins  uint64
	split bool
	dim   int // the dimension being refined: 0 R, 1 F, 2 M

	// Under TiesSplit, ids holds bytes [idOff, idOff+4) of every customer's ID (see
	// rfmIDPrefix); every ID shares the idOff bytes before. idMax is the longest ID.
	ids   []uint32
	idOff int
	idMax int

	// Scratch for solve, which finishes with them before it recurses; sc.keys grows on
	// demand.
	hist []uint32
	tag  []uint8
}

// rankScore is the score at rank r (0-based) under TiesSplit: floor(r bins / n) + 1.
// Under TiesTogether a customer scores rankScore of the first rank of its value.
func (s *rfmScorer) rankScore(r int) uint8 { return uint8(uint64(r)*s.bins/s.n + 1) }

// set writes customer i's score on the current dimension.
func (s *rfmScorer) set(i uint32, v uint8) {
	switch s.dim {
	case 0:
		s.out[i].R = v
	case 1:
		s.out[i].F = v
	default:
		s.out[i].M = v
	}
}

func (s *rfmScorer) setAll(mem []uint32, v uint8) {
	for _, i := range mem {
		s.set(i, v)
	}
}

// valueKey is customer i's order key on the current dimension.
func (s *rfmScorer) valueKey(i uint32) uint64 {
	p := &s.pop[i]
	switch s.dim {
	case 0:
		return rfmIntKey(^p.RecencyDays)
	case 1:
		return rfmIntKey(p.Frequency)
	}
	return rfmFloatKey(rfmDecFloat(p.Monetary))
}

// skipIDPrefix moves ids past the bytes every ID shares, given the smallest and largest
// of them, so that they tell the customers apart: IDs such as "customer-000123" share
// their first 8 bytes. It returns the smallest and largest of the new ids.
func (s *rfmScorer) skipIDPrefix(lo, hi uint32) (uint32, uint32) {
	for lo == hi && s.idOff+4 < s.idMax {
		s.idOff += 4
		lo, hi = math.MaxUint32, 0
		for i := range s.pop {
			k := rfmIDPrefix(s.pop[i].CustomerID, s.idOff)
			s.ids[i], lo, hi = k, min(lo, k), max(hi, k)
		}
	}
	return lo, hi
}

// rfmSet is a set of customers holding a cut: they take the ranks [start, start+len) of
// the order, and their indices are mem[off:off+n].
type rfmSet struct {
	start, off, n int
	level         int // the first level of keys on which they may differ
	fill          int // customers placed so far
	// hist, for a large set of one integer value under TiesSplit, counts its customers
	// by ids bucket (id-idLo)>>idShift as scoreBuckets places them.
	hist []uint32
}

// rfmIDBits is the width of the ids histograms that scoreBuckets fills while it places
// the customers of large one-value sets: 4,096 buckets each.
const rfmIDBits = 12

// fused reports whether scoreBuckets histograms st's ids as it places its customers: a
// set of one value (level 1, so under TiesSplit) of at least 2^rfmIDBits customers, for
// which the histogram costs less than the passes of solve it saves.
func (st *rfmSet) fused() bool { return st.level == 1 && st.n >= 1<<rfmIDBits }

// scoreBuckets scores a population of at least rfmBucketMin customers: one pass buckets
// all three dimensions and counts the buckets, a second scores every customer outside
// the buckets that hold a cut, and solve refines those.
func (s *rfmScorer) scoreBuckets(fx *rfmFixed) {
	pop, out, sc := s.pop, s.out, s.sc
	sc.bk = rfmGrow(sc.bk, rfmDims*len(pop))
	bk := sc.bk
	tables := sc.tables()
	hist, tab := &tables.hist, &tables.tab
	clear(hist[:])
	idLo, idHi := uint32(math.MaxUint32), uint32(0)
	if s.split {
		sc.ids = rfmGrow(sc.ids, len(pop))
		s.ids = sc.ids
	}
	for i := range pop {
		p := &pop[i]
		if s.ids != nil {
			// Read with the rest of the customer: far cheaper than on demand.
			k := rfmIDPrefix(p.CustomerID, 0)
			s.ids[i], idLo, idHi, s.idMax = k, min(idLo, k), max(idHi, k), max(s.idMax, len(p.CustomerID))
		}
		var r, f, m uint16
		if fx.quant[0] {
			r = rfmIntBucket(^p.RecencyDays)
		} else {
			r = uint16(fx.r(p))
		}
		if fx.quant[1] {
			f = rfmIntBucket(p.Frequency)
		} else {
			f = uint16(fx.f(p))
		}
		if fx.quant[2] {
			m = rfmFloatBucket(rfmDecFloat(p.Monetary))
		} else {
			m = uint16(fx.m(p))
		}
		b := bk[rfmDims*i : rfmDims*i+rfmDims : rfmDims*i+rfmDims]
		b[0], b[1], b[2] = r, f, m
		hist[0][r]++
		hist[1][f]++
		hist[2][m]++
	}

	if s.ids != nil {
		idLo, idHi = s.skipIDPrefix(idLo, idHi)
	}

	// tab holds a bucket's score, or 128 + the index of its set when it holds a cut.
	// Every bucket read below is written first.
	var sets [rfmDims][]rfmSet
	total, fused := 0, 0
	for d := range rfmDims {
		if !fx.quant[d] {
			for v := 1; v <= int(s.bins); v++ {
				tab[d][v] = uint8(v)
			}
			continue
		}
		r := 0
		for b, c := range &hist[d] {
			if c == 0 {
				continue
			}
			first, last := s.rankScore(r), s.rankScore(r+int(c)-1)
			one := d < 2 && b >= rfmExact && b < 3*rfmExact // one integer value
			if first == last || one && !s.split {
				tab[d][b] = first
			} else {
				level := 0
				if one {
					level = 1 // straight to the IDs
				}
				tab[d][b] = uint8(128 + len(sets[d]))
				sets[d] = append(sets[d], rfmSet{start: r, off: total, n: int(c), level: level})
				total += int(c)
				if sets[d][len(sets[d])-1].fused() {
					fused++
				}
			}
			r += int(c)
		}
	}
	// The customers of a large one-value set are placed with a histogram of their ids,
	// all sets on one grid: solve need not go over them twice more to find it.
	var idShift int
	if fused > 0 {
		idShift = max(0, bits.Len32(idHi-idLo)-rfmIDBits)
		nb := int((idHi-idLo)>>idShift) + 1
		sc.idHist = rfmGrow(sc.idHist, fused*nb)
		clear(sc.idHist)
		k := 0
		for d := range sets {
			for j := range sets[d] {
				if st := &sets[d][j]; st.fused() {
					st.hist = sc.idHist[k*nb : (k+1)*nb : (k+1)*nb]
					k++
				}
			}
		}
	}
	sc.mem = rfmGrow(sc.mem, total)
	mem, ids := sc.mem, s.ids
	place := func(st *rfmSet, i int) {
		mem[st.off+st.fill] = uint32(i)
		st.fill++
		if st.hist != nil {
			st.hist[(ids[i]-idLo)>>idShift]++
		}
	}
	for i := range out {
		b := bk[rfmDims*i : rfmDims*i+rfmDims : rfmDims*i+rfmDims]
		x, y, z := tab[0][b[0]], tab[1][b[1]], tab[2][b[2]]
		if x|y|z >= 128 {
			if x >= 128 {
				place(&sets[0][x-128], i)
				x = 0
			}
			if y >= 128 {
				place(&sets[1][y-128], i)
				y = 0
			}
			if z >= 128 {
				place(&sets[2][z-128], i)
				z = 0
			}
		}
		out[i] = RFMScore{R: x, F: y, M: z}
	}
	if total == 0 {
		return
	}
	s.hist = hist[0][:]
	s.tag = tab[0][:]
	for d := range rfmDims {
		s.dim = d
		for _, st := range sets[d] {
			if st.hist != nil {
				s.divide(mem[st.off:st.off+st.n], nil, st.start, st.level, uint64(idLo), idShift, st.hist)
			} else {
				s.solve(mem[st.off:st.off+st.n], st.start, st.level)
			}
		}
	}
}

// rfmSortMax is the size up to which solve sorts a set instead of bucketing it.
const rfmSortMax = 48

// solve scores the customers mem, who take the ranks [start, start+len(mem)) of the
// order on the current dimension and agree on every level of keys before level. Level
// 0 is the value; under TiesSplit, level 1 is ids (ID bytes [idOff, idOff+4)) and level
// l >= 2 ID bytes [idEnd(l-1), idEnd(l)). It buckets them by the level's keys (at most
// 2^16 buckets, fewer for small sets), scores the buckets without a cut and recurses
// into the others, going down a level once a bucket holds a single key.
func (s *rfmScorer) solve(mem []uint32, start, level int) {
	m := len(mem)
	if m == 0 {
		return
	}
	if first := s.rankScore(start); first == s.rankScore(start+m-1) {
		s.setAll(mem, first)
		return
	}
	if m <= rfmSortMax {
		s.sortSolve(mem, start)
		return
	}
	// Level 1 reads ids in place; the others write their keys to s.keys.
	var keys []uint64
	if level != 1 && len(s.sc.keys) < m {
		s.sc.keys = make([]uint64, m)
	}
	lo, hi := uint64(math.MaxUint64), uint64(0)
	switch {
	case level == 1:
		l, h := uint32(math.MaxUint32), uint32(0)
		for _, i := range mem {
			v := s.ids[i]
			l, h = min(l, v), max(h, v)
		}
		lo, hi = uint64(l), uint64(h)
	case level > 1:
		keys = s.sc.keys[:m]
		off := s.idEnd(level - 1)
		for k, i := range mem {
			v := rfmIDChunk(s.pop[i].CustomerID, off)
			keys[k], lo, hi = v, min(lo, v), max(hi, v)
		}
	case s.dim == 0:
		keys = s.sc.keys[:m]
		for k, i := range mem {
			v := rfmIntKey(^s.pop[i].RecencyDays)
			keys[k], lo, hi = v, min(lo, v), max(hi, v)
		}
	case s.dim == 1:
		keys = s.sc.keys[:m]
		for k, i := range mem {
			v := rfmIntKey(s.pop[i].Frequency)
			keys[k], lo, hi = v, min(lo, v), max(hi, v)
		}
	default:
		keys = s.sc.keys[:m]
		for k, i := range mem {
			v := rfmFloatKey(rfmDecFloat(s.pop[i].Monetary))
			keys[k], lo, hi = v, min(lo, v), max(hi, v)
		}
	}
	if lo == hi {
		s.tied(mem, start, level)
		return
	}
	shift := max(0, bits.Len64(hi-lo)-min(rfmBucketBits, bits.Len(uint(m))))
	nb := int((hi-lo)>>shift) + 1
	hist := s.hist[:nb]
	clear(hist)
	if keys == nil {
		for _, i := range mem {
			hist[(uint64(s.ids[i])-lo)>>shift]++
		}
	} else {
		for _, v := range keys {
			hist[(v-lo)>>shift]++
		}
	}
	s.divide(mem, keys, start, level, lo, shift, hist)
}

// divide is the rest of solve: given hist, the number of customers of mem in each
// bucket (key-lo)>>shift of their keys on level (keys[k] for mem[k], or ids when keys is
// nil), it scores the customers of the buckets without a cut and solves the others,
// within the bucket's level while shift > 0. It finishes with hist and s.tag before it
// recurses.
func (s *rfmScorer) divide(mem []uint32, keys []uint64, start, level int, lo uint64, shift int, hist []uint32) {
	tag := s.tag[:len(hist)]
	var sets []rfmSet
	r, total := start, 0
	for b, c := range hist {
		if c == 0 {
			continue
		}
		if first := s.rankScore(r); first == s.rankScore(r+int(c)-1) {
			tag[b] = first
		} else {
			tag[b] = 0
			hist[b] = uint32(total) // from now on, where the bucket's next customer goes
			sets = append(sets, rfmSet{start: r, off: total, n: int(c)})
			total += int(c)
		}
		r += int(c)
	}
	sub := make([]uint32, total)
	for k, i := range mem {
		var b uint64
		if keys == nil {
			b = (uint64(s.ids[i]) - lo) >> shift
		} else {
			b = (keys[k] - lo) >> shift
		}
		if v := tag[b]; v != 0 {
			s.set(i, v)
			continue
		}
		sub[hist[b]] = i
		hist[b]++
	}
	for _, st := range sets {
		if shift == 0 {
			s.tied(sub[st.off:st.off+st.n], st.start, level)
		} else {
			s.solve(sub[st.off:st.off+st.n], st.start, level)
		}
	}
}

// idEnd is the end of the ID bytes that levels 1 to level cover.
func (s *rfmScorer) idEnd(level int) int { return s.idOff + 4 + 8*(level-1) }

// tied scores customers who share their key on level (see solve).
func (s *rfmScorer) tied(mem []uint32, start, level int) {
	m := len(mem)
	if first := s.rankScore(start); first == s.rankScore(start+m-1) {
		s.setAll(mem, first)
		return
	}
	if level == 0 {
		if s.dim == 2 {
			// Equal float keys are equal amounts unless one has more than 15 digits.
			for _, i := range mem {
				if !rfmExactKey(s.pop[i].Monetary) {
					s.sortSolve(mem, start)
					return
				}
			}
		}
		if !s.split {
			s.setAll(mem, s.rankScore(start))
			return
		}
	} else if s.idEnd(level) >= s.idMax {
		// IDs equal when zero-padded: repeated IDs, or IDs that differ in trailing zero
		// bytes, which the comparison sorts out.
		s.sortSolve(mem, start)
		return
	}
	s.solve(mem, start, level+1)
}

// rfmItem is one customer in sortSolve: its value key and its index.
type rfmItem struct {
	key uint64
	idx uint32
}

// cmp is the order of the current dimension: by value (amounts exactly), then under
// TiesSplit by customer ID and by index.
func (s *rfmScorer) cmp(a, b rfmItem) int {
	if a.key != b.key {
		if a.key < b.key {
			return -1
		}
		return 1
	}
	if s.dim == 2 {
		if c := rfmCmp(s.pop[a.idx].Monetary, s.pop[b.idx].Monetary); c != 0 {
			return c
		}
	}
	if !s.split {
		return 0
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

// sortSolve scores mem (as in solve) by sorting it: used for small sets, and for the
// rare sets whose keys cannot tell them apart (amounts of more than 15 digits sharing a
// float64, repeated IDs).
func (s *rfmScorer) sortSolve(mem []uint32, start int) {
	items := make([]rfmItem, len(mem))
	for k, i := range mem {
		items[k] = rfmItem{key: s.valueKey(i), idx: i}
	}
	slices.SortFunc(items, s.cmp)
	first := 0
	for p := range items {
		if s.split || p > 0 && s.cmp(items[p-1], items[p]) != 0 {
			first = p
		}
		s.set(items[p].idx, s.rankScore(start+first))
	}
}
