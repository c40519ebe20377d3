package vip_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
		whole, parts := memstore.New(), memstore.New()
		ew, err := vip.NewEngine(whole, l, &vip.EngineOptions{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		ep, err := vip.NewEngine(parts, l, &vip.EngineOptions{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
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
