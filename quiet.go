package vip

import (
	"sync/atomic"
	"time"
)

// quiet reports whether evaluating the machine's status at now can change nothing but
// Checked and Seen, and emit nothing, judged from bounds on the measure over the whole
// interval from st.Checked to now instead of stepping through its instants. Most of a
// nightly review's customers are such: nowhere near the next tier and well above the
// keep threshold of the tier they hold.
//
// It answers only for the usual ladder (simple tiers on net spend or orders over a
// rolling window, a continuous term, no start-date or pending rules) and status (no
// override, grace or pending tier); otherwise, and when a bound does not settle it, it
// reports false and the machine steps as usual. The bounds count every order and
// refund in the ledger, those the status has not seen included (they count from
// st.Checked on), and hold for every instant in the interval:
//
//   - at most the spend (or number) of the orders placed from the earliest start of a
//     window in the interval (startFloor) to now, before refunds: below every higher tier's threshold, no upgrade;
//     below what any proximity rule of the next tier asks, no NearNextTier event (nor
//     when no order is placed in the interval: the event needs one);
//   - at least what the orders placed from the latest start of a window in the interval
//     (startCeil) to st.Checked are worth net of every refund known at now: they are in every window of
//     the interval, and a refund only lowers an order's part. At or above the keep
//     threshold of the tier held, no grace and no landing;
//   - no demotion before the first of the orders placed by st.Checked whose leaving
//     takes the net spend (or number) of those placed after it, by st.Checked and net
//     of every refund known at now, below the keep threshold leaves the window, plus
//     grace: at any instant of the interval the window holds at least those orders
//     and what came since, so keepBy is never earlier. When the earliest warning that
//     allows is after now, no DemotionWarning. The instant the oldest order in the
//     window at st.Checked leaves it is an earlier bound and cheaper: it is tried
//     first, and [core.keepByPrefix] finds the closer one when it fails.
//
// When every bound holds but the one on proximity rules, quiet reports quietNear: the
// status can change only by NearNextTier events (and the LastNear they set), which
// only an order's instant can fire (on a ladder with proximity rules: without them the
// bound cannot fail); [machine.nearSteps] visits those instants alone.
func (m *core) quiet(st *Status, now time.Time) quietness {
	f, l := m.f, m.l
	grace := !st.GraceUntil.IsZero()
	if !m.usual(st) || st.Checked.IsZero() || (grace && !st.GraceUntil.After(now)) {
		return notQuiet
	}
	slot := measureSlot(l.measure())
	if slot != 0 && slot != 1 {
		return notQuiet
	}
	cur := l.TierIndex(st.Tier)
	if cur >= 0 && l.Tiers[cur].InviteOnly {
		return notQuiet
	}
	months := l.windowMonths()
	kc := instKey(st.Checked)
	lo, checked := f.lower(m.startFloor(st.Checked, months)), searchAfter(f.at, kc)
	upto := f.upper(now) // the orders placed by now
	top, n := f.spendBase(lo, max(lo, upto))
	if slot == 1 {
		top = sum{coef: n}
	}
	// The earnable tiers' thresholds ascend on a simple ladder (Ladder.Validate): below
	// the next one's, top is below every higher one's.
	nx := m.nextTier(cur)
	if nx >= 0 {
		if r := m.rule(ruleEntry, nx).sr; top.cmpCrit(&r.c, *r.min) >= 0 {
			return notQuiet
		}
	}
	if grace {
		return m.quietGrace(st, cur, top, now)
	}
	// A proximity event needs an order placed at the instant stepped: none when no
	// order is placed from st.Checked to now.
	q := quietAll
	if nx >= 0 && len(l.Near.Rules) > 0 && upto > searchAfter(f.at[:checked], kc-1) &&
		m.nearAny(top, Criterion{Measure: l.measure(), Min: l.Tiers[nx].Qualify}, nx) {
		q = quietNear
	}
	if cur < 0 {
		return q
	}
	kept := f.lower(m.startCeil(now, months))
	low, n := f.spendRange(kept, max(kept, checked), now)
	if slot == 1 {
		low = sum{coef: n}
	}
	if r := m.rule(ruleRetain, cur).sr; low.cmpCrit(&r.c, *r.min) < 0 {
		return notQuiet
	}
	if len(l.warningDays()) == 0 {
		return q
	}
	if lo >= checked {
		return notQuiet // no order in the window at st.Checked to bound keepBy with
	}
	if m.firstWarning(m.rollOffOf(lo)).After(now) {
		return q // the oldest order's leaving is far enough: no need to look closer
	}
	kb, ok := m.keepByPrefix(m.rule(ruleRetain, cur), lo, checked, now)
	switch {
	case !ok:
		return notQuiet
	case kb.IsZero():
		return q // the keep rule never fails: no demotion to warn of
	case !m.firstWarning(kb).After(now):
		return notQuiet
	}
	return q
}

