// Package vip runs a VIP (top-customer) program inside a shop's backend: it scores
// customers, places them on a tier ladder with grace periods and soft-landing demotions,
// prices each tier's benefits and reports the events a shop acts on.
//
// # Money
//
// Every amount is a [decimal.Decimal], never a float64. An [Order] and a [Refund] carry
// their currency as an ISO 4217 code; a [Ladder] names the one currency of its program, and
// activity in any other currency is rejected with [ErrCurrencyMismatch]: vip never
// converts. Sums are exact. Where a division is unavoidable (a share, an average) the
// function's doc comment names the rounding. Statistical models (CLV fitting, quantiles)
// work in float64 inside and convert at their edge.
//
// # Time and time zones
//
// The core never reads the clock: every function that depends on time takes the instant
// as a parameter named now or asOf. Calendar periods (calendar year, anniversary year,
// months) are computed in a [*time.Location]: the customer's own [Customer.TimeZone] when
// set, otherwise the ladder's [Ladder.TimeZone], otherwise UTC. Adding months clamps to
// the end of the month (January 31 plus one month is February 28 or 29, never March 3),
// and a February 29 anniversary falls on February 28 in common years. Days are calendar
// days, so a DST day of 23 or 25 hours is still one day.
//
// # Tiers and reviews
//
// A [Ladder] is plain data with JSON tags. [Ladder.Evaluate] moves a customer's [Status]
// through the tier state machine and returns the [Event] values to act on;
// [Ladder.Progress] tells the customer where they stand. Evaluate is pure and
// deterministic, and it catches up: evaluating at a later instant gives the same result
// as evaluating at every instant in between, so a nightly review and a review at each
// order agree. See [Ladder] for the rules. A service that keeps customers' activity in
// memory prepares it once with [Ladder.Ledger] and evaluates the [Ledger]. A [Program]
// holds several ladders side by side; [Ladder.PlanChange] applies a new version of a live
// ladder, and is its own dry run.
//
// # Scoring
//
// RFM scores, segment maps, ABC classes and value metrics live in rfm.go; lifetime value
// models in clv.go; benefit costs and program economics in benefits.go and economics.go.
//
// # Storage
//
// The pure core keeps no state. [Engine] ties a ladder to a [Store]; implementations live
// under store/ (memory, SQLite, PostgreSQL) and all pass the same conformance suite.
//
// # Errors
//
// Invalid input is reported with an error that names the field and the value and wraps a
// sentinel that [errors.Is] recognises: [ErrInvalidOrder], [ErrInvalidRefund],
// [ErrInvalidCustomer], [ErrInvalidLadder], [ErrCurrencyMismatch], [ErrRefundExceedsOrder],
// [ErrNotFound], [ErrConflict]. Validate methods report every problem at once, joined
// with [errors.Join]. Nothing panics on user input.
package vip

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Sentinel errors. Every error vip returns for bad input or a failed lookup wraps one of
// these; test with [errors.Is].
var (
	ErrInvalidCustomer    = errors.New("invalid customer")
	ErrInvalidOrder       = errors.New("invalid order")
	ErrInvalidRefund      = errors.New("invalid refund")
	ErrInvalidActivity    = errors.New("invalid activity")
	ErrInvalidLadder      = errors.New("invalid ladder")
	ErrInvalidStatus      = errors.New("invalid status")
	ErrCurrencyMismatch   = errors.New("currency mismatch")
	ErrRefundExceedsOrder = errors.New("refund exceeds what is left of the order")
	ErrNotFound           = errors.New("not found")
	ErrConflict           = errors.New("conflict")
)

// errorf returns an error prefixed "vip: " that wraps sentinel.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("vip: "+format+": %w", append(args, sentinel)...)
}

// decodeJSON decodes data into v strictly, for every configuration loader: unknown
// fields and anything after the value are errors that name what was being read and wrap
// sentinel.
func decodeJSON(data []byte, v any, sentinel error, what string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(sentinel, "%s json: %v", what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(sentinel, "%s json: data after the %s", what, what)
	}
	return nil
}

