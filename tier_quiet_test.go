package vip_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

// genQuietLadder draws a ladder for the quiet-interval shortcut: mostly the rolling,
// continuous, simple ladders it answers for (on net spend or orders, with invitation-
// only tiers, keep thresholds, gap and share proximity rules, warning days or none,
// a zone with daylight saving), sometimes any ladder genRichLadder draws, for which it
// must stand aside.
func genQuietLadder(t *rapid.T) vip.Ladder {
	if rapid.IntRange(0, 4).Draw(t, "rich") == 0 {
		return genRichLadder(t)
	}
	l := genLadder(t)
	if rapid.Bool().Draw(t, "ordersMeasure") {
		l.Measure = vip.MeasureOrders
		for i := range l.Tiers {
			q := int64(i+1) * rapid.Int64Range(1, 3).Draw(t, fmt.Sprintf("ordersQ%d", i))
			l.Tiers[i].Qualify = decimal.NewFromInt(q)
			if l.Tiers[i].Keep != nil {
				k := decimal.NewFromInt(rapid.Int64Range(0, q).Draw(t, fmt.Sprintf("ordersK%d", i)))
				l.Tiers[i].Keep = &k
			}
		}
	}
	if len(l.Tiers) > 1 && rapid.IntRange(0, 3).Draw(t, "invite") == 0 {
		l.Tiers[rapid.IntRange(0, len(l.Tiers)-1).Draw(t, "inviteTier")].InviteOnly = true
	}
	l.Near.Rules = nil
	if rapid.Bool().Draw(t, "gapRule") {
		l.Near.Rules = append(l.Near.Rules, vip.Proximity{Gap: decimal.NewFromInt(rapid.Int64Range(1, 2000).Draw(t, "gap"))})
	}
	if rapid.Bool().Draw(t, "shareRule") {
		l.Near.Rules = append(l.Near.Rules, vip.Proximity{Share: decimal.New(rapid.Int64Range(1, 99).Draw(t, "share"), -2)})
	}
	switch rapid.IntRange(0, 2).Draw(t, "warnings") {
	case 1:
		l.Warnings.Days = []int{}
	case 2:
		l.Warnings.Days = []int{rapid.IntRange(1, 120).Draw(t, "warnDays")}
	}
	l.Landing.MinStayMonths = rapid.IntRange(0, 2).Draw(t, "minStay")
	if rapid.Bool().Draw(t, "zone") {
		l.TimeZone = "America/New_York"
	}
	if err := l.Validate(); err != nil {
		t.Skip("drew an invalid combination:", err)
	}
	return l
}

// TestLedger_Evaluate_QuietShortcut checks the shortcut that moves a status over an
// interval in which nothing can happen without stepping through it, against stepping
// through every instant: the same status and the same events (none) whenever it is
// taken, on random ladders, orders and refunds, statuses evaluated at a first instant
// (some orders placed before it arriving only later) and reviews up to four months on.
// It also checks that the shortcut is taken, and is not always taken, so that the
// comparison covers both sides.
func TestLedger_Evaluate_QuietShortcut(t *testing.T) {
	taken, declined := 0, 0
	rapid.Check(t, func(t *rapid.T) {
		l := genQuietLadder(t)
		orders := genOrders(t, "o", 30)
		a := propActivity(orders)
		left := map[string]decimal.Decimal{}
		for _, o := range orders {
			left[o.ID] = o.Paid()
		}
		for i := range rapid.IntRange(0, 4).Draw(t, "refunds") {
			if len(orders) == 0 {
				break
			}
			o := orders[rapid.IntRange(0, len(orders)-1).Draw(t, "refunded")]
			amt := left[o.ID].Mul(decimal.New(rapid.Int64Range(1, 100).Draw(t, "refundPct"), -2)).Round(2)
			if !amt.IsPositive() {
				continue
			}
			left[o.ID] = left[o.ID].Sub(amt)
			a.Refunds = append(a.Refunds, vip.Refund{ID: fmt.Sprint("r", i), OrderID: o.ID, CustomerID: "c",
				At: o.PlacedAt.Add(time.Duration(rapid.IntRange(0, 90*24).Draw(t, "refundHours")) * time.Hour), Currency: "USD", Amount: amt})
		}
		g, err := l.Ledger(a)
		if err != nil {
			t.Fatalf("Ledger: %v", err)
		}
		// Several intervals on the same activity; some end just after an order placed
		// in them, where a proximity rule may fire.
		for k := range rapid.IntRange(1, 6).Draw(t, "intervals") {
			t1 := propBase.Add(time.Duration(rapid.IntRange(0, 800*24).Draw(t, fmt.Sprint("t1-", k))) * time.Hour)
			t2 := t1.Add(time.Duration(rapid.IntRange(0, 120*24).Draw(t, fmt.Sprint("gap-", k))) * time.Hour)
			if len(orders) > 0 && rapid.Bool().Draw(t, fmt.Sprint("afterOrder-", k)) {
				if p := orders[rapid.IntRange(0, len(orders)-1).Draw(t, fmt.Sprint("order-", k))].PlacedAt; p.After(t1) {
					t2 = p.Add(time.Duration(rapid.IntRange(0, 48).Draw(t, fmt.Sprint("after-", k))) * time.Hour)
				}
			}
			checkQuiet(t, l, g, orders, a, t1, t2, &taken, &declined)
		}
	})
	if taken == 0 || declined == 0 {
		t.Fatalf("the shortcut was taken %d times and declined %d times: the test covers one side only", taken, declined)
	}
	t.Logf("shortcut taken %d times, declined %d times", taken, declined)
}

