package vip_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"pgregory.net/rapid"
)

func clvDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestBriefCLV(t *testing.T) {
	tests := []struct {
		name string
		in   vip.BriefCLVInputs
		want string
		err  string
	}{
		{"brief formula", vip.BriefCLVInputs{MonthlyTransactions: clvDec("2"), AverageOrderValue: clvDec("50"), GrossMargin: clvDec("0.40"), LifetimeMonths: clvDec("24")}, "960", ""},
		// Gold VIP of the brief: $5,000 a year in 12 orders, 40% margin, 3 years:
		// 1 × 416.67 × 0.4 × 36 = 6000.048.
		{"gold vip", vip.BriefCLVInputs{MonthlyTransactions: clvDec("1"), AverageOrderValue: clvDec("416.67"), GrossMargin: clvDec("0.4"), LifetimeMonths: clvDec("36")}, "6000.048", ""},
		{"zero value", vip.BriefCLVInputs{}, "0", ""},
		{"negative", vip.BriefCLVInputs{MonthlyTransactions: clvDec("-1"), GrossMargin: clvDec("1.5")}, "", "monthly_transactions -1 is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vip.BriefCLV(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "gross_margin 1.5 is above 1") {
					t.Errorf("BriefCLV(%+v) error = %v, want %q and the margin", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || !got.Equal(clvDec(tc.want)) {
				t.Errorf("BriefCLV(%+v) = %s, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestHistoricalCLV(t *testing.T) {
	txs := []vip.Transaction{
		clvTx("b", clvDay(2025, 1, 1), "10.10"),
		clvTx("a", clvDay(2025, 1, 2), "100"),
		clvTx("b", clvDay(2025, 1, 3), "20.20"),
		clvTx("a", clvDay(2025, 3, 1), "999"), // after asOf
	}
	got, err := vip.HistoricalCLV(txs, clvDec("0.4"), clvDay(2025, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.HistoricalValue{{ID: "a", Value: clvDec("40")}, {ID: "b", Value: clvDec("12.12")}}
	if diff := cmp.Diff(want, got, clvDecimalComparer); diff != "" {
		t.Errorf("HistoricalCLV (-want +got):\n%s", diff)
	}
}

func TestResidualCLV_Discounting(t *testing.T) {
	// A Pareto/NBD model whose customers never drop out (β = 1e12, s = 1) buys at the
	// posterior mean rate c = (r+x)/(α+T), so E[Y(u)] = c·u and discounting has closed
	// forms: continuous c(1-e^(-δH))/δ; monthly Σ_k c·m·(1+d)^(-k/12), m = one month.
	m := &vip.ParetoNBD{R: 1, Alpha: 10, S: 1, Beta: 1e12, Unit: vip.UnitWeek}
	gg := &vip.GammaGamma{P: 6, Q: 4, Gamma: 15}
	row := vip.PurchaseHistory{ID: "a", X: 3, TX: 20, T: 30, MeanRepeatSpend: clvDec("20")}
	s := vip.Cohort{Unit: vip.UnitWeek, Rows: []vip.PurchaseHistory{row}}
	c := 4.0 / 40
	H := vip.UnitWeek.PerYear() // one year in weeks
	month := H / 12
	delta := math.Log1p(0.1) / H
	var monthly float64
	for k := 1; k <= 12; k++ {
		monthly += c * month * math.Pow(1.1, -float64(k)/12)
	}
	spend := (15 + 3*20) * 6 / (18 + 3.0) // Gamma-Gamma E[M]
	year := time.Duration(365.2425 * 24 * float64(time.Hour))
	tests := []struct {
		name string
		opt  vip.CLVOptions
		want float64 // discounted purchases
	}{
		{"no discount", vip.CLVOptions{Horizon: year}, c * H},
		{"monthly 10%", vip.CLVOptions{Horizon: year, AnnualRate: 0.1}, monthly},
		{"continuous 10%", vip.CLVOptions{Horizon: year, AnnualRate: 0.1, Discounting: vip.DiscountContinuous}, c * (1 - math.Exp(-delta*H)) / delta},
		{"continuous unlimited (DERT)", vip.CLVOptions{AnnualRate: 0.1, Discounting: vip.DiscountContinuous}, c / delta},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opt.Margin = clvDec("0.5")
			got, err := vip.ResidualCLV(m, gg, s, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			r := got[0]
			if !r.OK || math.Abs(r.DiscountedPurchases-tc.want) > 1e-6*tc.want {
				t.Errorf("ResidualCLV(%+v) = %+v, want discounted purchases %v", tc.opt, r, tc.want)
			}
			wantValue := decimal.NewFromFloat(tc.want * spend * 0.5).Round(2)
			if r.Value.Sub(wantValue).Abs().GreaterThan(clvDec("0.01")) {
				t.Errorf("Value = %s, want %s", r.Value, wantValue)
			}
		})
	}
}

func TestResidualCLV_Errors(t *testing.T) {
	m := &clvPaperBGNBD
	gg := &vip.GammaGamma{P: 6, Q: 4, Gamma: 15}
	s := vip.Cohort{Unit: vip.UnitWeek, Rows: []vip.PurchaseHistory{
		{ID: "ok", X: 1, TX: 1, T: 2, MeanRepeatSpend: clvDec("10")},
		{ID: "no-spend", X: 1, TX: 1, T: 2},
		{ID: "bad", X: 1, TX: 3, T: 2, MeanRepeatSpend: clvDec("10")},
	}}
	got, err := vip.ResidualCLV(m, gg, s, vip.CLVOptions{Horizon: 52 * clvWeek, AnnualRate: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if !got[0].OK || got[1].OK || got[2].OK || got[1].Problem == "" || !got[1].Value.IsZero() {
		t.Errorf("ResidualCLV per-customer flags = %+v; want ok, flagged, flagged", got)
	}
	for _, tc := range []struct {
		name string
		pm   vip.PurchaseModel
		gg   *vip.GammaGamma
		s    vip.Cohort
		opt  vip.CLVOptions
	}{
		{"no horizon for BG/NBD", m, gg, s, vip.CLVOptions{AnnualRate: 0.1, Discounting: vip.DiscountContinuous}},
		{"unit mismatch", m, gg, vip.Cohort{Unit: vip.UnitDay, Rows: s.Rows}, vip.CLVOptions{Horizon: clvWeek}},
		{"q at bound", m, &vip.GammaGamma{P: 6, Q: 1 + 1e-8, Gamma: 15, Fit: vip.FitReport{AtBound: []string{"q"}}}, s, vip.CLVOptions{Horizon: clvWeek}},
		{"negative rate", m, gg, s, vip.CLVOptions{Horizon: clvWeek, AnnualRate: -0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := vip.ResidualCLV(tc.pm, tc.gg, tc.s, tc.opt); !errors.Is(err, vip.ErrCannotScore) {
				t.Errorf("ResidualCLV error = %v, want ErrCannotScore", err)
			}
		})
	}
}

func TestResidualCLV_NeverNegativeOrNaN(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := &vip.BGNBD{
			R:     rapid.Float64Range(0.01, 10).Draw(t, "r"),
			Alpha: rapid.Float64Range(0.01, 100).Draw(t, "alpha"),
			A:     rapid.Float64Range(0.01, 10).Draw(t, "a"),
			B:     rapid.Float64Range(0.01, 10).Draw(t, "b"),
			Unit:  vip.UnitWeek,
		}
		T := rapid.Float64Range(0, 200).Draw(t, "T")
		x := float64(rapid.IntRange(0, 3000).Draw(t, "x"))
		tx := 0.0
		if x > 0 {
			tx = rapid.Float64Range(0, T).Draw(t, "tx")
		}
		row := vip.PurchaseHistory{ID: "c", X: x, TX: tx, T: T, MeanRepeatSpend: clvDec("12.5")}
		if x == 0 {
			row.MeanRepeatSpend = decimal.Decimal{}
		}
		got, err := vip.ResidualCLV(m, &vip.GammaGamma{P: 6, Q: 4, Gamma: 15}, vip.Cohort{Unit: vip.UnitWeek, Rows: []vip.PurchaseHistory{row}},
			vip.CLVOptions{Horizon: 104 * clvWeek, AnnualRate: 0.1, Discounting: vip.Discounting(rapid.IntRange(0, 1).Draw(t, "disc"))})
		if err != nil {
			t.Fatal(err)
		}
		r := got[0]
		if r.Value.IsNegative() || math.IsNaN(r.DiscountedPurchases) || (r.OK && r.DiscountedPurchases > r.Purchases+1e-9) {
			t.Fatalf("ResidualCLV(%+v) = %+v", row, r)
		}
	})
}

func TestResidualCLV_UnitsAgree_CDNOW(t *testing.T) {
	txs := clvCDNOWSample(t)
	gg := (*vip.GammaGamma)(nil)
	var totals []float64
	for _, u := range []vip.TimeUnit{vip.UnitDay, vip.UnitWeek} {
		s, err := vip.BuildCohort(txs, vip.CohortOptions{Unit: u, CutOff: clvDay(1997, 9, 30), Merge: vip.UnitDay})
		if err != nil {
			t.Fatal(err)
		}
		m, err := vip.FitBGNBD(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if gg == nil {
			if gg, err = vip.FitGammaGamma(s, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []vip.Discounting{vip.DiscountMonthly, vip.DiscountContinuous} {
			res, err := vip.ResidualCLV(m, gg, s, vip.CLVOptions{Horizon: 52 * clvWeek, AnnualRate: 0.1, Margin: clvDec("0.3"), Discounting: d})
			if err != nil {
				t.Fatal(err)
			}
			var total float64
			for _, r := range res {
				if !r.OK {
					t.Fatalf("customer %s not scored: %s", r.ID, r.Problem)
				}
				total += r.Value.InexactFloat64()
			}
			totals = append(totals, total)
		}
	}
	t.Logf("total residual CLV, days: monthly %.2f continuous %.2f; weeks: monthly %.2f continuous %.2f", totals[0], totals[1], totals[2], totals[3])
	for i := 0; i < 2; i++ {
		if math.Abs(totals[i]-totals[i+2]) > 1e-4*totals[i+2] {
			t.Errorf("discounting %d: days give %.2f, weeks %.2f", i, totals[i], totals[i+2])
		}
	}
}
