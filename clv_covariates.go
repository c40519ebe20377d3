package vip

import (
	"math"
	"strconv"
)

// Covariates are the coefficients of static customer covariates (channel, region,
// acquisition campaign, coded as numbers in [PurchaseHistory.Covariates]) in a log-linear link,
// as CLVTools offers:
//
//   - purchase process: customer i's gamma scale is α·exp(-Purchase·z_i), so a positive
//     coefficient means more purchases;
//   - dropout process: BG/NBD a_i = a·exp(Dropout·z_i) (a larger a raises the mean
//     dropout probability a/(a+b)); Pareto/NBD β_i = β·exp(-Dropout·z_i) (a larger
//     dropout rate). A positive coefficient means earlier dropout in both.
//
// A model fitted without covariates has nil Covariates and scores rows without them.
// The zero value has no coefficients; read-only after the fit, it is safe for
// concurrent use.
type Covariates struct {
	Purchase []float64 `json:"purchase"`
	Dropout  []float64 `json:"dropout"`
}

// clvLink returns exp(coef·z).
func clvLink(coef, z []float64) float64 {
	var s float64
	for i := range coef {
		s += coef[i] * z[i]
	}
	return math.Exp(s)
}

func (c *Covariates) clvCheck(s PurchaseHistory) error {
	if len(s.Covariates) != len(c.Purchase) {
		return errorf(ErrInvalidHistory, "customer %q: %d covariates, the model has %d", s.ID, len(s.Covariates), len(c.Purchase))
	}
	return nil
}

// rowParams returns the BG/NBD parameters of one customer.
func (m *BGNBD) clvRowParams(s PurchaseHistory) (clvBG, error) {
	p := m.clvParams()
	if m.Covariates == nil {
		return p, nil
	}
	if err := m.Covariates.clvCheck(s); err != nil {
		return p, err
	}
	p.al /= clvLink(m.Covariates.Purchase, s.Covariates)
	p.a *= clvLink(m.Covariates.Dropout, s.Covariates)
	return p, nil
}

// clvFitBGNBDCov fits BG/NBD with covariates: parameters log r, log α, log a, log b,
// then the purchase and the dropout coefficients. The gradient is analytic through
// the chain rule on α_i and a_i.
func clvFitBGNBDCov(s Cohort, opt *FitOptions) (*BGNBD, error) {
	k := len(s.Rows[0].Covariates)
	rows := s.Rows
	rate, _ := clvMeanRate(rows)
	names, start := clvCovParams([]string{"r", "alpha", "a", "b"}, []float64{1, 1 / rate, 1, 1}, k)
	nll := func(th, g []float64) float64 {
		al0, a0 := math.Exp(th[1]), math.Exp(th[2])
		gp, gd := th[4:4+k], th[4+k:]
		if g != nil {
			clear(g)
		}
		var ll float64
		var one clvRows
		one.x, one.tx, one.T, one.w = make([]float64, 1), make([]float64, 1), make([]float64, 1), []float64{1}
		gi := make([]float64, 4)
		for _, row := range rows {
			al := al0 / clvLink(gp, row.Covariates)
			a := a0 * clvLink(gd, row.Covariates)
			one.x[0], one.tx[0], one.T[0] = row.X, row.TX, row.T
			var gg []float64
			if g != nil {
				gg = gi
			}
			v := clvBGNLL(&one, []float64{th[0], math.Log(al), math.Log(a), th[3]}, gg, 0)
			ll += v
			if g != nil {
				// gi holds derivatives with respect to log r, log α_i, log a_i, log b.
				g[0] += gi[0]
				g[1] += gi[1]
				g[2] += gi[2]
				g[3] += gi[3]
				for j := 0; j < k; j++ {
					g[4+j] -= gi[1] * row.Covariates[j]
					g[4+k+j] += gi[2] * row.Covariates[j]
				}
			}
		}
		return ll
	}
	spec := clvSpec{model: "BG/NBD with covariates", names: names, start: start, hasGrad: true, n: float64(len(rows)), nll: nll, nlog: 4}
	p, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = len(rows), len(rows)
	if p == nil {
		return nil, err
	}
	m := &BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3], Unit: s.Unit, Fit: rep,
		Covariates: &Covariates{Purchase: append([]float64(nil), p[4:4+k]...), Dropout: append([]float64(nil), p[4+k:]...)}}
	return m, err
}

// clvMeanRate returns the cohort's purchases per unit of time observed (at least one
// of each counted) and the mean observation length: the data-derived start values.
func clvMeanRate(rows []PurchaseHistory) (rate, meanT float64) {
	var sx, sT float64
	for _, r := range rows {
		sx += r.X
		sT += r.T
	}
	return math.Max(sx, 1) / math.Max(sT, 1), sT / float64(max(len(rows), 1))
}

// clvCovParams extends a model's parameter names and start values with k purchase and
// then k dropout coefficients, all starting at 0.
func clvCovParams(names []string, start []float64, k int) ([]string, []float64) {
	for _, process := range []string{"purchase", "dropout"} {
		for j := 0; j < k; j++ {
			names = append(names, process+strconv.Itoa(j))
			start = append(start, 0)
		}
	}
	return names, start
}

// clvFitParetoCov fits Pareto/NBD with covariates: log r, log α, log s, log β, then
// the purchase and the dropout coefficients, with the gradient through α_i and β_i.
func clvFitParetoCov(s Cohort, opt *FitOptions) (*ParetoNBD, error) {
	k := len(s.Rows[0].Covariates)
	rows := s.Rows
	rate, meanT := clvMeanRate(rows)
	names, start := clvCovParams([]string{"r", "alpha", "s", "beta"}, []float64{1, 1 / rate, 1, math.Max(meanT, 1e-3)}, k)
	nll := func(th, g []float64) float64 {
		al0, be0 := math.Exp(th[1]), math.Exp(th[3])
		gp, gd := th[4:4+k], th[4+k:]
		if g != nil {
			clear(g)
		}
		var ll float64
		one := clvRows{x: make([]float64, 1), tx: make([]float64, 1), T: make([]float64, 1), w: []float64{1}}
		gi := make([]float64, 4)
		for _, row := range rows {
			al := al0 / clvLink(gp, row.Covariates)
			be := be0 / clvLink(gd, row.Covariates)
			one.x[0], one.tx[0], one.T[0] = row.X, row.TX, row.T
			var gg []float64
			if g != nil {
				gg = gi
			}
			ll += clvPNBDNLL(&one, []float64{th[0], math.Log(al), th[2], math.Log(be)}, gg)
			if g != nil {
				g[0] += gi[0]
				g[1] += gi[1]
				g[2] += gi[2]
				g[3] += gi[3]
				for j := 0; j < k; j++ {
					g[4+j] -= gi[1] * row.Covariates[j]
					g[4+k+j] -= gi[3] * row.Covariates[j]
				}
			}
		}
		return ll
	}
	spec := clvSpec{model: "Pareto/NBD with covariates", names: names, start: start, hasGrad: true, n: float64(len(rows)), nll: nll, nlog: 4}
	p, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = len(rows), len(rows)
	if p == nil {
		return nil, err
	}
	return &ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3], Unit: s.Unit, Fit: rep,
		Covariates: &Covariates{Purchase: append([]float64(nil), p[4:4+k]...), Dropout: append([]float64(nil), p[4+k:]...)}}, err
}
