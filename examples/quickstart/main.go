// Command quickstart runs a deterministic synthetic shop (5,000 customers over two years)
// through the brief's Silver/Gold/Platinum ladder: $2,000, $5,000 and $10,000 of net
// spend over a rolling 12 months, 3 months' grace, one tier down per landing. Month by
// month it ingests the orders into an Engine on a SQLite file and reviews everyone; then
// it prints the tier distribution, three customers' progress and the timeline of their
// events.
//
// The state lives in the file (-db, by default under the OS temp dir): a second run
// continues from it, finds every order already stored and every review already done,
// and prints the same figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
	"github.com/vipkit/vip/store/sqlitestore"
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
	db := flag.String("db", filepath.Join(os.TempDir(), "vip-quickstart.db"), "the SQLite file that keeps the program's state")
	flag.Parse()
	if err := run(context.Background(), *db); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, db string) error {
	ladder, err := vip.ParseLadder([]byte(ladderJSON))
	if err != nil {
		return err
	}
	cfg := synth.DefaultConfig()
	shop := synth.Generate(cfg)
	store, err := sqlitestore.Open(ctx, db, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	now := cfg.Start
	engine, err := vip.NewEngine(store, ladder, &vip.EngineOptions{Clock: func() time.Time { return now }})
	if err != nil {
		return err
	}
	fmt.Printf("vip quickstart: %d customers, %d orders, %d refunds, %s to %s, state in %s\n",
		len(shop.Customers), len(shop.Orders), len(shop.Refunds), cfg.Start.Format(time.DateOnly), cfg.End.Format(time.DateOnly), db)

	// Each month: the month's orders and refunds arrive, then the nightly review runs
	// (here once, at the end of the month; Evaluate catches up on everything between).
	var stored, dup int
	for month := cfg.Start; month.Before(cfg.End); month = month.AddDate(0, 1, 0) {
		next := month.AddDate(0, 1, 0)
		var b vip.Batch
		for _, o := range shop.Orders {
			if !o.PlacedAt.Before(month) && o.PlacedAt.Before(next) {
				b.Orders = append(b.Orders, o)
			}
		}
		for _, r := range shop.Refunds {
			if !r.At.Before(month) && r.At.Before(next) {
				b.Refunds = append(b.Refunds, r)
			}
		}
		now = next
		res, err := engine.Ingest(ctx, b)
		if err != nil {
			return fmt.Errorf("ingest %s: %w", month.Format("2006-01"), err)
		}
		stored += res.Orders
		dup += res.Duplicates
		if _, err := engine.Review(ctx, vip.Shard{}); err != nil {
			return fmt.Errorf("review %s: %w", now.Format(time.DateOnly), err)
		}
	}
	fmt.Printf("this run stored %d new orders and found %d orders and refunds already stored\n", stored, dup)

	statuses := make(map[string]vip.Status, len(shop.Customers))
	counts := map[string]int{}
	for _, c := range shop.Customers {
		st, err := engine.Status(ctx, c.ID)
		if err != nil && !errorsIsNotFound(err) {
			return err
		}
		statuses[c.ID] = st
		counts[st.Tier]++
	}
	fmt.Printf("\nTiers on %s:\n", cfg.End.Format(time.DateOnly))
	for _, t := range append([]string{""}, tierNames(ladder)...) {
		name := t
		if name == "" {
			name = "(none)"
		}
		fmt.Printf("  %-9s %5d  %5.1f%%\n", name, counts[t], 100*float64(counts[t])/float64(len(shop.Customers)))
	}

	// Every event the program logged, read from the store's outbox.
	kinds := map[vip.EventKind]int{}
	timeline := map[string][]vip.Event{}
	for after := int64(0); ; {
		recs, err := store.Events(ctx, after, 1000)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			kinds[r.Event.Kind]++
			timeline[r.Event.CustomerID] = append(timeline[r.Event.CustomerID], r.Event)
			after = r.Seq
		}
	}
	fmt.Printf("\nEvents over the two years:\n")
	for _, k := range []vip.EventKind{vip.EventEnrolled, vip.EventUpgraded, vip.EventNearNextTier, vip.EventGraceStarted,
		vip.EventDemotionWarning, vip.EventRecovered, vip.EventDowngraded} {
		fmt.Printf("  %-17s %6d\n", k, kinds[k])
	}

	// Three customers: the first Platinum, the first in grace, the first near its next tier.
	for _, id := range pick(shop.Customers, statuses, timeline) {
		p, err := engine.Progress(ctx, id)
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

func errorsIsNotFound(err error) bool { return errors.Is(err, vip.ErrNotFound) }

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
