// Package report turns customers' history and a tier ladder into one self-contained
// HTML report: the Pareto curve of revenue, the tier distribution and flows of a
// backtest, the R x F heat map, the distribution of predicted lifetime value, the
// economics by tier and the program's findings.
//
// # Computing and writing
//
// [Build] does all the computing and returns a [Report] whose exported fields (with JSON
// tags) hold every figure the page shows; [Report.WriteHTML] only lays them out. Build is
// pure: it never reads the clock, and the same customers and options give the same
// Report and the same bytes of HTML.
//
// # The page
//
// The HTML is one file: inline CSS and inline SVG charts, no script, no font, image or
// style sheet fetched from anywhere, so it can be mailed, archived or opened offline. It
// is laid out for a laptop screen (1366 pixels wide and up) and prints on A4 or Letter
// without backgrounds, with no chart split across pages.
//
// # Defaults
//
// Where the caller leaves an option out the report uses documented defaults, written
// out on the page as well: a gross margin of 40% (the brief's worked example), the
// brief's benefit table ([vip.BriefCatalogue]) when it prices the ladder, twelve monthly
// reviews ending at the last order or refund, and a one-year horizon without
// discounting for predicted lifetime value.
package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// ErrInvalidOptions is wrapped by every problem [Build] finds with its [Options].
var ErrInvalidOptions = errors.New("invalid report options")

// DefaultTitle is the title of a report whose Options.Title is empty.
const DefaultTitle = "VIP program report"

// DefaultMargin is the gross margin rate used for orders without unit costs when
// Options.Margin is zero: the brief's "40% baseline margin" of its worked example.
var DefaultMargin = decimal.RequireFromString("0.40")

// Options configures [Build]. Only Ladder is required.
//
// The zero value of every other field means its default. Options is plain data; Build
// does not modify it or keep it.
type Options struct {
	// Title heads the page; empty means [DefaultTitle].
	Title string `json:"title,omitempty"`
	// Ladder is the program's tier ladder. Required.
	Ladder *vip.Ladder `json:"-"`
	// Catalogue prices the ladder's tiers in the economics table. Nil means
	// [vip.BriefCatalogue] when it prices the ladder (same currency, same tier names in
	// the same order); otherwise the economics section says why it is empty. A catalogue
	// given here must price the ladder.
	Catalogue *vip.Catalogue `json:"-"`
	// Margin is the gross margin rate, 0 to 1 exclusive, for orders without unit costs
	// (economics) and for predicted lifetime value; zero means [DefaultMargin].
	Margin decimal.Decimal `json:"margin,omitzero"`
	// AsOf is the instant the report describes; zero means the instant of the last order
	// or refund. Activity after it is ignored.
	AsOf time.Time `json:"as_of,omitzero"`
	// EveryMonths is the backtest's review cadence in months, 0 to 24; 0 means 1.
	EveryMonths int `json:"every_months,omitempty"`
	// Months is how far back from AsOf the backtest's reviews go; 0 means 12. It is
	// rounded down to a multiple of EveryMonths and clamped so that the first review is
	// not before the first order or refund.
	Months int `json:"months,omitempty"`
	// Redemption is the expected use of each benefit in the economics table (see
	// [vip.Profile]); nil means every benefit is used in full, as in the brief's worked
	// example.
	Redemption map[vip.BenefitKind]decimal.Decimal `json:"redemption,omitempty"`
	// CLVMonths is the horizon of predicted residual lifetime value in months, 1 to 120;
	// 0 means 12.
	CLVMonths int `json:"clv_months,omitempty"`
	// CLVAnnualRate is the effective annual discount rate of predicted lifetime value
	// (0.10 is 10% a year), 0 to 1; zero means no discounting.
	CLVAnnualRate float64 `json:"clv_annual_rate,omitempty"`
}

