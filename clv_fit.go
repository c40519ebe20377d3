package vip

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vipkit/vip/internal/numerics"
)

// FitOptions tunes a model fit. A nil *FitOptions, like the zero value, means the
// defaults. Fits only read it, so one FitOptions may serve concurrent fits.
type FitOptions struct {
	// Penalty is an optional L2 penalty: Penalty × Σ θ² (over the model's natural
	// parameters, covariate coefficients included) is added to the mean negative
	// log-likelihood per customer. Zero fits by plain maximum likelihood.
	Penalty float64 `json:"penalty,omitempty"`
	// MaxIter caps the quasi-Newton iterations (default 500).
	MaxIter int `json:"max_iter,omitempty"`
	// Start replaces the data-derived start point: the model's parameters in the order
	// of its fields (r, alpha, a, b for BG/NBD), all above 0.
	Start []float64 `json:"start,omitempty"`
}

// FitReport describes how a fit went. Missing standard errors are reported apart from
// the fit itself: a converged fit may lack them (StdErr nil, StdErrMissing says why).
// The zero value describes no fit (a model filled in by hand). Read-only after the fit,
// it is safe for concurrent reads.
type FitReport struct {
	Model string `json:"model"`
	// Customers is the number of rows fitted; Distinct the number of distinct rows the
	// likelihood was computed over after identical rows were merged into weights.
	Customers int     `json:"customers"`
	Distinct  int     `json:"distinct"`
	LogLik    float64 `json:"log_lik"`
	// Iterations and Evaluations count optimiser steps and likelihood evaluations.
	Iterations  int  `json:"iterations"`
	Evaluations int  `json:"evaluations"`
	Converged   bool `json:"converged"`
	// Method is "bfgs", "nelder-mead" or "nelder-mead+bfgs" (the gradient method failed
	// and the simplex method took over).
	Method string `json:"method"`
	// Reason says why the optimiser stopped.
	Reason string `json:"reason"`
	// AtBound names the parameters that ended at their bound (1e-8 or 1e8), beyond
	// 1e6 or below 1e-6, or on a plateau that runs to a bound: multiplying or dividing
	// the parameter by 10 changes the log-likelihood by less than 0.01, so the data
	// cannot tell the estimate from the limit ("a -> inf", "s -> 0"). Such a model is
	// the limit case, valid to use.
	AtBound []string `json:"at_bound,omitempty"`
	// StdErr holds each parameter's asymptotic standard error (inverse Hessian of the
	// log-likelihood in log-parameter space, delta method back to the parameter).
	StdErr        map[string]float64 `json:"std_err,omitempty"`
	StdErrMissing string             `json:"std_err_missing,omitempty"`
}

// Fit error reasons.
const (
	FitNonFinite    = "non-finite likelihood"
	FitIterationCap = "iteration cap"
	FitAtBound      = "parameter at its bound"
	FitNoProgress   = "no progress"
)

// FitError says why a fit did not end in a clean maximum. It wraps [ErrFitFailed].
// The zero value has no reason; a FitError is not modified after it is returned.
//
// When Reason is [FitAtBound] the fitting function also returns the model: it is valid,
// the maximum lies on the edge of the parameter space (a limit case such as "nobody
// drops out"), and its predictions are those of that limit.
type FitError struct {
	Model    string
	Reason   string
	Names    []string  // parameter names, the order of Start, Final and Gradient
	Start    []float64 // start point (natural parameters)
	Final    []float64 // last point (natural parameters)
	Gradient []float64 // gradient of the objective in log-parameter space at Final
	AtBound  []string
}

func (e *FitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vip: %s fit: %s", e.Model, e.Reason)
	if len(e.AtBound) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(e.AtBound, ", "))
	}
	fmt.Fprintf(&b, "; start %s, final %s, gradient %s: %v", clvFmtVec(e.Names, e.Start), clvFmtVec(e.Names, e.Final), clvFmtVec(e.Names, e.Gradient), ErrFitFailed)
	return b.String()
}

// Unwrap returns [ErrFitFailed].
func (e *FitError) Unwrap() error { return ErrFitFailed }

