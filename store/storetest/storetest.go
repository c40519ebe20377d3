// Package storetest is the conformance suite every [vip.Store] passes. A backend's
// tests call [Run] with a function that opens a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) vip.Store { return memstore.New() })
//	}
//
// Each named subtest gets a store of its own. Nothing is skipped: a backend that cannot
// run a case fails it.
package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

// Opener opens a fresh, empty store for one subtest. It registers its own cleanup
// (closing the store) with t.Cleanup.
type Opener func(t *testing.T) vip.Store

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Helper()
	cases := []struct {
		name string
		fn   func(*testing.T, vip.Store)
	}{
		{"MoneyRoundTrip", testMoneyRoundTrip},
		{"TimeRoundTrip", testTimeRoundTrip},
		{"StatusAndEventRoundTrip", testStatusAndEventRoundTrip},
		{"StatusEveryField", testStatusEveryField},
		{"CommitKeepsNoSlices", testCommitKeepsNoSlices},
		{"Idempotent", testIdempotent},
		{"Conflict", testConflict},
		{"CompareAndSwap", testCompareAndSwap},
		{"LargeChanges", testLargeChanges},
		{"ActivityMovesVersions", testActivityMovesVersions},
		{"AllOrNothing", testAllOrNothing},
		{"NotFound", testNotFound},
		{"LaddersApart", testLaddersApart},
		{"CustomersPagedAndSharded", testCustomersPaged},
		{"DueSchedule", testDue},
		{"CursorExactlyOnce", testCursorExactlyOnce},
		{"AckCompareAndSwap", testAckCAS},
		{"ConcurrentWriters", testConcurrentWriters},
		{"EnginesInterleaved", testEnginesInterleaved},
		{"EngineUnderLoad", testEngineUnderLoad},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, open(t))
		})
	}
}

// Money compares decimals by value in cmp.Diff.
var Money = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func order(id, customer string, at time.Time, paid string) vip.Order {
	return vip.Order{ID: id, CustomerID: customer, PlacedAt: at, Currency: "USD",
		Lines: []vip.Line{{SKU: "sku-" + id, Quantity: 1, ListPrice: d(paid), PaidPrice: d(paid), UnitCost: d("1.00")}}}
}

func commit(t *testing.T, s vip.Store, c vip.Change) {
	t.Helper()
	if err := s.Commit(t.Context(), c); err != nil {
		t.Fatalf("Commit(%d orders, %d refunds, %d statuses, %d events) = %v, want nil", len(c.Orders), len(c.Refunds), len(c.Statuses), len(c.Events), err)
	}
}

func load1(t *testing.T, s vip.Store, ladder, id string) vip.CustomerState {
	t.Helper()
	snaps, err := s.Load(t.Context(), ladder, []string{id})
	if err != nil {
		t.Fatalf("Load(%q, [%q]) = %v", ladder, id, err)
	}
	if len(snaps) != 1 {
		t.Fatalf("Load(%q, [%q]) returned %d snapshots, want 1", ladder, id, len(snaps))
	}
	return snaps[0]
}

// exact formats d with all its digits, so that 10.50 and 10.5 differ.
func exact(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}

func testMoneyRoundTrip(t *testing.T, s vip.Store) {
	o := vip.Order{ID: "o1", CustomerID: "c1", PlacedAt: t0, Currency: "EUR", Channel: "web",
		Shipping: d("4.90"), Tax: d("0.00"),
		Lines: []vip.Line{
			{SKU: "a", Category: "shoes", Brand: "b", Quantity: 3, ListPrice: d("12.00"), PaidPrice: d("10.50"), UnitCost: d("6.125"), Premium: true},
			{SKU: "b", Quantity: 1, ListPrice: d("123456789012345678.123456789"), PaidPrice: d("0.10"), UnitCost: d("0"), NewRelease: true},
		}}
	r := vip.Refund{ID: "r1", OrderID: "o1", CustomerID: "c1", At: t0.Add(time.Hour), Currency: "EUR", Amount: d("10.50"),
		Lines: []vip.RefundLine{{SKU: "a", Quantity: 1}}}
	commit(t, s, vip.Change{Source: vip.SourceIngest, Orders: []vip.Order{o}, Refunds: []vip.Refund{r}})
	got := load1(t, s, "gold", "c1")
	if len(got.Activity.Orders) != 1 || len(got.Activity.Refunds) != 1 {
		t.Fatalf("Load: %d orders and %d refunds, want 1 and 1", len(got.Activity.Orders), len(got.Activity.Refunds))
	}
	g, gr := got.Activity.Orders[0], got.Activity.Refunds[0]
	want := []string{"10.50", "12.00", "6.125", "0.10", "123456789012345678.123456789", "4.90", "0.00", "10.50"}
	have := []string{exact(g.Lines[0].PaidPrice), exact(g.Lines[0].ListPrice), exact(g.Lines[0].UnitCost),
		exact(g.Lines[1].PaidPrice), exact(g.Lines[1].ListPrice), exact(g.Shipping), exact(g.Tax), exact(gr.Amount)}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("amounts after a round trip (-want +got):\n%s", diff)
	}
	wantO := o
	wantO.PlacedAt = t0.Truncate(time.Microsecond)
	if diff := cmp.Diff(wantO, g, Money); diff != "" {
		t.Errorf("order after a round trip (-want +got):\n%s", diff)
	}
	if !g.Paid().Equal(d("31.60")) { // 3 x 10.50 + 0.10
		t.Errorf("stored order Paid() = %s, want 31.60", g.Paid())
	}
}

