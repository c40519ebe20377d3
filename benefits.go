package vip

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ErrInvalidCatalogue is wrapped by every problem [Catalogue.Validate] and
// [ParseCatalogue] report.
var ErrInvalidCatalogue = errors.New("invalid benefit catalogue")

// BenefitKind names one benefit in a cost breakdown and in [Profile.Redemption]. Credits
// have one kind per trigger, so that a birthday credit and a quarterly credit can be
// redeemed at different rates.
type BenefitKind string

// The benefit kinds, in the order [Benefits.Cost] itemises them.
const (
	BenefitDiscount          BenefitKind = "discount"
	BenefitCreditBirthday    BenefitKind = "credit_birthday"
	BenefitCreditAnniversary BenefitKind = "credit_anniversary"
	BenefitCreditQuarterly   BenefitKind = "credit_quarterly"
	BenefitCreditUpgrade     BenefitKind = "credit_upgrade"
	BenefitShipping          BenefitKind = "shipping"
	BenefitReturns           BenefitKind = "returns"
	BenefitPriceProtection   BenefitKind = "price_protection"
	BenefitPoints            BenefitKind = "points"
	BenefitEarlyAccess       BenefitKind = "early_access"
	BenefitExclusive         BenefitKind = "exclusive"
	BenefitPersonalShopping  BenefitKind = "personal_shopping"
	BenefitEvents            BenefitKind = "events"
	BenefitGiftWithPurchase  BenefitKind = "gift_with_purchase"
	BenefitAnnualGift        BenefitKind = "annual_gift"
	BenefitPackaging         BenefitKind = "packaging"
	BenefitSupport           BenefitKind = "support"
)

// CreditTrigger says when a [Credit] is granted.
type CreditTrigger string

// Credit triggers. A credit is granted once a year on the customer's birthday or the
// anniversary of joining, four times a year for quarterly credits, and once on reaching
// the tier for upgrade credits.
const (
	TriggerBirthday    CreditTrigger = "birthday"
	TriggerAnniversary CreditTrigger = "anniversary"
	TriggerQuarterly   CreditTrigger = "quarterly"
	TriggerUpgrade     CreditTrigger = "upgrade"
)

// ShippingLevel is a speed of delivery. Levels are ordered: standard < expedited <
// next-day. The empty level means no shipping benefit.
type ShippingLevel string

// Shipping levels, slowest first.
const (
	ShippingNone      ShippingLevel = ""
	ShippingStandard  ShippingLevel = "standard"
	ShippingExpedited ShippingLevel = "expedited"
	ShippingNextDay   ShippingLevel = "next_day"
)

// rank orders shipping levels; -1 is unknown.
func (l ShippingLevel) rank() int {
	switch l {
	case ShippingNone:
		return 0
	case ShippingStandard:
		return 1
	case ShippingExpedited:
		return 2
	case ShippingNextDay:
		return 3
	}
	return -1
}

// EventFormat is a kind of VIP event.
type EventFormat string

// Event formats.
const (
	VirtualEvent  EventFormat = "virtual"
	RegionalEvent EventFormat = "regional"
	PrivateEvent  EventFormat = "private"
)

// SupportChannel is a way a customer reaches support.
type SupportChannel string

// Support channels.
const (
	ChannelEmail SupportChannel = "email"
	ChannelPhone SupportChannel = "phone"
	ChannelChat  SupportChannel = "chat"
)

// ResponseTime is a duration written in JSON as a Go duration string ("2h", "30s").
// The zero value is no time at all (invalid as a target).
type ResponseTime time.Duration

// MarshalText writes d as a Go duration string.
func (d ResponseTime) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a Go duration string such as "1h30m".
func (d *ResponseTime) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("response time %q: %w", b, err)
	}
	*d = ResponseTime(v)
	return nil
}

// Discount is a percentage off the price of every line. Rate is a decimal (0.15 is 15%).
// When Stacks is false the VIP price is the better of the VIP discount on the list price
// and the price already paid (promotions and the VIP discount do not add up); when true
// the VIP discount applies on top of the promotional price.
//
// The zero value is a 0% discount. Like every benefit type below, Discount is plain
// data: safe to share between goroutines as long as nobody modifies it.
type Discount struct {
	Rate   decimal.Decimal `json:"rate"`
	Stacks bool            `json:"stacks,omitempty"`
}

// Credit is money on account granted on a trigger. Its cost is its face value.
// The zero value has no trigger (invalid in a catalogue).
type Credit struct {
	Trigger CreditTrigger   `json:"trigger"`
	Amount  decimal.Decimal `json:"amount"`
}

// FreeShipping ships the tier's orders free at Level; CostPerOrder is what that costs the
// shop per order. The zero value has no level (invalid in a catalogue).
type FreeShipping struct {
	Level        ShippingLevel   `json:"level"`
	CostPerOrder decimal.Decimal `json:"cost_per_order"`
}