// Validate reports every problem with o at once, each wrapping [ErrInvalidOptions]
// and naming the option, and the ladder's and catalogue's own problems.
func (o Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("report: "+format+": %w", append(args, ErrInvalidOptions)...))
	}
	if o.Ladder == nil {
		bad("ladder is required")
	} else if err := o.Ladder.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("report: ladder: %w", err))
	}
	if o.Catalogue != nil {
		if err := o.Catalogue.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("report: catalogue: %w", err))
		} else if o.Ladder != nil {
			if err := o.Catalogue.CheckLadder(o.Ladder); err != nil {
				errs = append(errs, fmt.Errorf("report: catalogue: %w", err))
			}
		}
	}
	if o.Margin.IsNegative() || o.Margin.GreaterThanOrEqual(decimal.NewFromInt(1)) {
		bad("margin %s is outside [0, 1)", o.Margin)
	}
	if o.EveryMonths < 0 || o.EveryMonths > 24 {
		bad("every_months %d is outside 0-24", o.EveryMonths)
	}
	if o.Months < 0 || o.Months > 1200 {
		bad("months %d is outside 0-1200", o.Months)
	}
	if o.CLVMonths < 0 || o.CLVMonths > 120 {
		bad("clv_months %d is outside 0-120", o.CLVMonths)
	}
	if !(o.CLVAnnualRate >= 0 && o.CLVAnnualRate <= 1) {
		bad("clv_annual_rate %v is outside [0, 1]", o.CLVAnnualRate)
	}
	for _, k := range sortedKinds(o.Redemption) {
		if v := o.Redemption[k]; v.IsNegative() || v.GreaterThan(decimal.NewFromInt(1)) {
			bad("redemption of %q %s is outside [0, 1]", k, v)
		}
	}
	return errors.Join(errs...)
}

