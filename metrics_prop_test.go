package vip_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

// genShop draws 1-6 customers with up to 12 orders each over two years from propBase,
// some orders without costs, some partly refunded within 90 days, some customers' orders
// in time order.
func genShop(t *rapid.T) []*vip.Activity {
	n := rapid.IntRange(1, 6).Draw(t, "customers")
	out := make([]*vip.Activity, n)
	for c := range out {
		id := fmt.Sprintf("c%d", c)
		os := genOrders(t, id+"o", 12)
		a := &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: propBase}}
		for i := range os {
			os[i].CustomerID = id
			if rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("%sCost%d", id, i)) == 0 {
				os[i].Lines[0].UnitCost = decimal.Zero
			}
			if rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("%sRefund%d", id, i)) == 0 {
				pct := rapid.Int64Range(1, 100).Draw(t, fmt.Sprintf("%sPct%d", id, i))
				a.Refunds = append(a.Refunds, vip.Refund{ID: fmt.Sprintf("%sr%d", id, i), OrderID: os[i].ID, CustomerID: id, Currency: "USD",
					At:     os[i].PlacedAt.AddDate(0, 0, rapid.IntRange(0, 90).Draw(t, fmt.Sprintf("%sAfter%d", id, i))),
					Amount: os[i].Total().Mul(decimal.NewFromInt(pct)).Div(decimal.NewFromInt(100)).Round(2)})
			}
		}
		if rapid.Bool().Draw(t, id+"Sorted") { // as a store hands them over
			slices.SortStableFunc(os, func(x, y vip.Order) int { return x.PlacedAt.Compare(y.PlacedAt) })
		}
		a.Orders = os
		out[c] = a
	}
	return out
}

// genCatalogue prices every tier of l with a 10% discount, an $8 shipped order and a
// $25 birthday credit.
func genCatalogue(l *vip.Ladder) vip.Catalogue {
	cat := vip.Catalogue{Currency: l.Currency}
	for _, tier := range l.Tiers {
		cat.Tiers = append(cat.Tiers, vip.Benefits{Tier: tier.Name,
			Discount: &vip.Discount{Rate: decimal.RequireFromString("0.10")},
			Shipping: &vip.FreeShipping{Level: vip.ShippingStandard, CostPerOrder: decimal.NewFromInt(8)},
			Credits:  []vip.Credit{{Trigger: vip.TriggerBirthday, Amount: decimal.NewFromInt(25)}}})
	}
	return cat
}

// TestProgramMetrics_Properties: the metrics do not depend on the order the customers
// are given in, shares lie in [0, 1], day counts and spends are not negative, and a
// buyer has at least one order a year.
func TestProgramMetrics_Properties(t *testing.T) {
	kinds := []vip.BenefitKind{vip.BenefitCreditBirthday, vip.BenefitShipping, vip.BenefitSupport}
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		customers := genShop(t)
		var rs []vip.Redemption
		for i := range rapid.IntRange(0, 10).Draw(t, "redemptions") {
			rs = append(rs, vip.Redemption{
				CustomerID: customers[rapid.IntRange(0, len(customers)-1).Draw(t, fmt.Sprintf("rc%d", i))].Customer.ID,
				Benefit:    kinds[rapid.IntRange(0, len(kinds)-1).Draw(t, fmt.Sprintf("rk%d", i))],
				At:         propBase.AddDate(0, 0, rapid.IntRange(0, 800).Draw(t, fmt.Sprintf("rd%d", i))),
				Value:      decimal.NewFromInt(rapid.Int64Range(0, 50).Draw(t, fmt.Sprintf("rv%d", i))),
			})
		}
		cat := genCatalogue(&l)
		mo := &vip.MetricsOptions{Redemptions: rs, LTVMinMonths: rapid.IntRange(0, 12).Draw(t, "minMonths")}
		if rapid.Bool().Draw(t, "catalogue") {
			mo.Catalogue = &cat
		}
		opts := vip.BacktestOptions{From: propBase.AddDate(0, rapid.IntRange(1, 12).Draw(t, "from"), 0), To: propBase.AddDate(2, 0, 0),
			EveryMonths: rapid.IntRange(1, 3).Draw(t, "every")}
		res, err := l.Backtest(customers, opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := vip.ProgramMetricsWith(&l, res, customers, mo)
		if err != nil {
			t.Fatal(err)
		}

		perm := rapid.Permutation(customers).Draw(t, "perm")
		res2, err := l.Backtest(perm, opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res.Periods, res2.Periods, cmpOpts); diff != "" {
			t.Fatalf("backtest of the customers in another order (-first +permuted):\n%s", diff)
		}
		got2, err := vip.ProgramMetricsWith(&l, res2, perm, mo)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, got2, cmpOpts); diff != "" {
			t.Fatalf("metrics of the customers in another order (-first +permuted):\n%s", diff)
		}

		one := decimal.NewFromInt(1)
		for _, m := range got {
			switch {
			case m.Name == "upgrade_share" || m.Name == "redemption_share" || m.Name == "reactivation_rate":
				if m.Value.IsNegative() || m.Value.GreaterThan(one) {
					t.Fatalf("%+v: outside [0, 1]", m)
				}
			case m.Name == "orders_per_year":
				if m.Value.LessThan(one) {
					t.Fatalf("%+v: below one order per buyer", m)
				}
			case slices.Contains([]string{"days_between_orders", "days_between_orders_median", "days_to_reach", "days_to_reach_median",
				"spend_per_month_before", "spend_per_month_after", "redemption_value", "demotion_rate"}, m.Name):
				if m.Value.IsNegative() {
					t.Fatalf("%+v: negative", m)
				}
			case m.Name == "ltv_lift" || m.Name == "retention_lift" || m.Name == "redemption_vs_assumed":
				if m.Value.LessThan(one.Neg()) {
					t.Fatalf("%+v: below -1", m)
				}
			}
		}
	})
}

