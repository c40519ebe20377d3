package vip_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

var propBase = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// genLadder draws a valid simple ladder: 1-4 tiers with ascending whole-dollar
// thresholds, keep thresholds at or below them, rolling 1-12 months, 0-4 months of
// grace, one-step landing capped at 0-2 steps.
func genLadder(t *rapid.T) vip.Ladder {
	n := rapid.IntRange(1, 4).Draw(t, "tiers")
	l := vip.Ladder{Name: "p", Currency: "USD",
		Period:      vip.Period{Months: rapid.IntRange(1, 12).Draw(t, "months")},
		GraceMonths: rapid.IntRange(0, 4).Draw(t, "grace"),
		Landing:     vip.Landing{MaxSteps: rapid.IntRange(0, 2).Draw(t, "maxSteps")},
		Near:        vip.Near{Rules: []vip.Proximity{{Share: decimal.RequireFromString("0.5")}}},
	}
	q := int64(0)
	for i := 0; i < n; i++ {
		q += rapid.Int64Range(1, 3000).Draw(t, fmt.Sprintf("step%d", i))
		tier := vip.Tier{Name: fmt.Sprintf("T%d", i), Qualify: decimal.NewFromInt(q), EntryReward: fmt.Sprintf("r%d", i)}
		if rapid.Bool().Draw(t, fmt.Sprintf("hasKeep%d", i)) {
			k := decimal.NewFromInt(rapid.Int64Range(0, q).Draw(t, fmt.Sprintf("keep%d", i)))
			tier.Keep = &k
		}
		l.Tiers = append(l.Tiers, tier)
	}
	if err := l.Validate(); err != nil {
		t.Fatalf("generated an invalid ladder: %v", err)
	}
	return l
}

// genOrders draws up to max orders at whole days within two years of propBase.
func genOrders(t *rapid.T, label string, max int) []vip.Order {
	n := rapid.IntRange(0, max).Draw(t, label+"N")
	out := make([]vip.Order, n)
	for i := range out {
		day := rapid.IntRange(0, 730).Draw(t, fmt.Sprintf("%sDay%d", label, i))
		amt := rapid.Int64Range(1, 6000).Draw(t, fmt.Sprintf("%sAmt%d", label, i))
		out[i] = order(fmt.Sprintf("%s%d", label, i), "c", propBase.AddDate(0, 0, day), fmt.Sprint(amt))
	}
	return out
}

func propActivity(orders []vip.Order) *vip.Activity {
	return &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: propBase}, Orders: orders}
}

func tierAt(t *rapid.T, l *vip.Ladder, a *vip.Activity, now time.Time) int {
	st, _, err := l.Evaluate(vip.Status{}, a, now)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return l.TierIndex(st.Tier)
}

func TestLadder_Evaluate_MoreActivityNeverLowersTier(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		a := genOrders(t, "a", 12)
		b := genOrders(t, "b", 6)
		now := propBase.AddDate(0, 0, rapid.IntRange(0, 1100).Draw(t, "now"))
		less := tierAt(t, &l, propActivity(a), now)
		more := tierAt(t, &l, propActivity(append(append([]vip.Order{}, a...), b...)), now)
		if more < less {
			t.Fatalf("at %s: tier %d with more activity, %d with less", now.Format(time.DateOnly), more, less)
		}
	})
}

func TestLadder_Evaluate_RefundNeverRaisesTier(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		orders := genOrders(t, "a", 12)
		if len(orders) == 0 {
			return
		}
		k := rapid.IntRange(0, len(orders)-1).Draw(t, "refunded")
		o := orders[k]
		amount := o.Total().Mul(decimal.NewFromInt(rapid.Int64Range(1, 100).Draw(t, "pct"))).Div(decimal.NewFromInt(100)).Round(2)
		if !amount.IsPositive() {
			return
		}
		at := o.PlacedAt.AddDate(0, 0, rapid.IntRange(0, 90).Draw(t, "after"))
		withRefund := propActivity(orders)
		withRefund.Refunds = []vip.Refund{{ID: "r", OrderID: o.ID, CustomerID: "c", At: at, Currency: "USD", Amount: amount}}
		now := propBase.AddDate(0, 0, rapid.IntRange(0, 1100).Draw(t, "now"))
		before := tierAt(t, &l, propActivity(orders), now)
		after := tierAt(t, &l, withRefund, now)
		if after > before {
			t.Fatalf("at %s: a refund raised the tier from %d to %d", now.Format(time.DateOnly), before, after)
		}
	})
}

