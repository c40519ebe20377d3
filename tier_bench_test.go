package vip_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// benchActivity returns a customer with n orders spread over the 12 months before now,
// with cent amounts, and a status evaluated a day before now.
func benchActivity(b *testing.B, l *vip.Ladder, n int, now time.Time) (*vip.Activity, vip.Status) {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	a := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: now.AddDate(-2, 0, 0)}}
	start := now.AddDate(-1, 0, 0)
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(r.Int64N(int64(now.Sub(start)))))
		amt := decimal.New(r.Int64N(200000)+100, -2)
		a.Orders = append(a.Orders, vip.Order{ID: fmt.Sprint(i), CustomerID: "c", PlacedAt: at, Currency: "USD",
			Lines: []vip.Line{{SKU: "s", Quantity: 1, ListPrice: amt, PaidPrice: amt, UnitCost: amt}}})
	}
	// A store hands orders over in time order.
	slices.SortFunc(a.Orders, func(x, y vip.Order) int { return x.PlacedAt.Compare(y.PlacedAt) })
	st, _, err := l.Evaluate(vip.Status{}, a, now.AddDate(0, 0, -1))
	if err != nil {
		b.Fatal(err)
	}
	return a, st
}

// BenchmarkLadder_Evaluate measures one evaluation of a customer already evaluated a
// day earlier (the nightly review), by orders in the window.
func BenchmarkLadder_Evaluate(b *testing.B) {
	l := briefLadder(b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			a, st := benchActivity(b, &l, n, now)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := l.Evaluate(st, a, now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/order")
		})
	}
}

// BenchmarkLedger_Evaluate is BenchmarkLadder_Evaluate on activity prepared once: the
// cost of the state machine alone.
func BenchmarkLedger_Evaluate(b *testing.B) {
	l := briefLadder(b)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			a, st := benchActivity(b, &l, n, now)
			g, err := l.Ledger(a)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := g.Evaluate(st, now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/order")
		})
	}
}

// BenchmarkLadder_Review measures a review of a whole synthetic shop held in memory:
// every customer's status evaluated at the end of the window from its status a month
// earlier ("-nightly": a day earlier, as a nightly review finds them). "prepared" keeps
// each customer's activity as a Ledger (validated and prepared once, with
// Ladder.Ledgers, as a long-running review service would); "raw" validates and prepares
// on every call. customers=1000000 holds about 20,000,000 orders: run it
// with -benchtime=1x.
func BenchmarkLadder_Review(b *testing.B) {
	l := briefLadder(b)
	for _, tc := range []struct {
		n                        int
		prepared, nightly, batch bool
	}{{10_000, false, false, false}, {10_000, true, false, false}, {1_000_000, true, false, false}, {10_000, true, true, false}, {1_000_000, true, true, false},
		{10_000, true, false, true}, {1_000_000, true, false, true}} {
		mode := "raw"
		if tc.prepared {
			mode = "prepared"
		}
		if tc.nightly {
			mode += "-nightly"
		}
		if tc.batch {
			mode += "-batch"
		}
		b.Run(fmt.Sprintf("customers=%d/%s", tc.n, mode), func(b *testing.B) {
			if tc.n > 10_000 && testing.Short() {
				b.Skip("large review skipped in -short mode")
			}
			cfg := synth.DefaultConfig()
			cfg.Customers, cfg.MaxLines, cfg.RateScale = tc.n, 1, synth.RateScaleFor20
			var acts []*vip.Activity
			var sts []vip.Status
			orders := 0
			prev := cfg.End.AddDate(0, -1, 0)
			if tc.nightly {
				prev = cfg.End.AddDate(0, 0, -1)
			}
			synth.Each(cfg, func(c vip.Customer, os []vip.Order, rs []vip.Refund) bool {
				acts = append(acts, &vip.Activity{Customer: c, Orders: os, Refunds: rs})
				orders += len(os)
				return true
			})
			// The ledgers of a review service, made at once (sharing the ladder's rules).
			ledgers, err := l.Ledgers(acts)
			if err != nil {
				b.Fatal(err)
			}
			for _, g := range ledgers {
				st, _, err := g.Evaluate(vip.Status{}, prev)
				if err != nil {
					b.Fatal(err)
				}
				sts = append(sts, st)
			}
			if !tc.prepared {
				ledgers = nil
			}
			var work []vip.Status
			var evs []vip.Event
			if tc.batch {
				// A review service keeps its slice of events from one review to the
				// next: size it with one review before the clock starts, so that the
				// timed review does not grow it (at 1,000,000 customers, doubling it
				// from nothing allocates 0.7 GB and costs as much as the review). Not
				// through reviewBatch, which callgrind counts.
				work = append(work[:0], sts...)
				if evs, err = vip.ReviewLedgers(ledgers, work, cfg.End, nil); err != nil {
					b.Fatal(err)
				}
			}
			// Collect the generator's garbage before the clock starts: at 1,000,000
			// customers its collection would otherwise run through the first reviews
			// (with write barriers on), as it would not in a service that has held its
			// ledgers for a while.
			runtime.GC()
			// Grow the goroutine's stack now: the copy a first deep call would cost
			// belongs to no review, and it confuses callgrind's toggle on reviewAll
			// (bench/callgrind-review.sh), which then counts almost nothing.
			growStack(64)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if tc.batch {
					b.StopTimer()
					work = append(work[:0], sts...)
					b.StartTimer()
					var err error
					if evs, err = reviewBatch(ledgers, work, cfg.End, evs[:0]); err != nil {
						b.Fatal(err)
					}
					continue
				}
				if err := reviewAll(&l, acts, ledgers, sts, cfg.End); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(orders), "ns/order")
			b.ReportMetric(float64(orders), "orders")
		})
	}
}

// reviewBatch is vip.ReviewLedgers, kept out of line for valgrind to toggle on.
//
//go:noinline
func reviewBatch(gs []*vip.Ledger, sts []vip.Status, end time.Time, evs []vip.Event) ([]vip.Event, error) {
	return vip.ReviewLedgers(gs, sts, end, evs)
}

// growStack uses about n KiB of stack.
//
//go:noinline
func growStack(n int) byte {
	var buf [1024]byte
	buf[n%len(buf)] = byte(n)
	if n <= 1 {
		return buf[0]
	}
	return growStack(n-1) + buf[n%len(buf)]
}

// reviewAll evaluates every customer at end, from its Ledger when ledgers is not nil.
// It is the unit bench/callgrind-review.sh counts the instructions of, kept out of line
// for valgrind to toggle on.
//
//go:noinline
func reviewAll(l *vip.Ladder, acts []*vip.Activity, ledgers []*vip.Ledger, sts []vip.Status, end time.Time) error {
	for i, a := range acts {
		var err error
		if ledgers != nil {
			_, _, err = ledgers[i].Evaluate(sts[i], end)
		} else {
			_, _, err = l.Evaluate(sts[i], a, end)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