func clvFmtVec(names []string, v []float64) string {
	parts := make([]string, len(v))
	for i := range v {
		n := fmt.Sprint(i)
		if i < len(names) {
			n = names[i]
		}
		parts[i] = fmt.Sprintf("%s=%.6g", n, v[i])
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// clvRows is a summary collapsed into distinct (x, t_x, T) rows with weights, sorted
// by x so that per-x terms can be computed once.
type clvRows struct {
	x, tx, T, w []float64
	n           int // customers
	// uT and uTx list the distinct T and t_x values and iT, iTx index them per row, so
	// that a likelihood computes ln(α+T) once per distinct value. Nil means no index.
	uT, uTx []float64
	iT, iTx []int32
	lT, lTx []float64 // scratch for the per-value logarithms
}

// index fills the distinct-value tables.
func (c *clvRows) index() {
	ix := func(v []float64) ([]float64, []int32) {
		m := make(map[float64]int32)
		var u []float64
		idx := make([]int32, len(v))
		for i, x := range v {
			j, ok := m[x]
			if !ok {
				j = int32(len(u))
				m[x] = j
				u = append(u, x)
			}
			idx[i] = j
		}
		return u, idx
	}
	c.uT, c.iT = ix(c.T)
	c.uTx, c.iTx = ix(c.tx)
	c.lT, c.lTx = make([]float64, len(c.uT)), make([]float64, len(c.uTx))
}

type clvKey struct{ x, tx, T float64 }

// clvCollapse merges identical rows. It keeps the input order of first appearance
// within each x, then sorts by x.
func clvCollapse(rows []PurchaseHistory) clvRows {
	idx := make(map[clvKey]int32, min(len(rows), 1<<16))
	var c clvRows
	c.n = len(rows)
	for i := range rows {
		k := clvKey{rows[i].X, rows[i].TX, rows[i].T}
		if j, ok := idx[k]; ok {
			c.w[j]++
			continue
		}
		idx[k] = int32(len(c.x))
		c.x = append(c.x, k.x)
		c.tx = append(c.tx, k.tx)
		c.T = append(c.T, k.T)
		c.w = append(c.w, 1)
	}
	order := make([]int, len(c.x))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return c.x[order[i]] < c.x[order[j]] })
	var s clvRows
	s.n = c.n
	for _, i := range order {
		s.x = append(s.x, c.x[i])
		s.tx = append(s.tx, c.tx[i])
		s.T = append(s.T, c.T[i])
		s.w = append(s.w, c.w[i])
	}
	s.index()
	return s
}

// clvSpec is one model's maximum-likelihood problem in log-parameter space.
type clvSpec struct {
	model string
	names []string
	start []float64 // natural parameters
	// nll returns the weighted negative log-likelihood (a sum) at log-parameters th and,
	// when grad is not nil, its gradient with respect to th.
	nll     func(th, grad []float64) float64
	hasGrad bool
	n       float64 // total weight, to scale the objective to a mean
	// shift is added to a log-parameter's exp to get the natural parameter (Gamma-Gamma
	// q = 1 + exp(θ)); nil means none.
	shift []float64
	// nlog is the number of leading log-parameters when positive; the rest are
	// coefficients used as they are (covariates). Zero means all are log-parameters.
	nlog int
}

func (s *clvSpec) isLog(i int) bool { return s.nlog == 0 || i < s.nlog }

func (s *clvSpec) natural(th []float64) []float64 {
	out := make([]float64, len(th))
	for i, v := range th {
		if !s.isLog(i) {
			out[i] = v
			continue
		}
		out[i] = math.Exp(v)
		if s.shift != nil {
			out[i] += s.shift[i]
		}
	}
	return out
}

