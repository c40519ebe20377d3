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
	g, st := idleLedger(t, func(l *vip.Ladder) { l.GraceMonths, l.Near.Rules = 0, nil }, utc(2025, 3, 1, 0),
		order("o1", "c1", utc(2025, 1, 10, 10), "1500"),
		order("o2", "c1", utc(2025, 2, 1, 10), "600"),
		order("s1", "c1", utc(2025, 4, 1, 10), "50"),
		order("s2", "c1", utc(2025, 5, 1, 10), "50"),
		order("s3", "c1", utc(2025, 6, 1, 10), "50"),
		order("o3", "c1", utc(2025, 12, 20, 10), "1500"))
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
		st = checkIdle(t, g, st, c.name, c.now, c.want, c.idle)
		if st.Tier != "Silver" {
			t.Errorf("%s: tier %q, want Silver", c.name, st.Tier)
		}
	}
}

// idleLedger returns the Ledger of customer c1 (joined 2025-01-01) with orders on the
// brief's ladder changed by edit, and the status it gives from nothing at at.
func idleLedger(t *testing.T, edit func(*vip.Ladder), at time.Time, orders ...vip.Order) (*vip.Ledger, vip.Status) {
	t.Helper()
	l := briefLadder(t)
	edit(&l)
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	return ledgerAt(t, &l, &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)}, Orders: orders}, at)
}

// checkIdle evaluates st to now with Evaluate and EvaluateSteps, wants the events want
// and the same status from both, and wants Evaluate to step through the interval with
// idle order instants passed over; it returns the status.
func checkIdle(t *testing.T, g *vip.Ledger, st vip.Status, name string, now time.Time, want []vip.Event, idle int) vip.Status {
	t.Helper()
	got, evs, err := g.Evaluate(st, now)
	if err != nil {
		t.Fatalf("%s: Evaluate: %v", name, err)
	}
	stepped, stepEvs, err := g.EvaluateSteps(st, now)
	if err != nil {
		t.Fatalf("%s: EvaluateSteps: %v", name, err)
	}
	if diff := cmp.Diff(want, evs, cmpOpts); diff != "" {
		t.Errorf("%s: Evaluate: events (-want +got):\n%s", name, diff)
	}
	if diff := cmp.Diff(want, stepEvs, cmpOpts); diff != "" {
		t.Errorf("%s: EvaluateSteps: events (-want +got):\n%s", name, diff)
	}
	if diff := cmp.Diff(stepped, got, cmpOpts); diff != "" {
		t.Errorf("%s: status, EvaluateSteps vs Evaluate (-want +got):\n%s", name, diff)
	}
	skip, all, n, ok := g.StepCounts(st, now)
	if !ok {
		t.Fatalf("%s: the interval is not stepped through", name)
	}
	if n != idle || skip > all-n {
		t.Errorf("%s: %d order instants passed over (%d steps, %d without the skip); want %d", name, n, skip, all, idle)
	}
	return got
}

// TestLedger_Evaluate_IdleOrdersInGrace: in grace, the orders that cannot win the tier
// back are passed over, and the one that does is stepped at. The brief's ladder (three
// months' grace) without proximity rules. 5,000 on 2025-01-10 10:00: Gold. It leaves the
// window on 2026-01-10 10:00: grace to 2026-04-10 10:00. From a status checked on
// 2026-01-15 to 2026-02-15: orders of 100 on 2026-01-20 and 01-25 (200, far from
// Gold's 5,000: passed over) and the 60-day warning on 2026-02-09 10:00 (the 200 will
// still count on 2026-04-10; 4,800 missing). From there to 2026-03-01: 4,800 on
// 2026-02-20 10:00 makes 5,000: Gold is held again, Recovered then.
func TestLedger_Evaluate_IdleOrdersInGrace(t *testing.T) {
	g, st := idleLedger(t, func(l *vip.Ladder) { l.Near.Rules = nil }, utc(2026, 1, 15, 0),
		order("o1", "c1", utc(2025, 1, 10, 10), "5000"),
		order("s1", "c1", utc(2026, 1, 20, 10), "100"),
		order("s2", "c1", utc(2026, 1, 25, 10), "100"),
		order("o2", "c1", utc(2026, 2, 20, 10), "4800"))
	if st.Tier != "Gold" || !st.GraceUntil.Equal(utc(2026, 4, 10, 10)) {
		t.Fatalf("on 2026-01-15: tier %q in grace until %v, want Gold until 2026-04-10 10:00", st.Tier, st.GraceUntil)
	}
	for _, c := range []struct {
		name  string
		now   time.Time
		want  []vip.Event
		grace bool
		idle  int
	}{
		{"100s passed over", utc(2026, 2, 15, 0), []vip.Event{{Kind: vip.EventDemotionWarning, Ladder: "vip", CustomerID: "c1",
			At: utc(2026, 2, 9, 10), From: "Gold", To: "Gold", Measure: vip.MeasureNetSpend, Value: dec(t, "200"), Gap: dec(t, "4800"),
			Deadline: utc(2026, 4, 10, 10), DaysLeft: 60, Reason: "warning"}}, true, 2},
		{"won back at the order", utc(2026, 3, 1, 0), []vip.Event{{Kind: vip.EventRecovered, Ladder: "vip", CustomerID: "c1",
			At: utc(2026, 2, 20, 10), From: "Gold", To: "Gold", Reason: "activity"}}, false, 0},
	} {
		st = checkIdle(t, g, st, c.name, c.now, c.want, c.idle)
		if st.Tier != "Gold" || st.GraceUntil.IsZero() != !c.grace {
			t.Errorf("%s: tier %q, grace until %v; want Gold, in grace %v", c.name, st.Tier, st.GraceUntil, c.grace)
		}
	}
}
