package vip

import (
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"
)

// ErrInvalidEconomics is wrapped by every problem with the inputs of the economics
// functions: a profile, assumptions, a population, levers.
var ErrInvalidEconomics = errors.New("invalid economics input")

// Rounding in the economics functions. Amounts of money are rounded to cents, half away
// from zero ([decimal.Decimal.Round] with 2 places), where they are reported: each cost
// item, each profit, each P&L cell. Totals are sums of the rounded items, so a breakdown
// always adds up. Shares and ratios (net margin, lift, ROI, change) are decimals (0.21 is
// 21%) rounded to 4 places, half away from zero ([decimal.Decimal.DivRound]). Spend
// thresholds are the exception: they are rounded up (a threshold of 1,589.331 is 1,589.34),
// so that a customer at the threshold always pays for the tier.
const (
	econMoneyPlaces = 2
	econRatioPlaces = 4
)

// econInRange reports whether v is a size the economics can work with: below 10^15 in
// magnitude and with at most 18 decimal places. Larger exponents would make rounding
// build numbers of millions of digits, so every validator rejects them first.
func econInRange(v decimal.Decimal) bool {
	if v.IsZero() {
		return true
	}
	return v.Exponent() >= -18 && int64(v.NumDigits())+int64(v.Exponent()) <= 15
}

// econShow formats v for an error message without expanding a huge exponent.
func econShow(v decimal.Decimal) string {
	if econInRange(v) {
		return v.String()
	}
	return v.Coefficient().String() + "e" + fmt.Sprint(v.Exponent())
}

// econCheck returns an error naming field when v is out of range or negative.
func econCheck(where, field string, v decimal.Decimal) error {
	if !econInRange(v) {
		return errorf(ErrInvalidEconomics, "%s: %s %s is out of range (at most 15 digits before the point and 18 after)", where, field, econShow(v))
	}
	if v.IsNegative() {
		return errorf(ErrInvalidEconomics, "%s: %s %s is negative", where, field, v)
	}
	return nil
}

var (
	econOne     = decimal.NewFromInt(1)
	econFour    = decimal.NewFromInt(4)
	econDefault = decimal.NewFromFloat(0.25)
)

// Profile is what a customer does in a year, the input to the cost of a tier.
//
// Redemption is the expected use of each benefit, a decimal from 0 to 1: the share of the
// discount's spend it applies to, the chance a credit is claimed, the share of orders
// that are shipped or packed, the share of events attended, the chance the gift or the
// service is used, and for [BenefitCreditUpgrade] the chance of an upgrade in the year.
// A kind missing from the map is redeemed in full (1). For [BenefitGiftWithPurchase] it
// is the share of orders at or above the gift's minimum.
//
// The zero value is a customer who spends nothing; it is valid and costs the fixed
// benefits only. A Profile is plain data; the map must not be changed while in use.
type Profile struct {
	AnnualSpend   decimal.Decimal                 `json:"annual_spend"`
	OrdersPerYear decimal.Decimal                 `json:"orders_per_year"`
	Redemption    map[BenefitKind]decimal.Decimal `json:"redemption,omitempty"`
}

var econKinds = []BenefitKind{
	BenefitDiscount, BenefitCreditBirthday, BenefitCreditAnniversary, BenefitCreditQuarterly,
	BenefitCreditUpgrade, BenefitShipping, BenefitReturns, BenefitPriceProtection,
	BenefitPoints, BenefitEarlyAccess, BenefitExclusive, BenefitPersonalShopping,
	BenefitEvents, BenefitGiftWithPurchase, BenefitAnnualGift, BenefitPackaging, BenefitSupport,
}

// Validate reports every problem with p: negative spend or orders, a redemption outside
// [0, 1] or of an unknown kind.
func (p Profile) Validate() error {
	errs := []error{
		econCheck("profile", "annual_spend", p.AnnualSpend),
		econCheck("profile", "orders_per_year", p.OrdersPerYear),
		econCheckRedemption(p.Redemption),
	}
	return errors.Join(errs...)
}

func econCheckRedemption(r map[BenefitKind]decimal.Decimal) error {
	var errs []error
	keys := make([]BenefitKind, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := r[k]
		if !slices.Contains(econKinds, k) {
			errs = append(errs, errorf(ErrInvalidEconomics, "redemption: benefit %q is not a benefit kind", k))
		}
		if v.IsNegative() || !econInRange(v) || v.GreaterThan(econOne) {
			errs = append(errs, errorf(ErrInvalidEconomics, "redemption: %s %s is outside [0, 1]", k, econShow(v)))
		}
	}
	return errors.Join(errs...)
}

// econTerm is one benefit's cost as a linear function of a year's spend and orders:
// perSpend x spend + perOrder x orders + fixed, all exact.
type econTerm struct {
	kind                      BenefitKind
	perSpend, perOrder, fixed decimal.Decimal
}

func (t econTerm) at(spend, orders decimal.Decimal) decimal.Decimal {
	return t.perSpend.Mul(spend).Add(t.perOrder.Mul(orders)).Add(t.fixed)
}

