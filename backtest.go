package vip

import (
	"errors"
	"fmt"
	"slices"
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
//
// Customers are replayed one at a time through all the reviews, so that only one
// customer's prepared [Ledger] is held at a time besides the activity the caller holds;
// the first invalid customer, or a customer ID given twice, stops the backtest with an
// error naming it.
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
	loc, _ := l.Location()
	var ats []time.Time
	for k := 0; ; k++ {
		at := AddMonths(opts.From, k*every, loc)
		if at.After(opts.To) {
			break
		}
		ats = append(ats, at)
	}
	// Tier counts and moves are kept by tier position (0 for no tier, i+1 for tier i),
	// per period, and turned into the periods' maps at the end, not per customer and
	// event.
	nt := len(l.Tiers) + 1
	names := make([]string, nt)
	for i := range l.Tiers {
		names[i+1] = l.Tiers[i].Name
	}
	pos := func(name string) int {
		if name == "" {
			return 0
		}
		for i := 1; i < nt; i++ {
			if names[i] == name {
				return i
			}
		}
		return 0 // not reached: Evaluate only moves between the ladder's tiers
	}
	counts := make([]int, len(ats)*nt)
	moves := make([]int, len(ats)*nt*nt)
	res := BacktestResult{Ladder: l.Name, Periods: make([]BacktestPeriod, len(ats)), Statuses: make(map[string]Status, len(customers))}
	for k, at := range ats {
		res.Periods[k].At = at
	}
	var members [][]PnLMember
	if opts.Catalogue != nil {
		members = make([][]PnLMember, len(ats))
	}
	// Customers are replayed one at a time through every review: their histories are
	// independent, and one customer's Ledger stays in cache for all its reviews and is
	// dropped after them, instead of every Ledger being held and visited once a review.
	// The ladder is validated once, and one Ledger and its machine serve every customer
	// in turn. An invalid ladder fails at the first customer, as building its Ledger
	// would (so an empty backtest reports nothing).
	p, perr := l.ledgers()
	if perr != nil && len(customers) > 0 {
		return BacktestResult{}, fmt.Errorf("vip: backtest customer 0: %w", perr)
	}
	var g *Ledger
	for i, a := range customers {
		var err error
		if g, err = p.ledger(g, a); err != nil {
			return BacktestResult{}, fmt.Errorf("vip: backtest customer %d: %w", i, err)
		}
		if _, dup := res.Statuses[a.Customer.ID]; dup {
			return BacktestResult{}, errorf(ErrInvalidActivity, "backtest: customer %q appears twice", a.Customer.ID)
		}
		var st Status
		// next is the first instant after the last evaluation at which evaluating could
		// change the status or emit an event ([Ledger.NextChange]): at a review before it
		// the customer is not evaluated, only Checked moves. Most customers have nothing
		// due in most months (70% of the synthetic shop's customer-reviews).
		var next time.Time
		var w *memberWindow
		for k, at := range ats {
			var evs []Event
			if !st.Checked.IsZero() && next.After(at) {
				st.Checked = at
			} else {
				if st, evs, err = g.Evaluate(st, at); err != nil {
					return BacktestResult{}, fmt.Errorf("vip: backtest customer %q at %s: %w", a.Customer.ID, at.Format(time.RFC3339), err)
				}
				if next, err = g.NextChange(st); err != nil {
					return BacktestResult{}, fmt.Errorf("vip: backtest customer %q at %s: %w", a.Customer.ID, at.Format(time.RFC3339), err)
				}
				if next.IsZero() {
					next = endOfTime // nothing is scheduled, ever: the ledger holds all the activity
				}
			}
			counts[k*nt+pos(st.Tier)]++
			p := &res.Periods[k]
			for e := range evs {
				e := &evs[e]
				switch e.Kind {
				case EventEnrolled, EventUpgraded:
					p.Upgrades++
					if e.Reentry {
						p.Reactivations++
					}
					moves[(k*nt+pos(e.From))*nt+pos(e.To)]++
				case EventDowngraded:
					p.Downgrades++
					moves[(k*nt+pos(e.From))*nt+pos(e.To)]++
				case EventGraceStarted:
					p.GraceStarted++
				}
			}
			if members != nil && st.Tier != "" {
				if w == nil {
					w = newMemberWindow(a)
				}
				members[k] = append(members[k], w.member(a, st.Tier, AddMonths(at, -12, loc), at))
			}
		}
		res.Statuses[a.Customer.ID] = st
	}
	for k := range res.Periods {
		p := &res.Periods[k]
		p.Tiers = make(map[string]int, nt)
		for t, n := range counts[k*nt : (k+1)*nt] {
			if n > 0 {
				p.Tiers[names[t]] = n
			}
		}
		p.Moves = map[string]int{}
		for mv, n := range moves[k*nt*nt : (k+1)*nt*nt] {
			if n > 0 {
				p.Moves[names[mv/nt]+">"+names[mv%nt]] = n
			}
		}
		if members != nil {
			pnl, err := opts.Catalogue.PnL(members[k], opts.Margin, opts.Redemption)
			if err != nil {
				return BacktestResult{}, fmt.Errorf("vip: backtest P&L at %s: %w", p.At.Format(time.RFC3339), err)
			}
			p.PnL = &pnl
			members[k] = nil
		}
	}
	return res, nil
}

