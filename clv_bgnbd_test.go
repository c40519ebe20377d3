package vip_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/vipkit/vip"
)

const clvWeek = 7 * 24 * time.Hour

func clvNear(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// clvWant is one fitted figure against its published value and tolerance.
type clvWant struct {
	name      string
	got, want float64
	tol       float64
}

// clvCheck reports every figure of call that is further than its tolerance from the
// published value.
func clvCheck(t testing.TB, call string, ws []clvWant) {
	t.Helper()
	for _, w := range ws {
		if !clvNear(w.got, w.want, w.tol) {
			t.Errorf("%s %s = %.5f, want %v ± %g", call, w.name, w.got, w.want, w.tol)
		}
	}
}

// The paper's estimates in full precision (Fader, Hardie and Lee 2005; the rounded
// values are 0.243, 4.414, 0.793, 2.426).
var clvPaperBGNBD = vip.BGNBD{R: 0.242593, Alpha: 4.413596, A: 0.792919, B: 2.425907, Unit: vip.UnitWeek}

func TestBGNBD_ConditionalExpected_Paper(t *testing.T) {
	// Fader, Hardie and Lee (2005), section 4: customer 1 of the CDNOW sample.
	m := clvPaperBGNBD
	got, err := m.ConditionalExpected(vip.PurchaseHistory{ID: "1", X: 2, TX: 30.43, T: 38.86}, 39*clvWeek)
	if err != nil {
		t.Fatal(err)
	}
	if !clvNear(got, 1.226, 5e-4) {
		t.Errorf("ConditionalExpected(x=2, t_x=30.43, T=38.86, 39 weeks) = %.5f, want 1.226 ± 5e-4", got)
	}
}

func TestBGNBD_ExpectedPurchases_Paper(t *testing.T) {
	// E[X(t)] for a new customer, Fader, Hardie and Lee (2005). The published 78-clvWeek
	// value 1.8576 differs from the exact value 1.85795 (checked by integrating
	// E[(1/p)(1-(α/(α+pt))^r)] over Beta(a, b) numerically) by 3.5e-4, so the tolerance
	// is 5e-4 for every point and the others agree to 1e-4.
	m := clvPaperBGNBD
	tests := []struct {
		name  string
		weeks float64
		want  float64
		tol   float64
	}{
		{"1 week", 1, 0.0532, 1e-4},
		{"3 weeks", 3, 0.1506, 1e-4},
		{"32 weeks", 32, 1.0437, 1e-4},
		{"78 weeks", 78, 1.8576, 5e-4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := m.ExpectedPurchases(time.Duration(tc.weeks * float64(clvWeek)))
			if !clvNear(got, tc.want, tc.tol) {
				t.Errorf("ExpectedPurchases(%v weeks) = %.5f, want %.4f ± %g", tc.weeks, got, tc.want, tc.tol)
			}
		})
	}
}

func TestBGNBD_ProbPurchases(t *testing.T) {
	m := clvPaperBGNBD
	// P(X(t) = 0) = (α/(α+t))^r: nobody who is alive buys, and a BG/NBD customer cannot
	// die without buying.
	want0 := math.Pow(m.Alpha/(m.Alpha+39), m.R)
	if got := m.ProbPurchases(39*clvWeek, 0); !clvNear(got, want0, 1e-12) {
		t.Errorf("ProbPurchases(39 weeks, 0) = %v, want %v", got, want0)
	}
	var total, mean float64
	for n := 0; n < 400; n++ {
		p := m.ProbPurchases(39*clvWeek, n)
		total += p
		mean += float64(n) * p
	}
	if !clvNear(total, 1, 1e-9) {
		t.Errorf("Σ P(X(39) = n) = %v, want 1", total)
	}
	if want := m.ExpectedPurchases(39 * clvWeek); !clvNear(mean, want, 1e-3) {
		t.Errorf("Σ n P(X(39) = n) = %v, want E[X(39)] = %v", mean, want)
	}
}

