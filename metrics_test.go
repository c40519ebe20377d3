package vip_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
		{Name: "retention_lift", Tier: "Silver", Value: dec(t, "1"), Band: &retention, Finding: "retention_lift 1 for Silver is outside the target 0.3-0.5"},
		{Name: "retention_lift", Tier: "Gold", Value: dec(t, "-1"), Band: &retention, Finding: "retention_lift -1 for Gold is outside the target 0.3-0.5"},
		{Name: "orders_multiple", Tier: "Silver", Value: dec(t, "0.6667"), Band: &orders, Finding: "orders_multiple 0.6667 for Silver is outside the target 2-3"},
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
		{Name: "ltv_lift", Tier: "Gold", Value: dec(t, "-1"), Band: &ltv, Finding: "ltv_lift -1 for Gold is outside the target 0.2-0.4"},
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
