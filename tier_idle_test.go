package vip_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip"
)

// TestLedger_Evaluate_IdleOrders: where an interval must be stepped through, the
// evaluation passes over the orders at whose instants nothing can happen, and steps at
// an order that moves the demotion date so that a warning is due at once.
//
// The brief's ladder without grace and without proximity rules, warnings 60 and 30
// days before a demotion. Orders (all at 10:00): 1,500 on 2025-01-10 and 600 on
// 2025-02-01 (2,100: Silver from 2025-02-01), 50 on each of 2025-04-01, 05-01 and 06-01,
// and 1,500 on 2025-12-20.
//
// From 2025-03-01 to 2025-12-15: the first order leaves the window on 2026-01-10 and
// leaves 750 (600 and the three 50s), below Silver's 2,000, so the demotion is due then;
// warnings 60 days before (2025-11-11) and 30 days before (2025-12-11), each with the
// 750 that will still count and the 1,250 missing. The 50s change neither: 2,250 is far
// from Gold's 5,000 and the first warning is months after them. They are passed over.
//
// From there to 2026-01-05: the order of 1,500 on 2025-12-20 keeps Silver past
// 2026-01-10 (2,250 without the first order), until the 600 leaves on 2026-02-01 (1,650
// left): a demotion 43 days after the order (12 days to 2026-01-01, 31 more), whose
// 60-day warning is due at the order's instant; the 30-day warning follows on
// 2026-01-02. Value 1,650, gap 350.
func TestLedger_Evaluate_IdleOrders(t *testing.T) {
	l := briefLadder(t)
	l.GraceMonths, l.Near.Rules = 0, nil
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)}, Orders: []vip.Order{
		order("o1", "c1", utc(2025, 1, 10, 10), "1500"),
		order("o2", "c1", utc(2025, 2, 1, 10), "600"),
		order("s1", "c1", utc(2025, 4, 1, 10), "50"),
		order("s2", "c1", utc(2025, 5, 1, 10), "50"),
		order("s3", "c1", utc(2025, 6, 1, 10), "50"),
		order("o3", "c1", utc(2025, 12, 20, 10), "1500"),
	}}
	g, st := ledgerAt(t, &l, a, utc(2025, 3, 1, 0))
	if st.Tier != "Silver" {
		t.Fatalf("on 2025-03-01: tier %q, want Silver", st.Tier)
	}
	warning := func(at, deadline time.Time, days int, value, gap string) vip.Event {
		return vip.Event{Kind: vip.EventDemotionWarning, Ladder: "vip", CustomerID: "c1", At: at, From: "Silver", To: "Silver",
			Measure: vip.MeasureNetSpend, Value: dec(t, value), Gap: dec(t, gap), Deadline: deadline, DaysLeft: days, Reason: "warning"}
	}
	for _, c := range []struct {
		name string
		now  time.Time
		want []vip.Event
		idle int // order instants passed over
	}{
		{"50s passed over", utc(2025, 12, 15, 0), []vip.Event{
			warning(utc(2025, 11, 11, 10), utc(2026, 1, 10, 10), 60, "750", "1250"),
			warning(utc(2025, 12, 11, 10), utc(2026, 1, 10, 10), 30, "750", "1250"),
		}, 3},
		{"warning at the order", utc(2026, 1, 5, 0), []vip.Event{
			warning(utc(2025, 12, 20, 10), utc(2026, 2, 1, 10), 43, "1650", "350"),
			warning(utc(2026, 1, 2, 10), utc(2026, 2, 1, 10), 30, "1650", "350"),
		}, 0},
	} {
		now := c.now
		for name, eval := range map[string]func(vip.Status, time.Time) (vip.Status, []vip.Event, error){
			"Evaluate": g.Evaluate, "EvaluateSteps": g.EvaluateSteps} {
			got, evs, err := eval(st, now)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.name, name, err)
			}
			if diff := cmp.Diff(c.want, evs, cmpOpts); diff != "" {
				t.Errorf("%s: %s: events (-want +got):\n%s", c.name, name, diff)
			}
			if got.Tier != "Silver" {
				t.Errorf("%s: %s: tier %q, want Silver", c.name, name, got.Tier)
			}
		}
		skip, all, idle, ok := g.StepCounts(st, now)
		if !ok {
			t.Fatalf("%s: the interval is not stepped through", c.name)
		}
		if idle != c.idle || skip > all-idle {
			t.Errorf("%s: %d order instants passed over (%d steps, %d without the skip); want %d", c.name, idle, skip, all, c.idle)
		}
		st, _, _ = g.Evaluate(st, now)
	}
}
