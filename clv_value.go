package vip

import (
	"errors"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// BriefCLVInputs are the four factors of the brief's customer lifetime value:
//
//	CLV = average monthly transactions × average order value × gross margin ×
//	      expected customer lifetime in months
//
// MonthlyTransactions is purchases per month (e.g. 0.5 for one every two months);
// AverageOrderValue is money per order in the shop's currency; GrossMargin is a rate
// such as 0.40; LifetimeMonths is the expected length of the relationship in months.
// The zero value is valid and gives a CLV of zero. A plain value, safe to share.
type BriefCLVInputs struct {
	MonthlyTransactions decimal.Decimal `json:"monthly_transactions"`
	AverageOrderValue   decimal.Decimal `json:"average_order_value"`
	GrossMargin         decimal.Decimal `json:"gross_margin"`
	LifetimeMonths      decimal.Decimal `json:"lifetime_months"`
}

// Validate reports every negative factor and a margin above 1.
func (in BriefCLVInputs) Validate() error {
	var errs []error
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{
		{"monthly_transactions", in.MonthlyTransactions},
		{"average_order_value", in.AverageOrderValue},
		{"gross_margin", in.GrossMargin},
		{"lifetime_months", in.LifetimeMonths},
	} {
		if f.v.IsNegative() {
			errs = append(errs, errorf(ErrInvalidHistory, "brief clv: %s %s is negative", f.name, f.v))
		}
	}
	if in.GrossMargin.GreaterThan(decimal.NewFromInt(1)) {
		errs = append(errs, errorf(ErrInvalidHistory, "brief clv: gross_margin %s is above 1", in.GrossMargin))
	}
	return errors.Join(errs...)
}

// BriefCLV returns the brief's CLV, the exact product of the four inputs (no rounding:
// round the result for display). With 2 purchases a month, an average order of $50, a
// 40% margin and a 24-month lifetime it is 2 × 50 × 0.40 × 24 = $960.
func BriefCLV(in BriefCLVInputs) (decimal.Decimal, error) {
	if err := in.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	return in.MonthlyTransactions.Mul(in.AverageOrderValue).Mul(in.GrossMargin).Mul(in.LifetimeMonths), nil
}

// HistoricalCLV returns each customer's historical value: the sum of the amounts of
// their transactions at or before asOf, times margin (a rate such as 0.40; 1 gives
// revenue). The sums are exact; there is no division. Customers are sorted by ID.
func HistoricalCLV(txs []Transaction, margin decimal.Decimal, asOf time.Time) ([]HistoricalValue, error) {
	if margin.IsNegative() || margin.GreaterThan(decimal.NewFromInt(1)) {
		return nil, errorf(ErrInvalidTransaction, "historical clv: margin %s is not between 0 and 1", margin)
	}
	sums := make(map[string]*sum)
	var errs []error
	for i, t := range txs {
		if strings.TrimSpace(t.CustomerID) == "" || t.At.IsZero() || t.Amount.IsNegative() {
			errs = append(errs, errorf(ErrInvalidTransaction, "transaction %d of customer %q: empty customer, zero instant or negative amount %s", i, t.CustomerID, t.Amount))
			continue
		}
		if t.At.After(asOf) {
			continue
		}
		s := sums[t.CustomerID]
		if s == nil {
			s = &sum{}
			sums[t.CustomerID] = s
		}
		s.add(t.Amount)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := make([]HistoricalValue, 0, len(sums))
	for id, s := range sums {
		out = append(out, HistoricalValue{ID: id, Value: s.decimal().Mul(margin)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// HistoricalValue is one customer's value in money. The zero value is nobody worth
// nothing; a plain value, safe to share.
type HistoricalValue struct {
	ID    string          `json:"id"`
	Value decimal.Decimal `json:"value"`
}

// PurchaseModel is a fitted purchase-count model that [ResidualCLV] can use:
// *[BGNBD], *[MBGNBD] or *[ParetoNBD]. The interface is sealed (an unexported method);
// all three implementations are safe for concurrent use.
type PurchaseModel interface {
	TimeUnit() TimeUnit
	// clvExpected returns E[Y(t) | row] with t in model units.
	clvExpected(s PurchaseHistory, t float64) (float64, error)
}

func (m *BGNBD) clvExpected(s PurchaseHistory, t float64) (float64, error) {
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.conditional(s.X, s.TX, s.T, t), nil
}

func (m *MBGNBD) clvExpected(s PurchaseHistory, t float64) (float64, error) {
	return m.clvParams().conditional(s.X, s.TX, s.T, t), nil
}

func (m *ParetoNBD) clvExpected(s PurchaseHistory, t float64) (float64, error) {
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.conditional(s.X, s.TX, s.T, t), nil
}

// Discounting says how [ResidualCLV] discounts future purchases. The zero value is
// [DiscountMonthly].
type Discounting int

const (
	// DiscountMonthly (the zero value) discounts each month's expected purchases at the
	// end of that month by (1+rate)^(-k/12), k = 1, 2, ... months after the cut-off.
	DiscountMonthly Discounting = iota
	// DiscountContinuous discounts each instant u after the cut-off by e^(-δu),
	// δ = ln(1+rate) per year; over an unlimited horizon a Pareto/NBD model uses DERT.
	DiscountContinuous
)

// CLVOptions configure [ResidualCLV]. The zero value is not usable on its own: a
// Horizon is required (except for DERT). A plain value, safe to share.
type CLVOptions struct {
	// Horizon is how far past the cut-off to count purchases. It must be above zero,
	// except with DiscountContinuous and a *ParetoNBD, where zero means no end (DERT).
	Horizon time.Duration `json:"horizon"`
	// AnnualRate is the effective annual discount rate, e.g. 0.10 for 10% a year; it
	// is converted to the model's unit through the average Gregorian year. Zero means
	// no discounting.
	AnnualRate float64 `json:"annual_rate"`
	// Margin is the gross margin rate applied to spend, e.g. 0.40. Zero is taken as 1
	// (revenue, not profit).
	Margin      decimal.Decimal `json:"margin"`
	Discounting Discounting     `json:"discounting"`
}

// CLVResult is one customer's residual lifetime value after the cut-off.
//
// When the model cannot score the customer, OK is false, Problem says why in plain
// words and Value is zero; Value is otherwise never negative and never NaN. The zero
// value is an unscored customer. A plain value, safe to share.
type CLVResult struct {
	ID string `json:"id"`
	// Purchases is the undiscounted expected repeat purchases over the horizon (0 when
	// the horizon is unlimited); DiscountedPurchases the discounted count that Value
	// uses.
	Purchases           float64         `json:"purchases"`
	DiscountedPurchases float64         `json:"discounted_purchases"`
	Spend               decimal.Decimal `json:"spend"`
	Value               decimal.Decimal `json:"value"`
	OK                  bool            `json:"ok"`
	Problem             string          `json:"problem,omitempty"`
}

// ResidualCLV returns, for every row, the value of the customer's future purchases
// after the cut-off: discounted expected purchases (from pm) × expected spend per
// purchase (from spend, Gamma-Gamma) × margin. Spend and Value are rounded half away
// from zero to 4 and 2 decimal places ([decimal.Decimal.Round]).
//
// It returns an error for invalid options, a model and data in different units, or a
// Gamma-Gamma model that cannot score at all (q at its bound); a single customer the
// models cannot score gets OK false and a Problem.
func ResidualCLV(pm PurchaseModel, spend *GammaGamma, s Cohort, opt CLVOptions) ([]CLVResult, error) {
	if pm == nil || spend == nil {
		return nil, errorf(ErrCannotScore, "residual clv: a purchase model and a spend model are required")
	}
	if pm.TimeUnit() != s.Unit {
		return nil, errorf(ErrCannotScore, "residual clv: model counts in %v, data in %v", pm.TimeUnit(), s.Unit)
	}
	if err := spend.clvScorable(); err != nil {
		return nil, err
	}
	pareto, _ := pm.(*ParetoNBD)
	unlimited := opt.Horizon == 0 && opt.Discounting == DiscountContinuous && pareto != nil && opt.AnnualRate > 0
	if opt.Horizon < 0 || (opt.Horizon == 0 && !unlimited) {
		return nil, errorf(ErrCannotScore, "residual clv: horizon %v must be above zero (zero only with continuous discounting at a positive rate and Pareto/NBD)", opt.Horizon)
	}
	if !(opt.AnnualRate >= 0) || math.IsInf(opt.AnnualRate, 0) {
		return nil, errorf(ErrCannotScore, "residual clv: annual rate %v is not a rate >= 0", opt.AnnualRate)
	}
	if opt.Discounting != DiscountMonthly && opt.Discounting != DiscountContinuous {
		return nil, errorf(ErrCannotScore, "residual clv: discounting %d is not monthly or continuous", int(opt.Discounting))
	}
	margin := opt.Margin
	if margin.IsZero() {
		margin = decimal.NewFromInt(1)
	}
	if margin.IsNegative() || margin.GreaterThan(decimal.NewFromInt(1)) {
		return nil, errorf(ErrCannotScore, "residual clv: margin %s is not between 0 and 1", margin)
	}
	unit := pm.TimeUnit()
	H := unit.Of(opt.Horizon)
	monthLen := UnitMonth.Hours() / unit.Hours()
	delta := math.Log1p(opt.AnnualRate) / unit.PerYear() // continuous rate per unit
	out := make([]CLVResult, len(s.Rows))
	for i, row := range s.Rows {
		res := CLVResult{ID: row.ID}
		fail := func(msg string) { res.OK, res.Problem = false, msg }
		if err := clvCheckRow(row); err != nil {
			fail(err.Error())
			out[i] = res
			continue
		}
		sp, err := spend.clvSpendOf(row)
		if err != nil {
			fail(err.Error())
			out[i] = res
			continue
		}
		var dp float64
		switch {
		case unlimited:
			dp, err = pareto.DERT(row, opt.AnnualRate)
		case opt.Discounting == DiscountMonthly:
			res.Purchases, dp, err = clvMonthly(pm, row, H, monthLen, opt.AnnualRate)
		default:
			res.Purchases, dp, err = clvContinuous(pm, row, H, delta)
		}
		switch {
		case err != nil:
			fail(err.Error())
		case math.IsNaN(dp) || math.IsInf(dp, 0) || dp < -1e-9 || math.IsNaN(res.Purchases):
			fail("the model gives no finite expected purchases for this customer")
		default:
			dp = math.Max(dp, 0)
			res.DiscountedPurchases = dp
			res.Spend = decimal.NewFromFloat(sp).Round(4)
			res.Value = decimal.NewFromFloat(dp * sp).Mul(margin).Round(2)
			res.OK = true
		}
		if !res.OK {
			res.Purchases, res.DiscountedPurchases = 0, 0
		}
		out[i] = res
	}
	return out, nil
}

// clvMonthly sums month-by-month expected purchases discounted at each month's end.
func clvMonthly(pm PurchaseModel, row PurchaseHistory, H, monthLen, rate float64) (total, disc float64, err error) {
	months := int(math.Ceil(H/monthLen - 1e-9))
	prev := 0.0
	for k := 1; k <= months; k++ {
		tk := math.Min(float64(k)*monthLen, H)
		e, err := pm.clvExpected(row, tk)
		if err != nil {
			return 0, 0, err
		}
		disc += (e - prev) * math.Pow(1+rate, -float64(k)/12)
		prev = e
	}
	return prev, disc, nil
}

// clvContinuous returns E[Y(H)] and ∫_0^H e^(-δu) dE[Y(u)], the Stieltjes integral
// summed over 48 intervals of a grid that is finer near the cut-off (u_k = H (k/48)^2,
// where expected purchases rise fastest), each increment of E discounted by the exact
// mean of e^(-δu) over its interval. The sum is exact when E is linear within each
// interval, and, because every increment is non-negative and discounted by at most 1,
// it never exceeds the undiscounted total.
func clvContinuous(pm PurchaseModel, row PurchaseHistory, H, delta float64) (total, disc float64, err error) {
	const K = 48
	prevE, prevU := 0.0, 0.0
	for k := 1; k <= K; k++ {
		f := float64(k) / K
		u := H * f * f
		e, err := pm.clvExpected(row, u)
		if err != nil {
			return 0, 0, err
		}
		inc := math.Max(e-prevE, 0)
		du := u - prevU
		factor := math.Exp(-delta * prevU)
		if x := delta * du; x > 1e-12 {
			factor *= -math.Expm1(-x) / x
		}
		disc += inc * factor
		prevE, prevU = e, u
	}
	return prevE, disc, nil
}
