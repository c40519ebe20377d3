package numerics

import (
	"math"
	"testing"
)

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

func TestHyp2F1(t *testing.T) {
	tests := []struct {
		name       string
		a, b, c, z float64
		want       float64
		rel        float64
	}{
		{"log series small z", 1, 1, 2, 0.3, -math.Log(0.7) / 0.3, 0},
		{"log near one (integer c-a-b)", 1, 1, 2, 0.9, -math.Log(0.1) / 0.9, 0},
		{"log very near one", 1, 1, 2, 0.999999, -math.Log(1e-6) / 0.999999, 1e-8},
		{"arcsin 1-z transformation", 0.5, 0.5, 1.5, 0.81, math.Asin(0.9) / 0.9, 0},
		{"arcsin close to one", 0.5, 0.5, 1.5, 0.9999, math.Asin(math.Sqrt(0.9999)) / math.Sqrt(0.9999), 0},
		{"negative z Pfaff", 1, 1, 2, -0.8, math.Log(1.8) / 0.8, 0},
		{"large negative z", 1, 1, 2, -3, math.Log(4) / 3, 0},
		{"power (1-z)^-a", 2.5, 3, 3, 0.95, math.Pow(0.05, -2.5), 0},
		{"zero z", 3, 4, 5, 0, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Hyp2F1(tc.a, tc.b, tc.c, tc.z)
			rel := tc.rel
			if rel == 0 {
				rel = 1e-9
			}
			if !near(got, tc.want, rel) {
				t.Errorf("Hyp2F1(%v, %v, %v, %v) = %.15g, want %.15g", tc.a, tc.b, tc.c, tc.z, got, tc.want)
			}
		})
	}
	if v := Hyp2F1(1, 1, 2, 1); !math.IsNaN(v) {
		t.Errorf("Hyp2F1 at z = 1 = %v, want NaN", v)
	}
}

func TestDigamma(t *testing.T) {
	const euler = 0.5772156649015329
	tests := []struct {
		name    string
		x, want float64
	}{
		{"one", 1, -euler},
		{"half", 0.5, -euler - 2*math.Ln2},
		{"ten", 10, -euler + 1 + 1.0/2 + 1.0/3 + 1.0/4 + 1.0/5 + 1.0/6 + 1.0/7 + 1.0/8 + 1.0/9},
		{"small", 1e-3, -1000 - euler + 1.6449340668482264e-3 - 1.2020569031595942e-6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Digamma(tc.x); !near(got, tc.want, 1e-9) {
				t.Errorf("Digamma(%v) = %.15g, want %.15g", tc.x, got, tc.want)
			}
		})
	}
}

func TestScaledExpIntegral(t *testing.T) {
	half := func(w float64) float64 { // s = 1/2: sqrt(w) e^w sqrt(pi) erfc(sqrt(w))
		return math.Sqrt(w) * math.Exp(w) * math.Sqrt(math.Pi) * math.Erfc(math.Sqrt(w))
	}
	tests := []struct {
		name     string
		s, w     float64
		want     float64
		relative float64
	}{
		{"E1 at 1 (series)", 1, 1, math.E * 0.21938393439552029, 1e-6},
		{"E1 at 2 (fraction)", 1, 2, 2 * math.Exp(2) * 0.048900510708061, 1e-9},
		{"s half small w", 0.5, 0.05, half(0.05), 1e-9},
		{"s half at 0.5", 0.5, 0.5, half(0.5), 1e-9},
		{"s half at 3", 0.5, 3, half(3), 1e-9},
		{"s half at 400 (large beta)", 0.5, 400, half(400), 1e-9},
		{"s 1.5 at 0.2: e^w (1 - sqrt(pi w) e^w erfc(sqrt w)) * 2", 1.5, 0.2, 2 * 0.2 * (1 - half(0.2)), 1e-8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ScaledExpIntegral(tc.s, tc.w); !near(got, tc.want, tc.relative) {
				t.Errorf("ScaledExpIntegral(%v, %v) = %.15g, want %.15g", tc.s, tc.w, got, tc.want)
			}
		})
	}
}

