package vip

import (
	"math"
	"time"

	"github.com/vipkit/vip/internal/numerics"
)

// BGNBD is a fitted beta-geometric/negative binomial model (Fader, Hardie and Lee
// 2005, "Counting your customers the easy way"): while alive a customer buys at rate λ,
// λ ~ Gamma(R, Alpha) across customers; after each repeat purchase the customer drops
// out with probability p, p ~ Beta(A, B). It is the default model and the fast path.
//
// Alpha is in the model's Unit. The zero value is not a model: get one from [FitBGNBD]
// or fill the fields from published estimates. A BGNBD is read-only after the fit and
// safe for concurrent use.
type BGNBD struct {
	R, Alpha, A, B float64
	Unit           TimeUnit
	// Covariates holds the coefficients when the model was fitted with covariates.
	Covariates *Covariates `json:"covariates,omitempty"`
	Fit        FitReport   `json:"fit"`
}

// MBGNBD is a fitted modified BG/NBD model (Batislam, Denizel and Filiztekin 2007): as
// [BGNBD], but a customer may also drop out right after the first purchase, so a
// one-time buyer is not certainly alive. The zero value is not a model; it is safe for
// concurrent use.
type MBGNBD struct {
	R, Alpha, A, B float64
	Unit           TimeUnit
	Fit            FitReport `json:"fit"`
}

// clvBG holds the parameters of a BG/NBD (m = 0) or MBG/NBD (m = 1) model.
type clvBG struct {
	r, al, a, b, m float64
}

// FitBGNBD fits a BG/NBD model by maximum likelihood. Rows are validated first
// ([Cohort.Validate]); identical rows are merged into weights, so a million customers
// cost what their distinct (x, t_x, T) rows cost. With covariates on the rows it fits
// the covariate model described at [Covariates].
//
// On failure it returns a *[FitError]. When the only problem is a parameter at its
// bound it returns the model as well: see [FitError].
func FitBGNBD(s Cohort, opt *FitOptions) (*BGNBD, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(s.Rows[0].Covariates) > 0 {
		return clvFitBGNBDCov(s, opt)
	}
	p, rep, err := clvFitBG(s, opt, 0)
	if p == nil {
		return nil, err
	}
	return &BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3], Unit: s.Unit, Fit: rep}, err
}

// FitMBGNBD fits a modified BG/NBD model as [FitBGNBD] fits a BG/NBD model. It
// refuses rows with covariates.
func FitMBGNBD(s Cohort, opt *FitOptions) (*MBGNBD, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if len(s.Rows[0].Covariates) > 0 {
		return nil, errorf(ErrFitFailed, "MBG/NBD fit: covariates are not supported for this model (use FitBGNBD or FitParetoNBD)")
	}
	p, rep, err := clvFitBG(s, opt, 1)
	if p == nil {
		return nil, err
	}
	return &MBGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3], Unit: s.Unit, Fit: rep}, err
}

func clvFitBG(s Cohort, opt *FitOptions, m float64) ([]float64, FitReport, error) {
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
	name := "BG/NBD"
	if m == 1 {
		name = "MBG/NBD"
	}
	spec := clvSpec{
		model:   name,
		names:   []string{"r", "alpha", "a", "b"},
		start:   []float64{1, 1 / rate, 1, 1},
		hasGrad: true,
		n:       float64(d.n),
		nll:     func(th, g []float64) float64 { return clvBGNLL(&d, th, g, m) },
	}
	p, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = d.n, len(d.x)
	return p, rep, err
}

// clvSigmoid returns 1/(1 + e^-d).
func clvSigmoid(d float64) float64 {
	if d >= 0 {
		return 1 / (1 + math.Exp(-d))
	}
	e := math.Exp(d)
	return e / (1 + e)
}

