package csvin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// orderCols are the resolved column indexes of an orders file (-1: none).
type orderCols struct {
	customer, order, date, amount, sku, category, brand, quantity, cost, list int
}

func resolveOrders(t *table, c Columns) (orderCols, error) {
	var oc orderCols
	var errs []error
	get := func(dst *int, flag, spec, key string, required bool) {
		i, err := t.find(flag, spec, key, required)
		if err != nil {
			errs = append(errs, err)
		}
		*dst = i
	}
	get(&oc.customer, "customer", c.Customer, "customer", true)
	get(&oc.order, "order", c.Order, "order", false)
	get(&oc.date, "date", c.Date, "date", true)
	get(&oc.amount, "amount", c.Amount, "amount", true)
	get(&oc.sku, "sku", c.SKU, "", false)
	get(&oc.category, "category", c.Category, "", false)
	get(&oc.brand, "brand", c.Brand, "", false)
	get(&oc.quantity, "quantity", c.Quantity, "", false)
	get(&oc.cost, "cost", c.Cost, "", false)
	get(&oc.list, "list price", c.ListPrice, "", false)
	return oc, errors.Join(errs...)
}

// ReadOrders reads an orders file (see the package documentation for the columns and
// the grouping of rows into orders). Orders come in the order of their first row.
// A problem with the file as a whole
// (a missing column, an unreadable header, a bad separator or date format) is an
// error whatever [Options.SkipBad] says.
func ReadOrders(r io.Reader, opts Options) ([]vip.Order, Result, error) {
	var res Result
	layouts, err := Layouts(opts.DateFormat)
	if err != nil {
		return nil, res, err
	}
	cur := opts.currency()
	if err := checkCurrency(cur); err != nil {
		return nil, res, err
	}
	places := MinorUnits(cur)
	loc := opts.location()
	rd, t, err := start(r, &opts)
	if err != nil {
		return nil, res, err
	}
	oc, err := resolveOrders(t, opts.Columns)
	if err != nil {
		return nil, res, err
	}
	var orders []vip.Order
	byID := map[string]int{}
	err = eachRow(rd, t, opts.SkipBad, &res, func(rw *row) error {
		o, ln, err := parseOrderRow(rw, oc, layouts, loc, places, &opts)
		if err == nil {
			err = addLine(rw, oc, orders, byID, &o, ln)
		}
		if err != nil {
			return err
		}
		if o.ID != "" { // a new order
			byID[o.ID] = len(orders)
			o.Currency = cur
			orders = append(orders, o)
		}
		return nil
	})
	if err != nil {
		return nil, res, err
	}
	return orders, res, nil
}

// parseOrderRow reads one row into an order header and its line.
func parseOrderRow(r *row, oc orderCols, layouts []string, loc *time.Location, places int, o *Options) (vip.Order, vip.Line, error) {
	var ord vip.Order
	var ln vip.Line
	var errs []error
	var err error
	if ord.CustomerID, err = r.text(oc.customer); err != nil {
		errs = append(errs, err)
	}
	if oc.order >= 0 {
		if ord.ID, err = r.text(oc.order); err != nil {
			errs = append(errs, err)
		}
	} else {
		ord.ID = "row-" + strconv.Itoa(r.line)
	}
	if ord.PlacedAt, err = r.date(oc.date, layouts, loc); err != nil {
		errs = append(errs, err)
	}
	qty := int64(1)
	if oc.quantity >= 0 {
		v, err := r.text(oc.quantity)
		if err != nil {
			errs = append(errs, err)
		} else if q, perr := strconv.ParseInt(v, 10, 64); perr != nil {
			errs = append(errs, r.bad(oc.quantity, "is not a whole number"))
		} else if q < 1 {
			errs = append(errs, r.bad(oc.quantity, "is below 1"))
		} else {
			qty = q
		}
	}
	ln.Quantity = qty
	unit := func(col int, dst *decimal.Decimal) {
		d, err := r.money(col, places, o.KeepPlaces)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if o.UnitPrices || qty == 1 {
			*dst = d
			return
		}
		u, ok := divideExact(d, qty)
		if !ok {
			errs = append(errs, r.bad(col, fmt.Sprintf("does not divide into %d equal unit prices; if the column holds unit prices say so (unit prices option), or leave the quantity column out", qty)))
			return
		}
		*dst = u
	}
	unit(oc.amount, &ln.PaidPrice)
	ln.ListPrice = ln.PaidPrice
	if oc.list >= 0 {
		unit(oc.list, &ln.ListPrice)
	}
	if oc.cost >= 0 {
		unit(oc.cost, &ln.UnitCost)
	}
	ln.SKU = r.get(oc.sku)
	ln.Category = r.get(oc.category)
	ln.Brand = r.get(oc.brand)
	if err := errors.Join(errs...); err != nil {
		return ord, ln, firstOrJoin(errs)
	}
	return ord, ln, nil
}

