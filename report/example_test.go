package report_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/report"
)

// Build a report of five customers under the brief's ladder and write it as HTML.
func ExampleBuild() {
	ladder, err := vip.ParseLadder([]byte(`{
	  "name": "vip", "currency": "USD",
	  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
	  "grace_months": 3, "landing": {"mode": "one_step", "max_steps": 1}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	buy := func(customer, id string, y int, m time.Month, day int, amount string) vip.Order {
		p := decimal.RequireFromString(amount)
		return vip.Order{ID: id, CustomerID: customer, PlacedAt: time.Date(y, m, day, 12, 0, 0, 0, time.UTC), Currency: "USD",
			Lines: []vip.Line{{SKU: "sku", Quantity: 1, ListPrice: p, PaidPrice: p}}}
	}
	customers := []*vip.Activity{
		{Customer: vip.Customer{ID: "ada"}, Orders: []vip.Order{buy("ada", "1", 2025, 1, 10, "6000"), buy("ada", "2", 2025, 5, 15, "5000")}},
		{Customer: vip.Customer{ID: "bo"}, Orders: []vip.Order{buy("bo", "3", 2024, 5, 20, "2500")}},
		{Customer: vip.Customer{ID: "cy"}, Orders: []vip.Order{buy("cy", "4", 2025, 6, 10, "2100")}},
		{Customer: vip.Customer{ID: "di"}, Orders: []vip.Order{buy("di", "5", 2025, 3, 1, "300"), buy("di", "6", 2025, 6, 20, "200")}},
		{Customer: vip.Customer{ID: "ed"}, Orders: []vip.Order{buy("ed", "7", 2024, 1, 5, "100")}},
	}
	r, err := report.Build(customers, report.Options{
		Ladder: &ladder,
		AsOf:   time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
		Months: 3, // reviews on the first of April, May, June and July
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d customers, %d orders, revenue %s %s\n", r.Customers, r.Orders, r.Currency, r.Revenue.StringFixed(2))
	fmt.Printf("top 20%% of customers hold %s%% of the year's revenue, Gini %s\n", r.Pareto.Concentration.Top20.Shift(2).StringFixed(1), r.Pareto.Concentration.Gini)
	for _, p := range r.Backtest.Periods {
		fmt.Printf("%s: Silver %d, Gold %d, Platinum %d, none %d\n", p.At.Format(time.DateOnly), p.Tiers[0], p.Tiers[1], p.Tiers[2], p.None)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(page.String(), "<!DOCTYPE html>"), strings.Contains(page.String(), "<script"))
	// ada holds 11000 of the 13600 spent in the year before July: 80.9%. Gini: the ascending
	// values 0, 0, 500, 2100, 11000 weighted -4, -2, 0, 2, 4 give 48200, over 5 x 13600.

	// Output:
	// 5 customers, 7 orders, revenue USD 16200.00
	// top 20% of customers hold 80.9% of the year's revenue, Gini 0.7088
	// 2025-04-01: Silver 1, Gold 1, Platinum 0, none 3
	// 2025-05-01: Silver 1, Gold 1, Platinum 0, none 3
	// 2025-06-01: Silver 1, Gold 0, Platinum 1, none 3
	// 2025-07-01: Silver 2, Gold 0, Platinum 1, none 2
	// true false
}
