package vip

import (
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Measure names what a criterion counts over the qualifying window.
type Measure string

// The built-in measures. A ladder may also name a measure of its own in
// [Ladder.Custom].
const (
	// MeasureNetSpend is the qualifying spend of the window's orders minus what was
	// refunded of them (see [SpendRules]).
	MeasureNetSpend Measure = "net_spend"
	// MeasureOrders counts the window's qualifying orders that were not refunded in full.
	MeasureOrders Measure = "orders"
	// MeasurePoints sums the points earned in the window ([Activity.Points]): points
	// earned, never a redeemable balance.
	MeasurePoints Measure = "points"
	// MeasureAverageBalance is the banking variant: the mean, over the complete calendar
	// months in the window, of each month's average balance (see [AverageMonthlyBalance]).
	MeasureAverageBalance Measure = "average_balance"
	// MeasureCategories counts the distinct categories bought in the window.
	MeasureCategories Measure = "categories"
	// MeasureLargestOrder is the largest single order's net qualifying spend in the
	// window, so that one order above an amount can qualify on its own.
	MeasureLargestOrder Measure = "largest_order"
	// MeasurePointsBalance is the points balance at the instant: every entry of
	// [Activity.Points] up to then, earned minus spent, whatever the window. Points
	// qualify as points earned in the window (MeasurePoints) unless a ladder names
	// this measure explicitly.
	MeasurePointsBalance Measure = "points_balance"
)

// MeasureFunc computes a caller-defined measure of a's activity placed in [from, to].
// It must be pure and must not modify a.
type MeasureFunc func(a *Activity, from, to time.Time) decimal.Decimal

// Criterion is one condition of a [Rule]: the measure is at least Min.
type Criterion struct {
	Measure Measure         `json:"measure"`
	Min     decimal.Decimal `json:"min"`
}

// Match says how many of a rule's criteria must hold.
type Match string

// Match values. The zero value means MatchAll.
const (
	MatchAll     Match = "all"
	MatchAny     Match = "any"
	MatchAtLeast Match = "at_least" // at least K of the criteria
)

// Rule combines criteria: all of them, any of them, or at least K of them.
// For example spend >= 5,000 OR 12 orders is
//
//	{"match": "any", "criteria": [{"measure": "net_spend", "min": "5000"}, {"measure": "orders", "min": "12"}]}
type Rule struct {
	Match    Match       `json:"match,omitempty"`
	K        int         `json:"k,omitempty"`
	Criteria []Criterion `json:"criteria"`
}

// need returns how many criteria must hold.
func (r *Rule) need() int {
	switch r.Match {
	case MatchAny:
		return 1
	case MatchAtLeast:
		return r.K
	}
	return len(r.Criteria)
}

// Tier is one rung of a [Ladder].
//
// The simple form names thresholds on the ladder's [Ladder.Measure]: Qualify to enter
// and an optional lower Keep to stay (hysteresis). The composite form names rules:
// Entry replaces Qualify, Retain replaces Keep, and Reentry, when set, is the entry rule
// for a customer who held the tier before and lost it.
type Tier struct {
	Name    string           `json:"name"`
	Qualify decimal.Decimal  `json:"qualify,omitzero"`
	Keep    *decimal.Decimal `json:"keep,omitempty"`
	Entry   *Rule            `json:"entry,omitempty"`
	Retain  *Rule            `json:"retain,omitempty"`
	Reentry *Rule            `json:"reentry,omitempty"`
	// InviteOnly tiers are never earned: only a manual placement ([Override]) gives them.
	InviteOnly bool `json:"invite_only,omitempty"`
	// EntryReward is an ID the shop fulfils when a customer moves up into the tier
	// (reported in [Event.Rewards]).
	EntryReward string `json:"entry_reward,omitempty"`
}

// entryRule returns the tier's entry rule in composite form.
func (t *Tier) entryRule(m Measure) Rule {
	if t.Entry != nil {
		return *t.Entry
	}
	return Rule{Criteria: []Criterion{{Measure: m, Min: t.Qualify}}}
}

// retainRule returns the tier's keep rule in composite form.
func (t *Tier) retainRule(m Measure) Rule {
	switch {
	case t.Retain != nil:
		return *t.Retain
	case t.Keep != nil:
		return Rule{Criteria: []Criterion{{Measure: m, Min: *t.Keep}}}
	}
	return t.entryRule(m)
}

// PeriodKind names how the qualifying window is laid out.
type PeriodKind string

// Period kinds. The zero value means PeriodRolling.
const (
	// PeriodRolling: the Months before the evaluation instant, (now - Months, now].
	PeriodRolling PeriodKind = "rolling"
	// PeriodCalendarYear: January 1 to December 31 in the customer's zone. Status earned
	// in year Y holds through year Y+1 unless the term says otherwise.
	PeriodCalendarYear PeriodKind = "calendar_year"
	// PeriodAnniversary: years that start on the anniversary of Customer.JoinedAt
	// (February 29 falls on February 28 in common years).
	PeriodAnniversary PeriodKind = "anniversary"
	// PeriodLifetime: everything since the program start ([SpendRules.Since]).
	PeriodLifetime PeriodKind = "lifetime"
	// PeriodFixedTerm: a rolling window of Months for the measure, and a status that holds
	// for TermMonths after it is granted and is reassessed then (for example "spent
	// $1,000 in the last 12 months, reassessed 10 months after the assessment").
	PeriodFixedTerm PeriodKind = "fixed_term"
)

// Period is the qualification period of a ladder.
type Period struct {
	Kind PeriodKind `json:"kind,omitempty"`
	// Months is the rolling window's length (rolling and fixed_term); 0 means 12.
	Months int `json:"months,omitempty"`
	// TermMonths is how long a fixed_term status holds before it is reassessed.
	TermMonths int `json:"term_months,omitempty"`
}

// TermKind names how long a status holds once earned.
type TermKind string

// Term kinds. The zero value picks the period's natural term: continuous for rolling and
// lifetime periods, fixed for fixed_term, next_period_end for calendar and anniversary
// years.
const (
	// TermContinuous: the tier holds for as long as its keep rule holds.
	TermContinuous TermKind = "continuous"
	// TermFixed: the tier holds for Months from entry, restarting on each upgrade; at its
	// end the keep rule is checked and, when it holds, the tier is prolonged for another
	// term. A lapsed status that qualifies again starts a new term. Because the term is
	// anchored at the upgrade, a customer who qualified earlier can see it end earlier
	// than one who qualified later: the one rule under which more activity can leave a
	// customer lower at a given instant (a first-term minimum and a minimum stay behave
	// the same way).
	TermFixed TermKind = "fixed"
	// TermPeriodEnd: the tier holds to the end of the period in which it was earned.
	TermPeriodEnd TermKind = "period_end"
	// TermNextPeriodEnd: earned in period Y, the tier holds to the end of period Y+1.
	TermNextPeriodEnd TermKind = "next_period_end"
	// TermCustomerDate: the tier holds until a date the caller supplies per customer in
	// [Activity.TermEnd] (a date in a customer attribute); when the keep rule holds and
	// the caller has moved the date on, the tier is prolonged to it. A customer without
	// a date has a continuous term.
	TermCustomerDate TermKind = "customer_date"
)

// TermStart names when an earned status starts.
type TermStart string

// Term starts. The zero value means StartImmediately.
const (
	StartImmediately TermStart = "immediate"
	// StartNextPeriod: a tier earned now starts at the beginning of the next period (the
	// next calendar or anniversary year; for other periods, the next calendar month).
	// Until then it is reported with [EventQualified] and in [Status.Pending].
	StartNextPeriod TermStart = "next_period"
)

// Rounding names the boundary an expiry is rounded up to.
type Rounding string

// Rounding values. The zero value leaves expiries as computed.
const (
	RoundNone    Rounding = ""
	RoundDay     Rounding = "day"
	RoundMonth   Rounding = "month"
	RoundQuarter Rounding = "quarter"
	RoundYear    Rounding = "year"
)

// Term says how long a status holds once earned.
type Term struct {
	Kind  TermKind  `json:"kind,omitempty"`
	Start TermStart `json:"start,omitempty"`
	// Months is the length of a fixed term (0: the period's TermMonths, or 12).
	Months int `json:"months,omitempty"`
	// RoundTo rounds every expiry up to the end of the day, month, quarter or year, in
	// the customer's zone.
	RoundTo Rounding `json:"round_to,omitempty"`
	// FirstMinMonths is a minimum length of the first term after entering a tier.
	FirstMinMonths int `json:"first_min_months,omitempty"`
}

// LandingMode names where a customer lands when a tier is lost.
type LandingMode string

// Landing modes. The zero value means LandOneStep.
const (
	// LandOneStep drops one tier at a time.
	LandOneStep LandingMode = "one_step"
	// LandQualifying drops to the highest tier whose keep rule still holds.
	LandQualifying LandingMode = "qualifying"
	// LandLowest drops to the tier the entry rules support (possibly no tier), whatever
	// the keep rules of the tiers in between say. It is the one landing under which a
	// customer who earned more can end below one who held a lower tier by its keep
	// threshold.
	LandLowest LandingMode = "lowest"
)

// Landing is the soft-landing rule applied when a tier is lost (after grace).
//
// A landing never goes below the tier the customer earns at that instant, nor below a
// floor. MaxSteps caps how many tiers one landing may drop (0: no cap). A tier landed on
// whose keep rule fails too gets a grace of its own (GraceMonths); without grace the
// next landing comes IntervalMonths later (0 means 1). Either way one landing is one
// "review" of the soft landing, whatever the caller's evaluation cadence, so a
// Platinum customer who stops buying steps down Gold, Silver, none, one grace period (or
// one interval) apart.
type Landing struct {
	Mode           LandingMode `json:"mode,omitempty"`
	MaxSteps       int         `json:"max_steps,omitempty"`
	IntervalMonths int         `json:"interval_months,omitempty"`
	// MinStayMonths: no demotion within this many months of any upgrade.
	MinStayMonths int `json:"min_stay_months,omitempty"`
}

// Warnings configures DemotionWarning events.
type Warnings struct {
	// Days before a possible demotion at which to warn. Nil means 60 and 30; an empty,
	// non-nil slice turns warnings off.
	Days []int `json:"days"`
}

// Proximity is a rule for NearNextTier events: the customer is within Gap of the next
// tier's threshold, or has reached Share of it (0.5 is "halfway"). Either may be zero.
type Proximity struct {
	Gap   decimal.Decimal `json:"gap,omitzero"`
	Share decimal.Decimal `json:"share,omitzero"`
}

// Near configures NearNextTier events.
type Near struct {
	Rules []Proximity `json:"rules,omitempty"`
	// CooldownDays: at most one NearNextTier per customer in this many days (0 means 7).
	CooldownDays int `json:"cooldown_days,omitempty"`
}

// ReturnsMode names how returns interact with qualification.
type ReturnsMode string

// Returns modes. The zero value means ReturnsImmediate.
const (
	// ReturnsImmediate: an order counts at once; a refund removes its amount when it
	// happens, and a tier that no longer holds goes through grace and landing.
	ReturnsImmediate ReturnsMode = "immediate"
	// ReturnsPending: an order counts only once its return window has passed; until
	// then it shows in [Progress.Pending].
	ReturnsPending ReturnsMode = "pending"
)

// Returns configures how returns interact with qualification.
type Returns struct {
	Mode       ReturnsMode `json:"mode,omitempty"`
	WindowDays int         `json:"window_days,omitempty"`
}

// SpendBasis names the price that counts as spend.
type SpendBasis string

// Spend bases. The zero value means SpendPaid.
const (
	SpendPaid SpendBasis = "paid" // what the customer paid
	SpendList SpendBasis = "list" // the list price, discounts ignored
)

// SpendRules says what counts as qualifying spend. By default: the price paid for the
// lines, without shipping or tax, every category and SKU, every order since the
// beginning of time.
type SpendRules struct {
	Basis             SpendBasis      `json:"basis,omitempty"`
	IncludeShipping   bool            `json:"include_shipping,omitempty"`
	IncludeTax        bool            `json:"include_tax,omitempty"`
	ExcludeCategories []string        `json:"exclude_categories,omitempty"`
	ExcludeSKUs       []string        `json:"exclude_skus,omitempty"`
	MinOrder          decimal.Decimal `json:"min_order,omitzero"` // orders below it do not count
	Since             time.Time       `json:"since,omitzero"`     // the program start: earlier activity is ignored
}

// Rewards configures entry rewards.
type Rewards struct {
	// NoRepay: an entry reward is paid once per customer and tier, ever. By default it is
	// paid again when a customer who lost the tier earns it back.
	NoRepay bool `json:"no_repay,omitempty"`
}

// Ladder is a tier ladder and every rule of its state machine. It is plain data with
// JSON tags; [ParseLadder] loads and validates it.
//
// The zero value is not a valid ladder (it has no tiers). A Ladder is not modified by
// its methods, which are safe for concurrent use as long as nobody modifies the Ladder.
//
// # The state machine
//
// At each instant the customer earns the highest tier whose entry rule holds over the
// qualifying window (see [Period]); an earned tier above the current one is granted at
// once ([EventUpgraded], or [EventEnrolled] from no tier). The current tier is held as
// long as its keep rule holds (continuous term) or until its expiry (other terms, see
// [Term]), and never during the first Landing.MinStayMonths after an upgrade. When it is
// no longer held the customer enters grace for GraceMonths ([EventGraceStarted]), and
// recovers if the keep rule holds again before grace ends. When grace ends, the landing
// rule lowers the tier ([EventDowngraded]). Warnings fire at the configured days before
// a possible demotion, proximity events near the next tier. A manual [Override] locks
// the tier or puts a floor under it until a date.
type Ladder struct {
	Name     string `json:"name"`
	Version  int    `json:"version,omitempty"`
	Currency string `json:"currency"`
	// TimeZone is the program's IANA zone for calendar periods; empty means UTC.
	TimeZone    string     `json:"time_zone,omitempty"`
	Measure     Measure    `json:"measure,omitempty"` // of the simple form; default net_spend
	Spend       SpendRules `json:"spend,omitzero"`
	Period      Period     `json:"period,omitzero"`
	Term        Term       `json:"term,omitzero"`
	Tiers       []Tier     `json:"tiers"`
	GraceMonths int        `json:"grace_months,omitempty"`
	Landing     Landing    `json:"landing,omitzero"`
	Warnings    Warnings   `json:"warnings,omitzero"`
	Near        Near       `json:"near,omitzero"`
	Returns     Returns    `json:"returns,omitzero"`
	Rewards     Rewards    `json:"rewards,omitzero"`
	// Custom holds measures of the caller's own, by name. It is not loaded from JSON.
	Custom map[Measure]MeasureFunc `json:"-"`
}

// ParseLadder decodes a ladder from JSON, rejecting unknown fields, and validates it.
func ParseLadder(data []byte) (Ladder, error) {
	return parseConfig[Ladder](data, ErrInvalidLadder, "ladder")
}

// LoadLadder reads a ladder from r with [ParseLadder].
func LoadLadder(r io.Reader) (Ladder, error) {
	data, err := readConfig(r, "ladder")
	if err != nil {
		return Ladder{}, err
	}
	return ParseLadder(data)
}

func (l *Ladder) measure() Measure {
	if l.Measure == "" {
		return MeasureNetSpend
	}
	return l.Measure
}

func (l *Ladder) periodKind() PeriodKind {
	if l.Period.Kind == "" {
		return PeriodRolling
	}
	return l.Period.Kind
}

func (l *Ladder) windowMonths() int {
	if l.Period.Months == 0 {
		return 12
	}
	return l.Period.Months
}

func (l *Ladder) termKind() TermKind {
	if l.Term.Kind != "" {
		return l.Term.Kind
	}
	switch l.periodKind() {
	case PeriodFixedTerm:
		return TermFixed
	case PeriodCalendarYear, PeriodAnniversary:
		return TermNextPeriodEnd
	}
	return TermContinuous
}

func (l *Ladder) termMonths() int {
	switch {
	case l.Term.Months > 0:
		return l.Term.Months
	case l.Period.TermMonths > 0:
		return l.Period.TermMonths
	}
	return 12
}

func (l *Ladder) warningDays() []int {
	if l.Warnings.Days == nil {
		return []int{60, 30}
	}
	return l.Warnings.Days
}

func (l *Ladder) landingInterval() int {
	if l.Landing.IntervalMonths == 0 {
		return 1
	}
	return l.Landing.IntervalMonths
}

func (l *Ladder) nearCooldown() int {
	if l.Near.CooldownDays == 0 {
		return 7
	}
	return l.Near.CooldownDays
}

// Location returns the ladder's zone (UTC when TimeZone is empty).
func (l *Ladder) Location() (*time.Location, error) {
	if l.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := loadLocation(l.TimeZone)
	if err != nil {
		return nil, errorf(ErrInvalidLadder, "ladder %q: time_zone %q is not an IANA zone", l.Name, l.TimeZone)
	}
	return loc, nil
}

// TierIndex returns the position of the named tier, or -1 for "" (no tier). A name
// the ladder does not have gives -2.
func (l *Ladder) TierIndex(name string) int {
	if name == "" {
		return -1
	}
	for i := range l.Tiers {
		if l.Tiers[i].Name == name {
			return i
		}
	}
	return -2
}

// Validate reports every problem with the ladder at once.
func (l *Ladder) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidLadder, "ladder %q: "+format, append([]any{l.Name}, args...)...))
	}
	if strings.TrimSpace(l.Name) == "" {
		bad("name is empty")
	}
	if !validCurrency(l.Currency) {
		bad("currency %q is not an ISO 4217 code", l.Currency)
	}
	if _, err := l.Location(); err != nil {
		errs = append(errs, err)
	}
	known := func(m Measure) bool {
		switch m {
		case MeasureNetSpend, MeasureOrders, MeasurePoints, MeasureAverageBalance, MeasureCategories, MeasureLargestOrder, MeasurePointsBalance:
			return true
		}
		_, ok := l.Custom[m]
		return ok
	}
	if !known(l.measure()) {
		bad("measure %q is not a built-in or custom measure", l.Measure)
	}
	switch l.Spend.Basis {
	case "", SpendPaid, SpendList:
	default:
		bad("spend basis %q is not paid or list", l.Spend.Basis)
	}
	if l.Spend.MinOrder.IsNegative() {
		bad("spend min_order %s is negative", l.Spend.MinOrder)
	}
	switch l.periodKind() {
	case PeriodRolling, PeriodFixedTerm:
		if l.Period.Months < 0 || l.Period.Months > 120 {
			bad("period months %d is outside 0-120", l.Period.Months)
		}
	case PeriodCalendarYear, PeriodAnniversary, PeriodLifetime:
		if l.Period.Months != 0 {
			bad("period months %d is set for a %s period", l.Period.Months, l.Period.Kind)
		}
	default:
		bad("period kind %q is not rolling, calendar_year, anniversary, lifetime or fixed_term", l.Period.Kind)
	}
	if l.Period.TermMonths < 0 || l.Period.TermMonths > 120 {
		bad("period term_months %d is outside 0-120", l.Period.TermMonths)
	}
	switch l.Term.Start {
	case "", StartImmediately, StartNextPeriod:
	default:
		bad("term start %q is not immediate or next_period", l.Term.Start)
	}
	switch l.termKind() {
	case TermContinuous, TermFixed, TermCustomerDate:
	case TermPeriodEnd, TermNextPeriodEnd:
		if k := l.periodKind(); k != PeriodCalendarYear && k != PeriodAnniversary {
			bad("term %q needs a calendar_year or anniversary period, not %s", l.Term.Kind, k)
		}
	default:
		bad("term kind %q is not continuous, fixed, period_end, next_period_end or customer_date", l.Term.Kind)
	}
	if l.Term.Months < 0 || l.Term.Months > 120 {
		bad("term months %d is outside 0-120", l.Term.Months)
	}
	if l.Term.FirstMinMonths < 0 || l.Term.FirstMinMonths > 120 {
		bad("term first_min_months %d is outside 0-120", l.Term.FirstMinMonths)
	}
	switch l.Term.RoundTo {
	case RoundNone, RoundDay, RoundMonth, RoundQuarter, RoundYear:
	default:
		bad("term round_to %q is not day, month, quarter or year", l.Term.RoundTo)
	}
	if l.GraceMonths < 0 || l.GraceMonths > 12 {
		bad("grace_months %d is outside 0-12", l.GraceMonths)
	}
	switch l.Landing.Mode {
	case "", LandOneStep, LandQualifying, LandLowest:
	default:
		bad("landing mode %q is not one_step, qualifying or lowest", l.Landing.Mode)
	}
	if l.Landing.MaxSteps < 0 {
		bad("landing max_steps %d is negative", l.Landing.MaxSteps)
	}
	if l.Landing.IntervalMonths < 0 || l.Landing.IntervalMonths > 24 {
		bad("landing interval_months %d is outside 0-24", l.Landing.IntervalMonths)
	}
	if l.Landing.MinStayMonths < 0 || l.Landing.MinStayMonths > 60 {
		bad("landing min_stay_months %d is outside 0-60", l.Landing.MinStayMonths)
	}
	for _, d := range l.Warnings.Days {
		if d < 1 || d > 366 {
			bad("warning day %d is outside 1-366", d)
		}
	}
	if l.Near.CooldownDays < 0 {
		bad("near cooldown_days %d is negative", l.Near.CooldownDays)
	}
	for i, p := range l.Near.Rules {
		if p.Gap.IsNegative() {
			bad("near rule %d: gap %s is negative", i, p.Gap)
		}
		if p.Share.IsNegative() || p.Share.GreaterThan(decimal.NewFromInt(1)) {
			bad("near rule %d: share %s is outside 0-1", i, p.Share)
		}
		if p.Gap.IsZero() && p.Share.IsZero() {
			bad("near rule %d: neither gap nor share is set", i)
		}
	}
	switch l.Returns.Mode {
	case "", ReturnsImmediate:
	case ReturnsPending:
		if l.Returns.WindowDays < 1 {
			bad("returns window_days %d must be at least 1 in pending mode", l.Returns.WindowDays)
		}
	default:
		bad("returns mode %q is not immediate or pending", l.Returns.Mode)
	}
	if l.Returns.WindowDays < 0 || l.Returns.WindowDays > 366 {
		bad("returns window_days %d is outside 0-366", l.Returns.WindowDays)
	}
	if len(l.Tiers) == 0 {
		bad("has no tiers")
	}
	names := make(map[string]int, len(l.Tiers))
	checkRule := func(tier, what string, r *Rule) {
		if len(r.Criteria) == 0 {
			bad("tier %q: %s rule has no criteria", tier, what)
		}
		switch r.Match {
		case "", MatchAll, MatchAny:
			if r.K != 0 {
				bad("tier %q: %s rule sets k %d without match at_least", tier, what, r.K)
			}
		case MatchAtLeast:
			if r.K < 1 || r.K > len(r.Criteria) {
				bad("tier %q: %s rule k %d is outside 1-%d", tier, what, r.K, len(r.Criteria))
			}
		default:
			bad("tier %q: %s rule match %q is not all, any or at_least", tier, what, r.Match)
		}
		for j, c := range r.Criteria {
			if !known(c.Measure) {
				bad("tier %q: %s criterion %d: measure %q is not a built-in or custom measure", tier, what, j, c.Measure)
			}
			if c.Min.IsNegative() {
				bad("tier %q: %s criterion %d: min %s is negative", tier, what, j, c.Min)
			}
		}
	}
	var prev *Tier
	for i := range l.Tiers {
		t := &l.Tiers[i]
		if strings.TrimSpace(t.Name) == "" {
			bad("tier %d: name is empty", i)
		} else if j, dup := names[t.Name]; dup {
			bad("tier %q: name repeats tier %d", t.Name, j)
		}
		names[t.Name] = i
		if t.Qualify.IsNegative() {
			bad("tier %q: qualify threshold %s is negative", t.Name, t.Qualify)
		}
		if t.Entry != nil {
			if !t.Qualify.IsZero() {
				bad("tier %q: both qualify and an entry rule are set", t.Name)
			}
			checkRule(t.Name, "entry", t.Entry)
		}
		if t.Keep != nil {
			if t.Retain != nil {
				bad("tier %q: both keep and a retain rule are set", t.Name)
			}
			if t.Keep.IsNegative() {
				bad("tier %q: keep threshold %s is negative", t.Name, *t.Keep)
			}
			if t.Entry == nil && t.Keep.GreaterThan(t.Qualify) {
				bad("tier %q: keep threshold %s above qualify threshold %s", t.Name, *t.Keep, t.Qualify)
			}
		}
		if t.Retain != nil {
			checkRule(t.Name, "retain", t.Retain)
		}
		if t.Reentry != nil {
			checkRule(t.Name, "reentry", t.Reentry)
		}
		if prev != nil && t.Entry == nil && prev.Entry == nil && !t.InviteOnly && !prev.InviteOnly &&
			!t.Qualify.GreaterThan(prev.Qualify) {
			bad("tier %q: qualify threshold %s is not above tier %q's %s: tiers go in ascending order", t.Name, t.Qualify, prev.Name, prev.Qualify)
		}
		if !t.InviteOnly {
			prev = t
		}
	}
	return errors.Join(errs...)
}

