package report

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// clvBins is the number of equal-width bars of the lifetime-value histogram, before
// the open bar of the values above them.
const clvBins = 20

// clv fits BG/NBD and Gamma-Gamma on the orders at or before AsOf (Gamma-Gamma on
// [vip.Cohort.SpendCohort]: repeat buyers whose repeat orders average nothing are left
// out, and unscored) and fills the distribution of predicted residual value. A fit or scoring that fails is written in
// CLV.Problem; it never fails the report.
func (r *Report) clv(customers []*vip.Activity, opts Options, loc *time.Location) {
	c := &r.CLV
	c.HorizonMonths = opts.CLVMonths
	if c.HorizonMonths == 0 {
		c.HorizonMonths = 12
	}
	c.AnnualRate = opts.CLVAnnualRate
	c.Margin = r.Margin
	c.Total, c.Mean, c.Median, c.P90, c.P99 = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
	var orders []vip.Order
	for _, a := range customers {
		for i := range a.Orders {
			if !a.Orders[i].PlacedAt.After(r.AsOf) {
				orders = append(orders, a.Orders[i])
			}
		}
	}
	if len(orders) == 0 {
		c.Problem = "No orders at or before the report's date: there is nothing to fit."
		return
	}
	horizon := vip.AddMonths(r.AsOf, c.HorizonMonths, loc).Sub(r.AsOf)
	p, err := vip.PredictCLV(orders, vip.PredictOptions{
		Cohort: vip.CohortOptions{Unit: vip.UnitWeek, CutOff: r.AsOf, Merge: vip.UnitDay, Location: loc},
		CLV:    vip.CLVOptions{Horizon: horizon, AnnualRate: c.AnnualRate, Margin: c.Margin},
	})
	if p != nil {
		c.SpendLeftOut = len(p.SpendLeftOut)
	}
	if err != nil {
		var se *vip.CLVStageError
		errors.As(err, &se) // PredictCLV fails only with a *CLVStageError
		switch se.Stage {
		case vip.StageCohort:
			c.Problem = "The orders could not be summarised for the models: " + plain(se.Err) + "."
		case vip.StagePurchases:
			c.Problem = "The BG/NBD purchase model could not be fitted on these orders: " + plain(se.Err) + "."
		case vip.StageSpend:
			c.Problem = "The Gamma-Gamma spend model could not be fitted on these orders (it needs customers with repeat purchases of varying positive amounts): " + plain(se.Err) + "."
		default:
			c.Problem = "The fitted models could not score the customers: " + plain(se.Err) + "."
		}
		return
	}
	c.BGNBD, c.GammaGamma = p.Purchases, p.Spend
	res := p.Results
	var notes []string
	for _, fe := range p.AtBound {
		notes = append(notes, fe.Model+": "+atBound(fe))
	}
	if len(notes) > 0 {
		c.Note = strings.Join(notes, " ")
	}
	vals := make([]decimal.Decimal, 0, len(res))
	byTier := map[string]*TierValue{}
	for _, x := range res {
		if !x.OK {
			c.Unscored++
			continue
		}
		vals = append(vals, x.Value)
		t := r.tierOf[x.ID]
		tv := byTier[t]
		if tv == nil {
			tv = &TierValue{Tier: t, Total: decimal.Zero}
			byTier[t] = tv
		}
		tv.Customers++
		tv.Total = tv.Total.Add(x.Value)
	}
	c.Scored = len(vals)
	if c.Scored == 0 {
		c.Problem = "The models scored no customer."
		return
	}
	slices.SortFunc(vals, func(a, b decimal.Decimal) int { return a.Cmp(b) })
	total := decimal.Zero
	for _, v := range vals {
		total = total.Add(v)
	}
	c.Total = total
	c.Mean = total.DivRound(decimal.NewFromInt(int64(len(vals))), 2)
	q := func(p float64) decimal.Decimal {
		k := int(math.Ceil(p * float64(len(vals))))
		return vals[min(max(k, 1), len(vals))-1]
	}
	c.Median, c.P90, c.P99 = q(0.5), q(0.9), q(0.99)
	c.Bins, c.Over = histogram(vals, q(0.95), clvBins)
	for _, t := range append(append([]string(nil), r.Backtest.Tiers...), "") {
		tv := byTier[t]
		if tv == nil {
			tv = &TierValue{Tier: t, Total: decimal.Zero}
		}
		tv.Mean, tv.Share = decimal.Zero, decimal.Zero
		if tv.Customers > 0 {
			tv.Mean = tv.Total.DivRound(decimal.NewFromInt(int64(tv.Customers)), 2)
		}
		if total.IsPositive() {
			tv.Share = tv.Total.DivRound(total, 4)
		}
		c.ByTier = append(c.ByTier, *tv)
	}
}

// histogram counts sorted non-negative values in n equal bins from zero, of a "nice"
// width (1, 2, 2.5 or 5 times a power of ten) at least top/n, so that top falls in the
// last bin or below; values at or above n widths are counted in over.
func histogram(sorted []decimal.Decimal, top decimal.Decimal, n int) ([]Bin, int) {
	w := niceStep(top.InexactFloat64() / float64(n))
	width := decimal.NewFromFloat(w)
	if !width.IsPositive() {
		width = decimal.NewFromInt(1)
	}
	// Make the bins hold top: a value equal to n widths would be "over".
	for !top.LessThan(width.Mul(decimal.NewFromInt(int64(n)))) {
		width = decimal.NewFromFloat(niceStep(width.InexactFloat64() * 1.01))
	}
	bins := make([]Bin, n)
	for i := range bins {
		bins[i] = Bin{From: width.Mul(decimal.NewFromInt(int64(i))), To: width.Mul(decimal.NewFromInt(int64(i + 1)))}
	}
	over := 0
	for _, v := range sorted {
		q, _ := v.QuoRem(width, 0)
		k := int(q.IntPart())
		switch {
		case k < 0:
			bins[0].Customers++
		case k >= n:
			over++
		default:
			bins[k].Customers++
		}
	}
	return bins, over
}

// niceStep returns the smallest of 1, 2, 2.5 and 5 times a power of ten at least x
// (1 for x at or below zero).
func niceStep(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if s := m * p; s >= x*(1-1e-12) {
			return roundSig(s)
		}
	}
	return roundSig(10 * p)
}

// roundSig removes float noise from a step such as 0.30000000000000004.
func roundSig(x float64) float64 {
	v, _ := decimal.NewFromFloat(x).Round(10).Float64()
	return v
}

// plain is an error's text without the "vip: " prefix and the sentinel's words at the end.
func plain(err error) string {
	s := strings.TrimPrefix(err.Error(), "vip: ")
	var fe *vip.FitError
	if errors.As(err, &fe) {
		s = fe.Model + " fit: " + fe.Reason
	}
	return s
}

// atBound describes a fit that ended with a parameter at its bound.
func atBound(err error) string {
	var fe *vip.FitError
	if errors.As(err, &fe) && len(fe.AtBound) > 0 {
		return fmt.Sprintf("%s at the edge of the parameter space (%s): the model is the limit case, still valid.", strings.Join(fe.AtBound, ", "), fe.Reason)
	}
	return plain(err) + "."
}