func testTimeRoundTrip(t *testing.T, s vip.Store) {
	waw, err := time.LoadLocation("Europe/Warsaw")
	if err != nil {
		t.Skipf("no zone database: %v", err) // a machine problem, not the store's
	}
	at := time.Date(2025, 7, 1, 14, 30, 15, 123456789, waw) // CEST, UTC+2
	o := order("o1", "c1", at, "5")
	r := vip.Refund{ID: "r1", OrderID: "o1", CustomerID: "c1", At: at.Add(1500 * time.Nanosecond), Currency: "USD", Amount: d("1")}
	cu := vip.Customer{ID: "c1", JoinedAt: time.Date(2024, 2, 29, 23, 59, 59, 999999999, waw), TimeZone: "Europe/Warsaw"} // CET, UTC+1
	commit(t, s, vip.Change{Customers: []vip.Customer{cu}, Orders: []vip.Order{o}, Refunds: []vip.Refund{r}})
	got := load1(t, s, "gold", "c1")
	type times struct{ Placed, Refunded, Joined time.Time }
	want := times{ // UTC, truncated (not rounded) to microseconds
		Placed:   time.Date(2025, 7, 1, 12, 30, 15, 123456000, time.UTC),
		Refunded: time.Date(2025, 7, 1, 12, 30, 15, 123458000, time.UTC),
		Joined:   time.Date(2024, 2, 29, 22, 59, 59, 999999000, time.UTC),
	}
	gotT := times{got.Activity.Orders[0].PlacedAt, got.Activity.Refunds[0].At, got.Activity.Customer.JoinedAt}
	if diff := cmp.Diff(want, gotT); diff != "" {
		t.Errorf("instants after a round trip (-want +got):\n%s", diff)
	}
	for name, tm := range map[string]time.Time{"placed_at": gotT.Placed, "at": gotT.Refunded, "joined_at": gotT.Joined} {
		if tm.Location() != time.UTC {
			t.Errorf("%s comes back in %v, want UTC", name, tm.Location())
		}
	}
	if got.Activity.Customer.TimeZone != "Europe/Warsaw" {
		t.Errorf("customer time_zone = %q, want Europe/Warsaw", got.Activity.Customer.TimeZone)
	}
}

func testStatusAndEventRoundTrip(t *testing.T, s vip.Store) {
	st := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: t0, ExpiresAt: t0.AddDate(1, 0, 0),
		Peak: "Gold", LastUpgrade: t0, Checked: t0.Add(time.Nanosecond), Warned: 30, WarnedFor: t0.AddDate(0, 2, 0),
		Override: &vip.Override{Kind: vip.OverrideFloor, Tier: "Gold", Until: t0.AddDate(0, 6, 0), Reason: vip.ReasonGift, By: "ops"}}
	ev := vip.Event{Kind: vip.EventUpgraded, Ladder: "gold", CustomerID: "c1", At: t0, From: "Silver", To: "Gold",
		Crossed: []string{"Gold"}, Rewards: []string{"welcome-gold"}, Measure: vip.MeasureNetSpend, Value: d("5000.50"),
		Gap: d("0"), Share: d("0.8333"), Deadline: t0.AddDate(1, 0, 0), DaysLeft: 365, Reason: "activity"}
	commit(t, s, vip.Change{Source: vip.SourceIngest, Orders: []vip.Order{order("o1", "c1", t0, "5000.50")},
		Statuses: []vip.Status{st}, Events: []vip.Event{ev}})
	got := load1(t, s, "gold", "c1")
	want := st
	want.Checked = t0.Truncate(time.Microsecond)
	want.Since, want.LastUpgrade = want.Checked, want.Checked
	want.ExpiresAt = want.Since.AddDate(1, 0, 0)
	want.WarnedFor = want.Since.AddDate(0, 2, 0)
	ov := *st.Override
	ov.Until = want.Since.AddDate(0, 6, 0)
	want.Override = &ov
	want.Version = 1
	if !want.Equal(got.Status) {
		t.Errorf("status after a round trip:\n got %+v\nwant %+v", got.Status, want)
	}
	hist, err := s.History(t.Context(), "gold", "c1")
	if err != nil {
		t.Fatalf("History = %v", err)
	}
	wantE := ev
	wantE.At, wantE.Deadline = want.Since, want.ExpiresAt
	if len(hist) != 1 || !hist[0].Event.Equal(wantE) || hist[0].Source != vip.SourceIngest || hist[0].Seq < 1 {
		t.Errorf("History = %+v, want one record from %q with %+v", hist, vip.SourceIngest, wantE)
	}
}

// testStatusEveryField: every field of a status comes back, each instant in UTC
// truncated to microseconds (worked out by hand below), written new and then updated.
func testStatusEveryField(t *testing.T, s vip.Store) {
	z := time.FixedZone("UTC-11", -11*3600)
	at := func(month time.Month, day int) time.Time {
		return time.Date(2025, month, day, 13, 14, 15, 123456789, z)
	}
	st := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: at(1, 2), ExpiresAt: at(2, 3), GraceUntil: at(3, 4),
		Peak: "Platinum", LastLanding: at(4, 5), LastUpgrade: at(5, 6), Pending: "Platinum", PendingFrom: at(6, 7),
		Checked: at(7, 8), Seen: 41, WarnedFor: at(8, 9), Warned: 30, LastNear: at(9, 10),
		Override: &vip.Override{Kind: vip.OverrideLock, Tier: "Gold", Until: at(10, 11), Reason: vip.ReasonServiceRecovery, By: "ops"}}
	// 13:14:15.123456789 at UTC-11 is 00:14:15.123456 UTC the next day.
	utc := func(month time.Month, day int) time.Time {
		return time.Date(2025, month, day+1, 0, 14, 15, 123456000, time.UTC)
	}
	want := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: utc(1, 2), ExpiresAt: utc(2, 3), GraceUntil: utc(3, 4),
		Peak: "Platinum", LastLanding: utc(4, 5), LastUpgrade: utc(5, 6), Pending: "Platinum", PendingFrom: utc(6, 7),
		Checked: utc(7, 8), Seen: 41, WarnedFor: utc(8, 9), Warned: 30, LastNear: utc(9, 10), Version: 1,
		Override: &vip.Override{Kind: vip.OverrideLock, Tier: "Gold", Until: utc(10, 11), Reason: vip.ReasonServiceRecovery, By: "ops"}}
	check := func(step string) {
		t.Helper()
		got := load1(t, s, "gold", "c1").Status
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: status (-want +got):\n%s", step, diff)
		}
	}
	commit(t, s, vip.Change{Statuses: []vip.Status{st}})
	check("new status")
	st.Version, st.Override, st.Pending, st.PendingFrom, st.Warned = 1, nil, "", time.Time{}, 0
	want.Version, want.Override, want.Pending, want.PendingFrom, want.Warned = 2, nil, "", time.Time{}, 0
	commit(t, s, vip.Change{Statuses: []vip.Status{st}})
	check("updated status")
}

