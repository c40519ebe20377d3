package vip_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/proptest"
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
// It also checks that the shortcut is taken, that the one visiting order instants alone
// for proximity events is, and that neither always is, so that the comparison covers
// every side.
func TestLedger_Evaluate_QuietShortcut(t *testing.T) {
	var n quietCounts
	proptest.Check(t, 5, func(t *rapid.T) {
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
			checkQuiet(t, l, g, orders, a, t1, t2, &n)
		}
	}, func() error {
		if n.taken == 0 || n.nearOnly == 0 || n.declined == 0 || n.idle == 0 {
			return fmt.Errorf("%v: the test does not cover every side", n)
		}
		return nil
	})
	t.Log(n)
}

// TestLedger_Evaluate_NearOnly is TestLedger_Evaluate_QuietShortcut on ladders with a
// share rule of the next tier (and often a gap rule), many small orders, statuses first
// evaluated a few months into the activity and intervals that end after an order (some
// placed before the first instant arriving late): the intervals in
// which only a proximity event can happen, visited at order instants alone, are then
// common, and each is compared with stepping through every instant.
func TestLedger_Evaluate_NearOnly(t *testing.T) {
	var n quietCounts
	proptest.Check(t, 5, func(t *rapid.T) {
		l := genQuietLadder(t)
		if rapid.Bool().Draw(t, "fixedTiers") {
			// Thresholds the small orders below climb to over months.
			l.Measure = ""
			l.Tiers = []vip.Tier{{Name: "A", Qualify: decimal.NewFromInt(1000)}, {Name: "B", Qualify: decimal.NewFromInt(3000)},
				{Name: "C", Qualify: decimal.NewFromInt(6000)}}
			if rapid.Bool().Draw(t, "keeps") {
				for i := range l.Tiers {
					k := l.Tiers[i].Qualify.Div(decimal.NewFromInt(2))
					l.Tiers[i].Keep = &k
				}
			}
		}
		l.Near.Rules = append(l.Near.Rules, vip.Proximity{Share: decimal.New(rapid.Int64Range(20, 90).Draw(t, "nearShare"), -2)})
		if err := l.Validate(); err != nil {
			t.Skip("drew an invalid combination:", err)
		}
		// Small orders, many of them: spend that climbs toward the next tier, which
		// one order rarely reaches.
		orders := make([]vip.Order, rapid.IntRange(1, 40).Draw(t, "orders"))
		for i := range orders {
			at := propBase.Add(time.Duration(rapid.IntRange(0, 730*24).Draw(t, fmt.Sprint("orderHour", i))) * time.Hour)
			orders[i] = order(fmt.Sprint("o", i), "c", at, fmt.Sprint(rapid.Int64Range(1, 400).Draw(t, fmt.Sprint("orderAmt", i))))
		}
		a := propActivity(orders)
		g, err := l.Ledger(a)
		if err != nil {
			t.Fatalf("Ledger: %v", err)
		}
		for k := range rapid.IntRange(1, 12).Draw(t, "intervals") {
			t1 := propBase.Add(time.Duration(rapid.IntRange(60*24, 700*24).Draw(t, fmt.Sprint("t1-", k))) * time.Hour)
			t2 := t1.Add(time.Duration(rapid.IntRange(1, 60*24).Draw(t, fmt.Sprint("gap-", k))) * time.Hour)
			if len(orders) > 0 {
				if p := orders[rapid.IntRange(0, len(orders)-1).Draw(t, fmt.Sprint("order-", k))].PlacedAt; p.After(t1) {
					t2 = p.Add(time.Duration(rapid.IntRange(0, 30*24).Draw(t, fmt.Sprint("after-", k))) * time.Hour)
				}
			}
			checkQuiet(t, l, g, orders, a, t1, t2, &n)
		}
	}, func() error {
		if n.nearOnly < 15 || n.idle == 0 {
			return fmt.Errorf("%v: too few near-only intervals or idle order instants to cover them", n)
		}
		return nil
	})
	t.Log(n)
}