// ExtendedReturns lengthens the return window to Days calendar days. CostRate is the
// expected extra cost of the longer window as a share of annual spend (0.005 is 0.5%).
// The zero value is a 0-day window (invalid: shorter than the standard one).
type ExtendedReturns struct {
	Days     int             `json:"days"`
	CostRate decimal.Decimal `json:"cost_rate,omitzero"`
}

// PriceProtection refunds the difference when an item bought in the last Days goes on
// sale. CostRate is the expected refunds as a share of annual spend. The zero value
// protects for 0 days (invalid).
type PriceProtection struct {
	Days     int             `json:"days"`
	CostRate decimal.Decimal `json:"cost_rate,omitzero"`
}

// PointsMultiplier multiplies the points every customer earns: BasePoints per currency
// unit spent, worth PointValue each. Only the extra points, BasePoints x (Multiplier - 1),
// are a cost of the tier; the base rate is the shop's, paid to members and non-members.
// The zero value has multiplier 0 (invalid: below 1).
type PointsMultiplier struct {
	Multiplier decimal.Decimal `json:"multiplier"`
	BasePoints decimal.Decimal `json:"base_points"`
	PointValue decimal.Decimal `json:"point_value"`
}

// EarlyAccess lets the tier buy new products Hours before the public launch. It has no
// direct cost; [Catalogue.AccessOpens] enforces it. The zero value is no head start.
type EarlyAccess struct {
	Hours int `json:"hours"`
}

// ExclusiveAccess opens products only the tier may buy, and pre-ordering.
// CostPerYear is any cost per customer-year (reserved stock, say); often zero.
// The zero value offers nothing and costs nothing.
type ExclusiveAccess struct {
	Products    bool            `json:"products,omitempty"`
	PreOrder    bool            `json:"pre_order,omitempty"`
	CostPerYear decimal.Decimal `json:"cost_per_year,omitzero"`
}

// PersonalShopping offers SessionsPerYear sessions with a personal shopper at
// CostPerSession each. The zero value offers no sessions.
type PersonalShopping struct {
	SessionsPerYear int             `json:"sessions_per_year"`
	CostPerSession  decimal.Decimal `json:"cost_per_session"`
}

// EventOffer is PerYear events of one format a year, each costing CostPerAttendee for every
// member who comes. The zero value has no format (invalid in a catalogue).
type EventOffer struct {
	Kind            EventFormat     `json:"kind"`
	PerYear         int             `json:"per_year"`
	CostPerAttendee decimal.Decimal `json:"cost_per_attendee"`
}

// GiftWithPurchase adds a gift costing Cost to every order at or above MinOrder.
// The zero value is a free gift on every order.
type GiftWithPurchase struct {
	Cost     decimal.Decimal `json:"cost"`
	MinOrder decimal.Decimal `json:"min_order,omitzero"`
}

// AnnualGift is one gift a year costing Cost. The zero value is a free gift.
type AnnualGift struct {
	Description string          `json:"description,omitempty"`
	Cost        decimal.Decimal `json:"cost"`
}

// Packaging is premium packaging costing CostPerOrder on every order. The zero value
// costs nothing.
type Packaging struct {
	CostPerOrder decimal.Decimal `json:"cost_per_order"`
}

// ResponseTarget is the time within which support answers on a channel. The zero value
// has no channel (invalid).
type ResponseTarget struct {
	Channel SupportChannel `json:"channel"`
	Within  ResponseTime   `json:"within"`
}

// SupportLevel is the tier's support service: response targets per channel, a priority
// queue, a dedicated representative, after-hours support, and the cost of all that per
// customer-year. The zero value is standard support at no cost.
type SupportLevel struct {
	Targets       []ResponseTarget `json:"targets,omitempty"`
	PriorityQueue bool             `json:"priority_queue,omitempty"`
	DedicatedRep  bool             `json:"dedicated_rep,omitempty"`
	AfterHours    bool             `json:"after_hours,omitempty"`
	CostPerYear   decimal.Decimal  `json:"cost_per_year,omitzero"`
}

// Benefits is one tier's package. A nil pointer or empty slice means the tier does not
// have that benefit. Amounts are in the [Catalogue]'s currency.
//
// The zero value is a package with no benefits and no tier name (invalid in a
// catalogue). Benefits is plain data, safe to share between goroutines once built.
type Benefits struct {
	Tier             string            `json:"tier"`
	Discount         *Discount         `json:"discount,omitempty"`
	Credits          []Credit          `json:"credits,omitempty"`
	Shipping         *FreeShipping     `json:"shipping,omitempty"`
	Returns          *ExtendedReturns  `json:"returns,omitempty"`
	PriceProtection  *PriceProtection  `json:"price_protection,omitempty"`
	Points           *PointsMultiplier `json:"points,omitempty"`
	EarlyAccess      *EarlyAccess      `json:"early_access,omitempty"`
	Exclusive        *ExclusiveAccess  `json:"exclusive,omitempty"`
	PersonalShopping *PersonalShopping `json:"personal_shopping,omitempty"`
	Events           []EventOffer      `json:"events,omitempty"`
	GiftWithPurchase *GiftWithPurchase `json:"gift_with_purchase,omitempty"`
	AnnualGift       *AnnualGift       `json:"annual_gift,omitempty"`
	Packaging        *Packaging        `json:"packaging,omitempty"`
	Support          *SupportLevel     `json:"support,omitempty"`
}