// clvBGNLL is the weighted negative log-likelihood of BG/NBD (m = 0) or MBG/NBD (m = 1)
// at log-parameters th, with its gradient in log space when g is not nil. Per-x terms
// (gamma and digamma functions) are computed once per distinct x.
//
// ℓ = A1 + A2 + log(e^A3 + [x>0 or m=1] e^A4) with
// A1 = lnΓ(r+x) - lnΓ(r) + r ln α, A2 = ln B(a, b+x+m) - ln B(a, b),
// A3 = -(r+x) ln(α+T), A4 = ln a - ln(b+x-1+m) - (r+x) ln(α+t_x).
func clvBGNLL(d *clvRows, th, g []float64, m float64) float64 {
	r, al, a, b := math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])
	lnal := math.Log(al)
	lgr, lgb, lgab := numerics.Lgamma(r), numerics.Lgamma(b), numerics.Lgamma(a+b)
	var psr, psb, psab float64
	if g != nil {
		psr, psb, psab = numerics.Digamma(r), numerics.Digamma(b), numerics.Digamma(a+b)
	}
	lna := math.Log(a)
	var ll, dr, dal, da, db float64
	n := len(d.x)
	indexed := d.iT != nil
	if indexed {
		for j, v := range d.uT {
			d.lT[j] = math.Log(al + v)
		}
		for j, v := range d.uTx {
			d.lTx[j] = math.Log(al + v)
		}
	}
	for i := 0; i < n; {
		x := d.x[i]
		j := i + 1
		for j < n && d.x[j] == x {
			j++
		}
		cx := numerics.Lgamma(r+x) - lgr + r*lnal + lgab + numerics.Lgamma(b+x+m) - lgb - numerics.Lgamma(a+b+x+m)
		rx := r + x
		drop := x > 0 || m == 1
		var lnA, bx1 float64
		if drop {
			bx1 = b + x - 1 + m
			lnA = lna - math.Log(bx1)
		}
		var dr0, da0, db0 float64
		if g != nil {
			dr0 = numerics.Digamma(rx) - psr + lnal
			pabx := numerics.Digamma(a + b + x + m)
			da0 = psab - pabx
			db0 = psab + numerics.Digamma(b+x+m) - psb - pabx
		}
		for k := i; k < j; k++ {
			w := d.w[k]
			var lT, ltx float64
			if indexed {
				lT, ltx = d.lT[d.iT[k]], d.lTx[d.iTx[k]]
			} else {
				lT, ltx = math.Log(al+d.T[k]), math.Log(al+d.tx[k])
			}
			if !drop {
				ll += w * (cx - rx*lT)
				if g != nil {
					dr += w * (dr0 - lT)
					dal += w * (r/al - rx/(al+d.T[k]))
					da += w * da0
					db += w * db0
				}
				continue
			}
			D := lnA + rx*(lT-ltx)
			// softplus(D) and sigmoid(D) from one exponential.
			e := math.Exp(-math.Abs(D))
			sp := math.Log1p(e)
			if D > 0 {
				sp += D
			}
			ll += w * (cx - rx*lT + sp)
			if g != nil {
				p4 := 1 / (1 + e)
				if D < 0 {
					p4 = e / (1 + e)
				}
				p3 := 1 - p4
				dr += w * (dr0 - p3*lT - p4*ltx)
				dal += w * (r/al - rx*(p3/(al+d.T[k])+p4/(al+d.tx[k])))
				da += w * (da0 + p4/a)
				db += w * (db0 - p4/bx1)
			}
		}
		i = j
	}
	if g != nil {
		g[0], g[1], g[2], g[3] = -dr*r, -dal*al, -da*a, -db*b
	}
	return -ll
}

// pAlive returns P(alive at T | x, t_x, T).
func (p clvBG) pAlive(x, tx, T float64) float64 {
	if x == 0 && p.m == 0 {
		return 1
	}
	D := math.Log(p.a) - math.Log(p.b+x-1+p.m) + (p.r+x)*(math.Log(p.al+T)-math.Log(p.al+tx))
	return 1 - clvSigmoid(D)
}

