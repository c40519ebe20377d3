// Command economics prices the brief's Silver/Gold/Platinum benefits: the Gold worksheet
// of the brief's worked example, then a whole program's P&L by tier on the quickstart's
// synthetic shop (5,000 customers over two years, placed on the brief's ladder on
// 2026-01-01), then the thresholds the economics recommend next to the brief's.
//
// Assumptions the example makes, beyond the brief's own figures (see
// vip.BriefCatalogue for the preset's costs): a quarter of members attend the events
// they are offered; the birthday credit is claimed by the 70% of customers whose birthday
// the shop knows; members spend 25% more and buy again with probability 0.85 against
// 0.50 (the brief's figures).
package main

import (
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// ladderJSON is the quickstart's ladder: the brief's thresholds over a rolling 12 months.
const ladderJSON = `{
  "name": "vip",
  "currency": "USD",
  "period": {"kind": "rolling", "months": 12},
  "tiers": [
    {"name": "Silver",   "qualify": "2000"},
    {"name": "Gold",     "qualify": "5000"},
    {"name": "Platinum", "qualify": "10000"}
  ],
  "grace_months": 3,
  "landing": {"mode": "one_step", "max_steps": 1}
}`

var (
	d        = decimal.RequireFromString
	margin   = d("0.40")
	redeemed = map[vip.BenefitKind]decimal.Decimal{
		vip.BenefitEvents:         d("0.25"),
		vip.BenefitCreditBirthday: d("0.70"),
	}
	assume = vip.Assumptions{Margin: margin, SpendLift: d("0.25"), RepurchaseVIP: d("0.85"), RepurchaseBase: d("0.50")}
)

func main() {
	log.SetFlags(0)
	log.SetOutput(os.Stderr)
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	cat := vip.BriefCatalogue()
	ladder, err := vip.ParseLadder([]byte(ladderJSON))
	if err != nil {
		return err
	}
	if err := cat.CheckLadder(&ladder); err != nil {
		return err
	}
	if err := worksheet(cat); err != nil {
		return err
	}
	members, spends, aov, err := population(&ladder)
	if err != nil {
		return err
	}
	if err := pnl(cat, members); err != nil {
		return err
	}
	return thresholds(cat, &ladder, spends, aov)
}

// worksheet prints the brief's worked example.
func worksheet(cat vip.Catalogue) error {
	p := vip.Profile{AnnualSpend: d("5000"), OrdersPerYear: d("12"),
		Redemption: map[vip.BenefitKind]decimal.Decimal{vip.BenefitEvents: decimal.Zero}}
	w, err := cat.Worksheet("Gold", p, margin)
	if err != nil {
		return err
	}
	fmt.Println("Gold VIP, $5,000 a year in 12 orders, 40% margin (the brief's worked example)")
	for _, it := range w.Cost.Items {
		if !it.Cost.IsZero() {
			fmt.Printf("  %-22s %10s\n", it.Benefit, money(it.Cost))
		}
	}
	fmt.Printf("  %-22s %10s\n", "total cost", money(w.Cost.Total))
	fmt.Printf("  %-22s %10s\n", "gross profit", money(w.GrossProfit))
	fmt.Printf("  %-22s %10s   net margin %s\n", "net", money(w.Net), pct(w.NetMargin))
	fmt.Printf("  %-22s %10s   a %s lift on $5,000\n", "break-even revenue", money(w.BreakEvenRevenue), pct(w.BreakEvenLift))
	r, err := cat.ROI("Gold", p, assume)
	if err != nil {
		return err
	}
	fmt.Printf("  with +25%% spend: %s a year; next year's expected revenue %s as a VIP (p=0.85), %s otherwise (p=0.50)\n",
		money(r.LiftedSpend), money(r.RevenueVIP), money(r.RevenueBase))
	fmt.Printf("  incremental profit %s on %s of expected benefits: ROI %s\n", money(r.Incremental), money(r.Cost), pct(r.Return))
	return nil
}

// population places every customer of the synthetic shop who bought in 2025 on the
// ladder at 2026-01-01 and returns them with their 12 months' net spend, orders and
// gross profit (each order's margin, less the refunded share of it), the spends, and the
// average order value.
func population(ladder *vip.Ladder) ([]vip.PnLMember, []decimal.Decimal, decimal.Decimal, error) {
	cfg := synth.DefaultConfig()
	shop := synth.Generate(cfg)
	from := cfg.End.AddDate(-1, 0, 0)
	acts := make(map[string]*vip.Activity, len(shop.Customers))
	for _, c := range shop.Customers {
		acts[c.ID] = &vip.Activity{Customer: c}
	}
	byID := make(map[string]vip.Order, len(shop.Orders))
	for _, o := range shop.Orders {
		acts[o.CustomerID].Orders = append(acts[o.CustomerID].Orders, o)
		byID[o.ID] = o
	}
	for _, r := range shop.Refunds {
		acts[r.CustomerID].Refunds = append(acts[r.CustomerID].Refunds, r)
	}
	refunded := map[string]decimal.Decimal{}
	for _, r := range shop.Refunds {
		refunded[r.OrderID] = refunded[r.OrderID].Add(r.Amount)
	}
	var (
		members        []vip.PnLMember
		spends         []decimal.Decimal
		paid, nOrders  decimal.Decimal
		customersAdded int
	)
	for _, c := range shop.Customers {
		a := acts[c.ID]
		spend, orders, gross := decimal.Zero, 0, decimal.Zero
		for _, o := range a.Orders {
			if o.PlacedAt.Before(from) || !o.PlacedAt.Before(cfg.End) {
				continue
			}
			orders++
			p := o.Paid()
			paid = paid.Add(p)
			keep := p.Sub(refunded[o.ID])
			spend = spend.Add(keep)
			// The margin kept is the order's margin times the share not refunded.
			gross = gross.Add(o.Margin().Mul(keep).DivRound(p, 2))
		}
		for _, r := range a.Refunds {
			if o := byID[r.OrderID]; o.PlacedAt.Before(from) && !r.At.Before(from) {
				spend = spend.Sub(r.Amount) // refunds in the year of orders from before it
			}
		}
		if orders == 0 {
			continue
		}
		st, err := ladder.TierAt(a, cfg.End)
		if err != nil {
			return nil, nil, decimal.Zero, fmt.Errorf("customer %s: %w", c.ID, err)
		}
		spend = decimal.Max(spend, decimal.Zero)
		members = append(members, vip.PnLMember{CustomerID: c.ID, Tier: st.Tier, AnnualSpend: spend,
			OrdersPerYear: decimal.NewFromInt(int64(orders)), GrossProfit: &gross})
		spends = append(spends, spend)
		nOrders = nOrders.Add(decimal.NewFromInt(int64(orders)))
		customersAdded++
	}
	fmt.Printf("\nSynthetic shop: %d customers, %d bought in 2025 (%s orders, average order %s)\n",
		len(shop.Customers), customersAdded, nOrders, money(paid.DivRound(nOrders, 2)))
	return members, spends, paid.DivRound(nOrders, 2), nil
}

// pnl prints the program's P&L by tier.
func pnl(cat vip.Catalogue, members []vip.PnLMember) error {
	p, err := cat.PnL(members, margin, redeemed)
	if err != nil {
		return err
	}
	fmt.Println("\nProgram P&L for 2025, by tier held on 2026-01-01 (gross profit from the orders' own margins)")
	fmt.Printf("  %-9s %6s %13s %12s %12s %12s %7s %10s\n", "tier", "cust.", "spend", "gross", "benefits", "net", "margin", "cost/cust")
	rows := append(slices.Clone(p.Rows), p.Program, p.Total)
	for _, r := range rows {
		name := r.Tier
		if name == "" {
			name = "(none)"
		}
		fmt.Printf("  %-9s %6d %13s %12s %12s %12s %7s %10s\n", name, r.Customers, money(r.Spend), money(r.GrossProfit),
			money(r.Cost), money(r.Net), pct(r.NetMargin), money(r.CostPerCustomer))
	}
	fmt.Println("  program benefits by kind:")
	for _, it := range p.Program.Items {
		if !it.Cost.IsZero() {
			fmt.Printf("    %-20s %12s\n", it.Benefit, money(it.Cost))
		}
	}
	return nil
}

// thresholds prints the recommended thresholds beside the brief's.
func thresholds(cat vip.Catalogue, ladder *vip.Ladder, spends []decimal.Decimal, aov decimal.Decimal) error {
	ths, err := cat.RecommendThresholds(spends, vip.ThresholdOptions{Assumptions: assume, AverageOrder: aov, Redemption: redeemed})
	if err != nil {
		return err
	}
	brief := map[string]decimal.Decimal{}
	for _, t := range ladder.Tiers {
		brief[t.Name] = t.Qualify
	}
	share := func(at decimal.Decimal) string {
		n := 0
		for _, s := range spends {
			if s.GreaterThanOrEqual(at) {
				n++
			}
		}
		return pct(decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(len(spends))), 4))
	}
	fmt.Printf("\nThresholds (+25%% spend, repurchase 0.85 vs 0.50, 40%% margin, average order %s, buffer 25%%)\n", money(aov))
	fmt.Printf("  %-9s %10s %7s   %12s %12s %7s\n", "tier", "brief", "share", "break-even", "recommended", "share")
	for _, th := range ths {
		if !th.Pays {
			fmt.Printf("  %-9s %10s %7s   %12s %12s %7s\n", th.Tier, money(brief[th.Tier]), share(brief[th.Tier]), "never", "-", "-")
		} else {
			fmt.Printf("  %-9s %10s %7s   %12s %12s %7s\n", th.Tier, money(brief[th.Tier]), share(brief[th.Tier]),
				money(th.BreakEven), money(th.Recommended), pct(th.Share))
		}
		for _, f := range th.Findings {
			fmt.Printf("    %s: %s\n", th.Tier, f)
		}
	}
	if fs := cat.Differentiation(0); len(fs) == 0 {
		fmt.Println("  differentiation: every tier adds at least two benefits the tier below lacks")
	} else {
		for _, f := range fs {
			fmt.Printf("  differentiation: %s %s\n", f.Tier, f.Message)
		}
	}
	return nil
}

func money(x decimal.Decimal) string { return "$" + x.StringFixed(2) }

func pct(x decimal.Decimal) string { return x.Shift(2).StringFixed(1) + "%" }
