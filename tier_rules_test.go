package vip_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestAddMonths(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name string
		in   time.Time
		n    int
		want time.Time
	}{
		{"Jan31Plus1Common", time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC), 1, time.Date(2025, 2, 28, 10, 0, 0, 0, time.UTC)},
		{"Jan31Plus1Leap", time.Date(2024, 1, 31, 10, 0, 0, 0, time.UTC), 1, time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)},
		{"Mar31Minus1", time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), -1, time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"Feb29Plus12", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), 12, time.Date(2025, 2, 28, 12, 0, 0, 0, time.UTC)},
		{"Oct31Plus1", time.Date(2025, 10, 31, 0, 0, 0, 0, time.UTC), 1, time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)},
		// Across the DST change the wall clock is kept: 01:30 EST becomes 01:30 EDT, 23 hours
		// short of 365 days of 24 hours.
		{"AcrossDST", time.Date(2025, 3, 9, 1, 30, 0, 0, ny), 12, time.Date(2026, 3, 9, 1, 30, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := vip.AddMonths(tt.in, tt.n, tt.in.Location()); !got.Equal(tt.want) {
				t.Errorf("AddMonths(%s, %d) = %s, want %s", tt.in, tt.n, got, tt.want)
			}
		})
	}
	if got := vip.AddMonths(time.Date(2025, 3, 9, 1, 30, 0, 0, ny), 12, ny).Sub(time.Date(2025, 3, 9, 6, 30, 0, 0, time.UTC)); got != 365*24*time.Hour-time.Hour {
		t.Errorf("twelve months across DST last %s, want 8759h", got)
	}
}

func TestAverageMonthlyBalance(t *testing.T) {
	snaps := []vip.BalanceSnapshot{
		{At: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), Balance: dec(t, "3100")},
		{At: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Balance: dec(t, "1000")},
		{At: time.Date(2025, 1, 16, 0, 0, 0, 0, time.UTC), Balance: dec(t, "-500")},
	}
	// January: 15 days at 1,000, 16 days negative (counted as zero): 15,000 / 31 = 483.870...
	// February: 28 days at 3,100: 3,100. December 2024: before the first snapshot: 0.
	for _, tt := range []struct {
		month time.Time
		want  string
	}{
		{time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC), "483.87"},
		{time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC), "3100"},
		{time.Date(2024, 12, 3, 0, 0, 0, 0, time.UTC), "0"},
	} {
		if got := vip.AverageMonthlyBalance(snaps, tt.month, time.UTC); !got.Equal(dec(t, tt.want)) {
			t.Errorf("AverageMonthlyBalance(%s) = %s, want %s", tt.month.Format("2006-01"), got, tt.want)
		}
	}
	// The banking ladder: VIP with an average monthly balance of 2,000 over the last
	// complete month. At 2025-03-01 the only complete month of a one-month window is
	// February (3,100): VIP. At 2025-02-01 it is January (483.87): not VIP.
	l := vip.Ladder{Name: "bank", Currency: "USD", Measure: vip.MeasureAverageBalance, Period: vip.Period{Months: 1},
		Tiers: []vip.Tier{{Name: "VIP", Qualify: dec(t, "2000")}}}
	a := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, Balances: snaps}
	for _, tt := range []struct {
		at   time.Time
		want string
	}{{time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), ""}, {time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "VIP"}} {
		st, err := l.TierAt(a, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if st.Tier != tt.want {
			t.Errorf("balance ladder at %s: tier %q, want %q", tt.at.Format(time.DateOnly), st.Tier, tt.want)
		}
	}
}

// tierAtT returns the tier held at instant at, replayed from the activity.
func tierAtT(tb testing.TB, l *vip.Ladder, a *vip.Activity, at time.Time) vip.Status {
	tb.Helper()
	st, err := l.TierAt(a, at)
	if err != nil {
		tb.Fatalf("TierAt(%s): %v", at, err)
	}
	return st
}

