package vip_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

func ExampleSummarize() {
	d := decimal.RequireFromString
	day := func(m time.Month, dd int) time.Time { return time.Date(2026, m, dd, 12, 0, 0, 0, time.UTC) }
	line := func(sku, cat string, list, paid, cost string) vip.Line {
		return vip.Line{SKU: sku, Category: cat, Brand: "Acme", Quantity: 1, ListPrice: d(list), PaidPrice: d(paid), UnitCost: d(cost)}
	}
	a := vip.Activity{
		Customer: vip.Customer{ID: "ann", JoinedAt: day(1, 1)},
		Orders: []vip.Order{
			{ID: "o1", CustomerID: "ann", PlacedAt: day(1, 10), Currency: "USD", Lines: []vip.Line{line("boots", "shoes", "200", "200", "90")}},
			{ID: "o2", CustomerID: "ann", PlacedAt: day(3, 1), Currency: "USD", Lines: []vip.Line{line("bag", "bags", "150", "120", "60")}},
			{ID: "o3", CustomerID: "ann", PlacedAt: day(5, 20), Currency: "USD", Lines: []vip.Line{line("hat", "hats", "80", "80", "20")}},
		},
		Refunds: []vip.Refund{{ID: "r1", OrderID: "o2", CustomerID: "ann", At: day(3, 5), Currency: "USD", Amount: d("120"),
			Lines: []vip.RefundLine{{SKU: "bag", Quantity: 1}}}},
		Signals: []vip.Signal{{At: day(4, 1), Kind: vip.SignalReview}, {At: day(4, 2), Kind: vip.SignalSupportContact}},
	}
	s, err := vip.Summarize(&a, day(6, 30), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("recency days:", s.RecencyDays, "orders:", s.Orders)
	fmt.Println("net:", s.Net.StringFixed(2), "AOV:", s.AOV.StringFixed(2), "full price:", s.FullPriceShare)
	fmt.Println("margin:", s.Margin.StringFixed(2), "return rate:", s.ReturnRate)
	fmt.Println("median gap:", s.IntervalMedianDays, "categories:", s.Categories)
	fmt.Println("reviews:", s.Reviews, "support:", s.SupportContacts)
	// Output:
	// recency days: 41 orders: 3
	// net: 280.00 AOV: 133.33 full price: 0.7
	// margin: 170.00 return rate: 0.3
	// median gap: 65 categories: 3
	// reviews: 1 support: 1
}

func ExampleScoreRFM() {
	pop := []vip.RFMInput{
		{CustomerID: "ann", RecencyDays: 3, Frequency: 12, Monetary: decimal.NewFromInt(4200)},
		{CustomerID: "bob", RecencyDays: 40, Frequency: 1, Monetary: decimal.NewFromInt(90)},
		{CustomerID: "cid", RecencyDays: 200, Frequency: 6, Monetary: decimal.NewFromInt(1500)},
		{CustomerID: "dee", RecencyDays: 10, Frequency: 1, Monetary: decimal.NewFromInt(35)},
		{CustomerID: "eve", RecencyDays: 400, Frequency: 1, Monetary: decimal.NewFromInt(60)},
	}
	scores, err := vip.ScoreRFM(pop, nil) // quintiles, ties split by customer ID
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, s := range scores {
		fmt.Println(pop[i].CustomerID, s, vip.SegmentsRFMTable.Segment(s), "/", vip.SegmentsRFGrid.Segment(s))
	}
	// Output:
	// ann 555 Champions / Champions
	// bob 313 Promising / About To Sleep
	// cid 244 At Risk / At Risk
	// dee 421 New Customers / Potential Loyalists
	// eve 132 Hibernating / At Risk
}

func ExampleParseSegmentMap() {
	m, err := vip.ParseSegmentMap([]byte(`{
		"name": "three-way", "scale": 5, "dimensions": "RFM", "first_match": true, "other": "Everyone else",
		"segments": [
			{"name": "VIP", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
			{"name": "Slipping VIP", "r": [1, 3], "f": [4, 5], "m": [4, 5]}
		]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range []vip.RFMScore{{R: 5, F: 4, M: 5}, {R: 2, F: 5, M: 4}, {R: 5, F: 1, M: 1}} {
		fmt.Println(s, m.Segment(s))
	}
	_, err = vip.ParseSegmentMap([]byte(`{"name": "gappy", "scale": 5, "dimensions": "RF",
		"segments": [{"name": "top", "r": [3, 5]}]}`))
	fmt.Println(err != nil)
	// Output:
	// 545 VIP
	// 254 Slipping VIP
	// 511 Everyone else
	// true
}

func ExampleRank() {
	var values []vip.CustomerValue
	for i, v := range []int64{5000, 3000, 900, 500, 300, 200, 100} {
		values = append(values, vip.CustomerValue{CustomerID: fmt.Sprintf("c%d", i+1), Value: decimal.NewFromInt(v)})
	}
	ranked, err := vip.Rank(values, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range ranked {
		fmt.Println(r.Rank, r.CustomerID, r.CumulativeShare.StringFixed(2), r.Class, r.Service)
	}
	c := vip.Concentrate(values)
	fmt.Println("top 20%:", c.Top20, "gini:", c.Gini)
	// Output:
	// 1 c1 0.50 A white-glove
	// 2 c2 0.80 A automated
	// 3 c3 0.89 B standard
	// 4 c4 0.94 B standard
	// 5 c5 0.97 B standard
	// 6 c6 0.99 C standard
	// 7 c7 1.00 C standard
	// top 20%: 0.8 gini: 0.5971
}

func ExampleNaturalBreaks() {
	var spend []decimal.Decimal
	for _, v := range []int64{120, 150, 180, 200, 240, 1900, 2100, 2300, 2500, 5200, 5600, 11000} {
		spend = append(spend, decimal.NewFromInt(v))
	}
	breaks, err := vip.NaturalBreaks(spend, 4, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("breaks:", breaks)
	rep, err := vip.Exclusivity(spend, []string{"Silver", "Gold", "Platinum"}, breaks, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range rep.Tiers {
		fmt.Println(t.Name, t.Threshold, t.Customers, t.Share, t.OutsideBand)
	}
	fmt.Println("VIP share:", rep.VIPShare, "outside 10-20%:", rep.VIPOutsideBand)
	// Output:
	// breaks: [1900 5200 11000]
	// Silver 1900 4 0.3333 true
	// Gold 5200 2 0.1667 false
	// Platinum 11000 1 0.0833 true
	// VIP share: 0.5833 outside 10-20%: true
}

func ExampleBehaviourRules_Segments() {
	s := vip.Summary{Orders: 6, Gross: decimal.NewFromInt(3000), DiscountedShare: decimal.RequireFromString("0.8"),
		Brands: 1, TopBrandShare: decimal.NewFromInt(1), Categories: 3, TopCategoryShare: decimal.RequireFromString("0.5")}
	fmt.Println(vip.BehaviourRules{}.Segments(s))
	fmt.Println(vip.BehaviourRules{SaleShopperMinGross: decimal.NewFromInt(5000)}.Segments(s))
	// Output:
	// [Sale Shopper Brand Loyalist]
	// [Brand Loyalist]
}
