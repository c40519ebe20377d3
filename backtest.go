package vip

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// BacktestOptions configures [Ladder.Backtest].
type BacktestOptions struct {
	// From is the first review instant and To the last one allowed; reviews come every
	// EveryMonths months from From (0 means 1).
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	EveryMonths int       `json:"every_months,omitempty"`
	// Catalogue, when set, prices each period's tiers: [Catalogue.PnL] over the members
	// at the review, each with the net spend, orders and gross profit of the 12 months
	// before it, at gross margin Margin for orders without costs.
	Catalogue  *Catalogue                      `json:"-"`
	Margin     decimal.Decimal                 `json:"margin,omitzero"`
	Redemption map[BenefitKind]decimal.Decimal `json:"redemption,omitempty"`
}

// BacktestPeriod is what one review of a backtest found.
type BacktestPeriod struct {
	At time.Time `json:"at"`
	// Tiers counts the customers on each tier at At ("" for none).
	Tiers map[string]int `json:"tiers"`
	// Flows counted over the period that ends at At (the first period: everything up to
	// the first review, the replayed history included): customers entering a tier from
	// below (Upgrades, first entries and re-entries alike), moving down (Downgrades),
	// entering grace, and re-entering a tier they had lost (Reactivations, a subset of
	// Upgrades).
	Upgrades      int `json:"upgrades"`
	Downgrades    int `json:"downgrades"`
	GraceStarted  int `json:"grace_started"`
	Reactivations int `json:"reactivations"`
	// Moves counts tier changes by "from>to" over the period.
	Moves map[string]int `json:"moves,omitempty"`
	// PnL prices the tiers at At when BacktestOptions.Catalogue is set.
	PnL *PnL `json:"pnl,omitempty"`
}

// BacktestResult is a ladder replayed over a history.
type BacktestResult struct {
	Ladder  string           `json:"ladder"`
	Periods []BacktestPeriod `json:"periods"`
	// Statuses are the customers' statuses after the last review, by customer ID.
	Statuses map[string]Status `json:"statuses"`
}

// Backtest replays the ladder over the customers' history, reviewing every customer at
// each review instant, and reports each period's tier distribution, flows and, with a
// catalogue, the P&L by tier. It is pure: the same history and options give the same
// result. Activity after a review instant does not count at that review, so the replay
// is what the ladder would have done had it been live.
func (l *Ladder) Backtest(customers []*Activity, opts BacktestOptions) (BacktestResult, error) {
	var errs []error
	if opts.From.IsZero() || opts.To.Before(opts.From) {
		errs = append(errs, errorf(ErrInvalidLadder, "backtest: from %s and to %s do not make a range", opts.From.Format(time.RFC3339), opts.To.Format(time.RFC3339)))
	}
	if opts.EveryMonths < 0 || opts.EveryMonths > 24 {
		errs = append(errs, errorf(ErrInvalidLadder, "backtest: every_months %d is outside 0-24", opts.EveryMonths))
	}
	if opts.Catalogue != nil {
		if err := opts.Catalogue.CheckLadder(l); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return BacktestResult{}, err
	}
	every := max(opts.EveryMonths, 1)
	ledgers := make([]*Ledger, len(customers))
	statuses := make([]Status, len(customers))
	seen := make(map[string]bool, len(customers))
	for i, a := range customers {
		g, err := l.Ledger(a)
		if err != nil {
			return BacktestResult{}, fmt.Errorf("vip: backtest customer %d: %w", i, err)
		}
		if seen[a.Customer.ID] {
			return BacktestResult{}, errorf(ErrInvalidActivity, "backtest: customer %q appears twice", a.Customer.ID)
		}
		seen[a.Customer.ID] = true
		ledgers[i] = g
	}
	loc, _ := l.Location()
	res := BacktestResult{Ladder: l.Name}
	for k := 0; ; k++ {
		at := AddMonths(opts.From, k*every, loc)
		if at.After(opts.To) {
			break
		}
		p := BacktestPeriod{At: at, Tiers: map[string]int{}, Moves: map[string]int{}}
		var members []PnLMember
		for i, g := range ledgers {
			st, evs, err := g.Evaluate(statuses[i], at)
			if err != nil {
				return BacktestResult{}, fmt.Errorf("vip: backtest customer %q at %s: %w", customers[i].Customer.ID, at.Format(time.RFC3339), err)
			}
			statuses[i] = st
			p.Tiers[st.Tier]++
			for _, e := range evs {
				switch e.Kind {
				case EventEnrolled, EventUpgraded:
					p.Upgrades++
					if e.Reentry {
						p.Reactivations++
					}
					p.Moves[e.From+">"+e.To]++
				case EventDowngraded:
					p.Downgrades++
					p.Moves[e.From+">"+e.To]++
				case EventGraceStarted:
					p.GraceStarted++
				}
			}
			if opts.Catalogue != nil && st.Tier != "" {
				members = append(members, backtestMember(customers[i], st.Tier, at, loc))
			}
		}
		if opts.Catalogue != nil {
			pnl, err := opts.Catalogue.PnL(members, opts.Margin, opts.Redemption)
			if err != nil {
				return BacktestResult{}, fmt.Errorf("vip: backtest P&L at %s: %w", at.Format(time.RFC3339), err)
			}
			p.PnL = &pnl
		}
		res.Periods = append(res.Periods, p)
	}
	res.Statuses = make(map[string]Status, len(customers))
	for i, a := range customers {
		res.Statuses[a.Customer.ID] = statuses[i]
	}
	return res, nil
}