// splitError turns a CSV syntax error into a RowError at the line where it was found.
func splitError(file string, pe *csv.ParseError) error {
	return &RowError{File: file, Line: pe.Line, Reason: fmt.Sprintf("%v (at character %d)", pe.Err, pe.Column)}
}

// divideExact returns d / q when some number of decimal places (at most 20 more than
// d's) represents it exactly, with the fewest such places.
func divideExact(d decimal.Decimal, q int64) (decimal.Decimal, bool) {
	qd := decimal.NewFromInt(q)
	p := max(int32(0), -d.Exponent())
	for k := p; k <= p+20; k++ {
		u := d.DivRound(qd, k)
		if u.Mul(qd).Equal(d) {
			return u, true
		}
	}
	return decimal.Decimal{}, false
}

// firstOrJoin returns a single error as is (so that errors.As finds its RowError) and
// several joined.
func firstOrJoin(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// addLine adds ln to the order it belongs to. For a new order it fills o (whose ID
// stays set); for an existing one it appends the line there and clears o.ID.
func addLine(r *row, oc orderCols, orders []vip.Order, byID map[string]int, o *vip.Order, ln vip.Line) error {
	i, ok := byID[o.ID]
	if !ok {
		if ln.SKU == "" {
			ln.SKU = "line-1"
		}
		o.Lines = []vip.Line{ln}
		return nil
	}
	prev := &orders[i]
	if prev.CustomerID != o.CustomerID {
		return r.bad(oc.customer, fmt.Sprintf("differs from customer %q of the order's first row", prev.CustomerID))
	}
	if !prev.PlacedAt.Equal(o.PlacedAt) {
		return r.bad(oc.date, fmt.Sprintf("differs from date %s of the order's first row", prev.PlacedAt.Format(time.RFC3339)))
	}
	k := len(prev.Lines) + 1
	if ln.SKU == "" {
		ln.SKU = "line-" + strconv.Itoa(k)
	}
	if slices.ContainsFunc(prev.Lines, func(l vip.Line) bool { return l.SKU == ln.SKU }) {
		ln.SKU += "#" + strconv.Itoa(k)
	}
	prev.Lines = append(prev.Lines, ln)
	o.ID = ""
	return nil
}

func checkCurrency(c string) error {
	ok := len(c) == 3
	for i := 0; ok && i < 3; i++ {
		ok = c[i] >= 'A' && c[i] <= 'Z'
	}
	if !ok {
		return fmt.Errorf("csvin: currency %q is not an ISO 4217 code such as USD", c)
	}
	return nil
}

// Activities groups orders and refunds by customer, sorted by customer ID (byte
// order), each customer joined at their first order. Refunds must name their customer
// (as [ReadRefunds] does). It checks that order and refund IDs are unique.
func Activities(orders []vip.Order, refunds []vip.Refund) ([]*vip.Activity, error) {
	by := map[string]*vip.Activity{}
	seen := make(map[string]bool, len(orders))
	for _, o := range orders {
		if seen[o.ID] {
			return nil, fmt.Errorf("csvin: order %q appears twice", o.ID)
		}
		seen[o.ID] = true
		a := by[o.CustomerID]
		if a == nil {
			a = &vip.Activity{Customer: vip.Customer{ID: o.CustomerID, JoinedAt: o.PlacedAt}}
			by[o.CustomerID] = a
		}
		if o.PlacedAt.Before(a.Customer.JoinedAt) {
			a.Customer.JoinedAt = o.PlacedAt
		}
		a.Orders = append(a.Orders, o)
	}
	rseen := map[string]bool{}
	for _, r := range refunds {
		if rseen[r.ID] {
			return nil, fmt.Errorf("csvin: refund %q appears twice", r.ID)
		}
		rseen[r.ID] = true
		a := by[r.CustomerID]
		if a == nil {
			return nil, fmt.Errorf("csvin: refund %q: customer %q has no orders", r.ID, r.CustomerID)
		}
		a.Refunds = append(a.Refunds, r)
	}
	out := make([]*vip.Activity, 0, len(by))
	for _, a := range by {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *vip.Activity) int { return strings.Compare(a.Customer.ID, b.Customer.ID) })
	return out, nil
}