func simpleLadder(t testing.TB, extra func(*vip.Ladder)) vip.Ladder {
	l := vip.Ladder{Name: "l", Currency: "USD", Tiers: []vip.Tier{
		{Name: "Silver", Qualify: dec(t, "2000")}, {Name: "Gold", Qualify: dec(t, "5000")}, {Name: "Platinum", Qualify: dec(t, "10000")}}}
	if extra != nil {
		extra(&l)
	}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLadder_Evaluate_Windows(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	t.Run("MonthEndRollOff", func(t *testing.T) {
		// One-month window: an order at Jan 31 10:00 counts while the window's start
		// (now - 1 month, clamped) is before it: through Feb 28 23:59:59, and it is gone
		// at Mar 1 00:00, when the start becomes Feb 1.
		l := simpleLadder(t, func(l *vip.Ladder) { l.Period.Months = 1 })
		a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 1, 31, 10, 0, 0, 0, time.UTC), "2500")})
		if st := tierAtT(t, &l, a, time.Date(2025, 2, 28, 23, 59, 59, 0, time.UTC)); st.Tier != "Silver" {
			t.Errorf("Feb 28 23:59:59: tier %q, want Silver", st.Tier)
		}
		if st := tierAtT(t, &l, a, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)); st.Tier != "" {
			t.Errorf("Mar 1: tier %q, want none", st.Tier)
		}
	})
	t.Run("DSTRollOff", func(t *testing.T) {
		// The program's zone is New York; twelve months after 2025-03-09 01:30 EST is
		// 2026-03-09 01:30 EDT (5:30 UTC), an hour earlier than 365 x 24 hours.
		l := simpleLadder(t, func(l *vip.Ladder) { l.TimeZone = "America/New_York" })
		a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 3, 9, 1, 30, 0, 0, ny), "2500")})
		if st := tierAtT(t, &l, a, time.Date(2026, 3, 9, 1, 29, 0, 0, ny)); st.Tier != "Silver" {
			t.Errorf("01:29 EDT: tier %q, want Silver", st.Tier)
		}
		if st := tierAtT(t, &l, a, time.Date(2026, 3, 9, 5, 30, 0, 0, time.UTC)); st.Tier != "" {
			t.Errorf("01:30 EDT: tier %q, want none", st.Tier)
		}
	})
	t.Run("CalendarYearCustomerZone", func(t *testing.T) {
		// Ladder in UTC, customer in Tokyo: 2025-12-31 20:00 UTC is 2026-01-01 05:00 in
		// Tokyo, so the order counts toward the customer's 2026. Earned in 2026, Silver
		// holds through 2027: until 2028-01-01 00:00 Tokyo.
		l := simpleLadder(t, func(l *vip.Ladder) { l.Period.Kind = vip.PeriodCalendarYear })
		a := propActivity([]vip.Order{
			order("o1", "c", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "1000"),
			order("o2", "c", time.Date(2025, 12, 31, 20, 0, 0, 0, time.UTC), "1500"),
		})
		a.Customer.TimeZone = "Asia/Tokyo"
		tokyo := mustLoc(t, "Asia/Tokyo")
		st := tierAtT(t, &l, a, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		if st.Tier != "" {
			t.Errorf("Tokyo customer: tier %q with 1,000 in 2025 and 1,500 in 2026, want none", st.Tier)
		}
		a.Customer.TimeZone = ""
		st = tierAtT(t, &l, a, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		if st.Tier != "Silver" || !st.ExpiresAt.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("UTC customer: %q until %s, want Silver until 2027-01-01 (earned in 2025)", st.Tier, st.ExpiresAt)
		}
		a.Customer.TimeZone = "Asia/Tokyo"
		a.Orders = append(a.Orders, order("o3", "c", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "600"))
		st = tierAtT(t, &l, a, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		if want := time.Date(2028, 1, 1, 0, 0, 0, 0, tokyo); st.Tier != "Silver" || !st.ExpiresAt.Equal(want) {
			t.Errorf("Tokyo customer: %q until %s, want Silver until %s", st.Tier, st.ExpiresAt, want)
		}
	})
	t.Run("CalendarYearExpiryWestOfUTC", func(t *testing.T) {
		// Los Angeles: Gold earned in June 2025 holds through 2026, to 2027-01-01 00:00
		// Pacific (08:00 UTC). Without grace, one-step landing drops it to Silver then,
		// then a month later to no tier (Silver's own keep rule fails too, no grace).
		la := mustLoc(t, "America/Los_Angeles")
		l := simpleLadder(t, func(l *vip.Ladder) {
			l.Period.Kind = vip.PeriodCalendarYear
			l.TimeZone = "America/Los_Angeles"
			l.Landing.MaxSteps = 1
		})
		a := propActivity([]vip.Order{order("o1", "c", time.Date(2025, 6, 1, 12, 0, 0, 0, la), "5000")})
		st := tierAtT(t, &l, a, time.Date(2027, 1, 1, 7, 59, 0, 0, time.UTC))
		if st.Tier != "Gold" || !st.ExpiresAt.Equal(time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("Dec 31 23:59 Pacific: %q until %s, want Gold until 2027-01-01 08:00 UTC", st.Tier, st.ExpiresAt)
		}
		_, evs, err := l.Evaluate(vip.Status{}, a, time.Date(2027, 3, 1, 0, 0, 0, 0, la))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.At.In(la).Format("2006-01-02 15:04")+" "+string(e.Kind)+" "+e.From+">"+e.To)
		}
		want := []string{
			"2025-06-01 12:00 enrolled >Gold",
			"2026-11-02 00:00 demotion_warning Gold>Gold", // 60 days before 2027-01-01
			"2026-12-02 00:00 demotion_warning Gold>Gold", // 30 days before
			"2027-01-01 00:00 downgraded Gold>Silver",
			"2027-02-01 00:00 downgraded Silver>",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("AnniversaryFeb29", func(t *testing.T) {
		// Joined 2024-02-29: the anniversary year starts on Feb 28 in 2025 and 2026.
		// Spend in [2025-02-28, 2026-02-28) earns Silver through the next anniversary year,
		// to 2027-02-28.
		l := simpleLadder(t, func(l *vip.Ladder) { l.Period.Kind = vip.PeriodAnniversary })
		a := propActivity([]vip.Order{
			order("o1", "c", time.Date(2025, 2, 27, 12, 0, 0, 0, time.UTC), "1500"), // anniversary year 2024
			order("o2", "c", time.Date(2025, 2, 28, 12, 0, 0, 0, time.UTC), "1000"), // year 2025
			order("o3", "c", time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC), "1000"), // year 2025
		})
		a.Customer.JoinedAt = time.Date(2024, 2, 29, 9, 0, 0, 0, time.UTC)
		st := tierAtT(t, &l, a, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if st.Tier != "Silver" || !st.ExpiresAt.Equal(time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%q until %s, want Silver until 2027-02-28", st.Tier, st.ExpiresAt)
		}
		if !st.Since.Equal(time.Date(2026, 2, 27, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("since %s, want 2026-02-27 12:00 (2,000 reached in the 2025 anniversary year)", st.Since)
		}
	})
}

func TestLadder_Evaluate_Terms(t *testing.T) {
	warsaw := mustLoc(t, "Europe/Warsaw")
	t.Run("FixedTermQuarterRoundingAcrossDST", func(t *testing.T) {
		// Warsaw, fixed two-month term rounded to the quarter: entered 2026-01-10 (CET,
		// UTC+1), two months is 2026-03-10, rounded up to 2026-04-01 00:00 CEST (UTC+2),
		// that is 2026-03-31 22:00 UTC.
		l := simpleLadder(t, func(l *vip.Ladder) {
			l.TimeZone = "Europe/Warsaw"
			l.Period = vip.Period{Kind: vip.PeriodFixedTerm, Months: 12, TermMonths: 2}
			l.Term.RoundTo = vip.RoundQuarter
		})
		a := propActivity([]vip.Order{order("o", "c", time.Date(2026, 1, 10, 12, 0, 0, 0, warsaw), "2500")})
		st := tierAtT(t, &l, a, time.Date(2026, 2, 1, 0, 0, 0, 0, warsaw))
		if want := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC); st.Tier != "Silver" || !st.ExpiresAt.Equal(want) {
			t.Errorf("%q until %s, want Silver until %s", st.Tier, st.ExpiresAt.UTC(), want)
		}
		// At the expiry the rolling 12 months still hold 2,500: prolonged by a term, to
		// 2026-06-01, rounded to 2026-07-01 00:00 CEST.
		_, evs, err := l.Evaluate(vip.Status{}, a, time.Date(2026, 4, 2, 0, 0, 0, 0, warsaw))
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if want := time.Date(2026, 7, 1, 0, 0, 0, 0, warsaw); last.Kind != vip.EventProlonged || !last.Deadline.Equal(want) ||
			!last.At.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, warsaw)) {
			t.Errorf("last event %+v, want prolonged at 2026-04-01 to %s", last, want)
		}
	})
	t.Run("FirstTermMinimumStay", func(t *testing.T) {
		// A one-month fixed term with a six-month minimum first term.
		l := simpleLadder(t, func(l *vip.Ladder) {
			l.Period = vip.Period{Kind: vip.PeriodFixedTerm, Months: 1, TermMonths: 1}
			l.Term.FirstMinMonths = 6
		})
		a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC), "2500")})
		st := tierAtT(t, &l, a, time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
		if want := time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC); st.Tier != "Silver" || !st.ExpiresAt.Equal(want) {
			t.Errorf("%q until %s, want Silver until %s", st.Tier, st.ExpiresAt, want)
		}
		if st := tierAtT(t, &l, a, time.Date(2025, 7, 15, 0, 0, 0, 0, time.UTC)); st.Tier != "" {
			t.Errorf("at the end of the first term: %q, want none (the window holds nothing)", st.Tier)
		}
	})
}