// parseConfig decodes data strictly (see decodeJSON) into a T and validates it: the
// body of every Parse function for configuration.
func parseConfig[T any, PT interface {
	*T
	Validate() error
}](data []byte, sentinel error, what string) (T, error) {
	var v, zero T
	if err := decodeJSON(data, &v, sentinel, what); err != nil {
		return zero, err
	}
	if err := PT(&v).Validate(); err != nil {
		return zero, err
	}
	return v, nil
}

// readConfig reads all of r for a Load function.
func readConfig(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("vip: reading %s: %w", what, err)
	}
	return data, nil
}

// Clock returns the current instant. The [Engine] reads time only through its Clock;
// the pure core takes instants as parameters.
type Clock func() time.Time

// Customer is a member of the program.
//
// The zero value is not valid: ID and JoinedAt are required. A Customer is a plain value,
// safe to copy and to share between goroutines.
type Customer struct {
	ID       string    `json:"id"`
	JoinedAt time.Time `json:"joined_at"`
	// Birthday is optional; only its month and day are used. The zero value means unknown.
	Birthday time.Time `json:"birthday,omitzero"`
	// TimeZone is an IANA zone name such as "Europe/Warsaw". Empty means the program's.
	TimeZone string `json:"time_zone,omitempty"`
}

// Validate reports every problem with c at once.
func (c Customer) Validate() error {
	var errs []error
	if strings.TrimSpace(c.ID) == "" {
		errs = append(errs, errorf(ErrInvalidCustomer, "customer: id is empty"))
	}
	if c.JoinedAt.IsZero() {
		errs = append(errs, errorf(ErrInvalidCustomer, "customer %q: joined_at is zero", c.ID))
	} else if !validInstant(c.JoinedAt) {
		errs = append(errs, errorf(ErrInvalidCustomer, "customer %q: joined_at %s is outside the years 1900-2200", c.ID, c.JoinedAt.Format(time.RFC3339)))
	}
	if c.TimeZone != "" {
		if _, err := loadLocation(c.TimeZone); err != nil {
			errs = append(errs, errorf(ErrInvalidCustomer, "customer %q: time_zone %q is not an IANA zone", c.ID, c.TimeZone))
		}
	}
	return errors.Join(errs...)
}

// Location returns the customer's zone, or program when the customer has none, or UTC
// when both are empty.
func (c Customer) Location(program *time.Location) (*time.Location, error) {
	if c.TimeZone != "" {
		loc, err := loadLocation(c.TimeZone)
		if err != nil {
			return nil, errorf(ErrInvalidCustomer, "customer %q: time_zone %q is not an IANA zone", c.ID, c.TimeZone)
		}
		return loc, nil
	}
	if program == nil {
		return time.UTC, nil
	}
	return program, nil
}

var locations sync.Map // zone name -> *time.Location

