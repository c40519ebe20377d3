package vip_test

import (
	"testing"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
)

// TestEngine_SeveralLadders runs an annual and a lifetime ladder as two Engines on one
// store: each batch is ingested through both, orders are stored once, and each ladder
// keeps its own status, even when the other Engine stored the orders first.
func TestEngine_SeveralLadders(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	annual := simpleLadder(t, nil)
	annual.Name = "annual"
	lifetime := simpleLadder(t, func(l *vip.Ladder) { l.Period.Kind = vip.PeriodLifetime })
	lifetime.Name = "lifetime"
	now := time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ea, err := vip.NewEngine(s, annual, &vip.EngineOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	el, err := vip.NewEngine(s, lifetime, &vip.EngineOptions{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	b1 := vip.Batch{Orders: []vip.Order{order("o1", "c", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "3000")}}
	for _, e := range []*vip.Engine{ea, el} {
		if _, err := e.Ingest(ctx, b1); err != nil {
			t.Fatal(err)
		}
	}
	// A year on, a second order; the annual Engine stores it, the lifetime Engine finds
	// it stored and still evaluates its own ladder.
	now = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	b2 := vip.Batch{Orders: []vip.Order{order("o2", "c", time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC), "2500")}}
	if res, err := ea.Ingest(ctx, b2); err != nil || res.Orders != 1 {
		t.Fatalf("annual ingest: %+v, %v", res, err)
	}
	res, err := el.Ingest(ctx, b2)
	if err != nil || res.Orders != 0 || res.Duplicates != 1 {
		t.Fatalf("lifetime ingest of the stored batch: %+v, %v", res, err)
	}
	// Annual: the March 2024 order left the window on 2025-03-01 (Silver lost, no
	// grace on this ladder), the 2,500 of 2025-03-20 earns Silver again. Lifetime: 5,500
	// in all: Gold.
	for _, tt := range []struct {
		e    *vip.Engine
		want string
	}{{ea, "Silver"}, {el, "Gold"}} {
		st, err := tt.e.Status(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		if st.Tier != tt.want || !st.Checked.Equal(now) {
			t.Errorf("%s: tier %q checked %s, want %q checked %s", tt.e.Ladder().Name, st.Tier, st.Checked, tt.want, now)
		}
	}
}
