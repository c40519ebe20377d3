package vip

// Customer lifetime value.
//
// This file holds the inputs of the lifetime-value models: the time unit, the
// per-customer summary (x, t_x, T, mean repeat spend) built from transactions or orders,
// and its validation. The models live in clv_bgnbd.go, clv_pareto.go, clv_gammagamma.go
// and clv_bgbb.go; value calculations in clv_value.go.

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Sentinel errors of the lifetime-value models.
var (
	ErrInvalidTransaction = errors.New("invalid transaction")
	ErrInvalidHistory     = errors.New("invalid purchase history")
	ErrFitFailed          = errors.New("model fit failed")
	ErrCannotScore        = errors.New("model cannot score")
)

// TimeUnit is the unit of time a model counts in. The zero value is not a unit. A
// TimeUnit is a plain value, safe for concurrent use.
type TimeUnit int

// Time units. A month is the average Gregorian month, 365.2425/12 = 30.436875 days, so
// twelve months make a year in every unit.
const (
	UnitDay TimeUnit = iota + 1
	UnitWeek
	UnitMonth
)

// clvYearHours is the length of the average Gregorian year in hours.
const clvYearHours = 365.2425 * 24

// Hours returns the unit's length in hours; 0 for an invalid unit.
func (u TimeUnit) Hours() float64 {
	switch u {
	case UnitDay:
		return 24
	case UnitWeek:
		return 7 * 24
	case UnitMonth:
		return clvYearHours / 12
	}
	return 0
}

// String returns "day", "week" or "month".
func (u TimeUnit) String() string {
	switch u {
	case UnitDay:
		return "day"
	case UnitWeek:
		return "week"
	case UnitMonth:
		return "month"
	}
	return fmt.Sprintf("TimeUnit(%d)", int(u))
}

// Of returns d measured in u.
func (u TimeUnit) Of(d time.Duration) float64 { return d.Hours() / u.Hours() }

// PerYear returns how many units make an average year (365.2425, 52.1775 or 12).
func (u TimeUnit) PerYear() float64 { return clvYearHours / u.Hours() }

func (u TimeUnit) clvValid() bool { return u >= UnitDay && u <= UnitMonth }

// Transaction is one purchase for the lifetime-value models: who, when and how much.
// Use it for data that does not come as [Order] values (files, warehouse exports).
// A Transaction is a plain value, safe to copy and share.
type Transaction struct {
	CustomerID string          `json:"customer_id"`
	At         time.Time       `json:"at"`
	Amount     decimal.Decimal `json:"amount"`
}

// CohortOptions says how transactions become [PurchaseHistory] rows. There is no hidden "now":
// CutOff is required, so the zero value is not valid (no unit, no cut-off). A
// CohortOptions is a plain value, safe to share once built.
type CohortOptions struct {
	// Unit is the time unit of X's companions TX and T. Required.
	Unit TimeUnit `json:"unit"`
	// CutOff ends the calibration period: purchases at or before it are calibration
	// data, and T is measured up to it. Customers whose first purchase comes after it are
	// not summarised.
	CutOff time.Time `json:"cut_off"`
	// End, when set, ends a holdout period (CutOff, End]: its purchases fill HoldoutX and
	// HoldoutSpend. Purchases after End are ignored. Zero means no holdout.
	End time.Time `json:"end,omitzero"`
	// Merge, when set, merges purchases of one customer in the same calendar day, ISO
	// week or calendar month (in Location) into one purchase whose amount is their sum
	// and whose instant is the earliest. Zero keeps every purchase.
	Merge TimeUnit `json:"merge,omitempty"`
	// Location is the zone of calendar periods and of elapsed time: durations are
	// measured between wall clocks, so a 23-hour DST day still counts as one day. Nil
	// means UTC.
	Location *time.Location `json:"-"`
}

// PurchaseHistory is one customer's purchase history as the models see it.
//
// X counts repeat purchases: the first purchase is not one of them, and its amount is
// not in MeanRepeatSpend. TX is t_x, the time of the last repeat purchase measured from
// the first purchase (0 when X = 0); it is not RFM recency, the time since the last
// order, which is [PurchaseHistory.SinceLastOrder]. T is the time from the first
// purchase to the cut-off. All three are in the unit of the [Cohort] that holds it.
//
// One-time buyers (X = 0) belong in every purchase-count fit: they are the evidence
// for dropout. They are left out of the Gamma-Gamma spend fit, which models the mean
// of repeat purchases and has nothing to learn from a customer without one.
//
// The zero value is a one-time buyer who bought at the cut-off. A PurchaseHistory is a
// plain value, safe to copy and share.
type PurchaseHistory struct {
	ID string  `json:"id"`
	X  float64 `json:"x"`
	TX float64 `json:"t_x"`
	T  float64 `json:"T"`
	// MeanRepeatSpend is the mean amount of the repeat purchases, zero when X = 0;
	// BuildCohort rounds it half away from zero to 6 decimal places (DivRound).
	MeanRepeatSpend decimal.Decimal `json:"mean_repeat_spend"`
	// HoldoutX and HoldoutSpend are the repeat purchases and their total in the holdout
	// period, when there is one.
	HoldoutX     float64         `json:"holdout_x,omitempty"`
	HoldoutSpend decimal.Decimal `json:"holdout_spend,omitzero"`
	// Covariates are optional static attributes (channel, region, campaign coded as
	// numbers) for models fitted with covariates; all rows then have the same length.
	Covariates []float64 `json:"covariates,omitempty"`
}