// econTerms returns b's benefits as cost terms, in the order of the BenefitKind
// constants, redemption applied.
func econTerms(b Benefits, redemption map[BenefitKind]decimal.Decimal) []econTerm {
	red := func(k BenefitKind) decimal.Decimal {
		if v, ok := redemption[k]; ok {
			return v
		}
		return econOne
	}
	z := decimal.Zero
	var ts []econTerm
	add := func(k BenefitKind, perSpend, perOrder, fixed decimal.Decimal) {
		r := red(k)
		ts = append(ts, econTerm{k, perSpend.Mul(r), perOrder.Mul(r), fixed.Mul(r)})
	}
	if d := b.Discount; d != nil {
		add(BenefitDiscount, d.Rate, z, z)
	}
	for _, k := range []struct {
		trigger CreditTrigger
		kind    BenefitKind
		times   decimal.Decimal
	}{
		{TriggerBirthday, BenefitCreditBirthday, econOne},
		{TriggerAnniversary, BenefitCreditAnniversary, econOne},
		{TriggerQuarterly, BenefitCreditQuarterly, econFour},
		{TriggerUpgrade, BenefitCreditUpgrade, econOne},
	} {
		for _, cr := range b.Credits {
			if cr.Trigger == k.trigger {
				add(k.kind, z, z, cr.Amount.Mul(k.times))
			}
		}
	}
	if s := b.Shipping; s != nil {
		add(BenefitShipping, z, s.CostPerOrder, z)
	}
	if r := b.Returns; r != nil {
		add(BenefitReturns, r.CostRate, z, z)
	}
	if p := b.PriceProtection; p != nil {
		add(BenefitPriceProtection, p.CostRate, z, z)
	}
	if p := b.Points; p != nil {
		add(BenefitPoints, p.BasePoints.Mul(p.Multiplier.Sub(econOne)).Mul(p.PointValue), z, z)
	}
	if b.EarlyAccess != nil {
		add(BenefitEarlyAccess, z, z, z)
	}
	if e := b.Exclusive; e != nil {
		add(BenefitExclusive, z, z, e.CostPerYear)
	}
	if p := b.PersonalShopping; p != nil {
		add(BenefitPersonalShopping, z, z, p.CostPerSession.Mul(decimal.NewFromInt(int64(p.SessionsPerYear))))
	}
	if len(b.Events) > 0 {
		f := decimal.Zero
		for _, e := range b.Events {
			f = f.Add(e.CostPerAttendee.Mul(decimal.NewFromInt(int64(e.PerYear))))
		}
		add(BenefitEvents, z, z, f)
	}
	if g := b.GiftWithPurchase; g != nil {
		add(BenefitGiftWithPurchase, z, g.Cost, z)
	}
	if g := b.AnnualGift; g != nil {
		add(BenefitAnnualGift, z, z, g.Cost)
	}
	if p := b.Packaging; p != nil {
		add(BenefitPackaging, z, p.CostPerOrder, z)
	}
	if s := b.Support; s != nil {
		add(BenefitSupport, z, z, s.CostPerYear)
	}
	return ts
}

// CostItem is the cost of one benefit for a customer-year, rounded to cents. Like every
// result type in this file, it is plain data, safe to share between goroutines.
type CostItem struct {
	Benefit BenefitKind     `json:"benefit"`
	Cost    decimal.Decimal `json:"cost"`
}

// TierCost is the cost of a tier's benefits for one customer profile, itemised.
// Total is the sum of the rounded items. The zero value is no cost.
type TierCost struct {
	Tier  string          `json:"tier"`
	Items []CostItem      `json:"items"`
	Total decimal.Decimal `json:"total"`
}

// Cost returns what b costs the shop for a customer-year of p, one item per benefit the
// package has (zero-cost benefits such as early access included, as $0.00), in the order
// of the BenefitKind constants. The formulas, each times the benefit's redemption:
//
//	discount           rate x annual spend (the spend the discount applies to)
//	credits            amount x times a year (birthday, anniversary, upgrade 1; quarterly 4)
//	shipping           cost per order x orders
//	returns            cost rate x annual spend
//	price protection   cost rate x annual spend
//	points             annual spend x base points x (multiplier - 1) x point value
//	early access       0
//	exclusive          cost per year
//	personal shopping  sessions x cost per session
//	events             sum over kinds of events a year x cost per attendee
//	gift with purchase cost x orders
//	annual gift        cost
//	packaging          cost per order x orders
//	support            cost per year
//
// Each item is rounded to cents, half away from zero. The cost never falls when spend or
// orders rise.
func (b Benefits) Cost(p Profile) (TierCost, error) {
	if err := p.Validate(); err != nil {
		return TierCost{}, err
	}
	return econCost(b, p), nil
}

func econCost(b Benefits, p Profile) TierCost {
	tc := TierCost{Tier: b.Tier, Total: decimal.Zero}
	for _, t := range econTerms(b, p.Redemption) {
		c := t.at(p.AnnualSpend, p.OrdersPerYear).Round(econMoneyPlaces)
		tc.Items = append(tc.Items, CostItem{Benefit: t.kind, Cost: c})
		tc.Total = tc.Total.Add(c)
	}
	return tc
}

