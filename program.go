package vip

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Program is several named ladders evaluated side by side for each customer: an annual
// spend ladder beside a lifetime ladder and an invitation-only club, say. Each ladder
// keeps its own [Status], events and [Progress].
//
// The zero value has no ladders and is not valid. A Program is plain data; its methods
// do not modify it and are safe for concurrent use.
type Program struct {
	Name    string   `json:"name"`
	Ladders []Ladder `json:"ladders"`
}

// ParseProgram decodes a program from JSON, rejecting unknown fields, and validates it.
func ParseProgram(data []byte) (Program, error) {
	return parseConfig[Program](data, ErrInvalidLadder, "program")
}

// Validate reports every problem with the program and its ladders at once: ladder names
// must be unique and all ladders share one currency.
func (p *Program) Validate() error {
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, errorf(ErrInvalidLadder, "program: name is empty"))
	}
	if len(p.Ladders) == 0 {
		errs = append(errs, errorf(ErrInvalidLadder, "program %q: has no ladders", p.Name))
	}
	seen := map[string]bool{}
	for i := range p.Ladders {
		l := &p.Ladders[i]
		if seen[l.Name] {
			errs = append(errs, errorf(ErrInvalidLadder, "program %q: ladder %q appears twice", p.Name, l.Name))
		}
		seen[l.Name] = true
		if l.Currency != p.Ladders[0].Currency {
			errs = append(errs, errorf(ErrCurrencyMismatch, "program %q: ladder %q in %s, ladder %q in %s", p.Name, l.Name, l.Currency, p.Ladders[0].Name, p.Ladders[0].Currency))
		}
		if err := l.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Evaluate evaluates every ladder of the program for one customer. statuses holds the
// customer's status on each ladder by ladder name (a missing one is a zero Status); the
// result holds the new ones. Events of all ladders come in time order, ties in ladder
// order.
func (p *Program) Evaluate(statuses map[string]Status, a *Activity, now time.Time) (map[string]Status, []Event, error) {
	out := make(map[string]Status, len(p.Ladders))
	var evs []Event
	for i := range p.Ladders {
		l := &p.Ladders[i]
		st, e, err := l.Evaluate(statuses[l.Name], a, now)
		if err != nil {
			return nil, nil, err
		}
		out[l.Name] = st
		evs = append(evs, e...)
	}
	slices.SortStableFunc(evs, func(x, y Event) int { return x.At.Compare(y.At) })
	return out, evs, nil
}

// Progress reports the customer's progress on every ladder, in ladder order.
func (p *Program) Progress(statuses map[string]Status, a *Activity, now time.Time) ([]Progress, error) {
	out := make([]Progress, 0, len(p.Ladders))
	for i := range p.Ladders {
		l := &p.Ladders[i]
		pr, err := l.Progress(statuses[l.Name], a, now)
		if err != nil {
			return nil, err
		}
		out = append(out, pr)
	}
	return out, nil
}

// ChangePolicy says how a new version of a live ladder applies to customers who already
// hold a status.
type ChangePolicy string

// Change policies.
const (
	// ChangeReevaluate replays each customer's activity under the new ladder: customers
	// may move up or down.
	ChangeReevaluate ChangePolicy = "reevaluate"
	// ChangeUpgradesOnly moves customers up where the new ladder earns them more, and
	// never down: a customer keeps the current tier, under the new ladder's rules from
	// now on.
	ChangeUpgradesOnly ChangePolicy = "upgrades_only"
	// ChangeKeepUntilExpiry moves customers up where the new ladder earns them more;
	// a customer the new ladder would place lower keeps the current tier as a floor until
	// the status's expiry (or, for a status without one, for a term of the new ladder).
	ChangeKeepUntilExpiry ChangePolicy = "keep_until_expiry"
)

// Member is one customer's status and activity, the input to a ladder change.
type Member struct {
	Status   Status
	Activity *Activity
}

// Move is what a ladder change does to one customer: where they go and why, and the
// status to store under the new ladder.
type Move struct {
	CustomerID string  `json:"customer_id"`
	From       string  `json:"from,omitempty"`
	To         string  `json:"to,omitempty"`
	Reason     string  `json:"reason"`
	Status     Status  `json:"status"`
	Events     []Event `json:"events,omitempty"`
}

// Moved reports whether the customer changes tier.
func (m Move) Moved() bool { return m.From != m.To }

// PlanChange computes, without changing anything, what applying the new ladder l to the
// members under the policy does at now: a dry run, and also the real run's input (the
// moves' statuses are what to store). Members' statuses are first evaluated to now
// under the old ladder. The whole plan fails if any member fails, naming the customer.
func (l *Ladder) PlanChange(old *Ladder, members []Member, now time.Time, policy ChangePolicy) ([]Move, error) {
	switch policy {
	case ChangeReevaluate, ChangeUpgradesOnly, ChangeKeepUntilExpiry:
	default:
		return nil, errorf(ErrInvalidLadder, "ladder change policy %q is not reevaluate, upgrades_only or keep_until_expiry", policy)
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	moves := make([]Move, 0, len(members))
	for _, mb := range members {
		mv, err := l.change(old, mb, now, policy)
		if err != nil {
			return nil, err
		}
		moves = append(moves, mv)
	}
	return moves, nil
}

func (l *Ladder) change(old *Ladder, mb Member, now time.Time, policy ChangePolicy) (Move, error) {
	cur, _, err := old.Evaluate(mb.Status, mb.Activity, now)
	if err != nil {
		return Move{}, err
	}
	fresh, _, err := l.Evaluate(Status{CustomerID: cur.CustomerID}, mb.Activity, now)
	if err != nil {
		return Move{}, err
	}
	mv := Move{CustomerID: cur.CustomerID, From: cur.Tier, To: fresh.Tier, Reason: "reevaluated under the new ladder"}
	fresh.Version = mb.Status.Version
	if p := l.TierIndex(cur.Peak); p > l.TierIndex(fresh.Peak) {
		fresh.Peak = cur.Peak
	}
	if ov := cur.Override; ov != nil && l.TierIndex(ov.Tier) >= 0 {
		fresh, mv.Events, err = l.Place(fresh, *ov, mb.Activity, now)
		if err != nil {
			return Move{}, err
		}
		mv.To = fresh.Tier
	}
	oldRank := l.TierIndex(cur.Tier) // the old tier's place on the new ladder
	if policy != ChangeReevaluate && cur.Tier != "" && oldRank > l.TierIndex(fresh.Tier) {
		kept := cur
		kept.Ladder = l.Name
		kept.Version = mb.Status.Version
		mv.To = cur.Tier
		mv.Reason = "keeps the current tier: the new ladder never moves a member down under " + string(policy)
		if policy == ChangeKeepUntilExpiry {
			until := cur.ExpiresAt
			if !until.After(now) {
				loc, _ := l.Location()
				until = AddMonths(now, l.termMonths(), loc)
			}
			kept.Override = &Override{Kind: OverrideFloor, Tier: cur.Tier, Until: until, Reason: "ladder_change", By: "vip"}
			mv.Reason = "keeps the current tier until " + until.Format(time.DateOnly) + ", its expiry"
		}
		mv.Status = kept
		return mv, nil
	}
	if oldRank == -2 && cur.Tier != "" {
		mv.Reason = "the tier " + cur.Tier + " is not on the new ladder: reevaluated"
	}
	if mv.Moved() {
		kind := EventUpgraded
		if l.TierIndex(mv.To) < l.TierIndex(mv.From) || (oldRank == -2 && mv.To == "") {
			kind = EventDowngraded
		}
		if mv.From == "" {
			kind = EventEnrolled
		}
		mv.Events = append(mv.Events, Event{Kind: kind, Ladder: l.Name, CustomerID: cur.CustomerID, At: now, From: mv.From, To: mv.To, Reason: "ladder_change"})
	}
	mv.Status = fresh
	return mv, nil
}

// Placement is one manual placement in a bulk operation.
type Placement struct {
	Member   Member
	Override Override
}

// PlaceAll applies many placements at now, all or nothing: it returns the new statuses
// and events in input order, or the first error (naming the customer) and nothing.
func (l *Ladder) PlaceAll(ps []Placement, now time.Time) ([]Status, [][]Event, error) {
	sts := make([]Status, len(ps))
	evs := make([][]Event, len(ps))
	for i, p := range ps {
		st, e, err := l.Place(p.Member.Status, p.Override, p.Member.Activity, now)
		if err != nil {
			id := p.Member.Status.CustomerID
			if id == "" && p.Member.Activity != nil {
				id = p.Member.Activity.Customer.ID
			}
			return nil, nil, fmt.Errorf("vip: placement %d (customer %q): %w", i, id, err)
		}
		sts[i], evs[i] = st, e
	}
	return sts, evs, nil
}