// testCommitKeepsNoSlices: once Commit returns, the caller may reuse the change's
// slices (the Engine does): overwriting every element changes nothing stored.
func testCommitKeepsNoSlices(t *testing.T, s vip.Store) {
	o := order("o1", "c1", t0, "25.00")
	st := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Gold", Since: t0, Checked: t0}
	ev := vip.Event{Kind: vip.EventUpgraded, Ladder: "gold", CustomerID: "c1", At: t0, To: "Gold", Crossed: []string{"Gold"}}
	c := vip.Change{Source: vip.SourceIngest, Customers: []vip.Customer{{ID: "c1", JoinedAt: t0}}, Orders: []vip.Order{o},
		Statuses: []vip.Status{st}, Events: []vip.Event{ev}, Due: []time.Time{t0.AddDate(0, 1, 0)}, DueKey: "k1"}
	commit(t, s, c)
	other := t0.AddDate(1, 0, 0)
	c.Customers[0] = vip.Customer{ID: "c2", JoinedAt: other}
	c.Orders[0].Lines[0] = vip.Line{SKU: "other", Quantity: 9, ListPrice: d("1.00"), PaidPrice: d("1.00"), UnitCost: d("1.00")}
	c.Orders[0] = order("o2", "c2", other, "99.00")
	c.Statuses[0] = vip.Status{CustomerID: "c2", Ladder: "gold", Tier: "Silver", Checked: other}
	c.Events[0].Crossed[0] = "Silver"
	c.Events[0] = vip.Event{Kind: vip.EventDowngraded, Ladder: "gold", CustomerID: "c2", At: other}
	c.Due[0] = other
	got := load1(t, s, "gold", "c1")
	if len(got.Activity.Orders) != 1 || got.Activity.Orders[0].ID != "o1" || got.Activity.Orders[0].Lines[0].SKU != "sku-o1" ||
		!got.Activity.Orders[0].Paid().Equal(d("25.00")) {
		t.Errorf("orders after the change's slices were overwritten = %+v, want o1 of 25.00", got.Activity.Orders)
	}
	if !got.Activity.Customer.JoinedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Errorf("customer joined at %v after the change's slices were overwritten, want %v", got.Activity.Customer.JoinedAt, t0)
	}
	if got.Status.Tier != "Gold" || got.Status.Version != 1 || !got.Due.Equal(t0.AddDate(0, 1, 0).Truncate(time.Microsecond)) || got.DueKey != "k1" {
		t.Errorf("status after the change's slices were overwritten = %+v due %v %q, want Gold at version 1 due %v \"k1\"",
			got.Status, got.Due, got.DueKey, t0.AddDate(0, 1, 0))
	}
	hist, err := s.History(t.Context(), "gold", "c1")
	if err != nil {
		t.Fatalf("History = %v", err)
	}
	if len(hist) != 1 || hist[0].Event.Kind != vip.EventUpgraded || !slices.Equal(hist[0].Event.Crossed, []string{"Gold"}) {
		t.Errorf("History after the change's slices were overwritten = %+v, want the upgrade that crossed Gold", hist)
	}
	if l := load1(t, s, "gold", "c2"); l.Found || l.Status.Version != 0 {
		t.Errorf("Load(c2) = %+v, want nothing stored", l)
	}
}

func testIdempotent(t *testing.T, s vip.Store) {
	o := order("o1", "c1", t0, "10.50")
	same := order("o1", "c1", t0.In(time.FixedZone("X", 3600)).Add(100*time.Nanosecond), "10.5") // same content, other spelling
	r := vip.Refund{ID: "r1", OrderID: "o1", CustomerID: "c1", At: t0.Add(time.Hour), Currency: "USD", Amount: d("2.5")}
	r2 := r
	r2.Amount = d("2.50")
	commit(t, s, vip.Change{Orders: []vip.Order{o}, Refunds: []vip.Refund{r}})
	commit(t, s, vip.Change{Orders: []vip.Order{same, o}, Refunds: []vip.Refund{r2, r}})
	got := load1(t, s, "gold", "c1")
	if len(got.Activity.Orders) != 1 || len(got.Activity.Refunds) != 1 {
		t.Fatalf("after storing order o1 and refund r1 three times: %d orders, %d refunds, want 1 and 1", len(got.Activity.Orders), len(got.Activity.Refunds))
	}
	if exact(got.Activity.Orders[0].Lines[0].PaidPrice) != "10.50" {
		t.Errorf("a repeated order replaced the first: paid %s, want 10.50", exact(got.Activity.Orders[0].Lines[0].PaidPrice))
	}
}

