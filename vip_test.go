package vip_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

func validOrder(t testing.TB) vip.Order {
	return vip.Order{ID: "o1", CustomerID: "c1", PlacedAt: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC), Currency: "USD",
		Shipping: dec(t, "9.99"), Tax: dec(t, "20.00"),
		Lines: []vip.Line{
			{SKU: "a", Category: "shoes", Brand: "x", Quantity: 2, ListPrice: dec(t, "100.00"), PaidPrice: dec(t, "85.00"), UnitCost: dec(t, "40.00")},
			{SKU: "b", Category: "bags", Brand: "y", Quantity: 1, ListPrice: dec(t, "59.90"), PaidPrice: dec(t, "59.90"), UnitCost: dec(t, "20.10")},
		}}
}

func TestOrder_Totals(t *testing.T) {
	o := validOrder(t)
	// Paid 2 x 85.00 + 59.90 = 229.90; list 200.00 + 59.90 = 259.90; cost 80.00 + 20.10 =
	// 100.10; margin 129.80; discount 30.00; total 229.90 + 9.99 + 20.00 = 259.89.
	for _, tt := range []struct {
		name string
		got  decimal.Decimal
		want string
	}{
		{"Paid", o.Paid(), "229.90"}, {"ListValue", o.ListValue(), "259.90"}, {"Cost", o.Cost(), "100.10"},
		{"Margin", o.Margin(), "129.80"}, {"Discount", o.Discount(), "30.00"}, {"Total", o.Total(), "259.89"},
	} {
		if !tt.got.Equal(dec(t, tt.want)) {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	// Exactness past float64: 3 x 0.1 is 0.3, and a 25-digit amount survives.
	o.Lines = []vip.Line{{SKU: "z", Quantity: 3, ListPrice: dec(t, "0.1"), PaidPrice: dec(t, "0.1"), UnitCost: dec(t, "0")},
		{SKU: "big", Quantity: 7, ListPrice: dec(t, "123456789012345678901.2345"), PaidPrice: dec(t, "123456789012345678901.2345"), UnitCost: dec(t, "0")}}
	if want := dec(t, "864197523086419752308.9415"); !o.Paid().Equal(want) {
		t.Errorf("exact paid = %s, want %s", o.Paid(), want)
	}
}

func TestOrder_Validate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*vip.Order)
		want   []string
	}{
		{"OK", func(*vip.Order) {}, nil},
		{"ErrIDRequired", func(o *vip.Order) { o.ID = " " }, []string{`order " ": id is empty`}},
		{"ErrCustomerRequired", func(o *vip.Order) { o.CustomerID = "" }, []string{`customer_id is empty`}},
		{"ErrZeroTime", func(o *vip.Order) { o.PlacedAt = time.Time{} }, []string{`placed_at is zero`}},
		{"ErrCurrency", func(o *vip.Order) { o.Currency = "usd" }, []string{`currency "usd" is not an ISO 4217 code`}},
		{"ErrNoLines", func(o *vip.Order) { o.Lines = nil }, []string{`has no lines`}},
		{"ErrNegativePrice", func(o *vip.Order) { o.Lines[0].PaidPrice = dec(t, "-1") }, []string{`line 0: paid_price -1 is negative`}},
		{"ErrQuantity", func(o *vip.Order) { o.Lines[1].Quantity = 0 }, []string{`line 1: quantity 0 is below 1`}},
		{"ErrDuplicateSKU", func(o *vip.Order) { o.Lines[1].SKU = "a" }, []string{`line 1: sku "a" repeats line 0`}},
		{"ErrManyAtOnce", func(o *vip.Order) { o.ID = ""; o.Shipping = dec(t, "-5"); o.Lines[0].UnitCost = dec(t, "-2") },
			[]string{`id is empty`, `shipping -5 is negative`, `unit_cost -2 is negative`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder(t)
			tt.mutate(&o)
			err := o.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, vip.ErrInvalidOrder) {
				t.Fatalf("Validate() = %v, want ErrInvalidOrder", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestValidateRefunds(t *testing.T) {
	o := validOrder(t) // total 259.89
	at := o.PlacedAt.Add(time.Hour)
	r := func(id, amount string) vip.Refund {
		return vip.Refund{ID: id, OrderID: "o1", CustomerID: "c1", At: at, Currency: "USD", Amount: dec(t, amount)}
	}
	tests := []struct {
		name    string
		refunds []vip.Refund
		is      error
		want    string
	}{
		{"OKWhole", []vip.Refund{r("r1", "200.00"), r("r2", "59.89")}, nil, ""},
		{"ErrExceeds", []vip.Refund{r("r1", "200.00"), r("r2", "59.90")}, vip.ErrRefundExceedsOrder, `refund "r2": amount 59.9 is more than the 59.89 left of order "o1"`},
		{"ErrCurrency", []vip.Refund{func() vip.Refund { x := r("r1", "1"); x.Currency = "EUR"; return x }()}, vip.ErrCurrencyMismatch, `currency EUR differs from order "o1" in USD`},
		{"ErrBeforeOrder", []vip.Refund{func() vip.Refund { x := r("r1", "1"); x.At = o.PlacedAt.Add(-time.Second); return x }()}, vip.ErrInvalidRefund, `is before the order was placed`},
		{"ErrUnits", []vip.Refund{func() vip.Refund {
			x := r("r1", "1")
			x.Lines = []vip.RefundLine{{SKU: "a", Quantity: 3}}
			return x
		}()}, vip.ErrRefundExceedsOrder, `returns 3 of sku "a", 2 left`},
		{"ErrNotPositive", []vip.Refund{r("r1", "0")}, vip.ErrInvalidRefund, `amount 0 is not positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := vip.ValidateRefunds(o, tt.refunds)
			if tt.is == nil {
				if err != nil {
					t.Fatalf("ValidateRefunds = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ValidateRefunds = %v, want %v containing %q", err, tt.is, tt.want)
			}
		})
	}
}

func TestActivity_Validate(t *testing.T) {
	o := validOrder(t)
	o2 := validOrder(t)
	o2.Currency = "EUR"
	o2.ID = "o2"
	a := &vip.Activity{Customer: vip.Customer{ID: "c1", JoinedAt: o.PlacedAt}, Orders: []vip.Order{o, o, o2},
		Refunds: []vip.Refund{{ID: "r", OrderID: "nope", CustomerID: "c1", At: o.PlacedAt, Currency: "USD", Amount: dec(t, "1")}}}
	err := a.Validate("USD")
	for _, w := range []string{`order "o1" appears twice`, `order "o2": currency EUR, program currency USD`, `refund "r": order "nope" is not in the activity`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate = %v, want it to contain %q", err, w)
		}
	}
	if !errors.Is(err, vip.ErrCurrencyMismatch) {
		t.Errorf("Validate = %v, want it to wrap ErrCurrencyMismatch", err)
	}
	// The ladder refuses activity in another currency.
	l := simpleLadder(t, nil)
	if _, _, err := l.Evaluate(vip.Status{}, &vip.Activity{Customer: a.Customer, Orders: []vip.Order{o2}}, o.PlacedAt); !errors.Is(err, vip.ErrCurrencyMismatch) {
		t.Errorf("Evaluate with EUR orders on a USD ladder: %v, want ErrCurrencyMismatch", err)
	}
}

func TestCustomer_Validate(t *testing.T) {
	c := vip.Customer{ID: "c", JoinedAt: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), TimeZone: "Europe/Warsaw"}
	if err := c.Validate(); err != nil {
		t.Errorf("valid customer: %v", err)
	}
	c.TimeZone = "Europe/Atlantis"
	c.ID = ""
	err := c.Validate()
	if !errors.Is(err, vip.ErrInvalidCustomer) || !strings.Contains(err.Error(), `time_zone "Europe/Atlantis" is not an IANA zone`) || !strings.Contains(err.Error(), "id is empty") {
		t.Errorf("Validate = %v", err)
	}
}

// FuzzOrder_Validate feeds arbitrary JSON orders to Validate and the totals: never a
// panic, and an order that validates has non-negative totals.
func FuzzOrder_Validate(f *testing.F) {
	good, _ := json.Marshal(validOrder(f))
	f.Add(good)
	f.Add([]byte(`{"id":"x","customer_id":"c","placed_at":"2025-01-01T00:00:00Z","currency":"USD","lines":[{"sku":"a","quantity":1,"list_price":"1e30","paid_price":"0.0000001","unit_cost":"0"}]}`))
	f.Add([]byte(`{"lines":[{"sku":"a","quantity":-9223372036854775808,"paid_price":"-1"},{"sku":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var o vip.Order
		if json.Unmarshal(data, &o) != nil {
			return
		}
		err := o.Validate()
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidOrder) {
				t.Fatalf("error %v does not wrap ErrInvalidOrder", err)
			}
			return
		}
		if o.Paid().IsNegative() || o.Cost().IsNegative() || o.Total().IsNegative() {
			t.Fatalf("valid order with negative totals: %+v", o)
		}
		a := &vip.Activity{Customer: vip.Customer{ID: o.CustomerID, JoinedAt: o.PlacedAt}, Orders: []vip.Order{o}}
		l := simpleLadder(t, func(l *vip.Ladder) { l.Currency = o.Currency })
		if _, _, err := l.Evaluate(vip.Status{}, a, o.PlacedAt.Add(time.Hour)); err != nil {
			t.Fatalf("valid order fails to evaluate: %v", err)
		}
	})
}