func TestLadder_Evaluate_Returns(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
	t.Run("PendingOutsideWindow", func(t *testing.T) {
		// 30-day return window: the 3,000 order of Jan 1 counts from Jan 31.
		l := simpleLadder(t, func(l *vip.Ladder) { l.Returns = vip.Returns{Mode: vip.ReturnsPending, WindowDays: 30} })
		a := propActivity([]vip.Order{order("o", "c", day(1, 1), "3000")})
		p, err := l.Progress(vip.Status{}, a, day(1, 15))
		if err != nil {
			t.Fatal(err)
		}
		if p.Tier != "" || !p.Pending.Equal(dec(t, "3000")) || !p.Value.IsZero() {
			t.Errorf("Jan 15: tier %q pending %s value %s, want none, 3000, 0", p.Tier, p.Pending, p.Value)
		}
		st := tierAtT(t, &l, a, day(2, 1))
		if st.Tier != "Silver" || !st.Since.Equal(day(1, 31)) {
			t.Errorf("Feb 1: %q since %s, want Silver since Jan 31", st.Tier, st.Since)
		}
	})
	t.Run("PendingReturnedInsideWindow", func(t *testing.T) {
		l := simpleLadder(t, func(l *vip.Ladder) { l.Returns = vip.Returns{Mode: vip.ReturnsPending, WindowDays: 30} })
		a := propActivity([]vip.Order{order("o", "c", day(1, 1), "3000")})
		a.Refunds = []vip.Refund{{ID: "r", OrderID: "o", CustomerID: "c", At: day(1, 20), Currency: "USD", Amount: dec(t, "3000")}}
		_, evs, err := l.Evaluate(vip.Status{}, a, day(3, 1))
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 0 {
			t.Errorf("an order returned inside its window: events %+v, want none", evs)
		}
	})
	t.Run("ImmediateRefundUndoesUpgrade", func(t *testing.T) {
		// Counted at once: Gold on Jan 10 with 5,500; the 3,000 order is refunded on Feb 1,
		// leaving 2,500: Gold is no longer held; without grace the landing rule takes it
		// one step down at once, to Silver, which 2,500 keeps.
		l := simpleLadder(t, nil)
		a := propActivity([]vip.Order{order("o1", "c", day(1, 1), "2500"), order("o2", "c", day(1, 10), "3000")})
		a.Refunds = []vip.Refund{{ID: "r", OrderID: "o2", CustomerID: "c", At: day(2, 1), Currency: "USD", Amount: dec(t, "3000")}}
		_, evs, err := l.Evaluate(vip.Status{}, a, day(3, 1))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.At.Format(time.DateOnly)+" "+string(e.Kind)+" "+e.From+">"+e.To)
		}
		want := []string{"2025-01-01 enrolled >Silver", "2025-01-10 upgraded Silver>Gold", "2025-02-01 downgraded Gold>Silver"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
	})
}

