package vip_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

// naive is a deliberately simple model of the tier state machine for a ladder of plain
// thresholds over a rolling window with a continuous term: it steps one day at a time
// and re-sums the window from scratch at every step. All instants in the test fall on
// midnight UTC, so every change happens on a day boundary.
type naive struct {
	l           *vip.Ladder
	orders      []vip.Order
	refunds     []vip.Refund
	day         time.Time // last day stepped
	tier        int
	grace       time.Time
	lastLanding time.Time
	stepped     bool
	override    *vip.Override
}

func (m *naive) spend(h time.Time) decimal.Decimal {
	from := vip.AddMonths(h, -m.l.Period.Months, time.UTC)
	total := decimal.Zero
	for _, o := range m.orders {
		if !o.PlacedAt.After(from) || o.PlacedAt.After(h) {
			continue
		}
		net := o.Paid()
		for _, r := range m.refunds {
			if r.OrderID == o.ID && !r.At.After(h) {
				net = net.Sub(r.Amount)
			}
		}
		if net.IsPositive() {
			total = total.Add(net)
		}
	}
	return total
}

func (m *naive) keeps(i int, s decimal.Decimal) bool {
	t := m.l.Tiers[i]
	k := t.Qualify
	if t.Keep != nil {
		k = *t.Keep
	}
	return !s.LessThan(k)
}

// stepTo advances the model day by day through now.
func (m *naive) stepTo(now time.Time) {
	if m.stepped {
		// The last day again: orders or refunds may have come in for it since.
		m.step(m.day.AddDate(0, 0, -1))
	}
	m.stepped = true
	for h := m.day; !h.After(now); h = h.AddDate(0, 0, 1) {
		m.step(h)
		m.day = h.AddDate(0, 0, 1)
	}
}

func (m *naive) step(h time.Time) {
	s := m.spend(h)
	earned := -1
	for i := range m.l.Tiers {
		if !s.LessThan(m.l.Tiers[i].Qualify) {
			earned = i
		}
	}
	forced := false
	if m.override != nil && !h.Before(m.override.Until) {
		m.override, forced = nil, true
	}
	floor := -1
	if ov := m.override; ov != nil {
		if ov.Kind == vip.OverrideLock {
			return // a lock holds the tier exactly: nothing moves
		}
		floor = m.l.TierIndex(ov.Tier)
	}
	if earned > m.tier {
		m.tier, m.grace = earned, time.Time{}
		return
	}
	if m.tier < 0 {
		return
	}
	if m.keeps(m.tier, s) || earned >= m.tier || floor >= m.tier {
		m.grace = time.Time{}
		return
	}
	g := m.l.GraceMonths
	switch {
	case forced:
		m.grace = h // an override ends: land at once, without grace
	case m.grace.IsZero():
		if g > 0 {
			m.grace = vip.AddMonths(h, g, time.UTC)
			return
		}
		m.grace = h
	}
	if h.Before(m.grace) {
		return
	}
	if !forced && !m.lastLanding.IsZero() && h.Before(vip.AddMonths(m.lastLanding, 1, time.UTC)) {
		return
	}
	target := m.tier - 1
	switch m.l.Landing.Mode {
	case vip.LandQualifying:
		target = -1
		for i := m.tier - 1; i >= 0; i-- {
			if m.keeps(i, s) {
				target = i
				break
			}
		}
	case vip.LandLowest:
		target = -1
	}
	target = max(target, earned, floor)
	if ms := m.l.Landing.MaxSteps; ms > 0 {
		target = max(target, m.tier-ms)
	}
	if target >= m.tier {
		m.grace = time.Time{}
		return
	}
	m.tier, m.lastLanding, m.grace = target, h, time.Time{}
	if target < 0 || m.keeps(target, s) || target <= earned || target == floor {
		return
	}
	if g > 0 {
		m.grace = vip.AddMonths(h, g, time.UTC)
	} else {
		m.grace = h
	}
}

// place applies a manual override at h, as Ladder.Place does after evaluating to h.
func (m *naive) place(o vip.Override, h time.Time) {
	m.override = &o
	k := m.l.TierIndex(o.Tier)
	switch {
	case k > m.tier:
		m.tier, m.grace = k, time.Time{}
	case k < m.tier && o.Kind == vip.OverrideLock:
		m.tier, m.lastLanding = k, h
	}
	if o.Kind == vip.OverrideLock {
		m.grace = time.Time{}
	}
	m.step(h) // the rules apply at once under the new override
}