// loadLocation is time.LoadLocation with a cache, so that evaluating millions of
// customers does not read the zone database millions of times.
func loadLocation(name string) (*time.Location, error) {
	if v, ok := locations.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// Line is one line of an [Order]: Quantity units of one SKU.
//
// Prices are per unit. ListPrice is the shelf price before any discount, PaidPrice what
// the customer paid per unit after discounts, UnitCost what the unit cost the shop.
type Line struct {
	SKU       string          `json:"sku"`
	Category  string          `json:"category,omitempty"`
	Brand     string          `json:"brand,omitempty"`
	Quantity  int64           `json:"quantity"`
	ListPrice decimal.Decimal `json:"list_price"`
	PaidPrice decimal.Decimal `json:"paid_price"`
	UnitCost  decimal.Decimal `json:"unit_cost"`
	// NewRelease marks a product bought in its launch window (trend leaders buy these).
	NewRelease bool `json:"new_release,omitempty"`
	// Premium marks a line from the shop's most profitable or premium range.
	Premium bool `json:"premium,omitempty"`
}

// Paid returns Quantity x PaidPrice.
func (l Line) Paid() decimal.Decimal { return l.PaidPrice.Mul(decimal.NewFromInt(l.Quantity)) }

// ListValue returns Quantity x ListPrice.
func (l Line) ListValue() decimal.Decimal { return l.ListPrice.Mul(decimal.NewFromInt(l.Quantity)) }

// Cost returns Quantity x UnitCost.
func (l Line) Cost() decimal.Decimal { return l.UnitCost.Mul(decimal.NewFromInt(l.Quantity)) }

// Discounted reports whether the line was sold below its list price.
func (l Line) Discounted() bool { return l.PaidPrice.LessThan(l.ListPrice) }

// Order is a purchase. Its totals are derived from its lines; Shipping and Tax are what
// the customer was charged on top of them.
//
// The zero value is not valid. An Order is a plain value; its methods do not modify it and
// are safe for concurrent use.
type Order struct {
	ID         string          `json:"id"`
	CustomerID string          `json:"customer_id"`
	PlacedAt   time.Time       `json:"placed_at"`
	Currency   string          `json:"currency"`
	Lines      []Line          `json:"lines"`
	Shipping   decimal.Decimal `json:"shipping,omitzero"`
	Tax        decimal.Decimal `json:"tax,omitzero"`
	// Channel is free text (web, store, app), for covariates and reports.
	Channel string `json:"channel,omitempty"`
}

// Paid returns the sum of the lines' paid values, without shipping and tax.
func (o Order) Paid() decimal.Decimal {
	var s sum
	for i := range o.Lines {
		s.addProduct(o.Lines[i].PaidPrice, o.Lines[i].Quantity)
	}
	return s.decimal()
}

// ListValue returns the sum of the lines' list values.
func (o Order) ListValue() decimal.Decimal {
	var s sum
	for i := range o.Lines {
		s.addProduct(o.Lines[i].ListPrice, o.Lines[i].Quantity)
	}
	return s.decimal()
}

// Cost returns the sum of the lines' costs.
func (o Order) Cost() decimal.Decimal {
	var s sum
	for i := range o.Lines {
		s.addProduct(o.Lines[i].UnitCost, o.Lines[i].Quantity)
	}
	return s.decimal()
}

// Margin returns Paid minus Cost: the order's contribution to gross profit.
func (o Order) Margin() decimal.Decimal { return o.Paid().Sub(o.Cost()) }

// Discount returns ListValue minus Paid: the discount the customer was given.
func (o Order) Discount() decimal.Decimal { return o.ListValue().Sub(o.Paid()) }

// Total returns Paid plus Shipping plus Tax: everything the customer was charged, and so
// the most that can be refunded.
func (o Order) Total() decimal.Decimal { return o.Paid().Add(o.Shipping).Add(o.Tax) }

// Validate reports every problem with o at once: empty IDs, a zero time, a currency that
// is not three upper-case letters, no lines, a line without SKU, a quantity below one,
// a negative price or cost, and two lines with the same SKU.
func (o Order) Validate() error { return o.validate() }

// validate is [Order.Validate] without copying the order.
func (o *Order) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidOrder, "order %q: "+format, append([]any{o.ID}, args...)...))
	}
	if blank(o.ID) {
		bad("id is empty")
	}
	if blank(o.CustomerID) {
		bad("customer_id is empty")
	}
	if o.PlacedAt.IsZero() {
		bad("placed_at is zero")
	} else if !validInstant(o.PlacedAt) {
		bad("placed_at %s is outside the years 1900-2200", o.PlacedAt.Format(time.RFC3339))
	}
	if !validCurrency(o.Currency) {
		bad("currency %q is not an ISO 4217 code", o.Currency)
	}
	if len(o.Lines) == 0 {
		bad("has no lines")
	}
	if o.Shipping.IsNegative() {
		bad("shipping %s is negative", o.Shipping)
	}
	if o.Tax.IsNegative() {
		bad("tax %s is negative", o.Tax)
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		if blank(l.SKU) {
			bad("line %d: sku is empty", i)
		} else if j := lineIndex(o.Lines[:i], l.SKU); j >= 0 {
			bad("line %d: sku %q repeats line %d", i, l.SKU, j)
		}
		if l.Quantity < 1 {
			bad("line %d: quantity %d is below 1", i, l.Quantity)
		}
		if l.ListPrice.IsNegative() {
			bad("line %d: list_price %s is negative", i, l.ListPrice)
		}
		if l.PaidPrice.IsNegative() {
			bad("line %d: paid_price %s is negative", i, l.PaidPrice)
		}
		if l.UnitCost.IsNegative() {
			bad("line %d: unit_cost %s is negative", i, l.UnitCost)
		}
	}
	return errors.Join(errs...)
}

