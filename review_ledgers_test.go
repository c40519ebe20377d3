package vip_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

// TestReviewLedgers checks ReviewLedgers against Evaluate customer by customer, on
// random ladders and shops of one to six customers whose statuses were evaluated at a
// first instant (some never, some not theirs, some checked after the review): each
// status it leaves is the one Evaluate returns, or the status given where Evaluate
// fails; the events are the events given, then each customer's in order; every failure
// is reported, naming its ledger and customer, and wraps the sentinel Evaluate's does.
func TestReviewLedgers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genQuietLadder(t)
		n := rapid.IntRange(1, 6).Draw(t, "customers")
		acts := make([]*vip.Activity, n)
		for i := range acts {
			id := fmt.Sprint("c", i)
			orders := genOrders(t, id, 12)
			for k := range orders {
				orders[k].CustomerID = id
			}
			acts[i] = &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: propBase}, Orders: orders}
		}
		gs, err := l.Ledgers(acts)
		if err != nil {
			t.Fatalf("Ledgers: %v", err)
		}
		t1 := propBase.Add(time.Duration(rapid.IntRange(0, 700*24).Draw(t, "t1")) * time.Hour)
		now := t1.Add(time.Duration(rapid.IntRange(0, 120*24).Draw(t, "gap")) * time.Hour)
		sts := make([]vip.Status, n)
		for i, g := range gs {
			switch rapid.IntRange(0, 5).Draw(t, fmt.Sprint("status", i)) {
			case 0: // never evaluated
			case 1: // another customer's
				sts[i] = vip.Status{CustomerID: "someone-else"}
			case 2: // evaluated after the review's instant
				if sts[i], _, err = g.Evaluate(vip.Status{}, now.Add(time.Hour)); err != nil {
					t.Fatalf("Evaluate after now: %v", err)
				}
			default:
				if sts[i], _, err = g.Evaluate(vip.Status{}, t1); err != nil {
					t.Fatalf("Evaluate at t1: %v", err)
				}
			}
		}
		var want []vip.Status
		wantEvs := []vip.Event{{Kind: vip.EventEnrolled, CustomerID: "given"}} // kept in front
		var wantErrs []error
		for i, g := range gs {
			st, evs, err := g.Evaluate(sts[i], now)
			if err != nil {
				st = sts[i]
				wantErrs = append(wantErrs, err)
			}
			want = append(want, st)
			wantEvs = append(wantEvs, evs...)
		}
		got := append([]vip.Status(nil), sts...)
		gotEvs, err := vip.ReviewLedgers(gs, got, now, wantEvs[:1:1])
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Fatalf("statuses, Evaluate one by one vs ReviewLedgers (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantEvs, gotEvs, cmpOpts); diff != "" {
			t.Fatalf("events, Evaluate one by one vs ReviewLedgers (-want +got):\n%s", diff)
		}
		if (err != nil) != (len(wantErrs) > 0) {
			t.Fatalf("ReviewLedgers error %v; Evaluate failed %d times", err, len(wantErrs))
		}
		for _, w := range wantErrs {
			if !strings.Contains(err.Error(), w.Error()) {
				t.Fatalf("ReviewLedgers error %q does not report %q", err, w)
			}
			if !errors.Is(err, vip.ErrInvalidStatus) {
				t.Fatalf("ReviewLedgers error %q does not wrap ErrInvalidStatus", err)
			}
		}
		if err != nil && len(strings.Split(err.Error(), "\n")) != len(wantErrs) {
			t.Fatalf("ReviewLedgers error %q: want %d lines, one a failure", err, len(wantErrs))
		}
	})
}

// TestReviewLedgers_Errors works the calls that evaluate nothing: ledgers and statuses
// of different lengths, and an instant Evaluate would refuse; and one failing customer
// among others, named by index and ID.
func TestReviewLedgers_Errors(t *testing.T) {
	l := briefLadder(t)
	acts := []*vip.Activity{
		{Customer: vip.Customer{ID: "ann"}, Orders: []vip.Order{order("a1", "ann", utc(2025, 1, 10, 12), "2500")}},
		{Customer: vip.Customer{ID: "bob"}, Orders: []vip.Order{order("b1", "bob", utc(2025, 1, 11, 12), "6000")}},
	}
	gs, err := l.Ledgers(acts)
	if err != nil {
		t.Fatal(err)
	}
	given := []vip.Event{{Kind: vip.EventEnrolled, CustomerID: "given"}}
	for _, tc := range []struct {
		name string
		sts  []vip.Status
		now  time.Time
		want string
	}{
		{"lengths", make([]vip.Status, 1), utc(2025, 2, 1, 0), "vip: review: 2 ledgers and 1 statuses"},
		{"zero now", make([]vip.Status, 2), time.Time{}, "vip: review: now 0001-01-01T00:00:00Z is zero or outside the years 1900-2200: invalid status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := append([]vip.Status(nil), tc.sts...)
			evs, err := vip.ReviewLedgers(gs, sts, tc.now, given)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if diff := cmp.Diff(tc.sts, sts, cmpOpts); diff != "" {
				t.Errorf("statuses changed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(given, evs, cmpOpts); diff != "" {
				t.Errorf("events changed (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("one customer fails", func(t *testing.T) {
		// Ann's status is Bob's: she keeps it and adds nothing. Bob, never evaluated,
		// spent $6,000 on January 11: enrolled at Gold at once, and 6,000 of
		// Platinum's 10,000 is past the ladder's halfway rule.
		sts := []vip.Status{{CustomerID: "bob"}, {}}
		evs, err := vip.ReviewLedgers(gs, sts, utc(2025, 2, 1, 0), nil)
		want := `review: ledger 0 (customer "ann"): vip: status of customer "bob" given activity of customer "ann": invalid status`
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
		if sts[0].Tier != "" || !sts[0].Checked.IsZero() {
			t.Errorf("ann's status changed: %+v", sts[0])
		}
		if sts[1].Tier != "Gold" || !sts[1].Checked.Equal(utc(2025, 2, 1, 0)) {
			t.Errorf("bob: tier %q checked %s, want Gold checked 2025-02-01", sts[1].Tier, sts[1].Checked)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, fmt.Sprint(e.CustomerID, " ", e.Kind, " ", e.To))
		}
		if diff := cmp.Diff([]string{"bob enrolled Gold", "bob near_next_tier Platinum"}, kinds); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}