// TestLadder_Evaluate_StateMachine drives Evaluate with random orders, refunds, clock
// advances and reviews, and checks every review against the naive model.
func TestLadder_Evaluate_StateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLadder(t)
		l.Landing.Mode = rapid.SampledFrom([]vip.LandingMode{vip.LandOneStep, vip.LandQualifying, vip.LandLowest}).Draw(t, "mode")
		model := &naive{l: &l, day: propBase, tier: -1}
		act := &vip.Activity{Customer: vip.Customer{ID: "c", JoinedAt: propBase}}
		clock := propBase
		st := vip.Status{}
		n := 0
		// Activity added at the very instant of an earlier review is taken from that
		// review on, not rewritten into it; a replay then legitimately differs.
		replayable := true
		t.Repeat(map[string]func(*rapid.T){
			"order": func(t *rapid.T) {
				n++
				o := order(fmt.Sprintf("o%d", n), "c", clock, fmt.Sprint(rapid.Int64Range(1, 4000).Draw(t, "amount")))
				act.Orders = append(act.Orders, o)
				replayable = replayable && !clock.Equal(st.Checked)
				model.orders = append(model.orders, o)
			},
			"refund": func(t *rapid.T) {
				if len(act.Orders) == 0 {
					t.Skip("no orders")
				}
				o := rapid.SampledFrom(act.Orders).Draw(t, "order")
				left := o.Total()
				for _, r := range act.Refunds {
					if r.OrderID == o.ID {
						left = left.Sub(r.Amount)
					}
				}
				amt := left.Mul(decimal.NewFromInt(rapid.Int64Range(1, 100).Draw(t, "pct"))).Div(decimal.NewFromInt(100)).Round(2)
				if !amt.IsPositive() {
					t.Skip("nothing left to refund")
				}
				n++
				r := vip.Refund{ID: fmt.Sprintf("r%d", n), OrderID: o.ID, CustomerID: "c", At: clock, Currency: "USD", Amount: amt}
				act.Refunds = append(act.Refunds, r)
				replayable = replayable && !clock.Equal(st.Checked)
				model.refunds = append(model.refunds, r)
			},
			"place": func(t *rapid.T) {
				o := vip.Override{
					Kind:   rapid.SampledFrom([]vip.OverrideKind{vip.OverrideLock, vip.OverrideFloor}).Draw(t, "kind"),
					Tier:   l.Tiers[rapid.IntRange(0, len(l.Tiers)-1).Draw(t, "tier")].Name,
					Until:  clock.AddDate(0, 0, rapid.IntRange(1, 200).Draw(t, "days")),
					Reason: vip.ReasonGift,
				}
				var err error
				st, _, err = l.Place(st, o, act, clock)
				if err != nil {
					t.Fatalf("Place at %s: %v", clock.Format(time.DateOnly), err)
				}
				model.stepTo(clock)
				model.place(o, clock)
				// A replay knows nothing of the override: compare the model from here on.
				replayable = false
			},
			"advance": func(t *rapid.T) {
				clock = clock.AddDate(0, 0, rapid.IntRange(1, 120).Draw(t, "days"))
			},
			"review": func(t *rapid.T) {
				var err error
				st, _, err = l.Evaluate(st, act, clock)
				if err != nil {
					t.Fatalf("Evaluate at %s: %v", clock.Format(time.DateOnly), err)
				}
				model.stepTo(clock)
				if got := l.TierIndex(st.Tier); got != model.tier {
					t.Fatalf("at %s: tier %d, model %d (spend %s)", clock.Format(time.DateOnly), got, model.tier, model.spend(clock))
				}
				inGrace := st.GraceUntil.After(clock)
				if modelGrace := model.grace.After(clock); inGrace != modelGrace || (inGrace && !st.GraceUntil.Equal(model.grace)) {
					t.Fatalf("at %s: grace until %s, model %s", clock.Format(time.DateOnly), st.GraceUntil, model.grace)
				}
				// A fresh replay of the same ledger agrees with the incremental status.
				if !replayable {
					return
				}
				fresh, _, err := l.Evaluate(vip.Status{}, act, clock)
				if err != nil {
					t.Fatal(err)
				}
				if fresh.Tier != st.Tier || !fresh.GraceUntil.Equal(st.GraceUntil) {
					t.Fatalf("at %s: replay gives %q grace %s, incremental %q grace %s", clock.Format(time.DateOnly),
						fresh.Tier, fresh.GraceUntil, st.Tier, st.GraceUntil)
				}
			},
		})
	})
}
