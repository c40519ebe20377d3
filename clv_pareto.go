package vip

import (
	"math"
	"time"

	"github.com/vipkit/vip/internal/numerics"
)

// ParetoNBD is a fitted Pareto/NBD model (Schmittlein, Morrison and Colombo 1987;
// estimation after Fader, Hardie and Lee 2005): while alive a customer buys at rate λ,
// λ ~ Gamma(R, Alpha), and drops out at an exponential time of rate μ,
// μ ~ Gamma(S, Beta), at any moment rather than only after a purchase.
//
// Alpha and Beta are in the model's Unit. The zero value is not a model. A ParetoNBD
// is read-only after the fit and safe for concurrent use.
type ParetoNBD struct {
	R, Alpha, S, Beta float64
	Unit              TimeUnit
	Covariates        *Covariates `json:"covariates,omitempty"`
	Fit               FitReport   `json:"fit"`
}

type clvPNBD struct{ r, al, s, be float64 }

// gl8 holds 8-point Gauss-Legendre nodes and weights on [-1, 1]; a constant table.
var clvGLx, clvGLw = numerics.GaussLegendre(8)

// clvPNBDIntegral returns the log of I = ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy and,
// when d is not nil, the ratios ∂I/∂r / I, ∂I/∂α / I, ∂I/∂s / I, ∂I/∂β / I.
//
// The published likelihood writes s·I as a difference of two Gauss 2F1 terms, one at
// t_x and one at T; that difference cancels catastrophically when t_x is close to T,
// exactly the heavy buyers who defeat other implementations. The integral of a
// positive, decreasing, log-convex function has no such cancellation, so it is
// evaluated directly: Gauss-Legendre panels whose width follows the integrand's decay
// (at most a factor e^2 across a panel), stopping once the rest is below e^-40 of the
// peak. The result is accurate to about 1e-12 relative.
func clvPNBDIntegral(p clvPNBD, x, tx, T float64, d *[4]float64) float64 {
	if !(T > tx) {
		if d != nil {
			*d = [4]float64{}
		}
		return math.Inf(-1)
	}
	k1, k2 := p.r+x, p.s+1
	h := func(y float64) float64 { return -k1*math.Log(p.al+y) - k2*math.Log(p.be+y) }
	h0 := h(tx)
	var sum, sr, sa, ss, sb float64
	y := tx
	for y < T {
		slope := k1/(p.al+y) + k2/(p.be+y)
		w := math.Min(T-y, 2/slope)
		mid, half := y+w/2, w/2
		for i, xi := range clvGLx {
			u := mid + half*xi
			la, lb := math.Log(p.al+u), math.Log(p.be+u)
			f := clvGLw[i] * half * math.Exp(-k1*la-k2*lb-h0)
			sum += f
			if d != nil {
				sr -= f * la
				sa -= f * k1 / (p.al + u)
				ss -= f * lb
				sb -= f * k2 / (p.be + u)
			}
		}
		y += w
		if h(y)-h0 < -40 {
			break
		}
	}
	if d != nil {
		*d = [4]float64{sr / sum, sa / sum, ss / sum, sb / sum}
	}
	return h0 + math.Log(sum)
}

// rowLL returns the log-likelihood of one customer and, when g is not nil, adds its
// gradient (natural parameters, times weight w) to g.
func (p clvPNBD) rowLL(x, tx, T float64, w float64, g *[4]float64, cx, dr0 float64) float64 {
	lT, lbT := math.Log(p.al+T), math.Log(p.be+T)
	A := -(p.r+x)*lT - p.s*lbT
	var d [4]float64
	var dp *[4]float64
	if g != nil {
		dp = &d
	}
	B := math.Log(p.s) + clvPNBDIntegral(p, x, tx, T, dp)
	L := numerics.LogAddExp(A, B)
	if g != nil {
		wA := math.Exp(A - L)
		wB := 1 - wA
		if math.IsInf(B, -1) {
			wA, wB = 1, 0
		}
		g[0] += w * (dr0 - wA*lT + wB*d[0])
		g[1] += w * (p.r/p.al - wA*(p.r+x)/(p.al+T) + wB*d[1])
		g[2] += w * (math.Log(p.be) - wA*lbT + wB*(1/p.s+d[2]))
		g[3] += w * (p.s/p.be - wA*p.s/(p.be+T) + wB*d[3])
	}
	return cx + p.r*math.Log(p.al) + p.s*math.Log(p.be) + L
}

