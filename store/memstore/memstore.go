// Package memstore is a [vip.Store] in memory: for tests, examples and programs that
// keep their state elsewhere. It passes the conformance suite in store/storetest.
package memstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/store/internal/codec"
)

// Store is a [vip.Store] in memory. Use [New]; the zero value is not usable.
// It is safe for concurrent use; one mutex serialises commits.
type Store struct {
	mu        sync.RWMutex
	customers map[string]vip.Customer
	ids       []string // the customers' IDs, sorted
	orders    map[string]storedOrder
	refunds   map[string]storedRefund
	byCust    map[string]*custData
	statuses  map[statusKey]storedStatus
	events    []vip.Record
	cursors   map[string]int64
}

type statusKey struct{ ladder, customer string }

type storedStatus struct {
	st  vip.Status
	due time.Time
	key string // "" when the schedule is unknown
}

type storedOrder struct {
	o  vip.Order
	fp []byte
}

type storedRefund struct {
	r  vip.Refund
	fp []byte
}

type custData struct {
	orders  []string
	refunds []string
	events  []int    // indexes into events
	ladders []string // the ladders with a status
}

var _ vip.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		customers: map[string]vip.Customer{},
		orders:    map[string]storedOrder{},
		refunds:   map[string]storedRefund{},
		byCust:    map[string]*custData{},
		statuses:  map[statusKey]storedStatus{},
		cursors:   map[string]int64{},
	}
}

// Load implements [vip.Store.Load].
func (s *Store) Load(ctx context.Context, ladder string, ids []string) ([]vip.CustomerState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]vip.CustomerState, len(ids))
	for i, id := range ids {
		snap := vip.CustomerState{Status: vip.Status{CustomerID: id, Ladder: ladder}}
		snap.Activity.Customer = vip.Customer{ID: id}
		if c, ok := s.customers[id]; ok {
			snap.Found = true
			snap.Activity.Customer = c
		}
		if ss, ok := s.statuses[statusKey{ladder, id}]; ok {
			snap.Status = copyStatus(ss.st)
			snap.Due, snap.DueKey = ss.due, ss.key
		}
		if d := s.byCust[id]; d != nil {
			for _, oid := range d.orders {
				snap.Activity.Orders = append(snap.Activity.Orders, codec.NormOrder(s.orders[oid].o))
			}
			for _, rid := range d.refunds {
				snap.Activity.Refunds = append(snap.Activity.Refunds, codec.NormRefund(s.refunds[rid].r))
			}
		}
		slices.SortFunc(snap.Activity.Orders, func(a, b vip.Order) int {
			return cmp.Or(a.PlacedAt.Compare(b.PlacedAt), cmp.Compare(a.ID, b.ID))
		})
		slices.SortFunc(snap.Activity.Refunds, func(a, b vip.Refund) int {
			return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
		})
		out[i] = snap
	}
	return out, nil
}

func copyStatus(st vip.Status) vip.Status {
	if st.Override != nil {
		ov := *st.Override
		st.Override = &ov
	}
	return st
}