// OverrideKind names a manual placement.
type OverrideKind string

// Override kinds.
const (
	// OverrideLock holds the tier exactly until the date: no upgrade, grace or landing.
	OverrideLock OverrideKind = "lock"
	// OverrideFloor keeps the customer at or above the tier until the date; they rise
	// normally.
	OverrideFloor OverrideKind = "floor"
)

// Reason codes for an [Override]. Free text is allowed too.
const (
	ReasonStatusMatch     = "status_match"
	ReasonServiceRecovery = "service_recovery"
	ReasonGift            = "gift"
	ReasonInvitationOnly  = "invitation_only"
)

// Override is a manual placement layered over the earned tier: a lock or a floor until
// a date. When it ends the customer lands on the tier earned at that instant, through
// the landing rule and without grace.
type Override struct {
	Kind   OverrideKind `json:"kind"`
	Tier   string       `json:"tier"`
	Until  time.Time    `json:"until"`
	Reason string       `json:"reason"`
	By     string       `json:"by,omitempty"`
}

// Validate checks the override against the ladder.
func (o Override) Validate(l *Ladder) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidStatus, "override: "+format, args...))
	}
	if o.Kind != OverrideLock && o.Kind != OverrideFloor {
		bad("kind %q is not lock or floor", o.Kind)
	}
	if l.TierIndex(o.Tier) < 0 {
		bad("tier %q is not on ladder %q", o.Tier, l.Name)
	}
	if o.Until.IsZero() {
		bad("until is zero")
	}
	if strings.TrimSpace(o.Reason) == "" {
		bad("reason is empty")
	}
	return errors.Join(errs...)
}