// clvFit runs the optimiser and builds the report. It returns the natural parameters,
// the report, and a *FitError when the fit did not end in an interior maximum; params
// are nil only when there is no usable model.
func clvFit(s clvSpec, opt *FitOptions) ([]float64, FitReport, error) {
	var o FitOptions
	if opt != nil {
		o = *opt
	}
	start := s.start
	if o.Start != nil {
		if len(o.Start) != len(s.names) {
			return nil, FitReport{}, errorf(ErrFitFailed, "%s fit: start has %d values, want %d (%s)", s.model, len(o.Start), len(s.names), strings.Join(s.names, ", "))
		}
		start = o.Start
	}
	th0 := make([]float64, len(start))
	for i, v := range start {
		if !s.isLog(i) {
			th0[i] = v
			continue
		}
		sh := 0.0
		if s.shift != nil {
			sh = s.shift[i]
		}
		if !(v > sh) || math.IsInf(v, 0) {
			return nil, FitReport{}, errorf(ErrFitFailed, "%s fit: start %s = %v is not above %v", s.model, s.names[i], v, sh)
		}
		th0[i] = math.Log(v - sh)
	}
	pen := o.Penalty
	obj := func(th, grad []float64) float64 {
		v := s.nll(th, grad) / s.n
		for i := range grad {
			grad[i] /= s.n
		}
		if pen > 0 {
			for i, t := range th {
				if !s.isLog(i) {
					v += pen * t * t
					if grad != nil {
						grad[i] += 2 * pen * t
					}
					continue
				}
				e := math.Exp(t)
				p := e
				if s.shift != nil {
					p += s.shift[i]
				}
				v += pen * p * p
				if grad != nil {
					grad[i] += 2 * pen * p * e
				}
			}
		}
		return v
	}
	res := numerics.Minimize(obj, th0, numerics.Options{Gradient: s.hasGrad, MaxIter: o.MaxIter})
	rep := FitReport{
		Model:       s.model,
		Iterations:  res.Iterations,
		Evaluations: res.Evaluations,
		Converged:   res.Converged,
		Method:      res.Method,
		Reason:      res.Reason,
	}
	final := s.natural(res.X)
	fe := &FitError{Model: s.model, Names: s.names, Start: start, Final: final, Gradient: res.Grad}
	if math.IsInf(res.F, 0) || math.IsNaN(res.F) {
		fe.Reason = FitNonFinite
		return nil, rep, fe
	}
	rep.LogLik = -s.nll(res.X, nil)
	for _, i := range res.AtBound {
		rep.AtBound = append(rep.AtBound, s.names[i])
	}
	if len(rep.AtBound) == 0 {
		for i, v := range res.X {
			if s.isLog(i) && math.Abs(v) > clvPracticalBound {
				limit := " -> inf"
				if v < 0 {
					limit = " -> 0"
				}
				rep.AtBound = append(rep.AtBound, s.names[i]+limit)
			}
		}
	}
	if len(rep.AtBound) == 0 {
		rep.AtBound = clvFlat(s, res.X, rep.LogLik)
	}
	// Standard errors from the Hessian of the total negative log-likelihood.
	if len(rep.AtBound) > 0 {
		rep.StdErrMissing = "a parameter is at its bound"
	} else {
		H := numerics.Hessian(func(th, g []float64) float64 { return s.nll(th, g) }, res.X, s.hasGrad)
		if cov, ok := numerics.InvertSPD(H); ok {
			rep.StdErr = make(map[string]float64, len(s.names))
			for i, nm := range s.names {
				se := math.Sqrt(cov[i][i])
				if s.isLog(i) {
					se *= math.Exp(res.X[i])
				}
				rep.StdErr[nm] = se
			}
		} else {
			rep.StdErrMissing = "the Hessian is not positive definite at the estimate"
		}
	}
	switch {
	case len(rep.AtBound) > 0:
		rep.Converged = false
		fe.Reason, fe.AtBound = FitAtBound, rep.AtBound
		return final, rep, fe
	case !res.Converged && res.Reason == "iteration cap":
		fe.Reason = FitIterationCap
		return nil, rep, fe
	case !res.Converged:
		fe.Reason = FitNoProgress
		return nil, rep, fe
	}
	return final, rep, nil
}

// clvPracticalBound is ln(1e6): a parameter beyond 1e6 or below 1e-6 is reported at
// its bound, the optimiser having stopped on a plateau that runs on to the limit (for
// example a and b of BG/NBD growing together when every customer has the same dropout
// probability).
const clvPracticalBound = 13.815510557964274

// clvFlat names the log-parameters along which the likelihood is flat toward a bound:
// moving one by a factor of 10 costs less than 0.01 of log-likelihood. The name says
// which way: "s -> 0", "beta -> inf", or "beta (flat both ways)".
func clvFlat(s clvSpec, th []float64, ll float64) []string {
	var out []string
	x := append([]float64(nil), th...)
	for i := range th {
		if !s.isLog(i) {
			continue
		}
		var flat [2]bool
		for k, dir := range []float64{-1, 1} {
			x[i] = th[i] + dir*math.Ln10
			if math.Abs(x[i]) > 18.42 {
				continue
			}
			if v := -s.nll(x, nil); !math.IsNaN(v) && ll-v < 0.01 {
				flat[k] = true
			}
		}
		x[i] = th[i]
		low := " -> 0"
		if s.shift != nil && s.shift[i] != 0 {
			low = fmt.Sprintf(" -> %v", s.shift[i])
		}
		switch {
		case flat[0] && flat[1]:
			out = append(out, s.names[i]+" (flat both ways)")
		case flat[0]:
			out = append(out, s.names[i]+low)
		case flat[1]:
			out = append(out, s.names[i]+" -> inf")
		}
	}
	return out
}
