package vip

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Band is a target range for a program metric, from the brief: both ends inclusive,
// either may be zero for "no bound".
type Band struct {
	Min decimal.Decimal `json:"min,omitzero"`
	Max decimal.Decimal `json:"max,omitzero"`
}

// contains reports whether v is inside the band.
func (b Band) contains(v decimal.Decimal) bool {
	return (b.Min.IsZero() || !v.LessThan(b.Min)) && (b.Max.IsZero() || !v.GreaterThan(b.Max))
}

// Metric is one measured figure of a program, with its target band and a finding when it
// falls outside it.
type Metric struct {
	Name    string          `json:"name"`
	Tier    string          `json:"tier,omitempty"`
	Value   decimal.Decimal `json:"value"`
	Band    *Band           `json:"band,omitempty"`
	Finding string          `json:"finding,omitempty"`
}

// The brief's target bands (section 6).
var (
	// BandRetentionLift: VIP retention 30-50% above non-VIP retention.
	BandRetentionLift = Band{Min: decimal.RequireFromString("0.30"), Max: decimal.RequireFromString("0.50")}
	// BandOrdersMultiple: VIPs buy 2-3 times as often as the average customer.
	BandOrdersMultiple = Band{Min: decimal.NewFromInt(2), Max: decimal.NewFromInt(3)}
)