func sortedKinds(m map[vip.BenefitKind]decimal.Decimal) []vip.BenefitKind {
	ks := make([]vip.BenefitKind, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Report is everything the page shows, computed by [Build]. Shares are decimals in
// [0, 1] (0.25 is 25%); amounts are in Currency.
//
// The zero value is an empty report; WriteHTML writes it with every section empty. A
// Report is plain data, safe for concurrent reads.
type Report struct {
	Title    string    `json:"title"`
	AsOf     time.Time `json:"as_of"`
	Currency string    `json:"currency"`
	// Customers counts the customers given; Buyers those with an order at or before AsOf.
	Customers int `json:"customers"`
	Buyers    int `json:"buyers"`
	// Orders and Refunds count those at or before AsOf.
	Orders  int `json:"orders"`
	Refunds int `json:"refunds"`
	// Revenue is the net revenue at or before AsOf: what the orders paid for their lines
	// (no shipping or tax) minus the money refunded.
	Revenue decimal.Decimal `json:"revenue"`
	// FirstActivity is the instant of the first order or refund.
	FirstActivity time.Time `json:"first_activity,omitzero"`
	Ladder        Ladder    `json:"ladder"`
	// Margin is the gross margin rate used (the option or its default).
	Margin    decimal.Decimal `json:"margin"`
	Pareto    Pareto          `json:"pareto"`
	Backtest  Backtest        `json:"backtest"`
	RFM       Heatmap         `json:"rfm"`
	CLV       CLV             `json:"clv"`
	Economics Economics       `json:"economics"`
	// Metrics are the program metrics of the backtest ([vip.ProgramMetrics]), those with
	// a finding first, otherwise in the order ProgramMetrics gives.
	Metrics []vip.Metric `json:"metrics"`
	// Notes are the assumptions the report made, in words, as printed at its foot.
	Notes []string `json:"notes"`

	tierOf map[string]string // customer ID to tier after the last review
}

// Ladder summarises the ladder for the header: Measure, Period and Landing are in
// words. Plain data; the zero value is a ladder without tiers.
type Ladder struct {
	Name        string `json:"name"`
	Currency    string `json:"currency"`
	Measure     string `json:"measure"`
	Period      string `json:"period"`
	GraceMonths int    `json:"grace_months"`
	Landing     string `json:"landing"`
	// Tiers are the rungs from lowest to highest.
	Tiers []LadderTier `json:"tiers"`
}

// LadderTier is one rung: its name and its entry and keep rules in words ("2000", or
// the criteria of a composite rule). Plain data.
type LadderTier struct {
	Name    string `json:"name"`
	Qualify string `json:"qualify"`
	Keep    string `json:"keep,omitempty"`
}

// Pareto is the concentration of net revenue over the 12 months before AsOf: the
// [vip.Concentrate] figures and the Lorenz-style curve they come from. Plain data; the
// zero value describes no customers.
type Pareto struct {
	// WindowMonths is the window of each customer's net revenue (12).
	WindowMonths int `json:"window_months"`
	// Concentration holds the customers, the total and the top 1/5/10/20% shares and the
	// Gini coefficient, as [vip.Concentrate] computes them over every customer's window
	// net revenue (a negative net counts as zero).
	Concentration vip.Concentration `json:"concentration"`
	// Points trace the curve: customers ranked by value, highest first, and the share of
	// revenue the first Customers of them hold. There is one point for each percent of
	// customers k = 0..100, at Customers = ceil(k x n / 100) (points that repeat a count
	// are left out), so the points at 1, 5, 10 and 20% hold the Concentration's shares.
	Points []ParetoPoint `json:"points"`
}

// ParetoPoint is one point of the Pareto curve. Plain data.
type ParetoPoint struct {
	Customers int `json:"customers"`
	// CustomerShare is Customers / n and RevenueShare the share of the total they hold,
	// both DivRound to 4 places.
	CustomerShare decimal.Decimal `json:"customer_share"`
	RevenueShare  decimal.Decimal `json:"revenue_share"`
}

// Backtest is the ladder replayed over the history with [vip.Ladder.Backtest]. Plain
// data; the zero value has no reviews.
type Backtest struct {
	From        time.Time `json:"from"`
	EveryMonths int       `json:"every_months"`
	// Tiers names the ladder's tiers, lowest first: the order of Period.Tiers.
	Tiers   []string `json:"tiers"`
	Periods []Period `json:"periods"`
}

// Period is one review of the backtest. Plain data.
type Period struct {
	At time.Time `json:"at"`
	// Tiers counts the customers on each tier at At, in the order of Backtest.Tiers;
	// None the customers on no tier.
	Tiers []int `json:"tiers"`
	None  int   `json:"none"`
	// The flows over the period that ends at At, as [vip.BacktestPeriod] counts them. The
	// first period's flows cover the whole history before the first review.
	Upgrades      int `json:"upgrades"`
	Downgrades    int `json:"downgrades"`
	GraceStarted  int `json:"grace_started"`
	Reactivations int `json:"reactivations"`
	// Moves are the tier changes of the period, ordered by the tier left then the tier
	// entered, lowest first ("" is no tier).
	Moves []Move `json:"moves,omitempty"`
}

// Move counts the customers who went from one tier to another in a period. Plain data.
type Move struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Customers int    `json:"customers"`
}

// Heatmap is the R x F map at AsOf: quintile scores by [vip.ScoreRFM] (ties split by
// customer ID) of every customer's recency, and orders and net spend in the 12 months
// before AsOf, named by the 10-segment grid [vip.SegmentsRFGrid]. Plain data; the zero
// value is an empty, unnamed map.
type Heatmap struct {
	// Counts[r-1][f-1] is the number of customers with R score r and F score f.
	Counts [5][5]int `json:"counts"`
	// Segments[r-1][f-1] names the segment of the cell.
	Segments [5][5]string `json:"segments"`
	// BySegment counts customers by segment, in the grid's order.
	BySegment []SegmentCount `json:"by_segment"`
}

// SegmentCount is the number of customers in one segment. Plain data.
type SegmentCount struct {
	Segment   string `json:"segment"`
	Customers int    `json:"customers"`
}

// CLV is the distribution of predicted residual lifetime value: a BG/NBD purchase model
// fitted on every order at or before AsOf (weeks as the unit, orders of one day merged)
// and a Gamma-Gamma spend model fitted on the repeat buyers among them whose repeat
// orders average above zero ([vip.Cohort.SpendCohort]), then [vip.ResidualCLV] per
// customer over the horizon.
// Plain data (the models are read-only after their fit); the zero value has no figures.
type CLV struct {
	// Problem, when not empty, says why there are no figures (a fit that failed).
	Problem string `json:"problem,omitempty"`
	// Note says what to keep in mind about a fit that worked (a parameter at its bound).
	Note          string          `json:"note,omitempty"`
	HorizonMonths int             `json:"horizon_months"`
	AnnualRate    float64         `json:"annual_rate"`
	Margin        decimal.Decimal `json:"margin"`
	// BGNBD and GammaGamma are the fitted parameters (alpha in weeks).
	BGNBD      *vip.BGNBD      `json:"bgnbd,omitempty"`
	GammaGamma *vip.GammaGamma `json:"gamma_gamma,omitempty"`
	// Scored counts the customers with a value, Unscored those the model could not score.
	Scored   int `json:"scored"`
	Unscored int `json:"unscored"`
	// SpendLeftOut counts the repeat buyers left out of the Gamma-Gamma fit because
	// their repeat orders average 0.00 or less ([vip.Cohort.SpendCohort]); they are
	// among the Unscored.
	SpendLeftOut int `json:"spend_left_out"`
	// Total, Mean, Median, P90 and P99 describe the scored values (Mean to cents; the
	// quantiles are the values at rank ceil(q x n) of the ascending values).
	Total  decimal.Decimal `json:"total"`
	Mean   decimal.Decimal `json:"mean"`
	Median decimal.Decimal `json:"median"`
	P90    decimal.Decimal `json:"p90"`
	P99    decimal.Decimal `json:"p99"`
	// Bins is the histogram: 20 equal-width bins [From, To) from zero, of a round width
	// (1, 2, 2.5 or 5 times a power of ten) chosen so that P95 falls inside them; Over
	// counts the values at or above the last bin's To (about the top 5%, one open bar).
	Bins []Bin `json:"bins"`
	Over int   `json:"over"`
	// ByTier sums the scored values by the tier held after the backtest's last review:
	// the ladder's tiers lowest first, then the customers on no tier (Tier "").
	ByTier []TierValue `json:"by_tier"`
}

// TierValue is the predicted lifetime value of the customers of one tier. Plain data.
type TierValue struct {
	Tier      string          `json:"tier"`
	Customers int             `json:"customers"`
	Total     decimal.Decimal `json:"total"`
	// Mean is Total / Customers, DivRound to 2 places; Share is Total over the value of
	// every scored customer, DivRound to 4 places.
	Mean  decimal.Decimal `json:"mean"`
	Share decimal.Decimal `json:"share"`
}

// Bin is one bar of a histogram: the customers with a value in [From, To). Plain data.
type Bin struct {
	From      decimal.Decimal `json:"from"`
	To        decimal.Decimal `json:"to"`
	Customers int             `json:"customers"`
}

// Economics is the program's P&L by tier at the backtest's last review
// ([vip.Catalogue.PnL] over the members then, each with the net spend, orders and gross
// profit of the 12 months before it). Plain data; the zero value has no table.
type Economics struct {
	// Catalogue says which catalogue priced the tiers.
	Catalogue string `json:"catalogue"`
	// Problem, when not empty, says why there is no table.
	Problem string    `json:"problem,omitempty"`
	At      time.Time `json:"at,omitzero"`
	PnL     *vip.PnL  `json:"pnl,omitempty"`
	// ROI has one entry per row of PnL.Rows: [vip.Catalogue.ROI] of the tier for its
	// average member (the row's spend and the members' orders of the year, per member)
	// under [BriefAssumptions] at the report's margin; nil for the non-members and for
	// a tier without members.
	ROI []*vip.ROI `json:"roi,omitempty"`
	// ROINote states the assumptions of ROI in words.
	ROINote string `json:"roi_note,omitempty"`
}

// BriefAssumptions returns the brief's figures for what a tier changes (section 5):
// members spend 25% more and buy again next year with probability 0.85 against 0.50
// for non-members, over one year, at gross margin rate margin.
func BriefAssumptions(margin decimal.Decimal) vip.Assumptions {
	d := decimal.RequireFromString
	return vip.Assumptions{Margin: margin, SpendLift: d("0.25"), RepurchaseVIP: d("0.85"), RepurchaseBase: d("0.50"), Years: 1}
}

// Build computes the report of customers under opts.Ladder. It validates the options
// (every problem at once, see [Options.Validate]) and every customer's activity against
// the ladder's currency, and fails on a customer given twice. Problems of the data that
// only empty one section (a lifetime-value fit that fails, a default catalogue that does
// not price the ladder) are written in that section instead.
func Build(customers []*vip.Activity, opts Options) (*Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	l := opts.Ladder
	loc, err := l.Location()
	if err != nil {
		return nil, fmt.Errorf("report: ladder: %w", err)
	}
	seen := make(map[string]bool, len(customers))
	var first, last time.Time
	for i, a := range customers {
		if a == nil {
			return nil, fmt.Errorf("report: customer %d is nil: %w", i, vip.ErrInvalidActivity)
		}
		if seen[a.Customer.ID] {
			return nil, fmt.Errorf("report: customer %q appears twice: %w", a.Customer.ID, vip.ErrInvalidActivity)
		}
		seen[a.Customer.ID] = true
		if err := a.Validate(l.Currency); err != nil {
			return nil, fmt.Errorf("report: customer %q: %w", a.Customer.ID, err)
		}
		for j := range a.Orders {
			first, last = span(first, last, a.Orders[j].PlacedAt)
		}
		for j := range a.Refunds {
			first, last = span(first, last, a.Refunds[j].At)
		}
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		if last.IsZero() {
			return nil, fmt.Errorf("report: as_of is zero and no customer has an order or refund: %w", ErrInvalidOptions)
		}
		asOf = last
	}
	r := &Report{
		Title:         cmp.Or(strings.TrimSpace(opts.Title), DefaultTitle),
		AsOf:          asOf,
		Currency:      l.Currency,
		Customers:     len(customers),
		FirstActivity: first,
		Ladder:        summarizeLadder(l),
		Margin:        opts.Margin,
		Metrics:       []vip.Metric{},
	}
	if r.Margin.IsZero() {
		r.Margin = DefaultMargin
		r.Notes = append(r.Notes, fmt.Sprintf("Gross margin %s%% for orders without unit costs and for lifetime value (the brief's worked example; set Options.Margin).", pct(DefaultMargin, 0)))
	}
	r.totals(customers)
	if err := r.scores(customers, loc); err != nil {
		return nil, err
	}
	if err := r.backtest(customers, opts, loc); err != nil {
		return nil, err
	}
	r.clv(customers, opts, loc)
	return r, nil
}

func span(first, last, t time.Time) (time.Time, time.Time) {
	if first.IsZero() || t.Before(first) {
		first = t
	}
	if last.IsZero() || t.After(last) {
		last = t
	}
	return first, last
}

// totals counts the orders, refunds, buyers and net revenue at or before AsOf.
func (r *Report) totals(customers []*vip.Activity) {
	var paid, refunded decimal.Decimal
	for _, a := range customers {
		bought := false
		for i := range a.Orders {
			o := &a.Orders[i]
			if o.PlacedAt.After(r.AsOf) {
				continue
			}
			bought = true
			r.Orders++
			for j := range o.Lines {
				ln := &o.Lines[j]
				paid = paid.Add(ln.PaidPrice.Mul(decimal.NewFromInt(ln.Quantity)))
			}
		}
		if bought {
			r.Buyers++
		}
		for i := range a.Refunds {
			if !a.Refunds[i].At.After(r.AsOf) {
				r.Refunds++
				refunded = refunded.Add(a.Refunds[i].Amount)
			}
		}
	}
	r.Revenue = paid.Sub(refunded)
}

// scores summarises every customer over the 12 months before AsOf and fills the Pareto
// curve and the R x F heat map.
func (r *Report) scores(customers []*vip.Activity, loc *time.Location) error {
	pop := make([]vip.RFMInput, len(customers))
	values := make([]vip.CustomerValue, len(customers))
	so := &vip.SummaryOptions{Currency: r.Currency, Location: loc}
	for i, a := range customers {
		s, err := vip.Summarize(a, r.AsOf, so)
		if err != nil {
			return fmt.Errorf("report: customer %q: %w", a.Customer.ID, err)
		}
		pop[i] = s.RFM()
		values[i] = vip.CustomerValue{CustomerID: a.Customer.ID, Value: s.Net}
	}
	r.Pareto = pareto(values)
	if len(pop) == 0 {
		r.RFM = heatmap(nil)
		return nil
	}
	sc, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		return fmt.Errorf("report: RFM scores: %w", err)
	}
	r.RFM = heatmap(sc)
	return nil
}

