package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vipkit/vip"
)

// testEnginesInterleaved: two Engines on one ladder and a third on another ladder
// take turns ingesting for the same customer, then ingest concurrently for the same
// few customers. Each Engine keeps what it committed last (its cache); whatever the
// others stored in between must count. After every step each status equals a fresh
// evaluation of the stored activity, and the tiers are the ones worked out by hand
// from the sums (Silver 2000, Gold 5000, Platinum 10000 over 12 months). Statuses on
// the ladder of the Engine that ran last are checked; the other ladder's lag behind
// until its Engine runs (see the review schedule of vip.Store).
func testEnginesInterleaved(t *testing.T, s vip.Store) {
	l := Ladder()
	other := Ladder()
	other.Name = "vip2"
	var mu sync.Mutex
	clock := t0
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	eng := func(l vip.Ladder) *vip.Engine {
		e, err := vip.NewEngine(s, l, &vip.EngineOptions{Clock: now, MaxRetries: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b, c := eng(l), eng(l), eng(other)
	names := map[*vip.Engine]string{a: "A", b: "B", c: "C (ladder vip2)"}
	// check compares the statuses on the ladder of the Engine that ran last with a
	// fresh evaluation; the other ladder's statuses may lag behind (until their
	// Engine next ingests or reviews), as the review schedule says.
	check := func(step string, e *vip.Engine, ids ...string) {
		t.Helper()
		for _, ld := range []vip.Ladder{e.Ladder()} {
			snaps, err := s.Load(t.Context(), ld.Name, ids)
			if err != nil {
				t.Fatalf("%s: Load = %v", step, err)
			}
			for i, snap := range snaps {
				st := snap.Status
				if st.Version == 0 {
					continue
				}
				fresh, err := ld.TierAt(&snap.Activity, st.Checked)
				if err != nil {
					t.Fatalf("%s: customer %s on %s: fresh evaluation = %v", step, ids[i], ld.Name, err)
				}
				fresh.Version = st.Version
				if !fresh.Equal(st) {
					t.Errorf("%s: customer %s on %s: stored status differs from a fresh evaluation of its %d orders:\nstored %+v\nfresh  %+v",
						step, ids[i], ld.Name, len(snap.Activity.Orders), st, fresh)
				}
			}
		}
	}
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	steps := []struct {
		e      *vip.Engine
		hour   int
		b      vip.Batch
		ladder string
		want   string // the tier on ladder after the step
	}{
		{a, 1, vip.Batch{Orders: []vip.Order{order("i1", "k1", h(1), "1500")}}, "vip", ""},                                                             // 1500
		{b, 2, vip.Batch{Orders: []vip.Order{order("i2", "k1", h(2), "1000")}}, "vip", "Silver"},                                                       // 2500
		{a, 3, vip.Batch{Orders: []vip.Order{order("i3", "k1", h(3), "3000")}}, "vip", "Gold"},                                                         // 5500, not A's 4500
		{c, 4, vip.Batch{Orders: []vip.Order{order("i4", "k1", h(4), "5000")}}, "vip2", "Platinum"},                                                    // 10500
		{a, 5, vip.Batch{Orders: []vip.Order{order("i5", "k1", h(5), "100")}}, "vip", "Platinum"},                                                      // 10600, not A's 5600
		{b, 6, vip.Batch{Orders: []vip.Order{order("i6", "k1", h(0), "200")}}, "vip", "Platinum"},                                                      // late: 10800
		{c, 7, vip.Batch{Orders: []vip.Order{order("i7", "k2", h(7), "2500")}}, "vip2", "Silver"},                                                      // k2: 2500
		{a, 8, vip.Batch{Customers: []vip.Customer{{ID: "k2", JoinedAt: h(-1)}}, Orders: []vip.Order{order("i8", "k2", h(8), "2600")}}, "vip", "Gold"}, // k2: 5100
		{b, 9, vip.Batch{Orders: []vip.Order{order("i9", "k2", h(9), "10")}}, "vip", "Gold"},                                                           // k2: 5110
	}
	for i, st := range steps {
		mu.Lock()
		clock = h(st.hour)
		mu.Unlock()
		name := fmt.Sprintf("step %d (%s)", i+1, names[st.e])
		if _, err := st.e.Ingest(t.Context(), st.b); err != nil {
			t.Fatalf("%s: Ingest = %v", name, err)
		}
		id := st.b.Orders[0].CustomerID
		if got := load1(t, s, st.ladder, id).Status.Tier; got != st.want {
			t.Errorf("%s: customer %s on %s: tier %q, want %q", name, id, st.ladder, got, st.want)
		}
		check(name, st.e, id)
	}

	// Concurrently: A and B ingest rounds of orders for the same customers, C for
	// some of them now and then.
	ids := []string{"k1", "k2", "k3", "k4"}
	mu.Lock()
	clock = h(100)
	mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for w, e := range []*vip.Engine{a, b, c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 30 {
				if w == 2 && r%3 != 0 {
					continue
				}
				var bt vip.Batch
				for j, id := range ids {
					if (r+j+w)%2 == 0 {
						bt.Orders = append(bt.Orders, order(fmt.Sprintf("x%d-%d-%d", w, r, j), id, h(10+r), fmt.Sprint(10+r+j)))
					}
				}
				if _, err := e.Ingest(t.Context(), bt); err != nil {
					errs <- fmt.Errorf("engine %s, round %d: %w", names[e], r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Then each Engine once more, one after the other: each must see what the others
	// stored, its cache notwithstanding.
	for _, e := range []*vip.Engine{a, b, c, a} {
		var bt vip.Batch
		for _, id := range ids {
			bt.Orders = append(bt.Orders, order(fmt.Sprintf("y-%s-%s", strings.Fields(names[e])[0], id)+fmt.Sprint(len(bt.Orders)), id, h(99), "1"))
		}
		if _, err := e.Ingest(t.Context(), bt); err != nil {
			t.Fatalf("engine %s: Ingest = %v", names[e], err)
		}
		check("after the concurrent rounds, engine "+names[e], e, ids...)
	}
}