func TestFitBGNBD_CDNOW(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitBGNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Published: r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4 (FHL 2005).
	clvCheck(t, "FitBGNBD(CDNOW)", []clvWant{
		{"r", m.R, 0.243, 5e-4},
		{"alpha", m.Alpha, 4.414, 5e-3},
		{"a", m.A, 0.793, 5e-4},
		{"b", m.B, 2.426, 5e-3},
		{"log-likelihood", m.Fit.LogLik, -9582.4, 0.05},
	})
	if !m.Fit.Converged || m.Fit.StdErr == nil || m.Unit != vip.UnitWeek {
		t.Errorf("FitBGNBD(CDNOW) report = %+v, unit %v; want converged, standard errors, weeks", m.Fit, m.Unit)
	}
	t.Logf("BG/NBD %+v", *m)
}

func TestBGNBD_Holdout_CDNOW(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitBGNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(s.Rows))
	if err := m.ConditionalExpectedAll(s.Rows, 39*clvWeek, out, nil); err != nil {
		t.Fatal(err)
	}
	var pred, actual float64
	for i, r := range s.Rows {
		pred += out[i]
		actual += r.HoldoutX
	}
	// 1,882 actual repeat purchases in the 39-week holdout (data README). The model
	// under-forecasts this sample's holdout (1,653, 12% short); the test guards against a
	// regression beyond 15% and the figure goes into docs/clv.md.
	if actual != 1882 {
		t.Errorf("actual holdout purchases = %v, want 1882", actual)
	}
	if math.Abs(pred-actual)/actual > 0.15 {
		t.Errorf("predicted holdout purchases = %.1f, actual %v: more than 15%% apart", pred, actual)
	}
	t.Logf("holdout: predicted %.1f, actual %v", pred, actual)
}

func TestBGNBD_HeavyBuyers(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m, err := vip.FitBGNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		x, tx, tt float64
	}{
		{"221", 221, 103.43, 103.57},
		{"161", 161, 94.71, 98.0},
		{"204", 204, 98.57, 99.43},
		{"5000", 5000, 103.4, 103.57},
	}
	for _, tc := range tests {
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
		})
	}
	t.Run("t_x above T rejected", func(t *testing.T) {
		_, err := m.PAlive(vip.PurchaseHistory{ID: "254", X: 254, TX: 97.43, T: 97.29})
		if !errors.Is(err, vip.ErrInvalidHistory) {
			t.Errorf("PAlive(t_x 97.43 > T 97.29) error = %v, want ErrInvalidHistory", err)
		}
	})
}

func TestBGNBD_ConditionalExpectedAll_MatchesOneByOne(t *testing.T) {
	s := clvCDNOWHoldout(t)
	m := clvPaperBGNBD
	rows := append(append([]vip.PurchaseHistory(nil), s.Rows...), s.Rows...) // every row twice: the cache path
	out, alive := make([]float64, len(rows)), make([]float64, len(rows))
	if err := m.ConditionalExpectedAll(rows, 39*clvWeek, out, alive); err != nil {
		t.Fatal(err)
	}
	x, tx, T := make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		x[i], tx[i], T[i] = r.X, r.TX, r.T
	}
	colOut := make([]float64, len(rows))
	if err := m.ConditionalExpectedColumns(x, tx, T, 39*clvWeek, colOut, nil); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		e, _ := m.ConditionalExpected(r, 39*clvWeek)
		pa, _ := m.PAlive(r)
		if !clvNear(out[i], e, 1e-12) || !clvNear(alive[i], pa, 1e-12) || !clvNear(colOut[i], e, 1e-12) {
			t.Fatalf("row %d %+v: bulk %v/%v, columns %v, one by one %v/%v", i, r, out[i], alive[i], colOut[i], e, pa)
		}
	}
}

func TestBGNBD_ConcurrentScoring(t *testing.T) {
	// A fitted model is read-only: many goroutines may score with it at once (run with
	// -race).
	s := clvSimulate(clvSimModel{kind: "bgnbd", r: 0.8, alpha: 6, d1: 0.9, d2: 3}, 2000, 30, 80, 9)
	m, err := vip.FitBGNBD(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(s.Rows))
	if err := m.ConditionalExpectedAll(s.Rows, 52*clvWeek, want, nil); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			out := make([]float64, len(s.Rows))
			err := m.ConditionalExpectedAll(s.Rows, 52*clvWeek, out, nil)
			for i := range out {
				if err == nil && out[i] != want[i] {
					err = errors.New("concurrent result differs")
				}
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