// checkQuiet compares Evaluate with EvaluateSteps from the status at t1 (of the
// activity known then) to t2, counting whether the shortcut is taken.
func checkQuiet(t *rapid.T, l vip.Ladder, g *vip.Ledger, orders []vip.Order, a *vip.Activity, t1, t2 time.Time, taken, declined *int) {
	// The status at t1, from the activity known then: some orders placed before t1
	// arrive only after it.
	early := &vip.Activity{Customer: a.Customer}
	late := rapid.IntRange(0, 3).Draw(t, "late") == 0
	known := map[string]bool{}
	for i, o := range orders {
		if !(late && i%3 == 0) {
			early.Orders, known[o.ID] = append(early.Orders, o), true
		}
	}
	for _, r := range a.Refunds {
		if known[r.OrderID] {
			early.Refunds = append(early.Refunds, r)
		}
	}
	st, _, err := l.Evaluate(vip.Status{}, early, t1)
	if err != nil {
		t.Fatalf("Evaluate at t1: %v", err)
	}
	if g.Quiet(st, t2) {
		*taken++
	} else {
		*declined++
	}
	got, gotEvs, err := g.Evaluate(st, t2)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	want, wantEvs, err := g.EvaluateSteps(st, t2)
	if err != nil {
		t.Fatalf("EvaluateSteps: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Fatalf("status from %s to %s (quiet %v), stepped vs shortcut (-want +got):\n%s", t1, t2, g.Quiet(st, t2), diff)
	}
	if diff := cmp.Diff(wantEvs, gotEvs, cmpOpts); diff != "" {
		t.Fatalf("events from %s to %s (quiet %v), stepped vs shortcut (-want +got):\n%s", t1, t2, g.Quiet(st, t2), diff)
	}
}

// TestLedger_Evaluate_QuietNamesStatus: a status that names no customer or ladder (a
// caller's own, checked before) comes back naming the Ledger's, whether the interval is
// quiet or stepped through. The brief's ladder, one order of 2,500 on 2025-01-10: Silver
// from then on; a status checked on 2025-02-01 and evaluated on 2025-03-01 has nothing to
// do (no order, 2,500 is far from Gold's 5,000 and above Silver's 2,000 until the order
// leaves in 2026), and one evaluated on 2026-03-01 lands in grace.
func TestLedger_Evaluate_QuietNamesStatus(t *testing.T) {
	l := briefLadder(t)
	a := &vip.Activity{
		Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)},
		Orders:   []vip.Order{order("o1", "c1", utc(2025, 1, 10, 10), "2500")},
	}
	g, err := l.Ledger(a)
	if err != nil {
		t.Fatal(err)
	}
	st := vip.Status{Tier: "Silver", Peak: "Silver", Since: utc(2025, 1, 10, 10), LastUpgrade: utc(2025, 1, 10, 10),
		Checked: utc(2025, 2, 1, 0), Seen: 1}
	for _, tc := range []struct {
		now   time.Time
		quiet bool
	}{{utc(2025, 3, 1, 0), true}, {utc(2026, 3, 1, 0), false}} {
		if q := g.Quiet(st, tc.now); q != tc.quiet {
			t.Fatalf("Quiet at %v = %v, want %v", tc.now, q, tc.quiet)
		}
		got, _, err := g.Evaluate(st, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		if got.CustomerID != "c1" || got.Ladder != "vip" || got.Tier != "Silver" || !got.Checked.Equal(tc.now) {
			t.Errorf("at %v: customer %q, ladder %q, tier %q, checked %v; want c1, vip, Silver, %v",
				tc.now, got.CustomerID, got.Ladder, got.Tier, got.Checked, tc.now)
		}
	}
}
