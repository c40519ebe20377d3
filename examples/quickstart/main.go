// Command quickstart runs a deterministic synthetic shop (5,000 customers over two years)
// through the brief's Silver/Gold/Platinum ladder: $2,000, $5,000 and $10,000 of net
// spend over a rolling 12 months, 3 months' grace, one tier down per landing. It prints
// the tier distribution, three customers' progress and the timeline of their events.
package main

import (
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

// ladderJSON is the brief's ladder as a shop would keep it in a file.
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
  "landing": {"mode": "one_step", "max_steps": 1},
  "warnings": {"days": [60, 30]},
  "near": {"rules": [{"gap": "200"}, {"share": "0.5"}]}
}`

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ladder, err := vip.ParseLadder([]byte(ladderJSON))
	if err != nil {
		return err
	}
	cfg := synth.DefaultConfig()
	shop := synth.Generate(cfg)
	acts := make(map[string]*vip.Activity, len(shop.Customers))
	for _, c := range shop.Customers {
		acts[c.ID] = &vip.Activity{Customer: c}
	}
	for _, o := range shop.Orders {
		acts[o.CustomerID].Orders = append(acts[o.CustomerID].Orders, o)
	}
	for _, r := range shop.Refunds {
		acts[r.CustomerID].Refunds = append(acts[r.CustomerID].Refunds, r)
	}
	fmt.Printf("vip quickstart: %d customers, %d orders, %d refunds, %s to %s\n",
		len(shop.Customers), len(shop.Orders), len(shop.Refunds), cfg.Start.Format(time.DateOnly), cfg.End.Format(time.DateOnly))

	// Review every customer on the first of each month, as a nightly or monthly job
	// would; Evaluate catches up on everything in between.
	statuses := make(map[string]vip.Status, len(acts))
	timeline := make(map[string][]vip.Event)
	kinds := map[vip.EventKind]int{}
	for now := cfg.Start.AddDate(0, 1, 0); !now.After(cfg.End); now = now.AddDate(0, 1, 0) {
		for _, c := range shop.Customers {
			st, evs, err := ladder.Evaluate(statuses[c.ID], acts[c.ID], now)
			if err != nil {
				return fmt.Errorf("customer %s: %w", c.ID, err)
			}
			statuses[c.ID] = st
			timeline[c.ID] = append(timeline[c.ID], evs...)
			for _, e := range evs {
				kinds[e.Kind]++
			}
		}
	}

	counts := map[string]int{}
	for _, st := range statuses {
		counts[st.Tier]++
	}
	fmt.Printf("\nTiers on %s:\n", cfg.End.Format(time.DateOnly))
	for _, t := range append([]string{""}, tierNames(ladder)...) {
		name := t
		if name == "" {
			name = "(none)"
		}
		fmt.Printf("  %-9s %5d  %5.1f%%\n", name, counts[t], 100*float64(counts[t])/float64(len(statuses)))
	}
	fmt.Printf("\nEvents over the two years:\n")
	for _, k := range []vip.EventKind{vip.EventEnrolled, vip.EventUpgraded, vip.EventNearNextTier, vip.EventGraceStarted,
		vip.EventDemotionWarning, vip.EventRecovered, vip.EventDowngraded} {
		fmt.Printf("  %-17s %6d\n", k, kinds[k])
	}

	// Three customers: the first Platinum, the first in grace, the first near its next tier.
	picks := pick(shop.Customers, statuses, timeline)
	for _, id := range picks {
		p, err := ladder.Progress(statuses[id], acts[id], cfg.End)
		if err != nil {
			return err
		}
		fmt.Printf("\nCustomer %s: %s\n", id, describe(p))
		for _, e := range timeline[id] {
			fmt.Printf("  %s  %s\n", e.At.Format(time.DateOnly), line(e))
		}
	}
	return nil
}

func tierNames(l vip.Ladder) []string {
	var out []string
	for _, t := range l.Tiers {
		out = append(out, t.Name)
	}
	return out
}

func pick(cs []vip.Customer, st map[string]vip.Status, tl map[string][]vip.Event) []string {
	var platinum, grace, near string
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := st[id]
		switch {
		case platinum == "" && s.Tier == "Platinum" && len(tl[id]) > 2:
			platinum = id
		case grace == "" && !s.GraceUntil.IsZero():
			grace = id
		case near == "" && len(tl[id]) > 0 && tl[id][len(tl[id])-1].Kind == vip.EventNearNextTier:
			near = id
		}
	}
	var out []string
	for _, id := range []string{platinum, grace, near} {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

func describe(p vip.Progress) string {
	var b strings.Builder
	tier := p.Tier
	if tier == "" {
		tier = "no tier"
	}
	fmt.Fprintf(&b, "%s, $%s over the last 12 months", tier, p.Value.StringFixed(2))
	if p.Next != "" {
		fmt.Fprintf(&b, "; $%s from %s (%s%% there)", p.Gap.StringFixed(2), p.Next, p.Share.Shift(2).StringFixed(0))
	}
	if !p.GraceUntil.IsZero() {
		fmt.Fprintf(&b, "; in grace until %s, $%s to keep %s", p.GraceUntil.Format(time.DateOnly), p.Shortfall.StringFixed(2), p.Tier)
	} else if !p.KeepBy.IsZero() {
		fmt.Fprintf(&b, "; keeps %s until %s without new orders", p.Tier, p.KeepBy.Format(time.DateOnly))
	}
	return b.String()
}

func line(e vip.Event) string {
	switch e.Kind {
	case vip.EventEnrolled:
		return fmt.Sprintf("welcome to %s ($%s)", e.To, e.Value.StringFixed(2))
	case vip.EventUpgraded:
		return fmt.Sprintf("upgraded %s -> %s ($%s)", e.From, e.To, e.Value.StringFixed(2))
	case vip.EventNearNextTier:
		return fmt.Sprintf("you are $%s from %s", e.Gap.StringFixed(2), e.To)
	case vip.EventGraceStarted:
		return fmt.Sprintf("below %s: grace until %s, spend $%s to keep it", e.From, e.Deadline.Format(time.DateOnly), e.Gap.StringFixed(2))
	case vip.EventDemotionWarning:
		return fmt.Sprintf("%d days left to keep %s: spend $%s", e.DaysLeft, e.From, e.Gap.StringFixed(2))
	case vip.EventRecovered:
		return fmt.Sprintf("back above %s's keep threshold", e.From)
	case vip.EventDowngraded:
		to := e.To
		if to == "" {
			to = "no tier"
		}
		return fmt.Sprintf("status changed %s -> %s; $%s wins %s back", e.From, to, e.Gap.StringFixed(2), e.From)
	}
	return string(e.Kind)
}

func init() { log.SetFlags(0); log.SetOutput(os.Stderr) }