// quietCounts counts the ways checkQuiet saw Evaluate go: the interval quiet
// (taken), visited at order instants alone (nearOnly), or stepped through (declined);
// and of the stepped ones, those in which order instants were passed over as idle.
type quietCounts struct {
	taken, nearOnly, declined int
	idle                      int // stepped intervals with idle order instants passed over
	idleOrders                int // order instants passed over in all
}

func (n quietCounts) String() string {
	return fmt.Sprintf("shortcut taken %d times, near-only %d times, declined %d times (%d of them with %d idle order instants passed over)",
		n.taken, n.nearOnly, n.declined, n.idle, n.idleOrders)
}

// checkQuiet compares Evaluate with EvaluateSteps from the status at t1 (of the
// activity known then) to t2, counting in n which way Evaluate went.
func checkQuiet(t *rapid.T, l vip.Ladder, g *vip.Ledger, orders []vip.Order, a *vip.Activity, t1, t2 time.Time, n *quietCounts) {
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
	switch {
	case g.Quiet(st, t2):
		n.taken++
	case g.NearOnly(st, t2):
		n.nearOnly++
	default:
		n.declined++
		if _, _, idle, ok := g.StepCounts(st, t2); ok && idle > 0 {
			n.idle++
			n.idleOrders += idle
		}
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

// TestLedger_Evaluate_NearOnlyLateOrder: the interval visited for proximity events alone
// starts at st.Checked itself when an order placed then arrives late, as stepping does.
// The brief's ladder (near: a gap of 200 or half way; a cool-down of 7 days): 2,500 on
// 2025-01-10 10:00 makes Silver and, being half of Gold's 5,000, fires NearNextTier then.
// The status checked on 2025-02-15 00:00 has seen that order alone; an order of 100
// placed at exactly 2025-02-15 00:00 arrives after. Evaluated on 2025-03-01: 2,600 is
// nowhere near 10,000 or below Silver's 2,000, no order leaves before 2026, so only the
// proximity rule can act, at 2025-02-15 00:00, 36 days after the last event: 2,600 of
// 5,000 is 0.52, at least half, with 2,400 to go. One NearNextTier then, and LastNear
// moves to it.
func TestLedger_Evaluate_NearOnlyLateOrder(t *testing.T) {
	l := briefLadder(t)
	c := vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)}
	o1, o2 := order("o1", "c1", utc(2025, 1, 10, 10), "2500"), order("o2", "c1", utc(2025, 2, 15, 0), "100")
	st, _, err := l.Evaluate(vip.Status{}, &vip.Activity{Customer: c, Orders: []vip.Order{o1}}, utc(2025, 2, 15, 0))
	if err != nil {
		t.Fatal(err)
	}
	if st.Tier != "Silver" || !st.LastNear.Equal(utc(2025, 1, 10, 10)) || st.Seen != 1 {
		t.Fatalf("status on 2025-02-15: tier %q, last near %v, seen %d; want Silver, 2025-01-10 10:00, 1", st.Tier, st.LastNear, st.Seen)
	}
	g, err := l.Ledger(&vip.Activity{Customer: c, Orders: []vip.Order{o1, o2}})
	if err != nil {
		t.Fatal(err)
	}
	now := utc(2025, 3, 1, 0)
	if !g.NearOnly(st, now) {
		t.Fatalf("the interval is not taken as one for proximity events alone")
	}
	got, evs, err := g.Evaluate(st, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.Event{{Kind: vip.EventNearNextTier, At: utc(2025, 2, 15, 0), Ladder: "vip", CustomerID: "c1", From: "Silver", To: "Gold",
		Gap: decimal.NewFromInt(2400), Share: decimal.RequireFromString("0.52"), Measure: vip.MeasureNetSpend, Value: decimal.NewFromInt(2600), Reason: "activity"}}
	if diff := cmp.Diff(want, evs, cmpOpts); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got.Tier != "Silver" || !got.LastNear.Equal(utc(2025, 2, 15, 0)) || !got.Checked.Equal(now) || got.Seen != 2 {
		t.Errorf("status: tier %q, last near %v, checked %v, seen %d; want Silver, 2025-02-15 00:00, %v, 2", got.Tier, got.LastNear, got.Checked, got.Seen, now)
	}
}

// TestLedger_Evaluate_NearOnlyNotWhenKeepFails: an interval in which a proximity rule
// might fire but the keep rule fails is stepped through. The brief's ladder: 5,000 on
// 2025-01-10 10:00 makes Gold; checked on 2026-01-05, then 3,000 on 2026-01-20 and an
// evaluation on 2026-02-01. The 5,000 leaves the window on 2026-01-10 10:00, below
// Gold's 5,000: grace for 3 months, to 2026-04-10 10:00 (the first warning, 60 days
// before, is after 2026-02-01). On 2026-01-20 3,000 is 0.3 of Platinum's 10,000 and
// 7,000 short: no proximity event. The bound on the interval's spend (5,000 + 3,000,
// at least half of 10,000) does not exclude one, so only the failing keep rule makes
// the interval one to step through.
func TestLedger_Evaluate_NearOnlyNotWhenKeepFails(t *testing.T) {
	l := briefLadder(t)
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)},
		Orders: []vip.Order{order("o1", "c1", utc(2025, 1, 10, 10), "5000"), order("o2", "c1", utc(2026, 1, 20, 10), "3000")}}
	g, st := ledgerAt(t, &l, a, utc(2026, 1, 5, 0))
	now := utc(2026, 2, 1, 0)
	if g.Quiet(st, now) || g.NearOnly(st, now) {
		t.Fatalf("quiet %v, near-only %v: want neither", g.Quiet(st, now), g.NearOnly(st, now))
	}
	got, evs, err := g.Evaluate(st, now)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []vip.EventKind
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if diff := cmp.Diff([]vip.EventKind{vip.EventGraceStarted}, kinds); diff != "" {
		t.Errorf("event kinds (-want +got):\n%s", diff)
	}
	if got.Tier != "Gold" || !got.GraceUntil.Equal(utc(2026, 4, 10, 10)) {
		t.Errorf("tier %q, grace until %v; want Gold, 2026-04-10 10:00", got.Tier, got.GraceUntil)
	}
}