// bracket returns the expected purchases in (T, T+t] of a customer known to be alive at
// T after x repeat purchases:
// (a+b+x-1+m)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r+m, a-1; a+b+x-1+m; z)], z = t/(α+T+t),
// which is the published (a+b+x-1+m)/(a-1) [1 - (1-z)^(r+x) 2F1(r+x, b+x+m; a+b+x-1+m; z)]
// after Euler's transformation; of the two it takes the one with the smaller series
// parameters (Euler's keeps heavy buyers tame, the published one huge a and b). Near
// the removable singularities a = 1 and a+b+x-1+m = 0, or where both series fail, it
// integrates E[(1/p)(1 - (1 + p t/(α+T))^-(r+x))] over p ~ Beta(a, b+x+m) instead.
func (p clvBG) bracket(x, T, t float64) float64 {
	if t <= 0 {
		return 0
	}
	c := p.a + p.b + x - 1 + p.m
	if math.Abs(p.a-1) >= 1e-4 && math.Abs(c) >= 1e-6 {
		// The prefactor c/(a-1) times a bracket near 0 loses digits: keep the closed form
		// only while the prefactor is within 1e4 of the result (the 2F1 itself may carry
		// errors of 1e-11, which the prefactor magnifies).
		if v := p.bracketAt(x, T, t); !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 && math.Abs(c/(p.a-1)) <= 1e4*v {
			return v
		}
	}
	k := p.r + x
	s := t / (p.al + T)
	return clvBetaExpect(p.a, p.b+x+p.m, func(q float64) float64 {
		if q*s < 1e-300 {
			return k * s
		}
		return -math.Expm1(-k*math.Log1p(q*s)) / q
	})
}

func (p clvBG) bracketAt(x, T, t float64) float64 {
	z := t / (p.al + T + t)
	c := p.a + p.b + x - 1 + p.m
	lw := math.Log1p(-z)
	A1, B1 := p.a+p.b-1-p.r+p.m, p.a-1 // × (1-z)^(a-1)
	A0, B0 := p.r+x, p.b+x+p.m         // × (1-z)^(r+x)
	A, B, pow := A1, B1, p.a-1
	if math.Abs(A0*B0) < math.Abs(A1*B1) {
		A, B, pow = A0, B0, p.r+x
	}
	f := numerics.Hyp2F1(A, B, c, z)
	if f > 0 {
		return c / (p.a - 1) * -math.Expm1(pow*lw+math.Log(f))
	}
	return c / (p.a - 1) * (1 - math.Exp(pow*lw)*f)
}

// clvBetaExpect returns E[f(p)] for p ~ Beta(a, b), for the corners where the
// hypergeometric series overflow or cancel. It integrates over v = logit(p), where the
// density p^a (1-p)^b / B(a, b) is log-concave with its mode at ln(a/b): Gauss-Legendre
// panels march out from the mode in both directions, each as wide as the smallest of
// the local decay scale 2/|g'|, the curvature scale 1/sqrt(|g”|) and 4, until the
// log-density has fallen 50 below its peak; the sum is taken in log space. f must be
// finite and >= 0 and smooth on the scale of a panel.
func clvBetaExpect(a, b float64, f func(float64) float64) float64 {
	lb := numerics.LogBeta(a, b)
	logDens := func(v float64) float64 { return -a*clvSoftplusNeg(v) - b*clvSoftplusNeg(-v) - lb }
	m0 := math.Log(a / b)
	peak := logDens(m0)
	var terms []float64
	for _, dir := range []float64{-1, 1} {
		v := m0
		for n := 0; n < 4000; n++ {
			p := 1 / (1 + math.Exp(-v))
			g1 := math.Abs(a - (a+b)*p)
			g2 := (a + b) * p * (1 - p)
			w := 4.0
			if g1 > 0 {
				w = math.Min(w, 2/g1)
			}
			if g2 > 0 {
				w = math.Min(w, 1/math.Sqrt(g2))
			}
			mid := v + dir*w/2
			for i, xi := range clvGLx {
				u := mid + w/2*xi
				lp := -clvSoftplusNeg(u)
				fv := f(math.Exp(lp))
				if fv > 0 {
					terms = append(terms, math.Log(clvGLw[i]*w/2)+logDens(u)+math.Log(fv))
				}
			}
			v += dir * w
			if logDens(v) < peak-50 {
				break
			}
		}
	}
	if len(terms) == 0 {
		return 0
	}
	return math.Exp(numerics.LogSumExp(terms))
}

