package vip

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// This file finds thresholds in the data: natural breaks (Fisher-Jenks) and the
// exclusivity check of a set of tier thresholds.

// DefaultJenksExact is the number of distinct values up to which [NaturalBreaks] is exact.
const DefaultJenksExact = 2000

// JenksOptions configures [NaturalBreaks]. A nil *JenksOptions means the defaults.
//
// The zero value means exact up to DefaultJenksExact distinct values. A plain value, safe
// for concurrent use.
type JenksOptions struct {
	// MaxExact is the number of distinct values up to which the breaks are exact; above
	// it the sorted values are cut into MaxExact groups of about equal count and breaks
	// fall only between groups. 0 means DefaultJenksExact; at least 2 otherwise.
	MaxExact int `json:"max_exact,omitempty"`
}

// NaturalBreaks returns the k-1 natural breaks of values for k classes by Fisher's exact
// method (the Jenks optimisation): the classes of consecutive sorted values that minimise
// the total within-class sum of squared deviations. Each break is the smallest value of
// its class, so a break works as a tier threshold ("value >= break"). Breaks ascend; the
// first class starts at the smallest value.
//
// The optimisation runs in float64 over the distinct values weighted by their counts, in
// O(k m^2) for m distinct values. With more than opts.MaxExact distinct values, the sorted
// values are first cut into MaxExact groups of about equal count (equal values never
// split) and the optimisation runs over the groups (class costs stay exact, only the
// candidate break points are thinned); then each break moves to the best distinct value
// within a few groups of it, the other breaks fixed, until none moves. That is a local
// optimum, exact in the tests on clustered data, not a proven global one.
// When there are fewer distinct values than k, there are fewer breaks.
func NaturalBreaks(values []decimal.Decimal, k int, opts *JenksOptions) ([]decimal.Decimal, error) {
	var o JenksOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxExact == 0 {
		o.MaxExact = DefaultJenksExact
	}
	var errs []error
	if k < 2 {
		errs = append(errs, errorf(ErrInvalidScoring, "natural breaks: k %d is below 2", k))
	}
	if o.MaxExact < 2 {
		errs = append(errs, errorf(ErrInvalidScoring, "natural breaks: max_exact %d is below 2", o.MaxExact))
	}
	if len(values) == 0 {
		errs = append(errs, errorf(ErrInvalidScoring, "natural breaks: no values"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	xs := slices.Clone(values)
	slices.SortFunc(xs, decimal.Decimal.Cmp)

	// Distinct values with their counts, as prefix sums of count, sum and sum of squares.
	var starts []int // index in xs of each distinct value
	for i := range xs {
		if i == 0 || !xs[i].Equal(xs[i-1]) {
			starts = append(starts, i)
		}
	}
	d := len(starts)
	W := make([]float64, d+1)
	S := make([]float64, d+1)
	Q := make([]float64, d+1)
	for i, st := range starts {
		end := len(xs)
		if i+1 < d {
			end = starts[i+1]
		}
		x, w := xs[st].InexactFloat64(), float64(end-st)
		W[i+1], S[i+1], Q[i+1] = W[i]+w, S[i]+w*x, Q[i]+w*x*x
	}
	// cost of a class holding distinct values a..b-1.
	cost := func(a, b int) float64 {
		w, s, q := W[b]-W[a], S[b]-S[a], Q[b]-Q[a]
		return math.Max(0, q-s*s/w)
	}
	// Candidate class starts: every distinct value, or with too many, the first distinct
	// value of each of about MaxExact groups of equal count.
	cand := make([]int, 0, min(d, o.MaxExact)+1)
	per := float64(len(xs)) / float64(o.MaxExact)
	for i := 0; i < d; i++ {
		if d <= o.MaxExact || len(cand) == 0 || W[i]-W[cand[len(cand)-1]] >= per {
			cand = append(cand, i)
		}
	}
	m := len(cand)
	cand = append(cand, d) // sentinel: the end
	if k > m {
		k = m
	}
	if k < 2 {
		return nil, nil
	}
	// best[c][j]: least cost of c+1 classes over candidate groups 0..j; from[c][j]: the
	// first group of the last class.
	best := make([][]float64, k)
	from := make([][]int, k)
	for c := range best {
		best[c] = make([]float64, m)
		from[c] = make([]int, m)
	}
	for j := 0; j < m; j++ {
		best[0][j] = cost(0, cand[j+1])
	}
	for c := 1; c < k; c++ {
		for j := c; j < m; j++ {
			b, f := math.Inf(1), c
			for i := c; i <= j; i++ { // the last class is groups i..j
				if v := best[c-1][i-1] + cost(cand[i], cand[j+1]); v < b {
					b, f = v, i
				}
			}
			best[c][j], from[c][j] = b, f
		}
	}
	// br holds the distinct-value index where each class starts, plus 0 and d at the ends.
	br := make([]int, k+1)
	br[k] = d
	j := m - 1
	for c := k - 1; c >= 1; c-- {
		i := from[c][j]
		br[c] = cand[i]
		j = i - 1
	}
	if d > o.MaxExact {
		// Grouped: move each break to the best distinct value between its neighbours'
		// groups, the others fixed, until nothing moves (at most a few passes).
		for pass := 0; pass < 8; pass++ {
			moved := false
			for c := 1; c < k; c++ {
				lo, hi := br[c-1]+1, br[c+1]-1
				bi, bv := br[c], cost(br[c-1], br[c])+cost(br[c], br[c+1])
				// Only look near the current break: one group each side.
				g := int(per) + 1
				for x := max(lo, br[c]-4*g); x <= min(hi, br[c]+4*g); x++ {
					if v := cost(br[c-1], x) + cost(x, br[c+1]); v < bv {
						bi, bv = x, v
					}
				}
				if bi != br[c] {
					br[c], moved = bi, true
				}
			}
			if !moved {
				break
			}
		}
	}
	breaks := make([]decimal.Decimal, k-1)
	for c := 1; c < k; c++ {
		breaks[c-1] = xs[starts[br[c]]]
	}
	return breaks, nil
}

// ExclusivityOptions sets the band of [Exclusivity]. A zero field means its default.
//
// The zero value means the brief's band: 10% to 20% of customers. A plain value, safe for
// concurrent use.
type ExclusivityOptions struct {
	Low  decimal.Decimal `json:"low,omitzero"`
	High decimal.Decimal `json:"high,omitzero"`
}

// TierShare is one tier's place in an [ExclusivityReport]. The zero value is an empty
// tier; a plain value, safe for concurrent use.
type TierShare struct {
	Name      string          `json:"name"`
	Threshold decimal.Decimal `json:"threshold"`
	// Customers holds this tier: value >= Threshold and below the next tier's threshold.
	Customers int `json:"customers"`
	// Share is Customers over all customers, DivRound to 4 places.
	Share decimal.Decimal `json:"share"`
	// AtOrAbove counts customers in this tier or a higher one; AtOrAboveShare their share.
	AtOrAbove      int             `json:"at_or_above"`
	AtOrAboveShare decimal.Decimal `json:"at_or_above_share"`
	// OutsideBand reports whether Share is below Low or above High.
	OutsideBand bool `json:"outside_band"`
}

// ExclusivityReport says how many customers each tier of a proposed ladder would hold.
// The brief aims for 10-20% of customers in VIP tiers: "if 40% of customers are VIP it
// is not exclusive".
//
// The zero value is a report on no customers. A plain value, safe for concurrent use.
type ExclusivityReport struct {
	Customers int             `json:"customers"`
	Low       decimal.Decimal `json:"low"`
	High      decimal.Decimal `json:"high"`
	Tiers     []TierShare     `json:"tiers"`
	// VIP counts customers in any tier (at or above the lowest threshold); VIPShare is
	// their share and VIPOutsideBand reports whether it lies outside the band.
	VIP            int             `json:"vip"`
	VIPShare       decimal.Decimal `json:"vip_share"`
	VIPOutsideBand bool            `json:"vip_outside_band"`
}

// Exclusivity reports the share of customers each tier would hold if values (one per
// customer, e.g. 12-month net spend) were placed by thresholds (strictly ascending, one
// per tier, lowest tier first) and flags every share outside the band. Shares are
// DivRound to 4 places; the band comparisons are exact.
func Exclusivity(values []decimal.Decimal, names []string, thresholds []decimal.Decimal, opts *ExclusivityOptions) (ExclusivityReport, error) {
	var o ExclusivityOptions
	if opts != nil {
		o = *opts
	}
	if o.Low.IsZero() {
		o.Low = decimal.RequireFromString("0.10")
	}
	if o.High.IsZero() {
		o.High = decimal.RequireFromString("0.20")
	}
	var errs []error
	if len(names) != len(thresholds) {
		errs = append(errs, errorf(ErrInvalidScoring, "exclusivity: %d names for %d thresholds", len(names), len(thresholds)))
	}
	if len(thresholds) == 0 {
		errs = append(errs, errorf(ErrInvalidScoring, "exclusivity: no thresholds"))
	}
	for i, t := range thresholds {
		if !rfmSane(t) {
			return ExclusivityReport{}, errorf(ErrInvalidScoring, "exclusivity: threshold %d has %d digits and exponent %d, outside what vip compares", i, t.NumDigits(), t.Exponent())
		}
	}
	if !rfmSane(o.Low) || !rfmSane(o.High) {
		return ExclusivityReport{}, errorf(ErrInvalidScoring, "exclusivity: band bounds outside what vip compares")
	}
	for i := 1; i < len(thresholds); i++ {
		if !thresholds[i].GreaterThan(thresholds[i-1]) {
			errs = append(errs, errorf(ErrInvalidScoring, "exclusivity: threshold %d (%s) is not above %s", i, thresholds[i], thresholds[i-1]))
		}
	}
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			errs = append(errs, errorf(ErrInvalidScoring, "exclusivity: tier %d has no name", i))
		}
	}
	if o.Low.IsNegative() || o.High.GreaterThan(decimal.NewFromInt(1)) || o.Low.GreaterThan(o.High) {
		errs = append(errs, errorf(ErrInvalidScoring, "exclusivity: band [%s, %s] is not within [0, 1] with low <= high", o.Low, o.High))
	}
	if err := errors.Join(errs...); err != nil {
		return ExclusivityReport{}, err
	}
	r := ExclusivityReport{Customers: len(values), Low: o.Low, High: o.High, Tiers: make([]TierShare, len(thresholds))}
	for _, v := range values {
		// The highest tier whose threshold v reaches.
		t := -1
		for i := len(thresholds) - 1; i >= 0; i-- {
			if rfmCmp(v, thresholds[i]) >= 0 {
				t = i
				break
			}
		}
		if t >= 0 {
			r.Tiers[t].Customers++
		}
	}
	n := decimal.NewFromInt(int64(len(values)))
	outside := func(count int) bool {
		c := decimal.NewFromInt(int64(count))
		return c.LessThan(o.Low.Mul(n)) || c.GreaterThan(o.High.Mul(n))
	}
	above := 0
	for i := len(thresholds) - 1; i >= 0; i-- {
		ts := &r.Tiers[i]
		ts.Name, ts.Threshold = names[i], thresholds[i]
		above += ts.Customers
		ts.AtOrAbove = above
		ts.Share = rfmShare(decimal.NewFromInt(int64(ts.Customers)), n)
		ts.AtOrAboveShare = rfmShare(decimal.NewFromInt(int64(above)), n)
		ts.OutsideBand = outside(ts.Customers)
	}
	r.VIP = above
	r.VIPShare = rfmShare(decimal.NewFromInt(int64(above)), n)
	r.VIPOutsideBand = outside(above)
	return r, nil
}
