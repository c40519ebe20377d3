package vip_test

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// exampleLadder is the brief's ladder: Silver $2,000, Gold $5,000, Platinum $10,000 of
// net spend over a rolling 12 months, 3 months' grace, one tier down per landing.
func exampleLadder() vip.Ladder {
	l, err := vip.ParseLadder([]byte(`{
		"name": "vip", "currency": "USD",
		"period": {"kind": "rolling", "months": 12},
		"tiers": [
			{"name": "Silver", "qualify": "2000"},
			{"name": "Gold", "qualify": "5000"},
			{"name": "Platinum", "qualify": "10000"}
		],
		"grace_months": 3,
		"landing": {"mode": "one_step", "max_steps": 1},
		"near": {"rules": [{"gap": "200"}]}
	}`))
	if err != nil {
		panic(err)
	}
	return l
}

func exampleOrder(id string, at time.Time, amount string) vip.Order {
	d := decimal.RequireFromString(amount)
	return vip.Order{ID: id, CustomerID: "ann", PlacedAt: at, Currency: "USD",
		Lines: []vip.Line{{SKU: "sku-" + id, Quantity: 1, ListPrice: d, PaidPrice: d, UnitCost: d.Div(decimal.NewFromInt(2))}}}
}

func printEvents(evs []vip.Event) {
	for _, e := range evs {
		switch e.Kind {
		case vip.EventGraceStarted, vip.EventDemotionWarning:
			fmt.Printf("%s %-16s %s: %d days left, $%s to keep it\n", e.At.Format(time.DateOnly), e.Kind, e.From, e.DaysLeft, e.Gap.StringFixed(2))
		case vip.EventNearNextTier:
			fmt.Printf("%s %-16s $%s from %s\n", e.At.Format(time.DateOnly), e.Kind, e.Gap.StringFixed(2), e.To)
		default:
			fmt.Printf("%s %-16s %q -> %q\n", e.At.Format(time.DateOnly), e.Kind, e.From, e.To)
		}
	}
}

// A customer is upgraded the moment an order earns a tier.
func ExampleLadder_Evaluate_upgrade() {
	l := exampleLadder()
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
	a := &vip.Activity{
		Customer: vip.Customer{ID: "ann", JoinedAt: day(1, 1)},
		Orders: []vip.Order{
			exampleOrder("1", day(1, 10), "2500.00"),
			exampleOrder("2", day(3, 1), "2350.00"),
			exampleOrder("3", day(3, 20), "300.00"),
		},
	}
	st, evs, err := l.Evaluate(vip.Status{}, a, day(4, 1))
	if err != nil {
		panic(err)
	}
	printEvents(evs)
	fmt.Println("tier:", st.Tier)
	// Output:
	// 2025-01-10 enrolled         "" -> "Silver"
	// 2025-03-01 near_next_tier   $150.00 from Gold
	// 2025-03-20 upgraded         "Silver" -> "Gold"
	// tier: Gold
}

