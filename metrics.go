package vip

import (
	"errors"
	"fmt"
	"slices"
	"strings"
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
// falls outside it (or, for figures the brief gives no band, when it calls for a look).
//
// Tier is the tier the figure is about. Figures by tier that also cover the customers on
// no tier (orders_per_year, days_between_orders) use "" for those customers; program-wide
// figures (upgrade_share, reactivation_rate) have Tier "" too. Benefit is set on the
// redemption figures. A Metric is plain data.
type Metric struct {
	Name    string          `json:"name"`
	Tier    string          `json:"tier,omitempty"`
	Benefit BenefitKind     `json:"benefit,omitempty"`
	Value   decimal.Decimal `json:"value"`
	Band    *Band           `json:"band,omitempty"`
	Finding string          `json:"finding,omitempty"`
}

// The brief's target bands (section 6). The brief gives no band for the other figures
// (time between purchases, orders per year as such, spend per month, time to reach a
// tier, benefit redemption), and none is invented for them.
var (
	// BandRetentionLift: VIP retention 30-50% above non-VIP retention.
	BandRetentionLift = Band{Min: decimal.RequireFromString("0.30"), Max: decimal.RequireFromString("0.50")}
	// BandOrdersMultiple: VIPs buy 2-3 times as often as the average customer.
	BandOrdersMultiple = Band{Min: decimal.NewFromInt(2), Max: decimal.NewFromInt(3)}
	// BandLTVLift: spend 20-40% higher after reaching VIP than before.
	BandLTVLift = Band{Min: decimal.RequireFromString("0.20"), Max: decimal.RequireFromString("0.40")}
)

// Redemption is one use of a benefit by a customer, as the shop records it: a credit
// claimed, a gift sent, an event attended, a personal-shopping session, a ticket in the
// priority queue, an order shipped free. Value is what the use cost or gave, in the
// ladder's currency (zero when unknown). A Redemption is plain data.
type Redemption struct {
	CustomerID string          `json:"customer_id"`
	Benefit    BenefitKind     `json:"benefit"`
	At         time.Time       `json:"at"`
	Value      decimal.Decimal `json:"value,omitzero"`
}

// MetricsOptions are the optional inputs of [ProgramMetricsWith]. The zero value (and
// nil) measures without redemptions, with LTV spans of at least 6 months. Plain data;
// nothing in it may change while in use.
type MetricsOptions struct {
	// Redemptions are the benefit uses the shop recorded, in any order; without them
	// there are no redemption figures.
	Redemptions []Redemption `json:"redemptions,omitempty"`
	// Catalogue, when set, says which benefits each tier offers: an offered benefit
	// nobody redeemed shows as a share of 0, a redeemed benefit the tier does not offer
	// is flagged, and the shares of the benefits a member uses or not (see
	// [ProgramMetricsWith]) are compared with Assumed.
	Catalogue *Catalogue `json:"-"`
	// Assumed are the redemption rates the program's costing assumes (as passed to
	// [BacktestOptions] or [Profile]); a kind missing from the map is 1, as there.
	Assumed map[BenefitKind]decimal.Decimal `json:"assumed,omitempty"`
	// LTVMinMonths is the least number of whole months of history a customer needs on
	// each side of first reaching a tier to count in that tier's LTV figures: 1 to 12,
	// 0 means 6.
	LTVMinMonths int `json:"ltv_min_months,omitempty"`
}

// perCustomerKinds are the benefits whose assumed redemption is the chance a member uses
// it at all (a credit claimed, the gift or service used), so that it compares with the
// share of members who redeemed. The others' assumptions are shares of spend, orders or
// events (the discount's spend, orders shipped, events attended, quarterly credits each
// claimed, the chance of an upgrade) and do not.
var perCustomerKinds = []BenefitKind{
	BenefitCreditBirthday, BenefitCreditAnniversary, BenefitEarlyAccess, BenefitExclusive,
	BenefitPersonalShopping, BenefitAnnualGift, BenefitSupport,
}

// ProgramMetrics is [ProgramMetricsWith] without options: no redemption figures, LTV
// spans of at least 6 months.
func ProgramMetrics(l *Ladder, res BacktestResult, customers []*Activity) ([]Metric, error) {
	return ProgramMetricsWith(l, res, customers, nil)
}

// ProgramMetricsWith measures a backtest against the brief's targets (section 6), at the
// backtest's last review, over the customers it replayed (each replayed once more from
// its first entry to the last review, to find when it first reached each tier). "The
// year" is the 12 months up to the last review, (last - 12 months, last]. The figures,
// in this order, tiers in ladder order and customers on no tier ("") after them:
//
//   - "retention_lift" per tier: the share of the tier's customers at the review a year
//     before the last one who bought again in the year after it, divided by the same
//     share of the customers on no tier, minus one (target 30-50%, [BandRetentionLift]);
//   - "orders_multiple" per tier: orders in the year per customer of the tier at the last
//     review, divided by the same for all customers who bought in the year (target 2-3x,
//     [BandOrdersMultiple]);
//   - "demotion_rate" per tier: downgrades from the tier over the backtest divided by the
//     average number of customers on it at the reviews; the highest is flagged, as the
//     brief reads a high Silver demotion rate as a tier too hard to keep;
//   - "upgrade_share": customers who moved up at least once, over all customers;
//   - "reactivation_rate": reactivations over downgrades;
//   - "orders_per_year" per tier and for no tier: orders in the year per customer of the
//     group at the last review who bought at least once in the year (the absolute figure
//     behind orders_multiple; no band);
//   - "days_between_orders" and "days_between_orders_median" per tier and for no tier:
//     the mean and the median, over every pair of consecutive orders both placed in the
//     year by a customer of the group at the last review, of the elapsed time between
//     them in days of 24 hours (no band: the brief's 2-3x target is read on
//     orders_multiple);
//   - "days_to_reach" and "days_to_reach_median" per tier: the mean and the median, over
//     the customers who ever reached the tier, of the days from the customer's first
//     order to the instant it first entered the tier or crossed it on the way to a
//     higher one (the first order, not the join date: a join date is often older than
//     the data, or missing); no band;
//   - "spend_per_month_before", "spend_per_month_after" and "ltv_lift" per tier: for each
//     customer who first reached the tier at an instant r with at least LTVMinMonths
//     whole months of history on both sides, k months on each side, k the most up to 12
//     such that r - k months is not before the start of the data (the earliest order of
//     all customers) nor the customer's join date, and r + k months is not after the last
//     review: the net spend of the orders placed in (r - k months, r] (the order that
//     reached the tier included) and in (r, r + k months], each less the refunds of
//     those orders made by the end of its span. The before and after figures are the
//     spends summed over those customers divided by their months summed; ltv_lift is
//     after over before minus one (target +20-40% after reaching VIP, [BandLTVLift],
//     applied to every tier);
//   - with redemptions, per tier and benefit, the members of a tier being the customers
//     who held it at some instant of the year and a redemption counting for the tier
//     its customer held at its instant (redemptions outside the year or made on no tier
//     do not count): "redemption_share", the share of the members who redeemed the
//     benefit at least once; "redemption_value", the redemptions' Value summed over the
//     members, when any is non-zero; and, with a catalogue, for the benefits a member
//     uses or not (birthday and anniversary credits, early access, exclusive products,
//     personal shopping, the annual gift, support), "redemption_vs_assumed": the share
//     less the rate assumed, with a finding when they differ, since a benefit used less
//     than assumed costs less than the P&L says and, rarely used, may not be valued (the
//     brief's rarely used personal rep). No band: the brief gives none.
//
// Ratios, orders per year and shares are rounded half away from zero to four places,
// days and money to two. A metric whose denominator is zero is left out. It returns an
// error, wrapping [ErrInvalidLadder], [ErrInvalidActivity], [ErrNotFound] or
// [ErrInvalidEconomics], when the backtest has no periods, a customer does not replay,
// or an option is invalid (every problem with the options at once).
func ProgramMetricsWith(l *Ladder, res BacktestResult, customers []*Activity, opts *MetricsOptions) ([]Metric, error) {
	if len(res.Periods) == 0 {
		return nil, errorf(ErrInvalidLadder, "program metrics: the backtest has no periods")
	}
	loc, err := l.Location()
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &MetricsOptions{}
	}
	byID := make(map[string]int, len(customers))
	for i, a := range customers {
		byID[a.Customer.ID] = i
	}
	if err := opts.check(l, byID); err != nil {
		return nil, err
	}
	last := res.Periods[len(res.Periods)-1].At
	yearBefore := AddMonths(last, -12, loc)
	var prev *BacktestPeriod
	for i := range res.Periods {
		if !res.Periods[i].At.After(yearBefore) {
			prev = &res.Periods[i]
		}
	}
	var prevAt time.Time
	if prev != nil {
		prevAt = prev.At
	}
	// The ladder is validated once and one Ledger serves every customer in turn; an
	// invalid ladder fails at the first customer, as building its Ledger would.
	hs := make([]metricsHistory, len(customers))
	p, perr := l.ledgers()
	var g *Ledger
	for i, a := range customers {
		if perr != nil {
			return nil, fmt.Errorf("vip: program metrics customer %q: %w", a.Customer.ID, perr)
		}
		if hs[i], g, err = replayForMetrics(p, g, a, prevAt, last); err != nil {
			return nil, err
		}
	}
	var out []Metric
	ratio := func(a, b decimal.Decimal) decimal.Decimal { return a.DivRound(b, 4) }
	n64 := func(n int64) decimal.Decimal { return decimal.NewFromInt(n) }

	// Tier a year before the end, and who bought in the year after it.
	if prev != nil {
		held := map[string]int64{}
		bought := map[string]int64{}
		for i, a := range customers {
			t := hs[i].before
			held[t]++
			if ordersIn(a, prev.At, AddMonths(prev.At, 12, loc)) > 0 {
				bought[t]++
			}
		}
		if held[""] > 0 && bought[""] > 0 {
			base := ratio(n64(bought[""]), n64(held[""]))
			for _, t := range l.Tiers {
				if held[t.Name] == 0 {
					continue
				}
				r := ratio(n64(bought[t.Name]), n64(held[t.Name]))
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
		avg := ratio(n64(allOrders), n64(buyers))
		for _, t := range l.Tiers {
			if count[t.Name] == 0 {
				continue
			}
			per := ratio(n64(orders[t.Name]), n64(count[t.Name]))
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
		avg := n64(pop[t.Name]).DivRound(n64(int64(len(res.Periods))), 8)
		r := ratio(n64(down[t.Name]), avg)
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
		out = append(out, Metric{Name: "upgrade_share", Value: ratio(n64(int64(upgraded)), n64(int64(len(customers))))})
	}
	if downs > 0 {
		out = append(out, Metric{Name: "reactivation_rate", Value: ratio(n64(reacts), n64(downs))})
	}

	out = append(out, repeatMetrics(l, res, customers, yearBefore, last)...)
	out = append(out, reachMetrics(l, hs)...)
	out = append(out, ltvMetrics(l, hs, last, loc, opts.minMonths())...)
	out = append(out, redemptionMetrics(l, hs, byID, yearBefore, last, opts)...)
	return out, nil
}

// check reports every problem with the options, for a ladder and customers by ID.
func (o *MetricsOptions) check(l *Ladder, byID map[string]int) error {
	var errs []error
	if o.LTVMinMonths < 0 || o.LTVMinMonths > 12 {
		errs = append(errs, errorf(ErrInvalidLadder, "program metrics: ltv_min_months %d is outside 0-12", o.LTVMinMonths))
	}
	if o.Catalogue != nil {
		if err := o.Catalogue.CheckLadder(l); err != nil {
			errs = append(errs, err)
		}
	}
	if err := econCheckRedemption(o.Assumed); err != nil {
		errs = append(errs, err)
	}
	for i, r := range o.Redemptions {
		if _, ok := byID[r.CustomerID]; !ok {
			errs = append(errs, errorf(ErrNotFound, "program metrics: redemption %d: customer %q is not among the customers", i, r.CustomerID))
		}
		if !slices.Contains(econKinds, r.Benefit) {
			errs = append(errs, errorf(ErrInvalidActivity, "program metrics: redemption %d: benefit %q is not a benefit kind", i, r.Benefit))
		}
		if !validInstant(r.At) {
			errs = append(errs, errorf(ErrInvalidActivity, "program metrics: redemption %d: at %s is zero or outside the years 1900-2200", i, r.At.Format(time.RFC3339)))
		}
		if r.Value.IsNegative() || !econInRange(r.Value) {
			errs = append(errs, errorf(ErrInvalidActivity, "program metrics: redemption %d: value %s is negative or out of range", i, econShow(r.Value)))
		}
	}
	return errors.Join(errs...)
}

func (o *MetricsOptions) minMonths() int {
	if o.LTVMinMonths == 0 {
		return 6
	}
	return o.LTVMinMonths
}

// tierMove is a change of tier in a replay: the tier held from at on ("" for none).
type tierMove struct {
	at time.Time
	to string
}

// metricsHistory is one customer replayed for the metrics.
type metricsHistory struct {
	a       *Activity
	before  string      // tier held at the review a year before the last, if there is one
	moves   []tierMove  // in time order
	reached []time.Time // by tier index: the first instant the tier was entered or crossed upward
}

// tierAt returns the tier held at t.
func (h *metricsHistory) tierAt(t time.Time) string {
	tier := ""
	for _, m := range h.moves {
		if m.at.After(t) {
			break
		}
		tier = m.to
	}
	return tier
}

// replayForMetrics replays a from its first entry to prev (when not zero) and on to last,
// on a Ledger from p that reuses g (nil for a new one), and returns that Ledger for the
// next customer.
func replayForMetrics(p *ledgerMaker, g *Ledger, a *Activity, prev, last time.Time) (metricsHistory, *Ledger, error) {
	l := p.l
	h := metricsHistory{a: a, reached: make([]time.Time, len(l.Tiers))}
	g, err := p.ledger(g, a)
	if err != nil {
		return h, nil, fmt.Errorf("vip: program metrics customer %q: %w", a.Customer.ID, err)
	}
	take := func(evs []Event) {
		for _, e := range evs {
			switch e.Kind {
			case EventEnrolled, EventUpgraded:
				for _, name := range e.Crossed {
					if i := l.TierIndex(name); i >= 0 && h.reached[i].IsZero() {
						h.reached[i] = e.At
					}
				}
				h.moves = append(h.moves, tierMove{e.At, e.To})
			case EventDowngraded:
				h.moves = append(h.moves, tierMove{e.At, e.To})
			}
		}
	}
	var st Status
	if !prev.IsZero() {
		var evs []Event
		if st, evs, err = g.Evaluate(st, prev); err != nil {
			return h, nil, fmt.Errorf("vip: program metrics customer %q at %s: %w", a.Customer.ID, prev.Format(time.RFC3339), err)
		}
		take(evs)
		h.before = st.Tier
	}
	_, evs, err := g.Evaluate(st, last)
	if err != nil {
		return h, nil, fmt.Errorf("vip: program metrics customer %q at %s: %w", a.Customer.ID, last.Format(time.RFC3339), err)
	}
	take(evs)
	return h, g, nil
}

// groups returns the ladder's tier names followed by "" (no tier).
func groups(l *Ladder) []string {
	gs := make([]string, 0, len(l.Tiers)+1)
	for _, t := range l.Tiers {
		gs = append(gs, t.Name)
	}
	return append(gs, "")
}

// secondsPerDay converts elapsed seconds to days of 24 hours.
var secondsPerDay = decimal.NewFromInt(86400)

// daysMeanMedian returns the mean and the median of elapsed seconds in days, to two
// places; secs is sorted in place.
func daysMeanMedian(secs []int64) (mean, median decimal.Decimal) {
	slices.Sort(secs)
	var total int64
	for _, s := range secs {
		total += s
	}
	n := int64(len(secs))
	mean = decimal.NewFromInt(total).DivRound(secondsPerDay.Mul(decimal.NewFromInt(n)), 2)
	if n%2 == 1 {
		median = decimal.NewFromInt(secs[n/2]).DivRound(secondsPerDay, 2)
	} else {
		median = decimal.NewFromInt(secs[n/2-1]).Add(decimal.NewFromInt(secs[n/2])).DivRound(secondsPerDay.Mul(decimal.NewFromInt(2)), 2)
	}
	return mean, median
}

// repeatMetrics are orders_per_year and days_between_orders by the tier held at the end.
func repeatMetrics(l *Ladder, res BacktestResult, customers []*Activity, from, to time.Time) []Metric {
	orders := map[string]int64{}
	buyers := map[string]int64{}
	gaps := map[string][]int64{}
	var placed []time.Time
	for _, a := range customers {
		placed = placed[:0]
		for i := range a.Orders {
			if p := a.Orders[i].PlacedAt; p.After(from) && !p.After(to) {
				placed = append(placed, p)
			}
		}
		if len(placed) == 0 {
			continue
		}
		t := res.Statuses[a.Customer.ID].Tier
		orders[t] += int64(len(placed))
		buyers[t]++
		slices.SortFunc(placed, func(x, y time.Time) int { return x.Compare(y) })
		for i := 1; i < len(placed); i++ {
			gaps[t] = append(gaps[t], int64(placed[i].Sub(placed[i-1])/time.Second))
		}
	}
	var out []Metric
	for _, g := range groups(l) {
		if buyers[g] > 0 {
			out = append(out, Metric{Name: "orders_per_year", Tier: g, Value: decimal.NewFromInt(orders[g]).DivRound(decimal.NewFromInt(buyers[g]), 4)})
		}
	}
	for _, g := range groups(l) {
		if len(gaps[g]) > 0 {
			mean, median := daysMeanMedian(gaps[g])
			out = append(out, Metric{Name: "days_between_orders", Tier: g, Value: mean},
				Metric{Name: "days_between_orders_median", Tier: g, Value: median})
		}
	}
	return out
}

// firstOrder returns the earliest order instant of a, zero when it has none.
func firstOrder(a *Activity) time.Time {
	var first time.Time
	for i := range a.Orders {
		if p := a.Orders[i].PlacedAt; first.IsZero() || p.Before(first) {
			first = p
		}
	}
	return first
}

// reachMetrics are days_to_reach by tier.
func reachMetrics(l *Ladder, hs []metricsHistory) []Metric {
	var out []Metric
	for i, t := range l.Tiers {
		var secs []int64
		for k := range hs {
			r := hs[k].reached[i]
			if r.IsZero() {
				continue
			}
			first := firstOrder(hs[k].a)
			if first.IsZero() || r.Before(first) {
				continue
			}
			secs = append(secs, int64(r.Sub(first)/time.Second))
		}
		if len(secs) > 0 {
			mean, median := daysMeanMedian(secs)
			out = append(out, Metric{Name: "days_to_reach", Tier: t.Name, Value: mean},
				Metric{Name: "days_to_reach_median", Tier: t.Name, Value: median})
		}
	}
	return out
}

// netSpend is the paid spend of a's orders placed in (from, to], less their refunds made
// by to.
func netSpend(a *Activity, from, to time.Time) sum {
	var s sum
	var in map[string]bool
	for i := range a.Orders {
		o := &a.Orders[i]
		if !o.PlacedAt.After(from) || o.PlacedAt.After(to) {
			continue
		}
		if in == nil {
			in = map[string]bool{}
		}
		in[o.ID] = true
		for j := range o.Lines {
			s.addProduct(o.Lines[j].PaidPrice, o.Lines[j].Quantity)
		}
	}
	for i := range a.Refunds {
		if r := &a.Refunds[i]; in[r.OrderID] && !r.At.After(to) {
			s.sub(r.Amount)
		}
	}
	return s
}

// ltvMetrics are the spend per month before and after first reaching each tier.
func ltvMetrics(l *Ladder, hs []metricsHistory, last time.Time, loc *time.Location, minMonths int) []Metric {
	var start time.Time // the start of the data: the earliest order
	for k := range hs {
		if f := firstOrder(hs[k].a); !f.IsZero() && (start.IsZero() || f.Before(start)) {
			start = f
		}
	}
	var out []Metric
	for i, t := range l.Tiers {
		var before, after sum
		months := int64(0)
		for k := range hs {
			r := hs[k].reached[i]
			if r.IsZero() {
				continue
			}
			from := start
			if j := hs[k].a.Customer.JoinedAt; j.After(from) {
				from = j
			}
			span := 0
			for m := 12; m >= minMonths; m-- {
				if !AddMonths(r, -m, loc).Before(from) && !AddMonths(r, m, loc).After(last) {
					span = m
					break
				}
			}
			if span == 0 {
				continue
			}
			b, a := netSpend(hs[k].a, AddMonths(r, -span, loc), r), netSpend(hs[k].a, r, AddMonths(r, span, loc))
			before.addSum(b)
			after.addSum(a)
			months += int64(span)
		}
		if months == 0 {
			continue
		}
		bd, ad, md := before.decimal(), after.decimal(), decimal.NewFromInt(months)
		out = append(out, Metric{Name: "spend_per_month_before", Tier: t.Name, Value: bd.DivRound(md, 2)},
			Metric{Name: "spend_per_month_after", Tier: t.Name, Value: ad.DivRound(md, 2)})
		if bd.IsPositive() {
			out = append(out, metricIn("ltv_lift", t.Name, ad.DivRound(bd, 4).Sub(decimal.NewFromInt(1)), BandLTVLift))
		}
	}
	return out
}

// redemptionMetrics are the redemption shares and values by tier and benefit, compared
// with the catalogue's assumptions when there is a catalogue.
func redemptionMetrics(l *Ladder, hs []metricsHistory, byID map[string]int, from, to time.Time, opts *MetricsOptions) []Metric {
	if len(opts.Redemptions) == 0 {
		return nil
	}
	type key struct {
		tier int
		kind BenefitKind
	}
	members := make([]int64, len(l.Tiers))
	for k := range hs {
		held := make([]bool, len(l.Tiers))
		if i := l.TierIndex(hs[k].tierAt(from)); i >= 0 {
			held[i] = true
		}
		for _, m := range hs[k].moves {
			if i := l.TierIndex(m.to); i >= 0 && m.at.After(from) && !m.at.After(to) {
				held[i] = true
			}
		}
		for i, h := range held {
			if h {
				members[i]++
			}
		}
	}
	redeemers := map[key]map[int]bool{}
	values := map[key]decimal.Decimal{}
	for _, r := range opts.Redemptions {
		if !r.At.After(from) || r.At.After(to) {
			continue
		}
		c := byID[r.CustomerID]
		i := l.TierIndex(hs[c].tierAt(r.At))
		if i < 0 {
			continue
		}
		k := key{i, r.Benefit}
		if redeemers[k] == nil {
			redeemers[k] = map[int]bool{}
		}
		redeemers[k][c] = true
		values[k] = values[k].Add(r.Value)
	}
	var out []Metric
	for i, t := range l.Tiers {
		if members[i] == 0 {
			continue
		}
		var offered []BenefitKind
		if opts.Catalogue != nil {
			if b, ok := opts.Catalogue.Tier(t.Name); ok {
				for _, term := range econTerms(b, nil) {
					offered = append(offered, term.kind)
				}
			}
		}
		for _, kind := range econKinds {
			k := key{i, kind}
			isOffered := slices.Contains(offered, kind)
			if !isOffered && redeemers[k] == nil {
				continue
			}
			n := decimal.NewFromInt(members[i])
			share := decimal.NewFromInt(int64(len(redeemers[k]))).DivRound(n, 4)
			m := Metric{Name: "redemption_share", Tier: t.Name, Benefit: kind, Value: share}
			if opts.Catalogue != nil && !isOffered {
				m.Finding = fmt.Sprintf("%s members redeemed %s, which the catalogue does not give %s", t.Name, kind, t.Name)
			}
			out = append(out, m)
			if v := values[k]; !v.IsZero() {
				out = append(out, Metric{Name: "redemption_value", Tier: t.Name, Benefit: kind, Value: v.DivRound(n, 2)})
			}
			if isOffered && slices.Contains(perCustomerKinds, kind) {
				assumed := decimal.NewFromInt(1)
				if v, ok := opts.Assumed[kind]; ok {
					assumed = v
				}
				d := Metric{Name: "redemption_vs_assumed", Tier: t.Name, Benefit: kind, Value: share.Sub(assumed)}
				switch share.Cmp(assumed) {
				case -1:
					d.Finding = fmt.Sprintf("%s members redeemed %s at %s, below the %s the costing assumes: it costs less than the P&L says and, rarely used, may not be valued", t.Name, kind, percent(share), percent(assumed))
				case 1:
					d.Finding = fmt.Sprintf("%s members redeemed %s at %s, above the %s the costing assumes: it costs more than the P&L says", t.Name, kind, percent(share), percent(assumed))
				}
				out = append(out, d)
			}
		}
	}
	return out
}

func metricIn(name, tier string, v decimal.Decimal, b Band) Metric {
	m := Metric{Name: name, Tier: tier, Value: v, Band: &b}
	if b.contains(v) {
		return m
	}
	side := "below"
	if !b.Max.IsZero() && v.GreaterThan(b.Max) {
		side = "above"
	}
	what, f := strings.ReplaceAll(name, "_", " "), signedPercent // lifts: shares as percentages
	switch name {
	case "orders_multiple":
		f = func(d decimal.Decimal) string { return d.Round(2).String() + "x" }
	case "ltv_lift":
		what = "spend lift after reaching the tier"
	}
	m.Finding = fmt.Sprintf("%s: %s %s is %s the target of %s to %s", tier, what, f(v), side, f(b.Min), f(b.Max))
	return m
}

// percent writes a share as a percentage to one place, without trailing zeros: 0.5 is
// "50%", 0.0556 is "5.6%".
func percent(d decimal.Decimal) string { return d.Shift(2).Round(1).String() + "%" }

// signedPercent is percent with a sign on gains: 0.3 is "+30%", -0.0556 is "-5.6%".
func signedPercent(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + percent(d)
	}
	return percent(d)
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