// pareto computes the concentration and the curve of values.
func pareto(values []vip.CustomerValue) Pareto {
	p := Pareto{WindowMonths: vip.DefaultWindowMonths, Concentration: vip.Concentrate(values)}
	n := len(values)
	xs := make([]decimal.Decimal, n)
	for i, v := range values {
		xs[i] = v.Value
		if !xs[i].IsPositive() {
			xs[i] = decimal.Zero
		}
	}
	slices.SortFunc(xs, func(a, b decimal.Decimal) int { return b.Cmp(a) })
	total := p.Concentration.Total
	share := func(a, b decimal.Decimal) decimal.Decimal {
		if !b.IsPositive() {
			return decimal.Zero
		}
		return a.DivRound(b, 4)
	}
	run, done := decimal.Zero, 0
	nn := decimal.NewFromInt(int64(n))
	for k := 0; k <= 100; k++ {
		c := (k*n + 99) / 100
		if k > 0 && c == done {
			continue
		}
		for ; done < c; done++ {
			run = run.Add(xs[done])
		}
		p.Points = append(p.Points, ParetoPoint{Customers: c, CustomerShare: share(decimal.NewFromInt(int64(c)), nn), RevenueShare: share(run, total)})
	}
	return p
}

func heatmap(scores []vip.RFMScore) Heatmap {
	var h Heatmap
	grid := vip.SegmentsRFGrid
	count := map[string]int{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			h.Segments[r-1][f-1] = grid.Segment(vip.RFMScore{R: uint8(r), F: uint8(f), M: 1})
		}
	}
	for _, s := range scores {
		if s.R < 1 || s.R > 5 || s.F < 1 || s.F > 5 {
			continue
		}
		h.Counts[s.R-1][s.F-1]++
		count[h.Segments[s.R-1][s.F-1]]++
	}
	for _, name := range grid.Names() {
		h.BySegment = append(h.BySegment, SegmentCount{Segment: name, Customers: count[name]})
	}
	return h
}