// Catalogue is a ladder's benefits: one [Benefits] per tier, lowest tier first, named
// as the ladder names its tiers, plus what customers outside the program get.
//
// The zero value is an empty catalogue: no tiers, every customer standard. A Catalogue is
// plain data with JSON tags (see [ParseCatalogue]); it is safe for concurrent use as long
// as nobody modifies it.
type Catalogue struct {
	// Currency is the ISO 4217 code of every amount in the catalogue.
	Currency string `json:"currency"`
	// StandardReturnDays is the return window of non-members (0 means 30).
	StandardReturnDays int `json:"standard_return_days,omitempty"`
	// StandardSupport is the response targets of non-members.
	StandardSupport []ResponseTarget `json:"standard_support,omitempty"`
	// BusinessHours, when set, are when support works for tiers without after-hours
	// support: their response clock runs only within these hours. Nil means around the
	// clock for everyone.
	BusinessHours *BusinessHours `json:"business_hours,omitempty"`
	Tiers         []Benefits     `json:"tiers"`
}

// BriefCatalogue returns the brief's three-tier table as a catalogue in USD.
//
// The table's benefits are as the brief gives them: discounts of 10, 15 and 20%; free
// standard, expedited and next-day shipping; early access 24, 48 and 72 hours; exclusive
// products for Gold and Platinum, pre-order for Platinum; birthday credits of $25, $50
// and $100; a priority queue for Gold and a personal rep for Platinum; a luxury annual
// gift for Platinum; virtual events, then regional, then private.
//
// The costs the brief states are used: $10 a shipped order for expedited shipping and
// $25 a customer-year for Gold's priority support (the worked example); support targets
// of 2 hours by email, 1 minute by phone and 30 seconds by chat for VIPs, 1 hour by email
// and after-hours support for the top tier, and 24 hours by email and 10 minutes by phone
// for everyone else. Where the brief gives no figure the preset assumes one, and says so
// here: standard shipping $8 and next-day $15 a shipped order (the ends of the brief's
// "$8-15 per order"); the personal rep $150 a customer-year; the luxury annual gift $250;
// events four a year virtual at $5 an attendee, two regional at $40 and one private at
// $150. Change them to your own.
func BriefCatalogue() Catalogue {
	d := decimal.RequireFromString
	virtual := EventOffer{Kind: VirtualEvent, PerYear: 4, CostPerAttendee: d("5")}
	regional := EventOffer{Kind: RegionalEvent, PerYear: 2, CostPerAttendee: d("40")}
	private := EventOffer{Kind: PrivateEvent, PerYear: 1, CostPerAttendee: d("150")}
	vipTargets := func(email time.Duration) []ResponseTarget {
		return []ResponseTarget{
			{Channel: ChannelEmail, Within: ResponseTime(email)},
			{Channel: ChannelPhone, Within: ResponseTime(time.Minute)},
			{Channel: ChannelChat, Within: ResponseTime(30 * time.Second)},
		}
	}
	return Catalogue{
		Currency:           "USD",
		StandardReturnDays: 30,
		StandardSupport: []ResponseTarget{
			{Channel: ChannelEmail, Within: ResponseTime(24 * time.Hour)},
			{Channel: ChannelPhone, Within: ResponseTime(10 * time.Minute)},
		},
		Tiers: []Benefits{
			{
				Tier:        "Silver",
				Discount:    &Discount{Rate: d("0.10")},
				Credits:     []Credit{{Trigger: TriggerBirthday, Amount: d("25")}},
				Shipping:    &FreeShipping{Level: ShippingStandard, CostPerOrder: d("8")},
				EarlyAccess: &EarlyAccess{Hours: 24},
				Events:      []EventOffer{virtual},
			},
			{
				Tier:        "Gold",
				Discount:    &Discount{Rate: d("0.15")},
				Credits:     []Credit{{Trigger: TriggerBirthday, Amount: d("50")}},
				Shipping:    &FreeShipping{Level: ShippingExpedited, CostPerOrder: d("10")},
				EarlyAccess: &EarlyAccess{Hours: 48},
				Exclusive:   &ExclusiveAccess{Products: true},
				Events:      []EventOffer{virtual, regional},
				Support:     &SupportLevel{Targets: vipTargets(2 * time.Hour), PriorityQueue: true, CostPerYear: d("25")},
			},
			{
				Tier:        "Platinum",
				Discount:    &Discount{Rate: d("0.20")},
				Credits:     []Credit{{Trigger: TriggerBirthday, Amount: d("100")}},
				Shipping:    &FreeShipping{Level: ShippingNextDay, CostPerOrder: d("15")},
				EarlyAccess: &EarlyAccess{Hours: 72},
				Exclusive:   &ExclusiveAccess{Products: true, PreOrder: true},
				Events:      []EventOffer{virtual, regional, private},
				AnnualGift:  &AnnualGift{Description: "luxury item", Cost: d("250")},
				Support: &SupportLevel{Targets: vipTargets(time.Hour), PriorityQueue: true, DedicatedRep: true,
					AfterHours: true, CostPerYear: d("150")},
			},
		},
	}
}

