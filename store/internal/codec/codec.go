// Package codec is the storage encoding shared by the SQL stores: orders, refunds,
// customers, statuses and events as JSON with amounts that keep their digits, instants
// normalised to UTC microseconds, and content fingerprints for idempotent writes.
package codec

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

// TimeLayout is the layout of stored instants: UTC with exactly six fractional digits,
// so that text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Instant normalises t as the stores keep it: UTC, truncated to microseconds.
func Instant(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// FormatTime formats an instant in TimeLayout ("" for the zero time). Years 0 to 9999
// are formatted by hand (time.Time.Format, which interprets the layout on every call,
// cost about ten times as much, and a commit formats some 340 instants); others by
// time.Time.Format, which gives the same for the years in between.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = Instant(t)
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(TimeLayout)
	}
	hour, minute, sec := t.Clock()
	b := []byte(TimeLayout)
	digits(b[0:4], year)
	digits(b[5:7], int(month))
	digits(b[8:10], day)
	digits(b[11:13], hour)
	digits(b[14:16], minute)
	digits(b[17:19], sec)
	digits(b[20:26], t.Nanosecond()/1000)
	return string(b)
}

// digits writes v into b in decimal, right-aligned, padded with zeros.
func digits(b []byte, v int) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// ParseTime parses FormatTime's output.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("vip: stored instant %q: %v", s, err)
	}
	return t, nil
}

// Exact formats d with every digit it carries: 10.50 stays "10.50".
func Exact(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}

// Canonical formats d without trailing zeros, so that equal amounts format alike.
func Canonical(d decimal.Decimal) string { return d.String() }

type money string

func dec(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Decimal{}, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("vip: stored amount %q: %v", s, err)
	}
	return d, nil
}

type line struct {
	SKU        string `json:"s"`
	Category   string `json:"c,omitempty"`
	Brand      string `json:"b,omitempty"`
	Quantity   int64  `json:"q"`
	ListPrice  money  `json:"l"`
	PaidPrice  money  `json:"p"`
	UnitCost   money  `json:"u"`
	NewRelease bool   `json:"n,omitempty"`
	Premium    bool   `json:"pr,omitempty"`
}

type order struct {
	ID         string `json:"id"`
	CustomerID string `json:"cu"`
	PlacedAt   string `json:"at"`
	Currency   string `json:"cy"`
	Lines      []line `json:"li"`
	Shipping   money  `json:"sh,omitempty"`
	Tax        money  `json:"tx,omitempty"`
	Channel    string `json:"ch,omitempty"`
}

func encodeOrder(o vip.Order, f func(decimal.Decimal) string) order {
	w := order{ID: o.ID, CustomerID: o.CustomerID, PlacedAt: FormatTime(o.PlacedAt), Currency: o.Currency,
		Channel: o.Channel, Lines: make([]line, len(o.Lines))}
	if !o.Shipping.IsZero() || o.Shipping.Exponent() < 0 {
		w.Shipping = money(f(o.Shipping))
	}
	if !o.Tax.IsZero() || o.Tax.Exponent() < 0 {
		w.Tax = money(f(o.Tax))
	}
	for i, l := range o.Lines {
		w.Lines[i] = line{SKU: l.SKU, Category: l.Category, Brand: l.Brand, Quantity: l.Quantity,
			ListPrice: money(f(l.ListPrice)), PaidPrice: money(f(l.PaidPrice)), UnitCost: money(f(l.UnitCost)),
			NewRelease: l.NewRelease, Premium: l.Premium}
	}
	return w
}

// Order encodes o for storage, amounts with every digit.
func Order(o vip.Order) ([]byte, error) { return json.Marshal(encodeOrder(o, Exact)) }

// OrderPrint is o's content fingerprint: equal for orders that differ only in trailing
// zeros of amounts, the zone of instants or nanoseconds below a microsecond.
func OrderPrint(o vip.Order) []byte {
	w := encodeOrder(o, Canonical)
	if o.Shipping.IsZero() {
		w.Shipping = ""
	}
	if o.Tax.IsZero() {
		w.Tax = ""
	}
	b, _ := json.Marshal(w) // strings, ints and bools only: cannot fail
	h := sha256.Sum256(b)
	return h[:]
}