// validInstant reports whether t falls in the years 1900-2200: anything else in a shop's
// data is a parsing mistake, and would break calendar arithmetic.
// Both bounds are whole seconds, so comparing t's Unix seconds with theirs decides.
func validInstant(t time.Time) bool {
	u := t.Unix()
	return u >= startOfTimeUnix && u < endOfTimeUnix
}

// startOfTimeUnix and endOfTimeUnix are the Unix seconds of 1900-01-01 and 2201-01-01
// 00:00 UTC ([endOfTime]): validInstant accepts the instants in between.
var (
	startOfTimeUnix = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	endOfTimeUnix   = endOfTime.Unix()
)

// endOfTime is after any instant validInstant accepts.
var endOfTime = time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC)

// lineIndex returns the index of the line with the SKU, or -1. A linear scan: orders
// have few lines, and a map would cost more than it saves.
func lineIndex(lines []Line, sku string) int {
	for i := range lines {
		if lines[i].SKU == sku {
			return i
		}
	}
	return -1
}

// blank reports whether s is empty or only white space.
func blank(s string) bool {
	return s == "" || (s[0] <= ' ' || s[len(s)-1] <= ' ') && strings.TrimSpace(s) == ""
}

// validCurrency reports whether code looks like an ISO 4217 code: three letters A-Z.
func validCurrency(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}

// RefundLine names units of one SKU returned.
type RefundLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Refund is money returned to the customer against one order. Amount is the money
// returned; Lines optionally say which units came back (for return-rate metrics).
//
// The zero value is not valid.
type Refund struct {
	ID         string          `json:"id"`
	OrderID    string          `json:"order_id"`
	CustomerID string          `json:"customer_id"`
	At         time.Time       `json:"at"`
	Currency   string          `json:"currency"`
	Amount     decimal.Decimal `json:"amount"`
	Lines      []RefundLine    `json:"lines,omitempty"`
}

// Validate reports every problem with r that can be seen without its order. Use
// [ValidateRefunds] to check refunds against the order they return.
func (r Refund) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, errorf(ErrInvalidRefund, "refund %q: "+format, append([]any{r.ID}, args...)...))
	}
	if strings.TrimSpace(r.ID) == "" {
		bad("id is empty")
	}
	if strings.TrimSpace(r.OrderID) == "" {
		bad("order_id is empty")
	}
	if strings.TrimSpace(r.CustomerID) == "" {
		bad("customer_id is empty")
	}
	if r.At.IsZero() {
		bad("at is zero")
	} else if !validInstant(r.At) {
		bad("at %s is outside the years 1900-2200", r.At.Format(time.RFC3339))
	}
	if !validCurrency(r.Currency) {
		bad("currency %q is not an ISO 4217 code", r.Currency)
	}
	if !r.Amount.IsPositive() {
		bad("amount %s is not positive", r.Amount)
	}
	seen := make(map[string]bool, len(r.Lines))
	for i, l := range r.Lines {
		if strings.TrimSpace(l.SKU) == "" {
			bad("line %d: sku is empty", i)
		} else if seen[l.SKU] {
			bad("line %d: sku %q repeats", i, l.SKU)
		}
		seen[l.SKU] = true
		if l.Quantity < 1 {
			bad("line %d: quantity %d is below 1", i, l.Quantity)
		}
	}
	return errors.Join(errs...)
}