// clvSoftplusNeg returns ln(1 + e^-v).
func clvSoftplusNeg(v float64) float64 {
	if v > 0 {
		return math.Log1p(math.Exp(-v))
	}
	return -v + math.Log1p(math.Exp(v))
}

// expected returns E[X(t)] for a new customer, t in model units.
func (p clvBG) expected(t float64) float64 {
	v := p.bracket(0, 0, t)
	if p.m == 1 {
		v *= p.b / (p.a + p.b)
	}
	return v
}

// conditional returns E[Y(t) | x, t_x, T].
func (p clvBG) conditional(x, tx, T, t float64) float64 {
	return p.pAlive(x, tx, T) * p.bracket(x, T, t)
}

// pAliveAt returns P(alive at T+tau | x, t_x, T).
func (p clvBG) pAliveAt(x, tx, T, tau float64) float64 {
	pa := p.pAlive(x, tx, T)
	if tau <= 0 || pa == 0 {
		return pa
	}
	// E[exp(-λ p τ)] under the posterior λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+x+m).
	// It is 2F1(r+x, a; a+b+x+m; -y), y = τ/(α+T); Pfaff's transformation on a or on
	// r+x, whichever leaves smaller series parameters, brings the argument into [0, 1).
	y := tau / (p.al + T)
	w := tau / (p.al + T + tau)
	c := p.a + p.b + x + p.m
	var v float64
	if math.Abs(p.a*(p.a+p.b+p.m-p.r)) <= math.Abs((p.r+x)*(p.b+x+p.m)) {
		v = math.Exp(-p.a*math.Log1p(y)) * numerics.Hyp2F1(p.a, p.a+p.b+p.m-p.r, c, w)
	} else {
		v = math.Exp(-(p.r+x)*math.Log1p(y)) * numerics.Hyp2F1(p.r+x, p.b+x+p.m, c, w)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
		k := p.r + x
		v = clvBetaExpect(p.a, p.b+x+p.m, func(q float64) float64 { return math.Exp(-k * math.Log1p(q*y)) })
	}
	return pa * math.Min(v, 1)
}

// probPurchases returns P(X(t) = n) for a new BG/NBD customer (Fader, Hardie and Lee
// 2005, equation 8).
func (p clvBG) probPurchases(t float64, n int) float64 {
	if n < 0 {
		return 0
	}
	fn := float64(n)
	lb := numerics.LogBeta(p.a, p.b)
	l0 := p.r * math.Log(p.al/(p.al+t))
	lq := math.Log(t / (p.al + t))
	lgr := numerics.Lgamma(p.r)
	nb := func(j float64) float64 { // log NB(j) without the beta part
		v := numerics.Lgamma(p.r+j) - lgr - numerics.Lgamma(j+1) + l0
		if j > 0 {
			v += j * lq
		}
		return v
	}
	v := math.Exp(numerics.LogBeta(p.a, p.b+fn) - lb + nb(fn))
	if n > 0 {
		var cdf float64
		for j := 0; j < n; j++ {
			cdf += math.Exp(nb(float64(j)))
		}
		v += math.Exp(numerics.LogBeta(p.a+1, p.b+fn-1)-lb) * math.Max(0, 1-cdf)
	}
	return v
}

func (m *BGNBD) clvParams() clvBG  { return clvBG{r: m.R, al: m.Alpha, a: m.A, b: m.B} }
func (m *MBGNBD) clvParams() clvBG { return clvBG{r: m.R, al: m.Alpha, a: m.A, b: m.B, m: 1} }

// TimeUnit returns the unit the model counts time in.
func (m *BGNBD) TimeUnit() TimeUnit { return m.Unit }

// TimeUnit returns the unit the model counts time in.
func (m *MBGNBD) TimeUnit() TimeUnit { return m.Unit }

// ExpectedPurchases returns E[X(t)], the expected repeat purchases of a new customer
// in the first t after the first purchase.
func (m *BGNBD) ExpectedPurchases(t time.Duration) float64 {
	return m.clvParams().expected(m.Unit.Of(t))
}