// quietGrace is quiet for a status in grace until after now, whose spend is at most
// top in every window of the interval and below every higher tier's threshold. A step
// in grace does nothing but warn, unless the tier is held again (its keep or entry rule
// holds: not when top is below both thresholds) or grace ends (not before now). The
// demotion date is st.GraceUntil, or the end of the minimum stay, throughout; warnings
// only get nearer (fewer days) as time goes on, so none is due in the interval when
// none is due at now: no warning date passed by now, or st has warned at that count.
func (m *core) quietGrace(st *Status, cur int, top sum, now time.Time) quietness {
	if cur < 0 {
		return notQuiet
	}
	for _, r := range [...]*simpleRule{m.rule(ruleRetain, cur).sr, m.rule(ruleEntry, cur).sr} {
		if top.cmpCrit(&r.c, *r.min) >= 0 {
			return notQuiet
		}
	}
	d := m.demotionFrom(st, st.GraceUntil)
	if best := m.warnDays(d, now); best != 0 && !warned(st, d, best) {
		return notQuiet
	}
	return quietAll
}

// quietness is what [core.quiet] found of an interval.
type quietness uint8

const (
	notQuiet  quietness = iota // the machine steps through the interval
	quietAll                   // nothing changes but Checked and Seen
	quietNear                  // nothing changes but by NearNextTier events
)

// nearSteps is the evaluation of an interval that quiet found quietNear: what stepping
// would do there. At each instant of the interval the tier is kept (no upgrade, the keep
// rule holds, no grace, no warning, by quiet's bounds), so a step does nothing but the
// proximity check, which fires only at an instant an order is placed: near at each of
// those after st.Checked, in order, and at st.Checked itself when entries placed by then
// arrived since (where run steps again).
func (m *machine) nearSteps(now time.Time) {
	f := m.f
	k := instKey(m.st.Checked)
	if f.countAt(m.st.Checked) != m.st.Seen {
		k-- // the orders placed at st.Checked too
	}
	for i, hi := searchAfter(f.at, k), f.upper(now); i < hi; i++ {
		// Orders placed at the same instant see near twice there; the second finds
		// the cool-down running, as a step would see none at all.
		t := f.orders[i].placed
		if m.cooling(t) {
			continue // nearPlaced's own first test, before the windows are built
		}
		m.nearPlaced(t, m.windows(t))
	}
	m.st.Checked, m.st.Seen = now, f.countAt(now)
}

// usual reports whether the machine is on the usual ladder and status: simple tiers
// over a rolling window, a continuous term that starts at once, orders and refunds
// alone, no override and no pending tier. Both quiet and run's last step rely on it.
func (m *core) usual(st *Status) bool {
	l := m.l
	return m.simple && m.kind == PeriodRolling && m.term == TermContinuous && m.f.plain && l.Spend.Since.IsZero() &&
		l.Term.Start != StartNextPeriod && st.Override == nil && st.Pending == ""
}

// A rolling window's start can move back as time moves on, by less than a day, where a
// month end is clamped: 2028-02-29 01:00 less 12 months is 2027-02-28 01:00, before the
// 2027-02-28 23:00 of 2028-02-28 23:00. startFloor and startCeil bound the starts of
// the windows of n months ending at t or later, and at t or earlier. In UTC the start
// moves back only within a last day of a month (every later instant maps to that day
// or after it); in other zones a shift at a daylight-saving gap can move it too, and
// the bounds take two days' slack.
const startSlack = 48 * time.Hour

// startFloor returns an instant no later than the start of any rolling window of n
// months ending at t or after.
func (m *core) startFloor(t time.Time, n int) time.Time {
	return m.startBound(&m.floor, t, n, -1)
}

// startCeil returns an instant no earlier than the start of any rolling window of n
// months ending at t or before.
func (m *core) startCeil(t time.Time, n int) time.Time {
	return m.startBound(&m.ceil, t, n, 1)
}

// startBound is startFloor (dir -1) or startCeil (dir 1). When the rules are shared
// by many Ledgers (rules.memo) the last answer is kept in memo: every customer of a
// review asks about the same two instants.
func (m *core) startBound(memo *atomic.Pointer[startMemo], t time.Time, n, dir int) time.Time {
	if !m.memo {
		return startBound(t, n, dir, m.loc)
	}
	if e := memo.Load(); e != nil && e.n == n && e.loc == m.loc && e.t.Equal(t) {
		return e.v
	}
	v := startBound(t, n, dir, m.loc)
	memo.Store(&startMemo{t: t, n: n, loc: m.loc, v: v})
	return v
}

// startBound computes machine.startBound.
func startBound(t time.Time, n, dir int, loc *time.Location) time.Time {
	s := AddMonths(t, -n, loc)
	switch {
	case loc != time.UTC:
		return s.Add(time.Duration(dir) * startSlack)
	case !lastDay(s):
		return s.Add(time.Nanosecond) // rollingFrom(t)
	case dir < 0:
		return startOfDay(s, loc)
	}
	return startOfDay(s, loc).Add(24 * time.Hour)
}

