package vip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"
)

// EngineOptions tune an [Engine]. A nil *EngineOptions means the defaults.
type EngineOptions struct {
	// Clock is the Engine's only source of time; nil means time.Now. Instants are
	// truncated to microseconds, the precision the stores keep.
	Clock Clock `json:"-"`
	// MaxRetries bounds how often one write is retried after a stale status version
	// (another writer changed a customer in between); 0 means 20.
	MaxRetries int `json:"max_retries,omitempty"`
	// PageSize is how many customers a review loads and commits at once; 0 means 500.
	PageSize int `json:"page_size,omitempty"`
	// FullReview makes [Engine.Review] load and evaluate every customer of the shard
	// instead of only those due ([Store.Due]). The result is the same (a customer that
	// is not due has nothing to change); it is slower, and there for checks.
	FullReview bool `json:"full_review,omitempty"`
	// CacheCustomers bounds how many customers' activity and status the Engine keeps
	// from its own commits, so that the next ingest for them need not load them
	// again; 0 means 10,000, a negative value turns the cache off. A cached customer is
	// only presumed current: the commit's compare-and-swap on the status version
	// proves it (a change to a customer's activity by any writer changes the version,
	// see [Store]), and on [ErrStale] the Engine reloads from the store.
	CacheCustomers int `json:"cache_customers,omitempty"`
}

// Engine ties a [Ladder] to a [Store]: it ingests orders and refunds, reviews customers,
// applies manual placements, and hands out the events to act on. All the tier logic is
// [Ladder.Evaluate]'s; the Engine loads, evaluates and commits with compare-and-swap on
// [Status.Version], retrying a bounded number of times when another writer got there
// first. Several Engines, in one process or many, may share one store.
//
// The zero value is not usable: call [NewEngine]. An Engine is safe for concurrent use.
type Engine struct {
	store    Store
	ladder   Ladder
	key      string
	clock    Clock
	retries  int
	pageSize int
	full     bool
	cache    *engCache   // nil: off
	mk       ledgerMaker // the ladder validated and its rules built once; see ledgers
	// scratch holds *engScratch: an ingest's change slices, reused from ingest to
	// ingest (a Store keeps none of a change's slices, see Store.Commit).
	scratch sync.Pool
}

// engScratch is the room of an ingest's Change.Statuses and Change.Due, taken from
// the Engine's pool for one ingest and put back once its commits are done: a status
// is about 300 bytes, and these were a tenth of an ingest's allocated bytes.
type engScratch struct {
	statuses []Status
	due      []time.Time
}

// getScratch returns scratch room from the pool, or new room.
func (e *Engine) getScratch() *engScratch {
	if sc, ok := e.scratch.Get().(*engScratch); ok {
		return sc
	}
	return &engScratch{}
}

// putScratch keeps c's status and due slices (the latest room of sc) in the pool,
// emptied: no reference into a past change stays.
func (e *Engine) putScratch(sc *engScratch, c *Change) {
	if cap(c.Statuses) > cap(sc.statuses) {
		sc.statuses, sc.due = c.Statuses, c.Due
	}
	clear(sc.statuses[:cap(sc.statuses)])
	sc.statuses, sc.due = sc.statuses[:0], sc.due[:0]
	e.scratch.Put(sc)
}

// NewEngine returns an Engine for the ladder l (validated and copied) on store s.
func NewEngine(s Store, l Ladder, opts *EngineOptions) (*Engine, error) {
	if s == nil {
		return nil, errors.New("vip: new engine: store is nil")
	}
	e := &Engine{store: s, ladder: l, key: ladderKey(l), clock: time.Now, retries: 20, pageSize: 500}
	if err := e.mk.init(&e.ladder); err != nil { // validates the ladder
		return nil, err
	}
	if opts != nil {
		e.full = opts.FullReview
		if opts.Clock != nil {
			e.clock = opts.Clock
		}
		if opts.MaxRetries < 0 || opts.PageSize < 0 {
			return nil, fmt.Errorf("vip: new engine: max_retries %d and page_size %d must not be negative", opts.MaxRetries, opts.PageSize)
		}
		if opts.MaxRetries > 0 {
			e.retries = opts.MaxRetries
		}
		if opts.PageSize > 0 {
			e.pageSize = opts.PageSize
		}
	}
	switch n := 10000; {
	case opts != nil && opts.CacheCustomers < 0:
	case opts != nil && opts.CacheCustomers > 0:
		e.cache = &engCache{max: opts.CacheCustomers, m: map[string]*engCached{}}
	default:
		e.cache = &engCache{max: n, m: map[string]*engCached{}}
	}
	return e, nil
}

// ledgers returns a maker of the ladder's Ledgers for one call: a copy of the Engine's,
// made in NewEngine, with validation scratch of its own (a ledgerMaker is not safe for
// concurrent use; the rules the copies share are never modified).
func (e *Engine) ledgers() *ledgerMaker {
	mk := e.mk
	return &mk
}

// engCache keeps, for each customer, the activity and the status (with its stored
// version) of this Engine's last successful commit for them. An entry is used only by
// an ingest that adds something to the customer, so that it writes the status with
// compare-and-swap: the store changes a status's version whenever the customer's
// activity or the status changes, by any writer, so a commit that succeeds proves the
// entry was current, and one that fails with [ErrStale] drops it. An ingest takes the
// entries it uses out of the cache (a concurrent ingest of the same customer loads it
// from the store), so that it may change them in place (append to their activity, set
// the new status); the commit puts them back. Entries are kept by pointer, so that an
// entry goes out and back without being copied or allocated again. A nil *engCache
// keeps nothing. It is safe for concurrent use.
type engCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*engCached
}