func TestLadder_Evaluate_CompositeRules(t *testing.T) {
	orders := func(n int, amount string) []vip.Order {
		var out []vip.Order
		for i := 0; i < n; i++ {
			o := order(string(rune('a'+i)), "c", time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC), amount)
			o.Lines[0].Category = []string{"shoes", "bags", "hats"}[i%3]
			out = append(out, o)
		}
		return out
	}
	anyRule := &vip.Rule{Match: vip.MatchAny, Criteria: []vip.Criterion{
		{Measure: vip.MeasureNetSpend, Min: dec(t, "5000")}, {Measure: vip.MeasureOrders, Min: dec(t, "12")}}}
	twoOf := &vip.Rule{Match: vip.MatchAtLeast, K: 2, Criteria: []vip.Criterion{
		{Measure: vip.MeasureNetSpend, Min: dec(t, "5000")}, {Measure: vip.MeasureOrders, Min: dec(t, "12")},
		{Measure: vip.MeasureCategories, Min: dec(t, "3")}}}
	single := &vip.Rule{Criteria: []vip.Criterion{{Measure: vip.MeasureLargestOrder, Min: dec(t, "3000")}}}
	tests := []struct {
		name   string
		rule   *vip.Rule
		orders []vip.Order
		want   string
	}{
		{"AnyBySpend", anyRule, orders(2, "2500"), "Gold"},     // 5,000 in 2 orders
		{"AnyByOrders", anyRule, orders(12, "10"), "Gold"},     // 12 orders of 10
		{"AnyNeither", anyRule, orders(11, "400"), ""},         // 4,400 in 11 orders
		{"TwoOfSpendCats", twoOf, orders(3, "1700"), "Gold"},   // 5,100 over 3 categories
		{"TwoOfOnlyCats", twoOf, orders(3, "100"), ""},         // 3 categories only
		{"TwoOfOrdersCats", twoOf, orders(12, "1"), "Gold"},    // 12 orders, 3 categories
		{"SingleOrder", single, orders(1, "3000"), "Gold"},     // one order of 3,000
		{"SingleOrderShort", single, orders(3, "2999"), ""},    // 8,997 but no order of 3,000
		{"TwoOfOneCategory", twoOf, orders(1, "5000"), ""},     // spend only
		{"AnyByOrdersNotSpend", anyRule, orders(11, "10"), ""}, // 11 orders
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := vip.Ladder{Name: "c", Currency: "USD", Tiers: []vip.Tier{{Name: "Gold", Entry: tt.rule}}}
			st := tierAtT(t, &l, propActivity(tt.orders), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
			if st.Tier != tt.want {
				t.Errorf("tier %q, want %q", st.Tier, tt.want)
			}
		})
	}
	t.Run("ProgressCriteria", func(t *testing.T) {
		l := vip.Ladder{Name: "c", Currency: "USD", Tiers: []vip.Tier{{Name: "Gold", Entry: twoOf}}}
		p, err := l.Progress(vip.Status{}, propActivity(orders(2, "1000")), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		want := []vip.CriterionProgress{
			{Measure: vip.MeasureNetSpend, Value: dec(t, "2000"), Threshold: dec(t, "5000"), Gap: dec(t, "3000")},
			{Measure: vip.MeasureOrders, Value: dec(t, "2"), Threshold: dec(t, "12"), Gap: dec(t, "10")},
			{Measure: vip.MeasureCategories, Value: dec(t, "2"), Threshold: dec(t, "3"), Gap: dec(t, "1")},
		}
		if diff := cmp.Diff(want, p.NextCriteria, cmpOpts); diff != "" {
			t.Errorf("next criteria (-want +got):\n%s", diff)
		}
	})
}