// clvPNBDNLL is the weighted negative log-likelihood at log-parameters th:
// ℓ = lnΓ(r+x) - lnΓ(r) + r ln α + s ln β + ln[(α+T)^-(r+x) (β+T)^-s + s I].
func clvPNBDNLL(d *clvRows, th, g []float64) float64 {
	p := clvPNBD{math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])}
	lgr := numerics.Lgamma(p.r)
	psr := 0.0
	if g != nil {
		psr = numerics.Digamma(p.r)
	}
	var ll float64
	var gg [4]float64
	var gp *[4]float64
	if g != nil {
		gp = &gg
	}
	n := len(d.x)
	for i := 0; i < n; {
		x := d.x[i]
		j := i + 1
		for j < n && d.x[j] == x {
			j++
		}
		cx := numerics.Lgamma(p.r+x) - lgr
		var dr0 float64
		if g != nil {
			dr0 = numerics.Digamma(p.r+x) - psr + math.Log(p.al)
		}
		for k := i; k < j; k++ {
			ll += d.w[k] * p.rowLL(x, d.tx[k], d.T[k], d.w[k], gp, cx, dr0)
		}
		i = j
	}
	if g != nil {
		g[0], g[1], g[2], g[3] = -gg[0]*p.r, -gg[1]*p.al, -gg[2]*p.s, -gg[3]*p.be
	}
	return -ll
}

// FitParetoNBD fits a Pareto/NBD model by maximum likelihood, as [FitBGNBD] does for
// BG/NBD: validation first, identical rows merged into weights, an analytic gradient
// (differentiation under the integral), Nelder-Mead if the gradient method fails. With
// covariates on the rows it fits the covariate model described at [Covariates].
func FitParetoNBD(s Cohort, opt *FitOptions) (*ParetoNBD, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(s.Rows[0].Covariates) > 0 {
		return clvFitParetoCov(s, opt)
	}
	d := clvCollapse(s.Rows)
	var sx, sT float64
	for i := range d.x {
		sx += d.w[i] * d.x[i]
		sT += d.w[i] * d.T[i]
	}
	rate := sx / sT
	if !(rate > 0) || math.IsInf(rate, 0) {
		rate = 1 / math.Max(sT/float64(d.n), 1)
	}
	meanT := math.Max(sT/float64(d.n), 1e-3)
	spec := clvSpec{
		model:   "Pareto/NBD",
		names:   []string{"r", "alpha", "s", "beta"},
		start:   []float64{1, 1 / rate, 1, meanT},
		hasGrad: true,
		n:       float64(d.n),
		nll:     func(th, g []float64) float64 { return clvPNBDNLL(&d, th, g) },
	}
	p, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = d.n, len(d.x)
	if p == nil {
		return nil, err
	}
	return &ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3], Unit: s.Unit, Fit: rep}, err
}

// pAlive returns P(alive at T | x, t_x, T) = (α+T)^-(r+x) (β+T)^-s / [that + s I].
func (p clvPNBD) pAlive(x, tx, T float64) float64 {
	A := -(p.r+x)*math.Log(p.al+T) - p.s*math.Log(p.be+T)
	B := math.Log(p.s) + clvPNBDIntegral(p, x, tx, T, nil)
	return math.Exp(A - numerics.LogAddExp(A, B))
}