type engCached struct {
	// a is the customer's activity but for the orders of more: refunds by time, ties
	// by ID, as Load gives. a.Orders and the parts of more, one after the other, are
	// the orders as Load gives them (by placement time, ties by ID).
	a Activity
	// more holds the orders that batches added, a part per batch, each a slice of its
	// own that nothing modifies: appending every batch's orders to one slice grew it by
	// doubling, copying the history each time and keeping up to half of it again as
	// spare room, a tenth of an ingest's bytes. An ingest puts the orders together in
	// one scratch slice to evaluate; the one that would make engMaxParts parts copies
	// them into a new a.Orders instead, as does one that adds an order out of time
	// order (the whole history sorted again).
	more [][]Order
	st   Status // Version is the stored version
}

// engMaxParts bounds the slices an entry's orders are kept in: a.Orders and fewer than
// engMaxParts parts in more.
const engMaxParts = 8

// appendOrders appends the entry's orders, in order, to dst.
func (en *engCached) appendOrders(dst []Order) []Order {
	dst = append(dst, en.a.Orders...)
	for _, p := range en.more {
		dst = append(dst, p...)
	}
	return dst
}

// hasOrder reports whether the entry holds an order with o's ID and instant. An order
// of that ID at another instant is a conflict, which the ingest that takes the entry
// reports (ingestOnce compares IDs); looking at the instant first, in the order's
// own memory, spares reading the ID's bytes of every cached order, most of them
// long out of the processor's caches (hasOrder comparing IDs alone was 2.2% of the
// SQLite engine ingest's CPU time).
func (en *engCached) hasOrder(o *Order) bool {
	if engHasOrder(en.a.Orders, o) {
		return true
	}
	for _, p := range en.more {
		if engHasOrder(p, o) {
			return true
		}
	}
	return false
}

func engHasOrder(os []Order, o *Order) bool {
	for i := range os {
		if os[i].PlacedAt.Equal(o.PlacedAt) && os[i].ID == o.ID {
			return true
		}
	}
	return false
}

// addOrders records the orders a committed ingest added to the entry: all is the
// entry's orders followed by the added ones (the tail of all, which the entry may
// keep: it must be a slice that nothing modifies), in a scratch slice that addOrders
// may sort.
func (en *engCached) addOrders(all, added []Order) {
	if len(added) == 0 {
		return
	}
	if !slices.IsSortedFunc(all[max(len(all)-len(added)-1, 0):], engOrderCmp) {
		slices.SortFunc(all, engOrderCmp)
		en.a.Orders, en.more = slices.Clone(all), nil
		return
	}
	switch {
	case len(en.a.Orders) == 0 && len(en.more) == 0:
		en.a.Orders = added
	case len(en.more) == engMaxParts-1:
		clear(en.more) // no reference left to the parts joined
		en.a.Orders, en.more = slices.Clone(all), en.more[:0]
	default:
		if en.more == nil {
			en.more = make([][]Order, 0, engMaxParts-1)
		}
		en.more = append(en.more, added)
	}
}

// take removes and returns the customer's entry when the batch adds to it; the caller
// owns it until it puts it back.
func (c *engCache) take(id string, in *engBatch) (*engCached, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[id]
	if !ok || !in.adds(id, v) {
		return nil, false
	}
	delete(c.m, id)
	return v, true
}

// put stores the entries, whose activity must be sorted as Load sorts it (see
// engSortTail). Entries own their slices once put; only the ingest that takes an entry
// out modifies it.
func (c *engCache) put(es []*engCached) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, en := range es {
		if _, ok := c.m[en.st.CustomerID]; !ok && len(c.m) >= c.max {
			n := max(1, c.max/8) // room for a batch: drop an arbitrary eighth
			for k := range c.m {
				delete(c.m, k)
				if n--; n == 0 {
					break
				}
			}
		}
		c.m[en.st.CustomerID] = en
	}
}

// drop forgets the customers.
func (c *engCache) drop(ids []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.m, id)
	}
}

// engSortTail sorts xs, whose first n entries are sorted already (a stored or cached
// history, with entries appended after them), looking only at the entries from n-1 on
// when they are in order, as they are when new orders arrive in time order.
func engSortTail[T any](xs []T, n int, cmp func(a, b T) int) {
	if !slices.IsSortedFunc(xs[max(n-1, 0):], cmp) {
		slices.SortFunc(xs, cmp)
	}
}

