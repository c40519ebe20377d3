package vip_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

// FuzzCohort_Validate: any row either validates or is rejected with
// ErrInvalidHistory, never a panic; a valid row scores to a probability in [0, 1].
func FuzzCohort_Validate(f *testing.F) {
	f.Add("a", 2.0, 30.43, 38.86, int64(2235))
	f.Add("254", 254.0, 97.43, 97.29, int64(0))
	f.Add("", -1.0, math.NaN(), math.Inf(1), int64(-5))
	f.Add("z", 0.0, 1.0, 2.0, int64(1))
	f.Fuzz(func(t *testing.T, id string, x, tx, tt float64, cents int64) {
		row := vip.PurchaseHistory{ID: id, X: x, TX: tx, T: tt, MeanRepeatSpend: decimal.New(cents, -2)}
		s := vip.Cohort{Unit: vip.UnitWeek, Rows: []vip.PurchaseHistory{row}}
		err := s.ValidateSpend()
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidHistory) {
				t.Fatalf("ValidateSpend(%+v) = %v, not ErrInvalidHistory", row, err)
			}
			return
		}
		m := clvPaperBGNBD
		pa, err := m.PAlive(row)
		if err != nil || math.IsNaN(pa) || pa < 0 || pa > 1 {
			t.Fatalf("PAlive(%+v) = %v, %v", row, pa, err)
		}
		v, err := (&vip.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}).ConditionalExpectedSpend(row)
		if err != nil || v.IsNegative() {
			t.Fatalf("ConditionalExpectedSpend(%+v) = %v, %v", row, v, err)
		}
	})
}

// FuzzBuildCohort: arbitrary transactions give rows that pass validation, or an error
// wrapping ErrInvalidTransaction.
func FuzzBuildCohort(f *testing.F) {
	f.Add("a", int64(0), int64(1000), "b", int64(86400*3), int64(-5), int64(86400*10), uint8(2), uint8(1))
	f.Add("", int64(-1), int64(0), "b", int64(1), int64(7), int64(0), uint8(0), uint8(9))
	f.Fuzz(func(t *testing.T, id1 string, at1, c1 int64, id2 string, at2, c2, cut int64, unit, merge uint8) {
		base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		txs := []vip.Transaction{
			{CustomerID: id1, At: base.Add(time.Duration(at1) * time.Second), Amount: decimal.New(c1, -2)},
			{CustomerID: id2, At: base.Add(time.Duration(at2) * time.Second), Amount: decimal.New(c2, -2)},
			{CustomerID: id1, At: base.Add(time.Duration(at2/2) * time.Second), Amount: decimal.New(c2, -2)},
		}
		opt := vip.CohortOptions{Unit: vip.TimeUnit(unit % 5), Merge: vip.TimeUnit(merge % 5), CutOff: base.Add(time.Duration(cut) * time.Second)}
		s, err := vip.BuildCohort(txs, opt)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidTransaction) {
				t.Fatalf("BuildCohort error %v does not wrap ErrInvalidTransaction", err)
			}
			return
		}
		if len(s.Rows) == 0 {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("BuildCohort gave invalid rows %+v: %v", s.Rows, err)
		}
	})
}

// FuzzValidateDiscrete: BG/BB rows validate or are rejected, and valid rows score.
func FuzzValidateDiscrete(f *testing.F) {
	f.Add(3, 4, 6, 10.0)
	f.Add(-1, 7, 6, -1.0)
	f.Fuzz(func(t *testing.T, x, tx, n int, w float64) {
		if n > 1000 || n < -1000 {
			return
		}
		r := vip.DiscreteHistory{X: x, TX: tx, N: n, Weight: w}
		if err := vip.ValidateDiscrete([]vip.DiscreteHistory{r}); err != nil {
			if !errors.Is(err, vip.ErrInvalidHistory) {
				t.Fatalf("ValidateDiscrete(%+v) = %v", r, err)
			}
			return
		}
		m := &vip.BGBB{Alpha: 1.204, Beta: 0.750, Gamma: 0.657, Delta: 2.783}
		pa, err := m.PAliveAt(r, 1)
		if err != nil || math.IsNaN(pa) || pa < 0 || pa > 1+1e-12 {
			t.Fatalf("PAliveAt(%+v) = %v, %v", r, pa, err)
		}
	})
}
