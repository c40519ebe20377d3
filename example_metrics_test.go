package vip_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// A ladder replayed over three customers' 2024-2025 in monthly reviews through 2025, and
// read against the brief's targets, with the birthday credits the shop recorded.
func ExampleProgramMetricsWith() {
	ladder, err := vip.ParseLadder([]byte(`{"name": "vip", "currency": "USD",
	  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	buy := func(id string, t time.Time, amount string) vip.Order {
		p := decimal.RequireFromString(amount)
		return vip.Order{ID: id + t.Format("20060102"), CustomerID: id, PlacedAt: t, Currency: "USD",
			Lines: []vip.Line{{SKU: "sku", Quantity: 1, ListPrice: p, PaidPrice: p}}}
	}
	customers := []*vip.Activity{
		{Customer: vip.Customer{ID: "ann"}, Orders: []vip.Order{ // Gold from 2024-09-01
			buy("ann", at(2024, 3, 1), "1000"), buy("ann", at(2024, 9, 1), "4500"),
			buy("ann", at(2025, 2, 1), "3000"), buy("ann", at(2025, 5, 1), "3000")}},
		{Customer: vip.Customer{ID: "bob"}, Orders: []vip.Order{ // Silver from 2025-03-01
			buy("bob", at(2025, 3, 1), "2500"), buy("bob", at(2025, 4, 1), "100")}},
		{Customer: vip.Customer{ID: "cid"}, Orders: []vip.Order{ // never a member
			buy("cid", at(2024, 6, 1), "300"), buy("cid", at(2025, 6, 1), "300"), buy("cid", at(2025, 8, 1), "300")}},
	}
	res, err := ladder.Backtest(customers, vip.BacktestOptions{
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	cat := vip.Catalogue{Currency: "USD", Tiers: []vip.Benefits{
		{Tier: "Silver", Credits: []vip.Credit{{Trigger: vip.TriggerBirthday, Amount: decimal.NewFromInt(25)}}},
		{Tier: "Gold", Credits: []vip.Credit{{Trigger: vip.TriggerBirthday, Amount: decimal.NewFromInt(50)}}},
	}}
	ms, err := vip.ProgramMetricsWith(&ladder, res, customers, &vip.MetricsOptions{
		Catalogue:   &cat,
		Redemptions: []vip.Redemption{{CustomerID: "ann", Benefit: vip.BenefitCreditBirthday, At: at(2025, 7, 14), Value: decimal.NewFromInt(50)}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Ann reached Silver and Gold together on 2024-09-01, 184 days after her first order;
	// Bob reached Silver with his first. Spend per month: Gold, Ann's 4,500 in the 6
	// months before (the first order falls on the start of the data) and 3,000 after;
	// Silver adds Bob's 2,500 before and 100 after over 9 months. Nobody on Silver
	// claimed the birthday credit the costing assumes all do.
	for _, m := range ms {
		line := fmt.Sprintf("%-26s %-6s %-15s %8s", m.Name, m.Tier, m.Benefit, m.Value.StringFixed(2))
		if m.Finding != "" {
			line += " " + m.Finding
		}
		fmt.Println(line)
	}
	// Output:
	// retention_lift             Gold                       0.00 Gold: retention lift 0% is below the target of +30% to +50%
	// orders_multiple            Silver                     1.00 Silver: orders multiple 1x is below the target of 2x to 3x
	// orders_multiple            Gold                       1.00 Gold: orders multiple 1x is below the target of 2x to 3x
	// demotion_rate              Silver                     0.00
	// demotion_rate              Gold                       0.00
	// upgrade_share                                         0.67
	// orders_per_year            Silver                     2.00
	// orders_per_year            Gold                       2.00
	// orders_per_year                                       2.00
	// days_between_orders        Silver                    31.00
	// days_between_orders_median Silver                    31.00
	// days_between_orders        Gold                      89.00
	// days_between_orders_median Gold                      89.00
	// days_between_orders                                  61.00
	// days_between_orders_median                           61.00
	// days_to_reach              Silver                    92.00
	// days_to_reach_median       Silver                    92.00
	// days_to_reach              Gold                     184.00
	// days_to_reach_median       Gold                     184.00
	// spend_per_month_before     Silver                   466.67
	// spend_per_month_after      Silver                   206.67
	// ltv_lift                   Silver                    -0.56 Silver: spend lift after reaching the tier -55.7% is below the target of +20% to +40%
	// spend_per_month_before     Gold                     750.00
	// spend_per_month_after      Gold                     500.00
	// ltv_lift                   Gold                      -0.33 Gold: spend lift after reaching the tier -33.3% is below the target of +20% to +40%
	// redemption_share           Silver credit_birthday     0.00
	// redemption_vs_assumed      Silver credit_birthday    -1.00 Silver members redeemed credit_birthday at 0%, below the 100% the costing assumes: it costs less than the P&L says and, rarely used, may not be valued
	// redemption_share           Gold   credit_birthday     1.00
	// redemption_value           Gold   credit_birthday    50.00
	// redemption_vs_assumed      Gold   credit_birthday     0.00
}