// backtest replays the ladder over the review window, prices the last review and
// measures the program.
func (r *Report) backtest(customers []*vip.Activity, opts Options, loc *time.Location) error {
	l := opts.Ladder
	every := max(opts.EveryMonths, 1)
	months := opts.Months
	if months == 0 {
		months = 12
	}
	steps := months / every
	from := vip.AddMonths(r.AsOf, -steps*every, loc)
	for steps > 0 && !r.FirstActivity.IsZero() && from.Before(r.FirstActivity) {
		steps--
		from = vip.AddMonths(r.AsOf, -steps*every, loc)
	}
	if steps*every != months {
		r.Notes = append(r.Notes, fmt.Sprintf("The backtest covers %d months, not the %d asked: the history starts %s.", steps*every, months, r.FirstActivity.In(loc).Format(time.DateOnly)))
	}
	cat := opts.Catalogue
	r.Economics.Catalogue = "the caller's"
	if cat == nil {
		bc := vip.BriefCatalogue()
		r.Economics.Catalogue = "the brief's benefit table (vip.BriefCatalogue)"
		if err := bc.CheckLadder(l); err != nil {
			r.Economics.Problem = "No catalogue was given and the brief's benefit table (USD; Silver, Gold, Platinum) does not price this ladder: " +
				strings.TrimPrefix(err.Error(), "vip: ") + ". Pass a catalogue that prices it."
		} else {
			cat = &bc
		}
	}
	res, err := l.Backtest(customers, vip.BacktestOptions{From: from, To: r.AsOf, EveryMonths: every, Catalogue: cat, Margin: r.Margin, Redemption: opts.Redemption})
	if err != nil {
		return fmt.Errorf("report: backtest: %w", err)
	}
	b := Backtest{From: from, EveryMonths: every}
	for _, t := range l.Tiers {
		b.Tiers = append(b.Tiers, t.Name)
	}
	for _, p := range res.Periods {
		q := Period{At: p.At, None: p.Tiers[""], Upgrades: p.Upgrades, Downgrades: p.Downgrades, GraceStarted: p.GraceStarted, Reactivations: p.Reactivations}
		for _, t := range b.Tiers {
			q.Tiers = append(q.Tiers, p.Tiers[t])
		}
		for mv, n := range p.Moves {
			from, to, _ := strings.Cut(mv, ">")
			q.Moves = append(q.Moves, Move{From: from, To: to, Customers: n})
		}
		slices.SortFunc(q.Moves, func(a, c Move) int {
			return cmp.Or(cmp.Compare(l.TierIndex(a.From), l.TierIndex(c.From)), cmp.Compare(l.TierIndex(a.To), l.TierIndex(c.To)),
				cmp.Compare(a.From, c.From), cmp.Compare(a.To, c.To))
		})
		b.Periods = append(b.Periods, q)
	}
	r.Backtest = b
	r.tierOf = make(map[string]string, len(res.Statuses))
	for id, st := range res.Statuses {
		r.tierOf[id] = st.Tier
	}
	if cat != nil && len(res.Periods) > 0 {
		lastP := res.Periods[len(res.Periods)-1]
		r.Economics.At = lastP.At
		r.Economics.PnL = lastP.PnL
		if err := r.roi(customers, cat, res.Statuses, opts.Redemption, loc); err != nil {
			return err
		}
	}
	ms, err := vip.ProgramMetrics(l, res, customers)
	if err != nil {
		return fmt.Errorf("report: program metrics: %w", err)
	}
	slices.SortStableFunc(ms, func(a, c vip.Metric) int {
		return cmp.Compare(boolRank(a.Finding == ""), boolRank(c.Finding == ""))
	})
	if ms != nil {
		r.Metrics = ms
	}
	return nil
}