// TestLadder_Backtest_PnLMembers: each period's P&L is the catalogue's P&L over the
// members found by a naive re-scan: the tier held at the review (replayed from the first
// entry) and, per member, the orders placed in the 12 months up to the review, their paid
// spend less their refunds made by then (not below zero), and their gross profit when
// every line of them has a cost. The tier counts match the same replay.
func TestLadder_Backtest_PnLMembers(t *testing.T) {
	margin := decimal.RequireFromString("0.40")
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		customers := genShop(t)
		cat := genCatalogue(&l)
		opts := vip.BacktestOptions{From: propBase.AddDate(0, rapid.IntRange(0, 12).Draw(t, "from"), rapid.IntRange(0, 27).Draw(t, "fromDay")),
			To: propBase.AddDate(2, 1, 0), EveryMonths: rapid.IntRange(1, 4).Draw(t, "every"), Catalogue: &cat, Margin: margin}
		res, err := l.Backtest(customers, opts)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := l.Location()
		for _, p := range res.Periods {
			var members []vip.PnLMember
			tiers := map[string]int{}
			for _, a := range customers {
				st, _, err := l.Evaluate(vip.Status{}, a, p.At)
				if err != nil {
					t.Fatal(err)
				}
				tiers[st.Tier]++
				if st.Tier == "" {
					continue
				}
				from := vip.AddMonths(p.At, -12, loc)
				spend, gross := decimal.Zero, decimal.Zero
				orders, costed := int64(0), true
				in := map[string]bool{}
				for _, o := range a.Orders {
					if o.PlacedAt.After(from) && !o.PlacedAt.After(p.At) {
						in[o.ID] = true
						orders++
						spend = spend.Add(o.Paid())
						gross = gross.Add(o.Paid()).Sub(o.Cost())
						for _, ln := range o.Lines {
							costed = costed && !ln.UnitCost.IsZero()
						}
					}
				}
				for _, r := range a.Refunds {
					if in[r.OrderID] && !r.At.After(p.At) {
						spend, gross = spend.Sub(r.Amount), gross.Sub(r.Amount)
					}
				}
				m := vip.PnLMember{CustomerID: a.Customer.ID, Tier: st.Tier, AnnualSpend: decimal.Max(spend, decimal.Zero), OrdersPerYear: decimal.NewFromInt(orders)}
				if costed && orders > 0 {
					m.GrossProfit = &gross
				}
				members = append(members, m)
			}
			if diff := cmp.Diff(tiers, p.Tiers); diff != "" {
				t.Fatalf("tiers at %s (-replay +backtest):\n%s", p.At, diff)
			}
			want, err := cat.PnL(members, margin, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&want, p.PnL, cmpOpts); diff != "" {
				t.Fatalf("P&L at %s (-naive +backtest):\n%s", p.At, diff)
			}
		}
	})
}

// TestLadder_Backtest_StepByStep: the backtest's flows, tier counts and final statuses
// are those of evaluating every customer at every review in turn, each from its status at
// the review before (the backtest skips the customers with nothing due).
func TestLadder_Backtest_StepByStep(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		customers := genShop(t)
		// Some customers' first order is too large for int64 cents: their running sums
		// take the exact path, and the backtest's reused Ledger moves between the two.
		for i, a := range customers {
			if len(a.Orders) > 0 && rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("huge%d", i)) == 0 {
				ln := &a.Orders[0].Lines[0]
				ln.ListPrice = decimal.RequireFromString("123456789012345678901.23")
				ln.PaidPrice = ln.ListPrice
			}
		}
		opts := vip.BacktestOptions{From: propBase.AddDate(0, rapid.IntRange(0, 12).Draw(t, "from"), rapid.IntRange(0, 27).Draw(t, "fromDay")),
			To: propBase.AddDate(2, 3, 0), EveryMonths: rapid.IntRange(1, 4).Draw(t, "every")}
		res, err := l.Backtest(customers, opts)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := l.Location()
		sts := make([]vip.Status, len(customers))
		for k, p := range res.Periods {
			if at := vip.AddMonths(opts.From, k*opts.EveryMonths, loc); !at.Equal(p.At) {
				t.Fatalf("period %d at %s, want %s", k, p.At, at)
			}
			want := vip.BacktestPeriod{At: p.At, Tiers: map[string]int{}, Moves: map[string]int{}}
			for i, a := range customers {
				st, evs, err := l.Evaluate(sts[i], a, p.At)
				if err != nil {
					t.Fatal(err)
				}
				sts[i] = st
				want.Tiers[st.Tier]++
				for _, e := range evs {
					switch e.Kind {
					case vip.EventEnrolled, vip.EventUpgraded:
						want.Upgrades++
						if e.Reentry {
							want.Reactivations++
						}
						want.Moves[e.From+">"+e.To]++
					case vip.EventDowngraded:
						want.Downgrades++
						want.Moves[e.From+">"+e.To]++
					case vip.EventGraceStarted:
						want.GraceStarted++
					}
				}
			}
			if diff := cmp.Diff(want, p, cmpOpts); diff != "" {
				t.Fatalf("period %d (-step by step +backtest):\n%s", k, diff)
			}
		}
		for i, a := range customers {
			if got := res.Statuses[a.Customer.ID]; !got.Equal(sts[i]) {
				t.Fatalf("customer %s: backtest status %+v, step by step %+v", a.Customer.ID, got, sts[i])
			}
		}
	})
}
