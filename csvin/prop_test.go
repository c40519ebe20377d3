package csvin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/csvin"
)

// TestReadOrders_RoundTrip writes random orders as a line-item file (one row per line,
// unit prices, quoted customer IDs) and reads them back: the same orders.
func TestReadOrders_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 20).Draw(t, "orders")
		var orders []vip.Order
		for i := range n {
			o := vip.Order{
				ID:         fmt.Sprintf("o%d", i),
				CustomerID: rapid.SampledFrom([]string{"a", "b", "c d", "e,f"}).Draw(t, "customer"),
				PlacedAt:   time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.IntRange(0, 1e6).Draw(t, "at")) * time.Minute),
				Currency:   "USD",
			}
			for j := range rapid.IntRange(1, 4).Draw(t, "lines") {
				q := rapid.Int64Range(1, 5).Draw(t, "qty")
				unit := decimal.New(rapid.Int64Range(0, 100000).Draw(t, "cents"), -2)
				o.Lines = append(o.Lines, vip.Line{SKU: fmt.Sprintf("s%d", j), Quantity: q, ListPrice: unit, PaidPrice: unit})
			}
			orders = append(orders, o)
		}
		var b strings.Builder
		b.WriteString("order_id,customer_id,date,sku,qty,price\n")
		for _, o := range orders {
			for _, l := range o.Lines {
				fmt.Fprintf(&b, "%s,%q,%s,%s,%d,%s\n", o.ID, o.CustomerID, o.PlacedAt.Format(time.DateTime), l.SKU, l.Quantity, l.PaidPrice.StringFixed(2))
			}
		}
		got, _, err := csvin.ReadOrders(strings.NewReader(b.String()), csvin.Options{UnitPrices: true,
			Columns: csvin.Columns{SKU: "sku", Quantity: "qty", Amount: "price"}})
		if err != nil {
			t.Fatalf("ReadOrders: %v\n%s", err, b.String())
		}
		if diff := cmp.Diff(orders, got, cmpDec); diff != "" {
			t.Fatalf("round trip (-want +got):\n%s", diff)
		}
	})
}
