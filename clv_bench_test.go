package vip_test

import (
	"math/rand/v2"
	"testing"

	"github.com/vipkit/vip"
)

// clvResample draws n rows from s with replacement (seeded).
func clvResample(s vip.Cohort, n int) vip.Cohort {
	rng := rand.New(rand.NewPCG(1, 2))
	out := vip.Cohort{Unit: s.Unit, Rows: make([]vip.PurchaseHistory, n)}
	for i := range out.Rows {
		out.Rows[i] = s.Rows[rng.IntN(len(s.Rows))]
	}
	return out
}

func BenchmarkFitBGNBD(b *testing.B) {
	s := clvCDNOWHoldout(b)
	for _, bc := range []struct {
		name string
		s    vip.Cohort
	}{
		{"cdnow", s},
		{"customers=1e6", clvResample(s, 1_000_000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := vip.FitBGNBD(bc.s, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFitParetoNBD(b *testing.B) {
	s := clvCDNOWHoldout(b)
	b.Run("cdnow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := vip.FitParetoNBD(s, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFitGammaGamma(b *testing.B) {
	s := clvCDNOWHoldout(b)
	b.Run("cdnow", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := vip.FitGammaGamma(s, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConditionalExpected scores E[Y(39 weeks)] and P(alive) for resampled CDNOW
// customers with the fitted BG/NBD and Pareto/NBD models.
func BenchmarkConditionalExpected(b *testing.B) {
	s := clvCDNOWHoldout(b)
	bg, err := vip.FitBGNBD(s, nil)
	if err != nil {
		b.Fatal(err)
	}
	pn, err := vip.FitParetoNBD(s, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1_000_000, 10_000_000} {
		// Columns drawn as clvResample draws rows; rows only for 1e6 (memory).
		rng := rand.New(rand.NewPCG(1, 2))
		x, tx, T := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range x {
			r := s.Rows[rng.IntN(len(s.Rows))]
			x[i], tx[i], T[i] = r.X, r.TX, r.T
		}
		out, alive := make([]float64, n), make([]float64, n)
		name := "customers=1e6"
		var big vip.Cohort
		if n == 10_000_000 {
			name = "customers=1e7"
		} else {
			big = clvResample(s, n)
		}
		if n == 1_000_000 {
			// Every row distinct (t_x and T jittered by up to a day): no row is shared, so
			// this is the cost of scoring, not of looking up.
			jx, jt := make([]float64, n), make([]float64, n)
			for i := range x {
				jt[i] = T[i] + rng.Float64()/7
				jx[i] = tx[i]
				if x[i] > 0 {
					jx[i] += rng.Float64() / 7
				}
			}
			b.Run("bgnbd/columns/distinct/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := bg.ConditionalExpectedColumns(x, jx, jt, 39*clvWeek, out, alive); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run("bgnbd/columns/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bg.ConditionalExpectedColumns(x, tx, T, 39*clvWeek, out, alive); err != nil {
					b.Fatal(err)
				}
			}
		})
		if big.Rows == nil {
			continue
		}
		b.Run("bgnbd/rows/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bg.ConditionalExpectedAll(big.Rows, 39*clvWeek, out, alive); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("pareto/rows/"+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := pn.ConditionalExpectedAll(big.Rows, 39*clvWeek, out, alive); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