// backtestMember is a customer's year before at, for the P&L: net paid spend (lines,
// less refunds of those orders made by at), orders, and gross profit from the lines'
// costs when every line has one (refunds lower it by their amount); otherwise the P&L
// applies its margin.
func backtestMember(a *Activity, tier string, at time.Time, loc *time.Location) PnLMember {
	from := AddMonths(at, -12, loc)
	var spend, gross sum
	orders := int64(0)
	costed := true
	in := make(map[string]bool)
	for i := range a.Orders {
		o := &a.Orders[i]
		if !o.PlacedAt.After(from) || o.PlacedAt.After(at) {
			continue
		}
		in[o.ID] = true
		orders++
		for j := range o.Lines {
			ln := &o.Lines[j]
			spend.addProduct(ln.PaidPrice, ln.Quantity)
			gross.addProduct(ln.PaidPrice, ln.Quantity)
			gross.addProduct(ln.UnitCost, -ln.Quantity)
			if ln.UnitCost.IsZero() {
				costed = false
			}
		}
	}
	for _, r := range a.Refunds {
		if in[r.OrderID] && !r.At.After(at) {
			spend.sub(r.Amount)
			gross.sub(r.Amount)
		}
	}
	net := spend.decimal()
	if net.IsNegative() {
		net = decimal.Zero
	}
	m := PnLMember{CustomerID: a.Customer.ID, Tier: tier, AnnualSpend: net, OrdersPerYear: decimal.NewFromInt(orders)}
	if costed && orders > 0 {
		g := gross.decimal()
		m.GrossProfit = &g
	}
	return m
}

// Comparison is one ladder's backtest and program metrics, for side-by-side reading.
type Comparison struct {
	Ladder  string         `json:"ladder"`
	Result  BacktestResult `json:"result"`
	Metrics []Metric       `json:"metrics"`
}

// CompareLadders backtests several ladders (what-if thresholds, grace lengths, landing
// rules) on the same customers with the same options, in the order given. Ladder names
// must differ.
func CompareLadders(ladders []Ladder, customers []*Activity, opts BacktestOptions) ([]Comparison, error) {
	seen := map[string]bool{}
	out := make([]Comparison, 0, len(ladders))
	for i := range ladders {
		l := &ladders[i]
		if seen[l.Name] {
			return nil, errorf(ErrInvalidLadder, "compare ladders: ladder %q appears twice", l.Name)
		}
		seen[l.Name] = true
		res, err := l.Backtest(customers, opts)
		if err != nil {
			return nil, err
		}
		ms, err := ProgramMetrics(l, res, customers)
		if err != nil {
			return nil, err
		}
		out = append(out, Comparison{Ladder: l.Name, Result: res, Metrics: ms})
	}
	return out, nil
}
