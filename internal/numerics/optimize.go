package numerics

import (
	"math"
)

// Objective returns the value to minimise at x. When grad is not nil and the problem
// declares an analytic gradient, it also writes the gradient into grad. A non-finite
// value marks x as infeasible: the minimiser rejects the step and tries a shorter one.
type Objective func(x, grad []float64) float64

// Options tune [Minimize]. The zero value asks for defaults.
type Options struct {
	// Gradient reports whether the objective fills grad; otherwise central differences
	// are used.
	Gradient bool
	// MaxIter caps the iterations of each stage (default 500 for BFGS and 400 per
	// coordinate for Nelder-Mead).
	MaxIter int
	// GradTol is the largest absolute gradient component accepted as a minimum
	// (default 1e-7).
	GradTol float64
	// Lower and Upper bound every coordinate (defaults ±18.42, i.e. parameters between
	// 1e-8 and 1e8 when x is a log-parameter). A point outside is infeasible.
	Lower, Upper float64
}

// Result is what [Minimize] found.
type Result struct {
	X           []float64
	F           float64
	Grad        []float64 // gradient at X
	Start       []float64
	Iterations  int
	Evaluations int
	Converged   bool
	Method      string // "bfgs", "nelder-mead" or "nelder-mead+bfgs"
	// Reason says why the search stopped: "gradient below tolerance", "iteration cap",
	// "non-finite objective at start", "line search failed", "simplex collapsed".
	Reason string
	// AtBound lists the coordinates that ended within 1e-3 of a bound.
	AtBound []int
}

type problem struct {
	f     Objective
	opt   Options
	evals int
}

