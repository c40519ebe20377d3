package vip

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
)

// maxSteps bounds the instants one evaluation may visit, as a guard against a ladder
// whose schedule never settles.
const maxSteps = 1 << 20

// core is what an evaluation reads before it steps: the ladder, the facts and their
// zone, and the memo of roll-off instants. The quiet check ([core.quiet]) needs no
// more, so that most customers of a review never build (nor zero) a whole machine.
type core struct {
	l    *Ladder
	f    *facts
	loc  *time.Location
	kind PeriodKind
	term TermKind

	*rules // the ladder's, shared by every Ledger of it

	ro  [4]roMemo // memo of the last roll-off instants asked, by order index
	roN int
}

// machine is one evaluation in progress: its state, and the buffer of its memo of
// windows.
type machine struct {
	mstate
	// wbuf need not be zeroed to reset a machine (mstate alone is): periodWindows
	// writes each window it returns whole, and every read of wbuf is guarded by wsOK.
	wbuf [2]window
}

// mstate is a machine but its windows' buffer: what resetting a machine zeroes.
type mstate struct {
	core
	st  Status
	evs []Event

	wsOK bool // memo of windows: wbuf[:wsN] at wsAt
	wsAt time.Time
	wsN  int

	kbbOK  bool // memo of keepByBound
	kbbAt  time.Time
	kbbVal time.Time

	wfOK  bool // memo of warnFar's bound: the earliest warning given keepByBound wfLB
	wfLB  time.Time
	wfVal time.Time

	behind bool // the last next found the keep rule failing at or before its t

	skipIdle bool // next passes over orders at which a step can do nothing (run's skip)
	nsteps   int  // instants stepped at, for the tests
	nidle    int  // order instants next passed over, for the tests

	coolFor, coolEnd time.Time // memo of coolUntil: coolEnd for LastNear coolFor

	kbOK    bool // memo of keepBy
	kbCount int  // activity entries at kbAt
	kbCur   int
	kbAt    time.Time
	kbVal   time.Time
}

// roMemo is one memoised roll-off instant: order i leaves the window at at.
type roMemo struct {
	i  int
	at time.Time
}

// rollOffOf returns rollOff of order i for the ladder's window, memoised: an
// evaluation asks again and again about the few orders at the window's edges.
func (m *core) rollOffOf(i int) time.Time {
	for k := range m.roN {
		if m.ro[k].i == i {
			return m.ro[k].at
		}
	}
	// From the order's key, not its time: the roll-off depends on the instant alone,
	// and the keys are in cache when the orders are not.
	at, ok := time.Time{}, false
	if m.loc == time.UTC {
		// Straight from the key, with no time.Time in between.
		s, ns := keySplit(m.f.at[i])
		at, ok = rollOffUTC(s, ns, m.l.windowMonths())
	}
	if !ok {
		at = rollOff(keyTime(m.f.at[i]), m.l.windowMonths(), m.loc)
	}
	k := m.roN
	if k == len(m.ro) {
		copy(m.ro[:], m.ro[1:])
		k--
	} else {
		m.roN++
	}
	m.ro[k] = roMemo{i: i, at: at}
	return at
}

// Ledger is one customer's activity prepared for one ladder: validated once, sorted, with
// each order's qualifying spend and the running sums computed once. Evaluating from a
// Ledger skips that work, which dominates the cost of a review that keeps customers'
// activity in memory. [Ladder.Evaluate] builds a Ledger for each call.
//
// On the usual ladder (simple tiers on net spend or orders over a rolling window, a
// continuous term) an evaluation first bounds the measure over the whole interval from
// the status's last evaluation to now, from the running sums: when no threshold, keep
// rule, proximity rule or warning date can be reached within it, the status only moves
// to now, with no instant stepped through; when only a proximity rule can, it visits
// the instants orders are placed at and nothing else; a status in grace that cannot get
// its tier back before grace ends moves to now when no warning is due. The result is
// the same as stepping.
//
// A Ledger keeps pointers into the Activity and the Ladder it was made from: neither
// may be modified while the Ledger is in use. A Ledger is not safe for concurrent use.
type Ledger struct {
	id  string // the customer's, read without touching the Activity
	l   *Ladder
	f   *facts
	loc *time.Location
	r   *rules   // the ladder's, built once
	m   *machine // reused between evaluations
}

// rules are a ladder's rules prepared once for every evaluation of its Ledgers, which
// share them; nothing modifies them after newRules but the two atomic memos.
type rules struct {
	entry, retain []Rule // each tier's entry and keep rule in composite form

	simple bool                      // every tier is simple: rules come from rule's sr
	sr     [2 * maxSimple]simpleRule // by kind x maxSimple + tier (entry, retain)
	nearC  [maxNear]nearRule         // the proximity rules, when simple
	nearLo [maxSimple]nearFloor      // where tier i's proximity rules start to hold, when simple

	// memo: the rules serve many Ledgers, which keep the last bounds on window starts
	// of the quiet check (machine.startBound) in floor and ceil.
	memo        bool
	floor, ceil atomic.Pointer[startMemo]
}

// newRules prepares the rules of l, a valid ladder.
func newRules(l *Ladder) *rules {
	r := &rules{entry: make([]Rule, len(l.Tiers)), retain: make([]Rule, len(l.Tiers)), simple: simpleLadder(l)}
	for i := range l.Tiers {
		t := &l.Tiers[i]
		r.entry[i] = t.entryRule(l.measure())
		r.retain[i] = t.retainRule(l.measure())
		if !r.simple {
			continue
		}
		e, k := &r.sr[ruleEntry*maxSimple+i], &r.sr[ruleRetain*maxSimple+i]
		e.min, k.min = &t.Qualify, &t.Qualify
		if t.Keep != nil {
			k.min = t.Keep
		}
		e.c = newCrit(Criterion{Measure: l.measure(), Min: *e.min})
		k.c = newCrit(Criterion{Measure: l.measure(), Min: *k.min})
	}
	for k, p := range l.Near.Rules {
		if k == maxNear {
			break
		}
		r.nearC[k] = nearRule{gap: newCrit(Criterion{Measure: "", Min: p.Gap}), share: newCrit(Criterion{Measure: "", Min: p.Share})}
	}
	if r.simple {
		for i := range l.Tiers {
			lo, ok := nearFloorOf(l.Near.Rules, l.Tiers[i].Qualify)
			r.nearLo[i] = nearFloor{c: newCrit(Criterion{Measure: l.measure(), Min: lo}), min: lo, none: !ok}
		}
	}
	return r
}

// nearFloor is the least value at which a proximity rule of a tier holds (see
// nearAny): the value as a decimal and prepared for comparisons, or none when no rule
// can hold.
type nearFloor struct {
	c    crit
	min  decimal.Decimal
	none bool
}

// nearFloorOf returns the least value at which one of the proximity rules holds for a
// threshold min, exactly: each rule holds from a value on (min less its gap, or its
// share of min), and the least of those is where the first one starts to. ok is false
// when no rule has a positive gap or share.
func nearFloorOf(rules []Proximity, min decimal.Decimal) (lo decimal.Decimal, ok bool) {
	for _, p := range rules {
		if p.Gap.IsPositive() {
			if v := min.Sub(p.Gap); !ok || v.LessThan(lo) {
				lo, ok = v, true
			}
		}
		if p.Share.IsPositive() {
			if v := min.Mul(p.Share); !ok || v.LessThan(lo) {
				lo, ok = v, true
			}
		}
	}
	return lo, ok
}

// Ledger validates a for the ladder and prepares it for evaluation.
func (l *Ladder) Ledger(a *Activity) (*Ledger, error) {
	var p ledgerMaker // on the stack: the Ledger keeps only its rules
	if err := p.init(l); err != nil {
		return nil, err
	}
	p.r.memo = false // its own rules: nothing to share, no memo to allocate
	return p.ledger(nil, a)
}

// Ledgers is [Ladder.Ledger] for many customers at once: the ladder is validated once
// and its rules are prepared once and shared by the Ledgers (about half a kilobyte a
// customer saved, and fewer cache misses in a review of many). Each Ledger is
// otherwise on its own: different Ledgers may be evaluated on different goroutines.
// The Ledgers are laid out together, in the order of acts, so that a review going
// through them in that order reads memory from start to end; in exchange the memory of
// all of them is freed only once none of them is in use.
// The error names the first invalid activity by its index and wraps its own.
func (l *Ladder) Ledgers(acts []*Activity) ([]*Ledger, error) {
	var p ledgerMaker
	if err := p.init(l); err != nil {
		return nil, err
	}
	out := make([]*Ledger, len(acts))
	var ar ledgerArena
	ar.init(acts)
	for i, a := range acts {
		g, err := p.ledger(ar.ledger(i, a), a)
		if err != nil {
			return nil, fmt.Errorf("vip: ledgers: activity %d: %w", i, err)
		}
		out[i] = g
	}
	return out, nil
}

// ledgerArena lays out the Ledgers of [Ladder.Ledgers] in a few blocks of memory, in
// the order of the activities: the Ledgers, their facts, and the arrays a review reads
// for every customer (order instants, running sums, refund instants) and the order and
// refund facts. A review that goes through the customers in that order then reads each
// block from start to end, which the processor fetches ahead, where Ledgers allocated
// one by one are scattered over the heap and each customer costs cache misses. Each
// Ledger's arrays are capped slices of the blocks; a Ledger reused for another
// activity that needs more room gets new arrays as usual.
type ledgerArena struct {
	ledgers []Ledger
	facts   []facts
	at, rat []int64
	pfx     []pfxEnt
	orders  []ordFact
	refunds []refFact
}