func testConflict(t *testing.T, s vip.Store) {
	commit(t, s, vip.Change{Orders: []vip.Order{order("o1", "c1", t0, "10")},
		Refunds: []vip.Refund{{ID: "r1", OrderID: "o1", CustomerID: "c1", At: t0, Currency: "USD", Amount: d("1")}}})
	cases := []struct {
		name string
		c    vip.Change
	}{
		{"order amount", vip.Change{Orders: []vip.Order{order("o1", "c1", t0, "11")}}},
		{"order customer", vip.Change{Orders: []vip.Order{order("o1", "c2", t0, "10")}}},
		{"order time", vip.Change{Orders: []vip.Order{order("o1", "c1", t0.Add(time.Second), "10")}}},
		{"refund amount", vip.Change{Refunds: []vip.Refund{{ID: "r1", OrderID: "o1", CustomerID: "c1", At: t0, Currency: "USD", Amount: d("2")}}}},
		{"twice in one change", vip.Change{Orders: []vip.Order{order("o9", "c1", t0, "1"), order("o9", "c1", t0, "2")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Commit(t.Context(), c.c)
			if !errors.Is(err, vip.ErrConflict) || errors.Is(err, vip.ErrStale) {
				t.Fatalf("Commit(%s) = %v, want ErrConflict (not ErrStale)", c.name, err)
			}
		})
	}
	got := load1(t, s, "gold", "c1")
	if len(got.Activity.Orders) != 1 || !got.Activity.Orders[0].Paid().Equal(d("10")) {
		t.Errorf("after conflicts, orders = %+v, want o1 paid 10 only", got.Activity.Orders)
	}
	if snap := load1(t, s, "gold", "c2"); snap.Found || len(snap.Activity.Orders) != 0 {
		t.Errorf("a conflicting order left customer c2 behind: %+v", snap)
	}
}

func testCompareAndSwap(t *testing.T, s vip.Store) {
	st := vip.Status{CustomerID: "c1", Ladder: "gold", Tier: "Silver", Checked: t0}
	commit(t, s, vip.Change{Statuses: []vip.Status{st}})
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{st}}); !errors.Is(err, vip.ErrStale) || !errors.Is(err, vip.ErrConflict) {
		t.Fatalf("second insert at version 0 = %v, want ErrStale wrapping ErrConflict", err)
	}
	st.Version, st.Tier = 1, "Gold"
	commit(t, s, vip.Change{Statuses: []vip.Status{st}})
	st.Tier = "Platinum"
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{st}}); !errors.Is(err, vip.ErrStale) {
		t.Fatalf("update at stale version 1 = %v, want ErrStale", err)
	}
	st.Version = 7
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{st}}); !errors.Is(err, vip.ErrStale) {
		t.Fatalf("update at future version 7 = %v, want ErrStale", err)
	}
	got := load1(t, s, "gold", "c1").Status
	if got.Tier != "Gold" || got.Version != 2 {
		t.Errorf("status = tier %q version %d, want Gold at version 2", got.Tier, got.Version)
	}
	// A status at a version above 0 that was never stored (statuses are never deleted)
	// is stale too, alone or among new ones: a store must not insert it.
	ghost := vip.Status{CustomerID: "c9", Ladder: "gold", Tier: "Gold", Checked: t0, Version: 3}
	for _, c := range []vip.Change{{Statuses: []vip.Status{ghost}},
		{Statuses: []vip.Status{{CustomerID: "c7", Ladder: "gold", Tier: "Silver", Checked: t0}, ghost}}} {
		if err := s.Commit(t.Context(), c); !errors.Is(err, vip.ErrStale) {
			t.Errorf("Commit(%d statuses, one at version 3 never stored) = %v, want ErrStale", len(c.Statuses), err)
		}
	}
	for _, id := range []string{"c7", "c9"} {
		if st := load1(t, s, "gold", id).Status; st.Version != 0 {
			t.Errorf("status of %s after the stale commits at version %d, want none stored", id, st.Version)
		}
	}
}

// testLargeChanges: changes of many orders and new statuses (a store may write them
// in chunks) keep idempotency and compare-and-swap row by row: one order with other
// content (the error names it), or one new status stored meanwhile, anywhere in the
// change, fails all of it with the right error; re-sending a part of the orders with new ones stores the new.
func testLargeChanges(t *testing.T, s vip.Store) {
	const n = 150
	var orders []vip.Order
	var sts []vip.Status
	for i := range n {
		orders = append(orders, order(fmt.Sprintf("o%03d", i), fmt.Sprintf("c%03d", i%100), t0.Add(time.Duration(i)*time.Second), "10"))
	}
	for i := range 100 {
		sts = append(sts, vip.Status{CustomerID: fmt.Sprintf("c%03d", i), Ladder: "gold", Tier: "Silver", Checked: t0})
	}
	commit(t, s, vip.Change{Orders: orders[:70]})
	meanwhile := sts[97]
	meanwhile.Tier = "Gold"
	commit(t, s, vip.Change{Statuses: []vip.Status{meanwhile}})
	count := func() int {
		t.Helper()
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = fmt.Sprintf("c%03d", i)
		}
		snaps, err := s.Load(t.Context(), "gold", ids)
		if err != nil {
			t.Fatalf("Load = %v", err)
		}
		k := 0
		for _, cs := range snaps {
			k += len(cs.Activity.Orders)
		}
		return k
	}
	// Stored orders with other content, and a new one repeated with other content.
	for _, at := range []int{0, 33, 69, n} {
		bad := append(slices.Clone(orders), orders[131])
		bad[at] = order(bad[at].ID, bad[at].CustomerID, bad[at].PlacedAt, "11")
		err := s.Commit(t.Context(), vip.Change{Orders: bad})
		if !errors.Is(err, vip.ErrConflict) || errors.Is(err, vip.ErrStale) || !strings.Contains(err.Error(), bad[at].ID) {
			t.Errorf("Commit(%d orders, order %d with other content) = %v, want ErrConflict naming %q", len(bad), at, err, bad[at].ID)
		}
	}
	if got := count(); got != 70 {
		t.Fatalf("after failed changes, %d orders stored, want 70", got)
	}
	err := s.Commit(t.Context(), vip.Change{Orders: orders[30:], Statuses: sts})
	if !errors.Is(err, vip.ErrStale) {
		t.Errorf("Commit(100 new statuses, c097 stored meanwhile) = %v, want ErrStale", err)
	}
	if got := count(); got != 70 {
		t.Fatalf("after a stale change, %d orders stored, want 70", got)
	}
	commit(t, s, vip.Change{Orders: orders[30:], Statuses: slices.Delete(slices.Clone(sts), 97, 98)})
	if got := count(); got != n {
		t.Errorf("after re-sending 40 orders with 80 new, %d orders stored, want %d", got, n)
	}
	if st := load1(t, s, "gold", "c099").Status; st.Version != 1 || st.Tier != "Silver" {
		t.Errorf("status of c099 = %+v, want Silver at version 1", st)
	}
	// A change that fails stores no customer: the next order of that customer does.
	bad := order("o000", "c000", t0, "11")
	if err := s.Commit(t.Context(), vip.Change{Orders: []vip.Order{order("n1", "new", t0, "1"), bad}}); !errors.Is(err, vip.ErrConflict) {
		t.Fatalf("Commit(new customer's order, a conflict) = %v, want ErrConflict", err)
	}
	commit(t, s, vip.Change{Orders: []vip.Order{order("n2", "new", t0, "1")}})
	ids, err := s.Customers(t.Context(), vip.Shard{}, "m", 10)
	if err != nil || !slices.Contains(ids, "new") || !load1(t, s, "gold", "new").Found {
		t.Errorf("after a failed and a good change with orders of customer new: Customers = %v, %v; want it listed and found", ids, err)
	}
}