func TestLadder_Evaluate_IdempotentAndOrderFree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		orders := genOrders(t, "a", 15)
		now := propBase.AddDate(0, 0, rapid.IntRange(0, 1100).Draw(t, "now"))
		st, evs, err := l.Evaluate(vip.Status{}, propActivity(orders), now)
		if err != nil {
			t.Fatal(err)
		}
		again, evs2, err := l.Evaluate(st, propActivity(orders), now)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Equal(st) || len(evs2) != 0 {
			t.Fatalf("second evaluation at the same instant changed %+v to %+v, events %+v", st, again, evs2)
		}
		perm := rapid.Permutation(orders).Draw(t, "perm")
		st3, evs3, err := l.Evaluate(vip.Status{}, propActivity(perm), now)
		if err != nil {
			t.Fatal(err)
		}
		if !st3.Equal(st) || len(evs3) != len(evs) {
			t.Fatalf("reordered orders: status %+v, want %+v", st3, st)
		}
		for i := range evs {
			if !evs[i].Equal(evs3[i]) {
				t.Fatalf("reordered orders: event %d %+v, want %+v", i, evs3[i], evs[i])
			}
		}
	})
}

// TestLadder_Evaluate_EventRules checks rules on the event stream of a replay: no
// demotion during grace, no landing drops more than MaxSteps, at most one NearNextTier
// per cool-down, an entry reward at most once per earning of its tier.
func TestLadder_Evaluate_EventRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		orders := genOrders(t, "a", 20)
		now := propBase.AddDate(0, 0, 1100)
		// Evaluate at a random cadence; the rules must hold whatever it is.
		st := vip.Status{}
		var evs []vip.Event
		for at := propBase; !at.After(now); at = at.AddDate(0, 0, rapid.IntRange(1, 120).Draw(t, "cadence")) {
			var e []vip.Event
			var err error
			st, e, err = l.Evaluate(st, propActivity(orders), at)
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e...)
		}
		graceUntil := time.Time{}
		var lastNear time.Time
		held := map[string]bool{}
		for _, e := range evs {
			switch e.Kind {
			case vip.EventGraceStarted:
				graceUntil = e.Deadline
			case vip.EventRecovered, vip.EventUpgraded, vip.EventEnrolled:
				graceUntil = time.Time{}
			case vip.EventDowngraded:
				if e.At.Before(graceUntil) {
					t.Fatalf("downgraded at %s during grace until %s", e.At, graceUntil)
				}
				graceUntil = time.Time{}
				if ms := l.Landing.MaxSteps; ms > 0 && len(e.Crossed) > ms {
					t.Fatalf("one landing dropped %d tiers, max %d: %+v", len(e.Crossed), ms, e)
				}
			case vip.EventNearNextTier:
				if !lastNear.IsZero() && e.At.Before(lastNear.AddDate(0, 0, 7)) {
					t.Fatalf("near events at %s and %s, within the 7-day cool-down", lastNear, e.At)
				}
				lastNear = e.At
			}
			switch e.Kind {
			case vip.EventEnrolled, vip.EventUpgraded:
				for _, r := range e.Rewards {
					if held[r] {
						t.Fatalf("reward %s paid again while its tier is held: %+v", r, e)
					}
					held[r] = true
				}
			case vip.EventDowngraded:
				for _, name := range e.Crossed {
					held["r"+name[1:]] = false
				}
			}
		}
	})
}

func TestLadder_Place_LockAndFloorHold(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		orders := genOrders(t, "a", 12)
		a := propActivity(orders)
		setAt := propBase.AddDate(0, 0, rapid.IntRange(0, 700).Draw(t, "setAt"))
		until := setAt.AddDate(0, 0, rapid.IntRange(1, 400).Draw(t, "days"))
		k := rapid.IntRange(0, len(l.Tiers)-1).Draw(t, "tier")
		kind := rapid.SampledFrom([]vip.OverrideKind{vip.OverrideLock, vip.OverrideFloor}).Draw(t, "kind")
		st, _, err := l.Evaluate(vip.Status{}, a, setAt)
		if err != nil {
			t.Fatal(err)
		}
		st, _, err = l.Place(st, vip.Override{Kind: kind, Tier: l.Tiers[k].Name, Until: until, Reason: vip.ReasonGift, By: "test"}, a, setAt)
		if err != nil {
			t.Fatal(err)
		}
		for at := setAt; at.Before(until); at = at.AddDate(0, 0, rapid.IntRange(1, 60).Draw(t, "step")) {
			st, _, err = l.Evaluate(st, a, at)
			if err != nil {
				t.Fatal(err)
			}
			got := l.TierIndex(st.Tier)
			if kind == vip.OverrideLock && got != k {
				t.Fatalf("lock on %d until %s: tier %d at %s", k, until, got, at)
			}
			if kind == vip.OverrideFloor && got < k {
				t.Fatalf("floor %d until %s: tier %d at %s", k, until, got, at)
			}
		}
	})
}