// Commit implements [vip.Store.Commit].
func (s *Store) Commit(ctx context.Context, c vip.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := codec.CheckDue(&c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Check everything first, so that a failing change leaves no trace.
	newOrders := map[string][]byte{}
	for _, o := range c.Orders {
		fp := codec.OrderPrint(o)
		old, ok := s.orders[o.ID]
		if !ok {
			old.fp, ok = newOrders[o.ID]
		}
		if ok {
			if !bytes.Equal(old.fp, fp) {
				return fmt.Errorf("vip: order %q is stored with other content: %w", o.ID, vip.ErrConflict)
			}
			continue
		}
		newOrders[o.ID] = fp
	}
	newRefunds := map[string][]byte{}
	for _, r := range c.Refunds {
		fp := codec.RefundPrint(r)
		old, ok := s.refunds[r.ID]
		if !ok {
			old.fp, ok = newRefunds[r.ID]
		}
		if ok {
			if !bytes.Equal(old.fp, fp) {
				return fmt.Errorf("vip: refund %q is stored with other content: %w", r.ID, vip.ErrConflict)
			}
			continue
		}
		newRefunds[r.ID] = fp
		if _, ok := s.orders[r.OrderID]; !ok && newOrders[r.OrderID] == nil {
			return fmt.Errorf("vip: refund %q: order %q: %w", r.ID, r.OrderID, vip.ErrNotFound)
		}
	}
	seen := map[statusKey]bool{}
	for _, st := range c.Statuses {
		k := statusKey{st.Ladder, st.CustomerID}
		if seen[k] {
			return fmt.Errorf("vip: status of customer %q on ladder %q appears twice in one change: %w", st.CustomerID, st.Ladder, vip.ErrConflict)
		}
		seen[k] = true
		if s.statuses[k].st.Version != st.Version {
			return fmt.Errorf("vip: status of customer %q on ladder %q: version %d, stored %d: %w", st.CustomerID, st.Ladder, st.Version, s.statuses[k].st.Version, vip.ErrStale)
		}
	}
	// The touched customers' other statuses have stale schedules and a new version.
	touched := map[string]bool{}
	for _, cu := range c.Customers {
		touched[cu.ID] = true
	}
	for _, o := range c.Orders {
		touched[o.CustomerID] = true
	}
	for _, r := range c.Refunds {
		touched[r.CustomerID] = true
	}
	for id := range touched {
		s.unschedule(id, seen)
	}
	for _, cu := range c.Customers {
		s.addID(cu.ID)
		s.customers[cu.ID] = codec.NormCustomer(cu)
		s.cust(cu.ID)
	}
	for _, o := range c.Orders {
		if _, ok := s.orders[o.ID]; ok {
			continue
		}
		o = codec.NormOrder(o)
		s.orders[o.ID] = storedOrder{o: o, fp: newOrders[o.ID]} // a normalised order prints alike
		if _, ok := s.customers[o.CustomerID]; !ok {
			s.addID(o.CustomerID)
			s.customers[o.CustomerID] = vip.Customer{ID: o.CustomerID}
		}
		d := s.cust(o.CustomerID)
		d.orders = append(d.orders, o.ID)
	}
	for _, r := range c.Refunds {
		if _, ok := s.refunds[r.ID]; ok {
			continue
		}
		r = codec.NormRefund(r)
		s.refunds[r.ID] = storedRefund{r: r, fp: newRefunds[r.ID]}
		d := s.cust(r.CustomerID)
		d.refunds = append(d.refunds, r.ID)
	}
	for i, st := range c.Statuses {
		st = copyStatus(codec.NormStatus(st))
		st.Version++
		k := statusKey{st.Ladder, st.CustomerID}
		if st.Version == 1 {
			d := s.cust(st.CustomerID)
			d.ladders = append(d.ladders, st.Ladder)
		}
		due, key := codec.Schedule(&c, i)
		s.statuses[k] = storedStatus{st: st, due: due, key: key}
	}
	for _, e := range c.Events {
		s.events = append(s.events, vip.Record{Seq: int64(len(s.events) + 1), Source: c.Source, Event: codec.NormEvent(e)})
		d := s.cust(e.CustomerID)
		d.events = append(d.events, len(s.events)-1)
	}
	return nil
}

// unschedule marks the schedules of the customer's statuses other than those in
// written as unknown and bumps their versions: the customer's activity changed under
// them (see vip.Store).
func (s *Store) unschedule(id string, written map[statusKey]bool) {
	d := s.byCust[id]
	if d == nil {
		return
	}
	for _, l := range d.ladders {
		k := statusKey{l, id}
		if ss, ok := s.statuses[k]; ok && !written[k] {
			ss.key = ""
			ss.st.Version++
			s.statuses[k] = ss
		}
	}
}

// addID records a customer ID not stored before in the sorted list.
func (s *Store) addID(id string) {
	if _, ok := s.customers[id]; ok {
		return
	}
	i, _ := slices.BinarySearch(s.ids, id)
	s.ids = slices.Insert(s.ids, i, id)
}

func (s *Store) cust(id string) *custData {
	d := s.byCust[id]
	if d == nil {
		d = &custData{}
		s.byCust[id] = d
	}
	return d
}

// Customers implements [vip.Store.Customers].
func (s *Store) Customers(ctx context.Context, shard vip.Shard, after string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := shard.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, found := slices.BinarySearch(s.ids, after)
	if found {
		i++
	}
	var ids []string
	for ; i < len(s.ids) && (limit < 0 || len(ids) < limit); i++ {
		if shard.Contains(s.ids[i]) {
			ids = append(ids, s.ids[i])
		}
	}
	return ids, nil
}

// Due implements [vip.Store.Due].
func (s *Store) Due(ctx context.Context, q vip.DueQuery) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Shard.Validate(); err != nil {
		return nil, err
	}
	at := codec.Instant(q.At)
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, found := slices.BinarySearch(s.ids, q.After)
	if found {
		i++
	}
	var ids []string
	for ; i < len(s.ids) && (q.Limit < 0 || len(ids) < q.Limit); i++ {
		id := s.ids[i]
		if !q.Shard.Contains(id) {
			continue
		}
		ss, ok := s.statuses[statusKey{q.Ladder, id}]
		cs := vip.CustomerState{Status: ss.st, Due: ss.due, DueKey: ss.key}
		if !ok || cs.IsDue(q.Key, at) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Events implements [vip.Store.Events].
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]vip.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if after < 0 {
		after = 0
	}
	var out []vip.Record
	for i := after; i < int64(len(s.events)) && len(out) < limit; i++ {
		out = append(out, copyRecord(s.events[i]))
	}
	return out, nil
}

func copyRecord(r vip.Record) vip.Record {
	r.Event = codec.NormEvent(r.Event)
	return r
}

// Cursor implements [vip.Store.Cursor].
func (s *Store) Cursor(ctx context.Context, consumer string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cursors[consumer], nil
}

// Ack implements [vip.Store.Ack].
func (s *Store) Ack(ctx context.Context, consumer string, from, to int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.cursors[consumer]; cur != from || to < from {
		return fmt.Errorf("vip: cursor %q is at %d, not %d (ack to %d): %w", consumer, cur, from, to, vip.ErrStale)
	}
	s.cursors[consumer] = to
	return nil
}

// History implements [vip.Store.History].
func (s *Store) History(ctx context.Context, ladder, customerID string) ([]vip.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.customers[customerID]; !ok {
		return nil, fmt.Errorf("vip: customer %q: %w", customerID, vip.ErrNotFound)
	}
	var out []vip.Record
	if d := s.byCust[customerID]; d != nil {
		for _, i := range d.events {
			if s.events[i].Event.Ladder == ladder {
				out = append(out, copyRecord(s.events[i]))
			}
		}
	}
	return out, nil
}
