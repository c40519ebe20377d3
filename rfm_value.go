package vip

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file ranks customers by value: ABC classes, concentration, service levels, the
// composite value score, projected-value signals and behavioural segments.

// CustomerValue is one customer's value for ranking: net spend, margin, CLV or a
// [ValueScores] result.
//
// The zero value is a customer without ID worth nothing. A plain value, safe for
// concurrent use.
type CustomerValue struct {
	CustomerID string          `json:"customer_id"`
	Value      decimal.Decimal `json:"value"`
}

// ServiceLevel is the attention a customer gets by rank (brief, section 3). The zero
// value "" is no level.
type ServiceLevel string

// Service levels, from most to least personal.
const (
	ServiceWhiteGlove    ServiceLevel = "white-glove"    // manual care
	ServiceSemiAutomated ServiceLevel = "semi-automated" // automated with human oversight
	ServiceAutomated     ServiceLevel = "automated"      // fully automated but personal
	ServiceStandard      ServiceLevel = "standard"
)

// RankOptions configures [Rank]. A nil *RankOptions means the defaults; a zero field
// means its default.
//
// The zero value means ABC classes A to 80% and B to 95% of value, and service levels
// white-glove for the top 1%, semi-automated to 5%, automated to 20%. It is a plain value
// with JSON tags, safe for concurrent use.
type RankOptions struct {
	// A and B are the cumulative shares of value that close classes A and B.
	A decimal.Decimal `json:"a,omitzero"`
	B decimal.Decimal `json:"b,omitzero"`
	// WhiteGlove, SemiAutomated and Automated are shares of customers by rank.
	WhiteGlove    decimal.Decimal `json:"white_glove,omitzero"`
	SemiAutomated decimal.Decimal `json:"semi_automated,omitzero"`
	Automated     decimal.Decimal `json:"automated,omitzero"`
}

func (o RankOptions) withDefaults() RankOptions {
	def := func(d *decimal.Decimal, s string) {
		if d.IsZero() {
			*d = decimal.RequireFromString(s)
		}
	}
	def(&o.A, "0.80")
	def(&o.B, "0.95")
	def(&o.WhiteGlove, "0.01")
	def(&o.SemiAutomated, "0.05")
	def(&o.Automated, "0.20")
	return o
}

// Validate reports every problem with o at once: each cut-off must lie in (0, 1], with
// A below B and WhiteGlove <= SemiAutomated <= Automated.
func (o RankOptions) Validate() error {
	o = o.withDefaults()
	var errs []error
	one := decimal.NewFromInt(1)
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"a", o.A}, {"b", o.B}, {"white_glove", o.WhiteGlove}, {"semi_automated", o.SemiAutomated}, {"automated", o.Automated}} {
		if !rfmSane(f.v) {
			return errorf(ErrInvalidScoring, "rank: %s has exponent %d, outside what vip compares", f.name, f.v.Exponent())
		}
		if !f.v.IsPositive() || f.v.GreaterThan(one) {
			errs = append(errs, errorf(ErrInvalidScoring, "rank: %s %s is outside (0, 1]", f.name, f.v))
		}
	}
	if !o.A.LessThan(o.B) {
		errs = append(errs, errorf(ErrInvalidScoring, "rank: a %s is not below b %s", o.A, o.B))
	}
	if o.WhiteGlove.GreaterThan(o.SemiAutomated) || o.SemiAutomated.GreaterThan(o.Automated) {
		errs = append(errs, errorf(ErrInvalidScoring, "rank: service cut-offs %s, %s, %s do not ascend", o.WhiteGlove, o.SemiAutomated, o.Automated))
	}
	return errors.Join(errs...)
}

// Ranked is one customer's place in a ranking by value.
//
// The zero value is not a ranking result. A plain value, safe for concurrent use.
type Ranked struct {
	CustomerID string          `json:"customer_id"`
	Value      decimal.Decimal `json:"value"`
	// Rank is 1 for the most valuable customer; equal values are ranked by customer ID.
	Rank int `json:"rank"`
	// CumulativeShare is the share of the total value held by this customer and every
	// customer ranked above, DivRound to 4 places.
	CumulativeShare decimal.Decimal `json:"cumulative_share"`
	// Class is "A", "B" or "C".
	Class   string       `json:"class"`
	Service ServiceLevel `json:"service"`
}

