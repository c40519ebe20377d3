package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
)

// Orders are stored in a compact binary form: decoding JSON was the largest single
// cost of loading a customer's history. The form is a version byte, then each field in
// a fixed order: strings and amounts (Exact text, so every digit is kept) as a uvarint
// length and the bytes, instants as a flag byte and varint Unix microseconds (UTC),
// integers as varints.
const orderV1 = 1

type writer struct{ b []byte }

func (w *writer) str(s string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *writer) dec(d decimal.Decimal) {
	if d.IsZero() && d.Exponent() >= 0 {
		w.str("")
		return
	}
	w.str(Exact(d))
}

func (w *writer) time(t time.Time) {
	if t.IsZero() {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.b = binary.AppendVarint(w.b, Instant(t).UnixMicro())
}

// OrderBinary encodes o in the binary form.
func OrderBinary(o vip.Order) []byte {
	w := writer{b: make([]byte, 0, 64+48*len(o.Lines))}
	w.b = append(w.b, orderV1)
	w.str(o.ID)
	w.str(o.CustomerID)
	w.time(o.PlacedAt)
	w.str(o.Currency)
	w.dec(o.Shipping)
	w.dec(o.Tax)
	w.str(o.Channel)
	w.b = binary.AppendUvarint(w.b, uint64(len(o.Lines)))
	for _, l := range o.Lines {
		w.str(l.SKU)
		w.str(l.Category)
		w.str(l.Brand)
		w.b = binary.AppendVarint(w.b, l.Quantity)
		w.dec(l.ListPrice)
		w.dec(l.PaidPrice)
		w.dec(l.UnitCost)
		var flags byte
		if l.NewRelease {
			flags |= 1
		}
		if l.Premium {
			flags |= 2
		}
		w.b = append(w.b, flags)
	}
	return w.b
}

var errShort = errors.New("truncated")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errShort
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) dec() decimal.Decimal {
	n := r.uvarint()
	if r.err != nil {
		return decimal.Decimal{}
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return decimal.Decimal{}
	}
	b := r.b[:n]
	r.b = r.b[n:]
	if len(b) == 0 {
		return decimal.Decimal{}
	}
	if d, ok := ParseDecimal(b); ok {
		return d
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		r.err = fmt.Errorf("amount %q: %v", b, err)
	}
	return d
}

// ParseDecimal parses the plain decimals that Exact writes, [-]digits[.digits] with
// at most 18 digits, to the value and exponent decimal.NewFromString gives, without
// its allocations; ok is false for anything else (parse that with NewFromString).
func ParseDecimal(b []byte) (d decimal.Decimal, ok bool) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	var v int64
	digits, frac, dot := 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits > 18 {
				return decimal.Decimal{}, false
			}
			v = v*10 + int64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return decimal.Decimal{}, false
		}
	}
	if digits == 0 || (dot && frac == 0) {
		return decimal.Decimal{}, false
	}
	if neg {
		v = -v
	}
	return decimal.New(v, -int32(frac)), true
}

func (r *reader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
		return time.UnixMicro(r.varint()).UTC()
	}
	if r.err == nil {
		r.err = errors.New("bad instant flag")
	}
	return time.Time{}
}

