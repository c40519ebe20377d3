// Package numerics holds the special functions, quadrature and the optimiser behind
// vip's lifetime-value models. Everything works in float64 and in log space where a
// quantity can overflow. Functions are pure and safe for concurrent use.
package numerics

import "math"

// Lgamma returns log|Γ(x)|.
func Lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// LogBeta returns log B(a, b) for a, b > 0.
func LogBeta(a, b float64) float64 { return Lgamma(a) + Lgamma(b) - Lgamma(a+b) }

// Digamma returns ψ(x), the derivative of log Γ, for x > 0 (and for negative
// non-integers through the reflection formula).
func Digamma(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, -1) {
		return math.NaN()
	}
	if x <= 0 {
		if x == math.Floor(x) {
			return math.NaN()
		}
		// ψ(1-x) - ψ(x) = π cot(πx)
		return Digamma(1-x) - math.Pi/math.Tan(math.Pi*x)
	}
	var r float64
	for x < 6 {
		r -= 1 / x
		x++
	}
	f := 1 / (x * x)
	// Asymptotic series: ln x - 1/(2x) - Σ B_2k/(2k x^2k).
	t := f * (-1.0/12 + f*(1.0/120+f*(-1.0/252+f*(1.0/240+f*(-1.0/132+f*(691.0/32760-f/12))))))
	return r + math.Log(x) - 0.5/x + t
}

// LogAddExp returns log(exp(a) + exp(b)) without overflow.
func LogAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if math.IsInf(b, -1) {
		return a
	}
	if a > b {
		return a + math.Log1p(math.Exp(b-a))
	}
	return b + math.Log1p(math.Exp(a-b))
}

// LogSumExp returns log Σ exp(x[i]) without overflow; -Inf for an empty slice.
func LogSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// LogSubExp returns log(exp(a) - exp(b)) for a >= b; NaN when a < b.
func LogSubExp(a, b float64) float64 {
	if b > a {
		return math.NaN()
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log(-math.Expm1(b-a))
}

// Hyp2F1 returns the Gauss hypergeometric function 2F1(a, b; c; z) for real z < 1.
//
// It picks its method by argument: the power series for |z| <= 0.5, and for z up to
// 0.995 when c > 0 and no term exceeds 1e5 times the sum; the Pfaff transformation
// z -> z/(z-1) for negative z; otherwise, as z nears 1, Euler's transformation to make
// c-a-b positive and then the 1-z transformation, so the value stays finite and
// accurate; and if that cancels too, the series summed to the end (z <= 0.9995). It
// returns NaN rather than a number it cannot vouch for (when c-a-b > 0 the
// limit at z = 1 is Gauss's Γ(c)Γ(c-a-b)/(Γ(c-a)Γ(c-b))). When c-a-b is within 1e-9 of
// an integer the 1-z transformation's gamma functions have poles that cancel; it then
// averages the values at c ± 1e-5, an error of order 1e-10. It returns NaN when c is a
// non-positive integer, when z >= 1, or when the series does not converge.
func Hyp2F1(a, b, c, z float64) float64 {
	switch {
	case math.IsNaN(a) || math.IsNaN(b) || math.IsNaN(c) || math.IsNaN(z) || z >= 1:
		return math.NaN()
	case c <= 0 && c == math.Floor(c):
		return math.NaN()
	case z == 0 || a == 0 || b == 0:
		return 1
	case z < -1:
		// Pfaff on the smaller of a, b keeps the prefactor tame; w in (0.5, 1).
		return math.Pow(1-z, -a) * Hyp2F1(a, c-b, c, z/(z-1))
	case z < 0:
		if z >= -0.5 {
			return hypSeries(a, b, c, z)
		}
		return math.Pow(1-z, -a) * hypSeries(a, c-b, c, z/(z-1))
	case z <= 0.5:
		return hypSeries(a, b, c, z)
	}
	if z <= 0.995 && c > 0 {
		// The series converges in a few thousand terms at worst this side of 0.995; it
		// is kept when no term dwarfs the sum (at most 5 digits lost to cancellation).
		if v, big := hypSeriesMax(a, b, c, z); !math.IsNaN(v) && !math.IsInf(v, 0) && big <= 1e5*math.Abs(v) {
			return v
		}
	}
	d := c - a - b
	if d < 0 {
		// Euler's transformation makes c-a-b positive, so that the (1-z)^(c-a-b) term of
		// the 1-z transformation is the small one.
		return math.Exp(d*math.Log1p(-z)) * Hyp2F1(c-a, c-b, c, z)
	}
	var v float64
	ok := false
	if math.Abs(d-math.Round(d)) < 1e-9 {
		const eps = 1e-5
		v1, ok1 := hyp1mz(a, b, c+eps, z)
		v2, ok2 := hyp1mz(a, b, c-eps, z)
		v, ok = 0.5*(v1+v2), ok1 && ok2
	} else {
		v, ok = hyp1mz(a, b, c, z)
	}
	if ok {
		return v
	}
	// Last resort: the series itself, however slow, if it does not cancel.
	if z > 0.9995 || c <= 0 {
		return math.NaN()
	}
	if s, big := hypSeriesMax(a, b, c, z); !math.IsNaN(s) && !math.IsInf(s, 0) && big <= 1e5*math.Abs(s) {
		return s
	}
	return math.NaN()
}

// hyp1mz evaluates 2F1 for 0.5 < z < 1 through the 1-z transformation (Abramowitz and
// Stegun 15.3.6); c-a-b must not be an integer. It reports false when a series or the
// sum of the two terms lost more than 5 digits to cancellation.
func hyp1mz(a, b, c, z float64) (float64, bool) {
	d := c - a - b
	w := 1 - z
	t1 := gammaRatio([]float64{c, d}, []float64{c - a, c - b})
	t2 := gammaRatio([]float64{c, -d}, []float64{a, b})
	var v1, v2 float64
	ok := true
	if t1 != 0 {
		s, big := hypSeriesMax(a, b, 1-d, w)
		ok = ok && big <= 1e5*math.Abs(s)
		v1 = t1 * s
	}
	if t2 != 0 {
		s, big := hypSeriesMax(c-a, c-b, 1+d, w)
		ok = ok && big <= 1e5*math.Abs(s)
		v2 = t2 * math.Exp(d*math.Log(w)) * s
	}
	v := v1 + v2
	ok = ok && !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) >= 1e-5*math.Max(math.Abs(v1), math.Abs(v2))
	return v, ok
}