func (p *problem) value(x []float64) float64 {
	for _, v := range x {
		if !(v >= p.opt.Lower && v <= p.opt.Upper) {
			return math.Inf(1)
		}
	}
	p.evals++
	v := p.f(x, nil)
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// valueGrad returns f(x) and writes its gradient.
func (p *problem) valueGrad(x, g []float64) float64 {
	for _, v := range x {
		if !(v >= p.opt.Lower && v <= p.opt.Upper) {
			return math.Inf(1)
		}
	}
	if p.opt.Gradient {
		p.evals++
		v := p.f(x, g)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	v := p.value(x)
	if math.IsInf(v, 0) {
		return v
	}
	numGrad(p.value, x, g)
	return v
}

// numGrad writes central-difference derivatives of f at x into g.
func numGrad(f func([]float64) float64, x, g []float64) {
	xx := append([]float64(nil), x...)
	for i := range x {
		h := 1e-5 * math.Max(1, math.Abs(x[i]))
		xx[i] = x[i] + h
		fp := f(xx)
		xx[i] = x[i] - h
		fm := f(xx)
		xx[i] = x[i]
		if math.IsInf(fp, 0) || math.IsInf(fm, 0) {
			// One-sided at the edge of the feasible region.
			f0 := f(x)
			if !math.IsInf(fp, 0) {
				g[i] = (fp - f0) / h
			} else if !math.IsInf(fm, 0) {
				g[i] = (f0 - fm) / h
			} else {
				g[i] = 0
			}
			continue
		}
		g[i] = (fp - fm) / (2 * h)
	}
}

func maxAbs(g []float64) float64 {
	var m float64
	for _, v := range g {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// Minimize looks for a local minimum of f from x0: BFGS with a backtracking line search
// first; if that stops without meeting the gradient tolerance, Nelder-Mead from the best
// point, then BFGS once more to polish. Non-finite values are rejected steps.
func Minimize(f Objective, x0 []float64, opt Options) Result {
	nmIter := 400 * len(x0)
	if opt.MaxIter > 0 {
		nmIter = opt.MaxIter
	} else {
		opt.MaxIter = 500
	}
	if opt.GradTol <= 0 {
		opt.GradTol = 1e-7
	}
	if opt.Lower == 0 && opt.Upper == 0 {
		opt.Lower, opt.Upper = -18.42, 18.42
	}
	p := &problem{f: f, opt: opt}
	start := append([]float64(nil), x0...)
	r := p.bfgs(x0)
	r.Method = "bfgs"
	if !r.Converged && r.Reason != "non-finite objective at start" {
		nm := p.nelderMead(r.X, nmIter)
		r2 := p.bfgs(nm.X)
		r2.Iterations += r.Iterations + nm.Iterations
		if r2.F <= nm.F {
			r = r2
			r.Method = "nelder-mead+bfgs"
		} else {
			nm.Iterations += r.Iterations
			r = nm
			r.Method = "nelder-mead"
		}
	}
	r.Start = start
	r.Evaluations = p.evals
	for i, v := range r.X {
		if v-opt.Lower < 1e-3 || opt.Upper-v < 1e-3 {
			r.AtBound = append(r.AtBound, i)
		}
	}
	return r
}

func (p *problem) bfgs(x0 []float64) Result {
	n := len(x0)
	x := append([]float64(nil), x0...)
	g := make([]float64, n)
	fx := p.valueGrad(x, g)
	res := Result{X: x, F: fx, Grad: g}
	if math.IsInf(fx, 0) {
		res.Reason = "non-finite objective at start"
		return res
	}
	H := identity(n)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	s := make([]float64, n)
	y := make([]float64, n)
	first := true
	active := make([]bool, n)
	pg := make([]float64, n) // projected gradient: zero where a bound holds the point
	for it := 1; it <= p.opt.MaxIter; it++ {
		res.Iterations = it
		changed := false
		for i := range x {
			a := (x[i] <= p.opt.Lower+1e-12 && g[i] > 0) || (x[i] >= p.opt.Upper-1e-12 && g[i] < 0)
			if a != active[i] {
				changed = true
			}
			active[i] = a
			pg[i] = g[i]
			if a {
				pg[i] = 0
			}
		}
		if changed {
			H = identity(n)
			first = true
		}
		if maxAbs(pg) <= p.opt.GradTol {
			res.Converged, res.Reason = true, "gradient below tolerance"
			break
		}
		for i := range d {
			d[i] = 0
			if active[i] {
				continue
			}
			for j := range g {
				if !active[j] {
					d[i] -= H[i][j] * g[j]
				}
			}
		}
		if dot(d, g) >= 0 { // not a descent direction: restart from steepest descent
			H = identity(n)
			for i := range d {
				d[i] = -pg[i]
			}
		}
		step := 1.0
		if first {
			step = math.Min(1, 1/math.Max(maxAbs(d), 1e-12))
		}
		var fn float64
		ok := false
		for k := 0; k < 60; k++ {
			for i := range x {
				xn[i] = math.Min(p.opt.Upper, math.Max(p.opt.Lower, x[i]+step*d[i]))
			}
			fn = p.valueGrad(xn, gn)
			if !math.IsInf(fn, 0) && fn <= fx+1e-4*dotDiff(xn, x, g) {
				ok = true
				break
			}
			step *= 0.5
		}
		if !ok {
			if maxAbs(pg) <= 1e3*p.opt.GradTol && !first {
				res.Converged, res.Reason = true, "gradient below tolerance"
			} else {
				res.Reason = "line search failed"
			}
			break
		}
		for i := range x {
			s[i] = xn[i] - x[i]
			y[i] = gn[i] - g[i]
		}
		sy := dot(s, y)
		if sy > 1e-14 {
			if first {
				// Scale the initial inverse Hessian (Nocedal and Wright 6.20).
				yy := dot(y, y)
				for i := range H {
					H[i][i] = sy / yy
				}
			}
			bfgsUpdate(H, s, y, sy)
		}
		first = false
		df := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		res.F = fx
		if df >= 0 && df <= 1e-15*math.Max(1, math.Abs(fx)) && maxAbs(pg) <= 1e3*p.opt.GradTol {
			res.Converged, res.Reason = true, "gradient below tolerance"
			break
		}
		if it == p.opt.MaxIter {
			res.Reason = "iteration cap"
		}
	}
	res.X, res.Grad, res.F = x, g, fx
	return res
}

// bfgsUpdate applies the inverse-Hessian BFGS update in place.
func bfgsUpdate(H [][]float64, s, y []float64, sy float64) {
	n := len(s)
	Hy := make([]float64, n)
	for i := range Hy {
		for j := range y {
			Hy[i] += H[i][j] * y[j]
		}
	}
	yHy := dot(y, Hy)
	rho := 1 / sy
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			H[i][j] += rho*((1+rho*yHy)*s[i]*s[j]) - rho*(Hy[i]*s[j]+s[i]*Hy[j])
		}
	}
}

func identity(n int) [][]float64 {
	H := make([][]float64, n)
	for i := range H {
		H[i] = make([]float64, n)
		H[i][i] = 1
	}
	return H
}

// dotDiff returns (a-b)·g.
func dotDiff(a, b, g []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * g[i]
	}
	return s
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// nelderMead runs the simplex method from x0 with initial steps of 0.1.
func (p *problem) nelderMead(x0 []float64, maxIter int) Result {
	n := len(x0)
	pts := make([][]float64, n+1)
	fs := make([]float64, n+1)
	for i := range pts {
		pts[i] = append([]float64(nil), x0...)
		if i > 0 {
			pts[i][i-1] += 0.1
		}
		fs[i] = p.value(pts[i])
	}
	res := Result{}
	centroid := make([]float64, n)
	trial := func(coef float64, worst []float64) ([]float64, float64) {
		x := make([]float64, n)
		for i := range x {
			x[i] = centroid[i] + coef*(worst[i]-centroid[i])
		}
		return x, p.value(x)
	}
	it := 0
	for ; it < maxIter; it++ {
		// Sort by value (insertion sort: n is small).
		for i := 1; i <= n; i++ {
			for j := i; j > 0 && fs[j] < fs[j-1]; j-- {
				fs[j], fs[j-1] = fs[j-1], fs[j]
				pts[j], pts[j-1] = pts[j-1], pts[j]
			}
		}
		spread := 0.0
		for i := 1; i <= n; i++ {
			for k := range pts[i] {
				spread = math.Max(spread, math.Abs(pts[i][k]-pts[0][k]))
			}
		}
		if fs[n]-fs[0] <= 1e-12*math.Max(1, math.Abs(fs[0])) && spread < 1e-7 {
			res.Converged, res.Reason = true, "simplex collapsed"
			break
		}
		for k := range centroid {
			centroid[k] = 0
			for i := 0; i < n; i++ {
				centroid[k] += pts[i][k] / float64(n)
			}
		}
		xr, fr := trial(-1, pts[n])
		switch {
		case fr < fs[0]:
			xe, fe := trial(-2, pts[n])
			if fe < fr {
				pts[n], fs[n] = xe, fe
			} else {
				pts[n], fs[n] = xr, fr
			}
		case fr < fs[n-1]:
			pts[n], fs[n] = xr, fr
		default:
			coef := 0.5
			if fr < fs[n] {
				coef = -0.5
			}
			xc, fc := trial(coef, pts[n])
			if fc < math.Min(fr, fs[n]) {
				pts[n], fs[n] = xc, fc
			} else {
				for i := 1; i <= n; i++ {
					for k := range pts[i] {
						pts[i][k] = pts[0][k] + 0.5*(pts[i][k]-pts[0][k])
					}
					fs[i] = p.value(pts[i])
				}
			}
		}
	}
	best := 0
	for i := range fs {
		if fs[i] < fs[best] {
			best = i
		}
	}
	res.X, res.F, res.Iterations = pts[best], fs[best], it
	if !res.Converged {
		res.Reason = "iteration cap"
	}
	res.Grad = make([]float64, n)
	if !math.IsInf(res.F, 0) {
		p.valueGrad(res.X, res.Grad)
	}
	return res
}

// Hessian returns the matrix of second derivatives of f at x by central differences
// of the gradient (analytic when grad is true, numeric otherwise).
func Hessian(f Objective, x []float64, grad bool) [][]float64 {
	n := len(x)
	p := &problem{f: f, opt: Options{Gradient: grad, Lower: math.Inf(-1), Upper: math.Inf(1)}}
	H := make([][]float64, n)
	xx := append([]float64(nil), x...)
	gp := make([]float64, n)
	gm := make([]float64, n)
	for j := 0; j < n; j++ {
		h := 1e-4 * math.Max(1, math.Abs(x[j]))
		xx[j] = x[j] + h
		p.valueGrad(xx, gp)
		xx[j] = x[j] - h
		p.valueGrad(xx, gm)
		xx[j] = x[j]
		H[j] = make([]float64, n)
		for i := 0; i < n; i++ {
			H[j][i] = (gp[i] - gm[i]) / (2 * h)
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			m := 0.5 * (H[i][j] + H[j][i])
			H[i][j], H[j][i] = m, m
		}
	}
	return H
}

// InvertSPD returns the inverse of a symmetric positive definite matrix by Cholesky
// decomposition, and false when the matrix is not positive definite or not finite.
func InvertSPD(A [][]float64) ([][]float64, bool) {
	n := len(A)
	L := make([][]float64, n)
	for i := range L {
		L[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := A[i][j]
			for k := 0; k < j; k++ {
				s -= L[i][k] * L[j][k]
			}
			if i == j {
				if !(s > 0) || math.IsInf(s, 0) {
					return nil, false
				}
				L[i][i] = math.Sqrt(s)
			} else {
				L[i][j] = s / L[j][j]
			}
		}
	}
	// Invert L, then A^-1 = L^-T L^-1.
	Li := make([][]float64, n)
	for i := range Li {
		Li[i] = make([]float64, n)
		Li[i][i] = 1 / L[i][i]
		for j := 0; j < i; j++ {
			var s float64
			for k := j; k < i; k++ {
				s -= L[i][k] * Li[k][j]
			}
			Li[i][j] = s / L[i][i]
		}
	}
	inv := make([][]float64, n)
	for i := range inv {
		inv[i] = make([]float64, n)
		for j := range inv[i] {
			var s float64
			for k := max(i, j); k < n; k++ {
				s += Li[k][i] * Li[k][j]
			}
			inv[i][j] = s
		}
	}
	return inv, true
}