// clvGrowth returns (1 - e^(-k u))/k, and u when k is 0.
func clvGrowth(k, u float64) float64 {
	if math.Abs(k) < 1e-10 {
		return u
	}
	return -math.Expm1(-k*u) / k
}

// bracket returns E[Y(t) | alive at T, x]: (r+x)/(α+T) (β+T) [1 - ((β+T)/(β+T+t))^(s-1)]/(s-1).
func (p clvPNBD) bracket(x, T, t float64) float64 {
	return (p.r + x) / (p.al + T) * (p.be + T) * clvGrowth(p.s-1, math.Log1p(t/(p.be+T)))
}

func (p clvPNBD) conditional(x, tx, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	return p.pAlive(x, tx, T) * p.bracket(x, T, t)
}

// expected returns E[X(t)] = rβ/α [1 - (β/(β+t))^(s-1)]/(s-1) for a new customer.
func (p clvPNBD) expected(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return p.r / p.al * p.be * clvGrowth(p.s-1, math.Log1p(t/p.be))
}

func (p clvPNBD) pAliveAt(x, tx, T, tau float64) float64 {
	return p.pAlive(x, tx, T) * math.Exp(-p.s*math.Log1p(math.Max(tau, 0)/(p.be+T)))
}

// dert returns the discounted expected residual transactions at continuous rate delta
// per unit (Fader, Hardie and Lee 2005, "RFM and CLV", equation 2):
// P(alive) (r+x)/(α+T) · (1/δ) · w^s e^w Γ(1-s, w), w = δ(β+T). The last factor tends
// to 1 for large β; it is computed without forming e^w or Γ(1-s, w) apart.
func (p clvPNBD) dert(x, tx, T, delta float64) float64 {
	return p.pAlive(x, tx, T) * (p.r + x) / (p.al + T) / delta * numerics.ScaledExpIntegral(p.s, delta*(p.be+T))
}

// probPurchases returns P(X(t) = n) for a new customer: the customer alive throughout
// with NB(n; t), or dropping out at τ < t with NB(n; τ), the latter integrated
// numerically over τ (64 Gauss-Legendre panels in log(1+τ/min(α,β))).
func (p clvPNBD) probPurchases(t float64, n int) float64 {
	if n < 0 || t < 0 {
		return 0
	}
	fn := float64(n)
	c0 := numerics.Lgamma(p.r+fn) - numerics.Lgamma(p.r) - numerics.Lgamma(fn+1)
	lnb := func(tau float64) float64 {
		v := c0 + p.r*math.Log(p.al/(p.al+tau))
		if n > 0 {
			v += fn * math.Log(tau/(p.al+tau))
		}
		return v
	}
	if t == 0 {
		if n == 0 {
			return 1
		}
		return 0
	}
	alive := math.Exp(lnb(t) + p.s*math.Log(p.be/(p.be+t)))
	c := math.Min(p.al, p.be)
	vmax := math.Log1p(t / c)
	const panels = 64
	h := vmax / panels
	var integral float64
	for k := 0; k < panels; k++ {
		mid := (float64(k) + 0.5) * h
		for i, xi := range clvGLx {
			v := mid + h/2*xi
			tau := c * math.Expm1(v)
			jac := c * math.Exp(v) // dτ/dv
			dens := math.Log(p.s) + p.s*math.Log(p.be) - (p.s+1)*math.Log(p.be+tau)
			integral += clvGLw[i] * h / 2 * jac * math.Exp(dens+lnb(tau))
		}
	}
	return alive + integral
}

func (m *ParetoNBD) clvParams() clvPNBD { return clvPNBD{m.R, m.Alpha, m.S, m.Beta} }

// rowParams returns one customer's parameters, with covariates applied.
func (m *ParetoNBD) clvRowParams(s PurchaseHistory) (clvPNBD, error) {
	p := m.clvParams()
	if m.Covariates == nil {
		return p, nil
	}
	if err := m.Covariates.clvCheck(s); err != nil {
		return p, err
	}
	p.al /= clvLink(m.Covariates.Purchase, s.Covariates)
	p.be /= clvLink(m.Covariates.Dropout, s.Covariates)
	return p, nil
}

