package vip_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
)

// An Engine on a store: ingest orders as they come, review every night, hand the
// events to a mailer exactly once.
func ExampleEngine() {
	ctx := context.Background()
	ladder, err := vip.ParseLadder([]byte(`{"name": "vip", "currency": "USD",
	  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}],
	  "grace_months": 3, "warnings": {"days": []}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	e, err := vip.NewEngine(memstore.New(), ladder, &vip.EngineOptions{Clock: func() time.Time { return now }})
	if err != nil {
		fmt.Println(err)
		return
	}
	order := func(id string, at time.Time, paid string) vip.Order {
		p := decimal.RequireFromString(paid)
		return vip.Order{ID: id, CustomerID: "ann", PlacedAt: at, Currency: "USD",
			Lines: []vip.Line{{SKU: "coat", Quantity: 1, ListPrice: p, PaidPrice: p}}}
	}
	res, err := e.Ingest(ctx, vip.Batch{Orders: []vip.Order{
		order("o1", time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC), "1500.00"),
		order("o2", time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC), "600.00"),
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("ingested %d orders, %d event(s)\n", res.Orders, len(res.Events))

	// Sending the same batch again is harmless.
	res, _ = e.Ingest(ctx, vip.Batch{Orders: []vip.Order{order("o1", time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC), "1500.00")}})
	fmt.Printf("re-sent: %d new, %d duplicate\n", res.Orders, res.Duplicates)

	// A review a year on: the January order has left the rolling window.
	now = time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	rr, _ := e.Review(ctx, vip.Shard{})
	fmt.Printf("review: %d customer(s), %d changed, %d event(s)\n", rr.Customers, rr.Changed, rr.Events)

	mail := func(_ context.Context, recs []vip.Record) error {
		for _, r := range recs {
			ev := r.Event
			fmt.Printf("mail %d: %s %s %q -> %q (%s)\n", r.Seq, ev.At.Format(time.DateOnly), ev.Kind, ev.From, ev.To, ev.Reason)
		}
		return nil
	}
	for {
		n, err := e.Deliver(ctx, "mailer", 100, mail)
		if err != nil || n == 0 {
			break
		}
	}
	changes, _ := e.TierChanges(ctx, "ann")
	for _, c := range changes {
		fmt.Printf("audit: %s %q -> %q by %s\n", c.At.Format(time.DateOnly), c.From, c.To, c.Cause)
	}
	// Output:
	// ingested 2 orders, 1 event(s)
	// re-sent: 0 new, 1 duplicate
	// review: 1 customer(s), 1 changed, 2 event(s)
	// mail 1: 2025-02-01 enrolled "" -> "Silver" (activity)
	// mail 2: 2026-01-10 grace_started "Silver" -> "Silver" (grace)
	// mail 3: 2026-04-10 downgraded "Silver" -> "" (landing)
	// audit: 2025-02-01 "" -> "Silver" by rule
	// audit: 2026-04-10 "Silver" -> "" by review
}
