package vip

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestLadder_LedgersArena checks the Ledgers that Ladder.Ledgers lays out in shared
// blocks against Ledgers made one by one, on random activities (nil ones, refunds,
// orders out of order included), and that reusing one of them for a larger activity
// (as a backtest does) leaves its neighbours' arrays alone: each Ledger's slices are
// capped at its own part of the blocks.
func TestLadder_LedgersArena(t *testing.T) {
	l := &Ladder{Name: "l", Currency: "USD", GraceMonths: 1, Tiers: []Tier{
		{Name: "S", Qualify: decimal.NewFromInt(100)}, {Name: "G", Qualify: decimal.NewFromInt(400)}}}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	draw := func(t *rapid.T, id string, most int) *Activity {
		a := &Activity{Customer: Customer{ID: id}}
		for i := range rapid.IntRange(0, most).Draw(t, id+"-orders") {
			amt := decimal.New(rapid.Int64Range(1, 30000).Draw(t, id+"-cents"), -2)
			at := base.Add(time.Duration(rapid.IntRange(0, 400*24).Draw(t, id+"-hour")) * time.Hour)
			a.Orders = append(a.Orders, Order{ID: fmt.Sprint(id, "-", i), CustomerID: id, PlacedAt: at, Currency: "USD",
				Lines: []Line{{SKU: "s", Quantity: 1, ListPrice: amt, PaidPrice: amt}}})
		}
		for i, o := range a.Orders {
			if rapid.IntRange(0, 3).Draw(t, id+"-refund") == 0 {
				a.Refunds = append(a.Refunds, Refund{ID: fmt.Sprint(id, "-r", i), OrderID: o.ID, CustomerID: id, Currency: "USD", At: o.PlacedAt.Add(24 * time.Hour),
					Amount: o.Paid().Div(decimal.NewFromInt(2)).Round(2)})
			}
		}
		return a
	}
	rapid.Check(t, func(t *rapid.T) {
		var acts []*Activity
		for i := range rapid.IntRange(1, 6).Draw(t, "customers") {
			if rapid.IntRange(0, 5).Draw(t, "nil") == 0 {
				acts = append(acts, nil)
				continue
			}
			acts = append(acts, draw(t, fmt.Sprint("c", i), 6))
		}
		gs, err := l.Ledgers(acts)
		if err != nil {
			t.Fatal(err)
		}
		now := base.AddDate(1, 2, 0)
		check := func(stage string) {
			for i, g := range gs {
				got, gotEvs, err := g.Evaluate(Status{}, now)
				if err != nil {
					t.Fatal(err)
				}
				want, wantEvs, err := l.Evaluate(Status{}, acts[i], now)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(want) || len(gotEvs) != len(wantEvs) {
					t.Fatalf("%s: customer %d: arena %+v (%d events), alone %+v (%d events)", stage, i, got, len(gotEvs), want, len(wantEvs))
				}
				for k := range gotEvs {
					if !gotEvs[k].Equal(wantEvs[k]) {
						t.Fatalf("%s: customer %d: event %d: arena %+v, alone %+v", stage, i, k, gotEvs[k], wantEvs[k])
					}
				}
			}
		}
		check("made")
		// Ledger 0 reused for a larger activity: it must not write into ledger 1's part.
		p, err := l.ledgers()
		if err != nil {
			t.Fatal(err)
		}
		big := draw(t, "c0", 12)
		if _, err := p.ledger(gs[0], big); err != nil {
			t.Fatal(err)
		}
		acts[0] = big
		check("reused")
	})
}