// init allocates the blocks for acts; a nil activity counts as empty.
func (ar *ledgerArena) init(acts []*Activity) {
	no, nr := 0, 0
	for _, a := range acts {
		if a != nil {
			no += len(a.Orders)
			nr += len(a.Refunds)
		}
	}
	*ar = ledgerArena{ledgers: make([]Ledger, len(acts)), facts: make([]facts, len(acts)),
		at: make([]int64, no), pfx: make([]pfxEnt, no+len(acts)), orders: make([]ordFact, no),
		rat: make([]int64, nr), refunds: make([]refFact, nr)}
}

// ledger returns activity i's Ledger, its facts' arrays carved from the blocks (cut
// from their fronts, activity by activity, in order).
func (ar *ledgerArena) ledger(i int, a *Activity) *Ledger {
	no, nr := 0, 0
	if a != nil {
		no, nr = len(a.Orders), len(a.Refunds)
	}
	f := &ar.facts[i]
	f.at, ar.at = ar.at[:0:no], ar.at[no:]
	f.pfx, ar.pfx = ar.pfx[:0:no+1], ar.pfx[no+1:]
	f.orders, ar.orders = ar.orders[:0:no], ar.orders[no:]
	f.rat, ar.rat = ar.rat[:0:nr], ar.rat[nr:]
	f.refunds, ar.refunds = ar.refunds[:0:nr], ar.refunds[nr:]
	g := &ar.ledgers[i]
	g.f = f
	return g
}

// ledgerMaker builds the Ledgers of one ladder, validated once: what every customer's
// Ledger shares (the ladder's zone, period kind and the tiers' rules in composite form)
// is computed once, not for every customer. A ledgerMaker is not safe for concurrent
// use; the Ledgers it makes share its rules, which nothing modifies.
type ledgerMaker struct {
	l           *Ladder
	loc         *time.Location // the program's zone
	anniversary bool
	r           *rules
	v           activityCheck // scratch of Activity.Validate's fast path
}

// ledgers validates the ladder and returns a maker of its Ledgers.
func (l *Ladder) ledgers() (*ledgerMaker, error) {
	p := new(ledgerMaker)
	if err := p.init(l); err != nil {
		return nil, err
	}
	return p, nil
}

// init validates the ladder and sets p to make its Ledgers.
func (p *ledgerMaker) init(l *Ladder) error {
	if err := l.Validate(); err != nil {
		return err
	}
	pl, _ := l.Location()
	*p = ledgerMaker{l: l, loc: pl, anniversary: l.periodKind() == PeriodAnniversary, r: newRules(l)}
	p.r.memo = true
	return nil
}

// ledger validates a and prepares it, as [Ladder.Ledger] does. When g is not nil it is
// reused, its machine included, and returned: a caller that is done with one customer's
// Ledger passes it back for the next customer, saving two allocations a customer.
func (p *ledgerMaker) ledger(g *Ledger, a *Activity) (*Ledger, error) {
	if a == nil {
		a = &Activity{}
	}
	if err := p.v.validate(a, p.l.Currency); err != nil {
		return nil, err
	}
	return p.prepared(g, a)
}

// prepared is ledger for an activity a known to pass [Activity.Validate] for the
// ladder's currency: it checks and prepares everything else, and skips that validation.
func (p *ledgerMaker) prepared(g *Ledger, a *Activity) (*Ledger, error) {
	loc, err := a.Customer.Location(p.loc)
	if err != nil {
		return nil, err
	}
	if p.anniversary && a.Customer.JoinedAt.IsZero() {
		return nil, errorf(ErrInvalidActivity, "customer %q: joined_at is needed for an anniversary period", a.Customer.ID)
	}
	if g == nil {
		g = new(Ledger)
	}
	*g = Ledger{id: a.Customer.ID, l: p.l, f: prepare(g.f, p.l, a, loc), loc: loc, r: p.r, m: g.m}
	return g, nil
}

// start returns the Ledger's own machine set to st.
func (g *Ledger) start(st Status) (*machine, error) {
	if g.m == nil {
		g.m = new(machine)
	} else {
		g.m.mstate = mstate{}
	}
	if err := g.init(g.m, st); err != nil {
		return nil, err
	}
	return g.m, nil
}

// init sets m, a zero machine, to evaluate st on the ledger.
func (g *Ledger) init(m *machine, st Status) error {
	if err := g.primeAny(&m.core, &st); err != nil {
		return err
	}
	g.fill(&st)
	m.st = st
	return nil
}

// prime checks that st belongs to the ledger's customer and ladder and may be
// evaluated at now, and sets c, a zero core, to evaluate it. It does not modify st: see
// fill.
func (g *Ledger) prime(c *core, st *Status, now time.Time) error {
	if !validInstant(now) {
		return nowError("evaluate", now)
	}
	if now.Before(st.Checked) {
		return errorf(ErrInvalidStatus, "evaluate customer %q: now %s is before the last evaluation %s", st.CustomerID, now.Format(time.RFC3339Nano), st.Checked.Format(time.RFC3339Nano))
	}
	return g.primeAny(c, st)
}

// nowError is the error for an instant now, refused by validInstant, at which op was
// asked to evaluate.
func nowError(op string, now time.Time) error {
	return errorf(ErrInvalidStatus, "%s: now %s is zero or outside the years 1900-2200", op, now.Format(time.RFC3339))
}

// primeAny is prime for any instant: st's own checks alone.
func (g *Ledger) primeAny(c *core, st *Status) error {
	l, id := g.l, g.id
	cid := st.CustomerID
	switch {
	case cid == "":
		cid = id
	case id != "" && cid != id:
		return errorf(ErrInvalidStatus, "status of customer %q given activity of customer %q", cid, id)
	}
	if st.Ladder != "" && st.Ladder != l.Name {
		return errorf(ErrInvalidStatus, "status of ladder %q given to ladder %q", st.Ladder, l.Name)
	}
	if l.TierIndex(st.Tier) == -2 {
		return errorf(ErrInvalidStatus, "customer %q: tier %q is not on ladder %q", cid, st.Tier, l.Name)
	}
	if st.Peak != "" && l.TierIndex(st.Peak) == -2 {
		return errorf(ErrInvalidStatus, "customer %q: peak tier %q is not on ladder %q", cid, st.Peak, l.Name)
	}
	if st.Override != nil {
		if err := st.Override.Validate(l); err != nil {
			return err
		}
	}
	if st.Pending != "" && l.TierIndex(st.Pending) < 0 {
		return errorf(ErrInvalidStatus, "customer %q: pending tier %q is not on ladder %q", cid, st.Pending, l.Name)
	}
	term := l.termKind()
	if term == TermCustomerDate && g.f.a.TermEnd.IsZero() {
		term = TermContinuous
	}
	// Field by field: c is zero already, and a composite literal would build a second
	// core to copy.
	c.l, c.f, c.loc, c.kind, c.term = l, g.f, g.loc, l.periodKind(), term
	c.rules = g.r
	return nil
}

// fill names the ledger's customer and ladder in st where it names none.
func (g *Ledger) fill(st *Status) {
	if st.CustomerID == "" {
		st.CustomerID = g.id
	}
	if st.Ladder == "" {
		st.Ladder = g.l.Name
	}
}

// Evaluate is [Ladder.Evaluate] on the prepared activity.
func (g *Ledger) Evaluate(st Status, now time.Time) (Status, []Event, error) {
	// The quiet check needs only the core; most customers of a review stop there.
	// (Written out here, not in a helper Evaluate would call: each call between them
	// would copy the status twice.)
	var c core
	if err := g.prime(&c, &st, now); err != nil {
		return st, nil, err
	}
	q := c.quiet(&st, now)
	if q == quietAll {
		g.fill(&st)
		st.Checked, st.Seen = now, c.f.countAt(now)
		return st, nil, nil
	}
	return g.steps(&c, st, now, q, true)
}

// ReviewLedgers evaluates every customer's status at now in place: sts[i], the status
// of gs[i], becomes its status at now, as [Ledger.Evaluate] would return it. The
// customers' events are appended to evs, customer after customer and each one's in
// time order, and the extended slice is returned. A customer that cannot be evaluated
// keeps its status and adds no event; the errors are joined, each naming its ledger's
// index and customer, and the others are evaluated. gs and sts must have the same
// length, and now must be a valid instant (as for Evaluate): else nothing is evaluated.
//
// It is the review of a shop held in memory: it copies no status in or out and grows
// one slice of events, where calling Evaluate for each customer copies each status
// several times and allocates each customer's events.
func ReviewLedgers(gs []*Ledger, sts []Status, now time.Time, evs []Event) ([]Event, error) {
	if len(gs) != len(sts) {
		return evs, fmt.Errorf("vip: review: %d ledgers and %d statuses", len(gs), len(sts))
	}
	if !validInstant(now) {
		return evs, nowError("review", now)
	}
	var errs []error
	var m *machine // made at the first customer stepped through, then reused
	for i, g := range gs {
		var err error
		if evs, err = g.evaluateInto(&sts[i], now, &m, evs); err != nil {
			errs = append(errs, fmt.Errorf("review: ledger %d (customer %q): %w", i, g.id, err))
		}
	}
	return evs, errors.Join(errs...)
}

// evaluateInto is Evaluate of *st in place, the events appended to evs, with *mp the
// machine to use, made when nil and reset when not. On error *st and evs are as they
// were. It repeats Evaluate's quiet check and steps' run, on the status in place:
// sharing them through helpers that both call measured 1.6% more instructions for
// Evaluate's monthly review (bash bench/callgrind-review.sh, 46.69 M to 47.43 M) and
// 0.3% more for this one.
func (g *Ledger) evaluateInto(st *Status, now time.Time, mp **machine, evs []Event) ([]Event, error) {
	var c core
	if err := g.prime(&c, st, now); err != nil {
		return evs, err
	}
	q := c.quiet(st, now)
	if q == quietAll {
		g.fill(st)
		st.Checked, st.Seen = now, c.f.countAt(now)
		return evs, nil
	}
	m := *mp
	if m == nil {
		m = new(machine)
		*mp = m
	} else {
		m.mstate = mstate{}
	}
	m.core, m.st, m.evs = c, *st, evs
	g.fill(&m.st)
	if q == quietNear {
		m.nearSteps(now)
	} else if err := m.run(now, true); err != nil {
		return evs, err
	}
	*st = m.st
	return m.evs, nil
}

