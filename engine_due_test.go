package vip_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
)

// TestEngine_Review_DueOnly: a review that looks only at the customers due ([Store.Due])
// stores exactly what a review of every customer stores. Two stores get the same random
// histories on a random ladder (every period kind, term, landing and warning setting),
// ingested in batches as time passes, with manual placements mixed in; one is reviewed
// in full, the other due-only, at the same random instants. After every step the two
// hold the same statuses (versions and Checked included) and the same event log.
func TestEngine_Review_DueOnly(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		var l vip.Ladder
		if rapid.Bool().Draw(t, "rich") {
			l = genRichLadder(t)
		} else {
			l = genLadder(t)
		}
		if rapid.Bool().Draw(t, "warnings") {
			l.Warnings.Days = []int{rapid.IntRange(20, 90).Draw(t, "warnFar"), rapid.IntRange(1, 19).Draw(t, "warnNear")}
		}
		if err := l.Validate(); err != nil {
			t.Skipf("ladder: %v", err)
		}
		var now time.Time
		clock := func() time.Time { return now }
		full, due := memstore.New(), memstore.New()
		ef, err := vip.NewEngine(full, l, &vip.EngineOptions{Clock: clock, PageSize: 4, FullReview: true})
		if err != nil {
			t.Fatal(err)
		}
		ed, err := vip.NewEngine(due, l, &vip.EngineOptions{Clock: clock, PageSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		customers := rapid.IntRange(1, 8).Draw(t, "customers")
		steps := rapid.IntRange(1, 25).Draw(t, "steps")
		now = propBase
		nOrders := 0
		for step := range steps {
			now = now.Add(time.Duration(rapid.IntRange(1, 24*120).Draw(t, fmt.Sprint("hours", step))) * time.Hour)
			switch rapid.IntRange(0, 3).Draw(t, fmt.Sprint("kind", step)) {
			case 0, 1: // a batch of orders, some of them late
				var b vip.Batch
				for range rapid.IntRange(1, 6).Draw(t, fmt.Sprint("orders", step)) {
					c := rapid.IntRange(0, customers-1).Draw(t, "customer")
					back := time.Duration(rapid.IntRange(0, 24*40).Draw(t, "late")) * time.Hour
					amt := rapid.Int64Range(1, 6000).Draw(t, "amount")
					b.Orders = append(b.Orders, order(fmt.Sprint("o", nOrders), fmt.Sprint("c", c), now.Add(-back), fmt.Sprint(amt)))
					nOrders++
				}
				for _, e := range []*vip.Engine{ef, ed} {
					if _, err := e.Ingest(ctx, b); err != nil {
						t.Fatalf("step %d: Ingest = %v", step, err)
					}
				}
			case 2: // a manual placement
				c := fmt.Sprint("c", rapid.IntRange(0, customers-1).Draw(t, "placed"))
				o := vip.Override{Kind: rapid.SampledFrom([]vip.OverrideKind{vip.OverrideFloor, vip.OverrideLock}).Draw(t, "override"),
					Tier:  l.Tiers[rapid.IntRange(0, len(l.Tiers)-1).Draw(t, "overrideTier")].Name,
					Until: now.AddDate(0, rapid.IntRange(1, 6).Draw(t, "overrideMonths"), 0), Reason: vip.ReasonGift}
				_, errF := ef.Place(ctx, c, o)
				_, errD := ed.Place(ctx, c, o)
				if (errF == nil) != (errD == nil) {
					t.Fatalf("step %d: Place = %v on one store, %v on the other", step, errF, errD)
				}
			default: // a review of both
				rf, err := ef.Review(ctx, vip.Shard{})
				if err != nil {
					t.Fatalf("step %d: full Review = %v", step, err)
				}
				rd, err := ed.Review(ctx, vip.Shard{})
				if err != nil {
					t.Fatalf("step %d: due-only Review = %v", step, err)
				}
				if rf.Changed != rd.Changed || rf.Events != rd.Events || rd.Customers > rf.Customers {
					t.Fatalf("step %d at %s: full review %+v, due-only %+v", step, now, rf, rd)
				}
			}
			sameStores(t, fmt.Sprintf("step %d at %s", step, now), l.Name, full, due)
		}
	})
}

// sameStores fails t unless a and b hold the same statuses and the same event log.
func sameStores(t *rapid.T, at, ladder string, a, b vip.Store) {
	ctx := context.Background()
	ids, err := a.Customers(ctx, vip.Shard{}, "", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := a.Load(ctx, ladder, ids)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Load(ctx, ladder, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sa {
		if !sa[i].Status.Equal(sb[i].Status) {
			t.Fatalf("%s: customer %s: full review stored\n%+v\ndue-only\n%+v", at, ids[i], sa[i].Status, sb[i].Status)
		}
	}
	ea, err := a.Events(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := b.Events(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ea, eb, cmp.Comparer(func(x, y vip.Event) bool { return x.Equal(y) })); diff != "" {
		t.Fatalf("%s: event logs differ (-full +due-only):\n%s", at, diff)
	}
}
