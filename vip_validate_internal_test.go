package vip

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip/internal/proptest"
)

// genValidationActivity draws one customer's activity that is valid before up to three
// mutations, each of which may or may not make it invalid: orders with one to three
// lines, IDs in or out of order, prices with up to four places (now and then one past
// int64), refunds within or at their order's total and units, points and balances.
func genValidationActivity(t *rapid.T) (*Activity, string) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cust := rapid.SampledFrom([]string{"c", "c", "c", ""}).Draw(t, "customer")
	cur := rapid.SampledFrom([]string{"USD", "USD", ""}).Draw(t, "currency")
	price := func(label string) decimal.Decimal {
		if rapid.IntRange(0, 20).Draw(t, label+"Huge") == 0 {
			return decimal.RequireFromString("123456789012345678901.25")
		}
		return decimal.New(rapid.Int64Range(0, 100000).Draw(t, label), -int32(rapid.IntRange(0, 4).Draw(t, label+"Places")))
	}
	a := &Activity{Customer: Customer{ID: cust, JoinedAt: base}}
	n := rapid.IntRange(0, 12).Draw(t, "orders")
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	if rapid.Bool().Draw(t, "shuffle") {
		for i := n - 1; i > 0; i-- {
			j := rapid.IntRange(0, i).Draw(t, "swap")
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	for i := range n {
		o := Order{ID: fmt.Sprintf("o%02d", ids[i]), CustomerID: cust, PlacedAt: base.AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "day")), Currency: "USD"}
		if cust == "" {
			o.CustomerID = "c"
		}
		if rapid.Bool().Draw(t, "shipping") {
			o.Shipping = price("ship")
		}
		if rapid.Bool().Draw(t, "tax") {
			o.Tax = price("tax")
		}
		for k := range rapid.IntRange(1, 3).Draw(t, "lines") {
			p := price("paid")
			o.Lines = append(o.Lines, Line{SKU: fmt.Sprintf("s%d", k), Quantity: rapid.Int64Range(1, 5).Draw(t, "qty"), ListPrice: p, PaidPrice: p, UnitCost: price("cost")})
		}
		a.Orders = append(a.Orders, o)
	}
	for i := range a.Orders {
		o := &a.Orders[i]
		left := o.Total()
		units := map[string]int64{}
		for _, ln := range o.Lines {
			units[ln.SKU] = ln.Quantity
		}
		for k := range rapid.IntRange(0, 2).Draw(t, "refunds") {
			if !left.IsPositive() {
				break
			}
			r := Refund{ID: fmt.Sprintf("%s-r%d", o.ID, k), OrderID: o.ID, CustomerID: o.CustomerID, At: o.PlacedAt.AddDate(0, 0, rapid.IntRange(0, 30).Draw(t, "refundDay")), Currency: o.Currency}
			switch rapid.IntRange(0, 2).Draw(t, "refundAmount") {
			case 0:
				r.Amount = left // all that is left, exactly
			case 1:
				r.Amount = left.Div(decimal.NewFromInt(2)).RoundDown(2)
			default:
				r.Amount = decimal.New(1, -2)
			}
			if !r.Amount.IsPositive() || r.Amount.GreaterThan(left) {
				continue
			}
			left = left.Sub(r.Amount)
			for _, ln := range o.Lines {
				q := units[ln.SKU] // every unit left, or some, or none
				if rapid.Bool().Draw(t, "someUnits") {
					q = rapid.Int64Range(0, q).Draw(t, "refundQty")
				}
				if q > 0 {
					r.Lines = append(r.Lines, RefundLine{SKU: ln.SKU, Quantity: q})
					units[ln.SKU] -= q
				}
			}
			a.Refunds = append(a.Refunds, r)
		}
	}
	if rapid.Bool().Draw(t, "shuffleRefunds") {
		for i := len(a.Refunds) - 1; i > 0; i-- {
			j := rapid.IntRange(0, i).Draw(t, "refundSwap")
			a.Refunds[i], a.Refunds[j] = a.Refunds[j], a.Refunds[i]
		}
	}
	for range rapid.IntRange(0, 2).Draw(t, "points") {
		a.Points = append(a.Points, PointsEntry{At: base.AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "pointsDay")), Points: decimal.NewFromInt(5)})
	}
	for range rapid.IntRange(0, 2).Draw(t, "balances") {
		a.Balances = append(a.Balances, BalanceSnapshot{At: base.AddDate(0, 0, rapid.IntRange(0, 400).Draw(t, "balanceDay")), Balance: decimal.NewFromInt(5)})
	}
	for range rapid.IntRange(0, 3).Draw(t, "mutations") {
		mutateActivity(t, a)
	}
	return a, cur
}