// ValidateRefunds checks refunds against the order they return, in the order given: each
// must name the order and its customer, share its currency, come no earlier than the
// order, and together they may return no more than [Order.Total] and no more units of a
// SKU than were bought. The error wraps [ErrRefundExceedsOrder], [ErrCurrencyMismatch] or
// [ErrInvalidRefund].
func ValidateRefunds(o Order, refunds []Refund) error {
	var errs []error
	left := o.Total()
	units := make(map[string]int64, len(o.Lines))
	for _, l := range o.Lines {
		units[l.SKU] += l.Quantity
	}
	for _, r := range refunds {
		if err := r.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if r.OrderID != o.ID {
			errs = append(errs, errorf(ErrInvalidRefund, "refund %q: order_id %q is not order %q", r.ID, r.OrderID, o.ID))
			continue
		}
		if r.CustomerID != o.CustomerID {
			errs = append(errs, errorf(ErrInvalidRefund, "refund %q: customer_id %q is not the order's %q", r.ID, r.CustomerID, o.CustomerID))
		}
		if r.Currency != o.Currency {
			errs = append(errs, errorf(ErrCurrencyMismatch, "refund %q: currency %s differs from order %q in %s", r.ID, r.Currency, o.ID, o.Currency))
		}
		if r.At.Before(o.PlacedAt) {
			errs = append(errs, errorf(ErrInvalidRefund, "refund %q: at %s is before the order was placed at %s", r.ID, r.At.Format(time.RFC3339), o.PlacedAt.Format(time.RFC3339)))
		}
		if r.Amount.GreaterThan(left) {
			errs = append(errs, errorf(ErrRefundExceedsOrder, "refund %q: amount %s is more than the %s left of order %q", r.ID, r.Amount, left, o.ID))
		}
		left = left.Sub(r.Amount)
		for _, l := range r.Lines {
			have, ok := units[l.SKU]
			switch {
			case !ok:
				errs = append(errs, errorf(ErrInvalidRefund, "refund %q: sku %q is not in order %q", r.ID, l.SKU, o.ID))
			case l.Quantity > have:
				errs = append(errs, errorf(ErrRefundExceedsOrder, "refund %q: returns %d of sku %q, %d left", r.ID, l.Quantity, l.SKU, have))
			default:
				units[l.SKU] = have - l.Quantity
			}
		}
	}
	return errors.Join(errs...)
}

// PointsEntry is qualifying points the customer earned at an instant, for ladders whose
// measure is points. Points are supplied by the caller (from the shop's own points
// system); a negative entry is an adjustment.
type PointsEntry struct {
	At     time.Time       `json:"at"`
	Points decimal.Decimal `json:"points"`
	Reason string          `json:"reason,omitempty"`
}

// BalanceSnapshot is an account's balance at the start of a day, for the banking variant
// of a ladder. A balance holds for every following day until the next snapshot.
type BalanceSnapshot struct {
	At      time.Time       `json:"at"`
	Balance decimal.Decimal `json:"balance"`
}

// Signal is something a customer did that is not a purchase: a support contact, a
// referral, a review, user content, an email open, a site visit. Kind is free text; the
// scoring functions read the kinds named by the Signal* constants.
type Signal struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Count int64     `json:"count,omitempty"` // 0 means 1
}

// Signal kinds read by the scoring functions.
const (
	SignalSupportContact = "support_contact"
	SignalReferral       = "referral"
	SignalReview         = "review"
	SignalUserContent    = "user_content"
	SignalSocialShare    = "social_share"
	SignalEmailOpen      = "email_open"
	SignalSiteVisit      = "site_visit"
)

// Activity is everything one customer did: the input to tier evaluation and scoring.
// Slices need not be sorted. Entries after the evaluation instant are ignored, so the
// same Activity evaluated at an earlier instant gives the tier held then.
type Activity struct {
	Customer Customer          `json:"customer"`
	Orders   []Order           `json:"orders,omitempty"`
	Refunds  []Refund          `json:"refunds,omitempty"`
	Points   []PointsEntry     `json:"points,omitempty"`
	Balances []BalanceSnapshot `json:"balances,omitempty"`
	Signals  []Signal          `json:"signals,omitempty"`
	// TermEnd is the end of the customer's current term, for ladders whose term is
	// customer_date; the caller moves it on to renew.
	TermEnd time.Time `json:"term_end,omitzero"`
}