// ReadRefunds reads a refunds file: refund ID, order ID, date and amount (the money
// returned, above zero, rounded like order amounts). Each refund takes its customer and currency
// from its order in orders; a refund of an order not there, one dated before its order,
// or refunds of an order adding up to more than it paid (with shipping and tax) are bad
// rows.
func ReadRefunds(r io.Reader, orders []vip.Order, opts Options) ([]vip.Refund, Result, error) {
	var res Result
	layouts, err := Layouts(opts.DateFormat)
	if err != nil {
		return nil, res, err
	}
	places := MinorUnits(opts.currency())
	loc := opts.location()
	rd, t, err := start(r, &opts)
	if err != nil {
		return nil, res, err
	}
	var idc, oc, dc, ac int
	var errs []error
	for _, c := range []struct {
		dst       *int
		flag, key string
		spec      string
	}{
		{&idc, "refund id", "refund", opts.RefundColumns.ID},
		{&oc, "refund order", "refund_order", opts.RefundColumns.Order},
		{&dc, "refund date", "refund_date", opts.RefundColumns.Date},
		{&ac, "refund amount", "refund_amount", opts.RefundColumns.Amount},
	} {
		i, err := t.find(c.flag, c.spec, c.key, true)
		if err != nil {
			errs = append(errs, err)
		}
		*c.dst = i
	}
	if err := errors.Join(errs...); err != nil {
		return nil, res, err
	}
	byID := make(map[string]*vip.Order, len(orders))
	for i := range orders {
		byID[orders[i].ID] = &orders[i]
	}
	refunded := map[string]decimal.Decimal{}
	var out []vip.Refund
	err = eachRow(rd, t, opts.SkipBad, &res, func(rw *row) error {
		rf, err := func() (vip.Refund, error) {
			var rf vip.Refund
			var errs []error
			var err error
			if rf.ID, err = rw.text(idc); err != nil {
				errs = append(errs, err)
			}
			if rf.OrderID, err = rw.text(oc); err != nil {
				errs = append(errs, err)
			}
			if rf.At, err = rw.date(dc, layouts, loc); err != nil {
				errs = append(errs, err)
			}
			if rf.Amount, err = rw.money(ac, places, opts.KeepPlaces); err != nil {
				errs = append(errs, err)
			} else if rf.Amount.IsZero() {
				errs = append(errs, rw.bad(ac, "is not positive"))
			}
			if len(errs) > 0 {
				return rf, firstOrJoin(errs)
			}
			o := byID[rf.OrderID]
			if o == nil {
				return rf, rw.bad(oc, "is not an order of the orders file")
			}
			if rf.At.Before(o.PlacedAt) {
				return rf, rw.bad(dc, fmt.Sprintf("is before its order's date %s", o.PlacedAt.Format(time.RFC3339)))
			}
			sum := refunded[rf.OrderID].Add(rf.Amount)
			if sum.GreaterThan(o.Total()) {
				return rf, rw.bad(ac, fmt.Sprintf("brings the refunds of order %q to %s, above its total %s", rf.OrderID, sum, o.Total()))
			}
			refunded[rf.OrderID] = sum
			rf.CustomerID = o.CustomerID
			rf.Currency = o.Currency
			return rf, nil
		}()
		if err == nil {
			out = append(out, rf)
		}
		return err
	})
	if err != nil {
		return nil, res, err
	}
	return out, res, nil
}

// eachRow calls fn with every data row of rd, counting rows in res. A row that the CSV
// reader or fn rejects is counted and skipped under skipBad, and otherwise ends the
// read with its error; an error reading the file itself always ends it.
func eachRow(rd reader, t *table, skipBad bool, res *Result, fn func(*row) error) error {
	for {
		fields, line, err := rd.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		res.Rows++
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				res.Rows--
				return fmt.Errorf("%s: %w", t.file, err)
			}
			err = splitError(t.file, pe)
		} else {
			err = fn(&row{t: t, fields: fields, line: line})
		}
		if err != nil {
			if !skipBad {
				return err
			}
			res.skip(err)
		}
	}
}