// steps is Evaluate past the quiet check: the whole machine, from c, taken to now. For
// an interval quiet found quietNear it visits the order instants alone
// ([machine.nearSteps]); else it steps, and without skip it steps at now even where the
// interval before it is known to be quiet. The machine lives on the stack: a Ledger
// keeps no state between evaluations.
func (g *Ledger) steps(c *core, st Status, now time.Time, q quietness, skip bool) (Status, []Event, error) {
	var m machine
	m.core, m.st = *c, st
	g.fill(&m.st)
	if q == quietNear {
		m.nearSteps(now)
		return m.st, m.evs, nil
	}
	if err := m.run(now, skip); err != nil {
		return st, nil, err
	}
	return m.st, m.evs, nil
}

// Evaluate moves st through the tier state machine to the instant now and returns the
// new status and the events on the way, in time order.
//
// It catches up: every instant between st.Checked and now at which something could
// change (an order, a refund, an order leaving the window, the end of grace, an expiry,
// a warning date, the end of an override) is visited in order, so the result does not
// depend on how often the caller evaluates. A zero Status replays the whole activity
// from its first entry; the result is the status the customer would hold had they been
// evaluated continuously. Activity after now is ignored, so evaluating a zero Status at
// a past instant gives the tier held then (see [Ladder.TierAt]).
//
// Evaluating again at the same instant with the same activity changes nothing and
// emits nothing. The activity's slices need not be sorted; their order does not matter.
// Activity the status has not seen that was placed at or before st.Checked counts from
// st.Checked on: the past before it is not rewritten. Evaluate returns an error, and st unchanged, when the ladder,
// the activity or the status is invalid, or when now is before st.Checked.
func (l *Ladder) Evaluate(st Status, a *Activity, now time.Time) (Status, []Event, error) {
	g, err := l.Ledger(a)
	if err != nil {
		return st, nil, err
	}
	return g.Evaluate(st, now)
}

// NextChange returns the first instant after st.Checked at which evaluating st could
// change it or emit an event: activity already in the ledger after st.Checked, an order
// leaving the window, the end of grace, an expiry, a warning date, a landing, the end of
// an override. Zero means nothing is scheduled. A store can keep it beside the status so
// that a review visits only the customers that are due (new activity calls for an
// evaluation anyway).
func (g *Ledger) NextChange(st Status) (time.Time, error) {
	if st.Checked.IsZero() {
		return time.Time{}, errorf(ErrInvalidStatus, "next change: customer %q was never evaluated", st.CustomerID)
	}
	m, err := g.start(st)
	if err != nil {
		return time.Time{}, err
	}
	if nx := m.next(st.Checked, endOfTime); !nx.After(endOfTime) {
		return nx, nil
	}
	return time.Time{}, nil
}

// TierAt returns the tier the activity earns and holds at instant t, replayed from the
// first entry: what a shop needs to price an old order at the tier it was placed under.
func (l *Ladder) TierAt(a *Activity, t time.Time) (Status, error) {
	st, _, err := l.Evaluate(Status{}, a, t)
	return st, err
}