// Validate reports every problem with a: invalid orders or refunds, orders or refunds of
// another customer, duplicate order or refund IDs, a refund of an unknown order, refunds
// that exceed their order. Currency is checked against currency unless it is empty, in
// which case all orders must share one currency.
func (a *Activity) Validate(currency string) error {
	var c activityCheck
	return c.validate(a, currency)
}

// validateFull is [Activity.Validate]'s full check, which builds every error.
func (a *Activity) validateFull(currency string) error {
	var errs []error
	id := a.Customer.ID
	orders := make(map[string]int, len(a.Orders))
	for i := range a.Orders {
		o := &a.Orders[i]
		if err := o.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if id != "" && o.CustomerID != id {
			errs = append(errs, errorf(ErrInvalidActivity, "order %q: customer_id %q is not customer %q", o.ID, o.CustomerID, id))
		}
		if currency == "" {
			currency = o.Currency
		}
		if o.Currency != currency {
			errs = append(errs, errorf(ErrCurrencyMismatch, "order %q: currency %s, program currency %s", o.ID, o.Currency, currency))
		}
		if _, dup := orders[o.ID]; dup {
			errs = append(errs, errorf(ErrInvalidActivity, "order %q appears twice", o.ID))
			continue
		}
		orders[o.ID] = i
	}
	byOrder := make(map[string][]Refund)
	seen := make(map[string]bool, len(a.Refunds))
	for _, r := range a.Refunds {
		if seen[r.ID] {
			errs = append(errs, errorf(ErrInvalidActivity, "refund %q appears twice", r.ID))
			continue
		}
		seen[r.ID] = true
		if _, ok := orders[r.OrderID]; !ok {
			if err := r.Validate(); err != nil {
				errs = append(errs, err)
			} else {
				errs = append(errs, errorf(ErrInvalidActivity, "refund %q: order %q is not in the activity", r.ID, r.OrderID))
			}
			continue
		}
		byOrder[r.OrderID] = append(byOrder[r.OrderID], r)
	}
	keys := make([]string, 0, len(byOrder))
	for k := range byOrder {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rs := byOrder[k]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].At.Before(rs[j].At) })
		if err := ValidateRefunds(a.Orders[orders[k]], rs); err != nil {
			errs = append(errs, err)
		}
	}
	for i, p := range a.Points {
		if !validInstant(p.At) {
			errs = append(errs, errorf(ErrInvalidActivity, "points entry %d: at %s is zero or outside the years 1900-2200", i, p.At.Format(time.RFC3339)))
		}
	}
	for i, b := range a.Balances {
		if !validInstant(b.At) {
			errs = append(errs, errorf(ErrInvalidActivity, "balance snapshot %d: at %s is zero or outside the years 1900-2200", i, b.At.Format(time.RFC3339)))
		}
	}
	return errors.Join(errs...)
}

// activityCheck is the fast path of [Activity.Validate]: ok reports whether the full
// check would pass, without building errors, and only when it would not does validate
// run the full check for its errors. Its maps and slices are scratch reused from one
// activity to the next. The zero value is ready to use; it is not safe for concurrent use.
type activityCheck struct {
	orders map[string]int // order positions by ID, when the orders are not in ID order
	refIDs map[string]int // refund IDs seen, when there are many out of ID order
	grp    []int          // refund positions by their order's position
	ord    []int          // ord[j]: the position of refund j's order
	have   []int64        // units not yet refunded, by line of the order at hand
}

// validate is [Activity.Validate].
func (c *activityCheck) validate(a *Activity, currency string) error {
	if c.ok(a, currency) {
		return nil
	}
	return a.validateFull(currency)
}