// ExpectedPurchases returns E[X(t)] for a new customer.
func (m *MBGNBD) ExpectedPurchases(t time.Duration) float64 {
	return m.clvParams().expected(m.Unit.Of(t))
}

// ProbPurchases returns P(X(t) = n): the probability that a new customer makes
// exactly n repeat purchases in the first t.
func (m *BGNBD) ProbPurchases(t time.Duration, n int) float64 {
	return m.clvParams().probPurchases(m.Unit.Of(t), n)
}

// ProbPurchases returns P(X(t) = n) for a new customer: with probability p the
// customer is gone at once (n = 0); otherwise the BG/NBD count applies, and weighting
// Beta(a, b) by 1-p gives Beta(a, b+1), so
// P(n) = a/(a+b)·[n = 0] + b/(a+b)·P_BG/NBD(n; r, α, a, b+1).
func (m *MBGNBD) ProbPurchases(t time.Duration, n int) float64 {
	if n < 0 {
		return 0
	}
	bg := clvBG{r: m.R, al: m.Alpha, a: m.A, b: m.B + 1}
	v := m.B / (m.A + m.B) * bg.probPurchases(m.Unit.Of(t), n)
	if n == 0 {
		v += m.A / (m.A + m.B)
	}
	return v
}

// clvCheckRow validates one row for scoring.
func clvCheckRow(s PurchaseHistory) error {
	return Cohort{Unit: UnitDay, Rows: []PurchaseHistory{s}}.Validate()
}

// ConditionalExpected returns E[Y(t) | x, t_x, T]: the customer's expected repeat
// purchases in (T, T+t], after the cut-off.
func (m *BGNBD) ConditionalExpected(s PurchaseHistory, t time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.conditional(s.X, s.TX, s.T, m.Unit.Of(t)), nil
}

// ConditionalExpected returns E[Y(t) | x, t_x, T].
func (m *MBGNBD) ConditionalExpected(s PurchaseHistory, t time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	return m.clvParams().conditional(s.X, s.TX, s.T, m.Unit.Of(t)), nil
}

// PAlive returns the probability that the customer is alive at the cut-off.
func (m *BGNBD) PAlive(s PurchaseHistory) (float64, error) { return m.PAliveAt(s, 0) }

// PAliveAt returns the probability that the customer is still alive a time after the
// cut-off.
func (m *BGNBD) PAliveAt(s PurchaseHistory, after time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	p, err := m.clvRowParams(s)
	if err != nil {
		return 0, err
	}
	return p.pAliveAt(s.X, s.TX, s.T, m.Unit.Of(after)), nil
}

// PAlive returns the probability that the customer is alive at the cut-off.
func (m *MBGNBD) PAlive(s PurchaseHistory) (float64, error) { return m.PAliveAt(s, 0) }

// PAliveAt returns the probability that the customer is still alive a time after the
// cut-off.
func (m *MBGNBD) PAliveAt(s PurchaseHistory, after time.Duration) (float64, error) {
	if err := clvCheckRow(s); err != nil {
		return 0, err
	}
	return m.clvParams().pAliveAt(s.X, s.TX, s.T, m.Unit.Of(after)), nil
}

// ConditionalExpectedAll writes E[Y(t) | x, t_x, T] of every row into out (which must
// be as long as rows) and P(alive) into alive when it is not nil. Rows are not
// validated one by one: validate the set once with [Cohort.Validate]. Rows sharing
// x and T share the expensive hypergeometric term, which is computed once.
func (m *BGNBD) ConditionalExpectedAll(rows []PurchaseHistory, t time.Duration, out, alive []float64) error {
	if len(out) != len(rows) || (alive != nil && len(alive) != len(rows)) {
		return errorf(ErrInvalidHistory, "conditional expectations: %d rows but out has %d", len(rows), len(out))
	}
	if m.Covariates != nil {
		for i := range rows {
			p, err := m.clvRowParams(rows[i])
			if err != nil {
				return err
			}
			out[i] = p.conditional(rows[i].X, rows[i].TX, rows[i].T, m.Unit.Of(t))
			if alive != nil {
				alive[i] = p.pAlive(rows[i].X, rows[i].TX, rows[i].T)
			}
		}
		return nil
	}
	return clvCondAll(m.clvParams(), rows, m.Unit.Of(t), out, alive)
}