// Cost returns the cost of the named tier for p; see [Benefits.Cost]. An unknown tier
// wraps [ErrNotFound]; the empty name (a non-member) costs nothing.
func (c Catalogue) Cost(tier string, p Profile) (TierCost, error) {
	b, err := c.benefits(tier)
	if err != nil {
		return TierCost{}, err
	}
	return b.Cost(p)
}

// econMargin checks a gross margin rate: above 0, at most 1.
func econMargin(m decimal.Decimal) error {
	if !m.IsPositive() || !econInRange(m) || m.GreaterThan(econOne) {
		return errorf(ErrInvalidEconomics, "margin %s is outside (0, 1]", econShow(m))
	}
	return nil
}

// Worksheet is the economics of one tier for one customer, as in the brief's worked
// example (a Gold VIP spending $5,000 a year). Its zero value is meaningless; get one
// from [Catalogue.Worksheet].
type Worksheet struct {
	Tier        string          `json:"tier"`
	AnnualSpend decimal.Decimal `json:"annual_spend"`
	// Margin is the baseline gross margin rate, such as 0.40.
	Margin decimal.Decimal `json:"margin"`
	Cost   TierCost        `json:"cost"`
	// GrossProfit is AnnualSpend x Margin, in cents.
	GrossProfit decimal.Decimal `json:"gross_profit"`
	// Net is GrossProfit minus Cost.Total.
	Net decimal.Decimal `json:"net"`
	// NetMargin is Net / AnnualSpend, to 4 places.
	NetMargin decimal.Decimal `json:"net_margin"`
	// BreakEvenRevenue is the incremental revenue whose gross profit pays for the benefits:
	// Cost.Total / Margin, in cents.
	BreakEvenRevenue decimal.Decimal `json:"break_even_revenue"`
	// BreakEvenLift is Cost.Total / Margin / AnnualSpend, to 4 places: the rise in spend
	// the tier needs to pay for itself.
	BreakEvenLift decimal.Decimal `json:"break_even_lift"`
}

// Worksheet returns the worked-example economics of the named tier for p at the gross
// margin rate margin. AnnualSpend must be positive and margin in (0, 1]; the error wraps
// [ErrInvalidEconomics], or [ErrNotFound] for an unknown tier.
func (c Catalogue) Worksheet(tier string, p Profile, margin decimal.Decimal) (Worksheet, error) {
	b, err := c.benefits(tier)
	if err != nil {
		return Worksheet{}, err
	}
	var errs []error
	if err := p.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !p.AnnualSpend.IsPositive() {
		errs = append(errs, errorf(ErrInvalidEconomics, "worksheet: annual_spend %s is not positive", p.AnnualSpend))
	}
	if err := econMargin(margin); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Worksheet{}, err
	}
	cost := econCost(b, p)
	w := Worksheet{
		Tier:        tier,
		AnnualSpend: p.AnnualSpend,
		Margin:      margin,
		Cost:        cost,
		GrossProfit: p.AnnualSpend.Mul(margin).Round(econMoneyPlaces),
	}
	w.Net = w.GrossProfit.Sub(cost.Total)
	w.NetMargin = w.Net.DivRound(p.AnnualSpend, econRatioPlaces)
	w.BreakEvenRevenue = cost.Total.DivRound(margin, econMoneyPlaces)
	w.BreakEvenLift = cost.Total.DivRound(margin.Mul(p.AnnualSpend), econRatioPlaces)
	return w, nil
}

// Assumptions are what a tier is expected to change in a customer's behaviour, for
// [Catalogue.ROI] and [Catalogue.RecommendThresholds]. Rates are decimals. Plain data,
// safe to share.
//
// The zero value assumes no lift and models no retention (both repurchase probabilities
// are taken as 1); Margin must be set.
type Assumptions struct {
	// Margin is the gross margin rate of the customer's spend, such as 0.40.
	Margin decimal.Decimal `json:"margin"`
	// SpendLift is the rise in a member's annual spend, such as 0.25. Orders rise in
	// proportion (the average order stays the same).
	SpendLift decimal.Decimal `json:"spend_lift"`
	// RepurchaseVIP and RepurchaseBase are the probabilities that a member and a
	// non-member buy again in each following year, such as 0.85 and 0.50. Both zero
	// means retention is not modelled (both 1). When RepurchaseVIP is zero and
	// RetentionLift is set, RepurchaseVIP is RepurchaseBase x (1 + RetentionLift),
	// capped at 1.
	RepurchaseVIP  decimal.Decimal `json:"repurchase_vip"`
	RepurchaseBase decimal.Decimal `json:"repurchase_base"`
	RetentionLift  decimal.Decimal `json:"retention_lift"`
	// ReferralsPerYear is how many more new customers a member refers each year than a
	// non-member; ReferralProfit the gross profit a referred customer brings in the
	// horizon.
	ReferralsPerYear decimal.Decimal `json:"referrals_per_year"`
	ReferralProfit   decimal.Decimal `json:"referral_profit"`
	// Years is the horizon (0 means 1). Year k counts with probability p^k of the
	// customer still buying, so a horizon of 1 weighs next year by the repurchase
	// probability.
	Years int `json:"years"`
}