// ProgramMetrics measures a backtest against the brief's targets, at the backtest's last
// review, over the customers it replayed:
//
//   - "retention_lift" per tier: the share of the tier's customers at the review a year
//     before the last one who bought again in the year after it, divided by the same
//     share of the customers on no tier, minus one (target 30-50%);
//   - "orders_multiple" per tier: orders in the year before the last review per customer
//     of the tier, divided by the same for all customers who bought (target 2-3x);
//   - "demotion_rate" per tier: downgrades from the tier over the backtest divided by the
//     average number of customers on it at the reviews; the highest is flagged, as the
//     brief reads a high Silver demotion rate as a tier too hard to keep;
//   - "upgrade_share": customers who moved up at least once, over all customers;
//   - "reactivation_rate": reactivations over downgrades.
//
// Ratios are rounded half away from zero to four places. A metric whose denominator is
// zero is left out.
func ProgramMetrics(l *Ladder, res BacktestResult, customers []*Activity) ([]Metric, error) {
	if len(res.Periods) == 0 {
		return nil, errorf(ErrInvalidLadder, "program metrics: the backtest has no periods")
	}
	loc, err := l.Location()
	if err != nil {
		return nil, err
	}
	last := res.Periods[len(res.Periods)-1].At
	yearBefore := AddMonths(last, -12, loc)
	var out []Metric
	ratio := func(a, b decimal.Decimal) decimal.Decimal { return a.DivRound(b, 4) }

	// Tier a year before the end, and who bought in the year after it.
	var prev *BacktestPeriod
	for i := range res.Periods {
		if !res.Periods[i].At.After(yearBefore) {
			prev = &res.Periods[i]
		}
	}
	if prev != nil {
		held := map[string]int{}
		bought := map[string]int{}
		for _, a := range customers {
			st, err := l.TierAt(a, prev.At)
			if err != nil {
				return nil, err
			}
			held[st.Tier]++
			if ordersIn(a, prev.At, AddMonths(prev.At, 12, loc)) > 0 {
				bought[st.Tier]++
			}
		}
		if held[""] > 0 && bought[""] > 0 {
			base := ratio(decimal.NewFromInt(int64(bought[""])), decimal.NewFromInt(int64(held[""])))
			for _, t := range l.Tiers {
				if held[t.Name] == 0 {
					continue
				}
				r := ratio(decimal.NewFromInt(int64(bought[t.Name])), decimal.NewFromInt(int64(held[t.Name])))
				out = append(out, metricIn("retention_lift", t.Name, ratio(r, base).Sub(decimal.NewFromInt(1)), BandRetentionLift))
			}
		}
	}

	// Orders per customer in the last year, by tier held at the end.
	orders := map[string]int64{}
	count := map[string]int64{}
	var allOrders, buyers int64
	for _, a := range customers {
		n := int64(ordersIn(a, yearBefore, last))
		t := res.Statuses[a.Customer.ID].Tier
		orders[t] += n
		count[t]++
		if n > 0 {
			allOrders += n
			buyers++
		}
	}
	if buyers > 0 && allOrders > 0 {
		avg := ratio(decimal.NewFromInt(allOrders), decimal.NewFromInt(buyers))
		for _, t := range l.Tiers {
			if count[t.Name] == 0 {
				continue
			}
			per := ratio(decimal.NewFromInt(orders[t.Name]), decimal.NewFromInt(count[t.Name]))
			out = append(out, metricIn("orders_multiple", t.Name, ratio(per, avg), BandOrdersMultiple))
		}
	}

	// Demotions per tier, upgrades and reactivations.
	down := map[string]int64{}
	pop := map[string]int64{}
	var downs, reacts int64
	for _, p := range res.Periods {
		for mv, n := range p.Moves {
			if isDown(l, mv) {
				down[mv[:indexGT(mv)]] += int64(n)
			}
		}
		for t, n := range p.Tiers {
			pop[t] += int64(n)
		}
		downs += int64(p.Downgrades)
		reacts += int64(p.Reactivations)
	}
	worst, worstRate := "", decimal.Zero
	var rates []Metric
	for _, t := range l.Tiers {
		if pop[t.Name] == 0 {
			continue
		}
		avg := decimal.NewFromInt(pop[t.Name]).DivRound(decimal.NewFromInt(int64(len(res.Periods))), 8)
		r := ratio(decimal.NewFromInt(down[t.Name]), avg)
		rates = append(rates, Metric{Name: "demotion_rate", Tier: t.Name, Value: r})
		if r.GreaterThan(worstRate) {
			worst, worstRate = t.Name, r
		}
	}
	for i := range rates {
		if rates[i].Tier == worst && len(rates) > 1 {
			rates[i].Finding = fmt.Sprintf("%s has the highest demotion rate of the ladder: the tier may be too hard to keep", worst)
		}
	}
	out = append(out, rates...)
	upgraded := 0
	for _, a := range customers {
		if st := res.Statuses[a.Customer.ID]; st.Peak != "" {
			upgraded++
		}
	}
	if len(customers) > 0 {
		out = append(out, Metric{Name: "upgrade_share", Value: ratio(decimal.NewFromInt(int64(upgraded)), decimal.NewFromInt(int64(len(customers))))})
	}
	if downs > 0 {
		out = append(out, Metric{Name: "reactivation_rate", Value: ratio(decimal.NewFromInt(reacts), decimal.NewFromInt(downs))})
	}
	return out, nil
}

func metricIn(name, tier string, v decimal.Decimal, b Band) Metric {
	m := Metric{Name: name, Tier: tier, Value: v, Band: &b}
	if !b.contains(v) {
		m.Finding = fmt.Sprintf("%s %s for %s is outside the target %s-%s", name, v.String(), tier, b.Min.String(), b.Max.String())
	}
	return m
}

// ordersIn counts the orders placed in (from, to].
func ordersIn(a *Activity, from, to time.Time) int {
	n := 0
	for i := range a.Orders {
		if p := a.Orders[i].PlacedAt; p.After(from) && !p.After(to) {
			n++
		}
	}
	return n
}

// indexGT returns the index of ">" in a move "from>to".
func indexGT(mv string) int {
	for i := range mv {
		if mv[i] == '>' {
			return i
		}
	}
	return len(mv)
}

// isDown reports whether the move "from>to" goes down the ladder.
func isDown(l *Ladder, mv string) bool {
	i := indexGT(mv)
	return l.TierIndex(mv[:i]) > l.TierIndex(mv[i+1:])
}
