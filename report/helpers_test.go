package report_test

import (
	"testing"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// briefLadderJSON is the brief's ladder: Silver $2,000, Gold $5,000, Platinum $10,000 of
// net spend over a rolling 12 months, three months of grace, one step down at a time (as
// in examples/quickstart and the root package's testdata/brief-ladder.json).
const briefLadderJSON = `{
  "name": "vip", "currency": "USD", "time_zone": "UTC",
  "period": {"kind": "rolling", "months": 12},
  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}, {"name": "Platinum", "qualify": "10000"}],
  "grace_months": 3, "landing": {"mode": "one_step", "max_steps": 1}
}`

func briefLadder(tb testing.TB) *vip.Ladder {
	tb.Helper()
	l, err := vip.ParseLadder([]byte(briefLadderJSON))
	if err != nil {
		tb.Fatal(err)
	}
	return &l
}

// synthShop returns the deterministic synthetic shop of n customers (seed 1, 2024-2025)
// as activities in the generator's customer order.
func synthShop(tb testing.TB, n int) []*vip.Activity {
	tb.Helper()
	cfg := synth.DefaultConfig()
	cfg.Customers = n
	shop := synth.Generate(cfg)
	acts := make(map[string]*vip.Activity, len(shop.Customers))
	out := make([]*vip.Activity, 0, len(shop.Customers))
	for _, c := range shop.Customers {
		a := &vip.Activity{Customer: c}
		acts[c.ID] = a
		out = append(out, a)
	}
	for _, o := range shop.Orders {
		acts[o.CustomerID].Orders = append(acts[o.CustomerID].Orders, o)
	}
	for _, r := range shop.Refunds {
		acts[r.CustomerID].Refunds = append(acts[r.CustomerID].Refunds, r)
	}
	return out
}