// ok reports whether a.validateFull(currency) returns nil. Its checks are the full
// check's, in another form: IDs are unique when they are in increasing order, or else
// when no two are equal once sorted; and since refunds' amounts and units are positive,
// refunds taken in any order stay within their order's total and units exactly when
// their sums do, so they need not be sorted by time.
func (c *activityCheck) ok(a *Activity, currency string) bool {
	id := a.Customer.ID
	for i := range a.Orders {
		o := &a.Orders[i]
		if o.validate() != nil || id != "" && o.CustomerID != id {
			return false
		}
		if currency == "" {
			currency = o.Currency
		}
		if o.Currency != currency {
			return false
		}
	}
	orderID := func(i int) string { return a.Orders[i].ID }
	inOrder, ok := uniqueIDs(len(a.Orders), orderID, 0, &c.orders)
	if !ok {
		return false
	}
	if len(a.Refunds) > 0 {
		if _, ok := uniqueIDs(len(a.Refunds), func(i int) string { return a.Refunds[i].ID }, 8, &c.refIDs); !ok {
			return false
		}
		c.ord = slices.Grow(c.ord[:0], len(a.Refunds))[:len(a.Refunds)]
		c.grp = slices.Grow(c.grp[:0], len(a.Refunds))[:0]
		for j := range a.Refunds {
			r := &a.Refunds[j]
			if r.Validate() != nil {
				return false
			}
			var k int
			if inOrder {
				k, ok = slices.BinarySearchFunc(a.Orders, r.OrderID, func(o Order, id string) int { return strings.Compare(o.ID, id) })
			} else {
				k, ok = c.orders[r.OrderID]
			}
			if !ok {
				return false
			}
			o := &a.Orders[k]
			if r.CustomerID != o.CustomerID || r.Currency != o.Currency || r.At.Before(o.PlacedAt) {
				return false
			}
			c.ord[j] = k
			c.grp = append(c.grp, j)
		}
		slices.SortFunc(c.grp, func(x, y int) int { return c.ord[x] - c.ord[y] })
		for g := 0; g < len(c.grp); {
			o := &a.Orders[c.ord[c.grp[g]]]
			var left sum
			c.have = c.have[:0]
			for i := range o.Lines {
				left.addProduct(o.Lines[i].PaidPrice, o.Lines[i].Quantity)
				c.have = append(c.have, o.Lines[i].Quantity)
			}
			left.add(o.Shipping)
			left.add(o.Tax)
			for ; g < len(c.grp) && &a.Orders[c.ord[c.grp[g]]] == o; g++ {
				r := &a.Refunds[c.grp[g]]
				left.sub(r.Amount)
				for _, rl := range r.Lines {
					i := lineIndex(o.Lines, rl.SKU)
					if i < 0 || rl.Quantity > c.have[i] {
						return false
					}
					c.have[i] -= rl.Quantity
				}
			}
			if left.sign() < 0 {
				return false
			}
		}
	}
	for i := range a.Points {
		if !validInstant(a.Points[i].At) {
			return false
		}
	}
	for i := range a.Balances {
		if !validInstant(a.Balances[i].At) {
			return false
		}
	}
	return true
}

// uniqueIDs reports whether the n IDs id(0), ..., id(n-1) differ from one another, and
// whether they are in increasing order. IDs in increasing order are checked in one pass,
// up to pairs of them pairwise; otherwise *seen, a map reused between calls (made when
// nil, and dropped after a call that left it large, so that clearing it stays cheap), is
// cleared and filled with each ID's position, up to the first repeat.
func uniqueIDs(n int, id func(int) string, pairs int, seen *map[string]int) (inOrder, ok bool) {
	i := 1
	for i < n && id(i-1) < id(i) {
		i++
	}
	if i >= n {
		return true, true
	}
	if n <= pairs {
		for i := 1; i < n; i++ {
			for j := range i {
				if id(i) == id(j) {
					return false, false
				}
			}
		}
		return false, true
	}
	m := *seen
	if m == nil || len(m) > 4096 {
		m = make(map[string]int, n)
		*seen = m
	} else {
		clear(m)
	}
	for i := range n {
		if _, dup := m[id(i)]; dup {
			return false, false
		}
		m[id(i)] = i
	}
	return false, true
}

// sign returns the sign of s: -1, 0 or +1.
func (s *sum) sign() int {
	switch {
	case s.big:
		return s.d.Sign()
	case s.coef < 0:
		return -1
	case s.coef > 0:
		return 1
	}
	return 0
}

