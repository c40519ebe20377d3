package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestScore_Properties scores random histories and checks the output against sums
// taken straight from the generated rows: one row per customer who bought by the as-of
// date, sorted by ID; frequencies and net spend add up to the orders and refunds in the
// window; every score is 1-5 and each quintile holds n/5 customers, give or take one.
func TestScore_Properties(t *testing.T) {
	dir := t.TempDir()
	runs := 0
	rapid.Check(t, func(t *rapid.T) {
		asOf := time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)
		start := asOf.AddDate(-1, 0, 0) // the 12-month window (start, asOf]
		n := rapid.IntRange(1, 60).Draw(t, "orders")
		var orders, refunds strings.Builder
		orders.WriteString("order_id,customer_id,date,amount\n")
		refunds.WriteString("refund_id,order_id,date,amount\n")
		buyers := map[string]bool{}
		wantOrders := 0
		wantNet := decimal.Zero
		for i := range n {
			cust := fmt.Sprintf("c%02d", rapid.IntRange(0, 15).Draw(t, "customer"))
			at := asOf.AddDate(0, 0, -rapid.IntRange(-30, 500).Draw(t, "days before"))
			amt := decimal.New(rapid.Int64Range(0, 100000).Draw(t, "cents"), -2)
			fmt.Fprintf(&orders, "o%d,%s,%s,%s\n", i, cust, at.Format(time.DateOnly), amt.StringFixed(2))
			if !at.After(asOf) {
				buyers[cust] = true
				if at.After(start) {
					wantOrders++
					wantNet = wantNet.Add(amt)
				}
			}
			if amt.GreaterThanOrEqual(decimal.New(1, 0)) && rapid.Bool().Draw(t, "refunded") {
				back := amt.Mul(decimal.New(rapid.Int64Range(1, 100).Draw(t, "percent"), -2)).Round(2)
				rat := at.AddDate(0, 0, rapid.IntRange(0, 40).Draw(t, "refund after"))
				fmt.Fprintf(&refunds, "r%d,o%d,%s,%s\n", i, i, rat.Format(time.DateOnly), back.StringFixed(2))
				if rat.After(start) && !rat.After(asOf) && !at.After(asOf) {
					wantNet = wantNet.Sub(back)
				}
			}
		}
		runs++
		path := filepath.Join(dir, fmt.Sprintf("refunds-%d.csv", runs))
		if err := os.WriteFile(path, []byte(refunds.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run([]string{"score", "--orders", "-", "--refunds", path, "--as-of", "2024-07-01", "--no-clv"},
			strings.NewReader(orders.String()), &stdout, &stderr)
		out, errs := stdout.String(), stderr.String()
		if len(buyers) == 0 {
			if code != 1 || !strings.Contains(errs, "no customer bought") {
				t.Fatalf("no buyers: exit %d, %s", code, errs)
			}
			return
		}
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		rows = rows[1:]
		if len(rows) != len(buyers) {
			t.Fatalf("%d rows for %d buyers", len(rows), len(buyers))
		}
		if !slices.IsSortedFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) }) {
			t.Fatal("rows not sorted by customer ID")
		}
		gotOrders, gotNet := 0, decimal.Zero
		count := map[string]int{}
		for _, r := range rows {
			f, _ := strconv.Atoi(r[2])
			gotOrders += f
			gotNet = gotNet.Add(decimal.RequireFromString(r[3]))
			for _, s := range r[4:7] {
				if s < "1" || s > "5" || len(s) != 1 {
					t.Fatalf("score %q out of 1-5 in %v", s, r)
				}
			}
			count[r[4]]++
		}
		if gotOrders != wantOrders || !gotNet.Equal(wantNet) {
			t.Fatalf("frequency %d, net %s; want %d, %s", gotOrders, gotNet, wantOrders, wantNet)
		}
		for s, c := range count {
			if c < len(rows)/5 || c > len(rows)/5+1 {
				t.Fatalf("R = %s holds %d of %d customers", s, c, len(rows))
			}
		}
	})
}