// Status is a customer's standing on one ladder: the state the tier state machine
// moves. It changes only through [Ladder.Evaluate] (and [Ladder.Place]).
//
// The zero value is a customer never evaluated: no tier. A Status is a plain value.
type Status struct {
	CustomerID string `json:"customer_id"`
	Ladder     string `json:"ladder"`
	// Tier is the tier held; "" means none.
	Tier string `json:"tier,omitempty"`
	// Since is when the current tier was entered.
	Since time.Time `json:"since,omitzero"`
	// ExpiresAt is when the tier ends unless it is prolonged; zero for a continuous term.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// GraceUntil is set while in grace: the tier is lost at that instant unless the
	// keep rule holds again before it.
	GraceUntil time.Time `json:"grace_until,omitzero"`
	// Peak is the highest tier ever held.
	Peak string `json:"peak,omitempty"`
	// LastLanding is the instant of the last demotion.
	LastLanding time.Time `json:"last_landing,omitzero"`
	// LastUpgrade is the instant of the last upgrade.
	LastUpgrade time.Time `json:"last_upgrade,omitzero"`
	// Override is a manual placement in force, if any.
	Override *Override `json:"override,omitempty"`
	// Pending is a tier earned but not yet started (a ladder whose term starts at the
	// next period), starting at PendingFrom.
	Pending     string    `json:"pending,omitempty"`
	PendingFrom time.Time `json:"pending_from,omitzero"`
	// Checked is the instant of the last evaluation.
	Checked time.Time `json:"checked,omitzero"`
	// Seen counts the activity entries (orders, refunds, points, balance snapshots) at
	// or before Checked that the last evaluation saw. When more have arrived since, the
	// next evaluation evaluates Checked again first, so late activity counts from there.
	Seen int `json:"seen,omitempty"`
	// WarnedFor is the demotion deadline the last warnings were about; Warned is the
	// smallest number of days before it already warned.
	WarnedFor time.Time `json:"warned_for,omitzero"`
	Warned    int       `json:"warned,omitempty"`
	// LastNear is when the last NearNextTier event fired.
	LastNear time.Time `json:"last_near,omitzero"`
	// Version is the store's compare-and-swap counter; Evaluate does not change it.
	Version int64 `json:"version,omitempty"`
}

