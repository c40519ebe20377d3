package vip_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// dec parses a decimal literal or fails the test.
func dec(tb testing.TB, s string) decimal.Decimal {
	tb.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		tb.Fatalf("decimal %q: %v", s, err)
	}
	return d
}

// cmpOpts compare decimals by value and times by instant.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
}

// briefLadder loads the brief's Silver/Gold/Platinum ladder from testdata.
func briefLadder(tb testing.TB) vip.Ladder {
	tb.Helper()
	data, err := os.ReadFile("testdata/brief-ladder.json")
	if err != nil {
		tb.Fatal(err)
	}
	l, err := vip.ParseLadder(data)
	if err != nil {
		tb.Fatalf("ParseLadder: %v", err)
	}
	return l
}

// order builds a one-line order of amount paid at t.
func order(id, customer string, t time.Time, amount string) vip.Order {
	d := decimal.RequireFromString(amount)
	return vip.Order{ID: id, CustomerID: customer, PlacedAt: t, Currency: "USD",
		Lines: []vip.Line{{SKU: "sku-" + id, Category: "cat", Quantity: 1, ListPrice: d, PaidPrice: d, UnitCost: d.Div(decimal.NewFromInt(2))}}}
}

func utc(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

// TestLadder_Evaluate_BriefLadder walks one customer through the brief's ladder: enrol,
// upgrade, orders rolling off, grace with its warnings, and a one-step soft landing.
// Every expected value is worked out by hand in the comments.
func TestLadder_Evaluate_BriefLadder(t *testing.T) {
	l := briefLadder(t)
	a := &vip.Activity{
		Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)},
		Orders: []vip.Order{
			order("o1", "c1", utc(2025, 1, 10, 10), "2500"), // 2,500: Silver; halfway to Gold
			order("o2", "c1", utc(2025, 3, 1, 10), "3000"),  // 5,500: Gold; 55% of Platinum
		},
	}
	var got []vip.Event
	st := vip.Status{}
	// Evaluate at a monthly cadence; catch-up must make the cadence irrelevant.
	for now := utc(2025, 1, 1, 0); now.Before(utc(2026, 9, 1, 0)); now = now.AddDate(0, 1, 0) {
		var evs []vip.Event
		var err error
		st, evs, err = l.Evaluate(st, a, now)
		if err != nil {
			t.Fatalf("Evaluate(%s): %v", now, err)
		}
		got = append(got, evs...)
	}
	base := vip.Event{Ladder: "vip", CustomerID: "c1", Measure: vip.MeasureNetSpend}
	ev := func(e vip.Event) vip.Event {
		e.Ladder, e.CustomerID = base.Ladder, base.CustomerID
		if e.Measure == "" {
			e.Measure = base.Measure
		}
		return e
	}
	want := []vip.Event{
		ev(vip.Event{Kind: vip.EventEnrolled, At: utc(2025, 1, 10, 10), To: "Silver", Crossed: []string{"Silver"},
			Rewards: []string{"silver-welcome"}, Value: dec(t, "2500"), Reason: "activity"}),
		// Gold needs 5,000: gap 2,500, share 2,500/5,000 = 0.5 meets the halfway rule.
		ev(vip.Event{Kind: vip.EventNearNextTier, At: utc(2025, 1, 10, 10), From: "Silver", To: "Gold",
			Gap: dec(t, "2500"), Share: dec(t, "0.5"), Value: dec(t, "2500"), Reason: "activity"}),
		ev(vip.Event{Kind: vip.EventUpgraded, At: utc(2025, 3, 1, 10), From: "Silver", To: "Gold", Crossed: []string{"Gold"},
			Rewards: []string{"gold-welcome"}, Value: dec(t, "5500"), Reason: "activity"}),
		// Platinum needs 10,000: gap 4,500, share 0.55.
		ev(vip.Event{Kind: vip.EventNearNextTier, At: utc(2025, 3, 1, 10), From: "Gold", To: "Platinum",
			Gap: dec(t, "4500"), Share: dec(t, "0.55"), Value: dec(t, "5500"), Reason: "activity"}),
		// o1 leaves the window at 2026-01-10 10:00: 3,000 < 5,000. Grace for 3 months.
		// Keeping Gold by the end of grace needs 5,000 in (2025-04-10, 2026-04-10]: o2 is
		// out by then, so the whole 5,000.
		ev(vip.Event{Kind: vip.EventGraceStarted, At: utc(2026, 1, 10, 10), From: "Gold", To: "Gold",
			Deadline: utc(2026, 4, 10, 10), DaysLeft: 90, Gap: dec(t, "5000"), Value: dec(t, "0"), Reason: "grace"}),
		// 60 days before 2026-04-10 is 2026-02-09; 30 days before is 2026-03-11.
		ev(vip.Event{Kind: vip.EventDemotionWarning, At: utc(2026, 2, 9, 10), From: "Gold", To: "Gold",
			Deadline: utc(2026, 4, 10, 10), DaysLeft: 60, Gap: dec(t, "5000"), Value: dec(t, "0"), Reason: "warning"}),
		ev(vip.Event{Kind: vip.EventDemotionWarning, At: utc(2026, 3, 11, 10), From: "Gold", To: "Gold",
			Deadline: utc(2026, 4, 10, 10), DaysLeft: 30, Gap: dec(t, "5000"), Value: dec(t, "0"), Reason: "warning"}),
		// Grace ends: one step down to Silver; winning Gold back needs all 5,000 (o2 left
		// the window on 2026-03-01).
		ev(vip.Event{Kind: vip.EventDowngraded, At: utc(2026, 4, 10, 10), From: "Gold", To: "Silver", Crossed: []string{"Gold"},
			Gap: dec(t, "5000"), Value: dec(t, "0"), Reason: "landing"}),
		// Silver does not hold either: it gets a grace of its own, 2026-04-10 to 07-10
		// (91 days), with warnings 60 and 30 days before its end.
		ev(vip.Event{Kind: vip.EventGraceStarted, At: utc(2026, 4, 10, 10), From: "Silver", To: "Silver",
			Deadline: utc(2026, 7, 10, 10), DaysLeft: 91, Gap: dec(t, "2000"), Value: dec(t, "0"), Reason: "grace"}),
		ev(vip.Event{Kind: vip.EventDemotionWarning, At: utc(2026, 5, 11, 10), From: "Silver", To: "Silver",
			Deadline: utc(2026, 7, 10, 10), DaysLeft: 60, Gap: dec(t, "2000"), Value: dec(t, "0"), Reason: "warning"}),
		ev(vip.Event{Kind: vip.EventDemotionWarning, At: utc(2026, 6, 10, 10), From: "Silver", To: "Silver",
			Deadline: utc(2026, 7, 10, 10), DaysLeft: 30, Gap: dec(t, "2000"), Value: dec(t, "0"), Reason: "warning"}),
		ev(vip.Event{Kind: vip.EventDowngraded, At: utc(2026, 7, 10, 10), From: "Silver", To: "", Crossed: []string{"Silver"},
			Gap: dec(t, "2000"), Value: dec(t, "0"), Reason: "landing"}),
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if st.Tier != "" || st.Peak != "Gold" {
		t.Errorf("final status tier %q peak %q, want none and Gold", st.Tier, st.Peak)
	}

	// The same activity evaluated once, from a zero status, gives the same events.
	_, evs, err := l.Evaluate(vip.Status{}, a, utc(2026, 8, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, evs, cmpOpts); diff != "" {
		t.Errorf("events of one evaluation (-want +got):\n%s", diff)
	}
}

func TestParseLadder_Errors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // substrings of the joined error
	}{
		{"ErrEmpty", `{}`, []string{`name is empty`, `currency "" is not an ISO 4217 code`, `has no tiers`}},
		{"ErrUnknownField", `{"name":"x","currency":"USD","tiers":[{"name":"A","qualify":"1"}],"graze":3}`, []string{`unknown field "graze"`}},
		{"ErrKeepAboveQualify", `{"name":"x","currency":"USD","tiers":[{"name":"Gold","qualify":"5000","keep":"6000"}]}`,
			[]string{`ladder "x": tier "Gold": keep threshold 6000 above qualify threshold 5000: invalid ladder`}},
		{"ErrDescending", `{"name":"x","currency":"USD","tiers":[{"name":"Gold","qualify":"5000"},{"name":"Silver","qualify":"2000"}]}`,
			[]string{`tier "Silver": qualify threshold 2000 is not above tier "Gold"'s 5000`}},
		{"ErrDuplicateTier", `{"name":"x","currency":"USD","tiers":[{"name":"A","qualify":"1"},{"name":"A","qualify":"2"}]}`,
			[]string{`tier "A": name repeats tier 0`}},
		{"ErrGrace", `{"name":"x","currency":"USD","grace_months":13,"tiers":[{"name":"A","qualify":"1"}]}`,
			[]string{`grace_months 13 is outside 0-12`}},
		{"ErrZone", `{"name":"x","currency":"USD","time_zone":"Mars/Olympus","tiers":[{"name":"A","qualify":"1"}]}`,
			[]string{`time_zone "Mars/Olympus" is not an IANA zone`}},
		{"ErrRuleK", `{"name":"x","currency":"USD","tiers":[{"name":"A","entry":{"match":"at_least","k":3,"criteria":[{"measure":"orders","min":"2"}]}}]}`,
			[]string{`entry rule k 3 is outside 1-1`}},
		{"ErrMeasure", `{"name":"x","currency":"USD","tiers":[{"name":"A","entry":{"criteria":[{"measure":"likes","min":"2"}]}}]}`,
			[]string{`measure "likes" is not a built-in or custom measure`}},
		{"ErrTermPeriod", `{"name":"x","currency":"USD","term":{"kind":"next_period_end"},"tiers":[{"name":"A","qualify":"1"}]}`,
			[]string{`term "next_period_end" needs a calendar_year or anniversary period`}},
		{"ErrPendingWindow", `{"name":"x","currency":"USD","returns":{"mode":"pending"},"tiers":[{"name":"A","qualify":"1"}]}`,
			[]string{`returns window_days 0 must be at least 1 in pending mode`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vip.ParseLadder([]byte(tt.json))
			if err == nil {
				t.Fatalf("ParseLadder(%s) = nil error, want %q", tt.json, tt.want)
			}
			if !errors.Is(err, vip.ErrInvalidLadder) {
				t.Errorf("ParseLadder(%s): error %v does not wrap ErrInvalidLadder", tt.json, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseLadder(%s) = %q, want it to contain %q", tt.json, err, w)
				}
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		l := briefLadder(t)
		if len(l.Tiers) != 3 || !l.Tiers[2].Qualify.Equal(decimal.NewFromInt(10000)) {
			t.Errorf("brief ladder tiers = %+v", l.Tiers)
		}
	})
	t.Run("OKSingleTier", func(t *testing.T) {
		if _, err := vip.ParseLadder([]byte(`{"name":"club","currency":"EUR","tiers":[{"name":"VIP","qualify":"1000"}]}`)); err != nil {
			t.Errorf("single-tier ladder: %v", err)
		}
	})
}

func FuzzParseLadder(f *testing.F) {
	data, err := os.ReadFile("testdata/brief-ladder.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"name":"x","currency":"USD","period":{"kind":"calendar_year"},"tiers":[{"name":"A","entry":{"match":"any","criteria":[{"measure":"orders","min":"12"},{"measure":"net_spend","min":"5000"}]}}]}`))
	f.Add([]byte(`{"name":"x","currency":"USD","tiers":[{"name":"A","qualify":"-1","keep":"2"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := vip.ParseLadder(data)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidLadder) {
				t.Fatalf("error %v does not wrap ErrInvalidLadder", err)
			}
			return
		}
		// A ladder that loads must evaluate without error or panic.
		a := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: utc(2024, 2, 29, 0)},
			Orders: []vip.Order{order("o", "c", utc(2025, 1, 1, 0), "100")}}
		a.Orders[0].Currency = l.Currency
		if _, _, err := l.Evaluate(vip.Status{}, a, utc(2026, 1, 1, 0)); err != nil {
			t.Fatalf("valid ladder %s fails to evaluate: %v", data, err)
		}
	})
}

func TestLedger_NextChange(t *testing.T) {
	// The brief's ladder after the upgrade to Gold on 2025-03-01: nothing happens until
	// the first order leaves the window on 2026-01-10 10:00 (warnings come later, from
	// 2026-02-09), and evaluating at any instant before it changes nothing.
	l := briefLadder(t)
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: utc(2025, 1, 1, 0)}, Orders: []vip.Order{
		order("o1", "c1", utc(2025, 1, 10, 10), "2500"), order("o2", "c1", utc(2025, 3, 1, 10), "3000")}}
	g, st := ledgerAt(t, &l, a, utc(2025, 4, 1, 0))
	next, err := g.NextChange(st)
	if err != nil {
		t.Fatal(err)
	}
	if want := utc(2026, 1, 10, 10); !next.Equal(want) {
		t.Fatalf("NextChange = %s, want %s", next, want)
	}
	before, evs, err := g.Evaluate(st, next.Add(-time.Second))
	if err != nil || len(evs) != 0 || before.Tier != "Gold" || !before.GraceUntil.IsZero() {
		t.Errorf("just before the next change: %+v, %v, %v; want Gold unchanged and no events", before, evs, err)
	}
	after, evs, err := g.Evaluate(before, next)
	if err != nil || len(evs) != 1 || evs[0].Kind != vip.EventGraceStarted {
		t.Errorf("at the next change: %v, %v; want grace to start", evs, err)
	}
	// In grace the next change is the 60-day warning.
	if n2, _ := g.NextChange(after); !n2.Equal(utc(2026, 2, 9, 10)) {
		t.Errorf("NextChange in grace = %s, want 2026-02-09 10:00", n2)
	}
}

// TestLadder_Ledgers checks that Ledgers prepares each activity as Ledger does (the
// same statuses and events on the brief's ladder: 2,500 enrols in Silver, 6,000 in Gold
// at once, crossing Silver) and names the first invalid activity.
func TestLadder_Ledgers(t *testing.T) {
	l := briefLadder(t)
	acts := []*vip.Activity{
		{Customer: vip.Customer{ID: "a"}, Orders: []vip.Order{order("a1", "a", utc(2025, 3, 1, 0), "2500")}},
		{Customer: vip.Customer{ID: "b"}, Orders: []vip.Order{order("b1", "b", utc(2025, 3, 2, 0), "6000")}},
	}
	gs, err := l.Ledgers(acts)
	if err != nil {
		t.Fatal(err)
	}
	now := utc(2025, 4, 1, 0)
	for i, want := range []string{"Silver", "Gold"} {
		st, evs, err := gs[i].Evaluate(vip.Status{}, now)
		if err != nil || st.Tier != want {
			t.Fatalf("customer %d: tier %q, %v; want %s", i, st.Tier, err, want)
		}
		one, oneEvs, err := l.Evaluate(vip.Status{}, acts[i], now)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(one, st, cmpOpts); diff != "" {
			t.Errorf("customer %d: Ledgers vs Ledger status (-one +batch):\n%s", i, diff)
		}
		if diff := cmp.Diff(oneEvs, evs, cmpOpts); diff != "" {
			t.Errorf("customer %d: Ledgers vs Ledger events (-one +batch):\n%s", i, diff)
		}
	}
	bad := append(acts, &vip.Activity{Customer: vip.Customer{ID: "c"}, Orders: []vip.Order{order("c1", "c", utc(2025, 3, 3, 0), "-5")}})
	if _, err := l.Ledgers(bad); err == nil || !errors.Is(err, vip.ErrInvalidOrder) || !strings.Contains(err.Error(), "activity 2") {
		t.Errorf("Ledgers with a negative price: %v; want ErrInvalidOrder naming activity 2", err)
	}
}

// TestLadder_Ledgers_Concurrent evaluates Ledgers that share their ladder's rules on
// several goroutines, each goroutine its own Ledgers at instants of its own (under -race
// in CI), and checks every result against Ladder.Evaluate, which shares nothing.
func TestLadder_Ledgers_Concurrent(t *testing.T) {
	l := briefLadder(t)
	var acts []*vip.Activity
	for i := range 40 {
		id := fmt.Sprint("c", i)
		a := &vip.Activity{Customer: vip.Customer{ID: id}}
		for k := range 6 {
			a.Orders = append(a.Orders, order(fmt.Sprint(id, "-", k), id, utc(2025, time.Month(1+(i+k*5)%12), 1+(i*7)%28, i%24), fmt.Sprint(300+(i*k*137)%2400)))
		}
		if i%3 == 0 { // refunds too: evaluating them writes the Ledger's refund view
			o := a.Orders[i%6]
			a.Refunds = append(a.Refunds, vip.Refund{ID: id + "-r", OrderID: o.ID, CustomerID: id, Currency: "USD",
				At: o.PlacedAt.Add(48 * time.Hour), Amount: dec(t, "150")})
		}
		acts = append(acts, a)
	}
	gs, err := l.Ledgers(acts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(gs))
	for w := range 4 {
		wg.Go(func() {
			for i, g := range gs {
				if i%4 != w {
					continue // a Ledger is not safe for concurrent use: each worker has its own
				}
				checked := utc(2025, time.Month(1+(w*3+i)%12), 28+w%3, w)
				now := checked.AddDate(0, 1, w)
				st, _, err := g.Evaluate(vip.Status{}, checked)
				if err != nil {
					errs <- err
					return
				}
				got, gotEvs, err1 := g.Evaluate(st, now)
				want, wantEvs, err2 := l.Evaluate(st, acts[i], now)
				switch {
				case err1 != nil || err2 != nil:
					errs <- fmt.Errorf("customer %d: %v, %v", i, err1, err2)
				case cmp.Diff(want, got, cmpOpts) != "" || cmp.Diff(wantEvs, gotEvs, cmpOpts) != "":
					errs <- fmt.Errorf("worker %d, customer %d: shared rules give %+v %+v, own rules %+v %+v", w, i, got, gotEvs, want, wantEvs)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLadder_Evaluate_NearEdges checks the proximity rules at their edges, by hand: a
// gap of $200 to Gold's 5,000 holds at 4,800 exactly and not at 4,799.99; a share of
// 0.96 holds at 4,800 (4,800 / 5,000 = 0.96) and not at 4,799.99: the customer has not
// reached 0.96 of 5,000, though 4,799.99 / 5,000 = 0.959998 would round to the 0.9600
// an event shows. The first order, 2,500, is Silver's: no rule here holds at it.
func TestLadder_Evaluate_NearEdges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  vip.Proximity
		spend string
		near  bool
		gap   string
		share string
	}{
		{"gap-at-edge", vip.Proximity{Gap: dec(t, "200")}, "4800", true, "200", "0.96"},
		{"gap-beyond", vip.Proximity{Gap: dec(t, "200")}, "4799.99", false, "", ""},
		{"share-at-edge", vip.Proximity{Share: dec(t, "0.96")}, "4800", true, "200", "0.96"},
		{"share-below", vip.Proximity{Share: dec(t, "0.96")}, "4799.99", false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := vip.Ladder{Name: "n", Currency: "USD", Tiers: []vip.Tier{
				{Name: "Silver", Qualify: dec(t, "2000")}, {Name: "Gold", Qualify: dec(t, "5000")}},
				Near: vip.Near{Rules: []vip.Proximity{tc.rule}}}
			a := &vip.Activity{Customer: vip.Customer{ID: "c"}, Orders: []vip.Order{
				order("o1", "c", utc(2025, 1, 10, 10), "2500"),
				order("o2", "c", utc(2025, 2, 10, 10), dec(t, tc.spend).Sub(dec(t, "2500")).String())}}
			// Evaluated after the first order, then after the second: the second is the
			// order that may bring the customer near Gold.
			st, _, err := l.Evaluate(vip.Status{}, a, utc(2025, 1, 20, 0))
			if err != nil {
				t.Fatal(err)
			}
			_, evs, err := l.Evaluate(st, a, utc(2025, 2, 20, 0))
			if err != nil {
				t.Fatal(err)
			}
			var got []vip.Event
			for _, e := range evs {
				if e.Kind == vip.EventNearNextTier {
					got = append(got, e)
				}
			}
			var want []vip.Event
			if tc.near {
				want = []vip.Event{{Kind: vip.EventNearNextTier, Ladder: "n", CustomerID: "c", At: utc(2025, 2, 10, 10), From: "Silver",
					To: "Gold", Measure: vip.MeasureNetSpend, Value: dec(t, tc.spend), Gap: dec(t, tc.gap), Share: dec(t, tc.share), Reason: "activity"}}
			}
			if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
				t.Errorf("near events (-want +got):\n%s", diff)
			}
		})
	}
}
