// Command three-tier writes the brief's Silver/Gold/Platinum ladder three ways and runs
// the same synthetic customers through each:
//
//   - simple: net spend over a rolling 12 months, 3 months' grace, one tier per landing;
//   - talon: Talon.One style: a fixed 12-month term from each upgrade, reassessed at its
//     end, one tier down when it is lost, rounded to the end of the month;
//   - capillary: Capillary style: entry on spend or order count, a separate, lower keep
//     rule on spend or orders, landing on the tier the keep rules still support.
package main

import (
	"fmt"
	"log"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

var ladders = []string{`{
  "name": "simple", "currency": "USD",
  "period": {"kind": "rolling", "months": 12},
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "grace_months": 3,
  "landing": {"mode": "one_step", "max_steps": 1}
}`, `{
  "name": "talon", "currency": "USD",
  "period": {"kind": "fixed_term", "months": 12, "term_months": 12},
  "term": {"round_to": "month"},
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "landing": {"mode": "one_step", "max_steps": 1}
}`, `{
  "name": "capillary", "currency": "USD",
  "period": {"kind": "rolling", "months": 12},
  "tiers": [
    {"name": "Silver",
     "entry":  {"match": "any", "criteria": [{"measure": "net_spend", "min": "2000"}, {"measure": "orders", "min": "8"}]},
     "retain": {"match": "any", "criteria": [{"measure": "net_spend", "min": "1500"}, {"measure": "orders", "min": "6"}]}},
    {"name": "Gold",
     "entry":  {"match": "any", "criteria": [{"measure": "net_spend", "min": "5000"}, {"measure": "orders", "min": "15"}]},
     "retain": {"match": "any", "criteria": [{"measure": "net_spend", "min": "4000"}, {"measure": "orders", "min": "12"}]}},
    {"name": "Platinum",
     "entry":  {"criteria": [{"measure": "net_spend", "min": "10000"}]},
     "retain": {"criteria": [{"measure": "net_spend", "min": "8000"}]}}
  ],
  "grace_months": 1,
  "landing": {"mode": "qualifying"}
}`}

func main() {
	cfg := synth.DefaultConfig()
	shop := synth.Generate(cfg)
	acts := map[string]*vip.Activity{}
	for _, c := range shop.Customers {
		acts[c.ID] = &vip.Activity{Customer: c}
	}
	for _, o := range shop.Orders {
		acts[o.CustomerID].Orders = append(acts[o.CustomerID].Orders, o)
	}
	for _, r := range shop.Refunds {
		acts[r.CustomerID].Refunds = append(acts[r.CustomerID].Refunds, r)
	}
	fmt.Printf("%d synthetic customers, %d orders; tiers at the end of each quarter of 2025\n\n", len(shop.Customers), len(shop.Orders))
	fmt.Printf("%-10s %-8s %7s %7s %7s %7s   %8s %10s\n", "ladder", "quarter", "none", "Silver", "Gold", "Plat.", "upgrades", "downgrades")
	for _, js := range ladders {
		l, err := vip.ParseLadder([]byte(js))
		if err != nil {
			log.Fatal(err)
		}
		sts := map[string]vip.Status{}
		for q := 1; q <= 4; q++ {
			now := time.Date(2025, time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
			counts := map[string]int{}
			up, down := 0, 0
			for _, c := range shop.Customers {
				st, evs, err := l.Evaluate(sts[c.ID], acts[c.ID], now)
				if err != nil {
					log.Fatal(err)
				}
				sts[c.ID] = st
				counts[st.Tier]++
				for _, e := range evs {
					if q == 1 && e.At.Before(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
						continue // 2024's history, replayed on the first evaluation
					}
					switch e.Kind {
					case vip.EventEnrolled, vip.EventUpgraded:
						up++
					case vip.EventDowngraded:
						down++
					}
				}
			}
			fmt.Printf("%-10s %-8s %7d %7d %7d %7d   %8d %10d\n", l.Name, fmt.Sprintf("2025 Q%d", q),
				counts[""], counts["Silver"], counts["Gold"], counts["Platinum"], up, down)
		}
	}
}
