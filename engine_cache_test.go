package vip_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
)

// TestEngine_Ingest_SharedEngine: four goroutines ingest through one Engine (one
// cache) into the same five customers at once, every batch sent twice. Customer k
// gets 20 orders of 100*(k+1), all in the year before the clock, so its spend is
// 2,000*(k+1): Silver, Silver, Gold, Gold, Platinum. Each order is stored once and
// each status is the tier those sums give.
func TestEngine_Ingest_SharedEngine(t *testing.T) {
	e, _, s := newEngine(t, day(2025, 6, 1))
	const writers, perWriter, customers = 4, 25, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perWriter {
				i := w*perWriter + k
				c := i % customers
				o := engOrder(fmt.Sprintf("w%d-o%d", w, k), fmt.Sprint("c", c), day(2025, 1, 1).Add(time.Duration(i)*time.Hour), fmt.Sprint(100*(c+1)))
				for range 2 {
					if _, err := e.Ingest(t.Context(), vip.Batch{Orders: []vip.Order{o}}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := []string{"Silver", "Silver", "Gold", "Gold", "Platinum"}
	var got []string
	for c := range customers {
		id := fmt.Sprint("c", c)
		snaps, err := s.Load(t.Context(), "vip", []string{id})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(snaps[0].Activity.Orders); n != writers*perWriter/customers {
			t.Errorf("customer %s: %d orders stored, want %d", id, n, writers*perWriter/customers)
		}
		got = append(got, snaps[0].Status.Tier)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tiers of c0-c4 (-want +got):\n%s", diff)
	}
}

// TestEngine_Ingest_BatchedAsSingles: a batch of several customers' orders stores
// what ingesting each customer's part of it alone stores (the Engine reuses one Ledger
// from customer to customer within a batch): the same statuses and, customer by
// customer, the same events. Random ladders and histories, late orders included.
func TestEngine_Ingest_BatchedAsSingles(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		l := genLadder(t)
		if rapid.Bool().Draw(t, "rich") {
			l = genRichLadder(t)
		}
		if err := l.Validate(); err != nil {
			t.Skipf("ladder: %v", err)
		}
		var now time.Time
		clock := func() time.Time { return now }
		ew, whole := memEngine(t, l, &vip.EngineOptions{Clock: clock})
		ep, parts := memEngine(t, l, &vip.EngineOptions{Clock: clock})
		customers := rapid.IntRange(2, 8).Draw(t, "customers")
		now = propBase
		n := 0
		for step := range rapid.IntRange(1, 12).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(1, 24*90).Draw(t, fmt.Sprint("hours", step))) * time.Hour)
			var b vip.Batch
			byCustomer := map[string][]vip.Order{}
			for range rapid.IntRange(1, 12).Draw(t, fmt.Sprint("orders", step)) {
				c := fmt.Sprint("c", rapid.IntRange(0, customers-1).Draw(t, "customer"))
				back := time.Duration(rapid.IntRange(0, 24*40).Draw(t, "late")) * time.Hour
				o := order(fmt.Sprint("o", n), c, now.Add(-back), fmt.Sprint(rapid.Int64Range(1, 6000).Draw(t, "amount")))
				n++
				b.Orders = append(b.Orders, o)
				byCustomer[c] = append(byCustomer[c], o)
			}
			if _, err := ew.Ingest(ctx, b); err != nil {
				t.Fatalf("step %d: Ingest(whole batch) = %v", step, err)
			}
			for c, os := range byCustomer {
				if _, err := ep.Ingest(ctx, vip.Batch{Orders: os}); err != nil {
					t.Fatalf("step %d: Ingest(customer %s's part) = %v", step, c, err)
				}
			}
		}
		ids, err := whole.Customers(ctx, vip.Shard{}, "", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		sw, err := whole.Load(ctx, l.Name, ids)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := parts.Load(ctx, l.Name, ids)
		if err != nil {
			t.Fatal(err)
		}
		eventsOf := func(s vip.Store, id string) []vip.Event {
			recs, err := s.History(ctx, l.Name, id)
			if err != nil {
				t.Fatal(err)
			}
			var evs []vip.Event
			for _, r := range recs {
				evs = append(evs, r.Event)
			}
			return evs
		}
		for i, id := range ids {
			if !sw[i].Status.Equal(sp[i].Status) {
				t.Fatalf("customer %s: whole batches stored\n%+v\nparts\n%+v", id, sw[i].Status, sp[i].Status)
			}
			if diff := cmp.Diff(eventsOf(parts, id), eventsOf(whole, id), cmp.Comparer(func(x, y vip.Event) bool { return x.Equal(y) })); diff != "" {
				t.Fatalf("customer %s: events (-parts +whole):\n%s", id, diff)
			}
		}
	})
}