// testActivityMovesVersions: a change that stores a customer's orders or record moves
// the version of each status of the customer that it does not write, on the same
// ladder or another, and leaves a written status at one step up; with one ladder on
// the store and with two.
func testActivityMovesVersions(t *testing.T, s vip.Store) {
	due := t0.AddDate(0, 6, 0)
	st := func(id, ladder string, v int64) vip.Status {
		return vip.Status{CustomerID: id, Ladder: ladder, Tier: "Silver", Checked: t0, Version: v}
	}
	type row struct {
		ID, Ladder string
		Version    int64
		Key        string
	}
	check := func(step string, want []row) {
		t.Helper()
		var got []row
		for _, w := range want {
			cs := load1(t, s, w.Ladder, w.ID)
			got = append(got, row{w.ID, w.Ladder, cs.Status.Version, cs.DueKey})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: statuses (-want +got):\n%s", step, diff)
		}
	}
	commit(t, s, vip.Change{DueKey: "k", Statuses: []vip.Status{st("c1", "gold", 0), st("c2", "gold", 0)}, Due: []time.Time{due, due}})
	// One ladder: orders of c1 and c2, c2's status written: c1's moves on, unscheduled.
	commit(t, s, vip.Change{DueKey: "k", Orders: []vip.Order{order("o1", "c1", t0, "1"), order("o2", "c2", t0, "1")},
		Statuses: []vip.Status{st("c2", "gold", 1)}, Due: []time.Time{due}})
	check("orders of c1 and c2, c2's status written", []row{{"c1", "gold", 2, ""}, {"c2", "gold", 2, "k"}})
	// Every touched customer's status written: each one step up, nothing else.
	commit(t, s, vip.Change{DueKey: "k", Orders: []vip.Order{order("o3", "c1", t0, "1"), order("o4", "c2", t0, "1")},
		Statuses: []vip.Status{st("c1", "gold", 2), st("c2", "gold", 2)}, Due: []time.Time{due, due}})
	check("orders of c1 and c2, both statuses written", []row{{"c1", "gold", 3, "k"}, {"c2", "gold", 3, "k"}})
	// A customer record alone, status written.
	commit(t, s, vip.Change{DueKey: "k", Customers: []vip.Customer{{ID: "c1", JoinedAt: t0}},
		Statuses: []vip.Status{st("c1", "gold", 3)}, Due: []time.Time{due}})
	check("c1's record with its status", []row{{"c1", "gold", 4, "k"}, {"c2", "gold", 3, "k"}})
	// A second ladder, on c2 only ("club" sorts before "gold", "vip" after).
	commit(t, s, vip.Change{DueKey: "x", Statuses: []vip.Status{st("c2", "club", 0), st("c2", "vip", 0)}, Due: []time.Time{due, due}})
	commit(t, s, vip.Change{DueKey: "k", Orders: []vip.Order{order("o5", "c1", t0, "1")},
		Statuses: []vip.Status{st("c1", "gold", 4)}, Due: []time.Time{due}})
	check("c1's order on gold, other ladders on c2 only", []row{{"c1", "gold", 5, "k"}, {"c2", "gold", 3, "k"}, {"c2", "club", 1, "x"}, {"c2", "vip", 1, "x"}})
	commit(t, s, vip.Change{DueKey: "k", Orders: []vip.Order{order("o6", "c2", t0, "1")},
		Statuses: []vip.Status{st("c2", "gold", 3)}, Due: []time.Time{due}})
	check("c2's order on gold", []row{{"c1", "gold", 5, "k"}, {"c2", "gold", 4, "k"}, {"c2", "club", 2, ""}, {"c2", "vip", 2, ""}})
}