// Rank sorts customers by value (highest first, equal values by customer ID) and gives
// each an ABC class and a service level.
//
// ABC: a customer is in class A when the customers ranked above it hold less than A (80%)
// of the total value, so the customer who crosses 80% is still A; likewise B up to B
// (95%); the rest are C. The comparisons are exact (no division). Only positive values
// count toward the total; a customer with a value of zero or less is C and standard.
//
// Service levels: with n customers, ranks 1 to ceil(WhiteGlove x n) are white-glove, then
// up to ceil(SemiAutomated x n) semi-automated, up to ceil(Automated x n) automated, the
// rest standard. In a small population the top 1% is still one customer.
func Rank(values []CustomerValue, opts *RankOptions) ([]Ranked, error) {
	var o RankOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	out := make([]Ranked, len(values))
	for i, v := range values {
		out[i] = Ranked{CustomerID: v.CustomerID, Value: v.Value}
	}
	slices.SortStableFunc(out, func(a, b Ranked) int {
		if c := b.Value.Cmp(a.Value); c != 0 {
			return c
		}
		return strings.Compare(a.CustomerID, b.CustomerID)
	})
	var total sum
	for _, r := range out {
		if r.Value.IsPositive() {
			total.add(r.Value)
		}
	}
	t := total.decimal()
	aCut, bCut := o.A.Mul(t), o.B.Mul(t)
	n := decimal.NewFromInt(int64(len(out)))
	wg := rfmCeil(o.WhiteGlove.Mul(n))
	sa := rfmCeil(o.SemiAutomated.Mul(n))
	au := rfmCeil(o.Automated.Mul(n))
	var run sum
	for i := range out {
		r := &out[i]
		r.Rank = i + 1
		before := run.decimal()
		pos := r.Value.IsPositive()
		if pos {
			run.add(r.Value)
		}
		r.CumulativeShare = rfmShare(run.decimal(), t)
		switch {
		case !pos:
			r.Class = "C"
		case before.LessThan(aCut):
			r.Class = "A"
		case before.LessThan(bCut):
			r.Class = "B"
		default:
			r.Class = "C"
		}
		switch {
		case !pos:
			r.Service = ServiceStandard
		case r.Rank <= wg:
			r.Service = ServiceWhiteGlove
		case r.Rank <= sa:
			r.Service = ServiceSemiAutomated
		case r.Rank <= au:
			r.Service = ServiceAutomated
		default:
			r.Service = ServiceStandard
		}
	}
	return out, nil
}

// rfmCeil returns d rounded up to an integer.
func rfmCeil(d decimal.Decimal) int { return int(d.Ceil().IntPart()) }

// Concentration describes how value is spread over customers: the brief's Pareto check.
//
// The zero value describes an empty population. A plain value, safe for concurrent use.
type Concentration struct {
	Customers int             `json:"customers"`
	Total     decimal.Decimal `json:"total"`
	// Top1, Top5, Top10 and Top20 are the shares of Total held by the ceil(p x n) most
	// valuable customers for p = 1%, 5%, 10%, 20%, DivRound to 4 places.
	Top1  decimal.Decimal `json:"top1"`
	Top5  decimal.Decimal `json:"top5"`
	Top10 decimal.Decimal `json:"top10"`
	Top20 decimal.Decimal `json:"top20"`
	// Gini is the Gini coefficient of the values, 0 (all equal) to (n-1)/n (one customer
	// holds everything): sum over ascending values of (2i - n - 1) x_i, divided by
	// n x Total, DivRound to 4 places.
	Gini decimal.Decimal `json:"gini"`
}