// TestLedger_Evaluate_QuietInGrace: a status in grace, with no way back to its tier in
// the interval, moves quietly until a warning is due. The brief's ladder: 5,000 on
// 2025-01-10 10:00 makes Gold; it leaves the window on 2026-01-10 10:00, when grace starts,
// to 2026-04-10 10:00. Warnings 60 and 30 days before: 2026-02-09 10:00 and 2026-03-11
// 10:00. From a status checked on 2026-01-15, an evaluation on 2026-02-01 passes no
// warning date: quiet, nothing happens. One on 2026-02-15 passes the first: stepped,
// one DemotionWarning on 2026-02-09 10:00, 60 days left.
func TestLedger_Evaluate_QuietInGrace(t *testing.T) {
	l := briefLadder(t)
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)},
		Orders: []vip.Order{order("o1", "c1", utc(2025, 1, 10, 10), "5000")}}
	g, st := ledgerAt(t, &l, a, utc(2026, 1, 15, 0))
	if st.Tier != "Gold" || !st.GraceUntil.Equal(utc(2026, 4, 10, 10)) {
		t.Fatalf("on 2026-01-15: tier %q, grace until %v; want Gold, 2026-04-10 10:00", st.Tier, st.GraceUntil)
	}
	early := utc(2026, 2, 1, 0)
	if !g.Quiet(st, early) {
		t.Fatalf("2026-01-15 to 2026-02-01 not quiet")
	}
	got, evs, err := g.Evaluate(st, early)
	if err != nil {
		t.Fatal(err)
	}
	want := st
	want.Checked = early
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" || len(evs) != 0 {
		t.Errorf("to 2026-02-01: events %v, status (-want +got):\n%s", evs, diff)
	}
	late := utc(2026, 2, 15, 0)
	if g.Quiet(st, late) || g.NearOnly(st, late) {
		t.Fatalf("2026-01-15 to 2026-02-15 taken as quiet")
	}
	_, evs, err = g.Evaluate(st, late)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Kind != vip.EventDemotionWarning || !evs[0].At.Equal(utc(2026, 2, 9, 10)) || evs[0].DaysLeft != 60 ||
		!evs[0].Deadline.Equal(utc(2026, 4, 10, 10)) {
		t.Errorf("to 2026-02-15: events %+v; want one DemotionWarning on 2026-02-09 10:00, 60 days before 2026-04-10 10:00", evs)
	}
}