func engOrderCmp(a, b Order) int {
	if c := a.PlacedAt.Compare(b.PlacedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

func engRefundCmp(a, b Refund) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Ladder returns the Engine's ladder.
func (e *Engine) Ladder() Ladder { return e.ladder }

// Key returns the key of the Engine's ladder configuration, stored with each status's
// review schedule ([Change.DueKey]): "l" and 16 hexadecimal digits of the 64-bit FNV-1a
// hash of the ladder's JSON. A changed ladder has another key, so that a review after
// the change looks at every customer once. Custom measures ([Ladder.Custom]) are code,
// not JSON, and not part of the key: change the ladder's Version with them.
func (e *Engine) Key() string { return e.key }

func ladderKey(l Ladder) string {
	b, err := json.Marshal(l)
	if err != nil { // a validated ladder marshals; if not, no two keys are alike
		return fmt.Sprintf("l%p", &l)
	}
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("l%016x", h.Sum64())
}

// schedule appends to c the status nst written from the ledger g, and its review
// schedule.
func (e *Engine) schedule(c *Change, g *Ledger, nst Status) error {
	due, err := g.NextChange(nst)
	if err != nil {
		return err
	}
	c.Statuses = append(c.Statuses, nst)
	c.Due = append(c.Due, due)
	return nil
}

// Store returns the Engine's store.
func (e *Engine) Store() Store { return e.store }

// now reads the clock, normalised as the stores keep instants.
func (e *Engine) now() time.Time { return engInstant(e.clock()) }

func engInstant(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Batch is a set of orders and refunds to ingest together, with optional customer
// records. A customer first seen in a batch without a record is stored with JoinedAt
// at their earliest order in the batch.
type Batch struct {
	Customers []Customer `json:"customers,omitempty"`
	Orders    []Order    `json:"orders,omitempty"`
	Refunds   []Refund   `json:"refunds,omitempty"`
}

// IngestResult says what [Engine.Ingest] did.
type IngestResult struct {
	// Orders and Refunds count the ones newly stored; Duplicates those already stored
	// with the same content (ignored).
	Orders     int `json:"orders"`
	Refunds    int `json:"refunds"`
	Duplicates int `json:"duplicates"`
	// Customers counts the customers re-evaluated.
	Customers int `json:"customers"`
	// Events are the events logged, in log order.
	Events []Event `json:"events,omitempty"`
	// Retries counts the reloads after a stale status version.
	Retries int `json:"retries"`
}

// Ingest stores a batch of orders and refunds and re-evaluates their customers at the
// Clock's instant, in one atomic [Store.Commit]: the new orders, the customers' new
// statuses and their events are stored together or not at all.
//
// The batch is all-or-nothing. Every order, refund and customer is validated first, and
// then each customer's stored and new activity together ([Activity.Validate]: a refund
// must name a stored order or one in the batch, and not exceed it); if anything is
// invalid, nothing is stored and the error names every problem, with the field and the
// value, wrapping [ErrInvalidOrder], [ErrInvalidRefund], [ErrCurrencyMismatch], and so
// on. An ID that is already stored, or repeated in the batch, with the same content is
// ignored (re-sending a batch is harmless); with other content it is [ErrConflict].
//
// Late activity: when a customer's batch holds an order or refund placed at or before
// the customer's last evaluation, the status is restated as a fresh evaluation of all
// the stored activity (what [Ladder.TierAt] gives), and one event reports the tier
// change, if any, with Reason "restated". The past events are not rewritten. A customer
// under a manual override is never restated: their late activity counts from now on,
// as [Ladder.Evaluate] does.
func (e *Engine) Ingest(ctx context.Context, b Batch) (IngestResult, error) {
	var res IngestResult
	in, err := e.prepare(b)
	if err != nil {
		return res, err
	}
	if len(in.ids) == 0 {
		res.Duplicates = in.dups
		return res, nil
	}
	sc := e.getScratch()
	for attempt := 0; ; attempt++ {
		r, c, keep, err := e.ingestOnce(ctx, in, attempt == 0, sc)
		if err == nil {
			err = e.store.Commit(ctx, c)
		}
		if cap(c.Statuses) > cap(sc.statuses) {
			sc.statuses, sc.due = c.Statuses, c.Due
		}
		if err == nil {
			e.putScratch(sc, &c)
			e.cache.put(keep)
			r.Retries = attempt
			r.Duplicates += in.dups
			return r, nil
		}
		e.cache.drop(in.ids)
		if !errors.Is(err, ErrStale) || attempt >= e.retries {
			e.putScratch(sc, &c)
			if errors.Is(err, ErrStale) {
				return res, fmt.Errorf("vip: ingest: gave up after %d retries: %w", attempt, err)
			}
			return res, err
		}
		if err := engBackoff(ctx, attempt); err != nil {
			return res, err
		}
	}
}

// engBackoff sleeps before retry attempt+1: a few milliseconds, growing, with jitter
// taken from the clock's nanoseconds (no global random source).
func engBackoff(ctx context.Context, attempt int) error {
	d := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	d += time.Duration(time.Now().UnixNano() % int64(d))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// engBatch is a validated batch, grouped by customer.
type engBatch struct {
	ids []string // the customers, in ascending byte order
	// orders holds, at the index of each customer in ids, the customer's orders, in
	// batch order, normalised: a slice of its own for each customer, exactly of their
	// size, which a cache entry may keep (engCached.more) and nothing modifies.
	orders [][]Order
	// all is the change's orders: the batch's own slice when every order in it is
	// distinct (a store normalises instants itself, see Store), else the distinct
	// ones, normalised, in batch order.
	all       []Order
	refunds   map[string][]Refund // nil when there are none
	customers map[string]Customer // nil when there are none
	dups      int
}

// at returns the index of the customer in ids, or -1.
func (in *engBatch) at(id string) int {
	if i, ok := slices.BinarySearch(in.ids, id); ok {
		return i
	}
	return -1
}

// ordersOf returns the customer's orders in the batch.
func (in *engBatch) ordersOf(id string) []Order {
	if i := in.at(id); i >= 0 {
		return in.orders[i]
	}
	return nil
}

// prepare validates the batch on its own, normalises instants and groups it.
func (e *Engine) prepare(b Batch) (*engBatch, error) {
	var errs []error
	in := &engBatch{}
	cur := e.ladder.Currency
	ids := make([]string, 0, len(b.Orders)+len(b.Customers)+len(b.Refunds)) // with repeats until sorted
	for _, c := range b.Customers {
		if err := c.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		c.JoinedAt, c.Birthday = engInstant(c.JoinedAt), engInstant(c.Birthday)
		if old, ok := in.customers[c.ID]; ok && !engSameCustomer(old, c) {
			errs = append(errs, errorf(ErrConflict, "batch: customer %q appears twice with different content", c.ID))
			continue
		}
		if in.customers == nil {
			in.customers = map[string]Customer{}
		}
		in.customers[c.ID] = c
		ids = append(ids, c.ID)
	}
	// The valid distinct orders, as indexes into b.Orders: they are copied once, into
	// their customer's part, with their instants normalised.
	valid := make([]int, 0, len(b.Orders))
	norm := func(i int) Order {
		o := b.Orders[i]
		o.PlacedAt = engInstant(o.PlacedAt)
		return o
	}
	seenO := make(map[string]int, len(b.Orders)) // ID: index in b.Orders
	for i, o := range b.Orders {
		if err := o.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if o.Currency != cur {
			errs = append(errs, errorf(ErrCurrencyMismatch, "order %q: currency %s, ladder %q counts %s", o.ID, o.Currency, e.ladder.Name, cur))
			continue
		}
		o.PlacedAt = engInstant(o.PlacedAt)
		if j, ok := seenO[o.ID]; ok {
			if !engSameOrder(norm(j), o) {
				errs = append(errs, errorf(ErrConflict, "batch: order %q appears twice with different content", o.ID))
			} else {
				in.dups++
			}
			continue
		}
		seenO[o.ID] = i
		valid = append(valid, i)
		ids = append(ids, o.CustomerID)
	}
	seenR := map[string]Refund{}
	for _, r := range b.Refunds {
		if err := r.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if r.Currency != cur {
			errs = append(errs, errorf(ErrCurrencyMismatch, "refund %q: currency %s, ladder %q counts %s", r.ID, r.Currency, e.ladder.Name, cur))
			continue
		}
		r.At = engInstant(r.At)
		if old, ok := seenR[r.ID]; ok {
			if !engSameRefund(old, r) {
				errs = append(errs, errorf(ErrConflict, "batch: refund %q appears twice with different content", r.ID))
			} else {
				in.dups++
			}
			continue
		}
		seenR[r.ID] = r
		if in.refunds == nil {
			in.refunds = map[string][]Refund{}
		}
		in.refunds[r.CustomerID] = append(in.refunds[r.CustomerID], r)
		ids = append(ids, r.CustomerID)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	in.ids = slices.Clip(slices.Compact(ids))
	// Each customer's part, of its size, then filled in batch order.
	in.orders = make([][]Order, len(in.ids))
	at := make([]int32, len(valid)) // the customer of each valid order, by index in ids
	n := make([]int32, len(in.ids)) // each customer's orders
	for k, i := range valid {
		j := in.at(b.Orders[i].CustomerID)
		at[k] = int32(j)
		n[j]++
	}
	for j, c := range n {
		if c > 0 {
			in.orders[j] = make([]Order, 0, c)
		}
	}
	for k, i := range valid {
		j := at[k]
		in.orders[j] = append(in.orders[j], norm(i))
	}
	switch {
	case len(valid) == len(b.Orders):
		in.all = b.Orders
	case len(valid) > 0:
		in.all = make([]Order, len(valid))
		for k, i := range valid {
			in.all[k] = norm(i)
		}
	}
	return in, nil
}

// ingestOnce loads the batch's customers (from the cache, when cached is true and
// the batch adds to them, see engCache), merges and evaluates, and returns the
// change to commit and the cache entries to keep once it is committed. The change's
// statuses and due instants are in sc's room.
func (e *Engine) ingestOnce(ctx context.Context, in *engBatch, cached bool, sc *engScratch) (IngestResult, Change, []*engCached, error) {
	var res IngestResult
	c := Change{Source: SourceIngest, DueKey: e.key}
	mk := e.ledgers()
	// Each customer's entry: taken from the cache (owned: its slices are the Engine's),
	// or new, made from what the store loads. Either is changed in place and, once
	// committed, put in the cache.
	ents := make([]*engCached, len(in.ids))
	var miss []string
	var at []int
	owned := make([]bool, len(in.ids))
	for i, id := range in.ids {
		if cached {
			if en, ok := e.cache.take(id, in); ok {
				ents[i] = en
				owned[i] = true
				continue
			}
		}
		miss = append(miss, id)
		at = append(at, i)
	}
	found := owned // a cached customer is stored
	if len(miss) > 0 {
		loaded, err := e.store.Load(ctx, e.ladder.Name, miss)
		if err != nil {
			return res, c, nil, err
		}
		found = slices.Clone(owned)
		for j, i := range at {
			ents[i] = &engCached{a: loaded[j].Activity, st: loaded[j].Status}
			found[i] = loaded[j].Found
		}
	}
	// Room for every customer and order of the batch: the entries are large, and
	// growing these slices by appending was a good part of the ingest's allocations.
	n := len(in.ids)
	if cap(sc.statuses) < n {
		sc.statuses, sc.due = make([]Status, 0, n), make([]time.Time, 0, n)
	}
	c.Statuses, c.Due = sc.statuses[:0], sc.due[:0]
	var skipped map[string]bool // orders of the batch stored already: not in the change
	var keep []*engCached
	if e.cache != nil {
		keep = make([]*engCached, 0, n)
	}
	var errs []error
	var g *Ledger // reused from customer to customer: its machine and scratch
	// The customer's activity as the Ledger sees it: the entry's, with its orders (its
	// parts, see engCached) and the batch's new ones together in one scratch slice,
	// reused from customer to customer.
	var act Activity
	var view []Order
	// Each customer's events, put together once all are known: appended one customer
	// at a time, the change's events grew by doubling, a tenth of the ingest's bytes.
	var evParts [][]Event
	base := e.now()
	for i, id := range in.ids {
		en, wasFound := ents[i], found[i]
		a := &en.a
		st := en.st
		late := false
		custChanged := false
		if nc, ok := in.customers[id]; ok && (!wasFound || !engSameCustomer(nc, a.Customer)) {
			a.Customer = nc
			c.Customers = append(c.Customers, nc)
			custChanged = wasFound
		}
		if !owned[i] { // a store's slice: appending must copy it
			a.Refunds = slices.Clip(a.Refunds)
		}
		view = en.appendOrders(view[:0])
		stored := len(view)
		part := in.orders[i]
		addedO, copied := part, false // the orders added: the batch's part unless some are stored
		findO := engFinder(view, len(part), func(o *Order) string { return o.ID })
		var added int
		for k, o := range part {
			if j, ok := findO(o.ID); ok && j < stored {
				if !engSameOrder(view[j], o) {
					errs = append(errs, errorf(ErrConflict, "order %q: stored with other content", o.ID))
				} else {
					res.Duplicates++
				}
				if skipped == nil {
					skipped = map[string]bool{}
				}
				skipped[o.ID] = true
				if !copied { // the part is the batch's: a copy, without this one
					addedO, copied = slices.Clone(part[:k]), true
				}
				continue
			}
			if copied {
				addedO = append(addedO, o)
			}
			view = append(view, o)
			added++
			res.Orders++
			if !st.Checked.IsZero() && !o.PlacedAt.After(st.Checked) {
				late = true
			}
		}
		storedR := len(a.Refunds)
		findR := engFinder(a.Refunds, len(in.refunds[id]), func(r *Refund) string { return r.ID })
		for _, r := range in.refunds[id] {
			if j, ok := findR(r.ID); ok && j < storedR {
				if !engSameRefund(a.Refunds[j], r) {
					errs = append(errs, errorf(ErrConflict, "refund %q: stored with other content", r.ID))
				} else {
					res.Duplicates++
				}
				continue
			}
			a.Refunds = append(a.Refunds, r)
			c.Refunds = append(c.Refunds, r)
			added++
			res.Refunds++
			if !st.Checked.IsZero() && !r.At.After(st.Checked) {
				late = true
			}
		}
		if !wasFound && in.customers[id].ID == "" {
			nc := Customer{ID: id}
			for _, o := range view {
				if nc.JoinedAt.IsZero() || o.PlacedAt.Before(nc.JoinedAt) {
					nc.JoinedAt = o.PlacedAt
				}
			}
			if nc.JoinedAt.IsZero() { // refunds only: Validate below reports them
				nc.JoinedAt = base
			}
			a.Customer = nc
			c.Customers = append(c.Customers, nc)
		}
		act = *a
		act.Orders = view
		var ng *Ledger
		var err error
		if owned[i] && !custChanged && len(in.refunds[id]) == 0 {
			// A cached activity passed Activity.Validate when it was committed, and
			// adding orders keeps it valid: each new order passed Order.Validate and the
			// ladder's currency check (prepare), is the customer's (grouped by
			// customer), and has an ID found neither in the stored orders (above) nor
			// twice in the batch (prepare). Refunds and a new customer record take the
			// full check below.
			ng, err = mk.prepared(g, &act)
		} else {
			ng, err = mk.ledger(g, &act) // validates the stored and new activity together
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		g = ng
		if added == 0 && !custChanged && wasFound && !st.Checked.IsZero() {
			// Nothing new in the store, but this ladder's status may not have seen all of
			// it: another Engine, for another ladder on the same store, may have stored it.
			switch seen := g.f.countAt(st.Checked); {
			case seen != st.Seen:
				late = true
			case g.f.countAt(endOfTime) == seen:
				continue // the status has seen everything
			}
		}
		now := base
		if now.Before(st.Checked) {
			now = st.Checked
		}
		var nst Status
		var evs []Event
		if (late || custChanged) && st.Override == nil {
			nst, evs, err = e.restate(g, st, &act, now)
		} else {
			nst, evs, err = g.Evaluate(st, now)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		nst.Version = st.Version
		if err := e.schedule(&c, g, nst); err != nil {
			errs = append(errs, err)
			continue
		}
		if len(evs) > 0 {
			evParts = append(evParts, evs)
		}
		res.Customers++
		if e.cache != nil {
			en.addOrders(view, addedO)
			engSortTail(a.Refunds, storedR, engRefundCmp)
			nst.Version++
			en.st = nst
			keep = append(keep, en)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return res, c, nil, err
	}
	c.Events = slices.Concat(evParts...) // nil when no customer emitted
	// The batch's orders, but those stored already: the change stores them.
	c.Orders = in.all
	if skipped != nil {
		c.Orders = slices.DeleteFunc(slices.Clone(in.all), func(o Order) bool { return skipped[o.ID] })
	}
	res.Events = c.Events
	return res, c, keep, nil
}

// engFinder returns a function that finds an ID among the stored entries xs, for n
// look-ups: a linear scan when that is cheap (a few new entries, a short history),
// else a map built once.
func engFinder[T any](xs []T, n int, id func(*T) string) func(string) (int, bool) {
	if n*len(xs) <= 512 {
		return func(want string) (int, bool) {
			for j := range xs {
				if id(&xs[j]) == want {
					return j, true
				}
			}
			return 0, false
		}
	}
	m := make(map[string]int, len(xs))
	for j := range xs {
		m[id(&xs[j])] = j
	}
	return func(want string) (int, bool) {
		j, ok := m[want]
		return j, ok
	}
}

// adds reports whether the batch holds an order or refund of the customer that the
// entry does not (an order: see hasOrder).
func (in *engBatch) adds(id string, en *engCached) bool {
	os := in.ordersOf(id)
	for i := range os {
		if !en.hasOrder(&os[i]) {
			return true
		}
	}
	for _, r := range in.refunds[id] {
		if !slices.ContainsFunc(en.a.Refunds, func(x Refund) bool { return x.ID == r.ID }) {
			return true
		}
	}
	return false
}

// restate evaluates a fresh status from all of a's activity and reports the tier change
// from st, if any, as one event.
func (e *Engine) restate(g *Ledger, st Status, a *Activity, now time.Time) (Status, []Event, error) {
	fresh, _, err := g.Evaluate(Status{CustomerID: st.CustomerID, Ladder: st.Ladder}, now)
	if err != nil {
		return st, nil, err
	}
	if fresh.Tier == st.Tier {
		return fresh, nil, nil
	}
	l := &e.ladder
	from, to := l.TierIndex(st.Tier), l.TierIndex(fresh.Tier)
	ev := Event{Ladder: l.Name, CustomerID: st.CustomerID, At: now, From: st.Tier, To: fresh.Tier,
		Measure: l.measure(), Reason: "restated"}
	switch {
	case to > from:
		ev.Kind = EventUpgraded
		if from < 0 {
			ev.Kind = EventEnrolled
		}
		peak := l.TierIndex(st.Peak)
		ev.Reentry = to <= peak
		for i := from + 1; i <= to; i++ {
			t := &l.Tiers[i]
			if t.InviteOnly && i != to {
				continue
			}
			ev.Crossed = append(ev.Crossed, t.Name)
			if t.EntryReward != "" && (!l.Rewards.NoRepay || i > peak) {
				ev.Rewards = append(ev.Rewards, t.EntryReward)
			}
		}
		ev.Deadline = fresh.ExpiresAt
	default:
		ev.Kind = EventDowngraded
		for i := from; i > to; i-- {
			ev.Crossed = append(ev.Crossed, l.Tiers[i].Name)
		}
	}
	if p, err := l.Progress(fresh, a, now); err == nil {
		ev.Value = p.Value
	}
	return fresh, []Event{ev}, nil
}

// engSameOrder reports whether two orders have the same content: amounts compared as
// numbers, instants as instants.
func engSameOrder(a, b Order) bool {
	if a.ID != b.ID || a.CustomerID != b.CustomerID || !engInstant(a.PlacedAt).Equal(engInstant(b.PlacedAt)) ||
		a.Currency != b.Currency || a.Channel != b.Channel || !a.Shipping.Equal(b.Shipping) || !a.Tax.Equal(b.Tax) ||
		len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		x, y := a.Lines[i], b.Lines[i]
		if x.SKU != y.SKU || x.Category != y.Category || x.Brand != y.Brand || x.Quantity != y.Quantity ||
			!x.ListPrice.Equal(y.ListPrice) || !x.PaidPrice.Equal(y.PaidPrice) || !x.UnitCost.Equal(y.UnitCost) ||
			x.NewRelease != y.NewRelease || x.Premium != y.Premium {
			return false
		}
	}
	return true
}

// engSameCustomer reports whether two customer records say the same.
func engSameCustomer(a, b Customer) bool {
	return a.ID == b.ID && a.JoinedAt.Equal(b.JoinedAt) && a.Birthday.Equal(b.Birthday) && a.TimeZone == b.TimeZone
}

// engSameRefund reports whether two refunds have the same content.
func engSameRefund(a, b Refund) bool {
	return a.ID == b.ID && a.OrderID == b.OrderID && a.CustomerID == b.CustomerID &&
		engInstant(a.At).Equal(engInstant(b.At)) && a.Currency == b.Currency && a.Amount.Equal(b.Amount) &&
		slices.Equal(a.Lines, b.Lines)
}

// ReviewResult says what [Engine.Review] did.
type ReviewResult struct {
	// At is the instant reviewed.
	At time.Time `json:"at"`
	// Customers counts the customers looked at (those due, see [Engine.Review]);
	// Changed those whose status was written; Failed those that could not be evaluated.
	Customers int `json:"customers"`
	Changed   int `json:"changed"`
	Failed    int `json:"failed"`
	// Events counts the events logged.
	Events int `json:"events"`
	// Retries counts page reloads after a stale status version.
	Retries int `json:"retries"`
}

// Review evaluates the customers of the shard (the zero Shard: all customers) at the
// Clock's instant, page by page, and commits each page's changes atomically: grace
// expiries, period roll-offs, expiries, warnings, proximity events and override expiries,
// everything [Ladder.Evaluate] catches up on.
//
// It looks only at the customers that are due ([Store.Due]): each status is stored
// with the first instant at which it could change ([Ledger.NextChange]), so a customer
// that is not due has nothing to change, and a review touches the few that have.
// Customers without a status on the ladder, and statuses stored by another ladder
// configuration or made stale by another ladder's changes, are always due.
// [EngineOptions.FullReview] looks at every customer instead, with the same result.
// A status whose only change would be its Checked instant is not written (the next
// evaluation catches up the same way), unless it was due: then it is written with its
// new schedule.
//
// Review is safe to run again and to run concurrently with ingest: a second review at
// the same instant changes nothing, and a customer already evaluated at or after the
// instant is left alone. Reviews of the shards of one store, in one process or several,
// together do what one review of all customers does.
//
// A customer that cannot be evaluated (stored data the ladder rejects, say a tier the
// ladder no longer has) does not stop the review: it is counted in Failed, left as it
// was, and its error is returned, joined with the others (at most 100), after every
// page is done. A store error stops the review at once.
func (e *Engine) Review(ctx context.Context, shard Shard) (ReviewResult, error) {
	return e.ReviewAt(ctx, shard, e.now())
}

// ReviewAt is [Engine.Review] at the instant now instead of the Clock's: for catching
// up a missed schedule, or for several review processes that must agree on one instant.
func (e *Engine) ReviewAt(ctx context.Context, shard Shard, now time.Time) (ReviewResult, error) {
	now = engInstant(now)
	res := ReviewResult{At: now}
	if err := shard.Validate(); err != nil {
		return res, err
	}
	if now.IsZero() {
		return res, errorf(ErrInvalidStatus, "review: now is zero")
	}
	after := ""
	var failed []error
	for {
		var ids []string
		var err error
		if e.full {
			ids, err = e.store.Customers(ctx, shard, after, e.pageSize)
		} else {
			ids, err = e.store.Due(ctx, DueQuery{Ladder: e.ladder.Name, Key: e.key, Shard: shard, After: after, Limit: e.pageSize, At: now})
		}
		if err != nil {
			return res, err
		}
		if len(ids) == 0 {
			return res, errors.Join(failed...)
		}
		for attempt := 0; ; attempt++ {
			c, bad, err := e.reviewPage(ctx, ids, now)
			if err == nil {
				err = e.store.Commit(ctx, c)
			}
			if err == nil {
				e.cache.drop(ids) // their versions moved on
				res.Customers += len(ids)
				res.Changed += len(c.Statuses)
				res.Events += len(c.Events)
				res.Failed += len(bad)
				if room := 100 - len(failed); room > 0 {
					failed = append(failed, bad[:min(room, len(bad))]...)
				}
				break
			}
			if !errors.Is(err, ErrStale) || attempt >= e.retries {
				return res, err
			}
			res.Retries++
			if err := engBackoff(ctx, attempt); err != nil {
				return res, err
			}
		}
		after = ids[len(ids)-1]
	}
}

// reviewPage evaluates one page of customers and returns the change to commit and the
// customers that could not be evaluated.
func (e *Engine) reviewPage(ctx context.Context, ids []string, now time.Time) (Change, []error, error) {
	c := Change{Source: SourceReview, DueKey: e.key}
	mk := e.ledgers()
	snaps, err := e.store.Load(ctx, e.ladder.Name, ids)
	if err != nil {
		return c, nil, err
	}
	var errs []error
	for i := range snaps {
		st := snaps[i].Status
		if !st.Checked.Before(now) {
			continue
		}
		g, err := mk.ledger(nil, &snaps[i].Activity)
		var nst Status
		var evs []Event
		if err == nil {
			nst, evs, err = g.Evaluate(st, now)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("vip: review customer %q: %w", ids[i], err))
			continue
		}
		cmpSt := nst
		cmpSt.Checked = st.Checked
		if len(evs) == 0 && cmpSt.Equal(st) && (st.Version == 0 || !snaps[i].IsDue(e.key, now)) {
			continue
		}
		nst.Version = st.Version
		if err := e.schedule(&c, g, nst); err != nil {
			errs = append(errs, fmt.Errorf("vip: review customer %q: %w", ids[i], err))
			continue
		}
		c.Events = append(c.Events, evs...)
	}
	return c, errs, nil
}

// Place applies a manual placement ([Ladder.Place]) to a customer at the Clock's
// instant and commits it with its events, recorded with source SourcePlace. It returns
// the new status. An unknown customer is [ErrNotFound].
func (e *Engine) Place(ctx context.Context, customerID string, o Override) (Status, error) {
	for attempt := 0; ; attempt++ {
		snap, err := e.load(ctx, customerID)
		if err != nil {
			return Status{}, err
		}
		now := e.now()
		if now.Before(snap.Status.Checked) {
			now = snap.Status.Checked
		}
		o.Until = engInstant(o.Until)
		nst, evs, err := e.ladder.Place(snap.Status, o, &snap.Activity, now)
		if err != nil {
			return Status{}, err
		}
		nst.Version = snap.Status.Version
		c := Change{Source: SourcePlace, Events: evs, DueKey: e.key}
		g, err := e.ledgers().ledger(nil, &snap.Activity)
		if err == nil {
			err = e.schedule(&c, g, nst)
		}
		if err != nil {
			return Status{}, err
		}
		err = e.store.Commit(ctx, c)
		e.cache.drop([]string{customerID})
		if err == nil {
			nst.Version++
			return nst, nil
		}
		if !errors.Is(err, ErrStale) || attempt >= e.retries {
			return Status{}, err
		}
		if err := engBackoff(ctx, attempt); err != nil {
			return Status{}, err
		}
	}
}

func (e *Engine) load(ctx context.Context, customerID string) (CustomerState, error) {
	snaps, err := e.store.Load(ctx, e.ladder.Name, []string{customerID})
	if err != nil {
		return CustomerState{}, err
	}
	if len(snaps) != 1 || !snaps[0].Found {
		return CustomerState{}, errorf(ErrNotFound, "customer %q", customerID)
	}
	return snaps[0], nil
}

// Status returns the customer's stored status, as of its last evaluation
// ([Status.Checked]); [Engine.Progress] evaluates up to now. An unknown customer is
// [ErrNotFound].
func (e *Engine) Status(ctx context.Context, customerID string) (Status, error) {
	snap, err := e.load(ctx, customerID)
	return snap.Status, err
}

// Activity returns the customer's stored activity. An unknown customer is
// [ErrNotFound].
func (e *Engine) Activity(ctx context.Context, customerID string) (Activity, error) {
	snap, err := e.load(ctx, customerID)
	return snap.Activity, err
}

// Progress reports where the customer stands at the Clock's instant
// ([Ladder.Progress]), without storing anything. An unknown customer is [ErrNotFound].
func (e *Engine) Progress(ctx context.Context, customerID string) (Progress, error) {
	snap, err := e.load(ctx, customerID)
	if err != nil {
		return Progress{}, err
	}
	now := e.now()
	if now.Before(snap.Status.Checked) {
		now = snap.Status.Checked
	}
	return e.ladder.Progress(snap.Status, &snap.Activity, now)
}

// History returns every event logged for the customer on the Engine's ladder, in
// order. An unknown customer is [ErrNotFound].
func (e *Engine) History(ctx context.Context, customerID string) ([]Record, error) {
	return e.store.History(ctx, e.ladder.Name, customerID)
}

// Causes of a [TierChange].
const (
	CauseRule     = "rule"     // earned or lost by the ladder's rules as orders and refunds arrived
	CauseReview   = "review"   // a scheduled review: grace ended, the window rolled, a term expired
	CauseOverride = "override" // a manual placement began or ended
)

// TierChange is one entry of the audit trail: the customer's tier moved From -> To.
type TierChange struct {
	Seq  int64     `json:"seq"`
	At   time.Time `json:"at"`
	Kind EventKind `json:"kind"`
	From string    `json:"from,omitempty"`
	To   string    `json:"to,omitempty"`
	// Cause is CauseRule, CauseReview or CauseOverride; Reason is the event's own
	// reason ("activity", "grace", "landing", "expiry", "restated", an override's
	// reason code, ...).
	Cause  string `json:"cause"`
	Reason string `json:"reason,omitempty"`
	// Measure and Value: the ladder's measure and its value at At.
	Measure Measure `json:"measure,omitempty"`
	Value   string  `json:"value,omitempty"`
}

// TierChanges returns the customer's audit trail: every change of tier on the Engine's
// ladder, in order, each with its cause. An unknown customer is [ErrNotFound].
func (e *Engine) TierChanges(ctx context.Context, customerID string) ([]TierChange, error) {
	recs, err := e.History(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var out []TierChange
	for _, r := range recs {
		ev := r.Event
		if ev.From == ev.To {
			continue
		}
		switch ev.Kind {
		case EventEnrolled, EventUpgraded, EventDowngraded, EventOverrideSet, EventOverrideExpired:
		default:
			continue
		}
		if ev.Kind == EventOverrideSet || ev.Kind == EventOverrideExpired {
			continue // the tier move itself is its own Upgraded/Downgraded event
		}
		tc := TierChange{Seq: r.Seq, At: ev.At, Kind: ev.Kind, From: ev.From, To: ev.To, Reason: ev.Reason,
			Measure: ev.Measure, Value: ev.Value.String()}
		switch {
		case r.Source == SourcePlace || ev.Reason == "override" || engIsOverrideReason(ev.Reason):
			tc.Cause = CauseOverride
		case r.Source == SourceReview:
			tc.Cause = CauseReview
		default:
			tc.Cause = CauseRule
		}
		out = append(out, tc)
	}
	return out, nil
}

func engIsOverrideReason(r string) bool {
	switch r {
	case ReasonStatusMatch, ReasonServiceRecovery, ReasonGift, ReasonInvitationOnly:
		return true
	}
	return false
}

// Deliver hands the next events after the consumer's cursor (at most limit) to fn and,
// when fn returns nil, acknowledges them, moving the cursor past them. It returns how
// many events were delivered; 0 means the consumer is up to date.
//
// An event is acknowledged exactly once. Delivery to fn is at least once: if the
// process stops between fn and the acknowledgement, the next Deliver hands the same
// events again, so fn should be idempotent (Record.Seq is a stable key). Run one
// Deliver loop per consumer name; if two race, the second to acknowledge gets
// [ErrStale] (its events were delivered twice).
func (e *Engine) Deliver(ctx context.Context, consumer string, limit int, fn func(context.Context, []Record) error) (int, error) {
	if strings.TrimSpace(consumer) == "" {
		return 0, errors.New("vip: deliver: consumer name is empty")
	}
	if limit <= 0 {
		limit = 100
	}
	cur, err := e.store.Cursor(ctx, consumer)
	if err != nil {
		return 0, err
	}
	recs, err := e.store.Events(ctx, cur, limit)
	if err != nil || len(recs) == 0 {
		return 0, err
	}
	if err := fn(ctx, recs); err != nil {
		return 0, err
	}
	if err := e.store.Ack(ctx, consumer, cur, recs[len(recs)-1].Seq); err != nil {
		return len(recs), err
	}
	return len(recs), nil
}