// Concentrate measures the concentration of values. Values of zero or less count as zero
// (a customer whose refunds exceed their spend holds no share of the value). It sorts a
// copy of the values.
func Concentrate(values []CustomerValue) Concentration {
	n := len(values)
	xs := make([]decimal.Decimal, n)
	for i, v := range values {
		xs[i] = v.Value
		if !xs[i].IsPositive() {
			xs[i] = decimal.Zero
		}
	}
	slices.SortFunc(xs, func(a, b decimal.Decimal) int { return b.Cmp(a) }) // descending
	var total, gini sum
	for i, x := range xs {
		total.add(x)
		// descending position i is ascending position n-i (1-based): 2(n-i) - n - 1 = n - 2i - 1
		gini.addProduct(x, int64(n-2*i-1))
	}
	c := Concentration{Customers: n, Total: total.decimal()}
	top := func(p string) decimal.Decimal {
		k := rfmCeil(decimal.RequireFromString(p).Mul(decimal.NewFromInt(int64(n))))
		var s sum
		for _, x := range xs[:k] {
			s.add(x)
		}
		return rfmShare(s.decimal(), c.Total)
	}
	c.Top1, c.Top5, c.Top10, c.Top20 = top("0.01"), top("0.05"), top("0.10"), top("0.20")
	if c.Total.IsPositive() {
		c.Gini = gini.decimal().DivRound(c.Total.Mul(decimal.NewFromInt(int64(n))), 4)
	}
	return c
}

// ValueWeights weighs the brief's seven value metrics in [ValueScores]. Each metric is
// turned into the share of customers with a strictly lower value of it (0 for the lowest,
// near 1 for the highest), so weights compare metrics, not units.
//
// The zero value weighs nothing; start from [DefaultValueWeights]. A plain value, safe for
// concurrent use.
type ValueWeights struct {
	Frequency float64 `json:"frequency"`  // 1. orders in the window
	AOV       float64 `json:"aov"`        // 2. average order value
	FullPrice float64 `json:"full_price"` // 2. share of spend at full price
	Margin    float64 `json:"margin"`     // 3. margin contribution
	CLV       float64 `json:"clv"`        // 4. lifetime margin (historical CLV)
	Premium   float64 `json:"premium"`    // 5. share of spend in the most profitable lines
	Advocacy  float64 `json:"advocacy"`   // 7. referrals + reviews + user content + social shares
	// Returns and Support are penalties (6. indirect costs): they lower the score.
	Returns float64 `json:"returns"` // return rate
	Support float64 `json:"support"` // support contacts
}

// DefaultValueWeights returns the documented defaults: frequency 0.20, AOV 0.10, full
// price 0.05, margin 0.25, CLV 0.20, premium lines 0.05, advocacy 0.15 (these add up to
// 1), and penalties of 0.10 for the return rate and 0.05 for support contacts.
func DefaultValueWeights() ValueWeights {
	return ValueWeights{Frequency: 0.20, AOV: 0.10, FullPrice: 0.05, Margin: 0.25, CLV: 0.20, Premium: 0.05, Advocacy: 0.15, Returns: 0.10, Support: 0.05}
}

// Validate reports every problem with w at once: negative or non-finite weights, and
// no positive weight at all.
func (w ValueWeights) Validate() error {
	var errs []error
	all := []struct {
		name string
		v    float64
	}{{"frequency", w.Frequency}, {"aov", w.AOV}, {"full_price", w.FullPrice}, {"margin", w.Margin}, {"clv", w.CLV},
		{"premium", w.Premium}, {"advocacy", w.Advocacy}, {"returns", w.Returns}, {"support", w.Support}}
	for _, f := range all {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			errs = append(errs, errorf(ErrInvalidScoring, "value weights: %s %v is not a finite non-negative number", f.name, f.v))
		}
	}
	if w.positive() <= 0 {
		errs = append(errs, errorf(ErrInvalidScoring, "value weights: no positive weight on the seven metrics"))
	}
	return errors.Join(errs...)
}

func (w ValueWeights) positive() float64 {
	return w.Frequency + w.AOV + w.FullPrice + w.Margin + w.CLV + w.Premium + w.Advocacy
}

