package report_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/report"
)

// genShop draws 1 to 25 customers with 0 to 6 orders each over 2024-2025, some partly
// refunded.
func genShop(t *rapid.T) []*vip.Activity {
	n := rapid.IntRange(1, 25).Draw(t, "customers")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []*vip.Activity
	for i := range n {
		id := fmt.Sprintf("c%02d", i)
		a := &vip.Activity{Customer: vip.Customer{ID: id}}
		for j := range rapid.IntRange(0, 6).Draw(t, "orders") {
			at := start.Add(time.Duration(rapid.IntRange(0, 730*24).Draw(t, "hour")) * time.Hour)
			amt := decimal.NewFromInt(int64(rapid.IntRange(1, 800000).Draw(t, "cents"))).Shift(-2)
			o := order(fmt.Sprintf("%s-o%d", id, j), id, at, amt.String())
			a.Orders = append(a.Orders, o)
			if rapid.IntRange(0, 9).Draw(t, "refund") == 0 {
				a.Refunds = append(a.Refunds, vip.Refund{ID: o.ID + "-r", OrderID: o.ID, CustomerID: id, At: at.Add(72 * time.Hour),
					Currency: "USD", Amount: amt.Div(decimal.NewFromInt(2)).Round(2)})
			}
		}
		out = append(out, a)
	}
	return out
}

// TestBuild_Invariants checks, on random shops, that every customer is counted once in
// each review and in the heat map, that the Pareto curve rises to 1 and holds the
// concentration's top shares, that the histogram counts every scored customer, and that
// the report does not depend on the order of the customers.
func TestBuild_Invariants(t *testing.T) {
	l := briefLadder(t)
	rapid.Check(t, func(t *rapid.T) {
		shop := genShop(t)
		hasActivity := false
		for _, a := range shop {
			hasActivity = hasActivity || len(a.Orders) > 0
		}
		months := rapid.IntRange(0, 24).Draw(t, "months")
		every := rapid.IntRange(0, 4).Draw(t, "every")
		r, err := report.Build(shop, report.Options{Ladder: l, Months: months, EveryMonths: every})
		if !hasActivity {
			if err == nil {
				t.Fatal("Build of a shop without orders succeeded; want an error about as_of")
			}
			return
		}
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		n := len(shop)
		cells := 0
		for _, row := range r.RFM.Counts {
			for _, c := range row {
				cells += c
			}
		}
		if cells != n {
			t.Fatalf("heat map counts %d customers, want %d", cells, n)
		}
		for _, p := range r.Backtest.Periods {
			s := p.None
			for _, c := range p.Tiers {
				s += c
			}
			if s != n {
				t.Fatalf("review %s counts %d customers, want %d", p.At, s, n)
			}
		}
		pts := r.Pareto.Points
		if !pts[0].RevenueShare.IsZero() || pts[0].Customers != 0 || pts[len(pts)-1].Customers != n {
			t.Fatalf("Pareto points run from %+v to %+v, want 0 customers to %d", pts[0], pts[len(pts)-1], n)
		}
		for i := 1; i < len(pts); i++ {
			if pts[i].Customers <= pts[i-1].Customers || pts[i].RevenueShare.LessThan(pts[i-1].RevenueShare) {
				t.Fatalf("Pareto points %+v then %+v do not rise", pts[i-1], pts[i])
			}
		}
		c := r.Pareto.Concentration
		if c.Total.IsPositive() && !pts[len(pts)-1].RevenueShare.Equal(decimal.NewFromInt(1)) {
			t.Fatalf("the last Pareto point holds %s of the revenue, want 1", pts[len(pts)-1].RevenueShare)
		}
		for _, top := range []struct {
			p     int
			share decimal.Decimal
		}{{1, c.Top1}, {5, c.Top5}, {10, c.Top10}, {20, c.Top20}} {
			k := (top.p*n + 99) / 100
			i := slices.IndexFunc(pts, func(p report.ParetoPoint) bool { return p.Customers == k })
			if i < 0 || !pts[i].RevenueShare.Equal(top.share) {
				t.Fatalf("top %d%%: concentration %s, curve point %d of %+v", top.p, top.share, i, pts)
			}
		}
		if r.CLV.Problem == "" {
			inBins := r.CLV.Over
			for _, b := range r.CLV.Bins {
				inBins += b.Customers
			}
			if inBins != r.CLV.Scored {
				t.Fatalf("histogram holds %d customers, %d scored", inBins, r.CLV.Scored)
			}
		}
		var page bytes.Buffer
		if err := r.WriteHTML(&page); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
		if strings.Contains(page.String(), "<script") {
			t.Fatal("the page has a script")
		}

		rev := slices.Clone(shop)
		slices.Reverse(rev)
		r2, err := report.Build(rev, report.Options{Ladder: l, Months: months, EveryMonths: every})
		if err != nil {
			t.Fatalf("Build of the reversed shop: %v", err)
		}
		if diff := cmp.Diff(r.Pareto, r2.Pareto, decimalEqual); diff != "" {
			t.Fatalf("Pareto depends on the customers' order (-forward +reversed):\n%s", diff)
		}
		if diff := cmp.Diff(r.RFM, r2.RFM); diff != "" {
			t.Fatalf("heat map depends on the customers' order (-forward +reversed):\n%s", diff)
		}
		if diff := cmp.Diff(r.Backtest, r2.Backtest); diff != "" {
			t.Fatalf("backtest depends on the customers' order (-forward +reversed):\n%s", diff)
		}
	})
}

// TestWriteHTML_NamesCannotAddMarkup checks, for random ladder, tier and report names,
// that the page has exactly as many "<" as the page of the same report with plain
// names: whatever a name holds, it adds no tag.
func TestWriteHTML_NamesCannotAddMarkup(t *testing.T) {
	base := briefLadder(t)
	pageWith := func(t *rapid.T, title, ladder string, tiers [3]string) (string, bool) {
		l := *base
		l.Tiers = slices.Clone(base.Tiers)
		l.Name = ladder
		for i := range l.Tiers {
			l.Tiers[i].Name = tiers[i]
		}
		if l.Validate() != nil {
			return "", false
		}
		r, err := report.Build(tinyShop(), report.Options{Ladder: &l, AsOf: tinyAsOf, Months: 3, Title: title})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		var buf bytes.Buffer
		if err := r.WriteHTML(&buf); err != nil {
			t.Fatalf("WriteHTML: %v", err)
		}
		return buf.String(), true
	}
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.StringMatching(`[a-zA-Z<>&"' /=;:!-]{1,20}`)
		var tiers [3]string
		for i := range tiers {
			tiers[i] = name.Draw(t, "tier")
		}
		title, ladder := name.Draw(t, "title"), name.Draw(t, "ladder")
		page, ok := pageWith(t, title, ladder, tiers)
		if !ok {
			t.Skip("the ladder is not valid with these names")
		}
		plain, _ := pageWith(t, "Title", "ladder", [3]string{"T1", "T2", "T3"})
		if got, want := strings.Count(page, "<"), strings.Count(plain, "<"); got != want {
			t.Fatalf("names %q, %q, %q give %d '<' in the page, plain names %d", title, ladder, tiers, got, want)
		}
	})
}
