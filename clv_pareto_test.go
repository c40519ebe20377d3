package vip_test

import (
	"errors"
	"math"
	"testing"

	"github.com/vipkit/vip"
)

func TestFitParetoNBD_CDNOW(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitParetoNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published: r 0.553, alpha 10.578, s 0.606, beta 11.669, LL -9595.0.
	clvCheck(t, "FitParetoNBD(CDNOW)", []clvWant{
		{"r", m.R, 0.553, 5e-4},
		{"alpha", m.Alpha, 10.578, 5e-3},
		{"s", m.S, 0.606, 5e-3},
		{"beta", m.Beta, 11.669, 0.05},
		{"log-likelihood", m.Fit.LogLik, -9595.0, 0.05},
	})
	if !m.Fit.Converged || m.Fit.StdErr == nil {
		t.Errorf("FitParetoNBD report = %+v, want converged with standard errors", m.Fit)
	}
	out := make([]float64, len(s.Rows))
	if err := m.ConditionalExpectedAll(s.Rows, 39*clvWeek, out, nil); err != nil {
		t.Fatal(err)
	}
	var pred float64
	for _, v := range out {
		pred += v
	}
	t.Logf("Pareto/NBD %+v; holdout predicted %.1f, actual 1882", *m, pred)
	if math.Abs(pred-1882)/1882 > 0.15 {
		t.Errorf("Pareto/NBD holdout prediction %.1f more than 15%% from 1882", pred)
	}
}

// clvPaperPNBD holds the published CDNOW estimates.
var clvPaperPNBD = vip.ParetoNBD{R: 0.553, Alpha: 10.578, S: 0.606, Beta: 11.669, Unit: vip.UnitWeek}

func TestParetoNBD_Predictions(t *testing.T) {
	m := clvPaperPNBD
	// E[X(t)] = rβ/(α(s-1)) [1 - (β/(β+t))^(s-1)], worked by hand for t = 39.
	want := m.R * m.Beta / (m.Alpha * (m.S - 1)) * (1 - math.Pow(m.Beta/(m.Beta+39), m.S-1))
	if got := m.ExpectedPurchases(39 * clvWeek); !clvNear(got, want, 1e-12) {
		t.Errorf("ExpectedPurchases(39 weeks) = %v, want %v", got, want)
	}
	// P(alive) of a one-time buyer (x = 0, t_x = 0): the likelihood's bracket has
	// (α+T)^-r (β+T)^-s over itself plus s∫_0^T (α+y)^-r (β+y)^-(s+1) dy; with
	// α = β (r=1, s=1, α=β=1, T=1) the integral is ∫_0^1 (1+y)^-3 dy = 3/8, so
	// P(alive) = (1/4) / (1/4 + 3/8) = 0.4.
	eq := vip.ParetoNBD{R: 1, Alpha: 1, S: 1, Beta: 1, Unit: vip.UnitWeek}
	if got, err := eq.PAlive(vip.PurchaseHistory{ID: "a", T: 1}); err != nil || !clvNear(got, 0.4, 1e-12) {
		t.Errorf("PAlive(α=β=1, x=0, T=1) = %v, %v; want 0.4", got, err)
	}
	var total, mean float64
	for n := 0; n < 300; n++ {
		p := m.ProbPurchases(39*clvWeek, n)
		total += p
		mean += float64(n) * p
	}
	if !clvNear(total, 1, 1e-8) || !clvNear(mean, want, 1e-4) {
		t.Errorf("Σ P(X(39)=n) = %v, Σ n P = %v; want 1 and %v", total, mean, want)
	}
}

func TestParetoNBD_HeavyBuyers(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitParetoNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		x, tx, tt float64
	}{
		{"221", 221, 103.43, 103.57},
		{"161", 161, 94.71, 98.0},
		{"204", 204, 98.57, 99.43},
		{"3000 with t_x = T", 3000, 103.57, 103.57},
		{"3000 long silent", 3000, 20, 103.57},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := vip.PurchaseHistory{ID: tc.name, X: tc.x, TX: tc.tx, T: tc.tt}
			pa, err := m.PAlive(row)
			if err != nil || math.IsNaN(pa) || pa < 0 || pa > 1 {
				t.Errorf("PAlive(%+v) = %v, %v; want in [0, 1]", row, pa, err)
			}
			e, err := m.ConditionalExpected(row, 52*clvWeek)
			if err != nil || math.IsNaN(e) || math.IsInf(e, 0) || e < 0 {
				t.Errorf("ConditionalExpected(%+v) = %v, %v; want finite", row, e, err)
			}
			d, err := m.DERT(row, 0.1)
			if err != nil || math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
				t.Errorf("DERT(%+v) = %v, %v; want finite", row, d, err)
			}
		})
	}
	if _, err := m.PAlive(vip.PurchaseHistory{ID: "254", X: 254, TX: 97.43, T: 97.29}); !errors.Is(err, vip.ErrInvalidHistory) {
		t.Errorf("PAlive(t_x > T) error = %v, want ErrInvalidHistory", err)
	}
}

func TestParetoNBD_DERT(t *testing.T) {
	// With β huge nobody drops out (μ ≈ 0): DERT → E[λ | data]/δ = (r+x)/(α+T)/δ.
	m := vip.ParetoNBD{R: 0.5, Alpha: 10, S: 0.6, Beta: 1e9, Unit: vip.UnitWeek}
	row := vip.PurchaseHistory{ID: "a", X: 3, TX: 20, T: 30}
	delta := math.Log1p(0.1) / vip.UnitWeek.PerYear()
	want := (0.5 + 3) / (10 + 30) / delta
	got, err := m.DERT(row, 0.1)
	if err != nil || math.Abs(got-want)/want > 1e-6 {
		t.Errorf("DERT(β = 1e9) = %v, %v; want %v", got, err, want)
	}
	// Discounting at a tiny rate counts (almost) every future purchase, so DERT must
	// exceed the undiscounted expectation over ten years.
	m2 := clvPaperPNBD
	d, _ := m2.DERT(row, 1e-4)
	e, _ := m2.ConditionalExpected(row, 520*clvWeek)
	if !(d > e) {
		t.Errorf("DERT at 0.01%% a year = %v, want above the 10-year expectation %v", d, e)
	}
}

func TestParetoNBD_ConditionalExpectedAll_MatchesOneByOne(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m := clvPaperPNBD
	rows := append(append([]vip.PurchaseHistory(nil), s.Rows...), s.Rows...) // repeated rows share
	out, alive := make([]float64, len(rows)), make([]float64, len(rows))
	if err := m.ConditionalExpectedAll(rows, 39*clvWeek, out, alive); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		e, _ := m.ConditionalExpected(r, 39*clvWeek)
		pa, _ := m.PAlive(r)
		if !clvNear(out[i], e, 1e-12) || !clvNear(alive[i], pa, 1e-12) {
			t.Fatalf("row %d %+v: bulk %v/%v, one by one %v/%v", i, r, out[i], alive[i], e, pa)
		}
	}
}