// TestAddMonths_MatchesReference checks the clamping month arithmetic against a
// reference built from time.Date's own normalisation.
func TestAddMonths_MatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom([]*time.Location{time.UTC, time.FixedZone("x", -7*3600)}).Draw(t, "loc")
		in := time.Date(rapid.IntRange(1900, 2200).Draw(t, "y"), time.Month(rapid.IntRange(1, 12).Draw(t, "m")),
			rapid.IntRange(1, 31).Draw(t, "d"), rapid.IntRange(0, 23).Draw(t, "h"), 0, 0, 0, loc)
		n := rapid.IntRange(-240, 240).Draw(t, "n")
		y, m, d := in.Date()
		first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, loc)
		last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, loc).Day()
		want := time.Date(first.Year(), first.Month(), min(d, last), in.Hour(), 0, 0, 0, loc)
		if got := vip.AddMonths(in, n, loc); !got.Equal(want) {
			t.Fatalf("AddMonths(%s, %d) = %s, want %s", in, n, got, want)
		}
	})
}

// genRichLadder draws a ladder from the whole rule space: every period kind and term,
// composite entry and keep rules over several measures, landing modes, minimum stays,
// expiry rounding, next-period starts and pending returns.
func genRichLadder(t *rapid.T) vip.Ladder {
	l := genLadder(t)
	l.Period.Kind = rapid.SampledFrom([]vip.PeriodKind{vip.PeriodRolling, vip.PeriodCalendarYear, vip.PeriodAnniversary, vip.PeriodLifetime, vip.PeriodFixedTerm}).Draw(t, "period")
	switch l.Period.Kind {
	case vip.PeriodCalendarYear, vip.PeriodAnniversary:
		l.Period.Months = 0
		l.Term.Kind = rapid.SampledFrom([]vip.TermKind{"", vip.TermPeriodEnd, vip.TermNextPeriodEnd, vip.TermFixed, vip.TermContinuous}).Draw(t, "calTerm")
	case vip.PeriodLifetime:
		l.Period.Months = 0
	case vip.PeriodFixedTerm:
		l.Period.TermMonths = rapid.IntRange(1, 12).Draw(t, "termMonths")
	default:
		l.Term.Kind = rapid.SampledFrom([]vip.TermKind{"", vip.TermFixed}).Draw(t, "rollTerm")
	}
	l.Term.RoundTo = rapid.SampledFrom([]vip.Rounding{"", vip.RoundDay, vip.RoundMonth, vip.RoundQuarter, vip.RoundYear}).Draw(t, "round")
	l.Term.FirstMinMonths = rapid.IntRange(0, 3).Draw(t, "firstMin")
	if rapid.Bool().Draw(t, "nextPeriod") {
		l.Term.Start = vip.StartNextPeriod
	}
	l.Landing.Mode = rapid.SampledFrom([]vip.LandingMode{vip.LandOneStep, vip.LandQualifying, vip.LandLowest}).Draw(t, "mode")
	l.Landing.MinStayMonths = rapid.IntRange(0, 2).Draw(t, "minStay")
	l.Landing.IntervalMonths = rapid.IntRange(0, 2).Draw(t, "interval")
	if rapid.Bool().Draw(t, "pending") {
		l.Returns = vip.Returns{Mode: vip.ReturnsPending, WindowDays: rapid.IntRange(1, 40).Draw(t, "returnDays")}
	}
	measures := []vip.Measure{vip.MeasureNetSpend, vip.MeasureOrders, vip.MeasureCategories, vip.MeasureLargestOrder}
	for i := range l.Tiers {
		if !rapid.Bool().Draw(t, fmt.Sprintf("composite%d", i)) {
			continue
		}
		rule := func(label string) *vip.Rule {
			n := rapid.IntRange(1, 3).Draw(t, label+"n")
			r := &vip.Rule{Match: rapid.SampledFrom([]vip.Match{vip.MatchAll, vip.MatchAny, vip.MatchAtLeast}).Draw(t, label+"match")}
			for j := 0; j < n; j++ {
				m := rapid.SampledFrom(measures).Draw(t, fmt.Sprintf("%sm%d", label, j))
				max := int64(8000)
				if m == vip.MeasureOrders || m == vip.MeasureCategories {
					max = 6
				}
				r.Criteria = append(r.Criteria, vip.Criterion{Measure: m, Min: decimal.NewFromInt(rapid.Int64Range(1, max).Draw(t, fmt.Sprintf("%smin%d", label, j)))})
			}
			if r.Match == vip.MatchAtLeast {
				r.K = rapid.IntRange(1, n).Draw(t, label+"k")
			}
			return r
		}
		l.Tiers[i].Qualify, l.Tiers[i].Keep = decimal.Zero, nil
		l.Tiers[i].Entry = rule(fmt.Sprintf("entry%d", i))
		if rapid.Bool().Draw(t, fmt.Sprintf("retain%d", i)) {
			l.Tiers[i].Retain = rule(fmt.Sprintf("retain%d", i))
		}
	}
	if err := l.Validate(); err != nil {
		t.Skip("drew an invalid combination:", err)
	}
	return l
}

