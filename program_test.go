package vip_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/vipkit/vip"
)

func TestProgram_Evaluate(t *testing.T) {
	annual := simpleLadder(t, nil)
	annual.Name = "annual"
	lifetime := simpleLadder(t, func(l *vip.Ladder) { l.Period.Kind = vip.PeriodLifetime })
	lifetime.Name = "lifetime"
	club := vip.Ladder{Name: "club", Currency: "USD", Tiers: []vip.Tier{{Name: "Inner Circle", InviteOnly: true}}}
	p := vip.Program{Name: "shop", Ladders: []vip.Ladder{annual, lifetime, club}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	// 3,000 in 2024 and 3,000 in 2025: annual Silver (the 2024 order left the window),
	// lifetime Gold (6,000 in all), the club nothing.
	a := propActivity([]vip.Order{
		order("o1", "c", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "3000"),
		order("o2", "c", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "3000"),
	})
	sts, evs, err := p.Evaluate(nil, a, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for k, st := range sts {
		got[k] = st.Tier
	}
	if want := map[string]string{"annual": "Silver", "lifetime": "Gold", "club": ""}; fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("tiers %v, want %v", got, want)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].At.Before(evs[i-1].At) {
			t.Errorf("events out of time order: %v then %v", evs[i-1].At, evs[i].At)
		}
	}
	ps, err := p.Progress(sts, a, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(ps) != 3 || ps[1].Ladder != "lifetime" || !ps[1].Value.Equal(dec(t, "6000")) {
		t.Errorf("progress %+v, %v", ps, err)
	}
	bad := vip.Program{Name: "x", Ladders: []vip.Ladder{annual, annual}}
	if err := bad.Validate(); err == nil || !errors.Is(err, vip.ErrInvalidLadder) {
		t.Errorf("duplicate ladders: %v", err)
	}
}

func TestLadder_PlaceAll_AllOrNothing(t *testing.T) {
	l := simpleLadder(t, nil)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	until := now.AddDate(0, 6, 0)
	good := vip.Placement{Member: vip.Member{Activity: propActivity(nil)}, Override: vip.Override{Kind: vip.OverrideLock, Tier: "Gold", Until: until, Reason: vip.ReasonGift}}
	badOne := good
	badOne.Override.Tier = "Diamond"
	if sts, evs, err := l.PlaceAll([]vip.Placement{good, badOne}, now); err == nil || sts != nil || evs != nil || !errors.Is(err, vip.ErrInvalidStatus) {
		t.Errorf("a bad placement in the batch: %v, %v, %v; want an error and nothing", sts, evs, err)
	}
	sts, _, err := l.PlaceAll([]vip.Placement{good, good}, now)
	if err != nil || len(sts) != 2 || sts[0].Tier != "Gold" {
		t.Errorf("good batch: %+v, %v", sts, err)
	}
}

// TestLadder_PlanChange checks the live-ladder policies on random ladders and customers:
// a plan is a pure dry run (twice the same), reevaluate equals a replay under the new
// ladder, and the other policies never move anyone down.
func TestLadder_PlanChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		old := genLadder(t)
		next := genLadder(t)
		now := propBase.AddDate(0, 0, rapid.IntRange(0, 900).Draw(t, "now"))
		var members []vip.Member
		for i := 0; i < rapid.IntRange(1, 5).Draw(t, "members"); i++ {
			os := genOrders(t, fmt.Sprintf("m%d", i), 8)
			id := fmt.Sprintf("c%d", i)
			for k := range os {
				os[k].CustomerID = id
			}
			members = append(members, vip.Member{Activity: &vip.Activity{Customer: vip.Customer{ID: id, JoinedAt: propBase}, Orders: os}})
		}
		policy := rapid.SampledFrom([]vip.ChangePolicy{vip.ChangeReevaluate, vip.ChangeUpgradesOnly, vip.ChangeKeepUntilExpiry}).Draw(t, "policy")
		plan, err := next.PlanChange(&old, members, now, policy)
		if err != nil {
			t.Fatal(err)
		}
		again, err := next.PlanChange(&old, members, now, policy)
		if err != nil {
			t.Fatal(err)
		}
		for i, mv := range plan {
			if mv.To != again[i].To || !mv.Status.Equal(again[i].Status) {
				t.Fatalf("two dry runs differ for %s: %+v vs %+v", mv.CustomerID, mv, again[i])
			}
			replay, err := next.TierAt(members[i].Activity, now)
			if err != nil {
				t.Fatal(err)
			}
			switch policy {
			case vip.ChangeReevaluate:
				if mv.To != replay.Tier {
					t.Fatalf("reevaluate: %s to %q, replay under the new ladder %q", mv.CustomerID, mv.To, replay.Tier)
				}
			default:
				if from := next.TierIndex(mv.From); from >= 0 && next.TierIndex(mv.To) < from {
					t.Fatalf("%s moved %s down from %q to %q", policy, mv.CustomerID, mv.From, mv.To)
				}
			}
			if mv.Status.Tier != mv.To {
				t.Fatalf("move to %q stores status tier %q", mv.To, mv.Status.Tier)
			}
		}
	})
}