// Validate reports every problem with a.
func (a Assumptions) Validate() error {
	var errs []error
	if err := econMargin(a.Margin); err != nil {
		errs = append(errs, err)
	}
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidEconomics, "assumptions: "+format, args...))
	}
	if !econInRange(a.SpendLift) {
		bad("spend_lift %s is out of range", econShow(a.SpendLift))
	} else if a.SpendLift.LessThanOrEqual(econOne.Neg()) {
		bad("spend_lift %s is -1 or below", a.SpendLift)
	}
	for _, p := range []struct {
		name string
		v    decimal.Decimal
	}{{"repurchase_vip", a.RepurchaseVIP}, {"repurchase_base", a.RepurchaseBase}} {
		if p.v.IsNegative() || !econInRange(p.v) || p.v.GreaterThan(econOne) {
			bad("%s %s is outside [0, 1]", p.name, econShow(p.v))
		}
	}
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"retention_lift", a.RetentionLift}, {"referrals_per_year", a.ReferralsPerYear}, {"referral_profit", a.ReferralProfit}} {
		if err := econCheck("assumptions", f.name, f.v); err != nil {
			errs = append(errs, err)
		}
	}
	if a.Years < 0 || a.Years > 100 {
		bad("years %d is outside 0-100", a.Years)
	}
	return errors.Join(errs...)
}

// probabilities returns the repurchase probabilities in force.
func (a Assumptions) probabilities() (vip, base decimal.Decimal) {
	vip, base = a.RepurchaseVIP, a.RepurchaseBase
	if vip.IsZero() && base.IsZero() && a.RetentionLift.IsZero() {
		return econOne, econOne
	}
	if vip.IsZero() {
		vip = decimal.Min(econOne, base.Mul(econOne.Add(a.RetentionLift)))
	}
	return vip, base
}

// weight returns the sum of p^k for k = 1..years: the expected number of buying years.
func econWeight(p decimal.Decimal, years int) decimal.Decimal {
	if years == 0 {
		years = 1
	}
	w, pk := decimal.Zero, econOne
	for range years {
		pk = pk.Mul(p)
		w = w.Add(pk)
	}
	return w
}

// ROI is the return on a tier for one customer over the assumptions' horizon. Get one
// from [Catalogue.ROI].
type ROI struct {
	Tier           string          `json:"tier"`
	BaseSpend      decimal.Decimal `json:"base_spend"`
	LiftedSpend    decimal.Decimal `json:"lifted_spend"`
	RepurchaseVIP  decimal.Decimal `json:"repurchase_vip"`
	RepurchaseBase decimal.Decimal `json:"repurchase_base"`
	// RevenueVIP is LiftedSpend weighted by the member's buying years; RevenueBase is
	// BaseSpend weighted by the non-member's.
	RevenueVIP  decimal.Decimal `json:"revenue_vip"`
	RevenueBase decimal.Decimal `json:"revenue_base"`
	// ProfitVIP and ProfitBase are those revenues times the margin.
	ProfitVIP  decimal.Decimal `json:"profit_vip"`
	ProfitBase decimal.Decimal `json:"profit_base"`
	// Referrals is the gross profit of the extra referrals over the member's buying years.
	Referrals decimal.Decimal `json:"referrals"`
	// YearCost is the tier's cost for a year at the lifted spend and orders; Cost is it
	// weighted by the member's buying years.
	YearCost TierCost        `json:"year_cost"`
	Cost     decimal.Decimal `json:"cost"`
	// Incremental is ProfitVIP + Referrals - Cost - ProfitBase: what the tier adds.
	Incremental decimal.Decimal `json:"incremental"`
	// Return is Incremental / Cost, to 4 places (0 when Cost is 0).
	Return decimal.Decimal `json:"return"`
}

// ROI returns what the named tier returns on a customer of profile p (the customer's
// spend and orders without the program) under the assumptions a. Money is rounded to
// cents where reported and Return to 4 places, half away from zero.
func (c Catalogue) ROI(tier string, p Profile, a Assumptions) (ROI, error) {
	b, err := c.benefits(tier)
	if err != nil {
		return ROI{}, err
	}
	if err := errors.Join(p.Validate(), a.Validate()); err != nil {
		return ROI{}, err
	}
	lift := econOne.Add(a.SpendLift)
	pv, pb := a.probabilities()
	wv, wb := econWeight(pv, a.Years), econWeight(pb, a.Years)
	lifted := Profile{AnnualSpend: p.AnnualSpend.Mul(lift), OrdersPerYear: p.OrdersPerYear.Mul(lift), Redemption: p.Redemption}
	r := ROI{
		Tier:           tier,
		BaseSpend:      p.AnnualSpend,
		LiftedSpend:    lifted.AnnualSpend.Round(econMoneyPlaces),
		RepurchaseVIP:  pv,
		RepurchaseBase: pb,
		RevenueVIP:     lifted.AnnualSpend.Mul(wv).Round(econMoneyPlaces),
		RevenueBase:    p.AnnualSpend.Mul(wb).Round(econMoneyPlaces),
		ProfitVIP:      lifted.AnnualSpend.Mul(wv).Mul(a.Margin).Round(econMoneyPlaces),
		ProfitBase:     p.AnnualSpend.Mul(wb).Mul(a.Margin).Round(econMoneyPlaces),
		Referrals:      a.ReferralsPerYear.Mul(a.ReferralProfit).Mul(wv).Round(econMoneyPlaces),
		YearCost:       econCost(b, lifted),
	}
	r.Cost = r.YearCost.Total.Mul(wv).Round(econMoneyPlaces)
	r.Incremental = r.ProfitVIP.Add(r.Referrals).Sub(r.Cost).Sub(r.ProfitBase)
	if r.Cost.IsPositive() {
		r.Return = r.Incremental.DivRound(r.Cost, econRatioPlaces)
	} else {
		r.Return = decimal.Zero
	}
	return r, nil
}