// ConditionalExpectedAll is [BGNBD.ConditionalExpectedAll] for the modified model.
func (m *MBGNBD) ConditionalExpectedAll(rows []PurchaseHistory, t time.Duration, out, alive []float64) error {
	if len(out) != len(rows) || (alive != nil && len(alive) != len(rows)) {
		return errorf(ErrInvalidHistory, "conditional expectations: %d rows but out has %d", len(rows), len(out))
	}
	return clvCondAll(m.clvParams(), rows, m.Unit.Of(t), out, alive)
}

// ConditionalExpectedColumns is [BGNBD.ConditionalExpectedAll] over columns: x, tx
// and T hold each customer's x, t_x and T in the model's unit, all as long as out (and
// alive, when not nil). It is the form for tens of millions of customers, who do not
// fit in memory as [PurchaseHistory] values. The model must have no covariates.
func (m *BGNBD) ConditionalExpectedColumns(x, tx, T []float64, t time.Duration, out, alive []float64) error {
	if m.Covariates != nil {
		return errorf(ErrCannotScore, "conditional expectations by columns: the model has covariates; use ConditionalExpectedAll")
	}
	n := len(out)
	if len(x) != n || len(tx) != n || len(T) != n || (alive != nil && len(alive) != n) {
		return errorf(ErrInvalidHistory, "conditional expectations by columns: lengths %d, %d, %d and out %d differ", len(x), len(tx), len(T), n)
	}
	var c clvCondCache
	c.init(m.clvParams(), m.Unit.Of(t))
	for i := range out {
		out[i], _ = c.score(x[i], tx[i], T[i], alive, i)
	}
	return nil
}

// clvCondCache scores rows. Identical rows (x, t_x, T) are scored once: a first table
// keyed by the whole row holds the expectation and P(alive) (up to 1<<18 rows). Behind
// it, per distinct (x, T), a second table holds the bracket, ln(α+T) and
// ln a - ln(b+x-1+m) (up to 1<<20), so a new row costs one logarithm and one
// exponential. Both are open-addressing tables over the float bits, dropped when rows
// turn out not to repeat.
type clvCondCache struct {
	p    clvBG
	t    float64
	lna  float64
	xT   clvTable[[2]uint64, [3]float64]
	rows clvTable[[3]uint64, [2]float64]
	// lookups and hits of the row table; after 1<<14 lookups with fewer than one in
	// eight hitting, the tables are dropped and every row is scored directly.
	lookups, hits int
	off           bool
}

func (c *clvCondCache) init(p clvBG, t float64) {
	c.p, c.t, c.lna = p, t, math.Log(p.a)
	c.xT.init(1<<10, 1<<20)
	c.rows.init(1<<12, 1<<18)
}

func (c *clvCondCache) score(x, tx, T float64, alive []float64, i int) (float64, float64) {
	if c.off {
		return c.direct(x, tx, T, alive, i)
	}
	bx, btx, bT := math.Float64bits(x), math.Float64bits(tx), math.Float64bits(T)
	rk := [3]uint64{bx, btx, bT}
	rh := clvKeyHash3(rk)
	c.lookups++
	if v, ok := c.rows.get(rk, rh); ok {
		c.hits++
		if alive != nil {
			alive[i] = v[1]
		}
		return v[0], v[1]
	}
	if c.lookups >= 1<<14 && c.hits < c.lookups/8 {
		c.off = true
		c.xT, c.rows = clvTable[[2]uint64, [3]float64]{}, clvTable[[3]uint64, [2]float64]{}
		return c.direct(x, tx, T, alive, i)
	}
	k := [2]uint64{bx, bT}
	h := clvKeyHash2(k)
	e, ok := c.xT.get(k, h)
	if !ok {
		e = c.entry(x, T)
		c.xT.put(k, h, e, clvKeyHash2)
	}
	pa := 1.0
	if x > 0 || c.p.m == 1 {
		D := e[2] + (c.p.r+x)*(e[1]-math.Log(c.p.al+tx))
		// 1 - sigmoid(D) = 1/(1+e^D), written to stay finite for any D.
		if D > 0 {
			ed := math.Exp(-D)
			pa = ed / (1 + ed)
		} else {
			pa = 1 / (1 + math.Exp(D))
		}
	}
	if alive != nil {
		alive[i] = pa
	}
	v := pa * e[0]
	c.rows.put(rk, rh, [2]float64{v, pa}, clvKeyHash3)
	return v, pa
}