// ParseCatalogue reads a catalogue from JSON and validates it. Unknown fields are an
// error, so that a misspelt benefit is not silently dropped. Every error wraps
// [ErrInvalidCatalogue].
func ParseCatalogue(data []byte) (Catalogue, error) {
	return parseConfig[Catalogue](data, ErrInvalidCatalogue, "catalogue")
}

// LoadCatalogue reads all of r and parses it with [ParseCatalogue].
func LoadCatalogue(r io.Reader) (Catalogue, error) {
	data, err := readConfig(r, "catalogue")
	if err != nil {
		return Catalogue{}, err
	}
	return ParseCatalogue(data)
}

// CheckLadder reports whether c prices the ladder l: the same currency
// ([ErrCurrencyMismatch] otherwise) and one package per tier of l, named alike and in the
// same order ([ErrInvalidCatalogue] otherwise). Every problem is reported at once.
func (c Catalogue) CheckLadder(l *Ladder) error {
	var errs []error
	if c.Currency != l.Currency {
		errs = append(errs, errorf(ErrCurrencyMismatch, "catalogue: currency %q, ladder %q currency %q", c.Currency, l.Name, l.Currency))
	}
	if len(c.Tiers) != len(l.Tiers) {
		errs = append(errs, errorf(ErrInvalidCatalogue, "catalogue: %d tiers, ladder %q has %d", len(c.Tiers), l.Name, len(l.Tiers)))
	}
	for i := range min(len(c.Tiers), len(l.Tiers)) {
		if c.Tiers[i].Tier != l.Tiers[i].Name {
			errs = append(errs, errorf(ErrInvalidCatalogue, "catalogue: tier %d is %q, ladder %q has %q", i, c.Tiers[i].Tier, l.Name, l.Tiers[i].Name))
		}
	}
	return errors.Join(errs...)
}

