// Command grace-and-landing follows one customer through two years on the brief's
// ladder (Silver $2,000, Gold $5,000, Platinum $10,000 over a rolling 12 months, 3
// months' grace, one tier down per landing), month by month: the upgrades, the orders
// leaving the window, the grace periods with their warnings, a recovery, and the soft
// landing.
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

func main() {
	ladder, err := vip.ParseLadder([]byte(`{
		"name": "vip", "currency": "USD",
		"period": {"kind": "rolling", "months": 12},
		"tiers": [
			{"name": "Silver", "qualify": "2000"},
			{"name": "Gold", "qualify": "5000"},
			{"name": "Platinum", "qualify": "10000"}
		],
		"grace_months": 3,
		"landing": {"mode": "one_step", "max_steps": 1},
		"near": {"rules": [{"gap": "200"}]}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 15, 0, 0, 0, time.UTC) }
	// A customer who buys a lot in the first year, less in the second, and comes back
	// once to rescue Gold during grace.
	buys := []struct {
		at     time.Time
		amount string
	}{
		{day(2024, 1, 15), "1200.00"}, {day(2024, 2, 20), "950.00"}, {day(2024, 4, 2), "2100.00"},
		{day(2024, 5, 28), "1400.00"}, {day(2024, 7, 9), "3200.00"}, {day(2024, 9, 30), "1500.00"},
		{day(2024, 12, 12), "800.00"}, {day(2025, 6, 3), "2500.00"}, {day(2025, 8, 25), "900.00"},
		{day(2025, 11, 20), "600.00"},
	}
	a := &vip.Activity{Customer: vip.Customer{ID: "ann", JoinedAt: day(2024, 1, 1)}}
	for i, b := range buys {
		amt := decimal.RequireFromString(b.amount)
		a.Orders = append(a.Orders, vip.Order{ID: fmt.Sprint("o", i+1), CustomerID: "ann", PlacedAt: b.at, Currency: "USD",
			Lines: []vip.Line{{SKU: "sku", Quantity: 1, ListPrice: amt, PaidPrice: amt, UnitCost: amt.Div(decimal.NewFromInt(2)).Round(2)}}})
	}

	st := vip.Status{}
	fmt.Println("month     tier      12-month spend  events")
	for now := day(2024, 2, 1); !now.After(day(2026, 1, 1)); now = now.AddDate(0, 1, 0) {
		var evs []vip.Event
		st, evs, err = ladder.Evaluate(st, a, now)
		if err != nil {
			log.Fatal(err)
		}
		p, err := ladder.Progress(st, a, now)
		if err != nil {
			log.Fatal(err)
		}
		tier := st.Tier
		if tier == "" {
			tier = "-"
		}
		fmt.Printf("%s  %-9s %14s", now.Format("2006-01"), tier, "$"+p.Value.StringFixed(2))
		for i, e := range evs {
			if i > 0 {
				fmt.Printf("\n%42s", "")
			}
			fmt.Printf("  %s %s", e.At.Format("01-02"), describe(e))
		}
		fmt.Println()
	}
}

func describe(e vip.Event) string {
	switch e.Kind {
	case vip.EventEnrolled:
		return "welcome to " + e.To
	case vip.EventUpgraded:
		return "upgraded to " + e.To
	case vip.EventNearNextTier:
		return fmt.Sprintf("$%s from %s", e.Gap.StringFixed(2), e.To)
	case vip.EventGraceStarted:
		return fmt.Sprintf("below %s: grace until %s", e.From, e.Deadline.Format(time.DateOnly))
	case vip.EventDemotionWarning:
		return fmt.Sprintf("%d days left: spend $%s to keep %s", e.DaysLeft, e.Gap.StringFixed(2), e.From)
	case vip.EventRecovered:
		return "kept " + e.From
	case vip.EventDowngraded:
		to := e.To
		if to == "" {
			to = "no tier"
		}
		return fmt.Sprintf("%s -> %s; $%s wins %s back", e.From, to, e.Gap.StringFixed(2), e.From)
	}
	return string(e.Kind)
}
