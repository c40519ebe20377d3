package vip_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip"
)

// TestLedger_Evaluate_QuietLeapDay: the start of a rolling window can move back as time
// moves on, where a month end is clamped. Worked by hand on the brief's ladder (12
// months, Silver at 2,000): at 2028-02-28 23:00 the window starts just after
// 2027-02-28 23:00, so the 1,500 order of 2027-02-28 12:00 has left it; at 2028-02-29
// 01:00 it starts just after 2027-02-28 01:00 (February 29 has no 2027 date), and that
// order is in again, with the 600 order placed at that instant: 2,100, Silver. The
// shortcut must not skip the interval on the orders counted from the first window.
func TestLedger_Evaluate_QuietLeapDay(t *testing.T) {
	l := briefLadder(t)
	a := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: utc(2027, 1, 1, 0)}, Orders: []vip.Order{
		order("old", "c", utc(2027, 2, 28, 12), "1500"),
	}}
	checked := utc(2028, 2, 28, 23)
	st, _, err := l.Evaluate(vip.Status{}, a, checked)
	if err != nil || st.Tier != "" {
		t.Fatalf("at %s: %+v, %v; want no tier", checked, st, err)
	}
	a.Orders = append(a.Orders, order("new", "c", utc(2028, 2, 29, 1), "600"))
	g, err := l.Ledger(a)
	if err != nil {
		t.Fatal(err)
	}
	now := utc(2028, 3, 1, 0)
	got, gotEvs, err := g.Evaluate(st, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tier != "Silver" || len(gotEvs) == 0 || gotEvs[0].Kind != vip.EventEnrolled || !gotEvs[0].At.Equal(utc(2028, 2, 29, 1)) {
		t.Fatalf("got tier %q, events %+v; want Enrolled in Silver at 2028-02-29 01:00", got.Tier, gotEvs)
	}
	want, wantEvs, err := g.EvaluateSteps(st, now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("status, stepped vs shortcut (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantEvs, gotEvs, cmpOpts); diff != "" {
		t.Errorf("events, stepped vs shortcut (-want +got):\n%s", diff)
	}
}