// Equal reports whether s and o hold the same state, comparing instants with
// [time.Time.Equal].
func (s Status) Equal(o Status) bool {
	eqOv := (s.Override == nil) == (o.Override == nil)
	if eqOv && s.Override != nil {
		a, b := *s.Override, *o.Override
		eqOv = a.Kind == b.Kind && a.Tier == b.Tier && a.Until.Equal(b.Until) && a.Reason == b.Reason && a.By == b.By
	}
	return eqOv && s.CustomerID == o.CustomerID && s.Ladder == o.Ladder && s.Tier == o.Tier &&
		s.Since.Equal(o.Since) && s.ExpiresAt.Equal(o.ExpiresAt) && s.GraceUntil.Equal(o.GraceUntil) &&
		s.Peak == o.Peak && s.LastLanding.Equal(o.LastLanding) && s.LastUpgrade.Equal(o.LastUpgrade) &&
		s.Pending == o.Pending && s.PendingFrom.Equal(o.PendingFrom) && s.Checked.Equal(o.Checked) && s.Seen == o.Seen && s.WarnedFor.Equal(o.WarnedFor) && s.Warned == o.Warned &&
		s.LastNear.Equal(o.LastNear) && s.Version == o.Version
}

// EventKind names an [Event].
type EventKind string