// Snapshot is the tier a customer held at an instant: small enough to store on an order,
// so that the order can later be priced at the tier it was placed under.
type Snapshot struct {
	Ladder    string    `json:"ladder"`
	Version   int       `json:"version,omitempty"`
	Tier      string    `json:"tier,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	At        time.Time `json:"at"`
}

// Snapshot returns the snapshot of a status evaluated by this ladder.
func (l *Ladder) Snapshot(st Status) Snapshot {
	return Snapshot{Ladder: l.Name, Version: l.Version, Tier: st.Tier, ExpiresAt: st.ExpiresAt, At: st.Checked}
}

// SnapshotAt replays the activity to instant t ([Ladder.TierAt]) and returns the snapshot.
func (l *Ladder) SnapshotAt(a *Activity, t time.Time) (Snapshot, error) {
	st, err := l.TierAt(a, t)
	if err != nil {
		return Snapshot{}, err
	}
	return l.Snapshot(st), nil
}

// Place applies a manual override (a lock or a floor until a date) at now, after
// evaluating st up to now. A lock moves the customer to its tier at once; a floor
// raises a customer below it. The override is a layer over the earned tier: when it
// ends the customer lands on the tier earned then, through the landing rule.
func (l *Ladder) Place(st Status, o Override, a *Activity, now time.Time) (Status, []Event, error) {
	if err := o.Validate(l); err != nil {
		return st, nil, err
	}
	if !o.Until.After(now) {
		return st, nil, errorf(ErrInvalidStatus, "override: until %s is not after now %s", o.Until.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	g, err := l.Ledger(a)
	if err != nil {
		return st, nil, err
	}
	st2, evs, err := g.Evaluate(st, now)
	if err != nil {
		return st, nil, err
	}
	m, err := g.start(st2)
	if err != nil {
		return st, nil, err
	}
	m.evs = evs
	ov := o
	m.st.Override = &ov
	reason := o.Reason
	m.emit(Event{Kind: EventOverrideSet, At: now, From: m.st.Tier, To: o.Tier, Deadline: o.Until, Reason: reason})
	cur, target := l.TierIndex(m.st.Tier), l.TierIndex(o.Tier)
	switch {
	case target > cur:
		m.upgrade(cur, target, now, time.Time{}, reason)
	case target < cur && o.Kind == OverrideLock:
		m.downgrade(cur, target, now, reason)
	}
	if o.Kind == OverrideLock {
		m.st.ExpiresAt = time.Time{}
		m.st.GraceUntil = time.Time{}
	}
	// The rules apply at once under the new override (a floor that replaces a lock may
	// leave the customer on a tier they no longer hold).
	m.step(now)
	return m.st, m.evs, nil
}

// run catches the machine up to now. With skip, on the usual ladder and status
// ([machine.usual]), it does not step at now again when it has stepped at an earlier
// instant after which nothing is scheduled up to now: the step would change nothing
// (no activity, no roll-off failing the keep rule, no grace end, landing or warning
// date in between, and a monotone measure), unless next found the keep rule failing
// already (see machine.behind) or the status is in grace and the window at now can
// start before the one at that instant (machine.startBack): where a clamped month end
// moves the window's start back, an order that had left the window is back in it, and
// in grace that can make the keep rule hold again at an instant no schedule knows.
func (m *machine) run(now time.Time, skip bool) error {
	m.skipIdle = skip
	// Step at the last evaluation instant again first: activity that arrived since,
	// placed at or before that instant, counts from there.
	t := m.st.Checked
	stepped := false
	if t.IsZero() {
		t = m.f.first
		if t.IsZero() || t.After(now) {
			t = now
		}
		m.step(t)
		stepped = true
	} else if m.f.countAt(t) != m.st.Seen {
		m.step(t)
		stepped = true
	}
	for i := 0; ; i++ {
		if i > maxSteps {
			return errors.New("vip: evaluate: schedule does not settle; report this ladder as a bug")
		}
		nx := m.next(t, now)
		if nx.IsZero() || nx.After(now) {
			break
		}
		m.step(nx)
		t, stepped = nx, true
	}
	if !stepped || (!now.Equal(t) && !(skip && m.usual(&m.st) && !m.behind && (m.st.GraceUntil.IsZero() || !m.startBack(t, now)))) {
		m.step(now)
	}
	m.st.Checked = now
	m.st.Seen = m.f.countAt(now)
	return nil
}

func (m *machine) emit(e Event) {
	e.Ladder = m.l.Name
	e.CustomerID = m.st.CustomerID
	if m.evs == nil {
		m.evs = make([]Event, 0, 2) // an evaluation that emits at all often emits two
	}
	m.evs = append(m.evs, e)
}

// windows returns the qualifying windows valid at t, as known at t. The result for the
// last t asked is memoised in the machine's own buffer and shared, measures cached in it
// included (they depend only on the window and t). Only a step and what it calls at its
// own instant ask for windows: every other instant goes through window0, which leaves the
// memo alone, so the slice a step holds stays valid until the next step.
func (m *machine) windows(t time.Time) []window {
	if !m.wsOK || !m.wsAt.Equal(t) {
		m.wsN = m.periodWindows(t, &m.wbuf)
		m.wsAt, m.wsOK = t, true
	}
	return m.wbuf[:m.wsN]
}

// window0 returns a copy of the first qualifying window valid at t, without touching the
// memo of windows.
func (m *machine) window0(t time.Time) window {
	if m.wsOK && m.wsAt.Equal(t) {
		return m.wbuf[0]
	}
	var buf [2]window
	m.periodWindows(t, &buf)
	return buf[0]
}

// nextPeriod returns the start of the period after the one holding t: the next calendar
// or anniversary year, or for other periods the next calendar month.
func (m *machine) nextPeriod(t time.Time) time.Time {
	if m.kind == PeriodCalendarYear || m.kind == PeriodAnniversary {
		join := m.f.a.Customer.JoinedAt
		return periodAfter(m.kind, periodStart(m.kind, t, join, m.loc), join, m.loc)
	}
	y, mo, _ := t.In(m.loc).Date()
	return time.Date(y, mo+1, 1, 0, 0, 0, 0, m.loc)
}

// periodWindows writes the qualifying windows valid at t into buf and returns how many
// there are (one or two).
func (m *machine) periodWindows(t time.Time, buf *[2]window) int {
	n := m.periodWindowsTerm(t, buf)
	if m.term == TermCustomerDate {
		for i := range n {
			buf[i].expiry = m.f.a.TermEnd
		}
	}
	return n
}

func (m *machine) periodWindowsTerm(t time.Time, buf *[2]window) int {
	switch m.kind {
	case PeriodLifetime:
		buf[0] = window{from: m.clampSince(time.Time{}), to: t, cut: t}
		return 1
	case PeriodCalendarYear, PeriodAnniversary:
		join := m.f.a.Customer.JoinedAt
		ps := periodStart(m.kind, t, join, m.loc)
		next := periodAfter(m.kind, ps, join, m.loc)
		buf[0] = window{from: m.clampSince(ps), to: t, cut: t, expiry: next}
		if m.term == TermNextPeriodEnd {
			buf[0].expiry = periodAfter(m.kind, next, join, m.loc)
			prev := periodBefore(m.kind, ps, join, m.loc)
			buf[1] = window{from: m.clampSince(prev), to: ps.Add(-time.Nanosecond), cut: t, expiry: next}
			return 2
		}
		if m.term == TermFixed {
			buf[0].expiry = time.Time{}
		}
		return 1
	}
	buf[0] = window{from: m.rollingStart(t), to: t, cut: t}
	return 1
}

// rollingStart is the start of the rolling window at t, for the rolling and
// fixed-term periods.
func (m *machine) rollingStart(t time.Time) time.Time {
	return m.clampSince(rollingFrom(t, m.l.windowMonths(), m.loc))
}

// clampSince returns a window's start from, no earlier than the ladder's Spend.Since.
func (m *machine) clampSince(from time.Time) time.Time {
	if since := m.l.Spend.Since; !since.IsZero() && since.After(from) {
		return since
	}
	return from
}

// rollingSpan returns the orders of the first window at t, of a monotone measure on
// orders alone: those placed from windowFrom(t) to t, as an index range (the memoised
// window's span when the machine has stepped at t).
func (m *machine) rollingSpan(t time.Time) (lo, hi int) {
	if m.wsOK && m.wsAt.Equal(t) {
		return m.f.span(&m.wbuf[0])
	}
	lo = m.f.lower(m.windowFrom(t))
	return lo, max(m.f.upper(t), lo)
}

// ordersBy is f.upper(t), the number of orders placed by t, from the span of the
// window a step has built at t when it holds an order: every window at t ends at t, and
// the end of a span that is not empty is the orders placed by then (pending mode aside).
func (m *machine) ordersBy(t time.Time) int {
	if w := &m.wbuf[0]; m.wsOK && w.spanOK && w.slo < w.shi && !m.f.pending && m.wsAt.Equal(t) {
		return w.shi
	}
	return m.f.upper(t)
}

// windowFrom is window0(t).from, without building the window.
func (m *machine) windowFrom(t time.Time) time.Time {
	switch {
	case m.wsOK && m.wsAt.Equal(t):
		return m.wbuf[0].from
	case m.kind == PeriodRolling || m.kind == PeriodFixedTerm:
		return m.rollingStart(t)
	}
	return m.window0(t).from
}

// startBack reports whether the window at now can start before the one at t (where a
// clamped month end moves the start back): only then can an order placed by t that is
// out of t's window be in now's.
func (m *machine) startBack(t, now time.Time) bool {
	return m.windowFrom(now).Before(m.windowFrom(t))
}

// A rule reference names one of the tiers' rules. On a ladder of simple tiers (plain
// thresholds on the ladder's measure, the usual case) the rule is a single criterion
// prepared during the evaluation from the ladder itself (sr), which every Ledger of the
// ladder shares, so that nothing per customer is read for it; any other rule is read
// as it is (r), through holdsSlow.
type ruleRef struct {
	sr *simpleRule
	r  *Rule
}

// simpleRule is a simple tier's threshold prepared for holds.
type simpleRule struct {
	min *decimal.Decimal // the threshold, in the ladder
	c   crit
}

// maxSimple is the most tiers whose simple rules an evaluation prepares.
const maxSimple = 8

// Rule kinds for rule.
const (
	ruleEntry = iota
	ruleRetain
	ruleReentry
)

// rule returns tier i's rule of the kind.
func (m *core) rule(kind, i int) ruleRef {
	if m.simple && kind != ruleReentry { // a simple tier has no reentry rule
		return ruleRef{sr: &m.sr[kind*maxSimple+i]}
	}
	switch kind {
	case ruleEntry:
		return ruleRef{r: &m.entry[i]}
	case ruleRetain:
		return ruleRef{r: &m.retain[i]}
	}
	return ruleRef{r: m.l.Tiers[i].Reentry}
}

// simpleLadder reports whether every tier of l is in the simple form (a qualify and an
// optional keep threshold on the ladder's measure), for at most maxSimple tiers.
func simpleLadder(l *Ladder) bool {
	if len(l.Tiers) > maxSimple {
		return false
	}
	for i := range l.Tiers {
		t := &l.Tiers[i]
		if t.Entry != nil || t.Retain != nil || t.Reentry != nil {
			return false
		}
	}
	return true
}

// holds reports whether rule r holds over w.
func (m *machine) holds(r ruleRef, w *window) bool {
	sr := r.sr
	if sr == nil {
		return m.holdsSlow(*r.r, w)
	}
	var v sum
	if k := sr.c.slot; k >= 0 && w.have[k] {
		v = w.vals[k]
	} else {
		v = m.f.valueSum(w, m.l.measure())
	}
	return v.cmpCrit(&sr.c, *sr.min) >= 0
}

// holdsRange is holds over the orders [lo, hi) as known at cut (an indexed window): for
// a simple rule on net spend or orders it works on the sums alone, with no window.
func (m *machine) holdsRange(r ruleRef, lo, hi int, cut time.Time) bool {
	if sr := r.sr; sr != nil && (sr.c.slot == 0 || sr.c.slot == 1) {
		v, n := m.f.spendRange(lo, hi, cut)
		if sr.c.slot == 1 {
			v = sum{coef: n}
		}
		return v.cmpCrit(&sr.c, *sr.min) >= 0
	}
	probe := window{cut: cut, lo: lo, hi: hi, indexed: true}
	return m.holds(r, &probe)
}

// holdsSlow is holds on the rule itself: any rule, and the reference for tests.
func (m *machine) holdsSlow(r Rule, w *window) bool {
	need, n := r.need(), 0
	for _, c := range r.Criteria {
		if v := m.f.valueSum(w, c.Measure); v.cmpDec(c.Min) >= 0 {
			n++
			if n >= need {
				return true
			}
		}
	}
	return need == 0
}

// crit is a criterion prepared for comparisons: the slot of its measure in a window,
// and its threshold as an int64 coefficient and exponent when they hold it exactly,
// as sum.cmpDec would work out on every comparison.
type crit struct {
	coef  int64
	exp   int32
	slot  int8 // measureSlot of the measure: -1 for a custom one
	small bool // coef x 10^exp is the threshold
	// at[i] is the threshold as a coefficient at exponent -i, when atOK[i]: exactly
	// (at exponents no larger than exp), for comparing sums of amounts in whole units
	// to ten-thousandths with one integer comparison.
	at   [critAt]int64
	atOK [critAt]bool
}

// exactAt returns the threshold as a coefficient at exponent e, when the crit holds
// it exactly there (crit.at).
func (c *crit) exactAt(e int32) (int64, bool) {
	if i := -int(e); i >= 0 && i < critAt && c.atOK[i] {
		return c.at[i], true
	}
	return 0, false
}

// critAt is how many exponents (0 down to -critAt+1) a crit holds its threshold at.
const critAt = 5

// newCrit prepares c.
func newCrit(c Criterion) crit {
	k := crit{slot: int8(measureSlot(c.Measure))}
	k.coef, k.exp, k.small = smallDec(c.Min)
	for i := range critAt {
		if d := k.exp + int32(i); k.small && d >= 0 && d <= 18 {
			k.at[i], k.atOK[i] = mulOK(k.coef, pow10[d])
		}
	}
	return k
}

// smallDec returns d as an int64 coefficient and exponent, and whether those are exact.
func smallDec(d decimal.Decimal) (int64, int32, bool) {
	if d.NumDigits() <= 18 {
		return d.CoefficientInt64(), d.Exponent(), true
	}
	return 0, 0, false
}

// ceilAt returns the least integer k with k x 10^e at or above c's threshold, and
// whether the threshold is held exactly and k fits an int64: a sum of integer
// coefficient v at exponent e meets the threshold exactly when v >= k.
func (c *crit) ceilAt(e int32) (int64, bool) {
	if !c.small {
		return 0, false
	}
	if c.exp >= e {
		if c.exp-e > 18 {
			return 0, false
		}
		return mulOK(c.coef, pow10[c.exp-e])
	}
	if e-c.exp > 18 {
		return 0, false
	}
	p := pow10[e-c.exp]
	q := c.coef / p // truncated: the ceiling for a negative coefficient
	if c.coef > 0 && c.coef%p != 0 {
		q++
	}
	return q, true
}

// cmpCrit is s.cmpDec(min) for the prepared criterion c of threshold min.
func (s *sum) cmpCrit(c *crit, min decimal.Decimal) int {
	// The usual case first, the rest out of line in cmpCritSlow (cmpCrit is still over
	// the inlining budget): an amount in cents or whole units against a threshold held
	// at its exponent, exactAt written out.
	if i := uint(-int(s.exp)); i < critAt && c.atOK[i] && !s.big {
		switch a, b := s.coef, c.at[i]; {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return s.cmpCritSlow(c, min)
}

// cmpCritSlow is cmpCrit past its inlined case.
func (s *sum) cmpCritSlow(c *crit, min decimal.Decimal) int {
	if !s.big && c.small {
		if r, ok := cmpRaw(s.coef, s.exp, c.coef, c.exp); ok {
			return r
		}
	}
	return s.decimal().Cmp(min)
}

// nearRule is one proximity rule prepared for nearAny: its gap and share as
// thresholds (slot unused).
type nearRule struct {
	gap, share crit
}

// maxNear is the most proximity rules an evaluation prepares.
const maxNear = 4

// earnedAt returns the highest tier whose entry rule holds at t, and the expiry the best
// qualifying window grants (zero for continuous terms).
func (m *machine) earnedAt(ws []window, cur int) (int, time.Time) {
	if m.simple && len(ws) == 1 {
		// One window and plain thresholds on the ladder's measure (no reentry rule):
		// its value once, against each tier's threshold from the top.
		v := m.f.valueSum(&ws[0], m.l.measure())
		for i := len(m.l.Tiers) - 1; i >= 0; i-- {
			if sr := &m.sr[ruleEntry*maxSimple+i]; !m.l.Tiers[i].InviteOnly && v.cmpCrit(&sr.c, *sr.min) >= 0 {
				return i, ws[0].expiry
			}
		}
		return -1, time.Time{}
	}
	peak := m.l.TierIndex(m.st.Peak)
	for i := len(m.l.Tiers) - 1; i >= 0; i-- {
		t := &m.l.Tiers[i]
		if t.InviteOnly {
			continue
		}
		r := m.rule(ruleEntry, i)
		if t.Reentry != nil && peak >= i && cur < i {
			r = m.rule(ruleReentry, i)
		}
		if ok, exp := m.anyWindow(r, ws); ok {
			return i, exp
		}
	}
	return -1, time.Time{}
}

// earnedBefore reports whether tier i's entry rule holds in a window of a period that has
// already ended (the previous calendar or anniversary year), whose next period is now.
func (m *machine) earnedBefore(i int, ws []window) bool {
	if len(ws) < 2 {
		return false
	}
	ok, _ := m.anyWindow(m.rule(ruleEntry, i), ws[1:])
	return ok
}

// anyWindow reports whether r holds in one of ws, and the latest expiry among those.
func (m *machine) anyWindow(r ruleRef, ws []window) (bool, time.Time) {
	ok, exp := false, time.Time{}
	for k := range ws {
		if m.holds(r, &ws[k]) {
			ok = true
			if ws[k].expiry.After(exp) {
				exp = ws[k].expiry
			}
		}
	}
	return ok, exp
}

// keeps reports whether tier i's keep rule holds at t, with the expiry it grants.
func (m *machine) keeps(i int, ws []window) (bool, time.Time) {
	return m.anyWindow(m.rule(ruleRetain, i), ws)
}

// expiryFor returns the expiry of a tier entered or renewed at t, for the ladder's term.
func (m *machine) expiryFor(t, windowExpiry time.Time, first bool) time.Time {
	var exp time.Time
	switch m.term {
	case TermContinuous:
		return time.Time{}
	case TermFixed:
		exp = AddMonths(t, m.l.termMonths(), m.loc)
	default:
		exp = windowExpiry
	}
	if first && m.l.Term.FirstMinMonths > 0 {
		if min := AddMonths(t, m.l.Term.FirstMinMonths, m.loc); min.After(exp) {
			exp = min
		}
	}
	return ceilTo(exp, m.l.Term.RoundTo, m.loc)
}

// step evaluates the state machine at instant t.
func (m *machine) step(t time.Time) {
	m.nsteps++
	st := &m.st
	forced := false
	if ov := st.Override; ov != nil && !t.Before(ov.Until) {
		m.emit(Event{Kind: EventOverrideExpired, At: t, From: st.Tier, To: st.Tier, Reason: ov.Reason})
		st.Override = nil
		forced = true
	}
	if ov := st.Override; ov != nil && ov.Kind == OverrideLock {
		return
	}
	floor := -1
	if ov := st.Override; ov != nil {
		floor = m.l.TierIndex(ov.Tier)
	}
	ws := m.windows(t)
	cur := m.l.TierIndex(st.Tier)
	earned, exp := m.earnedAt(ws, cur)
	if st.Pending != "" && !t.Before(st.PendingFrom) {
		// A tier earned in the last period starts now.
		p := max(m.l.TierIndex(st.Pending), earned)
		st.Pending, st.PendingFrom = "", time.Time{}
		if p > cur {
			_, pexp := m.anyWindow(m.rule(ruleEntry, p), ws)
			if pexp.IsZero() {
				pexp = ws[len(ws)-1].expiry
			}
			m.upgrade(cur, p, t, pexp, "activity")
			// The rules below still apply at this instant: a tier earned in the last
			// period may not be held in this one.
			cur = p
		}
	}
	if earned > cur && m.l.Term.Start == StartNextPeriod && !m.earnedBefore(earned, ws) {
		if m.l.TierIndex(st.Pending) < earned {
			st.Pending, st.PendingFrom = m.l.Tiers[earned].Name, m.nextPeriod(t)
			m.emit(Event{Kind: EventQualified, At: t, From: st.Tier, To: st.Pending, Deadline: st.PendingFrom,
				DaysLeft: daysLeft(t, st.PendingFrom), Measure: m.l.measure(), Value: m.f.value(&ws[0], m.l.measure()), Reason: "activity"})
		}
		earned = cur
	}
	if earned > cur {
		m.upgrade(cur, earned, t, exp, "activity")
		m.warn(t, earned, ws)
		m.near(t, ws)
		return
	}
	if cur < 0 {
		m.near(t, ws)
		return
	}
	held, renew := m.held(cur, earned, exp, t, ws)
	if held {
		switch {
		case renew.IsZero() || !renew.After(st.ExpiresAt):
		case st.ExpiresAt.IsZero():
			// A tier held without an expiry (after a lock) gets one.
			st.ExpiresAt = renew
			m.emit(Event{Kind: EventExpiryChanged, At: t, From: st.Tier, To: st.Tier, Deadline: renew, Reason: "expiry"})
		default:
			st.ExpiresAt = renew
			m.emit(Event{Kind: EventProlonged, At: t, From: st.Tier, To: st.Tier, Deadline: renew, Reason: "activity"})
			st.WarnedFor, st.Warned = time.Time{}, 0
		}
		if !st.GraceUntil.IsZero() {
			m.emit(Event{Kind: EventRecovered, At: t, From: st.Tier, To: st.Tier, Reason: "activity"})
			st.GraceUntil = time.Time{}
			st.WarnedFor, st.Warned = time.Time{}, 0
		}
		m.warn(t, cur, ws)
		m.near(t, ws)
		return
	}
	if forced {
		// An override ended and the tier is not held: land at once, without grace; later
		// landings follow the interval.
		st.GraceUntil = t
		m.land(cur, earned, floor, t, ws, "override")
		return
	}
	if st.GraceUntil.IsZero() {
		start := t
		if m.term != TermContinuous && !st.ExpiresAt.IsZero() && st.ExpiresAt.Before(t) {
			start = st.ExpiresAt
		}
		if m.l.GraceMonths > 0 {
			st.GraceUntil = AddMonths(start, m.l.GraceMonths, m.loc)
			gap, meas, val := m.keepGap(cur, st.GraceUntil, t)
			m.emit(Event{Kind: EventGraceStarted, At: t, From: st.Tier, To: st.Tier, Deadline: st.GraceUntil,
				DaysLeft: daysLeft(t, st.GraceUntil), Gap: gap, Measure: meas, Value: val, Reason: "grace"})
			m.warn(t, cur, ws)
			return
		}
		st.GraceUntil = start
	}
	if t.Before(st.GraceUntil) {
		m.warn(t, cur, ws)
		return
	}
	m.land(cur, earned, floor, t, ws, "landing")
}

// held reports whether the current tier cur is held at t, and the expiry a renewal
// would grant.
func (m *machine) held(cur, earned int, earnedExp, t time.Time, ws []window) (bool, time.Time) {
	st := &m.st
	if floor := st.Override; floor != nil && m.l.TierIndex(floor.Tier) >= cur {
		return true, time.Time{}
	}
	if m.l.Tiers[cur].InviteOnly {
		// Invitation-only tiers are held by an override alone.
		return false, time.Time{}
	}
	keep, exp := m.keeps(cur, ws)
	if earned >= cur {
		// Earning the tier (or a higher one) keeps it, for the term the entry grants.
		keep = true
		if earnedExp.After(exp) {
			exp = earnedExp
		}
	}
	switch m.term {
	case TermContinuous:
		return keep, time.Time{}
	case TermFixed:
		if t.Before(st.ExpiresAt) {
			return true, time.Time{}
		}
		if keep {
			// Reassessed at the expiry, the next term follows on from it; a status that
			// lapsed (in grace or landing) and qualifies again starts a term now.
			e := st.ExpiresAt
			if e.IsZero() || !st.GraceUntil.IsZero() {
				e = t
			}
			for !e.After(t) {
				e = ceilTo(AddMonths(e, m.l.termMonths(), m.loc), m.l.Term.RoundTo, m.loc)
			}
			return true, e
		}
		return false, time.Time{}
	}
	var renew time.Time
	if keep {
		renew = ceilTo(exp, m.l.Term.RoundTo, m.loc)
	}
	if t.Before(st.ExpiresAt) || renew.After(t) {
		return true, renew
	}
	return false, time.Time{}
}

// upgrade moves the customer up from cur to to at t.
func (m *machine) upgrade(cur, to int, t, windowExpiry time.Time, reason string) {
	st := &m.st
	peak := m.l.TierIndex(st.Peak)
	e := Event{Kind: EventUpgraded, At: t, From: st.Tier, To: m.l.Tiers[to].Name, Reentry: to <= peak, Reason: reason,
		Measure: m.l.measure()}
	if cur < 0 {
		e.Kind = EventEnrolled
	}
	for i := cur + 1; i <= to; i++ {
		tier := &m.l.Tiers[i]
		if tier.InviteOnly && i != to {
			continue
		}
		e.Crossed = append(e.Crossed, tier.Name)
		if tier.EntryReward != "" && (!m.l.Rewards.NoRepay || i > peak) {
			e.Rewards = append(e.Rewards, tier.EntryReward)
		}
	}
	ws := m.windows(t)
	e.Value = m.f.value(&ws[0], m.l.measure())
	st.Tier = m.l.Tiers[to].Name
	st.Since, st.LastUpgrade = t, t
	st.GraceUntil = time.Time{}
	st.WarnedFor, st.Warned = time.Time{}, 0
	if to > peak {
		st.Peak = st.Tier
	}
	st.ExpiresAt = m.expiryFor(t, windowExpiry, true)
	e.Deadline = st.ExpiresAt
	m.emit(e)
}

// downgrade moves the customer down from cur to to (-1: off the ladder) at t.
func (m *machine) downgrade(cur, to int, t time.Time, reason string) {
	st := &m.st
	e := Event{Kind: EventDowngraded, At: t, From: st.Tier, Reason: reason, Measure: m.l.measure()}
	for i := cur; i > to; i-- {
		e.Crossed = append(e.Crossed, m.l.Tiers[i].Name)
	}
	ws := m.windows(t)
	e.Value = m.f.value(&ws[0], m.l.measure())
	if g, _, _ := m.ruleGap(m.entry[cur], &ws[0]); g.IsPositive() {
		e.Gap = g
	}
	if to >= 0 {
		st.Tier = m.l.Tiers[to].Name
		e.To = st.Tier
	} else {
		st.Tier = ""
	}
	st.Since, st.LastLanding = t, t
	st.WarnedFor, st.Warned = time.Time{}, 0
	st.ExpiresAt = time.Time{}
	m.emit(e)
}

// land applies the landing rule at t to a customer who no longer holds tier cur.
func (m *machine) land(cur, earned, floor int, t time.Time, ws []window, reason string) {
	st := &m.st
	if !st.LastLanding.IsZero() && t.Before(AddMonths(st.LastLanding, m.l.landingInterval(), m.loc)) && reason != "override" {
		return
	}
	if ms := m.l.Landing.MinStayMonths; ms > 0 && !st.LastUpgrade.IsZero() && t.Before(AddMonths(st.LastUpgrade, ms, m.loc)) {
		return
	}
	target := -1
	switch m.l.Landing.Mode {
	case LandQualifying:
		for i := cur - 1; i >= 0; i-- {
			if ok, _ := m.keeps(i, ws); ok && !m.l.Tiers[i].InviteOnly {
				target = i
				break
			}
		}
	case LandLowest:
		target = -1
	default:
		target = cur - 1
		for target >= 0 && m.l.Tiers[target].InviteOnly {
			target--
		}
	}
	target = max(target, earned, floor)
	if ms := m.l.Landing.MaxSteps; ms > 0 {
		target = max(target, cur-ms)
	}
	for target >= 0 && target < cur && m.l.Tiers[target].InviteOnly && target != floor {
		target--
	}
	if target >= cur {
		// Nothing lower to land on (the customer earns this tier, or a floor holds it).
		st.GraceUntil = time.Time{}
		return
	}
	m.downgrade(cur, target, t, reason)
	st.GraceUntil = time.Time{}
	if target < 0 {
		return
	}
	defer m.warn(t, target, ws)
	if ok, exp := m.keeps(target, ws); ok || target <= earned || target == floor {
		if m.term != TermContinuous {
			st.ExpiresAt = m.expiryFor(t, exp, false)
			if !st.ExpiresAt.After(t) {
				st.ExpiresAt = m.expiryFor(t, ws[0].expiry, false)
			}
		}
		return
	}
	// Short of the new tier's keep rule too: it gets a grace of its own, or, without
	// grace, the landing goes on at the next interval.
	if m.term != TermContinuous {
		st.ExpiresAt = t
	}
	if m.l.GraceMonths > 0 {
		st.GraceUntil = AddMonths(t, m.l.GraceMonths, m.loc)
		gap, meas, val := m.keepGap(target, st.GraceUntil, t)
		m.emit(Event{Kind: EventGraceStarted, At: t, From: st.Tier, To: st.Tier, Deadline: st.GraceUntil,
			DaysLeft: daysLeft(t, st.GraceUntil), Gap: gap, Measure: meas, Value: val, Reason: "grace"})
		return
	}
	st.GraceUntil = t
}

// headline returns the criterion of r that events and progress report: the one on the
// ladder's measure, or the first.
func (m *machine) headline(r Rule) Criterion {
	for _, c := range r.Criteria {
		if c.Measure == m.l.measure() {
			return c
		}
	}
	return r.Criteria[0]
}

// ruleGap returns how far w is from r's headline criterion: gap (never negative),
// measure and value.
func (m *machine) ruleGap(r Rule, w *window) (decimal.Decimal, Measure, decimal.Decimal) {
	c := m.headline(r)
	v := m.f.value(w, c.Measure)
	g := c.Min.Sub(v)
	if g.IsNegative() {
		g = decimal.Zero
	}
	return g, c.Measure, v
}

// keepGap returns what the customer must add by deadline to keep tier cur, judged at t.
func (m *machine) keepGap(cur int, deadline, t time.Time) (decimal.Decimal, Measure, decimal.Decimal) {
	w := m.keepWindow(deadline, t)
	return m.ruleGap(m.retain[cur], &w)
}

func daysLeft(t, deadline time.Time) int {
	d := deadline.Sub(t)
	if d <= 0 {
		return 0
	}
	return int((d + 24*time.Hour - 1) / (24 * time.Hour))
}

// demotionAt returns the earliest instant the customer could lose tier cur with no new
// activity, as known at t, or zero when none is in sight.
func (m *machine) demotionAt(cur int, t time.Time) time.Time {
	st := &m.st
	if cur < 0 {
		return time.Time{}
	}
	var d time.Time
	switch {
	case !st.GraceUntil.IsZero():
		if !st.GraceUntil.After(t) {
			return time.Time{} // landing in progress
		}
		d = st.GraceUntil
	case m.term == TermContinuous:
		kb := m.keepBy(cur, t)
		if kb.IsZero() {
			return time.Time{}
		}
		d = AddMonths(kb, m.l.GraceMonths, m.loc)
	default:
		if st.ExpiresAt.IsZero() {
			return time.Time{}
		}
		d = AddMonths(st.ExpiresAt, m.l.GraceMonths, m.loc)
	}
	return m.demotionFrom(st, d)
}

// demotionFrom returns the demotion instant of st whose tier is lost at d by the rules
// alone: no earlier than the end of an override or of the minimum stay.
func (m *core) demotionFrom(st *Status, d time.Time) time.Time {
	if ov := st.Override; ov != nil && ov.Until.After(d) {
		d = ov.Until
	}
	if ms := m.l.Landing.MinStayMonths; ms > 0 && !st.LastUpgrade.IsZero() {
		if e := AddMonths(st.LastUpgrade, ms, m.loc); e.After(d) {
			d = e
		}
	}
	return d
}

// warnDays returns the fewest warning days n for which t is at or after n days before
// the demotion at d, or 0 when t is before every warning date.
func (m *core) warnDays(d, t time.Time) int {
	best := 0
	for _, n := range m.l.warningDays() {
		if !t.Before(addDays(d, -n, m.loc)) && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}

// warned reports whether st has warned about the demotion at d at best days or fewer,
// so that a warning at best days is not due again.
func warned(st *Status, d time.Time, best int) bool {
	return st.WarnedFor.Equal(d) && st.Warned != 0 && st.Warned <= best
}

// warn emits a DemotionWarning when t is within one of the configured day counts of a
// possible demotion that has not been warned about at that count.
func (m *machine) warn(t time.Time, cur int, ws []window) {
	days := m.l.warningDays()
	if len(days) == 0 {
		return
	}
	if m.warnFar(cur, t, t) {
		return
	}
	st := &m.st
	d := m.demotionAt(cur, t)
	if d.IsZero() || !d.After(t) {
		return
	}
	best := m.warnDays(d, t)
	if best == 0 || warned(st, d, best) {
		return
	}
	st.WarnedFor, st.Warned = d, best
	gap, meas, val := m.keepGap(cur, d, t)
	m.emit(Event{Kind: EventDemotionWarning, At: t, From: st.Tier, To: st.Tier, Deadline: d, DaysLeft: daysLeft(t, d),
		Gap: gap, Measure: meas, Value: val, Reason: "warning"})
}

// nextTier returns the first earnable tier above cur, or -1.
func (m *core) nextTier(cur int) int {
	for i := cur + 1; i < len(m.l.Tiers); i++ {
		if !m.l.Tiers[i].InviteOnly {
			return i
		}
	}
	return -1
}

// near emits a NearNextTier event when activity at t brings the customer within one
// of the proximity rules of the next tier, at most once per cool-down. It works on exact
// sums and makes decimals only for the event it emits.
func (m *machine) near(t time.Time, ws []window) {
	if len(m.l.Near.Rules) == 0 || !m.f.activityAt(t) {
		return
	}
	m.nearPlaced(t, ws)
}

// nearPlaced is near at an instant t an order is placed at, on a ladder with
// proximity rules.
func (m *machine) nearPlaced(t time.Time, ws []window) {
	st := &m.st
	if m.cooling(t) {
		return
	}
	nx := m.nextTier(m.l.TierIndex(st.Tier))
	if nx < 0 {
		return
	}
	var c Criterion // the headline criterion
	if m.simple {
		c = Criterion{Measure: m.l.measure(), Min: m.l.Tiers[nx].Qualify}
	} else {
		c = m.headline(m.entry[nx])
	}
	v := m.f.valueSum(&ws[0], c.Measure)
	if !m.nearAny(v, c, nx) {
		return
	}
	// The gap is positive: nearAny found the value below the threshold.
	var gap sum
	q, qok := int64(0), false // the share, x 10^4
	if mc := m.simpleCrit(nx); mc != nil && !v.big {
		// A simple tier's threshold, prepared: no decimal to read.
		if k, ok := mc.exactAt(v.exp); ok {
			gap = sum{coef: k - v.coef, exp: v.exp}
		} else {
			gap = v.gapTo(c.Min)
		}
		if mc.small {
			q, qok = v.shareOfRaw(mc.coef, mc.exp, 4)
		}
	} else {
		gap = v.gapTo(c.Min)
		q, qok = v.shareOf(c.Min, 4)
	}
	// The share as a sum, exact: q x 10^-4 on the fast path, else the decimal.
	var share sum
	if qok && c.Min.IsPositive() {
		if q > 0 {
			share = sum{coef: q, exp: -4}
		}
	} else {
		_, _, _, d := m.progressTo(nx, &ws[0])
		share.add(d)
	}
	for k, p := range m.l.Near.Rules {
		if (p.Gap.IsPositive() && m.cmpNear(&gap, k, false) <= 0) || (p.Share.IsPositive() && m.cmpNear(&share, k, true) >= 0) {
			st.LastNear = t
			var sd decimal.Decimal
			if !share.big && share.exp == -4 {
				sd = shareDecimal(share.coef)
			} else {
				sd = share.decimal()
			}
			m.emit(Event{Kind: EventNearNextTier, At: t, From: st.Tier, To: m.l.Tiers[nx].Name, Gap: gap.decimal(), Share: sd,
				Measure: c.Measure, Value: v.decimal(), Reason: "activity"})
			return
		}
	}
}

// cooling reports whether the cool-down after the last NearNextTier event is still
// running at t.
func (m *machine) cooling(t time.Time) bool {
	return !m.st.LastNear.IsZero() && t.Before(m.coolUntil())
}

// coolUntil returns the end of the cool-down after st.LastNear, which is not zero,
// memoised for the last LastNear asked: a customer's orders in a row all ask about the
// same one. The memo compares representations: the same one is the same instant in the
// same zone (another representation of it only computes again), and the zero coolFor
// of a new machine matches no LastNear.
func (m *machine) coolUntil() time.Time {
	if m.coolFor != m.st.LastNear {
		m.coolFor = m.st.LastNear
		m.coolEnd = addDays(m.st.LastNear, m.l.nearCooldown(), m.loc)
	}
	return m.coolEnd
}

// shareDecs returns the decimals q x 10^-4 for q from 0 to 10,000, made at the first
// call, for shareDecimal. Decimals are immutable, so one value can serve every event.
// The values sit in one array: reading one costs a cache line, where a table of
// pointers to decimals made one by one cost two dependent misses (the pointer, then
// the decimal it points to): the read through the pointer was two thirds of
// shareDecimal's time in a CPU profile of the 10,000-customer review.
var shareDecs = sync.OnceValue(func() *[shareSteps + 1]decimal.Decimal {
	var a [shareSteps + 1]decimal.Decimal
	for i := range a {
		a[i] = decimal.New(int64(i), -4)
	}
	return &a
})

// shareSteps is the share 1 in steps of 10^-4, the last of shareDecs.
const shareSteps = 10_000

// shareDecimal returns decimal.New(q, -4), the share of a NearNextTier event, from
// shareDecs when q is in its range: two allocations an event saved.
func shareDecimal(q int64) decimal.Decimal {
	if q < 0 || q > shareSteps {
		return decimal.New(q, -4)
	}
	return shareDecs()[q]
}

// simpleCrit returns tier i's prepared entry threshold on a ladder of simple tiers,
// else nil.
func (m *core) simpleCrit(i int) *crit {
	if !m.simple {
		return nil
	}
	return &m.rule(ruleEntry, i).sr.c
}

// cmpNear compares s with proximity rule k's share (or gap): on the rule's prepared
// integers when there are such, else on the decimal. Either way it allocates nothing
// for sums and rules that fit an int64.
func (m *machine) cmpNear(s *sum, k int, share bool) int {
	p := &m.l.Near.Rules[k]
	d := p.Gap
	if share {
		d = p.Share
	}
	if k < maxNear && !s.big {
		c := &m.nearC[k].gap
		if share {
			c = &m.nearC[k].share
		}
		if c.small {
			if r, ok := cmpRaw(s.coef, s.exp, c.coef, c.exp); ok {
				return r
			}
		}
	}
	return s.cmpDec(d)
}

// nearAny reports, cheaply, whether a proximity rule may hold for headline criterion c
// at value v: v is below the threshold and within a rule's gap, or at or above a rule's
// share. near computes the exact figures only then. On a simple ladder that is two
// comparisons: below tier nx's threshold, and at or above the least value at which one
// of its rules holds (rules.nearLo).
func (m *core) nearAny(v sum, c Criterion, nx int) bool {
	if !m.simple {
		return m.nearAnySlow(v, c)
	}
	lo := &m.nearLo[nx]
	if lo.none || v.cmpCrit(m.simpleCrit(nx), c.Min) >= 0 {
		return false
	}
	return v.cmpCrit(&lo.c, lo.min) >= 0
}

// nearAnySlow is nearAny on the decimals themselves, rule by rule: for the ladders
// whose rules nearAny has not prepared, and for tests.
func (m *core) nearAnySlow(v sum, c Criterion) bool {
	if v.cmpDec(c.Min) >= 0 {
		return false
	}
	for _, p := range m.l.Near.Rules {
		if p.Gap.IsPositive() {
			g := v
			g.add(p.Gap)
			if g.cmpDec(c.Min) >= 0 {
				return true
			}
		}
		if p.Share.IsPositive() && v.cmpProduct(p.Share, c.Min) >= 0 {
			return true
		}
	}
	return false
}

// progressTo returns the gap, measure, value and share toward tier i's headline entry
// criterion over w. Share is value / threshold rounded half away from zero to four
// places, at most 1.
func (m *machine) progressTo(i int, w *window) (decimal.Decimal, Measure, decimal.Decimal, decimal.Decimal) {
	r := m.entry[i]
	gap, meas, val := m.ruleGap(r, w)
	c := m.headline(r)
	share := decimal.NewFromInt(1)
	if c.Min.IsPositive() && val.LessThan(c.Min) {
		share = val.DivRound(c.Min, 4)
		if share.IsNegative() {
			share = decimal.Zero
		}
	}
	return gap, meas, val, share
}

// activityAt reports whether an order counts from, or points were earned at, instant t.
func (f *facts) activityAt(t time.Time) bool {
	if f.pending {
		i := sort.Search(len(f.effs), func(i int) bool { return !f.effs[i].Before(t) })
		if i < len(f.effs) && f.effs[i].Equal(t) {
			return true
		}
	} else if k := instKey(t); orderAt(f.at, k) {
		return true
	}
	if len(f.points) == 0 {
		return false
	}
	i := sort.Search(len(f.points), func(i int) bool { return !f.points[i].At.Before(t) })
	return i < len(f.points) && f.points[i].At.Equal(t)
}

// orderAt reports whether the sorted keys at hold k.
func orderAt(at []int64, k int64) bool {
	i := searchAfter(at, k-1)
	return i < len(at) && at[i] == k
}

// keepBy returns the first instant after t at which tier cur's keep rule fails if the
// customer does nothing more, for a continuous term; zero when it never does. The
// answer is memoised for the last (cur, t) asked.
func (m *machine) keepBy(cur int, t time.Time) time.Time {
	if m.kbOK && m.kbCur == cur {
		if m.kbAt.Equal(t) {
			return m.kbVal
		}
		// With no activity since the last answer, and the answer still ahead, it stands:
		// nothing but activity moves a monotone measure's failure instant.
		if m.f.monotone && t.After(m.kbAt) && (m.kbVal.IsZero() || m.kbVal.After(t)) && m.f.countAt(t) == m.kbCount {
			return m.kbVal
		}
	}
	v := m.computeKeepBy(cur, t)
	m.kbOK, m.kbCur, m.kbAt, m.kbVal = true, cur, t, v
	if m.f.monotone {
		m.kbCount = m.f.countAt(t)
	}
	return v
}

func (m *machine) computeKeepBy(cur int, t time.Time) time.Time {
	if m.kind == PeriodLifetime && m.f.monotone {
		return time.Time{}
	}
	r := m.rule(ruleRetain, cur)
	fails := func(u time.Time) bool {
		w := m.window0(u).recut(t)
		return !m.holds(r, &w)
	}
	if m.f.monotone && len(m.f.points) == 0 && m.kind != PeriodLifetime && m.l.Spend.Since.IsZero() {
		// Orders leave the window in the order they were placed. Once order k has left,
		// the window holds at most the orders placed after it: search k on those index
		// ranges, with no calendar arithmetic, and compute one roll-off instant at the
		// end. (When a clamped month end makes several orders leave at the same
		// instant, the first k found shares that instant with the true answer.)
		lo, hi := m.rollingSpan(t)
		if at, ok := m.keepByPrefix(r, lo, hi, t); ok {
			return at
		}
		return m.keepBySearch(r, lo, hi, t)
	}
	cands := m.rollOffs(t)
	if m.f.monotone {
		k := sort.Search(len(cands), func(i int) bool { return fails(cands[i]) })
		if k < len(cands) {
			return cands[k]
		}
		return time.Time{}
	}
	for _, u := range cands {
		if fails(u) {
			return u
		}
	}
	return time.Time{}
}

// keepBySearch is computeKeepBy for a monotone measure over the orders [lo, hi) of
// the window at t: the first order whose leaving makes rule r fail, searched on index
// ranges, and the instant it leaves; zero when r holds with no order left.
func (m *machine) keepBySearch(r ruleRef, lo, hi int, t time.Time) time.Time {
	k := sort.Search(hi-lo, func(i int) bool {
		j := lo + i + 1 // the orders placed after order lo+i: skip its equals
		for j < hi && m.f.at[j] == m.f.at[lo+i] {
			j++
		}
		return !m.holdsRange(r, j, hi, t)
	})
	if k < hi-lo {
		return m.rollOffOf(lo + k)
	}
	return time.Time{}
}

// keepByPrefix is keepBySearch on integers, when r is a simple rule on net spend or
// orders and the running sums of the orders and of the refunds known at t are int64
// coefficients at one exponent (f.pfx, refView.ipre). With total(j) the net spend (or
// count) of the orders before j, the orders [j, hi) fail r once total(hi) - total(j)
// is below the threshold; an order's net part is never negative, so total only grows
// with j and the first failing j is one binary search away. Order j-1 (or one placed
// at the same instant, which leaves with it) is then the one whose leaving makes r
// fail. ok is false when these conditions do not hold.
func (m *core) keepByPrefix(r ruleRef, lo, hi int, t time.Time) (at time.Time, ok bool) {
	f, sr := m.f, r.sr
	if sr == nil || f.pfx == nil || hi <= lo || (sr.c.slot != 0 && sr.c.slot != 1) {
		return time.Time{}, false
	}
	var v *refView // the refunds known at t, if any
	if len(f.rat) > 0 && f.rat[0] <= instKey(t) {
		if v = f.refundView(t); !v.ipreOK {
			return time.Time{}, false
		}
	}
	counting := sr.c.slot == 1
	e := f.pexp
	if counting {
		e = 0
	}
	k, ok := sr.c.ceilAt(e)
	if !ok {
		return time.Time{}, false
	}
	total := func(j int) int64 {
		p := &f.pfx[j]
		if v == nil {
			if counting {
				return p.n
			}
			return p.c
		}
		q := searchInts(v.ords, j) // refunded orders before j
		if counting {
			return p.n - v.nfull[q]
		}
		return p.c - v.ipre[q]
	}
	// The orders [j, hi) fail r when total(hi) - total(j) < k, that is total(j) > lim.
	lim, ok := addOK(total(hi), -k)
	if !ok || k == -1<<63 {
		return time.Time{}, false
	}
	a, b := lo+1, hi+1 // the first j in [lo+1, hi] with total(j) > lim, or hi+1
	for a < b {
		h := int(uint(a+b) >> 1)
		if total(h) > lim {
			b = h
		} else {
			a = h + 1
		}
	}
	if a > hi {
		return time.Time{}, true
	}
	return m.rollOffOf(a - 1), true
}

// rollOffs returns, in order, the instants after t at which the window's content can
// change with no new activity: orders and points leaving it, pending orders maturing,
// and month starts for monthly measures (for one window length ahead).
func (m *machine) rollOffs(t time.Time) []time.Time {
	n := m.l.windowMonths()
	if m.kind == PeriodLifetime {
		n = 0
	}
	w := m.window0(t)
	var out []time.Time
	if n > 0 {
		lo, hi := m.f.lower(w.from), m.f.upper(t)
		for i := lo; i < hi; i++ {
			out = append(out, rollOff(m.f.orders[i].placed, n, m.loc))
		}
		for _, p := range m.f.points {
			if !p.At.Before(w.from) && !p.At.After(t) {
				out = append(out, rollOff(p.At, n, m.loc))
			}
		}
	}
	if m.f.pending {
		for _, e := range m.f.effs {
			if e.After(t) {
				out = append(out, e)
			}
		}
	}
	if m.f.monthly {
		y, mo, _ := t.In(m.loc).Date()
		for k := 1; k <= max(n, 12)+1; k++ {
			out = append(out, time.Date(y, mo+time.Month(k), 1, 0, 0, 0, 0, m.loc))
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// next returns the first instant after t, and no later than horizon, at which the
// machine must be stepped, or an instant after horizon, or zero. With skipIdle, orders
// at whose instants a step can do nothing are passed over (see machine.activeOrder).
func (m *machine) next(t, horizon time.Time) time.Time {
	best := m.nextBut(t, horizon)
	f := m.f
	if f.pending {
		return best
	}
	if i := m.ordersBy(t); i < len(f.orders) {
		u := f.orders[i].placed
		if m.skipIdle && (best.IsZero() || u.Before(best)) && !u.After(horizon) {
			stop := horizon
			if !best.IsZero() && best.Before(stop) {
				stop = best
			}
			u = m.activeOrder(i, t, stop)
		}
		if !u.IsZero() && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	return best
}

// nextBut is next but for the orders placed after t.
func (m *machine) nextBut(t, horizon time.Time) time.Time {
	var best time.Time
	consider := func(u time.Time) {
		if u.After(t) && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	f := m.f
	if f.pending {
		i := sort.Search(len(f.effs), func(i int) bool { return f.effs[i].After(t) })
		if i < len(f.effs) {
			consider(f.effs[i])
		}
	}
	if i := searchAfterLast(f.rat, instKey(t)); i < len(f.refunds) {
		consider(f.refunds[i].at)
	}
	if i := sort.Search(len(f.points), func(i int) bool { return f.points[i].At.After(t) }); i < len(f.points) {
		consider(f.points[i].At)
	}
	if f.monthly {
		y, mo, _ := t.In(m.loc).Date()
		consider(time.Date(y, mo+1, 1, 0, 0, 0, 0, m.loc))
	}
	st := &m.st
	if st.Pending != "" {
		consider(st.PendingFrom)
	}
	if ov := st.Override; ov != nil {
		consider(ov.Until)
		if ov.Kind == OverrideLock {
			return best
		}
	}
	cur := m.l.TierIndex(st.Tier)
	if m.kind == PeriodCalendarYear || m.kind == PeriodAnniversary {
		consider(periodAfter(m.kind, periodStart(m.kind, t, f.a.Customer.JoinedAt, m.loc), f.a.Customer.JoinedAt, m.loc))
	}
	if cur < 0 {
		return best
	}
	consider(st.ExpiresAt)
	consider(st.GraceUntil)
	if !st.GraceUntil.IsZero() && !st.GraceUntil.After(t) {
		consider(AddMonths(st.LastLanding, m.l.landingInterval(), m.loc))
		if ms := m.l.Landing.MinStayMonths; ms > 0 {
			consider(AddMonths(st.LastUpgrade, ms, m.loc))
		}
	}
	m.behind = false
	if m.term == TermContinuous && st.GraceUntil.IsZero() {
		if lb := m.keepByBound(t); lb.IsZero() || !lb.After(horizon) {
			kb := m.keepBy(cur, t)
			// A failure at or before t: an order that had left the window is back in it,
			// where a clamped month end moves the window's start back (2028-02-29 01:00
			// less 12 months is before 2028-02-28 23:00 less 12 months). It leaves again
			// at no instant the schedule knows; the step at the end of run catches it.
			m.behind = !kb.IsZero() && !kb.After(t)
			consider(kb)
		}
	}
	if !m.warnFar(cur, t, horizon) {
		if d := m.demotionAt(cur, t); !d.IsZero() {
			for _, n := range m.l.warningDays() {
				consider(addDays(d, -n, m.loc))
			}
		}
	}
	return best
}

// keepByBound returns an instant no later than keepBy(cur, t) that is cheap to compute:
// nothing leaves a rolling window before its oldest order does. Zero means no bound.
func (m *machine) keepByBound(t time.Time) time.Time {
	if m.kbbOK && m.kbbAt.Equal(t) {
		return m.kbbVal
	}
	v := m.computeKeepByBound(t)
	m.kbbOK, m.kbbAt, m.kbbVal = true, t, v
	return v
}

func (m *machine) computeKeepByBound(t time.Time) time.Time {
	if !m.f.monotone || len(m.f.points) > 0 || (m.kind != PeriodRolling && m.kind != PeriodFixedTerm) {
		return time.Time{}
	}
	lo, hi := m.rollingSpan(t)
	if lo >= hi {
		return time.Time{}
	}
	return m.rollOffOf(lo)
}

// warnFar reports whether no demotion warning can fall at or before horizon, judged
// from the keepBy bound, so that the exact demotion date need not be computed.
func (m *machine) warnFar(cur int, t, horizon time.Time) bool {
	st := &m.st
	if m.term != TermContinuous || !st.GraceUntil.IsZero() || st.Override != nil || m.l.Landing.MinStayMonths > 0 {
		return false
	}
	lb := m.keepByBound(t)
	if lb.IsZero() {
		return false
	}
	if !m.wfOK || !m.wfLB.Equal(lb) {
		m.wfOK, m.wfLB, m.wfVal = true, lb, m.firstWarning(lb)
	}
	return m.wfVal.After(horizon)
}

// firstWarning returns the earliest instant a demotion warning can fall for a customer
// who keeps the tier until lb at least: the demotion comes grace months later, the
// first warning the most warning days before that.
func (m *core) firstWarning(lb time.Time) time.Time {
	most := 0
	for _, n := range m.l.warningDays() {
		most = max(most, n)
	}
	return addDays(AddMonths(lb, m.l.GraceMonths, m.loc), -most, m.loc)
}