// DecodeOrderBinary decodes OrderBinary's output.
func DecodeOrderBinary(b []byte) (vip.Order, error) {
	r := reader{b: b}
	if v := r.byte(); r.err == nil && v != orderV1 {
		return vip.Order{}, fmt.Errorf("vip: stored order: encoding version %d unknown", v)
	}
	o := vip.Order{ID: r.str(), CustomerID: r.str(), PlacedAt: r.time(), Currency: r.str(),
		Shipping: r.dec(), Tax: r.dec(), Channel: r.str()}
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) { // every line takes more than a byte
		r.err = errShort
	}
	if r.err == nil && n > 0 {
		o.Lines = make([]vip.Line, n)
		for i := range o.Lines {
			l := &o.Lines[i]
			l.SKU, l.Category, l.Brand = r.str(), r.str(), r.str()
			l.Quantity = r.varint()
			l.ListPrice, l.PaidPrice, l.UnitCost = r.dec(), r.dec(), r.dec()
			f := r.byte()
			l.NewRelease, l.Premium = f&1 != 0, f&2 != 0
			if r.err != nil {
				break
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return vip.Order{}, fmt.Errorf("vip: stored order: %v", r.err)
	}
	return o, nil
}

// Statuses are stored in a compact binary form too (a third of the JSON's size, so a
// commit rewrites fewer pages): a version byte, then Tier, Peak and Pending as strings;
// Since, ExpiresAt, GraceUntil, LastLanding, LastUpgrade, PendingFrom, Checked,
// WarnedFor and LastNear as instants; Seen and Warned as varints; then a byte, 1 when
// an Override follows (Kind, Tier, Until, Reason, By), 0 otherwise. The customer ID,
// the ladder and the version are columns of their own. The version byte is below any
// byte a JSON status starts with, so [DecodeStatus] reads both forms.
const statusV1 = 1

// StatusBinary encodes st in the binary form, instants normalised as the stores keep
// them.
func StatusBinary(st vip.Status) []byte { return AppendStatusBinary(make([]byte, 0, 96), st) }

// AppendStatusBinary appends StatusBinary(st) to b.
func AppendStatusBinary(b []byte, st vip.Status) []byte {
	w := writer{b: b}
	w.b = append(w.b, statusV1)
	w.str(st.Tier)
	w.str(st.Peak)
	w.str(st.Pending)
	for _, t := range []time.Time{st.Since, st.ExpiresAt, st.GraceUntil, st.LastLanding, st.LastUpgrade, st.PendingFrom,
		st.Checked, st.WarnedFor, st.LastNear} {
		w.time(t)
	}
	w.b = binary.AppendVarint(w.b, int64(st.Seen))
	w.b = binary.AppendVarint(w.b, int64(st.Warned))
	if o := st.Override; o != nil {
		w.b = append(w.b, 1)
		w.str(string(o.Kind))
		w.str(o.Tier)
		w.time(o.Until)
		w.str(o.Reason)
		w.str(o.By)
	} else {
		w.b = append(w.b, 0)
	}
	return w.b
}

func decodeStatusBinary(b []byte) (vip.Status, error) {
	r := reader{b: b}
	if v := r.byte(); r.err == nil && v != statusV1 {
		return vip.Status{}, fmt.Errorf("vip: stored status: encoding version %d unknown", v)
	}
	var st vip.Status
	st.Tier, st.Peak, st.Pending = r.str(), r.str(), r.str()
	for _, t := range []*time.Time{&st.Since, &st.ExpiresAt, &st.GraceUntil, &st.LastLanding, &st.LastUpgrade, &st.PendingFrom,
		&st.Checked, &st.WarnedFor, &st.LastNear} {
		*t = r.time()
	}
	st.Seen, st.Warned = int(r.varint()), int(r.varint())
	switch r.byte() {
	case 0:
	case 1:
		st.Override = &vip.Override{Kind: vip.OverrideKind(r.str()), Tier: r.str(), Until: r.time(), Reason: r.str(), By: r.str()}
	default:
		if r.err == nil {
			r.err = errors.New("bad override flag")
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return vip.Status{}, fmt.Errorf("vip: stored status: %v", r.err)
	}
	return st, nil
}

// Events are stored in a compact binary form as well (less than half the JSON's
// size, and no encoding/json on the way in or out): a version byte, then Kind, Ladder
// and CustomerID as strings; At as an instant; From and To as strings; Crossed as a
// uvarint count and the strings; Reentry as a byte; Rewards as Crossed; Measure as a
// string; Value, Gap and Share as amounts; Deadline as an instant; DaysLeft as a
// varint; Reason as a string. The version byte is below any byte a JSON event starts
// with, so [DecodeEvent] reads both forms.
const eventV1 = 1

// EventBinary encodes e in the binary form, instants normalised as the stores keep
// them.
func EventBinary(e vip.Event) []byte { return AppendEventBinary(make([]byte, 0, 96), e) }

// AppendEventBinary appends EventBinary(e) to b.
func AppendEventBinary(b []byte, e vip.Event) []byte {
	w := writer{b: b}
	w.b = append(w.b, eventV1)
	w.str(string(e.Kind))
	w.str(e.Ladder)
	w.str(e.CustomerID)
	w.time(e.At)
	w.str(e.From)
	w.str(e.To)
	w.strs(e.Crossed)
	if e.Reentry {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
	w.strs(e.Rewards)
	w.str(string(e.Measure))
	w.dec(e.Value)
	w.dec(e.Gap)
	w.dec(e.Share)
	w.time(e.Deadline)
	w.b = binary.AppendVarint(w.b, int64(e.DaysLeft))
	w.str(e.Reason)
	return w.b
}

func (w *writer) strs(ss []string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
}

func (r *reader) strs() []string {
	n := r.uvarint()
	if r.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(r.b)) { // every string takes at least a byte
		r.err = errShort
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func decodeEventBinary(b []byte) (vip.Event, error) {
	r := reader{b: b}
	if v := r.byte(); r.err == nil && v != eventV1 {
		return vip.Event{}, fmt.Errorf("vip: stored event: encoding version %d unknown", v)
	}
	e := vip.Event{Kind: vip.EventKind(r.str()), Ladder: r.str(), CustomerID: r.str(), At: r.time(), From: r.str(), To: r.str(),
		Crossed: r.strs()}
	switch r.byte() {
	case 0:
	case 1:
		e.Reentry = true
	default:
		if r.err == nil {
			r.err = errors.New("bad reentry flag")
		}
	}
	e.Rewards = r.strs()
	e.Measure = vip.Measure(r.str())
	e.Value, e.Gap, e.Share = r.dec(), r.dec(), r.dec()
	e.Deadline = r.time()
	e.DaysLeft = int(r.varint())
	e.Reason = r.str()
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return vip.Event{}, fmt.Errorf("vip: stored event: %v", r.err)
	}
	return e, nil
}