// sum adds decimals exactly. Its fast path keeps an int64 coefficient at the smallest
// exponent seen, which makes adding prices with two or four decimal places free of
// allocation; on overflow it moves to decimal.Decimal for good. The zero value is 0.
type sum struct {
	coef int64
	exp  int32
	big  bool
	d    decimal.Decimal
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// mulOK returns a*b and whether it did not overflow.
func mulOK(a, b int64) (int64, bool) {
	if uint64(a+1<<31) < 1<<32 && uint64(b+1<<31) < 1<<32 {
		// Both in [-2^31, 2^31): the product's magnitude is at most 2^62. No division.
		return a * b, true
	}
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == -1<<63) || (b == -1 && a == -1<<63) {
		return 0, false
	}
	return c, true
}

// addOK returns a+b and whether it did not overflow.
func addOK(a, b int64) (int64, bool) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, false
	}
	return c, true
}

// add adds x.
func (s *sum) add(x decimal.Decimal) { s.addCoef(x, 1) }

// sub subtracts x.
func (s *sum) sub(x decimal.Decimal) { s.addCoef(x, -1) }

// addProduct adds x times n.
func (s *sum) addProduct(x decimal.Decimal, n int64) { s.addCoef(x, n) }

func (s *sum) addCoef(x decimal.Decimal, n int64) {
	if !s.big && x.NumDigits() <= 18 {
		if c, ok := mulOK(x.CoefficientInt64(), n); ok {
			s.addRaw(c, x.Exponent())
			return
		}
	}
	s.promote()
	s.d = s.d.Add(x.Mul(decimal.NewFromInt(n)))
}

// addRaw adds c x 10^e. Aligning exponents never changes s's value, so when the fast
// path overflows the original c and e are added in arbitrary precision.
func (s *sum) addRaw(c int64, e int32) {
	if !s.big && e == s.exp {
		// The usual case: amounts at one exponent.
		if v, ok := addOK(s.coef, c); ok {
			s.coef = v
			return
		}
	}
	if !s.big && s.align(e) {
		sc, ok := c, true
		if e > s.exp {
			if d := e - s.exp; d <= 18 {
				sc, ok = mulOK(c, pow10[d])
			} else {
				ok = false
			}
		}
		if ok {
			if v, ok2 := addOK(s.coef, sc); ok2 {
				s.coef = v
				return
			}
		}
	}
	s.promote()
	s.d = s.d.Add(decimal.New(c, e))
}

// align lowers s's exponent to e when e is smaller, reporting false on overflow.
func (s *sum) align(e int32) bool {
	if e >= s.exp {
		return true
	}
	if s.coef == 0 {
		s.exp = e
		return true
	}
	d := s.exp - e
	if d > 18 {
		return false
	}
	v, ok := mulOK(s.coef, pow10[d])
	if !ok {
		return false
	}
	s.coef, s.exp = v, e
	return true
}

func (s *sum) promote() {
	if s.big {
		return
	}
	s.d = decimal.New(s.coef, s.exp)
	s.big = true
}

// decimal returns the exact total.
func (s *sum) decimal() decimal.Decimal {
	if s.big {
		return s.d
	}
	return decimal.New(s.coef, s.exp)
}

// amount is x times n read once, for adding to several sums: its int64 coefficient and
// exponent when they fit (ok), and the decimal otherwise.
type amount struct {
	c  int64
	e  int32
	ok bool
	x  decimal.Decimal
	n  int64
}

// newAmount reads x times n.
func newAmount(x decimal.Decimal, n int64) amount {
	a := amount{x: x, n: n, e: x.Exponent()}
	if x.NumDigits() <= 18 {
		a.c, a.ok = mulOK(x.CoefficientInt64(), n)
	}
	return a
}

// neg returns -a.
func (a amount) neg() amount {
	a.n = -a.n
	if a.c == -1<<63 {
		a.ok = false
	}
	a.c = -a.c
	return a
}

// addAmount adds a.
func (s *sum) addAmount(a amount) {
	if a.ok {
		s.addRaw(a.c, a.e)
		return
	}
	s.promote()
	s.d = s.d.Add(a.x.Mul(decimal.NewFromInt(a.n)))
}