func TestLogSumExp(t *testing.T) {
	if got, want := LogSumExp([]float64{1000, 1000}), 1000+math.Ln2; !near(got, want, 1e-14) {
		t.Errorf("LogSumExp(1000, 1000) = %v, want %v", got, want)
	}
	if got, want := LogAddExp(-1e4, math.Log(3)), math.Log(3); !near(got, want, 1e-14) {
		t.Errorf("LogAddExp = %v, want %v", got, want)
	}
	if got, want := LogSubExp(math.Log(5), math.Log(2)), math.Log(3); !near(got, want, 1e-14) {
		t.Errorf("LogSubExp = %v, want %v", got, want)
	}
}

func TestGaussLegendre(t *testing.T) {
	x, w := GaussLegendre(10)
	var s float64
	for i := range x {
		s += w[i] * math.Pow(x[i], 18) // exact up to degree 19
	}
	if want := 2.0 / 19; !near(s, want, 1e-13) {
		t.Errorf("∫x^18 = %v, want %v", s, want)
	}
}

func rosenbrock(x, g []float64) float64 {
	a, b := x[0], x[1]
	if g != nil {
		g[0] = -2*(1-a) - 400*a*(b-a*a)
		g[1] = 200 * (b - a*a)
	}
	return (1-a)*(1-a) + 100*(b-a*a)*(b-a*a)
}

func TestMinimize(t *testing.T) {
	tests := []struct {
		name string
		f    Objective
		opt  Options
		want []float64
	}{
		{"rosenbrock analytic", rosenbrock, Options{Gradient: true}, []float64{1, 1}},
		{"rosenbrock numeric", rosenbrock, Options{}, []float64{1, 1}},
		{"infeasible region rejected", func(x, g []float64) float64 {
			if x[0] < 0.5 {
				return math.NaN()
			}
			return rosenbrock(x, g)
		}, Options{Gradient: true}, []float64{1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Minimize(tc.f, []float64{1.5, 2}, tc.opt)
			if !r.Converged || !near(r.X[0], tc.want[0], 1e-5) || !near(r.X[1], tc.want[1], 1e-5) {
				t.Errorf("Minimize = %+v, want x = %v converged", r, tc.want)
			}
		})
	}
	t.Run("minimum beyond the bound", func(t *testing.T) {
		f := func(x, g []float64) float64 { // decreasing in x[0]: the minimum is at the upper bound
			if g != nil {
				g[0] = -math.Exp(-x[0])
				g[1] = 2 * (x[1] - 1)
			}
			return math.Exp(-x[0]) + (x[1]-1)*(x[1]-1)
		}
		r := Minimize(f, []float64{0, 0}, Options{Gradient: true, Lower: -5, Upper: 5})
		if len(r.AtBound) != 1 || r.AtBound[0] != 0 || !near(r.X[1], 1, 1e-5) {
			t.Errorf("Minimize = %+v, want x[0] at its bound 5 and x[1] = 1", r)
		}
	})
}

func TestInvertSPD(t *testing.T) {
	inv, ok := InvertSPD([][]float64{{4, 2}, {2, 3}})
	want := [][]float64{{3.0 / 8, -2.0 / 8}, {-2.0 / 8, 4.0 / 8}}
	if !ok {
		t.Fatal("InvertSPD reported not positive definite")
	}
	for i := range want {
		for j := range want[i] {
			if !near(inv[i][j], want[i][j], 1e-14) {
				t.Errorf("inv[%d][%d] = %v, want %v", i, j, inv[i][j], want[i][j])
			}
		}
	}
	if _, ok := InvertSPD([][]float64{{1, 2}, {2, 1}}); ok {
		t.Error("InvertSPD accepted an indefinite matrix")
	}
}

