package vip_test

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/realdata"
)

// clvRetail loads the UCI Online Retail invoices as transactions.
func clvRetail(tb testing.TB) []vip.Transaction {
	tb.Helper()
	recs := clvReadCSV(tb, filepath.Join(realdata.Dir(tb), "online_retail", "online_retail_invoices.csv"))
	txs := make([]vip.Transaction, 0, len(recs))
	for _, r := range recs {
		at, err := time.Parse("2006-01-02", r[1])
		if err != nil {
			tb.Fatal(err)
		}
		amt, err := decimal.NewFromString(r[3])
		if err != nil {
			tb.Fatal(err)
		}
		txs = append(txs, vip.Transaction{CustomerID: r[2], At: at, Amount: amt})
	}
	return txs
}

func TestFit_OnlineRetail(t *testing.T) {
	s, err := vip.BuildCohort(clvRetail(t), vip.CohortOptions{Unit: vip.UnitWeek, CutOff: clvDay(2011, 12, 9), Merge: vip.UnitDay})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 4338 {
		t.Errorf("BuildCohort(online retail) = %d customers, want 4338", len(s.Rows))
	}
	row := vip.PurchaseHistory{ID: "probe", X: 5, TX: 30, T: 50}
	t.Run("BG/NBD", func(t *testing.T) {
		m, err := vip.FitBGNBD(s, nil)
		if m == nil {
			t.Fatalf("FitBGNBD(online retail) gave no model: %v", err)
		}
		t.Logf("BG/NBD r=%.4g alpha=%.4g a=%.4g b=%.4g err=%v report=%+v", m.R, m.Alpha, m.A, m.B, err, m.Fit)
		clvCheckHonest(t, err, m.Fit)
		e, err := m.ConditionalExpected(row, 52*clvWeek)
		if err != nil || math.IsNaN(e) || e <= 0 {
			t.Errorf("ConditionalExpected = %v, %v", e, err)
		}
	})
	t.Run("Pareto/NBD", func(t *testing.T) {
		m, err := vip.FitParetoNBD(s, nil)
		if m == nil {
			t.Fatalf("FitParetoNBD(online retail) gave no model: %v", err)
		}
		t.Logf("Pareto/NBD r=%.4g alpha=%.4g s=%.4g beta=%.4g err=%v report=%+v", m.R, m.Alpha, m.S, m.Beta, err, m.Fit)
		clvCheckHonest(t, err, m.Fit)
		e, err := m.ConditionalExpected(row, 52*clvWeek)
		if err != nil || math.IsNaN(e) || e <= 0 {
			t.Errorf("ConditionalExpected = %v, %v", e, err)
		}
	})
}

// clvCheckHonest accepts a clean fit, or a fit at a bound that says so.
func clvCheckHonest(t *testing.T, err error, rep vip.FitReport) {
	t.Helper()
	if err == nil {
		if !rep.Converged || len(rep.AtBound) > 0 {
			t.Errorf("no error but report %+v", rep)
		}
		return
	}
	fe, ok := err.(*vip.FitError)
	if !ok || fe.Reason != vip.FitAtBound || rep.Converged || len(rep.AtBound) == 0 || rep.StdErrMissing == "" {
		t.Errorf("fit error %v with report %+v: want a FitError at a bound, not converged, standard errors reported missing", err, rep)
	}
}