// Validate reports every problem with c at once: a bad currency, no tiers, an empty or
// repeated tier name, and any benefit out of range (rates outside [0, 1), negative
// amounts or days, an unknown trigger, shipping level, event kind or channel, a repeated
// credit trigger, event kind or channel, a points multiplier below 1, a return window
// shorter than the standard one).
func (c Catalogue) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidCatalogue, format, args...))
	}
	if !validCurrency(c.Currency) {
		bad("catalogue: currency %q is not an ISO 4217 code", c.Currency)
	}
	if c.StandardReturnDays < 0 {
		bad("catalogue: standard_return_days %d is negative", c.StandardReturnDays)
	}
	econCheckTargets(c.StandardSupport, "catalogue: standard_support", bad)
	if c.BusinessHours != nil {
		if _, _, _, _, err := c.BusinessHours.parse(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(c.Tiers) == 0 {
		bad("catalogue: has no tiers")
	}
	seen := map[string]bool{}
	for i, b := range c.Tiers {
		name := strings.TrimSpace(b.Tier)
		if name == "" {
			bad("catalogue: tier %d: name is empty", i)
		} else if seen[b.Tier] {
			bad("catalogue: tier %q appears twice", b.Tier)
		}
		seen[b.Tier] = true
		econValidateBenefits(b, c.standardReturnDays(), bad)
	}
	return errors.Join(errs...)
}

func (c Catalogue) standardReturnDays() int {
	if c.StandardReturnDays <= 0 {
		return 30
	}
	return c.StandardReturnDays
}

func econValidateBenefits(b Benefits, standardDays int, bad func(string, ...any)) {
	t := b.Tier
	money := func(field string, v decimal.Decimal) {
		switch {
		case !econInRange(v):
			bad("tier %q: %s %s is out of range (at most 15 digits before the point and 18 after)", t, field, econShow(v))
		case v.IsNegative():
			bad("tier %q: %s %s is negative", t, field, v)
		}
	}
	rate := func(field string, v decimal.Decimal) {
		if v.IsNegative() || !econInRange(v) || v.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			bad("tier %q: %s %s is outside [0, 1)", t, field, econShow(v))
		}
	}
	if d := b.Discount; d != nil {
		rate("discount rate", d.Rate)
	}
	triggers := map[CreditTrigger]bool{}
	for i, cr := range b.Credits {
		switch cr.Trigger {
		case TriggerBirthday, TriggerAnniversary, TriggerQuarterly, TriggerUpgrade:
		default:
			bad("tier %q: credit %d: trigger %q is not birthday, anniversary, quarterly or upgrade", t, i, cr.Trigger)
		}
		if triggers[cr.Trigger] {
			bad("tier %q: credit %d: trigger %q repeats", t, i, cr.Trigger)
		}
		triggers[cr.Trigger] = true
		money(fmt.Sprintf("credit %d amount", i), cr.Amount)
	}
	if s := b.Shipping; s != nil {
		if s.Level.rank() < 1 {
			bad("tier %q: shipping level %q is not standard, expedited or next_day", t, s.Level)
		}
		money("shipping cost_per_order", s.CostPerOrder)
	}
	if r := b.Returns; r != nil {
		if r.Days < standardDays {
			bad("tier %q: returns days %d is shorter than the standard %d", t, r.Days, standardDays)
		}
		rate("returns cost_rate", r.CostRate)
	}
	if p := b.PriceProtection; p != nil {
		if p.Days < 1 {
			bad("tier %q: price_protection days %d is below 1", t, p.Days)
		}
		rate("price_protection cost_rate", p.CostRate)
	}
	if p := b.Points; p != nil {
		if !econInRange(p.Multiplier) {
			bad("tier %q: points multiplier %s is out of range", t, econShow(p.Multiplier))
		} else if p.Multiplier.LessThan(decimal.NewFromInt(1)) {
			bad("tier %q: points multiplier %s is below 1", t, p.Multiplier)
		}
		money("points base_points", p.BasePoints)
		money("points point_value", p.PointValue)
	}
	if e := b.EarlyAccess; e != nil && (e.Hours < 0 || e.Hours > 24*365) {
		bad("tier %q: early_access hours %d is outside 0-8760", t, e.Hours)
	}
	if e := b.Exclusive; e != nil {
		money("exclusive cost_per_year", e.CostPerYear)
	}
	if p := b.PersonalShopping; p != nil {
		if p.SessionsPerYear < 0 {
			bad("tier %q: personal_shopping sessions_per_year %d is negative", t, p.SessionsPerYear)
		}
		money("personal_shopping cost_per_session", p.CostPerSession)
	}
	kinds := map[EventFormat]bool{}
	for i, e := range b.Events {
		switch e.Kind {
		case VirtualEvent, RegionalEvent, PrivateEvent:
		default:
			bad("tier %q: event %d: kind %q is not virtual, regional or private", t, i, e.Kind)
		}
		if kinds[e.Kind] {
			bad("tier %q: event %d: kind %q repeats", t, i, e.Kind)
		}
		kinds[e.Kind] = true
		if e.PerYear < 0 {
			bad("tier %q: event %d: per_year %d is negative", t, i, e.PerYear)
		}
		money(fmt.Sprintf("event %d cost_per_attendee", i), e.CostPerAttendee)
	}
	if g := b.GiftWithPurchase; g != nil {
		money("gift_with_purchase cost", g.Cost)
		money("gift_with_purchase min_order", g.MinOrder)
	}
	if g := b.AnnualGift; g != nil {
		money("annual_gift cost", g.Cost)
	}
	if p := b.Packaging; p != nil {
		money("packaging cost_per_order", p.CostPerOrder)
	}
	if s := b.Support; s != nil {
		econCheckTargets(s.Targets, fmt.Sprintf("tier %q: support", t), bad)
		money("support cost_per_year", s.CostPerYear)
	}
}

func econCheckTargets(ts []ResponseTarget, where string, bad func(string, ...any)) {
	seen := map[SupportChannel]bool{}
	for i, rt := range ts {
		switch rt.Channel {
		case ChannelEmail, ChannelPhone, ChannelChat:
		default:
			bad("%s: target %d: channel %q is not email, phone or chat", where, i, rt.Channel)
		}
		if seen[rt.Channel] {
			bad("%s: target %d: channel %q repeats", where, i, rt.Channel)
		}
		seen[rt.Channel] = true
		if rt.Within <= 0 {
			bad("%s: target %d: within %s is not positive", where, i, time.Duration(rt.Within))
		}
	}
}

// Tier returns the benefits of the named tier and whether the catalogue has it.
func (c Catalogue) Tier(name string) (Benefits, bool) {
	for _, b := range c.Tiers {
		if b.Tier == name {
			return b, true
		}
	}
	return Benefits{}, false
}

// benefits returns the named tier's package; the empty name is a non-member with no
// benefits. An unknown name wraps ErrNotFound.
func (c Catalogue) benefits(tier string) (Benefits, error) {
	if tier == "" {
		return Benefits{}, nil
	}
	b, ok := c.Tier(tier)
	if !ok {
		return Benefits{}, errorf(ErrNotFound, "catalogue: tier %q", tier)
	}
	return b, nil
}