// ledgerAt returns a's Ledger on l and the status it gives from nothing at t.
func ledgerAt(t *testing.T, l *vip.Ladder, a *vip.Activity, at time.Time) (*vip.Ledger, vip.Status) {
	t.Helper()
	g, err := l.Ledger(a)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := g.Evaluate(vip.Status{}, at)
	if err != nil {
		t.Fatal(err)
	}
	return g, st
}

// TestLedger_Evaluate_GraceOrderBack: in grace, an order back in the window (a clamped
// month end moves the window's start back) restores the tier at an instant no schedule
// knows; the evaluation must step at now to see it, as stepping through every instant
// does. A one-month rolling window, tier A from 10, a month's grace, no warnings: 10 on
// 2024-02-29 01:00. The window at t is (t less a month, t]: the order leaves at
// 2024-03-29 01:00 (less a month is 2024-02-29 01:00) and grace starts, to 2024-04-29
// 01:00; at 2024-03-30 00:00 less a month is 2024-02-30, clamped to 2024-02-29 00:00, and
// the order is in the window again: recovered then. From a status checked on 2024-03-29
// 00:00, evaluated on 2024-03-30 00:00: GraceStarted on 2024-03-29 01:00, Recovered on
// 2024-03-30 00:00, tier A out of grace.
func TestLedger_Evaluate_GraceOrderBack(t *testing.T) {
	l := vip.Ladder{Name: "p", Currency: "USD", Period: vip.Period{Months: 1}, GraceMonths: 1,
		Tiers: []vip.Tier{{Name: "A", Qualify: decimal.NewFromInt(10)}}, Warnings: vip.Warnings{Days: []int{}}}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2024, 1, 1, 0)},
		Orders: []vip.Order{order("o1", "c1", utc(2024, 2, 29, 1), "10")}}
	g, st := ledgerAt(t, &l, a, utc(2024, 3, 29, 0))
	if st.Tier != "A" || !st.GraceUntil.IsZero() {
		t.Fatalf("on 2024-03-29 00:00: tier %q, grace until %v; want A, not in grace", st.Tier, st.GraceUntil)
	}
	now := utc(2024, 3, 30, 0)
	for name, eval := range map[string]func(vip.Status, time.Time) (vip.Status, []vip.Event, error){
		"Evaluate": g.Evaluate, "EvaluateSteps": g.EvaluateSteps} {
		got, evs, err := eval(st, now)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []vip.EventKind
		var ats []time.Time
		for _, e := range evs {
			kinds, ats = append(kinds, e.Kind), append(ats, e.At)
		}
		if diff := cmp.Diff([]vip.EventKind{vip.EventGraceStarted, vip.EventRecovered}, kinds); diff != "" {
			t.Errorf("%s: event kinds (-want +got):\n%s", name, diff)
		}
		if diff := cmp.Diff([]time.Time{utc(2024, 3, 29, 1), now}, ats, cmpOpts); diff != "" {
			t.Errorf("%s: event instants (-want +got):\n%s", name, diff)
		}
		if got.Tier != "A" || !got.GraceUntil.IsZero() {
			t.Errorf("%s: tier %q, grace until %v; want A, not in grace", name, got.Tier, got.GraceUntil)
		}
	}
}