func TestHyp2F1_LargeC(t *testing.T) {
	// 2F1(1, b; c; z) with c = b + 1 is b Σ z^n/(b+n); for b = 3554 and z = 0.82 the terms
	// are z^n times nearly 1, so the value is close to 1/(1-z) = 5.5556, a bit below.
	got := Hyp2F1(1, 3554, 3555, 0.82)
	var want float64
	for n := 0; n < 5000; n++ {
		want += 3554 / (3554 + float64(n)) * math.Pow(0.82, float64(n))
	}
	if !near(got, want, 1e-10) {
		t.Errorf("Hyp2F1(1, 3554, 3555, 0.82) = %.15g, want %.15g", got, want)
	}
}

func TestHyp2F1_AgainstSeries(t *testing.T) {
	// Cases the rapid properties found: large parameters near z = 1 where the 1-z
	// transformation alone cancels. The reference is the plain series summed far out.
	ref := func(a, b, c, z float64) float64 {
		sum, term := 1.0, 1.0
		for n := 0; n < 2000000; n++ {
			fn := float64(n)
			term *= (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
			sum += term
		}
		return sum
	}
	tests := []struct {
		name       string
		a, b, c, z float64
	}{
		{"c-a-b negative", 13.9375, 25.6875, 33.9375, 0.73},
		{"integer c-a-b, z 0.954", 9, 9, 27, 0.954},
		{"a in (-1, 0)", 1.98, -0.207, 2.22, 0.946},
		{"z 0.999", 0.5, 1.5, 3.1, 0.999},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, want := Hyp2F1(tc.a, tc.b, tc.c, tc.z), ref(tc.a, tc.b, tc.c, tc.z)
			if !near(got, want, 1e-9*math.Abs(want)) && math.Abs(got-want) > 1e-9*math.Abs(want) {
				t.Errorf("Hyp2F1(%v, %v, %v, %v) = %.15g, series %.15g", tc.a, tc.b, tc.c, tc.z, got, want)
			}
		})
	}
}

func TestHyp2F1_NegativeA(t *testing.T) {
	// a = -2.375 just past z = 0.5: the 1-z transformation cancels badly here; the
	// answer must match the series (whose terms change sign only three times).
	a, b, c := -2.375, 4.875, 37.375
	for _, z := range []float64{0.5048543689320388, 0.53, 0.7, 0.9} {
		var want float64
		term := 1.0
		want = 1
		for n := 0; n < 100000; n++ {
			fn := float64(n)
			term *= (a + fn) * (b + fn) / ((c + fn) * (fn + 1)) * z
			want += term
		}
		if got := Hyp2F1(a, b, c, z); !near(got, want, 1e-12) {
			t.Errorf("Hyp2F1(%v, %v, %v, %v) = %.15g, want %.15g", a, b, c, z, got, want)
		}
	}
}

func TestMinimize_FallsBackToNelderMead(t *testing.T) {
	// The gradient points the wrong way, so every BFGS line search fails; the simplex
	// method, which never uses it, must still find the minimum at (1, 1).
	wrong := func(x, g []float64) float64 {
		v := rosenbrock(x, g)
		if g != nil {
			g[0], g[1] = -g[0], -g[1]
		}
		return v
	}
	r := Minimize(wrong, []float64{-1, 2}, Options{Gradient: true})
	if r.Method == "bfgs" || !near(r.X[0], 1, 1e-4) || !near(r.X[1], 1, 1e-4) {
		t.Errorf("Minimize with a wrong gradient = %+v, want Nelder-Mead at (1, 1)", r)
	}
}

func TestMinimize_IterationCap(t *testing.T) {
	r := Minimize(rosenbrock, []float64{-1.2, 1}, Options{Gradient: true, MaxIter: 2})
	if r.Converged || r.Reason != "iteration cap" {
		t.Errorf("Minimize with MaxIter 2 = %+v, want the iteration cap reported", r)
	}
}
