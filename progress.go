package vip

import (
	"time"

	"github.com/shopspring/decimal"
)

// CriterionProgress is where a customer stands on one criterion of a rule.
type CriterionProgress struct {
	Measure   Measure         `json:"measure"`
	Value     decimal.Decimal `json:"value"`
	Threshold decimal.Decimal `json:"threshold"`
	Gap       decimal.Decimal `json:"gap"` // Threshold - Value, never negative
	Met       bool            `json:"met"`
}

// Progress is what a customer must always be able to see: the current tier, progress to
// the next tier, and what it takes to keep the current one.
type Progress struct {
	CustomerID string    `json:"customer_id"`
	Ladder     string    `json:"ladder"`
	At         time.Time `json:"at"`
	Tier       string    `json:"tier,omitempty"`
	Since      time.Time `json:"since,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	GraceUntil time.Time `json:"grace_until,omitzero"`
	Override   *Override `json:"override,omitempty"`
	// Measure and Value: the ladder's measure over the current window [WindowStart, At].
	Measure     Measure         `json:"measure"`
	Value       decimal.Decimal `json:"value"`
	WindowStart time.Time       `json:"window_start,omitzero"`
	// Next is the next tier ("" at the top), with the headline Gap and Share (rounded
	// half away from zero to four places) and every criterion of its entry rule.
	Next         string              `json:"next,omitempty"`
	Gap          decimal.Decimal     `json:"gap,omitzero"`
	Share        decimal.Decimal     `json:"share,omitzero"`
	NextCriteria []CriterionProgress `json:"next_criteria,omitempty"`
	// KeepBy is when the tier's keep rule stops holding if the customer does nothing
	// more (continuous term), or the tier's expiry (other terms); zero when nothing
	// is scheduled. DemotionAt adds grace, overrides and minimum stays: the earliest
	// possible demotion. Shortfall is what the customer must add before DemotionAt to
	// keep the tier, on the keep rule's headline criterion; KeepCriteria has them all.
	KeepBy       time.Time           `json:"keep_by,omitzero"`
	DemotionAt   time.Time           `json:"demotion_at,omitzero"`
	Shortfall    decimal.Decimal     `json:"shortfall,omitzero"`
	KeepCriteria []CriterionProgress `json:"keep_criteria,omitempty"`
	// Pending is spend that will count once its return window has passed (pending
	// returns mode).
	Pending decimal.Decimal `json:"pending,omitzero"`
}

// Progress evaluates st up to now (as [Ladder.Evaluate] does, discarding the events)
// and reports where the customer stands.
func (l *Ladder) Progress(st Status, a *Activity, now time.Time) (Progress, error) {
	g, err := l.Ledger(a)
	if err != nil {
		return Progress{}, err
	}
	st, _, err = g.Evaluate(st, now)
	if err != nil {
		return Progress{}, err
	}
	m, err := g.start(st)
	if err != nil {
		return Progress{}, err
	}
	ws := m.windows(now)
	p := Progress{CustomerID: st.CustomerID, Ladder: l.Name, At: now, Tier: st.Tier, Since: st.Since,
		ExpiresAt: st.ExpiresAt, GraceUntil: st.GraceUntil, Override: st.Override, Measure: l.measure(),
		Value: m.f.value(&ws[0], l.measure()), WindowStart: ws[0].from}
	cur := l.TierIndex(st.Tier)
	if nx := m.nextTier(cur); nx >= 0 {
		p.Next = l.Tiers[nx].Name
		p.Gap, _, _, p.Share = m.progressTo(nx, &ws[0])
		p.NextCriteria = m.criteria(m.entry[nx], &ws[0])
	}
	if cur >= 0 && (st.Override == nil || st.Override.Kind != OverrideLock) {
		switch m.term {
		case TermContinuous:
			if st.GraceUntil.IsZero() {
				p.KeepBy = m.keepBy(cur, now)
			}
		default:
			p.KeepBy = st.ExpiresAt
		}
		p.DemotionAt = m.demotionAt(cur, now)
		judge := p.DemotionAt
		if judge.IsZero() {
			judge = now
		}
		p.Shortfall, _, _ = m.keepGap(cur, judge, now)
		w := m.keepWindow(judge, now)
		p.KeepCriteria = m.criteria(m.retain[cur], &w)
	}
	if m.f.pending {
		var s sum
		lo := m.f.lower(ws[0].from)
		for i := lo; i < m.f.upper(now); i++ {
			if m.f.orders[i].eff.After(now) {
				s.addSum(m.f.orders[i].spend)
			}
		}
		p.Pending = s.decimal()
	}
	return p, nil
}

// keepWindow returns the window a keep rule is judged on for a demotion at deadline,
// with what is known at t.
func (m *machine) keepWindow(deadline, t time.Time) window {
	if m.kind == PeriodLifetime || (m.term != TermContinuous && m.term != TermFixed) {
		return m.window0(t)
	}
	w := m.window0(deadline).recut(t)
	return w
}

// criteria reports every criterion of r over w.
func (m *machine) criteria(r Rule, w *window) []CriterionProgress {
	out := make([]CriterionProgress, 0, len(r.Criteria))
	for _, c := range r.Criteria {
		v := m.f.value(w, c.Measure)
		g := c.Min.Sub(v)
		if g.IsNegative() {
			g = decimal.Zero
		}
		out = append(out, CriterionProgress{Measure: c.Measure, Value: v, Threshold: c.Min, Gap: g, Met: !v.LessThan(c.Min)})
	}
	return out
}
