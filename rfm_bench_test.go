package vip_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// rfmBenchPop is the population of the RFM benchmarks and of bench/pandas: recency
// uniform over a year, frequency geometric (most buy once), spend in cents.
func rfmBenchPop(n int) []vip.RFMInput { return synth.RFMPopulation(n) }

func BenchmarkScoreRFM(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		pop := rfmBenchPop(n)
		for _, ties := range []vip.TieRule{vip.TiesSplit, vip.TiesTogether} {
			b.Run(fmt.Sprintf("customers=%d/ties=%s", n, ties), func(b *testing.B) {
				b.ReportAllocs()
				names := make([]string, n)
				cpu0 := rfmCPUTime()
				for b.Loop() {
					s, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Ties: ties})
					if err != nil {
						b.Fatal(err)
					}
					for i := range s {
						names[i] = vip.SegmentsRFMTable.Segment(s[i])
					}
				}
				b.ReportMetric(float64(rfmCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkSummarize summarises 20,000,000 orders per operation: 100 passes over 1,000
// customers of 200 orders each (the same orders are reused to keep memory small).
// rfmPasses is how many times BenchmarkSummarize goes over its 200,000 orders.
var rfmPasses = 100

func BenchmarkSummarize(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	asOf := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	acts := make([]vip.Activity, 1000)
	cats := []string{"shoes", "bags", "hats", "coats", "socks"}
	for i := range acts {
		a := &acts[i]
		a.Customer = vip.Customer{ID: fmt.Sprintf("C%05d", i), JoinedAt: asOf.AddDate(-3, 0, 0)}
		for j := 0; j < 200; j++ {
			cents := int64(500 + rng.IntN(20000))
			paid := decimal.New(cents, -2)
			a.Orders = append(a.Orders, vip.Order{
				ID: fmt.Sprintf("O%d-%d", i, j), CustomerID: a.Customer.ID, Currency: "USD",
				PlacedAt: asOf.Add(-time.Duration(rng.IntN(2*365*24)) * time.Hour),
				Lines: []vip.Line{{SKU: "s", Category: cats[rng.IntN(len(cats))], Brand: "b", Quantity: 1,
					ListPrice: paid, PaidPrice: paid, UnitCost: decimal.New(cents/2, -2)}},
			})
		}
	}
	b.Run("orders=20000000", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := rfmCPUTime()
		for b.Loop() {
			for pass := 0; pass < rfmPasses; pass++ {
				for i := range acts {
					if _, err := vip.Summarize(&acts[i], asOf, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.ReportMetric(float64(rfmCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}

// BenchmarkSegment names the segments of 1,000,000 scored customers: one array index each.
func BenchmarkSegment(b *testing.B) {
	pop := rfmBenchPop(1_000_000)
	scores, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(scores))
	b.Run("customers=1000000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range scores {
				names[i] = vip.SegmentsRFMTable.Segment(scores[i])
			}
		}
	})
}