// When orders leave the rolling window the customer enters grace, is warned 60 and 30
// days before the possible demotion, and then lands one tier down; the lower tier gets a
// grace of its own.
func ExampleLadder_Evaluate_graceAndSoftLanding() {
	l := exampleLadder()
	a := &vip.Activity{
		Customer: vip.Customer{ID: "ann", JoinedAt: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		Orders:   []vip.Order{exampleOrder("1", time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC), "6000.00")},
	}
	_, evs, err := l.Evaluate(vip.Status{}, a, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	printEvents(evs)
	// Output:
	// 2024-06-01 enrolled         "" -> "Gold"
	// 2025-06-01 grace_started    Gold: 92 days left, $5000.00 to keep it
	// 2025-07-03 demotion_warning Gold: 60 days left, $5000.00 to keep it
	// 2025-08-02 demotion_warning Gold: 30 days left, $5000.00 to keep it
	// 2025-09-01 downgraded       "Gold" -> "Silver"
	// 2025-09-01 grace_started    Silver: 91 days left, $2000.00 to keep it
	// 2025-10-02 demotion_warning Silver: 60 days left, $2000.00 to keep it
	// 2025-11-01 demotion_warning Silver: 30 days left, $2000.00 to keep it
	// 2025-12-01 downgraded       "Silver" -> ""
}

// Progress is what the customer sees: the tier, the gap to the next one, and what it
// takes to keep the current one.
func ExampleLadder_Progress() {
	l := exampleLadder()
	a := &vip.Activity{
		Customer: vip.Customer{ID: "ann", JoinedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		Orders: []vip.Order{
			exampleOrder("1", time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC), "4000.00"),
			exampleOrder("2", time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC), "1500.00"),
		},
	}
	p, err := l.Progress(vip.Status{}, a, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s with $%s; $%s (%s%% of the way) to %s\n", p.Tier, p.Value.StringFixed(2), p.Gap.StringFixed(2), p.Share.Shift(2).StringFixed(0), p.Next)
	fmt.Printf("keeps %s until %s without new orders; demotion possible on %s\n", p.Tier, p.KeepBy.Format(time.DateOnly), p.DemotionAt.Format(time.DateOnly))
	// Output:
	// Gold with $5500.00; $4500.00 (55% of the way) to Platinum
	// keeps Gold until 2026-02-01 without new orders; demotion possible on 2026-05-01
}

// A composite rule: Gold for $5,000 of spend or 12 orders in the window.
func ExampleRule() {
	l := vip.Ladder{Name: "club", Currency: "USD", Tiers: []vip.Tier{{Name: "Gold", Entry: &vip.Rule{
		Match: vip.MatchAny,
		Criteria: []vip.Criterion{
			{Measure: vip.MeasureNetSpend, Min: decimal.NewFromInt(5000)},
			{Measure: vip.MeasureOrders, Min: decimal.NewFromInt(12)},
		},
	}}}}
	a := &vip.Activity{Customer: vip.Customer{ID: "ann", JoinedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}
	for i := 0; i < 12; i++ {
		a.Orders = append(a.Orders, exampleOrder(fmt.Sprint(i), time.Date(2025, time.Month(i+1), 5, 0, 0, 0, 0, time.UTC), "45.00"))
	}
	st, err := l.TierAt(a, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s since %s\n", st.Tier, st.Since.Format(time.DateOnly))
	// Output:
	// Gold since 2025-12-05
}

// A floor: a status match puts the customer at Gold at least until a date; they can
// still rise, and when the floor ends they land through the landing rule.
func ExampleLadder_Place() {
	l := exampleLadder()
	a := &vip.Activity{Customer: vip.Customer{ID: "ann", JoinedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	st, evs, err := l.Place(vip.Status{}, vip.Override{Kind: vip.OverrideFloor, Tier: "Gold",
		Until: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Reason: vip.ReasonStatusMatch, By: "support"}, a, now)
	if err != nil {
		panic(err)
	}
	printEvents(evs)
	st, evs, err = l.Evaluate(st, a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	printEvents(evs)
	fmt.Println("tier:", st.Tier)
	// Output:
	// 2025-03-01 override_set     "" -> "Gold"
	// 2025-03-01 enrolled         "" -> "Gold"
	// 2025-09-01 override_expired "Gold" -> "Gold"
	// 2025-09-01 downgraded       "Gold" -> "Silver"
	// 2025-09-01 grace_started    Silver: 91 days left, $2000.00 to keep it
	// 2025-10-02 demotion_warning Silver: 60 days left, $2000.00 to keep it
	// 2025-11-01 demotion_warning Silver: 30 days left, $2000.00 to keep it
	// 2025-12-01 downgraded       "Silver" -> ""
	// tier:
}

// Changing a live ladder: raising Gold to $6,000 with upgrades only moves nobody down;
// the dry run says who would move and why.
func ExampleLadder_PlanChange() {
	old := exampleLadder()
	next := exampleLadder()
	next.Version = 2
	next.Tiers[1].Qualify = decimal.NewFromInt(6000)
	next.Tiers[0].Qualify = decimal.NewFromInt(1500)
	mk := func(id, amount string) vip.Member {
		o := exampleOrder(id, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), amount)
		o.CustomerID = id
		return vip.Member{Activity: &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, Orders: []vip.Order{o}}}
	}
	members := []vip.Member{mk("ann", "5500.00"), mk("bob", "1800.00"), mk("cy", "7000.00")}
	moves, err := next.PlanChange(&old, members, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), vip.ChangeUpgradesOnly)
	if err != nil {
		panic(err)
	}
	for _, m := range moves {
		fmt.Printf("%-4s %-6q -> %-8q %s\n", m.CustomerID, m.From, m.To, m.Reason)
	}
	// Output:
	// ann  "Gold" -> "Gold"   keeps the current tier: the new ladder never moves a member down under upgrades_only
	// bob  ""     -> "Silver" reevaluated under the new ladder
	// cy   "Gold" -> "Gold"   reevaluated under the new ladder
}

// exampleDay is noon UTC on a day of 2025.
func exampleDay(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }

// exampleShop is two customers: Ann, $2,500 on January 10; Bob, $4,900 on February 3
// and $150 on February 20.
func exampleShop() []*vip.Activity {
	order := func(customer, id string, at time.Time, amount string) vip.Order {
		o := exampleOrder(id, at, amount)
		o.CustomerID = customer
		return o
	}
	return []*vip.Activity{
		{Customer: vip.Customer{ID: "ann"}, Orders: []vip.Order{order("ann", "a1", exampleDay(1, 10), "2500.00")}},
		{Customer: vip.Customer{ID: "bob"}, Orders: []vip.Order{order("bob", "b1", exampleDay(2, 3), "4900.00"), order("bob", "b2", exampleDay(2, 20), "150.00")}},
	}
}

// A review service keeps its customers as Ledgers made at once, which share the
// ladder's prepared rules, and evaluates each from its stored status every night.
func ExampleLadder_Ledgers() {
	l := exampleLadder()
	acts := exampleShop()
	ledgers, err := l.Ledgers(acts)
	if err != nil {
		panic(err)
	}
	statuses := make([]vip.Status, len(ledgers))
	for _, night := range []time.Time{exampleDay(2, 1), exampleDay(3, 1)} {
		for i, g := range ledgers {
			st, evs, err := g.Evaluate(statuses[i], night)
			if err != nil {
				panic(err)
			}
			statuses[i] = st
			fmt.Printf("%s %s: %q, %d events\n", night.Format(time.DateOnly), acts[i].Customer.ID, st.Tier, len(evs))
		}
	}
	// Output:
	// 2025-02-01 ann: "Silver", 1 events
	// 2025-02-01 bob: "", 0 events
	// 2025-03-01 ann: "Silver", 0 events
	// 2025-03-01 bob: "Gold", 3 events
}

// A review of a shop held in memory: every customer's status is evaluated in place and
// the events of all of them come back in one slice, customer after customer.
func ExampleReviewLedgers() {
	l := exampleLadder()
	acts := exampleShop()
	ledgers, err := l.Ledgers(acts)
	if err != nil {
		panic(err)
	}
	statuses := make([]vip.Status, len(ledgers))
	var evs []vip.Event
	for _, month := range []time.Time{exampleDay(2, 1), exampleDay(3, 1)} {
		if evs, err = vip.ReviewLedgers(ledgers, statuses, month, evs[:0]); err != nil {
			panic(err)
		}
		fmt.Printf("review of %s: ann %q, bob %q\n", month.Format(time.DateOnly), statuses[0].Tier, statuses[1].Tier)
		for _, e := range evs {
			fmt.Printf("  %s %s %s %q\n", e.At.Format(time.DateOnly), e.CustomerID, e.Kind, e.To)
		}
	}
	// Output:
	// review of 2025-02-01: ann "Silver", bob ""
	//   2025-01-10 ann enrolled "Silver"
	// review of 2025-03-01: ann "Silver", bob "Gold"
	//   2025-02-03 bob enrolled "Silver"
	//   2025-02-03 bob near_next_tier "Gold"
	//   2025-02-20 bob upgraded "Gold"
}
