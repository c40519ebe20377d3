package vip_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// benchShop is the synthetic shop of the backtest benchmarks: n customers over two years
// with about 20 orders of one line each, as activities, and the number of orders.
func benchShop(n int) (synth.Config, []*vip.Activity, int) {
	cfg := synth.DefaultConfig()
	cfg.Customers, cfg.MaxLines, cfg.RateScale = n, 1, synth.RateScaleFor20
	var acts []*vip.Activity
	orders := 0
	synth.Each(cfg, func(c vip.Customer, os []vip.Order, rs []vip.Refund) bool {
		acts = append(acts, &vip.Activity{Customer: c, Orders: os, Refunds: rs})
		orders += len(os)
		return true
	})
	return cfg, acts, orders
}

// BenchmarkBacktest replays the brief's ladder over a synthetic shop of two years (about
// 20 orders a customer) in 24 monthly reviews, the last at the end of the data: "tiers"
// without a catalogue (distribution and flows), "pnl" with the brief's catalogue priced
// at each review. Generating the shop is not timed; validating and preparing each
// customer's activity is, as Backtest does it. customers=1000000 holds about 20,000,000
// orders and needs 10+ GB: run it alone with -benchtime 1x -cpu 1. cpu-ns/op is the
// process's CPU time (user and system, the garbage collector's included) per backtest:
// on a shared machine it is the work done, where ns/op is the wall time.
func BenchmarkBacktest(b *testing.B) {
	l := briefLadder(b)
	cat := vip.BriefCatalogue()
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				b.Skip("large backtest skipped in -short mode")
			}
			cfg, acts, orders := benchShop(n)
			opts := vip.BacktestOptions{From: cfg.End.AddDate(0, -23, 0), To: cfg.End}
			for _, mode := range []string{"tiers", "pnl"} {
				b.Run(mode, func(b *testing.B) {
					o := opts
					if mode == "pnl" {
						o.Catalogue, o.Margin = &cat, decimal.RequireFromString("0.40")
					}
					b.ReportAllocs()
					cpu := rfmCPUTime()
					for b.Loop() {
						res, err := l.Backtest(acts, o)
						if err != nil {
							b.Fatal(err)
						}
						if len(res.Periods) != 24 {
							b.Fatalf("%d periods, want 24", len(res.Periods))
						}
					}
					b.ReportMetric(float64(rfmCPUTime()-cpu)/float64(b.N), "cpu-ns/op")
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(orders), "ns/order")
					b.ReportMetric(float64(orders), "orders")
				})
			}
		})
	}
}

// BenchmarkProgramMetrics computes the program metrics of the backtest above at 10,000
// customers (its replay of every customer is timed; the backtest it reads is not).
func BenchmarkProgramMetrics(b *testing.B) {
	l := briefLadder(b)
	cfg, acts, _ := benchShop(10_000)
	res, err := l.Backtest(acts, vip.BacktestOptions{From: cfg.End.AddDate(0, -23, 0), To: cfg.End})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ms, err := vip.ProgramMetrics(&l, res, acts)
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) == 0 {
			b.Fatal("no metrics")
		}
	}
}

// BenchmarkActivity_Validate validates the 10,000 customers of the backtest above, as
// building each customer's Ledger does.
func BenchmarkActivity_Validate(b *testing.B) {
	cfg, acts, _ := benchShop(10_000)
	b.ReportAllocs()
	for b.Loop() {
		for _, a := range acts {
			if err := a.Validate(cfg.Currency); err != nil {
				b.Fatal(err)
			}
		}
	}
}