// TestEngine_Ingest_CacheSameAsLoad: an Engine that serves customers from its cache
// (and so validates only what a batch adds to them) accepts and rejects exactly the
// batches, with the same errors, and stores exactly what an Engine without a cache
// (which loads and validates every customer's whole activity) stores, and never
// retries, its cache being its own store's state. Random batches
// of new, re-sent and conflicting orders, orders in another currency, refunds within
// and beyond their order (and of unknown orders), and customer records; orders placed
// in another zone or between microseconds (the Engine evaluates and caches them
// normalised, the store normalises what it stores).
func TestEngine_Ingest_CacheSameAsLoad(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		l := genLadder(t)
		if err := l.Validate(); err != nil {
			t.Skipf("ladder: %v", err)
		}
		var now time.Time
		clock := func() time.Time { return now }
		ec, cached := memEngine(t, l, &vip.EngineOptions{Clock: clock})
		el, loaded := memEngine(t, l, &vip.EngineOptions{Clock: clock, CacheCustomers: -1})
		customers := rapid.IntRange(1, 4).Draw(t, "customers")
		now = propBase
		var sent []vip.Order
		n := 0
		for step := range rapid.IntRange(1, 15).Draw(t, "steps") {
			now = now.Add(time.Duration(rapid.IntRange(1, 24*60).Draw(t, fmt.Sprint("hours", step))) * time.Hour)
			var b vip.Batch
			for range rapid.IntRange(1, 5).Draw(t, fmt.Sprint("items", step)) {
				c := fmt.Sprint("c", rapid.IntRange(0, customers-1).Draw(t, "customer"))
				switch k := rapid.IntRange(0, 9).Draw(t, "kind"); {
				case k <= 4 || len(sent) == 0: // a new order, now and then in another currency
					o := order(fmt.Sprint("o", n), c, now.Add(-time.Duration(rapid.IntRange(0, 24*30).Draw(t, "late"))*time.Hour),
						fmt.Sprint(rapid.Int64Range(1, 3000).Draw(t, "amount")))
					n++
					if rapid.IntRange(0, 9).Draw(t, "eur") == 0 {
						o.Currency = "EUR"
					}
					if rapid.Bool().Draw(t, "unnormalised") { // another zone, below a microsecond: the Engine normalises it
						o.PlacedAt = o.PlacedAt.In(time.FixedZone("X", 3600)).Add(time.Duration(rapid.IntRange(1, 999).Draw(t, "ns")))
					}
					b.Orders = append(b.Orders, o)
				case k == 5: // a re-sent order
					b.Orders = append(b.Orders, rapid.SampledFrom(sent).Draw(t, "resent"))
				case k == 6: // an order ID again with other content
					o := rapid.SampledFrom(sent).Draw(t, "conflict")
					o.Lines = append([]vip.Line(nil), o.Lines...)
					o.Lines[0].Quantity++
					b.Orders = append(b.Orders, o)
				case k <= 8: // a refund, within its order or beyond it, or of an unknown order
					o := rapid.SampledFrom(append(sent, b.Orders...)).Draw(t, "refunded")
					r := vip.Refund{ID: fmt.Sprint("r", n), OrderID: o.ID, CustomerID: o.CustomerID, At: now, Currency: o.Currency,
						Amount: o.Paid().Mul(decimal.NewFromFloat(rapid.Float64Range(0.1, 1.5).Draw(t, "share"))).Round(2)}
					n++
					if rapid.IntRange(0, 9).Draw(t, "unknown") == 0 {
						r.OrderID = "nowhere"
					}
					b.Refunds = append(b.Refunds, r)
				default: // a customer record
					b.Customers = append(b.Customers, vip.Customer{ID: c, JoinedAt: propBase.AddDate(0, 0, -rapid.IntRange(0, 400).Draw(t, "joined"))})
				}
			}
			rc, errC := ec.Ingest(ctx, b)
			_, errL := el.Ingest(ctx, b)
			if (errC == nil) != (errL == nil) || errC != nil && errC.Error() != errL.Error() {
				t.Fatalf("step %d: Ingest = %v with the cache, %v without", step, errC, errL)
			}
			// No other writer: every cached entry is current, so no commit is stale.
			if errC == nil && rc.Retries != 0 {
				t.Fatalf("step %d: Ingest with the cache retried %d times, want 0 (a cached entry was not current)", step, rc.Retries)
			}
			if errC == nil {
				for _, o := range b.Orders {
					if !slices.ContainsFunc(sent, func(x vip.Order) bool { return x.ID == o.ID }) {
						sent = append(sent, o)
					}
				}
			}
			sameStores(t, fmt.Sprintf("step %d", step), l.Name, cached, loaded)
		}
	})
}

// memEngine returns an Engine for l with opts on a new memory store, and the store.
func memEngine(t *rapid.T, l vip.Ladder, opts *vip.EngineOptions) (*vip.Engine, vip.Store) {
	s := memstore.New()
	e, err := vip.NewEngine(s, l, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, s
}