// gammaRatio returns Π Γ(num) / Π Γ(den) computed in log space with signs; a pole in
// the denominator gives 0.
func gammaRatio(num, den []float64) float64 {
	var l float64
	sign := 1
	for _, x := range den {
		if x <= 0 && x == math.Floor(x) {
			return 0
		}
		v, s := math.Lgamma(x)
		l -= v
		sign *= s
	}
	for _, x := range num {
		if x <= 0 && x == math.Floor(x) {
			return math.NaN()
		}
		v, s := math.Lgamma(x)
		l += v
		sign *= s
	}
	return float64(sign) * math.Exp(l)
}

// hypSeries sums the 2F1 power series directly.
func hypSeries(a, b, c, z float64) float64 {
	v, _ := hypSeriesMax(a, b, c, z)
	return v
}

// hypSeriesMax sums the 2F1 power series and reports the largest term's magnitude.
func hypSeriesMax(a, b, c, z float64) (float64, float64) {
	if c <= 0 && c == math.Floor(c) {
		return math.NaN(), 0
	}
	sum, term, big := 1.0, 1.0, 1.0
	past := math.Max(0, math.Max(-a, -b)) // beyond it no factor changes sign
	for n := 0; n < 200000; n++ {
		fn := float64(n)
		ratio := (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
		term *= ratio
		sum += term
		if at := math.Abs(term); at > big { // not math.Max: this loop is hot
			big = at
		}
		if term == 0 || math.Abs(term) <= 1e-16*math.Abs(sum) && math.Abs(ratio) < 1 && fn > past {
			return sum, big
		}
		if math.IsInf(sum, 0) || math.IsNaN(sum) {
			return math.NaN(), big
		}
	}
	return math.NaN(), big
}

// ScaledExpIntegral returns w·e^w·E_s(w) = w^s e^w Γ(1-s, w) for w > 0, the factor
// that the Pareto/NBD discounted expected residual transactions need (Tricomi's
// U(s, s; w) times w^s). It tends to 1 as w grows (large β, or a large discount rate),
// where it uses a continued fraction that never forms e^w or Γ(1-s, w) apart; for
// w <= 1 it uses the series of the incomplete gamma function. An integer s is nudged by
// 1e-7 to avoid the poles of Γ(1-s).
func ScaledExpIntegral(s, w float64) float64 {
	if !(w > 0) || math.IsNaN(s) {
		return math.NaN()
	}
	if math.IsInf(w, 1) {
		return 1
	}
	if w > 1 {
		// Modified Lentz for e^w E_s(w) = 1/(w+s- 1·s/(w+s+2- 2(s+1)/(w+s+4- ...))).
		const tiny = 1e-300
		b := w + s
		c := 1 / tiny
		d := 1 / b
		h := d
		for i := 1; i < 10000; i++ {
			fi := float64(i)
			an := -fi * (s - 1 + fi)
			b += 2
			d = an*d + b
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = b + an/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			del := c * d
			h *= del
			if math.Abs(del-1) < 1e-15 {
				break
			}
		}
		return w * h
	}
	if s == math.Round(s) {
		s += 1e-7
	}
	// E_s(w) = w^(s-1) Γ(1-s) - Σ_k (-w)^k / (k! (1-s+k)).
	g := gammaRatio([]float64{1 - s}, nil)
	var ser float64
	term := 1.0
	for k := 0; k < 500; k++ {
		fk := float64(k)
		if k > 0 {
			term *= -w / fk
		}
		v := term / (1 - s + fk)
		ser += v
		if math.Abs(v) < 1e-17*math.Abs(ser) {
			break
		}
	}
	return math.Exp(w) * (math.Pow(w, s)*g - w*ser)
}

// GaussLegendre returns the n nodes and weights of Gauss-Legendre quadrature on [-1, 1].
func GaussLegendre(n int) (x, w []float64) {
	x = make([]float64, n)
	w = make([]float64, n)
	for i := 0; i < (n+1)/2; i++ {
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		var pp float64
		for it := 0; it < 100; it++ {
			p1, p2 := 1.0, 0.0
			for j := 1; j <= n; j++ {
				p3 := p2
				p2 = p1
				p1 = ((2*float64(j)-1)*z*p2 - (float64(j)-1)*p3) / float64(j)
			}
			pp = float64(n) * (z*p1 - p2) / (z*z - 1)
			z1 := z
			z = z1 - p1/pp
			if math.Abs(z-z1) < 1e-15 {
				break
			}
		}
		x[i], x[n-1-i] = -z, z
		w[i] = 2 / ((1 - z*z) * pp * pp)
		w[n-1-i] = w[i]
	}
	return x, w
}