// mutateActivity changes one field of a in a way that usually, not always, makes it
// invalid, drawn from the changes that apply to a (those on refunds only when a has
// refunds, and so on).
func mutateActivity(t *rapid.T, a *Activity) {
	oi := func() *Order { return &a.Orders[rapid.IntRange(0, len(a.Orders)-1).Draw(t, "mutOrder")] }
	ri := func() *Refund { return &a.Refunds[rapid.IntRange(0, len(a.Refunds)-1).Draw(t, "mutRefund")] }
	var muts []func()
	if len(a.Orders) > 0 {
		muts = append(muts,
			func() { oi().CustomerID = "other" },
			func() { oi().Currency = "EUR" },
			func() { oi().Currency = "usd" },
			func() { o := oi(); o.Lines = append(o.Lines, o.Lines[0]) }, // a repeated SKU
			func() { oi().Lines[0].Quantity = 0 },
			func() { oi().Lines[0].PaidPrice = decimal.New(-1, 0) },
			func() { oi().Tax = decimal.New(-1, -2) },
			func() { oi().PlacedAt = time.Time{} },
			func() { oi().ID = " " },
			func() { oi().Lines[0].Quantity = 1 }, // fewer units than may have been refunded
			func() { oi().Tax = decimal.Zero },    // less than may have been refunded
		)
	}
	if len(a.Orders) > 1 {
		muts = append(muts, func() { a.Orders[1].ID = a.Orders[0].ID })
	}
	if len(a.Refunds) > 0 {
		muts = append(muts,
			func() { r := ri(); r.Amount = r.Amount.Add(decimal.New(1, -2)) }, // over the order's total when it took all that was left
			func() {
				// the refunds of one order one cent over its total, or exactly at it
				r := ri()
				left := decimal.Zero
				for _, o := range a.Orders {
					if o.ID == r.OrderID {
						left = o.Total()
					}
				}
				for _, x := range a.Refunds {
					if x.OrderID == r.OrderID && x.ID != r.ID {
						left = left.Sub(x.Amount)
					}
				}
				r.Amount = left.Add(decimal.New(rapid.Int64Range(0, 1).Draw(t, "cents"), -2))
			},
			func() { ri().OrderID = "nope" },
			func() { ri().OrderID = "" },
			func() {
				r := ri()
				for _, o := range a.Orders {
					if o.ID == r.OrderID {
						r.At = o.PlacedAt.Add(time.Duration(rapid.IntRange(-1, 1).Draw(t, "refundSecond")) * time.Second) // a second before the order, at it or after
					}
				}
			},
			func() { ri().Currency = "EUR" },
			func() { ri().CustomerID = "other" },
			func() { ri().Amount = decimal.Zero },
			func() {
				r := ri()
				r.Lines = append(r.Lines, RefundLine{SKU: "s0", Quantity: rapid.Int64Range(1, 6).Draw(t, "moreUnits")}) // over the units, a repeat, or fine
			},
			func() { r := ri(); r.Lines = append(r.Lines, RefundLine{SKU: "s9", Quantity: 1}) },
			func() {
				if r := ri(); len(r.Lines) > 0 {
					r.Lines[0].Quantity++
				}
			},
			func() {
				// a second refund of the same units, which exceeds them when the first took
				// every unit left
				r := *ri()
				r.ID += "-again"
				r.Amount = decimal.New(1, -2)
				r.Lines = slices.Clone(r.Lines)
				a.Refunds = append(a.Refunds, r)
			},
		)
		if len(a.Orders) > 0 {
			muts = append(muts, func() { ri().OrderID = oi().ID }) // a refund of another order, within or over its total
		}
	}
	if len(a.Refunds) > 1 {
		muts = append(muts, func() { a.Refunds[1].ID = a.Refunds[0].ID })
	}
	if len(a.Points) > 0 {
		muts = append(muts, func() { a.Points[0].At = time.Time{} })
	}
	if len(a.Balances) > 0 {
		muts = append(muts, func() { a.Balances[0].At = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC) })
	}
	if len(muts) > 0 {
		muts[rapid.IntRange(0, len(muts)-1).Draw(t, "mutation")]()
	}
}

