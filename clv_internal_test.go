package vip

import (
	"math"
	"testing"

	"github.com/vipkit/vip/internal/numerics"
)

// TestClvPNBDIntegral checks the quadrature against the published closed form
// s·I = s/(r+s+x) [2F1(r+s+x, s+1; r+s+x+1; (α-β)/(α+t_x)) / (α+t_x)^(r+s+x)
// - 2F1(r+s+x, s+1; r+s+x+1; (α-β)/(α+T)) / (α+T)^(r+s+x)] (α >= β; Fader, Hardie and
// Lee 2005 note), on rows where that difference does not cancel.
func TestClvPNBDIntegral(t *testing.T) {
	tests := []struct {
		name      string
		p         clvPNBD
		x, tx, tt float64
	}{
		{"one-time buyer", clvPNBD{0.553, 11.669, 0.606, 10.578}, 0, 0, 38.86},
		{"alpha above beta", clvPNBD{0.553, 30, 0.606, 2}, 2, 10, 38.86},
		{"repeat buyer", clvPNBD{0.553, 10.578, 0.606, 10}, 7, 5, 38.86},
		{"many purchases", clvPNBD{0.553, 10.578, 0.606, 1.5}, 40, 12, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			if p.al < p.be {
				t.Fatal("closed form here needs alpha >= beta")
			}
			a := p.r + p.s + tc.x
			term := func(y float64) float64 {
				return numerics.Hyp2F1(a, p.s+1, a+1, (p.al-p.be)/(p.al+y)) * math.Pow(p.al+y, -a)
			}
			want := (term(tc.tx) - term(tc.tt)) / a
			got := math.Exp(clvPNBDIntegral(p, tc.x, tc.tx, tc.tt, nil))
			if math.Abs(got-want) > 1e-10*want {
				t.Errorf("I = %.15g, closed form %.15g", got, want)
			}
		})
	}
}

// TestClvBGNLLGradient compares the analytic gradients with central differences.
func TestClvBGNLLGradient(t *testing.T) {
	d := clvCollapse([]PurchaseHistory{{X: 0, T: 30}, {X: 2, TX: 10, T: 30}, {X: 5, TX: 29, T: 31}, {X: 2, TX: 10, T: 30}})
	for _, tc := range []struct {
		name string
		f    func(th, g []float64) float64
	}{
		{"BG/NBD", func(th, g []float64) float64 { return clvBGNLL(&d, th, g, 0) }},
		{"MBG/NBD", func(th, g []float64) float64 { return clvBGNLL(&d, th, g, 1) }},
		{"Pareto/NBD", func(th, g []float64) float64 { return clvPNBDNLL(&d, th, g) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := []float64{math.Log(0.4), math.Log(5), math.Log(0.8), math.Log(2.5)}
			g := make([]float64, 4)
			tc.f(th, g)
			for i := range th {
				h := 1e-6
				tp := append([]float64(nil), th...)
				tm := append([]float64(nil), th...)
				tp[i] += h
				tm[i] -= h
				num := (tc.f(tp, nil) - tc.f(tm, nil)) / (2 * h)
				if math.Abs(num-g[i]) > 1e-5*math.Max(1, math.Abs(num)) {
					t.Errorf("gradient[%d] = %.10g, central difference %.10g", i, g[i], num)
				}
			}
		})
	}
}