// ValueScores scores each summary's customer against the others on the seven value
// metrics and returns a composite value in the order of sums:
//
//	100 x (sum of weight x rank share over the positive metrics
//	       - Returns x rank share of the return rate - Support x rank share of support contacts)
//	    / (sum of the positive weights)
//
// where a metric's rank share is the share of customers with a strictly lower value. The
// score runs from about -100 x penalties / positives to just under 100, rounded half away
// from zero to 2 places. A nil w means [DefaultValueWeights]. Equal metrics give equal
// scores, and the result does not depend on the order of sums.
func ValueScores(sums []Summary, w *ValueWeights) ([]CustomerValue, error) {
	wt := DefaultValueWeights()
	if w != nil {
		wt = *w
	}
	if err := wt.Validate(); err != nil {
		return nil, err
	}
	n := len(sums)
	score := make([]float64, n)
	metric := func(weight float64, get func(*Summary) float64) {
		if weight == 0 || n == 0 {
			return
		}
		vals := make([]float64, n)
		for i := range sums {
			vals[i] = get(&sums[i])
		}
		sorted := slices.Clone(vals)
		slices.Sort(sorted)
		for i, v := range vals {
			below, _ := slices.BinarySearch(sorted, v) // first index of v: count strictly below
			score[i] += weight * float64(below) / float64(n)
		}
	}
	f := func(d decimal.Decimal) float64 { return d.InexactFloat64() }
	metric(wt.Frequency, func(s *Summary) float64 { return float64(s.Orders) })
	metric(wt.AOV, func(s *Summary) float64 { return f(s.AOV) })
	metric(wt.FullPrice, func(s *Summary) float64 { return f(s.FullPriceShare) })
	metric(wt.Margin, func(s *Summary) float64 { return f(s.Margin) })
	metric(wt.CLV, func(s *Summary) float64 { return f(s.LifetimeMargin) })
	metric(wt.Premium, func(s *Summary) float64 { return f(s.PremiumShare) })
	metric(wt.Advocacy, func(s *Summary) float64 {
		return float64(s.Referrals + s.Reviews + s.UserContent + s.SocialShares)
	})
	metric(-wt.Returns, func(s *Summary) float64 { return f(s.ReturnRate) })
	metric(-wt.Support, func(s *Summary) float64 { return float64(s.SupportContacts) })
	out := make([]CustomerValue, n)
	pos := wt.positive()
	for i := range sums {
		out[i] = CustomerValue{CustomerID: sums[i].CustomerID, Value: decimal.NewFromFloat(100 * score[i] / pos).Round(2)}
	}
	return out, nil
}

// ProjectedSignals are the brief's early signs of a rising star, read from a [Summary].
//
// The zero value is a customer with no signal. A plain value, safe for concurrent use.
type ProjectedSignals struct {
	// AOVTrend is the last 6 months' AOV divided by the window's, DivRound to 4 places; 0
	// without orders in either.
	AOVTrend decimal.Decimal `json:"aov_trend"`
	// FrequencyTrend is the last 3 months' monthly order rate against the window's
	// ([Trend.OrderRate]); above 1 is purchase-frequency acceleration.
	FrequencyTrend decimal.Decimal `json:"frequency_trend"`
	// CategoryExpansion is [Summary.NewCategories].
	CategoryExpansion int `json:"category_expansion"`
	// Signals counts the three signals that reach their rule; RisingStar reports whether
	// the customer has enough orders and enough signals.
	Signals    int  `json:"signals"`
	RisingStar bool `json:"rising_star"`
}

// RisingStarRules configures [RisingStarRules.Signals]. A zero field means its default.
//
// The zero value means: AOV trend at least 1.10, frequency trend at least 1.20, at least
// one new category, at least 2 of these 3 signals, at least 2 orders in the window. A plain
// value with JSON tags, safe for concurrent use.
type RisingStarRules struct {
	MinAOVTrend       decimal.Decimal `json:"min_aov_trend,omitzero"`
	MinFrequencyTrend decimal.Decimal `json:"min_frequency_trend,omitzero"`
	MinNewCategories  int             `json:"min_new_categories,omitempty"`
	MinSignals        int             `json:"min_signals,omitempty"`
	MinOrders         int             `json:"min_orders,omitempty"`
}