func TestLadder_Evaluate_SpendRules(t *testing.T) {
	o := vip.Order{ID: "o", CustomerID: "c", PlacedAt: time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), Currency: "USD",
		Shipping: dec(t, "15"), Tax: dec(t, "200"), Lines: []vip.Line{
			{SKU: "a", Category: "shoes", Quantity: 2, ListPrice: dec(t, "1000"), PaidPrice: dec(t, "800"), UnitCost: dec(t, "400")},
			{SKU: "gift", Category: "giftcards", Quantity: 1, ListPrice: dec(t, "500"), PaidPrice: dec(t, "500"), UnitCost: dec(t, "500")},
		}}
	tests := []struct {
		name  string
		rules vip.SpendRules
		want  string
	}{
		{"Default", vip.SpendRules{}, "2100"},                                                           // 1,600 + 500
		{"ListPrice", vip.SpendRules{Basis: vip.SpendList}, "2500"},                                     // 2,000 + 500
		{"ShippingAndTax", vip.SpendRules{IncludeShipping: true, IncludeTax: true}, "2315"},             // 2,100 + 15 + 200
		{"ExcludeCategory", vip.SpendRules{ExcludeCategories: []string{"giftcards"}}, "1600"},           // gift cards out
		{"ExcludeSKU", vip.SpendRules{ExcludeSKUs: []string{"a"}}, "500"},                               // shoes out
		{"MinOrderMet", vip.SpendRules{MinOrder: dec(t, "2100")}, "2100"},                               // exactly the minimum
		{"MinOrderMissed", vip.SpendRules{MinOrder: dec(t, "2100.01")}, "0"},                            // below it
		{"BeforeProgramStart", vip.SpendRules{Since: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)}, "0"}, // before the start
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := simpleLadder(t, func(l *vip.Ladder) { l.Spend = tt.rules })
			p, err := l.Progress(vip.Status{}, propActivity([]vip.Order{o}), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if !p.Value.Equal(dec(t, tt.want)) {
				t.Errorf("qualifying spend %s, want %s", p.Value, tt.want)
			}
		})
	}
}