// DecodeOrder decodes Order's output.
func DecodeOrder(b []byte) (vip.Order, error) {
	var w order
	if err := json.Unmarshal(b, &w); err != nil {
		return vip.Order{}, fmt.Errorf("vip: stored order: %v", err)
	}
	o := vip.Order{ID: w.ID, CustomerID: w.CustomerID, Currency: w.Currency, Channel: w.Channel}
	var err error
	if o.PlacedAt, err = ParseTime(w.PlacedAt); err != nil {
		return vip.Order{}, err
	}
	if o.Shipping, err = dec(string(w.Shipping)); err != nil {
		return vip.Order{}, err
	}
	if o.Tax, err = dec(string(w.Tax)); err != nil {
		return vip.Order{}, err
	}
	if len(w.Lines) > 0 {
		o.Lines = make([]vip.Line, len(w.Lines))
	}
	for i, l := range w.Lines {
		x := vip.Line{SKU: l.SKU, Category: l.Category, Brand: l.Brand, Quantity: l.Quantity,
			NewRelease: l.NewRelease, Premium: l.Premium}
		if x.ListPrice, err = dec(string(l.ListPrice)); err != nil {
			return vip.Order{}, err
		}
		if x.PaidPrice, err = dec(string(l.PaidPrice)); err != nil {
			return vip.Order{}, err
		}
		if x.UnitCost, err = dec(string(l.UnitCost)); err != nil {
			return vip.Order{}, err
		}
		o.Lines[i] = x
	}
	return o, nil
}

type refundLine struct {
	SKU      string `json:"s"`
	Quantity int64  `json:"q"`
}

type refund struct {
	ID         string       `json:"id"`
	OrderID    string       `json:"or"`
	CustomerID string       `json:"cu"`
	At         string       `json:"at"`
	Currency   string       `json:"cy"`
	Amount     money        `json:"am"`
	Lines      []refundLine `json:"li,omitempty"`
}

func encodeRefund(r vip.Refund, f func(decimal.Decimal) string) refund {
	w := refund{ID: r.ID, OrderID: r.OrderID, CustomerID: r.CustomerID, At: FormatTime(r.At),
		Currency: r.Currency, Amount: money(f(r.Amount))}
	for _, l := range r.Lines {
		w.Lines = append(w.Lines, refundLine(l))
	}
	return w
}

// Refund encodes r for storage.
func Refund(r vip.Refund) ([]byte, error) { return json.Marshal(encodeRefund(r, Exact)) }

// RefundPrint is r's content fingerprint (see OrderPrint).
func RefundPrint(r vip.Refund) []byte {
	b, _ := json.Marshal(encodeRefund(r, Canonical))
	h := sha256.Sum256(b)
	return h[:]
}

// DecodeRefund decodes Refund's output.
func DecodeRefund(b []byte) (vip.Refund, error) {
	var w refund
	if err := json.Unmarshal(b, &w); err != nil {
		return vip.Refund{}, fmt.Errorf("vip: stored refund: %v", err)
	}
	r := vip.Refund{ID: w.ID, OrderID: w.OrderID, CustomerID: w.CustomerID, Currency: w.Currency}
	var err error
	if r.At, err = ParseTime(w.At); err != nil {
		return vip.Refund{}, err
	}
	if r.Amount, err = dec(string(w.Amount)); err != nil {
		return vip.Refund{}, err
	}
	for _, l := range w.Lines {
		r.Lines = append(r.Lines, vip.RefundLine(l))
	}
	return r, nil
}

// NormOrder returns o as a store returns it: instants normalised, lines copied.
func NormOrder(o vip.Order) vip.Order {
	o.PlacedAt = Instant(o.PlacedAt)
	if len(o.Lines) == 0 {
		o.Lines = nil
	} else {
		o.Lines = append([]vip.Line(nil), o.Lines...)
	}
	return o
}

// NormRefund returns r as a store returns it.
func NormRefund(r vip.Refund) vip.Refund {
	r.At = Instant(r.At)
	if len(r.Lines) == 0 {
		r.Lines = nil
	} else {
		r.Lines = append([]vip.RefundLine(nil), r.Lines...)
	}
	return r
}

// NormCustomer returns c as a store returns it.
func NormCustomer(c vip.Customer) vip.Customer {
	c.JoinedAt = Instant(c.JoinedAt)
	c.Birthday = Instant(c.Birthday)
	return c
}