// Signals reads the projected-value signals of s.
func (r RisingStarRules) Signals(s Summary) ProjectedSignals {
	if r.MinAOVTrend.IsZero() {
		r.MinAOVTrend = decimal.RequireFromString("1.10")
	}
	if r.MinFrequencyTrend.IsZero() {
		r.MinFrequencyTrend = decimal.RequireFromString("1.20")
	}
	if r.MinNewCategories == 0 {
		r.MinNewCategories = 1
	}
	if r.MinSignals == 0 {
		r.MinSignals = 2
	}
	if r.MinOrders == 0 {
		r.MinOrders = 2
	}
	p := ProjectedSignals{FrequencyTrend: s.Last3.OrderRate, CategoryExpansion: s.NewCategories}
	if s.AOV.IsPositive() {
		p.AOVTrend = s.Last6.AOV.DivRound(s.AOV, 4)
	}
	if rfmCmp(p.AOVTrend, r.MinAOVTrend) >= 0 {
		p.Signals++
	}
	if rfmCmp(p.FrequencyTrend, r.MinFrequencyTrend) >= 0 {
		p.Signals++
	}
	if p.CategoryExpansion >= r.MinNewCategories {
		p.Signals++
	}
	p.RisingStar = s.Orders >= r.MinOrders && p.Signals >= r.MinSignals
	return p
}

// Behavioural segment names (brief, section 1).
const (
	SegmentTrendLeader        = "Trend Leader"
	SegmentSaleShopper        = "Sale Shopper"
	SegmentBrandLoyalist      = "Brand Loyalist"
	SegmentCategorySpecialist = "Category Specialist"
	SegmentGeneralist         = "Generalist"
)

// BehaviourRules sets the thresholds of the behavioural segments. A zero field means its
// default. The rules, over a [Summary]'s window, for customers with at least MinOrders
// orders (default 2):
//
//   - Trend Leader: NewReleaseShare >= TrendLeaderShare (default 0.5);
//   - Sale Shopper: DiscountedShare >= SaleShopperShare (default 0.6) and Gross >=
//     SaleShopperMinGross (default 0: set it, e.g. to a top-20% threshold, to keep the
//     brief's "high spender");
//   - Brand Loyalist: Brands <= LoyalistMaxBrands (default 2) and TopBrandShare >=
//     LoyalistShare (default 0.7);
//   - Category Specialist: TopCategoryShare >= SpecialistShare (default 0.8);
//   - Generalist: Categories >= GeneralistMinCategories (default 4) and TopCategoryShare
//     <= GeneralistMaxShare (default 0.5).
//
// A customer can be in several segments (a Trend Leader who is also a Brand Loyalist).
// The zero value means all defaults; a plain value with JSON tags, safe for concurrent use.
type BehaviourRules struct {
	MinOrders               int             `json:"min_orders,omitempty"`
	TrendLeaderShare        decimal.Decimal `json:"trend_leader_share,omitzero"`
	SaleShopperShare        decimal.Decimal `json:"sale_shopper_share,omitzero"`
	SaleShopperMinGross     decimal.Decimal `json:"sale_shopper_min_gross,omitzero"`
	LoyalistMaxBrands       int             `json:"loyalist_max_brands,omitempty"`
	LoyalistShare           decimal.Decimal `json:"loyalist_share,omitzero"`
	SpecialistShare         decimal.Decimal `json:"specialist_share,omitzero"`
	GeneralistMinCategories int             `json:"generalist_min_categories,omitempty"`
	GeneralistMaxShare      decimal.Decimal `json:"generalist_max_share,omitzero"`
}