func TestLadder_Evaluate_RewardsAndReentry(t *testing.T) {
	// Silver on Jan 1 (reward), lost when the order leaves the 1-month window, earned
	// back in March: paid again by default, not with NoRepay. Skipping from none to Gold
	// pays both rewards.
	orders := []vip.Order{
		order("o1", "c", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2500"),
		order("o2", "c", time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC), "6000"),
	}
	for _, tt := range []struct {
		name    string
		noRepay bool
		want    [][]string
	}{
		{"Repay", false, [][]string{{"s"}, {"s", "g"}}},
		{"NoRepay", true, [][]string{{"s"}, {"g"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := vip.Ladder{Name: "r", Currency: "USD", Period: vip.Period{Months: 1}, Rewards: vip.Rewards{NoRepay: tt.noRepay},
				Tiers: []vip.Tier{{Name: "Silver", Qualify: dec(t, "2000"), EntryReward: "s"}, {Name: "Gold", Qualify: dec(t, "5000"), EntryReward: "g"}}}
			_, evs, err := l.Evaluate(vip.Status{}, propActivity(orders), time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			var reentry []bool
			for _, e := range evs {
				if e.Kind == vip.EventEnrolled || e.Kind == vip.EventUpgraded {
					got = append(got, e.Rewards)
					reentry = append(reentry, e.Reentry)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rewards (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]bool{false, false}, reentry); diff != "" {
				t.Errorf("reentry flags (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLadder_Place(t *testing.T) {
	l := simpleLadder(t, func(l *vip.Ladder) { l.Landing.MaxSteps = 1 })
	a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2500")})
	now := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	st, evs, err := l.Place(vip.Status{}, vip.Override{Kind: vip.OverrideLock, Tier: "Platinum", Until: until, Reason: vip.ReasonStatusMatch, By: "ops"}, a, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Tier != "Platinum" || len(evs) != 3 || evs[1].Kind != vip.EventOverrideSet || evs[2].Kind != vip.EventUpgraded || evs[2].Reason != vip.ReasonStatusMatch {
		t.Fatalf("after the lock: %+v, events %+v", st, evs)
	}
	// The lock ends on Jun 1: the customer earns Silver (2,500 in the window), and lands
	// through the one-step rule at once on Gold; Gold is not held, no grace: Silver a
	// month later.
	st, evs, err = l.Evaluate(st, a, time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.At.Format(time.DateOnly)+" "+string(e.Kind)+" "+e.From+">"+e.To)
	}
	want := []string{"2025-06-01 override_expired Platinum>Platinum", "2025-06-01 downgraded Platinum>Gold", "2025-07-01 downgraded Gold>Silver"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if _, _, err := l.Place(st, vip.Override{Kind: vip.OverrideFloor, Tier: "Diamond", Until: until, Reason: "x"}, a, time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("placing on an unknown tier: no error")
	}
}

func TestLadder_Evaluate_TermStartAndCustomerDate(t *testing.T) {
	t.Run("StartNextPeriod", func(t *testing.T) {
		// Calendar year, status starts at the next period: 2,500 spent in June 2025 earns
		// Silver, which starts on 2026-01-01 and (earned in 2025) holds through 2026.
		l := simpleLadder(t, func(l *vip.Ladder) {
			l.Period.Kind = vip.PeriodCalendarYear
			l.Term.Start = vip.StartNextPeriod
		})
		a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "2500")})
		_, evs, err := l.Evaluate(vip.Status{}, a, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.At.Format(time.DateOnly)+" "+string(e.Kind)+" "+e.To+" "+e.Deadline.Format(time.DateOnly))
		}
		want := []string{"2025-06-01 qualified Silver 2026-01-01", "2026-01-01 enrolled Silver 2027-01-01"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("events (-want +got):\n%s", diff)
		}
		// Replayed from a zero status in 2026, the 2025 earning starts at once.
		st := tierAtT(t, &l, a, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		if st.Tier != "Silver" || !st.Since.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("replay: %q since %s, want Silver since 2026-01-01", st.Tier, st.Since)
		}
	})
	t.Run("CustomerDate", func(t *testing.T) {
		// The shop keeps each customer's renewal date: Silver, earned with a 2,500 order
		// on 2025-01-01, holds until 2025-09-30 although the order left the 6-month
		// window on 2025-07-01; then, without grace, it lands. Had the shop moved the date
		// on to 2026-09-30 while the order still counted, the tier would be prolonged.
		l := simpleLadder(t, func(l *vip.Ladder) {
			l.Term.Kind = vip.TermCustomerDate
			l.Period.Months = 6
		})
		a := propActivity([]vip.Order{order("o", "c", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2500")})
		a.TermEnd = time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)
		st := tierAtT(t, &l, a, time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
		if st.Tier != "Silver" || !st.ExpiresAt.Equal(a.TermEnd) {
			t.Errorf("before the date: %q until %s, want Silver until 2025-09-30", st.Tier, st.ExpiresAt)
		}
		if st := tierAtT(t, &l, a, time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)); st.Tier != "" {
			t.Errorf("after the date: %q, want none", st.Tier)
		}
		st = tierAtT(t, &l, a, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		a.TermEnd = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
		st2, evs, err := l.Evaluate(st, a, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if st2.Tier != "Silver" || !st2.ExpiresAt.Equal(a.TermEnd) || len(evs) != 1 || evs[0].Kind != vip.EventProlonged {
			t.Errorf("date moved on: %q until %s, events %+v; want Silver prolonged to 2026-09-30", st2.Tier, st2.ExpiresAt, evs)
		}
	})
}

func TestLadder_SnapshotAt(t *testing.T) {
	// Pricing an old order at the tier it was placed under: a customer Gold from
	// 2025-03-01 to the loss of the window in 2026 was Silver on 2025-02-01.
	l := simpleLadder(t, func(l *vip.Ladder) { l.Version = 3 })
	a := propActivity([]vip.Order{
		order("o1", "c", time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), "2500"),
		order("o2", "c", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "3000"),
	})
	for _, tt := range []struct {
		at   time.Time
		want vip.Snapshot
	}{
		{time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), vip.Snapshot{Ladder: "l", Version: 3, Tier: "Silver", At: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}},
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), vip.Snapshot{Ladder: "l", Version: 3, Tier: "Gold", At: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), vip.Snapshot{Ladder: "l", Version: 3, At: time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		got, err := l.SnapshotAt(a, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
			t.Errorf("SnapshotAt(%s) (-want +got):\n%s", tt.at.Format(time.DateOnly), diff)
		}
	}
}

func TestLadder_Evaluate_Points(t *testing.T) {
	day := func(m time.Month) time.Time { return time.Date(2025, m, 1, 0, 0, 0, 0, time.UTC) }
	a := propActivity(nil)
	a.Points = []vip.PointsEntry{
		{At: day(1), Points: dec(t, "500"), Reason: "order"},
		{At: day(3), Points: dec(t, "700"), Reason: "order"},
		{At: day(4), Points: dec(t, "-600"), Reason: "redeemed"},
	}
	for _, tt := range []struct {
		measure vip.Measure
		at      time.Time
		want    string
	}{
		// Earned in the rolling 12 months: 500 + 700 - 600 of adjustments = 600 on Apr 1.
		{vip.MeasurePoints, day(3), "Club"},
		{vip.MeasurePoints, day(5), ""},
		// The balance, named explicitly: 1,200 on Mar 1, 600 after the redemption.
		{vip.MeasurePointsBalance, day(3), "Club"},
		{vip.MeasurePointsBalance, day(5), ""},
		{vip.MeasurePointsBalance, day(2), ""},
	} {
		l := vip.Ladder{Name: "p", Currency: "USD", Measure: tt.measure, Tiers: []vip.Tier{{Name: "Club", Qualify: dec(t, "1000")}}}
		if st := tierAtT(t, &l, a, tt.at); st.Tier != tt.want {
			t.Errorf("%s at %s: tier %q, want %q", tt.measure, tt.at.Format(time.DateOnly), st.Tier, tt.want)
		}
	}
}