// PnLMember is one customer of a population for [Catalogue.PnL]: the tier held ("" for a
// non-member), the year's spend and orders, and optionally the gross profit actually
// made on the customer (nil means spend times the program's margin). The zero value is
// a non-member without spend or ID. A PnLMember is plain data.
type PnLMember struct {
	CustomerID    string           `json:"customer_id"`
	Tier          string           `json:"tier"`
	AnnualSpend   decimal.Decimal  `json:"annual_spend"`
	OrdersPerYear decimal.Decimal  `json:"orders_per_year"`
	GrossProfit   *decimal.Decimal `json:"gross_profit,omitempty"`
}

// PnLRow is one line of a program P&L: a tier, the non-members, or a total. Plain data.
type PnLRow struct {
	Tier        string          `json:"tier"`
	Customers   int             `json:"customers"`
	Spend       decimal.Decimal `json:"spend"`
	GrossProfit decimal.Decimal `json:"gross_profit"`
	// Items are the benefit costs summed over the row's customers, by kind.
	Items []CostItem      `json:"items,omitempty"`
	Cost  decimal.Decimal `json:"cost"`
	Net   decimal.Decimal `json:"net"`
	// NetMargin is Net / Spend, to 4 places (0 when Spend is 0).
	NetMargin decimal.Decimal `json:"net_margin"`
	// CostPerCustomer is Cost / Customers, in cents (0 when there are none).
	CostPerCustomer decimal.Decimal `json:"cost_per_customer"`
}

// PnL is a program's profit and loss for a year: one row per tier in catalogue order
// (tiers without members included), a row for non-members (Tier "") when there are any,
// the program (all tiers) and the total (everyone). Get one from [Catalogue.PnL].
type PnL struct {
	Rows    []PnLRow `json:"rows"`
	Program PnLRow   `json:"program"`
	Total   PnLRow   `json:"total"`
}