// Segments returns the behavioural segments of s, in the order of the Segment* constants;
// nil for none.
func (r BehaviourRules) Segments(s Summary) []string {
	d := func(v *decimal.Decimal, def string) {
		if v.IsZero() {
			*v = decimal.RequireFromString(def)
		}
	}
	d(&r.TrendLeaderShare, "0.5")
	d(&r.SaleShopperShare, "0.6")
	d(&r.LoyalistShare, "0.7")
	d(&r.SpecialistShare, "0.8")
	d(&r.GeneralistMaxShare, "0.5")
	if r.MinOrders == 0 {
		r.MinOrders = 2
	}
	if r.LoyalistMaxBrands == 0 {
		r.LoyalistMaxBrands = 2
	}
	if r.GeneralistMinCategories == 0 {
		r.GeneralistMinCategories = 4
	}
	if s.Orders < r.MinOrders || !s.Gross.IsPositive() {
		return nil
	}
	var out []string
	if rfmCmp(s.NewReleaseShare, r.TrendLeaderShare) >= 0 {
		out = append(out, SegmentTrendLeader)
	}
	if rfmCmp(s.DiscountedShare, r.SaleShopperShare) >= 0 && rfmCmp(s.Gross, r.SaleShopperMinGross) >= 0 {
		out = append(out, SegmentSaleShopper)
	}
	if s.Brands >= 1 && s.Brands <= r.LoyalistMaxBrands && rfmCmp(s.TopBrandShare, r.LoyalistShare) >= 0 {
		out = append(out, SegmentBrandLoyalist)
	}
	if s.Categories >= 1 && rfmCmp(s.TopCategoryShare, r.SpecialistShare) >= 0 {
		out = append(out, SegmentCategorySpecialist)
	}
	if s.Categories >= r.GeneralistMinCategories && rfmCmp(s.TopCategoryShare, r.GeneralistMaxShare) <= 0 {
		out = append(out, SegmentGeneralist)
	}
	return out
}

// Cadence is how often a dynamic threshold is re-assessed: "weekly", "monthly" or
// "quarterly". The zero value "" is not a cadence.
type Cadence string

// Re-assessment cadences.
const (
	CadenceWeekly    Cadence = "weekly"
	CadenceMonthly   Cadence = "monthly"
	CadenceQuarterly Cadence = "quarterly"
)

// Next returns the next assessment after t in loc (nil is UTC): 7 calendar days later, or
// 1 or 3 calendar months later with the day clamped to the month's end.
func (c Cadence) Next(t time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	switch c {
	case CadenceWeekly:
		t = t.In(loc)
		return t.AddDate(0, 0, 7), nil
	case CadenceMonthly:
		return AddMonths(t, 1, loc), nil
	case CadenceQuarterly:
		return AddMonths(t, 3, loc), nil
	}
	return time.Time{}, errorf(ErrInvalidScoring, "cadence %q is not weekly, monthly or quarterly", string(c))
}

// TopThreshold returns the dynamic threshold for the top share of customers: the value of
// the customer at rank ceil(share x n) when values are sorted from highest. Every customer
// at or above it is in the top group, so ties at the threshold can make the group larger
// than share. share must lie in (0, 1]; an empty population is an error.
func TopThreshold(values []decimal.Decimal, share decimal.Decimal) (decimal.Decimal, error) {
	if !rfmSane(share) {
		return decimal.Decimal{}, errorf(ErrInvalidScoring, "top threshold: share has exponent %d, outside (0, 1]", share.Exponent())
	}
	if !share.IsPositive() || share.GreaterThan(decimal.NewFromInt(1)) {
		return decimal.Decimal{}, errorf(ErrInvalidScoring, "top threshold: share %s is outside (0, 1]", share)
	}
	if len(values) == 0 {
		return decimal.Decimal{}, errorf(ErrInvalidScoring, "top threshold: no values")
	}
	xs := slices.Clone(values)
	slices.SortFunc(xs, func(a, b decimal.Decimal) int { return b.Cmp(a) })
	k := rfmCeil(share.Mul(decimal.NewFromInt(int64(len(xs)))))
	return xs[k-1], nil
}