// TestLedger_Evaluate_RollOffInGap: an order whose wall clock, a window later, falls in
// a daylight-saving gap leaves the window when the clock passes the gap. A rolling
// window of two months in New York, tier T0 from 1, no grace, no warnings: 1 on
// 2024-01-10 02:00 EST (07:00 UTC). Two months on is 2024-03-10 02:00, which does not
// exist: the clock goes from 01:59:59 EST to 03:00 EDT (07:00 UTC), where the window
// (from the wall clock less two months, 2024-01-10 03:00) no longer holds the order. So
// T0 from 2024-01-10 07:00 UTC to 2024-03-10 07:00 UTC, evaluated from scratch, and from
// a status checked on 2024-03-01 08:00 UTC before the order arrived (it then counts
// from that instant: Enrolled there). Before the roll-off was computed right, the
// schedule put it at 2024-04-01 and the customer kept T0 three weeks too long.
func TestLedger_Evaluate_RollOffInGap(t *testing.T) {
	l := vip.Ladder{Name: "p", Currency: "USD", Period: vip.Period{Months: 2}, TimeZone: "America/New_York",
		Tiers: []vip.Tier{{Name: "T0", Qualify: decimal.NewFromInt(1)}}, Warnings: vip.Warnings{Days: []int{}}}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	a := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: utc(2024, 1, 1, 0)},
		Orders: []vip.Order{order("o1", "c", utc(2024, 1, 10, 7), "1")}}
	g, err := l.Ledger(a)
	if err != nil {
		t.Fatal(err)
	}
	late, _, err := l.Evaluate(vip.Status{}, &vip.Activity{Customer: a.Customer}, utc(2024, 3, 1, 8))
	if err != nil {
		t.Fatal(err)
	}
	type kindAt struct {
		Kind vip.EventKind
		At   time.Time
	}
	for _, c := range []struct {
		name string
		from vip.Status
		want []kindAt
	}{
		{"from scratch", vip.Status{}, []kindAt{{vip.EventEnrolled, utc(2024, 1, 10, 7)}, {vip.EventDowngraded, utc(2024, 3, 10, 7)}}},
		{"order arrived late", late, []kindAt{{vip.EventEnrolled, utc(2024, 3, 1, 8)}, {vip.EventDowngraded, utc(2024, 3, 10, 7)}}},
	} {
		for _, now := range []time.Time{utc(2024, 3, 10, 7), utc(2024, 3, 11, 0)} {
			for name, eval := range map[string]func(vip.Status, time.Time) (vip.Status, []vip.Event, error){
				"Evaluate": g.Evaluate, "EvaluateSteps": g.EvaluateSteps} {
				st, evs, err := eval(c.from, now)
				if err != nil {
					t.Fatal(err)
				}
				var got []kindAt
				for _, e := range evs {
					got = append(got, kindAt{e.Kind, e.At})
				}
				if diff := cmp.Diff(c.want, got, cmpOpts); diff != "" {
					t.Errorf("%s, %s to %s: events (-want +got):\n%s", c.name, name, now, diff)
				}
				if st.Tier != "" {
					t.Errorf("%s, %s to %s: tier %q, want none", c.name, name, now, st.Tier)
				}
			}
		}
	}
	st, _, err := g.Evaluate(vip.Status{}, utc(2024, 3, 10, 7).Add(-time.Second))
	if err != nil || st.Tier != "T0" {
		t.Errorf("at 2024-03-10 06:59:59 UTC: tier %q (%v), want T0", st.Tier, err)
	}
}
