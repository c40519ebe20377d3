package vip_test

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/realdata"
)

func clvDonations(tb testing.TB) []vip.DiscreteHistory {
	tb.Helper()
	recs := clvReadCSV(tb, filepath.Join(realdata.Dir(tb), "donations", "donations.csv"))
	var rows []vip.DiscreteHistory
	for _, r := range recs {
		rows = append(rows, vip.DiscreteHistory{
			X: int(clvFloat(tb, r[0])), TX: int(clvFloat(tb, r[1])), N: int(clvFloat(tb, r[2])), Weight: clvFloat(tb, r[3]),
		})
	}
	return rows
}

func TestFitBGBB_Donations(t *testing.T) {
	m, err := vip.FitBGBB(clvDonations(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published: alpha 1.204, beta 0.750, gamma 0.657, delta 2.783 (FHS 2010).
	clvCheck(t, "FitBGBB(donations)", []clvWant{
		{"alpha", m.Alpha, 1.204, 5e-3},
		{"beta", m.Beta, 0.750, 5e-3},
		{"gamma", m.Gamma, 0.657, 5e-3},
		{"delta", m.Delta, 2.783, 0.02},
	})
	if m.Fit.Customers != 11104 || !m.Fit.Converged {
		t.Errorf("FitBGBB report = %+v, want 11104 customers, converged", m.Fit)
	}
	t.Logf("BG/BB %+v", *m)
}

func TestBGBB_Predictions(t *testing.T) {
	m := &vip.BGBB{Alpha: 1.204, Beta: 0.750, Gamma: 0.657, Delta: 2.783}
	// One opportunity: alive (δ/(γ+δ)) and buying (α/(α+β)).
	want1 := 1.204 / (1.204 + 0.750) * 2.783 / (0.657 + 2.783)
	if got := m.ExpectedTransactions(1); !clvNear(got, want1, 1e-12) {
		t.Errorf("ExpectedTransactions(1) = %v, want %v", got, want1)
	}
	// Next single opportunity: P(alive at n+1) × posterior mean of p, (α+x)/(α+β+n).
	for _, r := range []vip.DiscreteHistory{{X: 6, TX: 6, N: 6}, {X: 2, TX: 3, N: 6}, {N: 6}} {
		pa, err := m.PAliveAt(r, 1)
		if err != nil {
			t.Fatal(err)
		}
		want := pa * (1.204 + float64(r.X)) / (1.204 + 0.750 + float64(r.N))
		got, err := m.ConditionalExpected(r, 1)
		if err != nil || !clvNear(got, want, 1e-12) {
			t.Errorf("ConditionalExpected(%+v, 1) = %v, %v; want %v", r, got, err, want)
		}
		if pa < 0 || pa > 1 {
			t.Errorf("PAliveAt(%+v, 1) = %v", r, pa)
		}
	}
	// A donor who gave at every opportunity is certainly alive now.
	if pa, _ := m.PAliveAt(vip.DiscreteHistory{X: 6, TX: 6, N: 6}, 0); !clvNear(pa, 1, 1e-12) {
		t.Errorf("PAliveAt(6 of 6, 0) = %v, want 1", pa)
	}
	e5, _ := m.ConditionalExpected(vip.DiscreteHistory{X: 3, TX: 4, N: 6}, 5)
	e1, _ := m.ConditionalExpected(vip.DiscreteHistory{X: 3, TX: 4, N: 6}, 1)
	if !(e5 > e1) || math.IsNaN(e5) {
		t.Errorf("ConditionalExpected over 5 = %v, over 1 = %v", e5, e1)
	}
}

func TestValidateDiscrete(t *testing.T) {
	err := vip.ValidateDiscrete([]vip.DiscreteHistory{{ID: "a", X: 3, TX: 2, N: 6}, {ID: "b", X: 1, TX: 7, N: 6}, {ID: "c", X: 0, TX: 2, N: 6}})
	if !errors.Is(err, vip.ErrInvalidHistory) {
		t.Fatalf("ValidateDiscrete = %v, want ErrInvalidHistory", err)
	}
	for _, w := range []string{`x below 0 or above t_x: "a"`, `t_x above n or below 0: "b"`, `x = 0 with t_x above 0, or x > 0 with t_x = 0: "c"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("ValidateDiscrete error %q lacks %q", err, w)
		}
	}
}