// LinePrice returns the VIP unit price and line total of l for a member of the tier.
//
// The discount is taken off the list price (or, when [Discount.Stacks], off the paid
// price) per unit and the unit price is rounded to cents, half away from zero; the total
// is that unit price times the quantity, so a line's total is always a whole number of
// cents per unit. Without stacking the customer pays the lower of the VIP price and the
// price already paid. A tier without a discount pays the line's PaidPrice. The empty
// tier name is a non-member; an unknown tier wraps [ErrNotFound].
func (c Catalogue) LinePrice(tier string, l Line) (unit, total decimal.Decimal, err error) {
	b, err := c.benefits(tier)
	if err != nil {
		return decimal.Zero, decimal.Zero, err
	}
	unit = b.UnitPrice(l)
	return unit, unit.Mul(decimal.NewFromInt(l.Quantity)), nil
}

// UnitPrice returns the VIP price of one unit of l under b's discount, by the rule of
// [Catalogue.LinePrice].
func (b Benefits) UnitPrice(l Line) decimal.Decimal {
	if b.Discount == nil || b.Discount.Rate.IsZero() {
		return l.PaidPrice
	}
	keep := decimal.NewFromInt(1).Sub(b.Discount.Rate)
	if b.Discount.Stacks {
		return l.PaidPrice.Mul(keep).Round(2)
	}
	return decimal.Min(l.ListPrice.Mul(keep).Round(2), l.PaidPrice)
}

// ShippingLevel returns the free shipping level of the tier, [ShippingNone] when the tier
// has none or the name is empty (a non-member). An unknown tier wraps [ErrNotFound].
func (c Catalogue) ShippingLevel(tier string) (ShippingLevel, error) {
	b, err := c.benefits(tier)
	if err != nil || b.Shipping == nil {
		return ShippingNone, err
	}
	return b.Shipping.Level, nil
}

// ReturnDays returns the tier's return window in calendar days: its extended window, or
// the standard one.
func (c Catalogue) ReturnDays(tier string) (int, error) {
	b, err := c.benefits(tier)
	if err != nil {
		return 0, err
	}
	if b.Returns != nil && b.Returns.Days > c.standardReturnDays() {
		return b.Returns.Days, nil
	}
	return c.standardReturnDays(), nil
}

// ReturnDeadline returns the instant the return window of an order placed at placedAt
// closes for a member of the tier: the end of the N-th calendar day after the order's
// day in loc (nil means UTC), where N is [Catalogue.ReturnDays]. A return is accepted
// strictly before the deadline. Calendar days make the window DST-proof: it always ends
// at local midnight.
func (c Catalogue) ReturnDeadline(tier string, placedAt time.Time, loc *time.Location) (time.Time, error) {
	days, err := c.ReturnDays(tier)
	if err != nil {
		return time.Time{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := placedAt.In(loc).Date()
	return time.Date(y, m, d+days+1, 0, 0, 0, 0, loc), nil
}

// SupportTarget returns the response target of a ticket from a member of the tier on
// channel: the tier's own target for the channel, else the standard one; ok is false
// when neither sets one.
func (c Catalogue) SupportTarget(tier string, channel SupportChannel) (target time.Duration, ok bool, err error) {
	b, err := c.benefits(tier)
	if err != nil {
		return 0, false, err
	}
	if b.Support != nil {
		for _, t := range b.Support.Targets {
			if t.Channel == channel {
				return time.Duration(t.Within), true, nil
			}
		}
	}
	for _, t := range c.StandardSupport {
		if t.Channel == channel {
			return time.Duration(t.Within), true, nil
		}
	}
	return 0, false, nil
}

// SupportDue returns when a ticket opened at opened on channel must be answered for a
// member of the tier: [Catalogue.SupportTarget] after opened. ok is false when no target
// applies. When the catalogue has [BusinessHours] and the tier has no after-hours
// support, the target counts business time only: a ticket opened at night starts its
// clock at the next opening, and a target longer than what is left of the day carries
// over to the next working day. Otherwise the clock runs around the day.
func (c Catalogue) SupportDue(tier string, channel SupportChannel, opened time.Time) (due time.Time, ok bool, err error) {
	t, ok, err := c.SupportTarget(tier, channel)
	if err != nil || !ok {
		return time.Time{}, ok, err
	}
	b, _ := c.benefits(tier)
	if c.BusinessHours == nil || (b.Support != nil && b.Support.AfterHours) {
		return opened.Add(t), true, nil
	}
	due, err = c.BusinessHours.add(opened, t)
	if err != nil {
		return time.Time{}, false, err
	}
	return due, true, nil
}

// BusinessHours are the hours support works: from Open to Close (24-hour "15:04" clock
// times, Open before Close) on Days (three-letter English weekday names, "mon" to
// "sun"), in TimeZone (an IANA name; empty means UTC). Hours are wall-clock times, so on
// a DST day the working day is still Open to Close.
//
// The zero value is invalid (no days). BusinessHours is plain data.
type BusinessHours struct {
	TimeZone string   `json:"time_zone,omitempty"`
	Open     string   `json:"open"`
	Close    string   `json:"close"`
	Days     []string `json:"days"`
}

var econWeekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parse returns the zone, the opening and closing minutes after midnight and the working
// days, or every problem with h.
func (h *BusinessHours) parse() (*time.Location, int, int, [7]bool, error) {
	var errs []error
	var days [7]bool
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidCatalogue, "catalogue: business_hours: "+format, args...))
	}
	loc := time.UTC
	if h.TimeZone != "" {
		l, err := loadLocation(h.TimeZone)
		if err != nil {
			bad("time_zone %q is not an IANA zone", h.TimeZone)
		} else {
			loc = l
		}
	}
	clock := func(field, v string) int {
		t, err := time.Parse("15:04", v)
		if err != nil {
			bad("%s %q is not a 24-hour time such as 09:00", field, v)
			return 0
		}
		return t.Hour()*60 + t.Minute()
	}
	open, close := clock("open", h.Open), clock("close", h.Close)
	if open >= close && len(errs) == 0 {
		bad("open %s is not before close %s", h.Open, h.Close)
	}
	for i, d := range h.Days {
		wd, ok := econWeekdays[d]
		switch {
		case !ok:
			bad("day %d: %q is not mon, tue, wed, thu, fri, sat or sun", i, d)
		case days[wd]:
			bad("day %d: %q repeats", i, d)
		default:
			days[wd] = true
		}
	}
	if len(h.Days) == 0 {
		bad("no days")
	}
	return loc, open, close, days, errors.Join(errs...)
}

