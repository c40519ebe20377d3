// Command backtest replays two ladders over the synthetic shop's 2025 before launching
// either: the brief's Silver/Gold/Platinum at $2,000/$5,000/$10,000, and a data-driven
// one whose thresholds put the top 15%, 5% and 1% of the customers who bought in 2024
// on Silver, Gold and Platinum. It prints each ladder's tiers month by month, its flows,
// and the program metrics against the brief's targets.
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

func main() {
	brief, err := vip.ParseLadder([]byte(`{
	  "name": "brief", "currency": "USD",
	  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
	  "grace_months": 3, "landing": {"mode": "one_step", "max_steps": 1}
	}`))
	if err != nil {
		log.Fatal(err)
	}
	shop := synth.Generate(synth.DefaultConfig())
	acts := map[string]*vip.Activity{}
	var customers []*vip.Activity
	for _, c := range shop.Customers {
		a := &vip.Activity{Customer: c}
		acts[c.ID] = a
		customers = append(customers, a)
	}
	for _, o := range shop.Orders {
		acts[o.CustomerID].Orders = append(acts[o.CustomerID].Orders, o)
	}
	for _, r := range shop.Refunds {
		acts[r.CustomerID].Refunds = append(acts[r.CustomerID].Refunds, r)
	}

	// The data-driven ladder: thresholds from the 2024 spend of the customers who bought.
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var spend []decimal.Decimal
	for _, a := range customers {
		p, err := brief.Progress(vip.Status{}, a, start)
		if err != nil {
			log.Fatal(err)
		}
		if p.Value.IsPositive() {
			spend = append(spend, p.Value)
		}
	}
	data := brief
	data.Name = "data-driven"
	data.Tiers = append([]vip.Tier(nil), brief.Tiers...)
	for i, share := range []string{"0.15", "0.05", "0.01"} {
		th, err := vip.TopThreshold(spend, decimal.RequireFromString(share))
		if err != nil {
			log.Fatal(err)
		}
		data.Tiers[i].Qualify = th.Round(-2) // to the hundred, as a shop would publish it
	}
	if err := data.Validate(); err != nil {
		log.Fatal(err)
	}

	cs, err := vip.CompareLadders([]vip.Ladder{brief, data}, customers,
		vip.BacktestOptions{From: start, To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		log.Fatal(err)
	}
	for i, c := range cs {
		l := []vip.Ladder{brief, data}[i]
		fmt.Printf("%s ladder: Silver $%s, Gold $%s, Platinum $%s\n", c.Ladder,
			l.Tiers[0].Qualify.StringFixed(0), l.Tiers[1].Qualify.StringFixed(0), l.Tiers[2].Qualify.StringFixed(0))
		fmt.Println("  month    Silver  Gold  Plat.   up  down  grace")
		for _, p := range c.Result.Periods {
			fmt.Printf("  %s  %6d %5d %6d %5d %5d %6d\n", p.At.Format("2006-01"), p.Tiers["Silver"], p.Tiers["Gold"], p.Tiers["Platinum"],
				p.Upgrades, p.Downgrades, p.GraceStarted)
		}
		for _, m := range c.Metrics {
			line := fmt.Sprintf("  %-26s %-9s %s", m.Name, m.Tier, m.Value.StringFixed(4))
			if m.Finding != "" {
				line += "  <- " + m.Finding
			}
			fmt.Println(line)
		}
		fmt.Println()
	}
}