// startMemo is one answer of startBound: v for t and n months in loc. Rules shared by
// Ledgers on several goroutines hold the last one of each bound behind an atomic
// pointer; an entry never changes.
type startMemo struct {
	t   time.Time
	n   int
	loc *time.Location
	v   time.Time
}

// lastDay reports whether t, in UTC, falls on the last day of its month.
func lastDay(t time.Time) bool {
	y, mo, d := t.Date()
	return d == daysIn(y, mo)
}

// activeOrder returns the instant of the first order from index i on (the first placed
// after t, where the machine last stepped or started) at which a step could change the
// status or emit, when it is before stop: the instant of the first order at or after
// stop when every order before it is idle, zero when there is none, and the instant of
// order i when the bounds below do not apply. next steps there instead of at each
// order. On the usual ladder and status, let top be the spend (or number) of the orders
// placed from the earliest start of any window ending at t or later to the instant u
// of an order, before refunds: at least the measure at u. Out of grace, with the keep
// rule holding at t, a step at u does nothing when
//
//   - top is below every higher tier's threshold: no upgrade, no enrolment;
//   - no proximity rule can be met: no rule, no next tier, the cool-down still running
//     at u, or top below what every rule asks (the rules are met from a value on);
//   - no warning can be due: the earliest warning that the roll-off of the oldest of
//     those orders allows is after u (as in warnFar, whose bound it is at u);
//
// and the keep rule still holds at u: orders only raise the measure, and the instants at
// which it can fall (refunds, orders leaving the window) are next's own, before stop.
// In grace (not yet at its end), as in quietGrace, a step at u does nothing when top
// is below the current tier's keep and entry thresholds and every higher tier's: the
// tier is not held again, no upgrade, and no proximity check runs in grace; the
// warnings of the demotion at grace's end fall at next's own instants. Where a clamped
// month end moves a window's start back (see startSlack) the earliest start is taken
// from t's less the slack.
func (m *machine) activeOrder(i int, t, stop time.Time) time.Time {
	f, l, st := m.f, m.l, &m.st
	u := f.orders[i].placed
	slot := measureSlot(l.measure())
	if !m.usual(st) || (slot != 0 && slot != 1) {
		return u
	}
	cur := l.TierIndex(st.Tier)
	days := l.warningDays()
	grace := !st.GraceUntil.IsZero()
	switch {
	case grace:
		if cur < 0 || l.Tiers[cur].InviteOnly || !st.GraceUntil.After(t) {
			return u
		}
	case cur >= 0:
		if l.Tiers[cur].InviteOnly || m.behind || (len(days) > 0 && l.Landing.MinStayMonths > 0) {
			return u
		}
	}
	var w *window // the window at t: the memo's when a step at t built it
	if m.wsOK && m.wsAt.Equal(t) {
		w = &m.wbuf[0]
	} else {
		w0 := m.window0(t)
		w = &w0
	}
	if !grace && cur >= 0 && !m.holds(m.rule(ruleRetain, cur), w) {
		return u
	}
	lo := f.lower(w.from.Add(-startSlack - time.Nanosecond))
	var warnAt time.Time // out of grace, no warning before it
	if !grace && cur >= 0 && len(days) > 0 {
		warnAt = m.firstWarning(m.rollOffOf(lo))
	}
	nx := m.nextTier(cur)
	near := !grace && nx >= 0 && len(l.Near.Rules) > 0
	var cool time.Time
	if near && !st.LastNear.IsZero() {
		cool = m.coolUntil()
	}
	var keep *simpleRule // in grace, the current tier's keep rule
	if grace {
		keep = m.rule(ruleRetain, cur).sr
	}
	// The entry rule of the first earnable tier whose entry the orders could reach: in
	// grace the current tier (not invite-only), else the next. The earnable tiers'
	// thresholds ascend on a simple ladder (Ladder.Validate): below this one's, top is
	// below every later one's.
	var entry *simpleRule
	if grace {
		entry = m.rule(ruleEntry, cur).sr
	} else if nx >= 0 {
		entry = m.rule(ruleEntry, nx).sr
	}
	for i < len(f.orders) {
		u = f.orders[i].placed
		if !u.Before(stop) {
			return u
		}
		hi := i + 1 // past the orders placed at u
		for hi < len(f.at) && f.at[hi] == f.at[i] {
			hi++
		}
		top, n := f.spendBase(lo, hi)
		if slot == 1 {
			top = sum{coef: n}
		}
		if keep != nil && top.cmpCrit(&keep.c, *keep.min) >= 0 {
			return u
		}
		if entry != nil && top.cmpCrit(&entry.c, *entry.min) >= 0 {
			return u
		}
		if near && (cool.IsZero() || !u.Before(cool)) && m.nearAny(top, Criterion{Measure: l.measure(), Min: l.Tiers[nx].Qualify}, nx) {
			return u
		}
		if !warnAt.IsZero() && !warnAt.After(u) {
			return u
		}
		i = hi
		m.nidle++
	}
	return time.Time{}
}
