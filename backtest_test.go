package vip_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip"
)

func TestLadder_Backtest(t *testing.T) {
	l := simpleLadder(t, func(l *vip.Ladder) { l.Landing.MaxSteps = 1 })
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	cust := func(id string, orders ...vip.Order) *vip.Activity {
		for i := range orders {
			orders[i].CustomerID = id
		}
		return &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: day(2024, 1, 1)}, Orders: orders}
	}
	customers := []*vip.Activity{
		cust("a", order("a1", "a", day(2025, 1, 15), "2500")), // Silver 2025-01-15 to 2026-01-15
		cust("b", order("b1", "b", day(2025, 2, 10), "6000")), // Gold 2025-02-10; Silver 2026-02-10; none 2026-03-10
		cust("c", order("c1", "c", day(2025, 3, 5), "1000")),  // never a tier
	}
	res, err := l.Backtest(customers, vip.BacktestOptions{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Periods) != 16 {
		t.Fatalf("%d periods, want 16 monthly reviews from 2025-01-01 to 2026-04-01", len(res.Periods))
	}
	type row struct {
		Tiers                     map[string]int
		Up, Down, Grace, Reactive int
		Moves                     map[string]int
	}
	got := map[string]row{}
	for _, p := range res.Periods {
		got[p.At.Format("2006-01")] = row{p.Tiers, p.Upgrades, p.Downgrades, p.GraceStarted, p.Reactivations, p.Moves}
	}
	want := map[string]row{
		"2025-01": {map[string]int{"": 3}, 0, 0, 0, 0, map[string]int{}},
		"2025-02": {map[string]int{"": 2, "Silver": 1}, 1, 0, 0, 0, map[string]int{">Silver": 1}},
		"2025-03": {map[string]int{"": 1, "Silver": 1, "Gold": 1}, 1, 0, 0, 0, map[string]int{">Gold": 1}},
		"2026-01": {map[string]int{"": 1, "Silver": 1, "Gold": 1}, 0, 0, 0, 0, map[string]int{}},
		"2026-02": {map[string]int{"": 2, "Gold": 1}, 0, 1, 0, 0, map[string]int{"Silver>": 1}},
		"2026-03": {map[string]int{"": 2, "Silver": 1}, 0, 1, 0, 0, map[string]int{"Gold>Silver": 1}},
		"2026-04": {map[string]int{"": 3}, 0, 1, 0, 0, map[string]int{"Silver>": 1}},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("period %s (-want +got):\n%s", k, diff)
		}
	}

	// With the brief's catalogue: at 2025-06-01, a is Silver with 2,500 of spend and 1,250
	// of gross profit (the test orders cost half their price), b Gold with 6,000 and 3,000.
	cat := vip.BriefCatalogue()
	res, err = l.Backtest(customers, vip.BacktestOptions{From: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		Catalogue: &cat, Margin: dec(t, "0.40")})
	if err != nil {
		t.Fatal(err)
	}
	pnl := res.Periods[0].PnL
	if pnl == nil {
		t.Fatal("no P&L with a catalogue")
	}
	rows := map[string]vip.PnLRow{}
	for _, r := range pnl.Rows {
		rows[r.Tier] = r
	}
	for tier, w := range map[string][3]string{"Silver": {"1", "2500", "1250"}, "Gold": {"1", "6000", "3000"}} {
		r := rows[tier]
		if n := dec(t, w[0]); !n.Equal(dec(t, strconv.Itoa(r.Customers))) || !r.Spend.Equal(dec(t, w[1])) || !r.GrossProfit.Equal(dec(t, w[2])) {
			t.Errorf("%s row %+v, want %s customer, spend %s, gross %s", tier, r, w[0], w[1], w[2])
		}
		if !r.Cost.IsPositive() || !r.Net.Equal(r.GrossProfit.Sub(r.Cost)) {
			t.Errorf("%s row: cost %s, net %s; want a positive cost and net = gross - cost", tier, r.Cost, r.Net)
		}
	}

	if _, err := l.Backtest(customers, vip.BacktestOptions{From: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a backtest ending before it starts: no error")
	}
}