func testAllOrNothing(t *testing.T, s vip.Store) {
	commit(t, s, vip.Change{Statuses: []vip.Status{{CustomerID: "c2", Ladder: "gold", Tier: "Silver"}}})
	bad := []struct {
		name string
		c    vip.Change
		want error
	}{
		{"stale status last", vip.Change{
			Orders:   []vip.Order{order("o1", "c1", t0, "10"), order("o2", "c2", t0, "20")},
			Statuses: []vip.Status{{CustomerID: "c1", Ladder: "gold", Tier: "Gold"}, {CustomerID: "c2", Ladder: "gold", Tier: "Gold"}},
			Events:   []vip.Event{{Kind: vip.EventEnrolled, Ladder: "gold", CustomerID: "c1", At: t0, To: "Gold"}},
		}, vip.ErrStale},
		{"conflicting order last", vip.Change{
			Orders:   []vip.Order{order("o3", "c3", t0, "10"), order("o3", "c3", t0, "11")},
			Statuses: []vip.Status{{CustomerID: "c3", Ladder: "gold", Tier: "Gold"}},
			Events:   []vip.Event{{Kind: vip.EventEnrolled, Ladder: "gold", CustomerID: "c3", At: t0, To: "Gold"}},
		}, vip.ErrConflict},
		{"refund of an unknown order", vip.Change{
			Orders:   []vip.Order{order("o4", "c4", t0, "10")},
			Refunds:  []vip.Refund{{ID: "r1", OrderID: "nope", CustomerID: "c4", At: t0, Currency: "USD", Amount: d("1")}},
			Statuses: []vip.Status{{CustomerID: "c4", Ladder: "gold", Tier: "Gold"}},
			Events:   []vip.Event{{Kind: vip.EventEnrolled, Ladder: "gold", CustomerID: "c4", At: t0, To: "Gold"}},
		}, vip.ErrNotFound},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			if err := s.Commit(t.Context(), b.c); !errors.Is(err, b.want) {
				t.Fatalf("Commit = %v, want %v", err, b.want)
			}
		})
	}
	for _, id := range []string{"c1", "c3", "c4"} {
		if snap := load1(t, s, "gold", id); snap.Found || len(snap.Activity.Orders) != 0 || snap.Status.Version != 0 {
			t.Errorf("customer %s after failed commits: found %v, %d orders, status version %d; want nothing stored", id, snap.Found, len(snap.Activity.Orders), snap.Status.Version)
		}
	}
	if snap := load1(t, s, "gold", "c2"); len(snap.Activity.Orders) != 0 || snap.Status.Tier != "Silver" {
		t.Errorf("customer c2 after a failed commit: %d orders, tier %q; want 0 orders, Silver", len(snap.Activity.Orders), snap.Status.Tier)
	}
	if recs, err := s.Events(t.Context(), 0, 100); err != nil || len(recs) != 0 {
		t.Errorf("Events after failed commits = %d records, %v; want none", len(recs), err)
	}
}

func testNotFound(t *testing.T, s vip.Store) {
	if _, err := s.History(t.Context(), "gold", "ghost"); !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("History of an unknown customer = %v, want ErrNotFound", err)
	}
	snap := load1(t, s, "gold", "ghost")
	want := vip.CustomerState{Activity: vip.Activity{Customer: vip.Customer{ID: "ghost"}}, Status: vip.Status{CustomerID: "ghost", Ladder: "gold"}}
	if diff := cmp.Diff(want, snap, Money); diff != "" {
		t.Errorf("Load of an unknown customer (-want +got):\n%s", diff)
	}
	err := s.Commit(t.Context(), vip.Change{Refunds: []vip.Refund{{ID: "r1", OrderID: "ghost-order", CustomerID: "ghost", At: t0, Currency: "USD", Amount: d("1")}}})
	if !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("refund of an unknown order = %v, want ErrNotFound", err)
	}
	if cur, err := s.Cursor(t.Context(), "never-seen"); err != nil || cur != 0 {
		t.Errorf("Cursor of a new consumer = %d, %v; want 0, nil", cur, err)
	}
}

func testLaddersApart(t *testing.T, s vip.Store) {
	commit(t, s, vip.Change{Orders: []vip.Order{order("o1", "c1", t0, "10")},
		Statuses: []vip.Status{{CustomerID: "c1", Ladder: "gold", Tier: "Gold"}, {CustomerID: "c1", Ladder: "club", Tier: "Member"}},
		Events: []vip.Event{{Kind: vip.EventEnrolled, Ladder: "gold", CustomerID: "c1", At: t0, To: "Gold"},
			{Kind: vip.EventEnrolled, Ladder: "club", CustomerID: "c1", At: t0, To: "Member"}}})
	st := vip.Status{CustomerID: "c1", Ladder: "club", Tier: "Member+", Version: 1}
	commit(t, s, vip.Change{Statuses: []vip.Status{st}})
	g, c := load1(t, s, "gold", "c1"), load1(t, s, "club", "c1")
	type row struct {
		Tier    string
		Version int64
		Orders  int
	}
	got := []row{{g.Status.Tier, g.Status.Version, len(g.Activity.Orders)}, {c.Status.Tier, c.Status.Version, len(c.Activity.Orders)}}
	want := []row{{"Gold", 1, 1}, {"Member+", 2, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses of one customer on two ladders (-want +got):\n%s", diff)
	}
	hist, err := s.History(t.Context(), "club", "c1")
	if err != nil || len(hist) != 1 || hist[0].Event.To != "Member" {
		t.Errorf("History(club) = %+v, %v; want the one club event", hist, err)
	}
}

func testCustomersPaged(t *testing.T, s vip.Store) {
	var all []string
	var orders []vip.Order
	for i := range 57 {
		id := fmt.Sprintf("cust-%03d", i)
		all = append(all, id)
		orders = append(orders, order("o"+id, id, t0, "1"))
	}
	commit(t, s, vip.Change{Orders: orders[:30]})
	commit(t, s, vip.Change{Customers: []vip.Customer{{ID: all[30], JoinedAt: t0}}, Orders: orders[31:]})
	page := func(shard vip.Shard, size int) []string {
		var got []string
		after := ""
		for {
			ids, err := s.Customers(t.Context(), shard, after, size)
			if err != nil {
				t.Fatalf("Customers(%+v, %q, %d) = %v", shard, after, size, err)
			}
			if len(ids) > size {
				t.Fatalf("Customers(%+v, %q, %d) returned %d IDs", shard, after, size, len(ids))
			}
			if len(ids) == 0 {
				return got
			}
			got = append(got, ids...)
			after = ids[len(ids)-1]
		}
	}
	if diff := cmp.Diff(all, page(vip.Shard{}, 10)); diff != "" {
		t.Errorf("all customers in pages of 10 (-want +got):\n%s", diff)
	}
	var union []string
	for i := range 4 {
		sh := vip.Shard{Index: i, Count: 4}
		got := page(sh, 7)
		var want []string
		for _, id := range all {
			if vip.ShardOf(id, 4) == i {
				want = append(want, id)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("shard %d of 4 (-want +got):\n%s", i, diff)
		}
		union = append(union, got...)
	}
	slices.Sort(union)
	if diff := cmp.Diff(all, union); diff != "" {
		t.Errorf("the four shards together (-want +got):\n%s", diff)
	}
	if _, err := s.Customers(t.Context(), vip.Shard{Index: 4, Count: 4}, "", 10); err == nil {
		t.Errorf("Customers(shard 4 of 4) = nil error, want an invalid shard")
	}
}

// testCursorExactlyOnce: writers log events while a reader follows the log with
// Events and Ack; every event is read exactly once and in sequence order.
func testCursorExactlyOnce(t *testing.T, s vip.Store) {
	const writers, perWriter = 4, 25
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := s.Commit(t.Context(), vip.Change{Source: vip.SourceReview, Events: []vip.Event{
					{Kind: vip.EventNearNextTier, Ladder: "gold", CustomerID: id, At: t0, Reason: "a"},
					{Kind: vip.EventNearNextTier, Ladder: "gold", CustomerID: id, At: t0, Reason: "b"}}})
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[string]int{}
	var last int64
	read := func() int {
		cur, err := s.Cursor(t.Context(), "mailer")
		if err != nil {
			t.Fatalf("Cursor = %v", err)
		}
		recs, err := s.Events(t.Context(), cur, 7)
		if err != nil {
			t.Fatalf("Events(%d, 7) = %v", cur, err)
		}
		for _, r := range recs {
			if r.Seq <= last {
				t.Fatalf("event %d read after %d", r.Seq, last)
			}
			last = r.Seq
			seen[r.Event.CustomerID+"/"+r.Event.Reason]++
		}
		if len(recs) > 0 {
			if err := s.Ack(t.Context(), "mailer", cur, recs[len(recs)-1].Seq); err != nil {
				t.Fatalf("Ack(%d, %d) = %v", cur, recs[len(recs)-1].Seq, err)
			}
		}
		return len(recs)
	}
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			read()
		}
	}
	for read() > 0 {
	}
	close(errc)
	for err := range errc {
		t.Fatalf("a writer's Commit = %v", err)
	}
	if len(seen) != writers*perWriter*2 {
		t.Errorf("read %d distinct events, want %d", len(seen), writers*perWriter*2)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("event %s read %d times, want once", k, n)
		}
	}
}

