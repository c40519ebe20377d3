package vip_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/memstore"
)

// engLadder is the brief's ladder: $2,000 / $5,000 / $10,000 of net spend over a
// rolling 12 months, 3 months' grace, one tier down per landing, warnings off so that
// the expected events are few.
const engLadderJSON = `{"name": "vip", "currency": "USD",
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "grace_months": 3, "landing": {"max_steps": 1}, "warnings": {"days": []}}`

func engLadder(t testing.TB) vip.Ladder {
	t.Helper()
	l, err := vip.ParseLadder([]byte(engLadderJSON))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// fixedClock is a settable Clock.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func engOrder(id, customer string, at time.Time, paid string) vip.Order {
	p := decimal.RequireFromString(paid)
	return vip.Order{ID: id, CustomerID: customer, PlacedAt: at, Currency: "USD",
		Lines: []vip.Line{{SKU: "sku", Quantity: 1, ListPrice: p, PaidPrice: p}}}
}

func newEngine(t testing.TB, now time.Time) (*vip.Engine, *fixedClock, *memstore.Store) {
	t.Helper()
	clk := &fixedClock{t: now}
	s := memstore.New()
	e, err := vip.NewEngine(s, engLadder(t), &vip.EngineOptions{Clock: clk.Now, PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	return e, clk, s
}

type evRow struct {
	Kind     vip.EventKind
	At       time.Time
	From, To string
	Reason   string
}

func rows(recs []vip.Record) []evRow {
	var out []evRow
	for _, r := range recs {
		out = append(out, evRow{r.Event.Kind, r.Event.At, r.Event.From, r.Event.To, r.Event.Reason})
	}
	return out
}

func TestEngine_Ingest(t *testing.T) {
	ctx := context.Background()
	e, _, s := newEngine(t, day(2025, 3, 1))
	batch := vip.Batch{Orders: []vip.Order{engOrder("o1", "c1", day(2025, 1, 10), "1500"), engOrder("o2", "c1", day(2025, 2, 1), "600")}}

	t.Run("OK", func(t *testing.T) {
		res, err := e.Ingest(ctx, batch)
		if err != nil {
			t.Fatalf("Ingest = %v", err)
		}
		if res.Orders != 2 || res.Customers != 1 || res.Duplicates != 0 {
			t.Errorf("Ingest result = %+v, want 2 orders, 1 customer, 0 duplicates", res)
		}
		st, err := e.Status(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		// 1500 + 600 = 2100 >= 2000 from the second order on.
		if st.Tier != "Silver" || !st.Since.Equal(day(2025, 2, 1)) || st.Version != 1 || !st.Checked.Equal(day(2025, 3, 1)) {
			t.Errorf("status = %+v, want Silver since 2025-02-01, version 1, checked 2025-03-01", st)
		}
		hist, err := e.History(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		want := []evRow{{vip.EventEnrolled, day(2025, 2, 1), "", "Silver", "activity"}}
		if diff := cmp.Diff(want, rows(hist)); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
		a, err := e.Activity(ctx, "c1")
		if err != nil || !a.Customer.JoinedAt.Equal(day(2025, 1, 10)) {
			t.Errorf("stored customer = %+v, %v; want joined at the first order, 2025-01-10", a.Customer, err)
		}
	})

	t.Run("ResentIsHarmless", func(t *testing.T) {
		again := batch
		again.Orders = append([]vip.Order{engOrder("o1", "c1", day(2025, 1, 10).In(time.FixedZone("X", 7200)), "1500.00")}, batch.Orders...)
		res, err := e.Ingest(ctx, again)
		if err != nil {
			t.Fatalf("Ingest of a re-sent batch = %v", err)
		}
		if res.Orders != 0 || res.Duplicates != 3 || res.Customers != 0 || len(res.Events) != 0 {
			t.Errorf("re-sent batch result = %+v, want 0 orders, 3 duplicates, nothing evaluated", res)
		}
		if st, _ := e.Status(ctx, "c1"); st.Version != 1 {
			t.Errorf("status version after a re-sent batch = %d, want 1", st.Version)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		bad := vip.Batch{Orders: []vip.Order{engOrder("o3", "c2", day(2025, 2, 2), "10"), engOrder("o1", "c1", day(2025, 1, 10), "1499")}}
		if _, err := e.Ingest(ctx, bad); !errors.Is(err, vip.ErrConflict) || !strings.Contains(err.Error(), `"o1"`) {
			t.Fatalf("Ingest of order o1 with another amount = %v, want ErrConflict naming o1", err)
		}
		if _, err := e.Status(ctx, "c2"); !errors.Is(err, vip.ErrNotFound) {
			t.Errorf("the rest of a conflicting batch was stored: Status(c2) = %v, want ErrNotFound", err)
		}
		// The same ID under another customer: only the store can see it.
		if _, err := e.Ingest(ctx, vip.Batch{Orders: []vip.Order{engOrder("o1", "c9", day(2025, 1, 10), "1500")}}); !errors.Is(err, vip.ErrConflict) {
			t.Errorf("order o1 re-used for customer c9 = %v, want ErrConflict", err)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := e.Status(ctx, "nobody"); !errors.Is(err, vip.ErrNotFound) {
			t.Errorf("Status(nobody) = %v, want ErrNotFound", err)
		}
		if _, err := e.Progress(ctx, "nobody"); !errors.Is(err, vip.ErrNotFound) {
			t.Errorf("Progress(nobody) = %v, want ErrNotFound", err)
		}
		if _, err := e.TierChanges(ctx, "nobody"); !errors.Is(err, vip.ErrNotFound) {
			t.Errorf("TierChanges(nobody) = %v, want ErrNotFound", err)
		}
	})
	recs, _ := s.Events(ctx, 0, 100)
	if len(recs) != 1 {
		t.Errorf("event log holds %d events after the subtests, want the one enrolment", len(recs))
	}
}

// TestEngine_Ingest_BadInput: an invalid batch stores nothing, and the error names
// every bad field.
func TestEngine_Ingest_BadInput(t *testing.T) {
	ctx := context.Background()
	good := engOrder("g1", "c1", day(2025, 1, 1), "100")
	negQty := engOrder("b1", "c1", day(2025, 1, 2), "5")
	negQty.Lines[0].Quantity = -1
	eur := engOrder("b2", "c2", day(2025, 1, 2), "5")
	eur.Currency = "EUR"
	noCust := engOrder("b3", "", day(2025, 1, 2), "5")
	cases := []struct {
		name  string
		batch vip.Batch
		want  []error
		names []string
	}{
		{"invalid orders", vip.Batch{Orders: []vip.Order{good, negQty, eur, noCust}},
			[]error{vip.ErrInvalidOrder, vip.ErrCurrencyMismatch}, []string{"quantity -1", "currency EUR", "customer_id is empty"}},
		{"refund above the order", vip.Batch{Orders: []vip.Order{good},
			Refunds: []vip.Refund{{ID: "r1", OrderID: "g1", CustomerID: "c1", At: day(2025, 1, 3), Currency: "USD", Amount: decimal.RequireFromString("100.01")}}},
			[]error{vip.ErrRefundExceedsOrder}, []string{"100.01"}},
		{"refund of an unknown order", vip.Batch{Orders: []vip.Order{good},
			Refunds: []vip.Refund{{ID: "r1", OrderID: "zz", CustomerID: "c1", At: day(2025, 1, 3), Currency: "USD", Amount: decimal.RequireFromString("1")}}},
			[]error{vip.ErrInvalidActivity}, []string{`"zz"`}},
		{"invalid refund", vip.Batch{Orders: []vip.Order{good},
			Refunds: []vip.Refund{{ID: "r1", OrderID: "g1", CustomerID: "c1", Currency: "USD", Amount: decimal.RequireFromString("-1")}}},
			[]error{vip.ErrInvalidRefund}, []string{"at is zero", "amount -1"}},
		{"invalid customer", vip.Batch{Customers: []vip.Customer{{ID: "c1", TimeZone: "Mars/Olympus"}}, Orders: []vip.Order{good}},
			[]error{vip.ErrInvalidCustomer}, []string{"joined_at", "Mars/Olympus"}},
		{"same ID twice, other content", vip.Batch{Orders: []vip.Order{good, engOrder("g1", "c1", day(2025, 1, 1), "101")}},
			[]error{vip.ErrConflict}, []string{`"g1"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, _, s := newEngine(t, day(2025, 3, 1))
			_, err := e.Ingest(ctx, c.batch)
			if err == nil {
				t.Fatalf("Ingest = nil, want an error")
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Errorf("Ingest = %v, want it to wrap %v", err, w)
				}
			}
			for _, n := range c.names {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("Ingest error %q does not name %q", err, n)
				}
			}
			ids, _ := s.Customers(ctx, vip.Shard{}, "", 10)
			recs, _ := s.Events(ctx, 0, 10)
			if len(ids) != 0 || len(recs) != 0 {
				t.Errorf("a rejected batch left %d customers and %d events, want none", len(ids), len(recs))
			}
		})
	}
}

func TestEngine_Review(t *testing.T) {
	ctx := context.Background()
	e, clk, s := newEngine(t, day(2025, 3, 1))
	var orders []vip.Order
	// c1: Silver from 2025-02-01; the 1500 rolls off on 2026-01-10 (grace to 2026-04-10).
	orders = append(orders, engOrder("o1", "c1", day(2025, 1, 10), "1500"), engOrder("o2", "c1", day(2025, 2, 1), "600"))
	if _, err := e.Ingest(ctx, vip.Batch{Orders: orders}); err != nil {
		t.Fatal(err)
	}
	// c2..c8: Gold from 2025-06-15, which stays in the window through the review.
	clk.Set(day(2025, 6, 20))
	orders = nil
	for i := 2; i <= 8; i++ {
		id := fmt.Sprint("c", i)
		orders = append(orders, engOrder("a"+id, id, day(2025, 6, 15), "5000"))
	}
	if _, err := e.Ingest(ctx, vip.Batch{Orders: orders}); err != nil {
		t.Fatal(err)
	}

	clk.Set(day(2026, 5, 1).Add(-12 * time.Hour))
	res, err := e.Review(ctx, vip.Shard{})
	if err != nil {
		t.Fatalf("Review = %v", err)
	}
	// Only c1 is due and changes (grace, then landing). c2..c8 are not due: their June
	// order keeps Gold until it leaves the window on 2026-06-15, then grace runs to
	// 2026-09-15, and the warnings 60 and 30 days before that fall after the review.
	if res.Customers != 1 || res.Changed != 1 || res.Events != 2 {
		t.Errorf("Review = %+v, want 1 customer looked at, 1 changed, 2 events", res)
	}
	hist, _ := e.History(ctx, "c1")
	want := []evRow{
		{vip.EventEnrolled, day(2025, 2, 1), "", "Silver", "activity"},
		{vip.EventGraceStarted, day(2026, 1, 10), "Silver", "Silver", "grace"},
		{vip.EventDowngraded, day(2026, 4, 10), "Silver", "", "landing"},
	}
	if diff := cmp.Diff(want, rows(hist)); diff != "" {
		t.Errorf("c1's history (-want +got):\n%s", diff)
	}
	for i := 2; i <= 8; i++ {
		if st, _ := e.Status(ctx, fmt.Sprint("c", i)); st.Tier != "Gold" {
			t.Errorf("c%d tier = %q, want Gold", i, st.Tier)
		}
	}

	t.Run("AgainChangesNothing", func(t *testing.T) {
		before, _ := s.Events(ctx, 0, 1000)
		st1, _ := e.Status(ctx, "c1")
		res, err := e.Review(ctx, vip.Shard{})
		if err != nil || res.Changed != 0 || res.Events != 0 {
			t.Errorf("second Review at the same instant = %+v, %v; want nothing changed", res, err)
		}
		after, _ := s.Events(ctx, 0, 1000)
		st2, _ := e.Status(ctx, "c1")
		if len(after) != len(before) || st2.Version != st1.Version {
			t.Errorf("second review: %d -> %d events, version %d -> %d; want no change", len(before), len(after), st1.Version, st2.Version)
		}
	})

	t.Run("TierChanges", func(t *testing.T) {
		got, err := e.TierChanges(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		type row struct{ From, To, Cause, Reason string }
		var have []row
		for _, c := range got {
			have = append(have, row{c.From, c.To, c.Cause, c.Reason})
		}
		want := []row{{"", "Silver", vip.CauseRule, "activity"}, {"Silver", "", vip.CauseReview, "landing"}}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("audit trail (-want +got):\n%s", diff)
		}
	})
}

// TestEngine_Review_Shards: reviewing the four shards one after another does what one
// review of everyone does.
func TestEngine_Review_Shards(t *testing.T) {
	ctx := context.Background()
	build := func() (*vip.Engine, *memstore.Store) {
		e, clk, s := newEngine(t, day(2025, 6, 1))
		var orders []vip.Order
		for i := range 40 {
			id := fmt.Sprintf("c%02d", i)
			orders = append(orders, engOrder("o"+id, id, day(2025, 1, 1+i%28), fmt.Sprint(1000+i*300)))
		}
		if _, err := e.Ingest(ctx, vip.Batch{Orders: orders}); err != nil {
			t.Fatal(err)
		}
		clk.Set(day(2026, 3, 1))
		return e, s
	}
	one, s1 := build()
	whole, err := one.Review(ctx, vip.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	four, s4 := build()
	total := 0
	for i := range 4 {
		res, err := four.Review(ctx, vip.Shard{Index: i, Count: 4})
		if err != nil {
			t.Fatal(err)
		}
		total += res.Customers
	}
	if total != whole.Customers || total == 0 {
		t.Errorf("four shards looked at %d customers, one review of all at %d", total, whole.Customers)
	}
	for i := range 40 {
		id := fmt.Sprintf("c%02d", i)
		a, _ := s1.Load(ctx, "vip", []string{id})
		b, _ := s4.Load(ctx, "vip", []string{id})
		if !a[0].Status.Equal(b[0].Status) {
			t.Errorf("customer %s: one review gives %+v, four shards %+v", id, a[0].Status, b[0].Status)
		}
	}
}

// TestEngine_Ingest_Late: an order placed before the last evaluation restates the
// status as a fresh evaluation would have it.
func TestEngine_Ingest_Late(t *testing.T) {
	ctx := context.Background()
	e, clk, _ := newEngine(t, day(2025, 6, 10))
	if _, err := e.Ingest(ctx, vip.Batch{Orders: []vip.Order{engOrder("o2", "c1", day(2025, 6, 1), "1500")}}); err != nil {
		t.Fatal(err)
	}
	clk.Set(day(2025, 7, 1))
	res, err := e.Ingest(ctx, vip.Batch{Orders: []vip.Order{engOrder("o1", "c1", day(2025, 5, 1), "600")}})
	if err != nil {
		t.Fatal(err)
	}
	want := []evRow{{vip.EventEnrolled, day(2025, 7, 1), "", "Silver", "restated"}}
	var got []evRow
	for _, ev := range res.Events {
		got = append(got, evRow{ev.Kind, ev.At, ev.From, ev.To, ev.Reason})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events of a late order (-want +got):\n%s", diff)
	}
	st, _ := e.Status(ctx, "c1")
	// 600 on May 1 and 1500 on June 1: Silver since June 1 in a fresh evaluation.
	if st.Tier != "Silver" || !st.Since.Equal(day(2025, 6, 1)) {
		t.Errorf("restated status = %+v, want Silver since 2025-06-01", st)
	}
}

func TestEngine_Place(t *testing.T) {
	ctx := context.Background()
	e, clk, _ := newEngine(t, day(2025, 3, 1))
	if _, err := e.Ingest(ctx, vip.Batch{Orders: []vip.Order{engOrder("o1", "c1", day(2025, 2, 1), "2500")}}); err != nil {
		t.Fatal(err)
	}
	clk.Set(day(2025, 3, 2))
	st, err := e.Place(ctx, "c1", vip.Override{Kind: vip.OverrideFloor, Tier: "Gold", Until: day(2025, 9, 1), Reason: vip.ReasonStatusMatch, By: "ops"})
	if err != nil {
		t.Fatalf("Place = %v", err)
	}
	if st.Tier != "Gold" || st.Version != 2 {
		t.Errorf("Place = tier %q version %d, want Gold at version 2", st.Tier, st.Version)
	}
	changes, _ := e.TierChanges(ctx, "c1")
	if len(changes) != 2 || changes[1].To != "Gold" || changes[1].Cause != vip.CauseOverride {
		t.Errorf("audit trail = %+v, want enrolment then an override to Gold", changes)
	}
	if _, err := e.Place(ctx, "ghost", vip.Override{Kind: vip.OverrideFloor, Tier: "Gold", Until: day(2025, 9, 1), Reason: "x"}); !errors.Is(err, vip.ErrNotFound) {
		t.Errorf("Place(ghost) = %v, want ErrNotFound", err)
	}
	p, err := e.Progress(ctx, "c1")
	if err != nil || p.Tier != "Gold" || p.Next != "Platinum" || !p.Value.Equal(decimal.NewFromInt(2500)) {
		t.Errorf("Progress = %+v, %v; want Gold, next Platinum, value 2500", p, err)
	}
}

func TestEngine_Deliver(t *testing.T) {
	ctx := context.Background()
	e, _, _ := newEngine(t, day(2025, 12, 1))
	var orders []vip.Order
	for i := range 5 {
		orders = append(orders, engOrder(fmt.Sprint("o", i), fmt.Sprint("c", i), day(2025, 1, 1), "2000"))
	}
	if _, err := e.Ingest(ctx, vip.Batch{Orders: orders}); err != nil {
		t.Fatal(err)
	}
	var got []string
	mail := func(_ context.Context, recs []vip.Record) error {
		for _, r := range recs {
			got = append(got, r.Event.CustomerID+":"+string(r.Event.Kind))
		}
		return nil
	}
	fail := func(context.Context, []vip.Record) error { return errors.New("smtp down") }
	if n, err := e.Deliver(ctx, "mail", 2, fail); err == nil || n != 0 {
		t.Fatalf("Deliver with a failing handler = %d, %v; want 0 and its error", n, err)
	}
	for {
		n, err := e.Deliver(ctx, "mail", 2, mail)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	want := []string{"c0:enrolled", "c1:enrolled", "c2:enrolled", "c3:enrolled", "c4:enrolled"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestNewEngine_Errors(t *testing.T) {
	if _, err := vip.NewEngine(nil, engLadder(t), nil); err == nil {
		t.Errorf("NewEngine(nil store) = nil error")
	}
	if _, err := vip.NewEngine(memstore.New(), vip.Ladder{}, nil); !errors.Is(err, vip.ErrInvalidLadder) {
		t.Errorf("NewEngine(zero ladder) = %v, want ErrInvalidLadder", err)
	}
}

// TestEngine_Review_BadCustomer: a customer the ladder cannot evaluate does not stop
// the review of the others.
func TestEngine_Review_BadCustomer(t *testing.T) {
	ctx := context.Background()
	e, clk, s := newEngine(t, day(2025, 3, 1))
	var orders []vip.Order
	for i := range 7 {
		orders = append(orders, engOrder(fmt.Sprint("o", i), fmt.Sprint("c", i), day(2025, 1, 10), "2500"))
	}
	if _, err := e.Ingest(ctx, vip.Batch{Orders: orders}); err != nil {
		t.Fatal(err)
	}
	// c3's stored tier is one the ladder no longer has (a renamed tier, say).
	st, _ := e.Status(ctx, "c3")
	st.Tier = "Diamond"
	if err := s.Commit(ctx, vip.Change{Statuses: []vip.Status{st}}); err != nil {
		t.Fatal(err)
	}
	clk.Set(day(2026, 5, 1))
	res, err := e.Review(ctx, vip.Shard{})
	if !errors.Is(err, vip.ErrInvalidStatus) || !strings.Contains(err.Error(), `"c3"`) {
		t.Errorf("Review = %v, want ErrInvalidStatus naming c3", err)
	}
	// Six good customers each lose Silver: grace from 2026-01-10, landing 2026-04-10.
	if res.Customers != 7 || res.Failed != 1 || res.Changed != 6 || res.Events != 12 {
		t.Errorf("Review = %+v, want 7 customers, 1 failed, 6 changed, 12 events", res)
	}
	if st, _ := e.Status(ctx, "c6"); st.Tier != "" {
		t.Errorf("c6 after the review: tier %q, want none", st.Tier)
	}
}

// staleStore fails every commit with ErrStale, as a store whose customers another
// writer keeps changing would.
type staleStore struct {
	vip.Store
	commits int
}

func (s *staleStore) Commit(context.Context, vip.Change) error {
	s.commits++
	return fmt.Errorf("test: %w", vip.ErrStale)
}

// TestEngine_Ingest_RetriesBounded: a write that keeps meeting a newer version gives
// up after MaxRetries retries with ErrStale.
func TestEngine_Ingest_RetriesBounded(t *testing.T) {
	s := &staleStore{Store: memstore.New()}
	e, err := vip.NewEngine(s, engLadder(t), &vip.EngineOptions{Clock: func() time.Time { return day(2025, 3, 1) }, MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Ingest(context.Background(), vip.Batch{Orders: []vip.Order{engOrder("o1", "c1", day(2025, 2, 1), "10")}})
	if !errors.Is(err, vip.ErrStale) || !errors.Is(err, vip.ErrConflict) {
		t.Errorf("Ingest = %v, want ErrStale (an ErrConflict)", err)
	}
	if s.commits != 4 {
		t.Errorf("%d commits tried, want 4 (the first and 3 retries)", s.commits)
	}
}