// NormStatus returns st with its instants normalised.
func NormStatus(st vip.Status) vip.Status {
	for _, t := range []*time.Time{&st.Since, &st.ExpiresAt, &st.GraceUntil, &st.LastLanding, &st.LastUpgrade, &st.PendingFrom,
		&st.Checked, &st.WarnedFor, &st.LastNear} {
		*t = Instant(*t)
	}
	if st.Override != nil {
		ov := *st.Override
		ov.Until = Instant(ov.Until)
		st.Override = &ov
	}
	return st
}

// NormEvent returns e with its instants normalised and slices copied.
func NormEvent(e vip.Event) vip.Event {
	e.At = Instant(e.At)
	e.Deadline = Instant(e.Deadline)
	e.Crossed = append([]string(nil), e.Crossed...)
	e.Rewards = append([]string(nil), e.Rewards...)
	if len(e.Crossed) == 0 {
		e.Crossed = nil
	}
	if len(e.Rewards) == 0 {
		e.Rewards = nil
	}
	return e
}

// Customer encodes c for storage.
func Customer(c vip.Customer) ([]byte, error) { return json.Marshal(NormCustomer(c)) }

// DecodeCustomer decodes Customer's output.
func DecodeCustomer(b []byte) (vip.Customer, error) {
	var c vip.Customer
	if err := json.Unmarshal(b, &c); err != nil {
		return vip.Customer{}, fmt.Errorf("vip: stored customer: %v", err)
	}
	return NormCustomer(c), nil
}

// Status encodes st as JSON (its Version is kept in a column of its own): the form
// statuses were stored in before [StatusBinary], which the stores now write.
func Status(st vip.Status) ([]byte, error) {
	st = NormStatus(st)
	st.Version = 0
	return json.Marshal(st)
}

// DecodeStatus decodes a stored status, in either form: [StatusBinary]'s or the JSON
// of [Status] (a body that starts with '{', or with white space). The customer ID,
// ladder and version come from the row's own columns.
func DecodeStatus(b []byte, ladder, customerID string, version int64) (vip.Status, error) {
	var st vip.Status
	if len(b) > 0 && b[0] == statusV1 {
		var err error
		if st, err = decodeStatusBinary(b); err != nil {
			return vip.Status{}, err
		}
	} else if err := json.Unmarshal(b, &st); err != nil {
		return vip.Status{}, fmt.Errorf("vip: stored status: %v", err)
	}
	st = NormStatus(st)
	st.CustomerID, st.Ladder, st.Version = customerID, ladder, version
	return st, nil
}

// Event encodes e for storage as JSON (see [EventBinary] for the compact form).
func Event(e vip.Event) ([]byte, error) { return json.Marshal(NormEvent(e)) }

// DecodeEvent decodes a stored event, in either form: [EventBinary]'s or the JSON of
// [Event] (a body that starts with '{', or with white space).
func DecodeEvent(b []byte) (vip.Event, error) {
	if len(b) > 0 && b[0] == eventV1 {
		e, err := decodeEventBinary(b)
		if err != nil {
			return vip.Event{}, err
		}
		return NormEvent(e), nil
	}
	var e vip.Event
	if err := json.Unmarshal(b, &e); err != nil {
		return vip.Event{}, fmt.Errorf("vip: stored event: %v", err)
	}
	return NormEvent(e), nil
}

// Rows is the part of a query result that both database/sql and pgx provide.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Records reads rows of (seq, source, body) into event records. Errors from the
// driver go through wrap; a body that does not decode is returned as it is.
func Records(rows Rows, wrap func(error) error) ([]vip.Record, error) {
	var out []vip.Record
	for rows.Next() {
		var r vip.Record
		var body []byte
		if err := rows.Scan(&r.Seq, &r.Source, &body); err != nil {
			return nil, wrap(err)
		}
		ev, err := DecodeEvent(body)
		if err != nil {
			return nil, err
		}
		r.Event = ev
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// CheckDue reports an error when c.Due is neither nil nor one entry per status.
func CheckDue(c *vip.Change) error {
	if c.Due != nil && len(c.Due) != len(c.Statuses) {
		return fmt.Errorf("vip: change with %d statuses and %d due instants: %w", len(c.Statuses), len(c.Due), vip.ErrInvalidStatus)
	}
	return nil
}

// Schedule returns the review schedule to store with status i of c: its due instant
// (zero: nothing scheduled) and key ("" when unknown: due at every review).
func Schedule(c *vip.Change, i int) (time.Time, string) {
	if c.Due == nil || c.DueKey == "" {
		return time.Time{}, ""
	}
	return Instant(c.Due[i]), c.DueKey
}