// SinceLastOrder returns the RFM recency: the time from the customer's last purchase
// to the cut-off (T - TX), in the cohort's unit. It is not t_x.
func (s PurchaseHistory) SinceLastOrder() float64 { return s.T - s.TX }

// Cohort is a calibration data set: customer rows in one time unit.
//
// The zero value holds no rows and no unit. A Cohort is not modified by the models
// and is safe to share between goroutines that only read it.
type Cohort struct {
	Unit   TimeUnit          `json:"unit"`
	CutOff time.Time         `json:"cut_off,omitzero"`
	End    time.Time         `json:"end,omitzero"`
	Rows   []PurchaseHistory `json:"rows"`
}

// clvWall returns t's wall clock in loc as a UTC instant, so that differences count
// calendar time.
func clvWall(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// clvPeriodKey returns an identifier of the calendar period of wall-clock instant t.
func clvPeriodKey(t time.Time, u TimeUnit) int64 {
	switch u {
	case UnitDay:
		y, m, d := t.Date()
		return int64(y)*10000 + int64(m)*100 + int64(d)
	case UnitWeek:
		y, w := t.ISOWeek()
		return int64(y)*100 + int64(w)
	default:
		y, m, _ := t.Date()
		return int64(y)*100 + int64(m)
	}
}

// BuildCohort turns transactions into one [PurchaseHistory] per customer with a purchase at or
// before opt.CutOff, sorted by customer ID. It rejects transactions with an empty
// customer ID, a zero instant or a negative amount (every problem at once), and options
// without a unit or cut-off, or with End before CutOff.
func BuildCohort(txs []Transaction, opt CohortOptions) (Cohort, error) {
	var errs []error
	if !opt.Unit.clvValid() {
		errs = append(errs, errorf(ErrInvalidTransaction, "cohort options: unit %d is not day, week or month", int(opt.Unit)))
	}
	if opt.Merge != 0 && !opt.Merge.clvValid() {
		errs = append(errs, errorf(ErrInvalidTransaction, "cohort options: merge %d is not day, week or month", int(opt.Merge)))
	}
	if opt.CutOff.IsZero() {
		errs = append(errs, errorf(ErrInvalidTransaction, "cohort options: cut_off is zero"))
	}
	if !opt.End.IsZero() && !opt.End.After(opt.CutOff) {
		errs = append(errs, errorf(ErrInvalidTransaction, "cohort options: end %s is not after cut_off %s", opt.End.Format(time.RFC3339), opt.CutOff.Format(time.RFC3339)))
	}
	for i, t := range txs {
		if strings.TrimSpace(t.CustomerID) == "" {
			errs = append(errs, errorf(ErrInvalidTransaction, "transaction %d: customer_id is empty", i))
		}
		if t.At.IsZero() {
			errs = append(errs, errorf(ErrInvalidTransaction, "transaction %d of customer %q: at is zero", i, t.CustomerID))
		}
		if t.Amount.IsNegative() {
			errs = append(errs, errorf(ErrInvalidTransaction, "transaction %d of customer %q: amount %s is negative", i, t.CustomerID, t.Amount))
		}
		if len(errs) > 100 {
			errs = append(errs, fmt.Errorf("vip: further transaction errors not shown: %w", ErrInvalidTransaction))
			break
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Cohort{}, err
	}
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	type wtx struct {
		at     time.Time // wall clock
		amount decimal.Decimal
	}
	cut := clvWall(opt.CutOff, loc)
	end := cut
	if !opt.End.IsZero() {
		end = clvWall(opt.End, loc)
	}
	by := make(map[string][]wtx)
	for _, t := range txs {
		w := clvWall(t.At, loc)
		if w.After(end) {
			continue
		}
		by[t.CustomerID] = append(by[t.CustomerID], wtx{w, t.Amount})
	}
	ids := make([]string, 0, len(by))
	for id, list := range by {
		first := list[0].at
		for _, t := range list[1:] {
			if t.at.Before(first) {
				first = t.at
			}
		}
		if !first.After(cut) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	hours := opt.Unit.Hours()
	out := Cohort{Unit: opt.Unit, CutOff: opt.CutOff, End: opt.End, Rows: make([]PurchaseHistory, 0, len(ids))}
	for _, id := range ids {
		list := by[id]
		sort.SliceStable(list, func(i, j int) bool { return list[i].at.Before(list[j].at) })
		if opt.Merge != 0 {
			merged := list[:1]
			for _, t := range list[1:] {
				last := &merged[len(merged)-1]
				if clvPeriodKey(t.at, opt.Merge) == clvPeriodKey(last.at, opt.Merge) {
					last.amount = last.amount.Add(t.amount)
					continue
				}
				merged = append(merged, t)
			}
			list = merged
		}
		first := list[0].at
		row := PurchaseHistory{ID: id, T: cut.Sub(first).Hours() / hours}
		var spend, hold sum
		for _, t := range list[1:] {
			if t.at.After(cut) {
				row.HoldoutX++
				hold.add(t.amount)
				continue
			}
			row.X++
			row.TX = t.at.Sub(first).Hours() / hours
			spend.add(t.amount)
		}
		if row.X > 0 {
			row.MeanRepeatSpend = spend.decimal().DivRound(decimal.NewFromFloat(row.X), 6)
		}
		row.HoldoutSpend = hold.decimal()
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// BuildCohortFromOrders summarises orders as [BuildCohort] does, taking each order's
// [Order.PlacedAt] as its instant and [Order.Paid] (lines after discounts, without
// shipping and tax) as its amount. Every order is validated, and all must share one
// currency ([ErrCurrencyMismatch] otherwise).
func BuildCohortFromOrders(orders []Order, opt CohortOptions) (Cohort, error) {
	txs := make([]Transaction, 0, len(orders))
	var errs []error
	currency := ""
	for _, o := range orders {
		if err := o.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if currency == "" {
			currency = o.Currency
		}
		if o.Currency != currency {
			errs = append(errs, errorf(ErrCurrencyMismatch, "order %q: currency %s, first order's currency %s", o.ID, o.Currency, currency))
			continue
		}
		txs = append(txs, Transaction{CustomerID: o.CustomerID, At: o.PlacedAt, Amount: o.Paid()})
	}
	if err := errors.Join(errs...); err != nil {
		return Cohort{}, err
	}
	return BuildCohort(txs, opt)
}

// clvBadRows collects the customers that break one rule.
type clvBadRows struct {
	rule  string
	ids   []string
	count int
}

func (b *clvBadRows) add(id string) {
	if len(b.ids) < 10 {
		b.ids = append(b.ids, fmt.Sprintf("%q", id))
	}
	b.count++
}

func (b *clvBadRows) err() error {
	if b.count == 0 {
		return nil
	}
	more := ""
	if b.count > len(b.ids) {
		more = fmt.Sprintf(" (first %d shown)", len(b.ids))
	}
	return errorf(ErrInvalidHistory, "%d customers with %s%s: %s", b.count, b.rule, more, strings.Join(b.ids, ", "))
}

// Validate checks every row before a fit: X a whole number >= 0, 0 <= TX <= T,
// X = 0 implies TX = 0, every value finite, and a known unit. Each broken rule gives
// one error naming the first ten offending customers and their count, all joined; the
// errors wrap [ErrInvalidHistory].
func (s Cohort) Validate() error { return s.clvValidate(false) }

// ValidateSpend is [Cohort.Validate] plus, for the rows with X > 0 that a
// Gamma-Gamma fit uses, a MeanRepeatSpend above zero.
func (s Cohort) ValidateSpend() error { return s.clvValidate(true) }

func (s Cohort) clvValidate(spend bool) error {
	var errs []error
	if !s.Unit.clvValid() {
		errs = append(errs, errorf(ErrInvalidHistory, "unit %d is not day, week or month", int(s.Unit)))
	}
	if len(s.Rows) == 0 {
		errs = append(errs, errorf(ErrInvalidHistory, "no customers"))
	}
	rules := []clvBadRows{
		{rule: "x not a whole number >= 0"},
		{rule: "a non-finite x, t_x or T"},
		{rule: "t_x below 0"},
		{rule: "t_x above T"},
		{rule: "x = 0 but t_x above 0"},
		{rule: "x > 0 but mean repeat spend not above 0"},
		{rule: "covariates of another length than the first row's"},
	}
	ncov := 0
	if len(s.Rows) > 0 {
		ncov = len(s.Rows[0].Covariates)
	}
	for _, r := range s.Rows {
		switch {
		case math.IsNaN(r.X) || math.IsInf(r.X, 0) || math.IsNaN(r.TX) || math.IsInf(r.TX, 0) || math.IsNaN(r.T) || math.IsInf(r.T, 0):
			rules[1].add(r.ID)
			continue
		}
		if r.X < 0 || r.X != math.Floor(r.X) {
			rules[0].add(r.ID)
		}
		if r.TX < 0 {
			rules[2].add(r.ID)
		}
		if r.TX > r.T {
			rules[3].add(r.ID)
		}
		if r.X == 0 && r.TX != 0 {
			rules[4].add(r.ID)
		}
		if spend && r.X > 0 && !r.MeanRepeatSpend.IsPositive() {
			rules[5].add(r.ID)
		}
		if len(r.Covariates) != ncov {
			rules[6].add(r.ID)
		}
		for _, c := range r.Covariates {
			if math.IsNaN(c) || math.IsInf(c, 0) {
				rules[1].add(r.ID)
				break
			}
		}
	}
	for i := range rules {
		if err := rules[i].err(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
