package vip_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// The brief's worked example: a Gold VIP spending $5,000 a year in 12 orders, at a 40%
// margin. The example counts no event attendance.
func ExampleCatalogue_Worksheet() {
	c := vip.BriefCatalogue()
	p := vip.Profile{
		AnnualSpend:   decimal.NewFromInt(5000),
		OrdersPerYear: decimal.NewFromInt(12),
		Redemption:    map[vip.BenefitKind]decimal.Decimal{vip.BenefitEvents: decimal.Zero},
	}
	w, err := c.Worksheet("Gold", p, decimal.RequireFromString("0.40"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range w.Cost.Items {
		if !it.Cost.IsZero() {
			fmt.Printf("%-16s %9s\n", it.Benefit, it.Cost.StringFixed(2))
		}
	}
	fmt.Printf("%-16s %9s\n", "total cost", w.Cost.Total.StringFixed(2))
	fmt.Printf("%-16s %9s\n", "gross profit", w.GrossProfit.StringFixed(2))
	fmt.Printf("%-16s %9s\n", "net", w.Net.StringFixed(2))
	fmt.Printf("%-16s %8s%%\n", "net margin", w.NetMargin.Shift(2).StringFixed(0))
	fmt.Printf("%-16s %9s\n", "break-even", w.BreakEvenRevenue.StringFixed(0))
	fmt.Printf("%-16s %8s%%\n", "lift needed", w.BreakEvenLift.Shift(2).StringFixed(0))
	// Output:
	// discount            750.00
	// credit_birthday      50.00
	// shipping            120.00
	// support              25.00
	// total cost          945.00
	// gross profit       2000.00
	// net                1055.00
	// net margin             21%
	// break-even            2363
	// lift needed            47%
}

// The early-access gate: a product launching to the public at noon on June 10 opens to
// Platinum 72 hours earlier, Gold 48 and Silver 24; everyone else waits for the launch.
func ExampleCatalogue_AccessOpens() {
	c := vip.BriefCatalogue()
	launch := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	for _, tier := range []string{"Platinum", "Gold", "Silver", ""} {
		opens, err := c.AccessOpens(launch, tier)
		if err != nil {
			fmt.Println(err)
			return
		}
		name := tier
		if name == "" {
			name = "public"
		}
		fmt.Printf("%-8s %s\n", name, opens.Format("Mon Jan 2 15:04"))
	}
	now := time.Date(2025, 6, 8, 9, 0, 0, 0, time.UTC)
	gold, _ := c.MayBuy(launch, "Gold", now)
	platinum, _ := c.MayBuy(launch, "Platinum", now)
	fmt.Printf("on %s: Gold may buy %v, Platinum may buy %v\n", now.Format("Mon Jan 2 15:04"), gold, platinum)
	// Stock that goes live on June 7 at noon may open to the public no earlier than:
	fmt.Println(c.PublicLaunch(time.Date(2025, 6, 7, 12, 0, 0, 0, time.UTC)).Format("Mon Jan 2 15:04"))
	// Output:
	// Platinum Sat Jun 7 12:00
	// Gold     Sun Jun 8 12:00
	// Silver   Mon Jun 9 12:00
	// public   Tue Jun 10 12:00
	// on Sun Jun 8 09:00: Gold may buy false, Platinum may buy true
	// Tue Jun 10 12:00
}

// Five levers raised by 10% each raise profit by 61% (1.1^5 = 1.61).
func ExampleLevers_Raise() {
	l := vip.Levers{
		Leads:                decimal.NewFromInt(1000),
		Conversion:           decimal.RequireFromString("0.02"),
		Margin:               decimal.RequireFromString("0.40"),
		AverageCheck:         decimal.NewFromInt(100),
		PurchasesPerCustomer: decimal.NewFromInt(3),
	}
	effects, err := l.Raise(decimal.RequireFromString("0.10"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("profit", l.Profit().StringFixed(2))
	for _, e := range effects {
		fmt.Printf("%-22s %8s %+.2f%%\n", e.Lever, e.Profit.StringFixed(2), e.Change.Shift(2).InexactFloat64())
	}
	// Output:
	// profit 2400.00
	// leads                   2640.00 +10.00%
	// conversion              2640.00 +10.00%
	// margin                  2640.00 +10.00%
	// average_check           2640.00 +10.00%
	// purchases_per_customer  2640.00 +10.00%
	// all                     3865.22 +61.05%
}