// roi prices each tier's average member at the last review under the brief's
// assumptions.
func (r *Report) roi(customers []*vip.Activity, cat *vip.Catalogue, statuses map[string]vip.Status, redemption map[vip.BenefitKind]decimal.Decimal, loc *time.Location) error {
	e := &r.Economics
	if e.PnL == nil {
		return nil
	}
	at := e.At
	from := vip.AddMonths(at, -12, loc)
	orders := map[string]int64{}
	for _, a := range customers {
		t := statuses[a.Customer.ID].Tier
		if t == "" {
			continue
		}
		for i := range a.Orders {
			if p := a.Orders[i].PlacedAt; p.After(from) && !p.After(at) {
				orders[t]++
			}
		}
	}
	as := BriefAssumptions(r.Margin)
	e.ROI = make([]*vip.ROI, len(e.PnL.Rows))
	for i, row := range e.PnL.Rows {
		if row.Tier == "" || row.Customers == 0 {
			continue
		}
		n := decimal.NewFromInt(int64(row.Customers))
		p := vip.Profile{AnnualSpend: row.Spend.DivRound(n, 2), OrdersPerYear: decimal.NewFromInt(orders[row.Tier]).DivRound(n, 4), Redemption: redemption}
		roi, err := cat.ROI(row.Tier, p, as)
		if err != nil {
			return fmt.Errorf("report: ROI of tier %q: %w", row.Tier, err)
		}
		e.ROI[i] = &roi
	}
	e.ROINote = fmt.Sprintf("ROI is the tier's incremental profit over its benefit cost for its average member, with the brief's figures: members spend 25%% more and buy again next year with probability 0.85 against 0.50 for non-members, at a %s%% margin, over one year.", pct(r.Margin, 0))
	return nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// summarizeLadder describes the ladder in words for the header.
func summarizeLadder(l *vip.Ladder) Ladder {
	s := Ladder{Name: l.Name, Currency: l.Currency, Measure: string(cmp.Or(l.Measure, vip.MeasureNetSpend)), GraceMonths: l.GraceMonths}
	kind := cmp.Or(l.Period.Kind, vip.PeriodRolling)
	switch kind {
	case vip.PeriodRolling:
		s.Period = fmt.Sprintf("rolling %d months", cmp.Or(l.Period.Months, 12))
	default:
		s.Period = strings.ReplaceAll(string(kind), "_", " ")
		if l.Period.Months > 0 {
			s.Period += fmt.Sprintf(" (%d months)", l.Period.Months)
		}
	}
	mode := cmp.Or(l.Landing.Mode, vip.LandOneStep)
	s.Landing = strings.ReplaceAll(string(mode), "_", " ")
	if l.Landing.MaxSteps > 0 && mode != vip.LandOneStep {
		s.Landing += fmt.Sprintf(", at most %d step", l.Landing.MaxSteps)
		if l.Landing.MaxSteps > 1 {
			s.Landing += "s"
		}
	}
	for _, t := range l.Tiers {
		lt := LadderTier{Name: t.Name, Qualify: t.Qualify.String()}
		switch {
		case t.InviteOnly:
			lt.Qualify = "invitation only"
		case t.Entry != nil:
			lt.Qualify = ruleText(t.Entry)
		}
		if t.Keep != nil {
			lt.Keep = t.Keep.String()
		} else if t.Retain != nil {
			lt.Keep = ruleText(t.Retain)
		}
		s.Tiers = append(s.Tiers, lt)
	}
	return s
}

func ruleText(r *vip.Rule) string {
	parts := make([]string, len(r.Criteria))
	for i, c := range r.Criteria {
		parts[i] = fmt.Sprintf("%s >= %s", c.Measure, c.Min)
	}
	sep := " and "
	switch r.Match {
	case vip.MatchAny:
		sep = " or "
	case vip.MatchAll, "":
	default:
		return fmt.Sprintf("%d of: %s", r.K, strings.Join(parts, ", "))
	}
	return strings.Join(parts, sep)
}

// pct formats a share as a percentage with the given decimals: 0.4 is "40".
func pct(v decimal.Decimal, places int32) string { return v.Shift(2).StringFixed(places) }
