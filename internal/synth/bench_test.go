package synth_test

import (
	"testing"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []struct {
		name      string
		customers int
	}{{"customers=1e3", 1000}, {"customers=1e4", 10000}, {"customers=1e5", 100000}} {
		b.Run(n.name, func(b *testing.B) {
			cfg := synth.DefaultConfig()
			cfg.Customers = n.customers
			b.ReportAllocs()
			orders := 0
			for b.Loop() {
				orders = len(synth.Generate(cfg).Orders)
			}
			b.ReportMetric(float64(orders), "orders/op")
		})
	}
}

// BenchmarkEach is the benchmark-scale path: 1,000,000 customers placing about
// 20,000,000 orders of one line each, streamed one customer at a time.
func BenchmarkEach(b *testing.B) {
	for _, n := range []struct {
		name      string
		customers int
	}{{"customers=1e5", 100000}, {"customers=1e6", 1000000}} {
		b.Run(n.name, func(b *testing.B) {
			cfg := synth.DefaultConfig()
			cfg.Customers = n.customers
			cfg.RateScale = synth.RateScaleFor20
			cfg.MaxLines = 1
			b.ReportAllocs()
			orders := 0
			for b.Loop() {
				orders = 0
				synth.Each(cfg, func(_ vip.Customer, os []vip.Order, _ []vip.Refund) bool {
					orders += len(os)
					return true
				})
			}
			b.ReportMetric(float64(orders), "orders/op")
		})
	}
}
