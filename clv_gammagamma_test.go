package vip_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

func TestFitGammaGamma_CDNOW(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitGammaGamma(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published on the 946 repeat customers: p 6.25, q 3.74, gamma 15.44 (FHL 2005).
	clvCheck(t, "FitGammaGamma(CDNOW)", []clvWant{
		{"p", m.P, 6.25, 0.005},
		{"q", m.Q, 3.74, 0.005},
		{"gamma", m.Gamma, 15.44, 0.05},
	})
	if m.Fit.Customers != 946 || !m.Fit.Converged {
		t.Errorf("FitGammaGamma report = %+v, want 946 customers, converged", m.Fit)
	}
	t.Logf("%v %+v", m, m.Fit)
}

func TestGammaGamma_ConditionalExpectedSpend(t *testing.T) {
	m := &vip.GammaGamma{P: 6, Q: 4, Gamma: 15}
	tests := []struct {
		name string
		row  vip.PurchaseHistory
		want string
	}{
		// (γ + x z̄) p / (p x + q - 1) = (15 + 2·20)·6 / (12 + 3) = 22
		{"repeat buyer", vip.PurchaseHistory{ID: "a", X: 2, TX: 1, T: 2, MeanRepeatSpend: decimal.NewFromInt(20)}, "22"},
		// population mean p γ/(q-1) = 6·15/3 = 30
		{"one-time buyer", vip.PurchaseHistory{ID: "b", T: 2}, "30"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := m.ConditionalExpectedSpend(tc.row)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(decimal.RequireFromString(tc.want)) {
				t.Errorf("ConditionalExpectedSpend(%+v) = %s, want %s", tc.row, got, tc.want)
			}
		})
	}
	t.Run("q at its bound refused", func(t *testing.T) {
		bound := &vip.GammaGamma{P: 6, Q: 1.00000001, Gamma: 15, Fit: vip.FitReport{AtBound: []string{"q"}}}
		_, err := bound.ConditionalExpectedSpend(vip.PurchaseHistory{ID: "b", T: 2})
		if !errors.Is(err, vip.ErrCannotScore) {
			t.Errorf("ConditionalExpectedSpend with q at bound: error %v, want ErrCannotScore", err)
		}
	})
	t.Run("q below 1 refused", func(t *testing.T) {
		_, err := (&vip.GammaGamma{P: 6, Q: 0.5, Gamma: 15}).ConditionalExpectedSpend(vip.PurchaseHistory{ID: "b", T: 2})
		if !errors.Is(err, vip.ErrCannotScore) {
			t.Errorf("error %v, want ErrCannotScore", err)
		}
	})
}

// TestCohort_SpendCohort works three customers by hand: a buys 10 then 20 (one repeat,
// mean 20: in the fit); b buys 15 then a free order (one repeat, mean 0.00: left out);
// c buys once (no repeat: in neither). FitGammaGamma refuses the whole cohort for b,
// and ResidualCLV on the whole cohort scores a and c but not b.
func TestCohort_SpendCohort(t *testing.T) {
	order := func(id, cust string, at time.Time, price string) vip.Order {
		p := decimal.RequireFromString(price)
		return vip.Order{ID: id, CustomerID: cust, PlacedAt: at, Currency: "EUR",
			Lines: []vip.Line{{SKU: "s", Quantity: 1, ListPrice: p, PaidPrice: p}}}
	}
	orders := []vip.Order{
		order("1", "a", clvDay(2025, 1, 1), "10"),
		order("2", "a", clvDay(2025, 1, 15), "20"),
		order("3", "b", clvDay(2025, 1, 1), "15"),
		order("4", "b", clvDay(2025, 1, 29), "0.00"),
		order("5", "c", clvDay(2025, 1, 8), "30"),
	}
	s, err := vip.BuildCohortFromOrders(orders, vip.CohortOptions{Unit: vip.UnitWeek, CutOff: clvDay(2025, 2, 26)})
	if err != nil {
		t.Fatal(err)
	}
	fit, left := s.SpendCohort()
	want := vip.Cohort{Unit: vip.UnitWeek, CutOff: clvDay(2025, 2, 26),
		Rows: []vip.PurchaseHistory{{ID: "a", X: 1, TX: 2, T: 8, MeanRepeatSpend: decimal.NewFromInt(20)}}}
	if diff := cmp.Diff(want, fit, clvDecimalComparer); diff != "" {
		t.Errorf("SpendCohort() cohort (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b"}, left); diff != "" {
		t.Errorf("SpendCohort() left out (-want +got):\n%s", diff)
	}
	if err := fit.ValidateSpend(); err != nil {
		t.Errorf("SpendCohort().ValidateSpend() = %v, want nil", err)
	}
	if _, err := vip.FitGammaGamma(s, nil); !errors.Is(err, vip.ErrInvalidHistory) {
		t.Errorf("FitGammaGamma(whole cohort) error %v, want ErrInvalidHistory (b's repeat spend is 0.00)", err)
	}
	gg := &vip.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}
	res, err := vip.ResidualCLV(&clvPaperBGNBD, gg, s, vip.CLVOptions{Horizon: 52 * 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var ok []bool
	for _, r := range res {
		ok = append(ok, r.OK)
	}
	if diff := cmp.Diff([]bool{true, false, true}, ok); diff != "" {
		t.Errorf("ResidualCLV OK for a, b, c (-want +got):\n%s", diff)
	}
}
