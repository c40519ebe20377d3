package report_test

import (
	"io"
	"testing"

	"github.com/vipkit/vip/report"
)

// BenchmarkBuild builds the report of the synthetic shop (seed 1, 2024-2025, the brief's
// ladder, twelve monthly reviews).
func BenchmarkBuild(b *testing.B) {
	for _, n := range []struct {
		name string
		n    int
	}{{"customers=5e3", 5000}} {
		b.Run(n.name, func(b *testing.B) {
			shop := synthShop(b, n.n)
			l := briefLadder(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := report.Build(shop, report.Options{Ladder: l}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteHTML writes the synthetic shop's report.
func BenchmarkWriteHTML(b *testing.B) {
	r, err := report.Build(synthShop(b, 5000), report.Options{Ladder: briefLadder(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild_OnlineRetail builds the report of the 4,338 UCI Online Retail
// customers (needs VIP_DATA).
func BenchmarkBuild_OnlineRetail(b *testing.B) {
	shop := uciShop(b)
	l := gbpLadder(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.Build(shop, report.Options{Ladder: l}); err != nil {
			b.Fatal(err)
		}
	}
}