func testAckCAS(t *testing.T, s vip.Store) {
	var evs []vip.Event
	for i := range 5 {
		evs = append(evs, vip.Event{Kind: vip.EventEnrolled, Ladder: "gold", CustomerID: fmt.Sprint("c", i), At: t0})
	}
	commit(t, s, vip.Change{Events: evs})
	recs, err := s.Events(t.Context(), 0, 3)
	if err != nil || len(recs) != 3 {
		t.Fatalf("Events(0, 3) = %d records, %v; want 3", len(recs), err)
	}
	const readers = 8
	var wins, stale int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Ack(t.Context(), "mailer", 0, recs[2].Seq)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, vip.ErrStale):
				stale++
			default:
				t.Errorf("Ack = %v, want nil or ErrStale", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || stale != readers-1 {
		t.Errorf("%d readers acknowledging the same batch: %d won, %d stale; want 1 and %d", readers, wins, stale, readers-1)
	}
	if err := s.Ack(t.Context(), "mailer", recs[2].Seq, recs[0].Seq); !errors.Is(err, vip.ErrStale) {
		t.Errorf("Ack backwards = %v, want ErrStale", err)
	}
	rest, err := s.Events(t.Context(), recs[2].Seq, 10)
	if err != nil || len(rest) != 2 || rest[0].Event.CustomerID != "c3" || rest[1].Event.CustomerID != "c4" {
		t.Errorf("Events after the cursor = %+v, %v; want c3 and c4", rest, err)
	}
	if cur, _ := s.Cursor(t.Context(), "mailer"); cur != recs[2].Seq {
		t.Errorf("Cursor = %d, want %d", cur, recs[2].Seq)
	}
	if cur, _ := s.Cursor(t.Context(), "other"); cur != 0 {
		t.Errorf("another consumer's Cursor = %d, want 0", cur)
	}
}

