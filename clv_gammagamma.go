package vip

import (
	"fmt"
	"math"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip/internal/numerics"
)

// GammaGamma is a fitted Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and
// CLV"; Colombo and Jiang 1999): each repeat purchase's amount is Gamma(P, ν) with the
// customer's ν ~ Gamma(Q, Gamma) across customers, independent of the purchase counts.
// The population mean spend per purchase is P·Gamma/(Q-1), so Q > 1 is required: the
// fit keeps Q above 1, and scoring refuses a model whose Q sits at that bound.
//
// Only customers with at least one repeat purchase are fitted: the model describes the
// mean of a customer's repeat purchases, and a one-time buyer has none (the first
// purchase is excluded everywhere, because its amount often differs in kind: a welcome
// discount, a starter kit). One-time buyers are still scored, with the population mean.
//
// The zero value is not a model. A GammaGamma is read-only after the fit and safe for
// concurrent use.
type GammaGamma struct {
	P, Q, Gamma float64
	Fit         FitReport `json:"fit"`
}

// SpendCohort returns the cohort a Gamma-Gamma fit learns from: the repeat buyers
// (X > 0) of s whose MeanRepeatSpend is above zero, in s's order, with s's unit and
// dates. Left holds, in s's order, the IDs of the repeat buyers it leaves out because
// their repeat purchases average zero or less (free repeat orders, or refunds netted
// into them): the model is one of positive spend, [Cohort.ValidateSpend] refuses such
// rows and [FitGammaGamma] with them. One-time buyers are neither in the result nor
// in Left: the fit ignores them. Score the whole of s afterwards: [ResidualCLV] gives
// the left-out customers OK false, as it cannot price their purchases.
func (s Cohort) SpendCohort() (fit Cohort, left []string) {
	fit = Cohort{Unit: s.Unit, CutOff: s.CutOff, End: s.End}
	for _, r := range s.Rows {
		switch {
		case r.X == 0:
		case r.MeanRepeatSpend.IsPositive():
			fit.Rows = append(fit.Rows, r)
		default:
			left = append(left, r.ID)
		}
	}
	return fit, left
}

// FitGammaGamma fits the spend model by maximum likelihood on the rows with X > 0,
// after [Cohort.ValidateSpend]. Parameters are optimised as log P, log(Q-1),
// log Gamma with an analytic gradient. Covariates on the rows are ignored: the spend
// model has none.
func FitGammaGamma(s Cohort, opt *FitOptions) (*GammaGamma, error) {
	if err := s.ValidateSpend(); err != nil {
		return nil, err
	}
	type key struct{ x, z float64 }
	idx := map[key]int{}
	var xs, zs, ws []float64
	n := 0
	var sz float64
	for _, r := range s.Rows {
		if r.X == 0 {
			continue
		}
		z := r.MeanRepeatSpend.InexactFloat64()
		n++
		sz += z
		k := key{r.X, z}
		if i, ok := idx[k]; ok {
			ws[i]++
			continue
		}
		idx[k] = len(xs)
		xs, zs, ws = append(xs, r.X), append(zs, z), append(ws, 1)
	}
	if n == 0 {
		return nil, errorf(ErrInvalidHistory, "gamma-gamma: no customer with a repeat purchase")
	}
	// Start: p = 1 and q = 2 put the population mean at γ, so γ starts at the mean spend.
	spec := clvSpec{
		model:   "Gamma-Gamma",
		names:   []string{"p", "q", "gamma"},
		start:   []float64{1, 2, sz / float64(n)},
		shift:   []float64{0, 1, 0},
		hasGrad: true,
		n:       float64(n),
		nll: func(th, g []float64) float64 {
			p, q1, gm := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2])
			q := 1 + q1
			lgq, psq, lgm := numerics.Lgamma(q), numerics.Digamma(q), math.Log(gm)
			var ll, dp, dq, dg float64
			for i := range xs {
				x, z, w := xs[i], zs[i], ws[i]
				px := p * x
				lgz := math.Log(gm + x*z)
				lz, lx := math.Log(z), math.Log(x)
				ll += w * (numerics.Lgamma(px+q) - numerics.Lgamma(px) - lgq + q*lgm + (px-1)*lz + px*lx - (px+q)*lgz)
				if g != nil {
					ps := numerics.Digamma(px + q)
					dp += w * x * (ps - numerics.Digamma(px) + lz + lx - lgz)
					dq += w * (ps - psq + lgm - lgz)
					dg += w * (q/gm - (px+q)/(gm+x*z))
				}
			}
			if g != nil {
				g[0], g[1], g[2] = -dp*p, -dq*q1, -dg*gm
			}
			return -ll
		},
	}
	p, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = n, len(xs)
	if p == nil {
		return nil, err
	}
	return &GammaGamma{P: p[0], Q: p[1], Gamma: p[2], Fit: rep}, err
}

// scorable explains why the model cannot score, or returns nil.
func (m *GammaGamma) clvScorable() error {
	for _, b := range m.Fit.AtBound {
		if b == "q" || strings.HasPrefix(b, "q ") {
			return errorf(ErrCannotScore, "gamma-gamma: q = %v is at its bound of 1, so the population's mean spend p·gamma/(q-1) is unbounded and expected spend cannot be computed; the spend data do not support this model", m.Q)
		}
	}
	if !(m.Q > 1) || !(m.P > 0) || !(m.Gamma > 0) || math.IsInf(m.P*m.Gamma/(m.Q-1), 0) {
		return errorf(ErrCannotScore, "gamma-gamma: parameters p = %v, q = %v, gamma = %v: need p > 0, gamma > 0 and q > 1 for a finite mean spend", m.P, m.Q, m.Gamma)
	}
	return nil
}

// spend returns E[M | x, z̄] as a float: (γ + x z̄) p / (p x + q - 1), a weighted mean of
// the population mean p γ/(q-1) and the customer's own mean z̄.
func (m *GammaGamma) clvSpend(x, z float64) float64 {
	return (m.Gamma + x*z) * m.P / (m.P*x + m.Q - 1)
}

// ConditionalExpectedSpend returns the customer's expected spend per future purchase,
// E[M | x, z̄], rounded half away from zero to 4 decimal places ([decimal.Decimal.Round]).
// For a one-time buyer (X = 0) it is the population mean p·gamma/(q-1). It returns an
// error wrapping [ErrCannotScore] when q is at its bound of 1, and [ErrInvalidHistory]
// for an invalid row or a repeat buyer without a positive mean spend.
func (m *GammaGamma) ConditionalExpectedSpend(s PurchaseHistory) (decimal.Decimal, error) {
	v, err := m.clvSpendOf(s)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return decimal.NewFromFloat(v).Round(4), nil
}

func (m *GammaGamma) clvSpendOf(s PurchaseHistory) (float64, error) {
	if err := m.clvScorable(); err != nil {
		return 0, err
	}
	if err := (Cohort{Unit: UnitDay, Rows: []PurchaseHistory{s}}).ValidateSpend(); err != nil {
		return 0, err
	}
	v := m.clvSpend(s.X, s.MeanRepeatSpend.InexactFloat64())
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, errorf(ErrCannotScore, "gamma-gamma: customer %q: expected spend %v", s.ID, v)
	}
	return v, nil
}

// String returns the parameters.
func (m *GammaGamma) String() string {
	return fmt.Sprintf("Gamma-Gamma(p=%.4g, q=%.4g, gamma=%.4g)", m.P, m.Q, m.Gamma)
}
