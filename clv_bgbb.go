package vip

import (
	"errors"
	"math"
	"strconv"

	"github.com/vipkit/vip/internal/numerics"
)

// DiscreteHistory is a customer's history over N discrete transaction opportunities
// (annual donation drives, yearly renewals, scheduled events): X transactions, the
// last in opportunity TX (0 when X = 0). Weight counts the customers who share the
// pattern; 0 means 1. A DiscreteHistory is a plain value, safe to copy and share.
type DiscreteHistory struct {
	ID     string  `json:"id,omitempty"`
	X      int     `json:"x"`
	TX     int     `json:"t_x"`
	N      int     `json:"n"`
	Weight float64 `json:"weight,omitempty"`
}

// ValidateDiscrete checks 0 <= X <= TX <= N, X = 0 exactly when TX = 0, and a finite
// weight >= 0, naming the first ten offending rows and their count per broken rule.
func ValidateDiscrete(rows []DiscreteHistory) error {
	var errs []error
	if len(rows) == 0 {
		errs = append(errs, errorf(ErrInvalidHistory, "no customers"))
	}
	rules := []clvBadRows{
		{rule: "x below 0 or above t_x"},
		{rule: "t_x above n or below 0"},
		{rule: "x = 0 with t_x above 0, or x > 0 with t_x = 0"},
		{rule: "a negative or non-finite weight"},
	}
	for i, r := range rows {
		id := r.ID
		if id == "" {
			id = "row " + strconv.Itoa(i)
		}
		if r.X < 0 || r.X > r.TX && r.X > 0 {
			rules[0].add(id)
		}
		if r.TX < 0 || r.TX > r.N {
			rules[1].add(id)
		}
		if (r.X == 0) != (r.TX == 0) {
			rules[2].add(id)
		}
		if r.Weight < 0 || math.IsNaN(r.Weight) || math.IsInf(r.Weight, 0) {
			rules[3].add(id)
		}
	}
	for i := range rules {
		if err := rules[i].err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// BGBB is a fitted beta-geometric/beta-Bernoulli model (Fader, Hardie and Shang 2010)
// for discrete opportunities: while alive a customer transacts at each opportunity with
// probability p, p ~ Beta(Alpha, Beta), and before each opportunity dies with
// probability θ, θ ~ Beta(Gamma, Delta). The zero value is not a model; a BGBB is
// read-only after the fit and safe for concurrent use.
type BGBB struct {
	Alpha, Beta, Gamma, Delta float64
	Fit                       FitReport `json:"fit"`
}

type clvBB struct{ al, be, ga, de float64 }

// logLik returns the log-likelihood of one pattern (FHS 2010, equation 5):
// B(α+x, β+n-x)/B(α,β) B(γ, δ+n)/B(γ,δ) + Σ_{i=0}^{n-t_x-1} B(α+x, β+t_x-x+i)/B(α,β) B(γ+1, δ+t_x+i)/B(γ,δ).
func (p clvBB) logLik(x, tx, n float64) float64 {
	lab, lgd := numerics.LogBeta(p.al, p.be), numerics.LogBeta(p.ga, p.de)
	v := numerics.LogBeta(p.al+x, p.be+n-x) - lab + numerics.LogBeta(p.ga, p.de+n) - lgd
	for i := 0.0; i <= n-tx-1; i++ {
		v = numerics.LogAddExp(v, numerics.LogBeta(p.al+x, p.be+tx-x+i)-lab+numerics.LogBeta(p.ga+1, p.de+tx+i)-lgd)
	}
	return v
}

// FitBGBB fits a BG/BB model by maximum likelihood (log-parameters, Nelder-Mead
// fallback as for the other models; the gradient is numeric).
func FitBGBB(rows []DiscreteHistory, opt *FitOptions) (*BGBB, error) {
	if err := ValidateDiscrete(rows); err != nil {
		return nil, err
	}
	var total, sx, sn float64
	for _, r := range rows {
		w := r.Weight
		if w == 0 {
			w = 1
		}
		total += w
		sx += w * float64(r.X)
		sn += w * float64(r.N)
	}
	// Start: a transaction probability at the observed rate, moderate dropout.
	rate := math.Min(math.Max(sx/math.Max(sn, 1), 0.05), 0.95)
	spec := clvSpec{
		model: "BG/BB",
		names: []string{"alpha", "beta", "gamma", "delta"},
		start: []float64{rate * 2, (1 - rate) * 2, 1, 3},
		n:     total,
		nll: func(th, _ []float64) float64 {
			p := clvBB{math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), math.Exp(th[3])}
			var ll float64
			for _, r := range rows {
				w := r.Weight
				if w == 0 {
					w = 1
				}
				ll += w * p.logLik(float64(r.X), float64(r.TX), float64(r.N))
			}
			return -ll
		},
	}
	par, rep, err := clvFit(spec, opt)
	rep.Customers, rep.Distinct = int(math.Round(total)), len(rows)
	if par == nil {
		return nil, err
	}
	return &BGBB{Alpha: par[0], Beta: par[1], Gamma: par[2], Delta: par[3], Fit: rep}, err
}

func (m *BGBB) clvParams() clvBB { return clvBB{m.Alpha, m.Beta, m.Gamma, m.Delta} }

// PAliveAt returns the probability that the customer is alive at opportunity N+k
// (k = 0: alive now, through the last observed opportunity; k = 1: alive for the next
// one, FHS 2010 equation 11).
func (m *BGBB) PAliveAt(r DiscreteHistory, k int) (float64, error) {
	if err := ValidateDiscrete([]DiscreteHistory{r}); err != nil {
		return 0, err
	}
	if k < 0 {
		return 0, errorf(ErrInvalidHistory, "bg/bb: k %d is negative", k)
	}
	p := m.clvParams()
	x, n := float64(r.X), float64(r.N)
	v := numerics.LogBeta(p.al+x, p.be+n-x) - numerics.LogBeta(p.al, p.be) + numerics.LogBeta(p.ga, p.de+n+float64(k)) - numerics.LogBeta(p.ga, p.de)
	return math.Exp(v - p.logLik(x, float64(r.TX), n)), nil
}

// clvGammaBracket returns δ/(γ-1) · Γ(γ+δ)/Γ(1+δ) · [Γ(1+δ+a)/Γ(γ+δ+a) - Γ(1+δ+b)/Γ(γ+δ+b)],
// averaging γ = 1 ± 1e-6 around its removable singularity.
func (p clvBB) gammaBracket(a, b float64) float64 {
	if math.Abs(p.ga-1) < 1e-6 {
		lo, hi := p, p
		lo.ga, hi.ga = 1-1e-6, 1+1e-6
		return 0.5 * (lo.gammaBracketAt(a, b) + hi.gammaBracketAt(a, b))
	}
	return p.gammaBracketAt(a, b)
}

func (p clvBB) gammaBracketAt(a, b float64) float64 {
	c := numerics.Lgamma(p.ga+p.de) - numerics.Lgamma(1+p.de)
	g := func(k float64) float64 { return numerics.Lgamma(1+p.de+k) - numerics.Lgamma(p.ga+p.de+k) }
	return p.de / (p.ga - 1) * (math.Exp(c+g(a)) - math.Exp(c+g(b)))
}

// ExpectedTransactions returns E[X(n)], the expected transactions of a new customer in
// the first n opportunities: α/(α+β) · δ/(γ-1) · [1 - Γ(γ+δ)Γ(1+δ+n)/(Γ(γ+δ+n)Γ(1+δ))].
func (m *BGBB) ExpectedTransactions(n int) float64 {
	if n <= 0 {
		return 0
	}
	p := m.clvParams()
	return p.al / (p.al + p.be) * p.gammaBracket(0, float64(n))
}

// ConditionalExpected returns the expected transactions in the next k opportunities,
// N+1 to N+k, of a customer with history r (FHS 2010, equation 13).
func (m *BGBB) ConditionalExpected(r DiscreteHistory, k int) (float64, error) {
	if err := ValidateDiscrete([]DiscreteHistory{r}); err != nil {
		return 0, err
	}
	if k <= 0 {
		return 0, nil
	}
	p := m.clvParams()
	x, n := float64(r.X), float64(r.N)
	lead := numerics.LogBeta(p.al+x+1, p.be+n-x) - numerics.LogBeta(p.al, p.be) - p.logLik(x, float64(r.TX), n)
	return math.Exp(lead) * p.gammaBracket(n, n+float64(k)), nil
}