// TestActivity_ValidateFastPath checks Activity.Validate, with its fast path, against
// the full check (validateFull, the whole of Validate before the fast path, unchanged):
// the same error text and sentinels, nil alike, and the fast path's verdict equal to the
// full check's, with one scratch reused over many activities as a backtest reuses it.
func TestActivity_ValidateFastPath(t *testing.T) {
	var valid, invalid int
	proptest.Check(t, 5, func(t *rapid.T) {
		var c activityCheck
		for range rapid.IntRange(1, 20).Draw(t, "activities") {
			a, cur := genValidationActivity(t)
			want := a.validateFull(cur)
			if ok := c.ok(a, cur); ok != (want == nil) {
				t.Fatalf("fast path ok = %v, full check = %v\nactivity %+v", ok, want, a)
			}
			got := c.validate(a, cur)
			if (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
				t.Fatalf("Validate = %v\nfull check = %v", got, want)
			}
			for _, s := range []error{ErrInvalidOrder, ErrInvalidRefund, ErrInvalidActivity, ErrCurrencyMismatch, ErrRefundExceedsOrder} {
				if errors.Is(got, s) != errors.Is(want, s) {
					t.Fatalf("Validate = %v wraps %v: %v; full check: %v", got, s, errors.Is(got, s), errors.Is(want, s))
				}
			}
			if want == nil {
				valid++
			} else {
				invalid++
			}
		}
	}, func() error {
		// The generator must reach both verdicts often, or the property says little.
		if valid < 50 || invalid < 50 {
			return fmt.Errorf("%d valid and %d invalid activities drawn: the generator is lopsided", valid, invalid)
		}
		return nil
	})
	t.Logf("%d valid and %d invalid activities", valid, invalid)
}

// TestUniqueIDs works small cases by hand, pairwise (pairs 8) and through the map (pairs
// 0), with one map reused over all the cases: in order, out of order, repeats adjacent
// and apart, and the map holding each ID's position after IDs out of order.
func TestUniqueIDs(t *testing.T) {
	var seen map[string]int
	for _, tc := range []struct {
		ids     []string
		want    bool
		inOrder bool
	}{
		{nil, true, true},
		{[]string{"a"}, true, true},
		{[]string{"a", "b", "c"}, true, true},
		{[]string{"a", "a"}, false, false},
		{[]string{"b", "a", "c"}, true, false},
		{[]string{"b", "c", "b"}, false, false},
		{[]string{"a", "b", "b", "c"}, false, false},
		{[]string{"10", "9", "100"}, true, false},
		{[]string{"c", "b", "a", "d", "e", "f", "g", "h", "i", "a"}, false, false},
	} {
		for _, pairs := range []int{0, 8} {
			inOrder, ok := uniqueIDs(len(tc.ids), func(i int) string { return tc.ids[i] }, pairs, &seen)
			if ok != tc.want || inOrder != tc.inOrder {
				t.Errorf("uniqueIDs(%q, pairs %d) = in order %v, %v; want in order %v, %v", tc.ids, pairs, inOrder, ok, tc.inOrder, tc.want)
			}
			if pairs == 0 && ok && !inOrder {
				for i, id := range tc.ids {
					if seen[id] != i || len(seen) != len(tc.ids) {
						t.Errorf("uniqueIDs(%q) left positions %v, want %q at %d", tc.ids, seen, id, i)
					}
				}
			}
		}
	}
}

// TestValidInstant checks the bounds of validInstant by hand at the edges of the years
// 1900 and 2200, in UTC and in a zone east of it, and against the year of random
// instants.
func TestValidInstant(t *testing.T) {
	east := time.FixedZone("east", 3600)
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Time{}, false},
		{time.Date(1899, 12, 31, 23, 59, 59, 999999999, time.UTC), false},
		{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(1900, 1, 1, 0, 30, 0, 0, east), false}, // 1899-12-31 23:30 UTC
		{time.Date(1900, 1, 1, 1, 0, 0, 0, east), true},
		{time.Date(2200, 12, 31, 23, 59, 59, 999999999, time.UTC), true},
		{time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2201, 1, 1, 0, 30, 0, 0, east), true}, // 2200-12-31 23:30 UTC
		{time.Date(2025, 6, 1, 12, 0, 0, 0, east), true},
	} {
		if got := validInstant(tc.at); got != tc.want {
			t.Errorf("validInstant(%s) = %v, want %v", tc.at.Format(time.RFC3339Nano), got, tc.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		at := time.Unix(rapid.Int64Range(-3e9, 8e9).Draw(t, "sec"), rapid.Int64Range(0, 999999999).Draw(t, "nsec"))
		y := at.UTC().Year()
		if got, want := validInstant(at), y >= 1900 && y <= 2200; got != want {
			t.Fatalf("validInstant(%s) = %v, want %v", at.UTC().Format(time.RFC3339Nano), got, want)
		}
	})
}