// add returns the instant d of business time after from.
func (h *BusinessHours) add(from time.Time, d time.Duration) (time.Time, error) {
	loc, open, close, days, err := h.parse()
	if err != nil {
		return time.Time{}, err
	}
	t := from.In(loc)
	// Each pass consumes one working day; 20 years of them bounds any sane target.
	for range 366 * 20 {
		y, m, dd := t.Date()
		if days[t.Weekday()] {
			start := time.Date(y, m, dd, open/60, open%60, 0, 0, loc)
			end := time.Date(y, m, dd, close/60, close%60, 0, 0, loc)
			if t.Before(start) {
				t = start
			}
			if t.Before(end) {
				left := end.Sub(t)
				if d <= left {
					return t.Add(d), nil
				}
				d -= left
			}
		}
		t = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	}
	return time.Time{}, errorf(ErrInvalidCatalogue, "catalogue: business_hours: target %s does not fit in 20 years", d)
}

// EarlyAccessWindow returns how long before the public launch the tier may buy: its
// early access hours, zero for non-members and tiers without early access.
func (c Catalogue) EarlyAccessWindow(tier string) (time.Duration, error) {
	b, err := c.benefits(tier)
	if err != nil || b.EarlyAccess == nil {
		return 0, err
	}
	return time.Duration(b.EarlyAccess.Hours) * time.Hour, nil
}

// WidestEarlyAccess returns the longest early access window of any tier.
func (c Catalogue) WidestEarlyAccess() time.Duration {
	var w time.Duration
	for _, b := range c.Tiers {
		if b.EarlyAccess != nil {
			w = max(w, time.Duration(b.EarlyAccess.Hours)*time.Hour)
		}
	}
	return w
}

// PublicLaunch returns the earliest public launch of a product whose stock goes on sale
// (to the tier with the widest early access window) at firstSale: firstSale plus the
// widest window. Scheduling the public launch there keeps it closed until every tier's
// window has passed.
func (c Catalogue) PublicLaunch(firstSale time.Time) time.Time {
	return firstSale.Add(c.WidestEarlyAccess())
}

// AccessOpens returns when a member of the tier may first buy a product whose public
// launch is at launch: launch minus the tier's early access window, in absolute hours (a
// 48-hour window over a DST change is still 48 hours). Non-members (the empty name) open
// at launch.
func (c Catalogue) AccessOpens(launch time.Time, tier string) (time.Time, error) {
	w, err := c.EarlyAccessWindow(tier)
	if err != nil {
		return time.Time{}, err
	}
	return launch.Add(-w), nil
}

// MayBuy reports whether a member of the tier may buy at now a product whose public
// launch is at launch: now is at or after [Catalogue.AccessOpens].
func (c Catalogue) MayBuy(launch time.Time, tier string, now time.Time) (bool, error) {
	opens, err := c.AccessOpens(launch, tier)
	if err != nil {
		return false, err
	}
	return !now.Before(opens), nil
}

// Finding is a problem the differentiation check found in a catalogue. Findings are
// advice, not errors: a catalogue with findings is still valid. A Finding is plain data.
type Finding struct {
	Tier    string `json:"tier"`
	Message string `json:"message"`
	// Adds lists what the tier offers that the tier below lacks.
	Adds []string `json:"adds,omitempty"`
}