// genCategorised draws orders as genOrders does, each in one of four categories.
func genCategorised(t *rapid.T, label string, max int) []vip.Order {
	os := genOrders(t, label, max)
	for i := range os {
		os[i].Lines[0].Category = rapid.SampledFrom([]string{"a", "b", "c", "d"}).Draw(t, fmt.Sprintf("%scat%d", label, i))
	}
	return os
}

func TestLadder_Evaluate_RichRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genRichLadder(t)
		a := genCategorised(t, "a", 10)
		b := genCategorised(t, "b", 5)
		now := propBase.AddDate(0, 0, rapid.IntRange(0, 1100).Draw(t, "now"))
		// Terms anchored at the upgrade instant (fixed terms, a first-term minimum, a
		// minimum stay) are not monotone by design: more activity earlier can start, and
		// so end, a term earlier. Every other rule is.
		// Landing on the lowest tier ignores the keep rules below, so a customer who
		// earned more can land below one who kept a lower tier by its keep threshold.
		anchored := l.Period.Kind == vip.PeriodFixedTerm || l.Term.Kind == vip.TermFixed ||
			l.Term.FirstMinMonths > 0 || l.Landing.MinStayMonths > 0 || l.Landing.Mode == vip.LandLowest
		less := tierAt(t, &l, propActivity(a), now)
		more := tierAt(t, &l, propActivity(append(append([]vip.Order{}, a...), b...)), now)
		if more < less && !anchored {
			t.Fatalf("at %s: tier %d with more activity, %d with less", now.Format(time.DateOnly), more, less)
		}
		// Idempotent, and cadence-free: a review every few weeks ends where one
		// evaluation from scratch ends.
		act := propActivity(a)
		st := vip.Status{}
		var err error
		for at := propBase; at.Before(now); at = at.AddDate(0, 0, rapid.IntRange(1, 90).Draw(t, "cadence")) {
			if st, _, err = l.Evaluate(st, act, at); err != nil {
				t.Fatal(err)
			}
		}
		if st, _, err = l.Evaluate(st, act, now); err != nil {
			t.Fatal(err)
		}
		again, evs, err := l.Evaluate(st, act, now)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Equal(st) || len(evs) != 0 {
			t.Fatalf("second evaluation at the same instant: %+v, events %+v", again, evs)
		}
		fresh, _, err := l.Evaluate(vip.Status{}, act, now)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Tier != st.Tier || !fresh.ExpiresAt.Equal(st.ExpiresAt) || !fresh.GraceUntil.Equal(st.GraceUntil) {
			t.Fatalf("at %s: reviews on a cadence give %q (expires %s, grace %s); one evaluation %q (expires %s, grace %s)",
				now.Format(time.DateOnly), st.Tier, st.ExpiresAt, st.GraceUntil, fresh.Tier, fresh.ExpiresAt, fresh.GraceUntil)
		}
	})
}