// entry returns the per-(x, T) terms: the bracket, ln(α+T), ln a - ln(b+x-1+m).
func (c *clvCondCache) entry(x, T float64) [3]float64 {
	e := [3]float64{c.p.bracket(x, T, c.t), math.Log(c.p.al + T), 0}
	if x > 0 || c.p.m == 1 {
		e[2] = c.lna - math.Log(c.p.b+x-1+c.p.m)
	}
	return e
}

// direct scores a row without the tables.
func (c *clvCondCache) direct(x, tx, T float64, alive []float64, i int) (float64, float64) {
	e := c.entry(x, T)
	pa := 1.0
	if x > 0 || c.p.m == 1 {
		pa = 1 - clvSigmoid(e[2]+(c.p.r+x)*(e[1]-math.Log(c.p.al+tx)))
	}
	if alive != nil {
		alive[i] = pa
	}
	return pa * e[0], pa
}

// clvMix is splitmix64's finaliser: float bits of small whole numbers have all-zero
// low bits, which the table's mask would otherwise keep.
func clvMix(h uint64) uint64 {
	h += 0x9E3779B97F4A7C15
	h ^= h >> 30
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	return h ^ h>>31
}

func clvKeyHash2(k [2]uint64) uint64 { return clvMix(k[0] ^ clvMix(k[1])) }
func clvKeyHash3(k [3]uint64) uint64 { return clvMix(k[0] ^ clvMix(k[1]^clvMix(k[2]))) }

// clvTable is an open-addressing hash table with linear probing that doubles up to a
// cap of entries and then stops accepting new ones.
type clvTable[K comparable, V any] struct {
	keys []K
	vals []V
	used []bool
	n    int
	max  int
}

func (t *clvTable[K, V]) init(size, max int) {
	t.keys, t.vals, t.used, t.n, t.max = make([]K, size), make([]V, size), make([]bool, size), 0, max
}

func (t *clvTable[K, V]) get(k K, h uint64) (V, bool) {
	mask := uint64(len(t.keys) - 1)
	for i := h & mask; t.used[i]; i = (i + 1) & mask {
		if t.keys[i] == k {
			return t.vals[i], true
		}
	}
	var zero V
	return zero, false
}

// put inserts k (whose hash is h); hash recomputes the hashes when the table grows.
func (t *clvTable[K, V]) put(k K, h uint64, v V, hash func(K) uint64) {
	if 2*(t.n+1) > len(t.keys) {
		if t.n >= t.max {
			return
		}
		old := *t
		size := 2 * len(old.keys)
		t.keys, t.vals, t.used, t.n = make([]K, size), make([]V, size), make([]bool, size), 0
		for i := range old.used {
			if old.used[i] {
				t.put(old.keys[i], hash(old.keys[i]), old.vals[i], hash)
			}
		}
	}
	mask := uint64(len(t.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if !t.used[i] {
			t.keys[i], t.vals[i], t.used[i] = k, v, true
			t.n++
			return
		}
	}
}

// clvCondAll scores many rows through a clvCondCache.
func clvCondAll(p clvBG, rows []PurchaseHistory, t float64, out, alive []float64) error {
	var c clvCondCache
	c.init(p, t)
	for i := range rows {
		out[i], _ = c.score(rows[i].X, rows[i].TX, rows[i].T, alive, i)
	}
	return nil
}