// TimeUnit returns the unit the model counts time in.
func (m *ParetoNBD) TimeUnit() TimeUnit { return m.Unit }

// ExpectedPurchases returns E[X(t)] for a new customer.
func (m *ParetoNBD) ExpectedPurchases(t time.Duration) float64 {
	return m.clvParams().expected(m.Unit.Of(t))
}

// ProbPurchases returns P(X(t) = n) for a new customer.
func (m *ParetoNBD) ProbPurchases(t time.Duration, n int) float64 {
	return m.clvParams().probPurchases(m.Unit.Of(t), n)
}

// ConditionalExpected returns E[Y(t) | x, t_x, T], the expected repeat purchases in
// (T, T+t].
func (m *ParetoNBD) ConditionalExpected(s PurchaseHistory, t time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.conditional(s.X, s.TX, s.T, m.Unit.Of(t)), nil
}

// PAlive returns the probability that the customer is alive at the cut-off.
func (m *ParetoNBD) PAlive(s PurchaseHistory) (float64, error) { return m.PAliveAt(s, 0) }

// PAliveAt returns the probability that the customer is alive a time after the cut-off.
func (m *ParetoNBD) PAliveAt(s PurchaseHistory, after time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.pAliveAt(s.X, s.TX, s.T, m.Unit.Of(after)), nil
}

// DERT returns the discounted expected residual transactions of the customer over an
// unlimited horizon, discounted continuously at an effective annual rate (0.10 for
// 10% a year), converted to the model's unit as ln(1+rate) per year.
func (m *ParetoNBD) DERT(s PurchaseHistory, annualRate float64) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	if !(annualRate > 0) || math.IsInf(annualRate, 0) {
		return 0, errorf(ErrCannotScore, "dert: annual rate %v is not above 0", annualRate)
	}
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.dert(s.X, s.TX, s.T, math.Log1p(annualRate)/m.Unit.PerYear()), nil
}

// ConditionalExpectedAll writes E[Y(t) | x, t_x, T] of every row into out and, when
// alive is not nil, P(alive) into alive. Validate the rows once beforehand. Identical
// rows are scored once.
func (m *ParetoNBD) ConditionalExpectedAll(rows []PurchaseHistory, t time.Duration, out, alive []float64) error {
	if len(out) != len(rows) || (alive != nil && len(alive) != len(rows)) {
		return errorf(ErrInvalidHistory, "conditional expectations: %d rows but out has %d", len(rows), len(out))
	}
	tu := m.Unit.Of(t)
	// P(alive) needs the likelihood integral, about a microsecond a row; identical rows
	// (common: durations in whole days) share it through a table keyed by (x, t_x, T).
	var seen clvTable[[3]uint64, [2]float64] // row -> P(alive), expectation
	seen.init(1<<12, 1<<18)
	for i := range rows {
		r := &rows[i]
		var pa, e float64
		if m.Covariates != nil {
			p, err := m.clvRowParams(*r)
			if err != nil {
				return err
			}
			pa, e = p.pAlive(r.X, r.TX, r.T), 0
			if tu > 0 {
				e = pa * p.bracket(r.X, r.T, tu)
			}
		} else {
			k := [3]uint64{math.Float64bits(r.X), math.Float64bits(r.TX), math.Float64bits(r.T)}
			h := clvKeyHash3(k)
			v, ok := seen.get(k, h)
			if !ok {
				p := m.clvParams()
				v[0] = p.pAlive(r.X, r.TX, r.T)
				if tu > 0 {
					v[1] = v[0] * p.bracket(r.X, r.T, tu)
				}
				seen.put(k, h, v, clvKeyHash3)
			}
			pa, e = v[0], v[1]
		}
		out[i] = e
		if alive != nil {
			alive[i] = pa
		}
	}
	return nil
}
