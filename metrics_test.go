package vip_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

func TestProgramMetrics(t *testing.T) {
	l := simpleLadder(t, func(l *vip.Ladder) { l.Landing.MaxSteps = 1 })
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	cust := func(id string, orders ...vip.Order) *vip.Activity {
		for i := range orders {
			orders[i].CustomerID = id
		}
		return &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: day(2024, 1, 1)}, Orders: orders}
	}
	customers := []*vip.Activity{
		// Silver on 2025-01-01; Gold 2025-06-01; back to Silver when the 2024 order leaves
		// on 2025-12-10. Ends Silver, with one order in 2025.
		cust("a", order("a1", "a", day(2024, 12, 10), "2500"), order("a2", "a", day(2025, 6, 1), "3000")),
		// Gold on 2025-01-01; Silver 2025-11-01; none 2025-12-01. No order in 2025.
		cust("b", order("b1", "b", day(2024, 11, 1), "6000")),
		// Never a tier; two orders in 2025.
		cust("c", order("c1", "c", day(2024, 10, 1), "100"), order("c2", "c", day(2025, 3, 1), "100"), order("c3", "c", day(2025, 4, 1), "100")),
		// Never a tier; nothing in 2025.
		cust("d", order("d1", "d", day(2024, 9, 1), "50")),
	}
	res, err := l.Backtest(customers, vip.BacktestOptions{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := vip.ProgramMetrics(&l, res, customers)
	if err != nil {
		t.Fatal(err)
	}
	// At 2025-01-01: a Silver, b Gold, c and d none. Bought in the year after: a and c.
	// Non-VIP retention 1/2; Silver 1/1: lift 1/0.5 - 1 = 1; Gold 0/1: lift -1.
	// Orders in 2025 per buyer: (1 + 2) / 2 = 1.5; Silver (a) 1 order: 1 / 1.5 = 0.6667.
	// Demotions: Gold>Silver twice (a, b), Silver>none once (b). Customers on Silver over
	// the 13 reviews: 8, on Gold 17: Silver 1 / (8/13) = 1.625, Gold 2 / (17/13) = 1.5294.
	// Moved up: a and b of 4; reactivations 0 of 3 demotions.
	//
	// At 2026-01-01 a is Silver; b, c and d are on no tier. In 2025 a bought once
	// (Silver: 1 order per buyer, no interval), c twice, 31 days apart (2025-03-01 to
	// 2025-04-01); b and d did not buy: no tier has 2 / 1 = 2 orders per buyer.
	// Reaching Silver: a with its first order (0 days), b jumped to Gold with its first
	// order, crossing Silver (0 days). Reaching Gold: b at 0 days, a at 2025-06-01, 173
	// days after 2024-12-10 (22 + 31 + 28 + 31 + 30 + 31): mean = median = 86.5.
	// LTV: the data start at d's order of 2024-09-01 (all joined before). a and b
	// reached Silver 3 and 2 months after it: fewer than 6, left out. b reached Gold
	// likewise; a reached Gold at 2025-06-01 12:00 with 9 months before and 6 after
	// (2025-12-01 12:00; 7 would pass 2026-01-01): 6 months on each side. Before,
	// (2024-12-01, 2025-06-01]: 2,500 + 3,000 = 5,500, 916.67 a month; after: nothing.
	// Lift 0 / 5,500 - 1 = -1.
	retention, orders, ltv := vip.BandRetentionLift, vip.BandOrdersMultiple, vip.BandLTVLift
	want := []vip.Metric{
		{Name: "retention_lift", Tier: "Silver", Value: dec(t, "1"), Band: &retention, Finding: "Silver: retention lift +100% is above the target of +30% to +50%"},
		{Name: "retention_lift", Tier: "Gold", Value: dec(t, "-1"), Band: &retention, Finding: "Gold: retention lift -100% is below the target of +30% to +50%"},
		{Name: "orders_multiple", Tier: "Silver", Value: dec(t, "0.6667"), Band: &orders, Finding: "Silver: orders multiple 0.67x is below the target of 2x to 3x"},
		{Name: "demotion_rate", Tier: "Silver", Value: dec(t, "1.625"), Finding: "Silver has the highest demotion rate of the ladder: the tier may be too hard to keep"},
		{Name: "demotion_rate", Tier: "Gold", Value: dec(t, "1.5294")},
		{Name: "upgrade_share", Value: dec(t, "0.5")},
		{Name: "reactivation_rate", Value: dec(t, "0")},
		{Name: "orders_per_year", Tier: "Silver", Value: dec(t, "1")},
		{Name: "orders_per_year", Tier: "", Value: dec(t, "2")},
		{Name: "days_between_orders", Tier: "", Value: dec(t, "31")},
		{Name: "days_between_orders_median", Tier: "", Value: dec(t, "31")},
		{Name: "days_to_reach", Tier: "Silver", Value: dec(t, "0")},
		{Name: "days_to_reach_median", Tier: "Silver", Value: dec(t, "0")},
		{Name: "days_to_reach", Tier: "Gold", Value: dec(t, "86.5")},
		{Name: "days_to_reach_median", Tier: "Gold", Value: dec(t, "86.5")},
		{Name: "spend_per_month_before", Tier: "Gold", Value: dec(t, "916.67")},
		{Name: "spend_per_month_after", Tier: "Gold", Value: dec(t, "0")},
		{Name: "ltv_lift", Tier: "Gold", Value: dec(t, "-1"), Band: &ltv, Finding: "Gold: spend lift after reaching the tier -100% is below the target of +20% to +40%"},
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("ProgramMetrics (-want +got):\n%s", diff)
	}
}

func TestCompareLadders(t *testing.T) {
	// The customers of TestProgramMetrics under the same ladder with and without three
	// months' grace. On 2026-01-01 without grace a is back on Silver and b has no tier;
	// with grace both are still Gold (a's grace runs to 2026-03-10, b's to 2026-02-01).
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	mk := func(id string, os ...vip.Order) *vip.Activity {
		return &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: day(2024, 1, 1)}, Orders: os}
	}
	customers := []*vip.Activity{
		mk("a", order("a1", "a", day(2024, 12, 10), "2500"), order("a2", "a", day(2025, 6, 1), "3000")),
		mk("b", order("b1", "b", day(2024, 11, 1), "6000")),
	}
	strict := simpleLadder(t, func(l *vip.Ladder) { l.Name, l.Landing.MaxSteps = "strict", 1 })
	lenient := simpleLadder(t, func(l *vip.Ladder) { l.Name, l.Landing.MaxSteps, l.GraceMonths = "lenient", 1, 3 })
	cs, err := vip.CompareLadders([]vip.Ladder{strict, lenient}, customers,
		vip.BacktestOptions{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{}
	for _, c := range cs {
		got[c.Ladder] = c.Result.Periods[len(c.Result.Periods)-1].Tiers
	}
	want := map[string]map[string]int{"strict": {"Silver": 1, "": 1}, "lenient": {"Gold": 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("final tiers (-want +got):\n%s", diff)
	}
	if _, err := vip.CompareLadders([]vip.Ladder{strict, strict}, customers, vip.BacktestOptions{From: day(2025, 1, 1), To: day(2025, 2, 1)}); err == nil {
		t.Error("the same ladder twice: no error")
	}
}

// pickMetrics keeps the metrics with the given names, in their order.
func pickMetrics(ms []vip.Metric, names ...string) []vip.Metric {
	var out []vip.Metric
	for _, m := range ms {
		if slices.Contains(names, m.Name) {
			out = append(out, m)
		}
	}
	return out
}

func TestProgramMetricsWith(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	cust := func(id string, joined time.Time, orders ...vip.Order) *vip.Activity {
		for i := range orders {
			orders[i].CustomerID = id
		}
		return &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: joined}, Orders: orders}
	}
	joined := day(2024, 1, 1)
	// Every backtest here reviews monthly through 2025: the last review is 2026-01-01
	// 00:00 and the year is (2025-01-01, 2026-01-01].
	opts := vip.BacktestOptions{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	measure := func(t *testing.T, l vip.Ladder, customers []*vip.Activity, mo *vip.MetricsOptions) []vip.Metric {
		t.Helper()
		res, err := l.Backtest(customers, opts)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := vip.ProgramMetricsWith(&l, res, customers, mo)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	t.Run("RepeatPurchase", func(t *testing.T) {
		l := simpleLadder(t, nil)
		customers := []*vip.Activity{
			// Gold from 2025-02-01 to the end; intervals 10, 30 and 0.5 days.
			cust("g1", joined, order("g1a", "", day(2025, 2, 1), "6000"), order("g1b", "", day(2025, 2, 11), "10"),
				order("g1c", "", day(2025, 3, 13), "10"), order("g1d", "", time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), "10")),
			// Gold from 2025-06-01; one interval of 1 day.
			cust("g2", joined, order("g2a", "", day(2025, 6, 1), "5000"), order("g2b", "", day(2025, 6, 2), "10")),
			// No tier; 2025-01-10 00:00 to 2025-12-31 00:00 is 355 days.
			cust("n1", joined, order("n1a", "", time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), "50"), order("n1b", "", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), "50")),
			// No tier and no order in the year: not a buyer.
			cust("n2", joined, order("n2a", "", day(2024, 6, 1), "50")),
		}
		// Gold: (4 + 2) orders / 2 buyers = 3; intervals 0.5, 1, 10, 30: mean 41.5 / 4 =
		// 10.375, 10.38 half away from zero; median (1 + 10) / 2 = 5.5. No tier: 2 / 1
		// (n2 bought nothing) = 2; one interval of 355 days.
		want := []vip.Metric{
			{Name: "orders_per_year", Tier: "Gold", Value: dec(t, "3")},
			{Name: "orders_per_year", Tier: "", Value: dec(t, "2")},
			{Name: "days_between_orders", Tier: "Gold", Value: dec(t, "10.38")},
			{Name: "days_between_orders_median", Tier: "Gold", Value: dec(t, "5.5")},
			{Name: "days_between_orders", Tier: "", Value: dec(t, "355")},
			{Name: "days_between_orders_median", Tier: "", Value: dec(t, "355")},
		}
		got := pickMetrics(measure(t, l, customers, nil), "orders_per_year", "days_between_orders", "days_between_orders_median")
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("repeat purchase (-want +got):\n%s", diff)
		}
	})

	t.Run("ReachAndLTV", func(t *testing.T) {
		l := simpleLadder(t, func(l *vip.Ladder) { l.Tiers = l.Tiers[:2] }) // Silver 2,000, Gold 5,000
		s := cust("s", joined, order("s1", "", day(2024, 1, 15), "100"), order("s2", "", day(2024, 7, 1), "2000"),
			order("s3", "", day(2024, 8, 1), "1000"), order("s4", "", day(2024, 10, 1), "1500"), order("s5", "", day(2024, 11, 1), "500"))
		s.Refunds = []vip.Refund{{ID: "r1", OrderID: "s4", CustomerID: "s", At: day(2024, 10, 5), Currency: "USD", Amount: dec(t, "500")}}
		customers := []*vip.Activity{
			// The data start at s's first order, 2024-01-15 12:00. s reaches Silver at
			// 2024-07-01 (2,100), 168 days after its first order (17 + 29 + 31 + 30 + 31 +
			// 30); it never holds Gold (at most 4,600). With 5 months before (2024-02-01
			// 12:00 is not before the start, 2024-01-01 is): before, (2024-02-01,
			// 2024-07-01]: 2,000; after, (2024-07-01, 2024-12-01]: 1,000 + 1,500 - 500
			// refunded on 2024-10-05 + 500 = 2,500.
			s,
			// t reaches Silver with its first order at 2024-05-01: 0 days; 3 months before
			// (4 would start 2024-01-01): before 2,400, after (2024-05-01, 2024-08-01] 300.
			cust("t", joined, order("t1", "", day(2024, 5, 1), "2400"), order("t2", "", day(2024, 6, 15), "300")),
			// u jumps to Gold with its first order at 2024-09-01, crossing Silver: 0 days to
			// both; 7 months before: before 5,000, after (2024-09-01, 2025-04-01] 6,000.
			cust("u", joined, order("u1", "", day(2024, 9, 1), "5000"), order("u2", "", day(2024, 12, 1), "3000"), order("u3", "", day(2025, 3, 1), "3000")),
			// v joined on 2024-06-01 00:00 and reaches Silver at 2024-10-01 12:00: 0 days;
			// 4 months before (2024-06-01 12:00 is not before it joined, 2024-05-01 is):
			// before 2,500, after nothing.
			cust("v", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), order("v1", "", day(2024, 10, 1), "2500")),
		}
		// Days to Silver 168, 0, 0, 0: mean 42, median 0. Gold: u alone, 0.
		// Silver: before 2,000 + 2,400 + 5,000 + 2,500 = 11,900, after 2,500 + 300 + 6,000
		// + 0 = 8,800, over 5 + 3 + 7 + 4 = 19 months: 626.3157.. and 463.1578.. a month;
		// lift 8,800 / 11,900 = 0.73949.. to 0.7395, - 1 = -0.2605.
		// Gold: u alone, 5,000 / 7 = 714.2857.., 6,000 / 7 = 857.1428..; lift 0.2, in band.
		ltv := vip.BandLTVLift
		want := []vip.Metric{
			{Name: "days_to_reach", Tier: "Silver", Value: dec(t, "42")},
			{Name: "days_to_reach_median", Tier: "Silver", Value: dec(t, "0")},
			{Name: "days_to_reach", Tier: "Gold", Value: dec(t, "0")},
			{Name: "days_to_reach_median", Tier: "Gold", Value: dec(t, "0")},
			{Name: "spend_per_month_before", Tier: "Silver", Value: dec(t, "626.32")},
			{Name: "spend_per_month_after", Tier: "Silver", Value: dec(t, "463.16")},
			{Name: "ltv_lift", Tier: "Silver", Value: dec(t, "-0.2605"), Band: &ltv, Finding: "Silver: spend lift after reaching the tier -26.1% is below the target of +20% to +40%"},
			{Name: "spend_per_month_before", Tier: "Gold", Value: dec(t, "714.29")},
			{Name: "spend_per_month_after", Tier: "Gold", Value: dec(t, "857.14")},
			{Name: "ltv_lift", Tier: "Gold", Value: dec(t, "0.2"), Band: &ltv},
		}
		names := []string{"days_to_reach", "days_to_reach_median", "spend_per_month_before", "spend_per_month_after", "ltv_lift"}
		got := pickMetrics(measure(t, l, customers, &vip.MetricsOptions{LTVMinMonths: 3}), names...)
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("reach and LTV, at least 3 months (-want +got):\n%s", diff)
		}
		// At the default 6 months only u (7) counts, for both tiers.
		want = []vip.Metric{
			{Name: "spend_per_month_before", Tier: "Silver", Value: dec(t, "714.29")},
			{Name: "spend_per_month_after", Tier: "Silver", Value: dec(t, "857.14")},
			{Name: "ltv_lift", Tier: "Silver", Value: dec(t, "0.2"), Band: &ltv},
			{Name: "spend_per_month_before", Tier: "Gold", Value: dec(t, "714.29")},
			{Name: "spend_per_month_after", Tier: "Gold", Value: dec(t, "857.14")},
			{Name: "ltv_lift", Tier: "Gold", Value: dec(t, "0.2"), Band: &ltv},
		}
		got = pickMetrics(measure(t, l, customers, nil), "spend_per_month_before", "spend_per_month_after", "ltv_lift")
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("LTV, default 6 months (-want +got):\n%s", diff)
		}
	})

	t.Run("Redemption", func(t *testing.T) {
		l := simpleLadder(t, nil)
		cat := vip.BriefCatalogue()
		customers := []*vip.Activity{
			cust("p1", joined, order("p1a", "", day(2025, 2, 1), "2500")),  // Silver from 2025-02-01 to the end
			cust("p2", joined, order("p2a", "", day(2025, 3, 1), "2500")),  // Silver from 2025-03-01
			cust("p3", joined, order("p3a", "", day(2025, 1, 15), "6000")), // Gold from 2025-01-15
			cust("p4", joined, order("p4a", "", day(2025, 4, 1), "500")),   // never a member
		}
		rd := func(id string, k vip.BenefitKind, at time.Time, v string) vip.Redemption {
			return vip.Redemption{CustomerID: id, Benefit: k, At: at, Value: dec(t, v)}
		}
		mo := &vip.MetricsOptions{
			Catalogue: &cat,
			Assumed:   map[vip.BenefitKind]decimal.Decimal{vip.BenefitCreditBirthday: dec(t, "0.8")},
			Redemptions: []vip.Redemption{
				rd("p1", vip.BenefitCreditBirthday, day(2025, 5, 1), "25"),
				rd("p1", vip.BenefitCreditBirthday, day(2025, 6, 1), "25"),  // p1 again: one redeemer, value 50
				rd("p2", vip.BenefitCreditBirthday, day(2025, 1, 10), "25"), // p2 on no tier then: not counted
				rd("p1", vip.BenefitShipping, day(2025, 7, 1), "8"),
				rd("p3", vip.BenefitPersonalShopping, day(2025, 3, 1), "0"), // Gold does not offer it
				rd("p4", vip.BenefitCreditBirthday, day(2025, 5, 1), "25"),  // non-member
				rd("p1", vip.BenefitEarlyAccess, day(2024, 12, 1), "0"),     // outside the year
			},
		}
		// Silver members in the year: p1, p2. Offered: discount, birthday credit,
		// shipping, early access, events. Birthday: p1 of 2 = 0.5, value 50 / 2 = 25,
		// against 0.8 assumed: -0.3. Shipping: 0.5, value 8 / 2 = 4 (assumed per order, no
		// comparison). Early access: 0 against 1 assumed (a missing kind): -1.
		// Gold members: p3. Offered: discount, birthday credit, shipping, early access,
		// exclusive, events, support; personal shopping redeemed (1 of 1) but not offered.
		below := func(tier string, k vip.BenefitKind, share, assumed string) string {
			return tier + " members redeemed " + string(k) + " at " + share + ", below the " + assumed +
				" the costing assumes: it costs less than the P&L says and, rarely used, may not be valued"
		}
		m := func(name, tier string, k vip.BenefitKind, v, finding string) vip.Metric {
			return vip.Metric{Name: name, Tier: tier, Benefit: k, Value: dec(t, v), Finding: finding}
		}
		want := []vip.Metric{
			m("redemption_share", "Silver", vip.BenefitDiscount, "0", ""),
			m("redemption_share", "Silver", vip.BenefitCreditBirthday, "0.5", ""),
			m("redemption_value", "Silver", vip.BenefitCreditBirthday, "25", ""),
			m("redemption_vs_assumed", "Silver", vip.BenefitCreditBirthday, "-0.3", below("Silver", vip.BenefitCreditBirthday, "50%", "80%")),
			m("redemption_share", "Silver", vip.BenefitShipping, "0.5", ""),
			m("redemption_value", "Silver", vip.BenefitShipping, "4", ""),
			m("redemption_share", "Silver", vip.BenefitEarlyAccess, "0", ""),
			m("redemption_vs_assumed", "Silver", vip.BenefitEarlyAccess, "-1", below("Silver", vip.BenefitEarlyAccess, "0%", "100%")),
			m("redemption_share", "Silver", vip.BenefitEvents, "0", ""),
			m("redemption_share", "Gold", vip.BenefitDiscount, "0", ""),
			m("redemption_share", "Gold", vip.BenefitCreditBirthday, "0", ""),
			m("redemption_vs_assumed", "Gold", vip.BenefitCreditBirthday, "-0.8", below("Gold", vip.BenefitCreditBirthday, "0%", "80%")),
			m("redemption_share", "Gold", vip.BenefitShipping, "0", ""),
			m("redemption_share", "Gold", vip.BenefitEarlyAccess, "0", ""),
			m("redemption_vs_assumed", "Gold", vip.BenefitEarlyAccess, "-1", below("Gold", vip.BenefitEarlyAccess, "0%", "100%")),
			m("redemption_share", "Gold", vip.BenefitExclusive, "0", ""),
			m("redemption_vs_assumed", "Gold", vip.BenefitExclusive, "-1", below("Gold", vip.BenefitExclusive, "0%", "100%")),
			m("redemption_share", "Gold", vip.BenefitPersonalShopping, "1", "Gold members redeemed personal_shopping, which the catalogue does not give Gold"),
			m("redemption_share", "Gold", vip.BenefitEvents, "0", ""),
			m("redemption_share", "Gold", vip.BenefitSupport, "0", ""),
			m("redemption_vs_assumed", "Gold", vip.BenefitSupport, "-1", below("Gold", vip.BenefitSupport, "0%", "100%")),
		}
		got := pickMetrics(measure(t, l, customers, mo), "redemption_share", "redemption_value", "redemption_vs_assumed")
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("redemption (-want +got):\n%s", diff)
		}

		// Without a catalogue: only what was redeemed, nothing compared.
		got = pickMetrics(measure(t, l, customers, &vip.MetricsOptions{Redemptions: mo.Redemptions}), "redemption_share", "redemption_value", "redemption_vs_assumed")
		want = []vip.Metric{
			m("redemption_share", "Silver", vip.BenefitCreditBirthday, "0.5", ""),
			m("redemption_value", "Silver", vip.BenefitCreditBirthday, "25", ""),
			m("redemption_share", "Silver", vip.BenefitShipping, "0.5", ""),
			m("redemption_value", "Silver", vip.BenefitShipping, "4", ""),
			m("redemption_share", "Gold", vip.BenefitPersonalShopping, "1", ""),
		}
		if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
			t.Errorf("redemption without a catalogue (-want +got):\n%s", diff)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		l := simpleLadder(t, nil)
		customers := []*vip.Activity{cust("a", joined, order("a1", "", day(2025, 2, 1), "2500"))}
		res, err := l.Backtest(customers, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			mo   vip.MetricsOptions
			want error
		}{
			{"ErrUnknownCustomer", vip.MetricsOptions{Redemptions: []vip.Redemption{{CustomerID: "zz", Benefit: vip.BenefitSupport, At: day(2025, 3, 1)}}}, vip.ErrNotFound},
			{"ErrUnknownBenefit", vip.MetricsOptions{Redemptions: []vip.Redemption{{CustomerID: "a", Benefit: "massage", At: day(2025, 3, 1)}}}, vip.ErrInvalidActivity},
			{"ErrZeroInstant", vip.MetricsOptions{Redemptions: []vip.Redemption{{CustomerID: "a", Benefit: vip.BenefitSupport}}}, vip.ErrInvalidActivity},
			{"ErrNegativeValue", vip.MetricsOptions{Redemptions: []vip.Redemption{{CustomerID: "a", Benefit: vip.BenefitSupport, At: day(2025, 3, 1), Value: dec(t, "-1")}}}, vip.ErrInvalidActivity},
			{"ErrAssumedAboveOne", vip.MetricsOptions{Assumed: map[vip.BenefitKind]decimal.Decimal{vip.BenefitSupport: dec(t, "1.5")}}, vip.ErrInvalidEconomics},
			{"ErrMinMonths", vip.MetricsOptions{LTVMinMonths: 13}, vip.ErrInvalidLadder},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := vip.ProgramMetricsWith(&l, res, customers, &tc.mo); !errors.Is(err, tc.want) {
					t.Errorf("ProgramMetricsWith(%+v): error %v, want one wrapping %v", tc.mo, err, tc.want)
				}
			})
		}
	})
}