// PnL returns the program's P&L over members at gross margin rate margin (for members
// without their own GrossProfit), each member's benefits costed by [Benefits.Cost] with
// redemption. Each member's gross profit and cost items are rounded to cents before
// summing. A member of an unknown tier wraps [ErrNotFound]; a repeated customer ID, a
// negative spend or orders, or a bad margin wraps [ErrInvalidEconomics]. Every problem is
// reported at once.
func (c Catalogue) PnL(members []PnLMember, margin decimal.Decimal, redemption map[BenefitKind]decimal.Decimal) (PnL, error) {
	var errs []error
	if err := econMargin(margin); err != nil {
		errs = append(errs, err)
	}
	if err := econCheckRedemption(redemption); err != nil {
		errs = append(errs, err)
	}
	rows := make([]PnLRow, len(c.Tiers)+1)
	index := make(map[string]int, len(c.Tiers)+1)
	for i, b := range c.Tiers {
		rows[i] = econRow(b.Tier)
		index[b.Tier] = i
	}
	none := len(c.Tiers)
	rows[none] = econRow("")
	index[""] = none
	terms := make([][]econTerm, len(c.Tiers))
	for i, b := range c.Tiers {
		terms[i] = econTerms(b, redemption)
		for _, t := range terms[i] {
			rows[i].Items = append(rows[i].Items, CostItem{Benefit: t.kind, Cost: decimal.Zero})
		}
	}
	seen := make(map[string]bool, len(members))
	for _, m := range members {
		if seen[m.CustomerID] {
			errs = append(errs, errorf(ErrInvalidEconomics, "population: customer %q appears twice", m.CustomerID))
			continue
		}
		seen[m.CustomerID] = true
		i, ok := index[m.Tier]
		if !ok {
			errs = append(errs, errorf(ErrNotFound, "population: customer %q: tier %q", m.CustomerID, m.Tier))
			continue
		}
		okSpend := econInRange(m.AnnualSpend) && !m.AnnualSpend.IsNegative()
		okOrders := econInRange(m.OrdersPerYear) && !m.OrdersPerYear.IsNegative()
		okGross := m.GrossProfit == nil || econInRange(*m.GrossProfit)
		if !okSpend || !okOrders || !okGross {
			// The message is built only for the bad member: formatting one per member
			// would double the cost of a clean population.
			where := fmt.Sprintf("population: customer %q", m.CustomerID)
			errs = append(errs, econCheck(where, "annual_spend", m.AnnualSpend), econCheck(where, "orders_per_year", m.OrdersPerYear))
			if !okGross {
				errs = append(errs, errorf(ErrInvalidEconomics, "%s: gross_profit %s is out of range", where, econShow(*m.GrossProfit)))
			}
			continue
		}
		if len(errs) > 0 {
			continue
		}
		r := &rows[i]
		r.Customers++
		r.Spend = r.Spend.Add(m.AnnualSpend)
		if m.GrossProfit != nil {
			r.GrossProfit = r.GrossProfit.Add(*m.GrossProfit)
		} else {
			r.GrossProfit = r.GrossProfit.Add(m.AnnualSpend.Mul(margin).Round(econMoneyPlaces))
		}
		if i == none {
			continue
		}
		for k, t := range terms[i] {
			cost := t.at(m.AnnualSpend, m.OrdersPerYear).Round(econMoneyPlaces)
			r.Items[k].Cost = r.Items[k].Cost.Add(cost)
			r.Cost = r.Cost.Add(cost)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return PnL{}, err
	}
	var out PnL
	out.Program = econRow("program")
	out.Total = econRow("total")
	for i := range rows {
		r := &rows[i]
		if i == none && r.Customers == 0 {
			continue
		}
		econFinish(r)
		if i != none {
			econAdd(&out.Program, *r)
		}
		econAdd(&out.Total, *r)
		out.Rows = append(out.Rows, *r)
	}
	econFinish(&out.Program)
	econFinish(&out.Total)
	return out, nil
}

func econRow(tier string) PnLRow {
	return PnLRow{Tier: tier, Spend: decimal.Zero, GrossProfit: decimal.Zero, Cost: decimal.Zero}
}

// econAdd adds row r into the total t, merging cost items by kind.
func econAdd(t *PnLRow, r PnLRow) {
	t.Customers += r.Customers
	t.Spend = t.Spend.Add(r.Spend)
	t.GrossProfit = t.GrossProfit.Add(r.GrossProfit)
	t.Cost = t.Cost.Add(r.Cost)
	for _, it := range r.Items {
		j := slices.IndexFunc(t.Items, func(x CostItem) bool { return x.Benefit == it.Benefit })
		if j < 0 {
			t.Items = append(t.Items, it)
		} else {
			t.Items[j].Cost = t.Items[j].Cost.Add(it.Cost)
		}
	}
	slices.SortStableFunc(t.Items, func(a, b CostItem) int {
		return slices.Index(econKinds, a.Benefit) - slices.Index(econKinds, b.Benefit)
	})
}

func econFinish(r *PnLRow) {
	r.Net = r.GrossProfit.Sub(r.Cost)
	r.NetMargin, r.CostPerCustomer = decimal.Zero, decimal.Zero
	if r.Spend.IsPositive() {
		r.NetMargin = r.Net.DivRound(r.Spend, econRatioPlaces)
	}
	if r.Customers > 0 {
		r.CostPerCustomer = r.Cost.DivRound(decimal.NewFromInt(int64(r.Customers)), econMoneyPlaces)
	}
}

// ThresholdOptions configure [Catalogue.RecommendThresholds].
//
// The zero value is not usable: Margin (in Assumptions) and AverageOrder must be set.
// Plain data; the map must not be changed while in use.
type ThresholdOptions struct {
	Assumptions
	// AverageOrder turns spend into orders (orders = spend / AverageOrder) for the
	// per-order benefits.
	AverageOrder decimal.Decimal `json:"average_order"`
	// Buffer is added on top of the break-even spend to keep the tier exclusive
	// (0 means 0.25; the brief says 20-30%).
	Buffer decimal.Decimal `json:"buffer"`
	// BandLow and BandHigh bound the share of customers the program should hold
	// (0 means 0.10 and 0.20).
	BandLow  decimal.Decimal `json:"band_low"`
	BandHigh decimal.Decimal `json:"band_high"`
	// Redemption is as in [Profile].
	Redemption map[BenefitKind]decimal.Decimal `json:"redemption,omitempty"`
}

// Threshold is the recommended qualifying spend of one tier. Get one from
// [Catalogue.RecommendThresholds].
type Threshold struct {
	Tier string `json:"tier"`
	// Pays reports whether the tier pays for itself at some spend. When false, its cost
	// rises faster with spend than the profit it brings, and BreakEven and Recommended
	// are zero.
	Pays bool `json:"pays"`
	// BreakEven is the annual spend at which the tier's incremental profit (see [ROI])
	// is zero, rounded up to the cent; at any higher spend the tier pays for itself.
	BreakEven decimal.Decimal `json:"break_even"`
	// Recommended is BreakEven x (1 + Buffer), rounded up to a whole currency unit.
	Recommended decimal.Decimal `json:"recommended"`
	// Share is the share of the population spending at least Recommended, to 4 places.
	Share decimal.Decimal `json:"share"`
	// InBand reports whether Share is within [BandLow, BandHigh]. Only the first tier is
	// checked against the band (all tiers together should hold 10-20% of customers);
	// higher tiers are true when their share is below the tier beneath's.
	InBand bool `json:"in_band"`
	// BandSpend is the lowest spend that keeps the share at or below BandHigh (the spend of
	// the customer at that quantile): a threshold that meets the band from above.
	BandSpend decimal.Decimal `json:"band_spend"`
	// Findings explain a threshold out of band or out of order.
	Findings []string `json:"findings,omitempty"`
}

// RecommendThresholds returns, for each tier in catalogue order, the spend at which it
// pays for itself and the threshold to set, checked against the population's annual
// spends (which may be empty: Share and BandSpend are then 0 and no band is checked).
//
// The tier pays for itself at spend S when, over the horizon, the margin on the lifted
// spend a member brings plus referrals, minus the tier's cost at the lifted spend, exceeds
// the margin a non-member would bring:
//
//	m x S x (1+L) x Wv + Wv x R - Wv x cost(S x (1+L)) >= m x S x Wb
//
// where Wv and Wb are the expected buying years of a member and a non-member. The cost is
// linear in spend (orders = spend / AverageOrder), so S has a closed form; it is computed
// exactly and rounded up to the cent (the division inside is rounded to 10 places).
func (c Catalogue) RecommendThresholds(spends []decimal.Decimal, o ThresholdOptions) ([]Threshold, error) {
	var errs []error
	if err := o.Assumptions.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !o.AverageOrder.IsPositive() || !econInRange(o.AverageOrder) {
		errs = append(errs, errorf(ErrInvalidEconomics, "thresholds: average_order %s is not a positive amount in range", econShow(o.AverageOrder)))
	}
	for _, f := range []struct {
		name string
		v    *decimal.Decimal
	}{{"buffer", &o.Buffer}, {"band_low", &o.BandLow}, {"band_high", &o.BandHigh}} {
		if !econInRange(*f.v) {
			errs = append(errs, errorf(ErrInvalidEconomics, "thresholds: %s %s is out of range", f.name, econShow(*f.v)))
			*f.v = decimal.Zero // reported; the default keeps the checks below safe
		}
	}
	buffer, low, high := o.Buffer, o.BandLow, o.BandHigh
	if buffer.IsZero() {
		buffer = econDefault
	}
	if low.IsZero() {
		low = decimal.NewFromFloat(0.10)
	}
	if high.IsZero() {
		high = decimal.NewFromFloat(0.20)
	}
	if buffer.IsNegative() || buffer.GreaterThan(econOne) {
		errs = append(errs, errorf(ErrInvalidEconomics, "thresholds: buffer %s is outside [0, 1]", buffer))
	}
	if low.IsNegative() || high.GreaterThan(econOne) || low.GreaterThan(high) {
		errs = append(errs, errorf(ErrInvalidEconomics, "thresholds: band %s-%s is not within [0, 1] in order", low, high))
	}
	if err := econCheckRedemption(o.Redemption); err != nil {
		errs = append(errs, err)
	}
	for i, s := range spends {
		if err := econCheck("thresholds", fmt.Sprintf("spend %d:", i), s); err != nil {
			errs = append(errs, err)
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	sorted := slices.Clone(spends)
	slices.SortFunc(sorted, func(a, b decimal.Decimal) int { return b.Cmp(a) }) // highest first
	n := decimal.NewFromInt(int64(len(sorted)))
	share := func(at decimal.Decimal) decimal.Decimal {
		if len(sorted) == 0 {
			return decimal.Zero
		}
		k, _ := slices.BinarySearchFunc(sorted, at, func(s, t decimal.Decimal) int {
			if s.GreaterThanOrEqual(t) {
				return -1
			}
			return 1
		})
		return decimal.NewFromInt(int64(k)).DivRound(n, econRatioPlaces)
	}
	bandSpend := decimal.Zero
	if len(sorted) > 0 {
		// The k-th highest spend with k/n <= high; one cent above the next spend keeps it out.
		k := int(high.Mul(n).IntPart())
		switch {
		case k >= len(sorted):
			bandSpend = sorted[len(sorted)-1]
		case k == 0:
			bandSpend = sorted[0].Add(decimal.New(1, -econMoneyPlaces))
		default:
			bandSpend = sorted[k].Add(decimal.New(1, -econMoneyPlaces))
			if sorted[k-1].LessThan(bandSpend) {
				bandSpend = sorted[k-1]
			}
		}
	}

	m := o.Margin
	lift := econOne.Add(o.SpendLift)
	pv, pb := o.probabilities()
	wv, wb := econWeight(pv, o.Years), econWeight(pb, o.Years)
	ref := o.ReferralsPerYear.Mul(o.ReferralProfit)
	out := make([]Threshold, 0, len(c.Tiers))
	for i, b := range c.Tiers {
		perSpend, perOrder, fixed := decimal.Zero, decimal.Zero, decimal.Zero
		for _, t := range econTerms(b, o.Redemption) {
			perSpend = perSpend.Add(t.perSpend)
			perOrder = perOrder.Add(t.perOrder)
			fixed = fixed.Add(t.fixed)
		}
		// Incremental(S) x AOV = S x slope - intercept, with
		//   slope     = AOV x (m(1+L)Wv - m Wb - Wv(1+L) perSpend) - Wv(1+L) perOrder
		//   intercept = AOV x Wv x (fixed - R).
		slope := o.AverageOrder.Mul(m.Mul(lift).Mul(wv).Sub(m.Mul(wb)).Sub(wv.Mul(lift).Mul(perSpend))).
			Sub(wv.Mul(lift).Mul(perOrder))
		intercept := o.AverageOrder.Mul(wv).Mul(fixed.Sub(ref))
		th := Threshold{Tier: b.Tier, BreakEven: decimal.Zero, Recommended: decimal.Zero, Share: decimal.Zero, BandSpend: bandSpend}
		switch {
		case slope.IsPositive():
			th.Pays = true
			if intercept.IsPositive() {
				th.BreakEven = intercept.DivRound(slope, 10).RoundCeil(econMoneyPlaces)
			}
			th.Recommended = th.BreakEven.Mul(econOne.Add(buffer)).RoundCeil(0)
			th.Share = share(th.Recommended)
		case !intercept.IsPositive() && slope.IsZero():
			th.Pays = true // pays at any spend
			th.Share = share(decimal.Zero)
		default:
			th.Findings = append(th.Findings, "never pays for itself: each extra unit of spend costs more in benefits than it brings in margin under these assumptions")
		}
		if len(sorted) > 0 && th.Pays {
			if i == 0 {
				th.InBand = th.Share.GreaterThanOrEqual(low) && th.Share.LessThanOrEqual(high)
				if !th.InBand {
					th.Findings = append(th.Findings, fmt.Sprintf("holds %s of customers, outside the %s-%s band; a threshold of %s holds at most %s",
						th.Share, low, high, bandSpend.StringFixed(econMoneyPlaces), high))
				}
			} else {
				below := out[i-1]
				th.InBand = !below.Pays || th.Share.LessThan(below.Share) || th.Share.IsZero()
				if below.Pays && th.Recommended.LessThanOrEqual(below.Recommended) {
					th.InBand = false
					th.Findings = append(th.Findings, fmt.Sprintf("pays for itself at or below the tier %q's threshold %s; set it above", below.Tier, below.Recommended.StringFixed(0)))
				}
			}
		}
		out = append(out, th)
	}
	return out, nil
}

// Levers are the five factors of the brief's profit formula:
// profit = leads x conversion x margin x average check x purchases per customer.
// Conversion and Margin are rates (0.02, 0.40).
//
// The zero value is no business (profit 0). Levers is plain data, safe to share.
type Levers struct {
	Leads                decimal.Decimal `json:"leads"`
	Conversion           decimal.Decimal `json:"conversion"`
	Margin               decimal.Decimal `json:"margin"`
	AverageCheck         decimal.Decimal `json:"average_check"`
	PurchasesPerCustomer decimal.Decimal `json:"purchases_per_customer"`
}

// Validate reports every negative lever.
func (l Levers) Validate() error {
	var errs []error
	for _, f := range l.fields() {
		if err := econCheck("levers", f.name, f.v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

type econLever struct {
	name string
	v    decimal.Decimal
}

func (l Levers) fields() []econLever {
	return []econLever{
		{"leads", l.Leads}, {"conversion", l.Conversion}, {"margin", l.Margin},
		{"average_check", l.AverageCheck}, {"purchases_per_customer", l.PurchasesPerCustomer},
	}
}

func (l Levers) exact() decimal.Decimal {
	return l.Leads.Mul(l.Conversion).Mul(l.Margin).Mul(l.AverageCheck).Mul(l.PurchasesPerCustomer)
}

// Profit returns the product of the five levers, rounded to cents.
func (l Levers) Profit() decimal.Decimal { return l.exact().Round(econMoneyPlaces) }

// LeverEffect is the profit after raising one lever (or all of them, Lever "all").
// Plain data.
type LeverEffect struct {
	Lever  string          `json:"lever"`
	Profit decimal.Decimal `json:"profit"`
	// Change is the relative change in profit, to 4 places (0 when profit was 0).
	Change decimal.Decimal `json:"change"`
}

// Raise returns the effect of raising each lever alone by the rate by (0.10 is 10%), in
// the order leads, conversion, margin, average_check, purchases_per_customer, and then of
// raising all five together: (1 + by)^5 - 1, which for 10% is 0.6105 (the brief's +61%).
func (l Levers) Raise(by decimal.Decimal) ([]LeverEffect, error) {
	var errs []error
	if err := l.Validate(); err != nil {
		errs = append(errs, err)
	}
	if !econInRange(by) || by.LessThanOrEqual(econOne.Neg()) {
		errs = append(errs, errorf(ErrInvalidEconomics, "levers: raise %s is -1 or below, or out of range", econShow(by)))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	base := l.exact()
	f := econOne.Add(by)
	effect := func(name string, p decimal.Decimal) LeverEffect {
		e := LeverEffect{Lever: name, Profit: p.Round(econMoneyPlaces), Change: decimal.Zero}
		if !base.IsZero() {
			e.Change = p.Sub(base).DivRound(base, econRatioPlaces)
		}
		return e
	}
	var out []LeverEffect
	all := base
	for _, fl := range l.fields() {
		out = append(out, effect(fl.name, base.Mul(f)))
		all = all.Mul(f)
	}
	return append(out, effect("all", all)), nil
}