// testConcurrentWriters: goroutines load, change and commit the same customers'
// statuses, retrying on ErrStale; no update is lost.
func testConcurrentWriters(t *testing.T, s vip.Store) {
	const writers, updates, customers = 6, 20, 3
	var wg sync.WaitGroup
	var failed sync.Map
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range updates {
				id := fmt.Sprintf("c%d", (w+i)%customers)
				for attempt := 0; ; attempt++ {
					snaps, err := s.Load(t.Context(), "gold", []string{id})
					if err != nil {
						failed.Store(w, err)
						return
					}
					st := snaps[0].Status
					st.Warned++ // the counter under test
					oid := fmt.Sprintf("o-w%d-%d", w, i)
					err = s.Commit(t.Context(), vip.Change{Orders: []vip.Order{order(oid, id, t0, "1")}, Statuses: []vip.Status{st},
						Events: []vip.Event{{Kind: vip.EventNearNextTier, Ladder: "gold", CustomerID: id, At: t0, Reason: oid}}})
					if err == nil {
						break
					}
					if !errors.Is(err, vip.ErrStale) || attempt > 1000 {
						failed.Store(w, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	failed.Range(func(k, v any) bool { t.Errorf("writer %v: %v", k, v); return true })
	total := 0
	for c := range customers {
		snap := load1(t, s, "gold", fmt.Sprintf("c%d", c))
		if int64(snap.Status.Warned) != snap.Status.Version || snap.Status.Warned != len(snap.Activity.Orders) {
			t.Errorf("customer c%d: counter %d, version %d, %d orders; want all equal", c, snap.Status.Warned, snap.Status.Version, len(snap.Activity.Orders))
		}
		total += snap.Status.Warned
	}
	if total != writers*updates {
		t.Errorf("counters add up to %d, want %d: updates were lost", total, writers*updates)
	}
	recs, err := s.Events(t.Context(), 0, 10*writers*updates)
	if err != nil || len(recs) != writers*updates {
		t.Errorf("Events = %d, %v; want %d, one per committed update", len(recs), err, writers*updates)
	}
	var reasons []string
	for _, r := range recs {
		reasons = append(reasons, r.Event.Reason)
	}
	slices.Sort(reasons)
	if n := len(slices.Compact(reasons)); n != writers*updates {
		t.Errorf("%d distinct events, want %d", n, writers*updates)
	}
}

// testDue: the review schedule stored with statuses, and Due's listing of it.
func testDue(t *testing.T, s vip.Store) {
	at := t0.AddDate(0, 1, 0)
	st := func(id string) vip.Status {
		return vip.Status{CustomerID: id, Ladder: "gold", Tier: "Silver", Checked: t0}
	}
	// c1 due before at, c2 exactly at, c3 after, c4 never; c5 with another key, c6
	// without one; c7 has no status on gold; c8's schedule goes stale below.
	var custs []vip.Customer
	for i := 1; i <= 8; i++ {
		custs = append(custs, vip.Customer{ID: fmt.Sprint("c", i), JoinedAt: t0})
	}
	commit(t, s, vip.Change{Source: vip.SourceIngest, DueKey: "k1", Customers: custs,
		Orders:   []vip.Order{order("o1", "c1", t0, "1"), order("o7", "c7", t0, "1")},
		Statuses: []vip.Status{st("c1"), st("c2"), st("c3"), st("c4"), st("c8")},
		Due:      []time.Time{at.Add(-time.Hour), at, at.Add(time.Microsecond), {}, at.AddDate(1, 0, 0)}})
	commit(t, s, vip.Change{DueKey: "k0", Statuses: []vip.Status{st("c5")}, Due: []time.Time{at.AddDate(1, 0, 0)}})
	commit(t, s, vip.Change{Statuses: []vip.Status{st("c6")}})
	q := vip.DueQuery{Ladder: "gold", Key: "k1", At: at, Limit: 100}
	due := func(q vip.DueQuery) []string {
		t.Helper()
		ids, err := s.Due(t.Context(), q)
		if err != nil {
			t.Fatalf("Due(%+v) = %v", q, err)
		}
		return ids
	}
	if diff := cmp.Diff([]string{"c1", "c2", "c5", "c6", "c7"}, due(q)); diff != "" {
		t.Errorf("Due at %s (-want +got):\n%s", at, diff)
	}
	got := load1(t, s, "gold", "c3")
	if !got.Due.Equal(at.Add(time.Microsecond)) || got.DueKey != "k1" {
		t.Errorf("Load(c3) schedule = %s %q, want %s %q", got.Due, got.DueKey, at.Add(time.Microsecond), "k1")
	}
	if got := load1(t, s, "gold", "c4"); !got.Due.IsZero() || got.DueKey != "k1" || got.IsDue("k1", at.AddDate(100, 0, 0)) {
		t.Errorf("Load(c4) schedule = %s %q, want nothing scheduled under k1", got.Due, got.DueKey)
	}
	// Another ladder's change stores an order of c8 (and writes its own status):
	// c8's gold schedule is stale; a change of c3's gold status alone keeps c3's.
	commit(t, s, vip.Change{DueKey: "x", Orders: []vip.Order{order("o8", "c8", t0, "1")},
		Statuses: []vip.Status{{CustomerID: "c8", Ladder: "club", Checked: t0}}, Due: []time.Time{{}}})
	c3 := load1(t, s, "gold", "c3").Status
	commit(t, s, vip.Change{DueKey: "k1", Statuses: []vip.Status{c3}, Due: []time.Time{at.AddDate(0, 0, 1)}})
	if diff := cmp.Diff([]string{"c1", "c2", "c5", "c6", "c7", "c8"}, due(q)); diff != "" {
		t.Errorf("Due after another ladder stored c8's order (-want +got):\n%s", diff)
	}
	if got := load1(t, s, "club", "c8"); got.DueKey != "x" {
		t.Errorf("c8's club schedule key = %q, want x (written by the change itself)", got.DueKey)
	}
	// Paging and shards, as Customers.
	q.Limit = 2
	var paged []string
	for {
		ids := due(q)
		if len(ids) == 0 {
			break
		}
		paged = append(paged, ids...)
		q.After = ids[len(ids)-1]
	}
	if diff := cmp.Diff([]string{"c1", "c2", "c5", "c6", "c7", "c8"}, paged); diff != "" {
		t.Errorf("Due in pages of 2 (-want +got):\n%s", diff)
	}
	var union []string
	for i := range 3 {
		ids := due(vip.DueQuery{Ladder: "gold", Key: "k1", At: at, Limit: 100, Shard: vip.Shard{Index: i, Count: 3}})
		for _, id := range ids {
			if vip.ShardOf(id, 3) != i {
				t.Errorf("Due(shard %d of 3) listed %s, of shard %d", i, id, vip.ShardOf(id, 3))
			}
		}
		union = append(union, ids...)
	}
	slices.Sort(union)
	if diff := cmp.Diff(paged, union); diff != "" {
		t.Errorf("Due of three shards together (-want +got):\n%s", diff)
	}
	if err := s.Commit(t.Context(), vip.Change{Statuses: []vip.Status{st("c9")}, Due: []time.Time{at, at}}); err == nil {
		t.Errorf("Commit with 1 status and 2 due instants = nil error, want a refusal")
	}
}