// econFeatures lists the distinct things a package offers, for the differentiation check:
// each benefit kind present, each credit trigger, each event kind, and the features
// within exclusive access and support.
func econFeatures(b Benefits) []string {
	var f []string
	if b.Discount != nil && b.Discount.Rate.IsPositive() {
		f = append(f, "discount")
	}
	for _, cr := range b.Credits {
		f = append(f, "credit: "+string(cr.Trigger))
	}
	if b.Shipping != nil {
		f = append(f, "free shipping")
	}
	if b.Returns != nil {
		f = append(f, "extended returns")
	}
	if b.PriceProtection != nil {
		f = append(f, "price protection")
	}
	if b.Points != nil {
		f = append(f, "points multiplier")
	}
	if b.EarlyAccess != nil && b.EarlyAccess.Hours > 0 {
		f = append(f, "early access")
	}
	if e := b.Exclusive; e != nil {
		if e.Products {
			f = append(f, "exclusive products")
		}
		if e.PreOrder {
			f = append(f, "pre-order")
		}
	}
	if b.PersonalShopping != nil {
		f = append(f, "personal shopping")
	}
	for _, e := range b.Events {
		f = append(f, "events: "+string(e.Kind))
	}
	if b.GiftWithPurchase != nil {
		f = append(f, "gift with purchase")
	}
	if b.AnnualGift != nil {
		f = append(f, "annual gift")
	}
	if b.Packaging != nil {
		f = append(f, "packaging")
	}
	if s := b.Support; s != nil {
		if len(s.Targets) > 0 {
			f = append(f, "support targets")
		}
		if s.PriorityQueue {
			f = append(f, "priority support")
		}
		if s.DedicatedRep {
			f = append(f, "dedicated rep")
		}
		if s.AfterHours {
			f = append(f, "after-hours support")
		}
	}
	return f
}

// Differentiation checks that each tier above the first offers at least minAdds (0 means
// 2, the brief's minimum) things the tier below lacks, that no tier drops something the
// tier below has, and that no tier's discount, shipping level, early access or return
// window is worse than the tier below's. A "thing" is a benefit kind, a credit trigger,
// an event kind, or a feature within exclusive access (products, pre-order) and support
// (targets, priority queue, dedicated rep, after hours); a bigger amount of something the
// tier below already has is an improvement, not a new thing. Findings come in tier order.
func (c Catalogue) Differentiation(minAdds int) []Finding {
	if minAdds <= 0 {
		minAdds = 2
	}
	var out []Finding
	for i := 1; i < len(c.Tiers); i++ {
		lo, hi := c.Tiers[i-1], c.Tiers[i]
		loF, hiF := econFeatures(lo), econFeatures(hi)
		var adds, drops []string
		for _, f := range hiF {
			if !slices.Contains(loF, f) {
				adds = append(adds, f)
			}
		}
		for _, f := range loF {
			if !slices.Contains(hiF, f) {
				drops = append(drops, f)
			}
		}
		if len(adds) < minAdds {
			out = append(out, Finding{Tier: hi.Tier, Adds: adds,
				Message: fmt.Sprintf("adds %d benefits the tier %q lacks, want at least %d", len(adds), lo.Tier, minAdds)})
		}
		if len(drops) > 0 {
			out = append(out, Finding{Tier: hi.Tier, Adds: adds,
				Message: fmt.Sprintf("lacks what the tier %q has: %s", lo.Tier, strings.Join(drops, ", "))})
		}
		var worse []string
		if lo.Discount != nil && hi.Discount != nil && hi.Discount.Rate.LessThan(lo.Discount.Rate) {
			worse = append(worse, fmt.Sprintf("discount %s below %s", hi.Discount.Rate, lo.Discount.Rate))
		}
		if lo.Shipping != nil && hi.Shipping != nil && hi.Shipping.Level.rank() < lo.Shipping.Level.rank() {
			worse = append(worse, fmt.Sprintf("shipping %s slower than %s", hi.Shipping.Level, lo.Shipping.Level))
		}
		if lo.EarlyAccess != nil && hi.EarlyAccess != nil && hi.EarlyAccess.Hours < lo.EarlyAccess.Hours {
			worse = append(worse, fmt.Sprintf("early access %dh shorter than %dh", hi.EarlyAccess.Hours, lo.EarlyAccess.Hours))
		}
		if lo.Returns != nil && hi.Returns != nil && hi.Returns.Days < lo.Returns.Days {
			worse = append(worse, fmt.Sprintf("return window %d days shorter than %d", hi.Returns.Days, lo.Returns.Days))
		}
		if len(worse) > 0 {
			out = append(out, Finding{Tier: hi.Tier, Adds: adds,
				Message: fmt.Sprintf("is worse than the tier %q: %s", lo.Tier, strings.Join(worse, "; "))})
		}
	}
	return out
}