// Event kinds.
const (
	EventQualified       EventKind = "qualified"        // earned To, which starts at Deadline (next-period start)
	EventEnrolled        EventKind = "enrolled"         // first tier: welcome
	EventUpgraded        EventKind = "upgraded"         // moved up: celebrate
	EventDowngraded      EventKind = "downgraded"       // moved down (To "" when leaving the ladder): how to win it back
	EventGraceStarted    EventKind = "grace_started"    // below the keep rule; Deadline is the end of grace
	EventRecovered       EventKind = "recovered"        // the keep rule holds again during grace
	EventDemotionWarning EventKind = "demotion_warning" // DaysLeft before a possible demotion, Gap to keep the tier
	EventNearNextTier    EventKind = "near_next_tier"   // Gap to the next tier, Share of its threshold done
	EventOverrideSet     EventKind = "override_set"     // a manual placement began
	EventOverrideExpired EventKind = "override_expired" // a manual placement ended
	EventProlonged       EventKind = "prolonged"        // the tier is kept for another term; Deadline is the new expiry
	EventExpiryChanged   EventKind = "expiry_changed"   // the expiry moved for another reason
)

// Event is something to act on: everything a mail or a webhook needs.
type Event struct {
	Kind       EventKind `json:"kind"`
	Ladder     string    `json:"ladder"`
	CustomerID string    `json:"customer_id"`
	At         time.Time `json:"at"`
	// From and To are the tiers before and after ("" for none). For events that do not
	// move the customer both are the current tier; NearNextTier's To is the next tier.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Crossed lists each tier entered (upward) or left (downward) on the way, in order.
	Crossed []string `json:"crossed,omitempty"`
	// Reentry reports that the customer held the tier To before.
	Reentry bool `json:"reentry,omitempty"`
	// Rewards are the entry rewards to pay, one per tier crossed upward that names one.
	Rewards []string `json:"rewards,omitempty"`
	// Measure and Value: the measure an event is about and its value: at At, except for
	// GraceStarted and DemotionWarning, where Value is what will still count at Deadline
	// if the customer does nothing more (orders may leave the window before it), and
	// Gap is measured from it.
	Measure Measure         `json:"measure,omitempty"`
	Value   decimal.Decimal `json:"value,omitzero"`
	// Gap: to the next tier (NearNextTier), to keep the tier (DemotionWarning,
	// GraceStarted), to win the lost tier back (Downgraded).
	Gap decimal.Decimal `json:"gap,omitzero"`
	// Share of the next tier's threshold reached (NearNextTier), rounded half away from
	// zero to four places.
	Share decimal.Decimal `json:"share,omitzero"`
	// Deadline: the possible demotion (DemotionWarning, GraceStarted), the new expiry
	// (Prolonged, ExpiryChanged, Upgraded with a term), the override's end (OverrideSet).
	Deadline time.Time `json:"deadline,omitzero"`
	// DaysLeft: whole days from At to Deadline, rounded up.
	DaysLeft int `json:"days_left,omitempty"`
	// Reason says what caused the event: "activity", "grace", "landing", "expiry",
	// "override", or an override's reason code.
	Reason string `json:"reason,omitempty"`
}

// Equal reports whether e and o are the same event, comparing instants with
// [time.Time.Equal] and decimals with [decimal.Decimal.Equal].
func (e Event) Equal(o Event) bool {
	return e.Kind == o.Kind && e.Ladder == o.Ladder && e.CustomerID == o.CustomerID && e.At.Equal(o.At) &&
		e.From == o.From && e.To == o.To && slices.Equal(e.Crossed, o.Crossed) && e.Reentry == o.Reentry &&
		slices.Equal(e.Rewards, o.Rewards) && e.Measure == o.Measure && e.Value.Equal(o.Value) &&
		e.Gap.Equal(o.Gap) && e.Share.Equal(o.Share) && e.Deadline.Equal(o.Deadline) &&
		e.DaysLeft == o.DaysLeft && e.Reason == o.Reason
}
