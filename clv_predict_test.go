package vip_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// clvCDNOWOrders is the CDNOW sample as orders of one line each; zeroRepeat makes every
// order placed after the customer's first day free.
func clvCDNOWOrders(tb testing.TB, zeroRepeat bool) []vip.Order {
	tb.Helper()
	txs := clvCDNOWSample(tb)
	first := map[string]time.Time{}
	for _, tx := range txs {
		id := strings.TrimLeft(tx.CustomerID, "0")
		if f, ok := first[id]; !ok || tx.At.Before(f) {
			first[id] = tx.At
		}
	}
	orders := make([]vip.Order, 0, len(txs))
	for i, tx := range txs {
		id := strings.TrimLeft(tx.CustomerID, "0")
		amt := tx.Amount
		if zeroRepeat && tx.At.After(first[id]) {
			amt = decimal.Zero
		}
		orders = append(orders, vip.Order{ID: fmt.Sprint(i), CustomerID: id, PlacedAt: tx.At, Currency: "USD",
			Lines: []vip.Line{{SKU: "cd", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
	}
	return orders
}

// cdnowPredict is the options of the published CDNOW analyses: weeks, calibration to
// 1997-09-30, same-day orders merged.
var cdnowPredict = vip.PredictOptions{
	Cohort: vip.CohortOptions{Unit: vip.UnitWeek, CutOff: clvDay(1997, 9, 30), Merge: vip.UnitDay},
	CLV:    vip.CLVOptions{Horizon: 52 * clvWeek, AnnualRate: 0.10, Margin: decimal.RequireFromString("0.30")},
}

// TestPredictCLV_CDNOW runs the whole pipeline on the CDNOW sample's orders: both fits
// land on the published parameters (FHL 2005: BG/NBD r 0.243, alpha 4.414, a 0.793,
// b 2.426; Gamma-Gamma on the 946 repeat buyers p 6.25, q 3.74, gamma 15.44), and all
// 2,357 customers are scored, each as discounted purchases x spend x margin.
func TestPredictCLV_CDNOW(t *testing.T) {
	p, err := vip.PredictCLV(clvCDNOWOrders(t, false), cdnowPredict)
	if err != nil {
		t.Fatal(err)
	}
	clvCheck(t, "PredictCLV(CDNOW)", []clvWant{
		{"r", p.Purchases.R, 0.243, 5e-4},
		{"alpha", p.Purchases.Alpha, 4.414, 5e-3},
		{"a", p.Purchases.A, 0.793, 5e-4},
		{"b", p.Purchases.B, 2.426, 5e-3},
		{"p", p.Spend.P, 6.25, 0.005},
		{"q", p.Spend.Q, 3.74, 0.005},
		{"gamma", p.Spend.Gamma, 15.44, 0.05},
	})
	if p.Spend.Fit.Customers != 946 || len(p.SpendLeftOut) != 0 || len(p.AtBound) != 0 {
		t.Errorf("spend fit on %d customers, %d left out, %d at a bound; want 946, 0, 0", p.Spend.Fit.Customers, len(p.SpendLeftOut), len(p.AtBound))
	}
	if len(p.Results) != 2357 || len(p.Cohort.Rows) != 2357 {
		t.Fatalf("%d results for %d rows, want 2357", len(p.Results), len(p.Cohort.Rows))
	}
	for i, r := range p.Results {
		if r.ID != p.Cohort.Rows[i].ID || !r.OK {
			t.Fatalf("result %d = %+v for row %q, want it scored", i, r, p.Cohort.Rows[i].ID)
		}
		want := r.Spend.Mul(decimal.NewFromFloat(r.DiscountedPurchases)).Mul(cdnowPredict.CLV.Margin)
		if r.Value.Sub(want).Abs().GreaterThan(decimal.RequireFromString("0.01")) {
			t.Fatalf("customer %s: value %s, want %s x %v x 0.30 = %s", r.ID, r.Value, r.Spend, r.DiscountedPurchases, want)
		}
	}
}

// TestPredictCLV_Stages checks that each failing step is named, and that what the steps
// before it produced comes back with the error.
func TestPredictCLV_Stages(t *testing.T) {
	t.Run("cohort", func(t *testing.T) {
		orders := clvCDNOWOrders(t, false)[:10]
		orders[3].Lines[0].PaidPrice = decimal.NewFromInt(-1)
		p, err := vip.PredictCLV(orders, cdnowPredict)
		var se *vip.CLVStageError
		if !errors.As(err, &se) || se.Stage != vip.StageCohort || !errors.Is(err, vip.ErrInvalidOrder) || p != nil {
			t.Fatalf("PredictCLV(negative price) = %v, %v; want a cohort-stage ErrInvalidOrder and no prediction", p, err)
		}
	})
	t.Run("spend", func(t *testing.T) {
		// Every repeat order is free: BG/NBD, which counts purchases, fits as before;
		// the 946 repeat buyers all average 0.00 and are left out, so Gamma-Gamma has
		// nobody to learn from.
		p, err := vip.PredictCLV(clvCDNOWOrders(t, true), cdnowPredict)
		var se *vip.CLVStageError
		if !errors.As(err, &se) || se.Stage != vip.StageSpend {
			t.Fatalf("PredictCLV(free repeats) error = %v, want a Gamma-Gamma stage error", err)
		}
		if p == nil || p.Purchases == nil || !clvNear(p.Purchases.R, 0.243, 5e-4) || len(p.SpendLeftOut) != 946 || p.Spend != nil || p.Results != nil {
			t.Fatalf("PredictCLV(free repeats) = %+v; want the BG/NBD fit, 946 left out, no spend model, no results", p)
		}
	})
	t.Run("score", func(t *testing.T) {
		opt := cdnowPredict
		opt.CLV.Horizon = 0
		p, err := vip.PredictCLV(clvCDNOWOrders(t, false), opt)
		var se *vip.CLVStageError
		if !errors.As(err, &se) || se.Stage != vip.StageScore || !errors.Is(err, vip.ErrCannotScore) {
			t.Fatalf("PredictCLV(no horizon) error = %v, want a scoring-stage ErrCannotScore", err)
		}
		if p == nil || p.Purchases == nil || p.Spend == nil || p.Results != nil {
			t.Fatalf("PredictCLV(no horizon) = %+v; want both models and no results", p)
		}
	})
}