// memberWindow is a customer's year before the latest review at which it was a member,
// for the P&L: net paid spend (lines, less refunds of those orders made by the review),
// orders, and gross profit from the lines' costs when every line has one (refunds lower
// it by their amount); otherwise the P&L applies its margin. Reviews only move forward,
// so the window moves forward too: each order enters the running sums once and leaves
// them once over the whole backtest, instead of every order being scanned at every
// review.
type memberWindow struct {
	sorted   []int // a.Orders positions by PlacedAt; nil when a.Orders is in order
	refPos   []int // for each refund, the sorted position of its order
	lo, hi   int   // the sorted orders [lo, hi) are those placed in (from, at]
	spend    sum   // paid spend of the window's orders
	gross    sum   // paid spend less cost of the window's orders
	uncosted int   // lines without a cost in the window's orders
}

// newMemberWindow prepares a's orders and refunds for a window moved forward in time.
// The activity is valid (the backtest built its Ledger): order IDs are unique and every
// refund names one of its orders.
func newMemberWindow(a *Activity) *memberWindow {
	w := &memberWindow{}
	n := len(a.Orders)
	if !slices.IsSortedFunc(a.Orders, func(x, y Order) int { return x.PlacedAt.Compare(y.PlacedAt) }) {
		w.sorted = make([]int, n)
		for i := range w.sorted {
			w.sorted[i] = i
		}
		slices.SortStableFunc(w.sorted, func(x, y int) int { return a.Orders[x].PlacedAt.Compare(a.Orders[y].PlacedAt) })
	}
	if len(a.Refunds) > 0 {
		w.refPos = make([]int, len(a.Refunds))
		for j := range a.Refunds {
			for k := 0; k < n; k++ {
				if a.Orders[w.at(k)].ID == a.Refunds[j].OrderID {
					w.refPos[j] = k
					break
				}
			}
		}
	}
	return w
}

// at returns the a.Orders position of the k-th order by time.
func (w *memberWindow) at(k int) int {
	if w.sorted == nil {
		return k
	}
	return w.sorted[k]
}

// add adds (sign 1) or removes (sign -1) the order o from the running sums.
func (w *memberWindow) add(o *Order, sign int64) {
	for j := range o.Lines {
		ln := &o.Lines[j]
		w.spend.addProduct(ln.PaidPrice, sign*ln.Quantity)
		w.gross.addProduct(ln.PaidPrice, sign*ln.Quantity)
		w.gross.addProduct(ln.UnitCost, -sign*ln.Quantity)
		if ln.UnitCost.IsZero() {
			w.uncosted += int(sign)
		}
	}
}

// member moves the window to (from, at], both at or after the previous call's, and
// returns the customer's P&L figures.
func (w *memberWindow) member(a *Activity, tier string, from, at time.Time) PnLMember {
	for w.hi < len(a.Orders) && !a.Orders[w.at(w.hi)].PlacedAt.After(at) {
		w.add(&a.Orders[w.at(w.hi)], 1)
		w.hi++
	}
	for w.lo < w.hi && !a.Orders[w.at(w.lo)].PlacedAt.After(from) {
		w.add(&a.Orders[w.at(w.lo)], -1)
		w.lo++
	}
	spend, gross := w.spend, w.gross
	for j, k := range w.refPos {
		if r := &a.Refunds[j]; k >= w.lo && k < w.hi && !r.At.After(at) {
			spend.sub(r.Amount)
			gross.sub(r.Amount)
		}
	}
	orders := int64(w.hi - w.lo)
	net := spend.decimal()
	if net.IsNegative() {
		net = decimal.Zero
	}
	m := PnLMember{CustomerID: a.Customer.ID, Tier: tier, AnnualSpend: net, OrdersPerYear: decimal.NewFromInt(orders)}
	if w.uncosted == 0 && orders > 0 {
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
