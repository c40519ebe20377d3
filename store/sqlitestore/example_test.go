package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/sqlitestore"
)

// A program that keeps its state in a SQLite file: the second run continues from the
// first.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "vip-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "shop.db")
	ladder, _ := vip.ParseLadder([]byte(`{"name": "vip", "currency": "USD",
	  "tiers": [{"name": "Silver", "qualify": "2000"}, {"name": "Gold", "qualify": "5000"}]}`))

	for run, paid := range []string{"2500.00", "3000.50"} {
		s, err := sqlitestore.Open(ctx, path, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		now := time.Date(2025, time.Month(3+run), 1, 0, 0, 0, 0, time.UTC)
		e, _ := vip.NewEngine(s, ladder, &vip.EngineOptions{Clock: func() time.Time { return now }})
		p := decimal.RequireFromString(paid)
		_, err = e.Ingest(ctx, vip.Batch{Orders: []vip.Order{{ID: fmt.Sprint("o", run), CustomerID: "ann",
			PlacedAt: now.Add(-time.Hour), Currency: "USD", Lines: []vip.Line{{SKU: "coat", Quantity: 1, ListPrice: p, PaidPrice: p}}}}})
		if err != nil {
			fmt.Println(err)
			return
		}
		a, _ := e.Activity(ctx, "ann")
		st, _ := e.Status(ctx, "ann")
		fmt.Printf("run %d: %d order(s), last paid %s, tier %s since %s\n", run+1, len(a.Orders),
			a.Orders[len(a.Orders)-1].Paid().StringFixed(2), st.Tier, st.Since.Format(time.DateOnly))
		s.Close()
	}
	// Output:
	// run 1: 1 order(s), last paid 2500.00, tier Silver since 2025-02-28
	// run 2: 2 order(s), last paid 3000.50, tier Gold since 2025-03-31
}
