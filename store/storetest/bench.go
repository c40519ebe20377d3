package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// BenchOrders returns n orders over customers customers, IDs prefixed with prefix, one
// line each, placed in the year before [BenchNow], in time order. The same arguments
// give the same orders.
func BenchOrders(prefix string, n, customers int) []vip.Order {
	r := rand.New(rand.NewPCG(uint64(n), uint64(customers)))
	out := make([]vip.Order, n)
	start := BenchNow.AddDate(-1, 0, 0)
	step := BenchNow.Sub(start) / time.Duration(n+1)
	for i := range out {
		cents := 2000 + r.Int64N(40000)
		out[i] = vip.Order{ID: fmt.Sprintf("%s-o%d", prefix, i), CustomerID: fmt.Sprintf("%s-c%d", prefix, r.IntN(customers)),
			PlacedAt: start.Add(time.Duration(i+1) * step), Currency: "USD",
			Lines: []vip.Line{{SKU: fmt.Sprint("sku-", r.IntN(500)), Category: "c", Quantity: 1,
				ListPrice: decimal.New(cents, -2), PaidPrice: decimal.New(cents, -2), UnitCost: decimal.New(cents/2, -2)}}}
	}
	return out
}

// BenchNow is the instant of the benchmarks' ingest.
var BenchNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchIngest measures [vip.Engine.Ingest] of n orders over customers customers in
// batches of batch into s, fresh IDs in every iteration, and reports orders/s. The
// Engine's clock reads a minute after each batch's last order, as if orders arrived
// as they were placed.
func BenchIngest(b *testing.B, s vip.Store, n, customers, batch int) {
	ctx := context.Background()
	var now time.Time
	e, err := vip.NewEngine(s, Ladder(), &vip.EngineOptions{Clock: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		orders := BenchOrders(fmt.Sprint("i", i), n, customers)
		i++
		for k := 0; k < len(orders); k += batch {
			part := orders[k:min(k+batch, len(orders))]
			now = part[len(part)-1].PlacedAt.Add(time.Minute)
			if _, err := e.Ingest(ctx, vip.Batch{Orders: part}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchPlainInsert measures insert, a plain batched INSERT of the same rows into the
// same database, as BenchIngest's baseline.
func BenchPlainInsert(b *testing.B, n, customers, batch int, insert func(ctx context.Context, orders []vip.Order) error) {
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		orders := BenchOrders(fmt.Sprint("p", i), n, customers)
		i++
		for k := 0; k < len(orders); k += batch {
			if err := insert(ctx, orders[k:min(k+batch, len(orders))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "orders/s")
}

// Populate ingests the synthetic shop of customers customers (internal/synth, seed 1,
// its default two years) into s through an Engine at the shop's end, one batch per 500
// customers, and returns that instant.
func Populate(tb testing.TB, s vip.Store, customers int) time.Time {
	tb.Helper()
	cfg := synth.DefaultConfig()
	cfg.Customers = customers
	cfg.MaxLines = 2
	e, err := vip.NewEngine(s, Ladder(), &vip.EngineOptions{Clock: func() time.Time { return cfg.End }})
	if err != nil {
		tb.Fatal(err)
	}
	var b vip.Batch
	n := 0
	flush := func() {
		if _, err := e.Ingest(context.Background(), b); err != nil {
			tb.Fatal(err)
		}
		b, n = vip.Batch{}, 0
	}
	synth.Each(cfg, func(c vip.Customer, orders []vip.Order, refunds []vip.Refund) bool {
		b.Customers = append(b.Customers, c)
		b.Orders = append(b.Orders, orders...)
		b.Refunds = append(b.Refunds, refunds...)
		if n++; n == 500 {
			flush()
		}
		return true
	})
	if n > 0 {
		flush()
	}
	return cfg.End
}

// BenchReview measures a review of the customers of s, a day later in each iteration,
// and reports customers/s: the shop's customers reviewed per second, whether the review
// looks at every one (full, [vip.EngineOptions.FullReview]) or only at those due; and
// due/op, the customers it looked at.
func BenchReview(b *testing.B, s vip.Store, from time.Time, customers int, full bool) {
	e, err := vip.NewEngine(s, Ladder(), &vip.EngineOptions{FullReview: full})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	at := from
	looked := 0
	for b.Loop() {
		at = at.AddDate(0, 0, 1)
		res, err := e.ReviewAt(context.Background(), vip.Shard{}, at)
		if err != nil {
			b.Fatal(err)
		}
		if res.Customers > customers || (full && res.Customers != customers) {
			b.Fatalf("review looked at %d customers of %d (full %v)", res.Customers, customers, full)
		}
		looked += res.Customers
	}
	b.ReportMetric(float64(customers*b.N)/b.Elapsed().Seconds(), "customers/s")
	b.ReportMetric(float64(looked)/float64(b.N), "due/op")
}

// BenchSQLSum measures sum, a bare SQL aggregate computing each customer's net spend in
// the 12 months before at, as BenchReview's baseline.
func BenchSQLSum(b *testing.B, from time.Time, customers int, sum func(ctx context.Context, since, at time.Time) (int, error)) {
	b.ReportAllocs()
	at := from
	for b.Loop() {
		at = at.AddDate(0, 0, 1)
		if _, err := sum(context.Background(), at.AddDate(-1, 0, 0), at); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(customers*b.N)/b.Elapsed().Seconds(), "customers/s")
}
